import { ConfigError } from '../errors';
import { boundSetting } from './binding-setting';

/** Every five minutes, on the minute (NCRONTAB: second minute hour day month day-of-week). */
export const DEFAULT_SCHEDULE = '0 */5 * * * *';

const MONTH_NAMES = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
];
const DAY_NAMES = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
const EXAMPLE = `such as "${DEFAULT_SCHEDULE}" (every 5 minutes)`;

/**
 * The timer's schedule from APPGW_SCHEDULE (default DEFAULT_SCHEDULE). Throws a ConfigError naming the
 * setting when `scheduleProblem` finds one.
 */
export function readSchedule(env: Readonly<Record<string, string | undefined>>): string {
  const raw = boundSetting(env, 'APPGW_SCHEDULE', DEFAULT_SCHEDULE);
  const problem = scheduleProblem(raw);
  if (problem) throw new ConfigError([`APPGW_SCHEDULE: ${problem}`], 'app settings');
  return raw;
}

/**
 * Why the Functions host would not run `schedule`, or undefined when it would. What the host takes
 * (learn.microsoft.com/azure/azure-functions/functions-bindings-timer, "CRON expressions" and
 * "TimeSpan"; Azure/azure-webjobs-sdk-extensions, Timers/Scheduling/CronSchedule.cs `TryCreate`):
 * - an NCRONTAB expression (the NCrontab library) of 6 fields, `second minute hour day month
 *   day-of-week`, or 5 without the seconds (the host reads seconds unless there are exactly 5); each
 *   field `*`, a value, a range `a-b`, a list `a,b`, a step `/n`; months 1-12 and days of the week 0-6
 *   (0 is Sunday), or their English names, whole or abbreviated, in any case. No `?`, `L`, `W`, `#`,
 *   `@daily`;
 * - a TimeSpan `hh:mm:ss` (hh below 24), on App Service plans only (not Consumption or Flex
 *   Consumption, which `azd up` deploys).
 * The values and the calendar are checked by cron-parser (`99 99 99 99 99 99`, or February 30th, which
 * would never fire, are refused). cron-parser (and luxon under it) is loaded only for a schedule other
 * than the default, so a cold start with the default does not pay for it.
 */
export function scheduleProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (/^\d+:\d+:\d+$/.test(text)) return timeSpanProblem(text);
  if (text === DEFAULT_SCHEDULE) return undefined;
  const fields = text.split(/\s+/);
  if (fields.length !== 6 && fields.length !== 5) {
    return `"${text}" has ${fields.length} field(s): an NCRONTAB expression has 6, "second minute hour day month day-of-week" (UTC), ${EXAMPLE}`;
  }
  const withSeconds = fields.length === 6 ? fields : ['0', ...fields];
  // Every field on its own first, so all bad fields are named at once (as the rest of the config's
  // issues are), then the whole expression, for what only the calendar shows (February 30th).
  const problems: string[] = [];
  const normalised = withSeconds.map((field, index) => {
    const read = readField(field, index);
    const problem = 'problem' in read ? read.problem : cronFieldProblem(read.field, index, field);
    if (problem) problems.push(problem);
    return 'field' in read ? read.field : field;
  });
  if (problems.length) return `"${text}": ${problems.join('; ')}`;
  const problem = cronProblem(normalised.join(' '));
  if (problem) {
    return `"${text}" is not an NCRONTAB expression: ${problem} (6 fields, "second minute hour day month day-of-week", UTC, ${EXAMPLE})`;
  }
  return undefined;
}

/** cron-parser's objection to `expression` (6 fields, numbers only), or undefined. */
function cronProblem(expression: string): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when needed (cold start)
    const { CronExpressionParser } = require('cron-parser') as typeof import('cron-parser');
    CronExpressionParser.parse(expression, { tz: 'UTC', strict: false });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * cron-parser's objection to one field (`field`, names replaced by numbers) with every other field `*`,
 * worded with the field's name, its value as written (`original`) and NCrontab's range for it.
 */
function cronFieldProblem(field: string, index: number, original: string): string | undefined {
  const alone = FIELD_NAMES.map((_, at) => (at === index ? field : '*')).join(' ');
  const problem = cronProblem(alone);
  return problem === undefined
    ? undefined
    : `the ${FIELD_NAMES[index] as string} field "${original}" is not valid (${FIELD_RANGES[index] as string})${
        // cron-parser's "Constraint error, got value 99 expected range 0-59" repeats our range in its words.
        /^Constraint error/i.test(problem) ? '' : `: ${problem}`
      }`;
}

const FIELD_NAMES = ['second', 'minute', 'hour', 'day', 'month', 'day-of-week'];
/** NCrontab's range of each field (github.com/atifaziz/NCrontab, CrontabFieldKind). */
const FIELD_RANGES = [
  'range 0-59',
  'range 0-59',
  'range 0-23',
  'range 1-31',
  'range 1-12, or January-December',
  'range 0-6, 0 is Sunday, or Sunday-Saturday',
];

/** One field in NCrontab's syntax, names replaced by numbers (cron-parser knows only 3-letter names). */
function readField(field: string, index: number): { field: string } | { problem: string } {
  const what = FIELD_NAMES[index] as string;
  if (!/^[\dA-Za-z*,\-/]+$/.test(field)) {
    return {
      problem: `the ${what} field "${field}" holds a character NCRONTAB does not take (only digits, names, * , - /)`,
    };
  }
  const names = index === 4 ? MONTH_NAMES : index === 5 ? DAY_NAMES : undefined;
  let problem: string | undefined;
  const replaced = field.replace(/[A-Za-z]+/g, (word) => {
    const at = names?.findIndex((name) => name.startsWith(word.toUpperCase())) ?? -1;
    if (at < 0) {
      // Quartz's L, W (and #) are no names, and NCrontab takes none of them.
      const quartz = /^(L|W|LW)$/i.test(word) ? '; NCRONTAB has no L or W' : '';
      problem = names
        ? `the ${what} field "${field}": "${word}" is not a ${index === 4 ? 'month' : 'day'} name${quartz}`
        : `the ${what} field "${field}": "${word}" is not a number (${FIELD_RANGES[index] as string}${quartz})`;
      return word;
    }
    return String(index === 4 ? at + 1 : at);
  });
  if (problem) return { problem };
  // NCrontab's days of the week are 0-6; cron-parser would also take 7 for Sunday.
  if (index === 5 && /(^|[^/\d])([7-9]|\d{2,})/.test(replaced)) {
    return { problem: `the day-of-week field "${field}" is not valid (${FIELD_RANGES[5] as string})` };
  }
  return { field: replaced };
}

function timeSpanProblem(text: string): string | undefined {
  const [hours, minutes, seconds] = text.split(':').map(Number) as [number, number, number];
  if (hours > 23 || minutes > 59 || seconds > 59) {
    return `"${text}" is not a TimeSpan "hh:mm:ss" with hh below 24, mm and ss below 60 (or use NCRONTAB, ${EXAMPLE})`;
  }
  if (hours + minutes + seconds === 0) return `"${text}" is no interval: give at least one second`;
  return undefined;
}
