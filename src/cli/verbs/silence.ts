import { buildSilenceStore } from '../../app/build-adapters';
import { systemClock } from '../../adapters/clock/system-clock';
import { parseDuration } from '../../config/duration';
import { loadSilencesConfig } from '../../config/load';
import { formatPath } from '../../core/input/format-issues';
import { isSilenceActive, isSilenceOver, type Silence } from '../../core/notice/silence';
import { silenceSchema } from '../../core/notice/silence-schema';
import { reportedError } from '../../core/reported-error';
import { toError, UsageError } from '../../errors';
import { typedStateStore } from '../../pipeline/notify/typed-stores';
import { addSilence, expireSilence, readStoredSilences } from '../../pipeline/notify/silence-store';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { terminalField, terminalJson } from '../terminal-text';
import { parseVerbArgs } from '../verb-args';
import { SILENCE, SILENCE_ADD, SILENCE_EXPIRE, SILENCE_LIST } from '../verb-specs';

/**
 * `silence add|list|expire`: the silences kept with the notify state (silence-store.ts). `add` checks
 * the silence with the config's schema (silence-schema.ts) before storing it; `list` shows the config's
 * (`notify.silences`) and the stored ones; `expire` ends a stored one now.
 */
export async function silenceVerb(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'add') return addVerb(rest);
  if (action === 'list') return listVerb(rest);
  if (action === 'expire') return expireVerb(rest);
  throw new UsageError([`after "silence", say "add", "list" or "expire"`], SILENCE.name);
}

async function addVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(SILENCE_ADD, args);
  if (!values.config) throw new UsageError(['--config FILE is required'], SILENCE_ADD.name);
  const now = systemClock.now();
  const issues: string[] = [];
  const tags: Record<string, string> = {};
  for (const tag of values.tag ?? []) {
    const at = tag.indexOf('=');
    if (at <= 0) issues.push(`--tag ${JSON.stringify(tag)}: give NAME=VALUE`);
    else tags[tag.slice(0, at)] = tag.slice(at + 1);
  }
  const matchers = {
    ...(values.subscription ? { subscription: values.subscription } : {}),
    ...(values['resource-group'] ? { resourceGroup: values['resource-group'] } : {}),
    ...(values.gateway ? { gateway: values.gateway } : {}),
    ...(values.pool ? { backendPool: values.pool } : {}),
    ...(values.cause ? { cause: values.cause } : {}),
    ...(values.severity ? { severity: values.severity } : {}),
    ...(Object.keys(tags).length ? { tags } : {}),
  };
  let window: Record<string, unknown>;
  if (values.weekly !== undefined) {
    window = {
      weekly: {
        days: values.weekly.split(',').map((d) => d.trim().toLowerCase().slice(0, 3)),
        from: values.from,
        to: values.to,
        timeZone: values['time-zone'] ?? 'UTC',
      },
    };
  } else {
    const startsAt = values.starts ?? now.toISOString();
    let endsAt = values.ends;
    if (values.for !== undefined) {
      const inMs = parseDuration(values.for);
      if (inMs === undefined || inMs === 0)
        issues.push(
          `--for ${JSON.stringify(terminalField(values.for, 40))}: is not a duration: write a whole number and a unit with no space (ms, s, m, h, d), units joined for a sum, e.g. --for 2h, --for 90m, --for 1h30m, --for 1d`,
        );
      // An unreadable --starts is said by the schema, as --starts.
      else if (!Number.isNaN(Date.parse(startsAt)))
        endsAt = new Date(Date.parse(startsAt) + inMs).toISOString();
    }
    if (endsAt === undefined && values.for === undefined)
      issues.push('--ends: say when it ends: --ends ISO or --for DURATION (or --weekly …)');
    window = { startsAt, endsAt };
  }
  const parsed = silenceSchema.safeParse({
    id: values.id,
    matchers,
    ...window,
    ...(values.comment ? { comment: values.comment } : {}),
    createdBy: 'appgw-insights silence add',
  });
  if (!parsed.success)
    issues.push(
      ...parsed.error.issues
        // "ends is missing" when --for was refused already: said once.
        .filter((i) => !(values.for !== undefined && formatPath(i.path) === 'endsAt' && endsAtUnset(window)))
        .map(
          (i) =>
            `${optionOf(formatPath(i.path))}: ${i.message.replace(/"(startsAt|endsAt)"/g, (_m, k: string) => optionOf(k))}`,
        ),
    );
  if (issues.length || !parsed.success) throw new UsageError(issues, SILENCE_ADD.name);
  const config = await loadSilencesConfig(values.config);
  const store = typedStateStore(buildSilenceStore(config, process.env));
  const silence = parsed.data as Silence;
  await addSilence(store, silence, now, config.silences);
  process.stdout.write(`added silence ${silence.id}: ${describe(silence, now)}\n`);
  return EXIT_OK;
}

async function listVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(SILENCE_LIST, args);
  if (!values.config) throw new UsageError(['--config FILE is required'], SILENCE_LIST.name);
  const config = await loadSilencesConfig(values.config);
  const now = systemClock.now();
  const errors: string[] = [];
  let stored: readonly Silence[] = [];
  try {
    const read = await readStoredSilences(typedStateStore(buildSilenceStore(config, process.env)));
    stored = read.silences;
    // Each stored silence this version does not accept: said once, the others listed.
    errors.push(...read.invalid.map((error) => error.message));
  } catch (error) {
    errors.push(reportedError(toError(error)).message);
  }
  const all = [
    ...config.silences.map((s) => ({ source: 'config', silence: s as Silence })),
    ...stored.map((s) => ({ source: 'stored', silence: s })),
  ].filter(({ silence }) => values.all || !isSilenceOver(silence, now));
  if (values.json) {
    const silences = all.map(({ source, silence }) => ({ source, state: stateOf(silence, now), ...silence }));
    process.stdout.write(`${terminalJson({ silences, errors })}\n`);
  } else {
    if (all.length === 0) process.stdout.write('no silences\n');
    for (const { source, silence } of all)
      process.stdout.write(
        `${terminalField(silence.id, 64)}  ${stateOf(silence, now)}  ${source}  ${describe(silence, now)}\n`,
      );
  }
  for (const error of errors) process.stderr.write(`error: ${error}\n`);
  return errors.length ? EXIT_FAILED : EXIT_OK;
}

async function expireVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(SILENCE_EXPIRE, args);
  const issues: string[] = [];
  if (!values.config) issues.push('--config FILE is required');
  if (positionals.length !== 1) issues.push('give the id of one silence');
  if (issues.length) throw new UsageError(issues, SILENCE_EXPIRE.name);
  const config = await loadSilencesConfig(values.config as string);
  const store = typedStateStore(buildSilenceStore(config, process.env));
  const outcome = await expireSilence(store, positionals[0] as string, systemClock.now());
  process.stdout.write(
    'expired' in outcome
      ? `expired silence ${terminalField(outcome.expired.id, 64)} at ${outcome.expired.expiredAt ?? ''}\n`
      : `set aside stored silence ${terminalField(outcome.id, 64)} (not valid, so never applied: ${terminalField(outcome.setAside.problems.join('; '), 400)}); its JSON is kept under "setAside" in ${terminalField(store.name, 400)}\n`,
  );
  return EXIT_OK;
}

/** The option that gives a silence's field (`matchers.backendPool` → `--pool`), so errors name what was typed. */
const OPTION_OF: Readonly<Record<string, string>> = {
  id: '--id',
  startsAt: '--starts',
  endsAt: '--ends',
  comment: '--comment',
  'matchers.subscription': '--subscription',
  'matchers.resourceGroup': '--resource-group',
  'matchers.gateway': '--gateway',
  'matchers.backendPool': '--pool',
  'matchers.cause': '--cause',
  'matchers.severity': '--severity',
  'matchers.tags': '--tag',
  matchers: 'matchers',
  weekly: '--weekly',
  'weekly.days': '--weekly',
  'weekly.from': '--from',
  'weekly.to': '--to',
  'weekly.timeZone': '--time-zone',
};

function optionOf(path: string): string {
  const exact = OPTION_OF[path];
  if (exact) return exact;
  if (path.startsWith('matchers.tags.')) return `--tag ${path.slice('matchers.tags.'.length)}=…`;
  if (path.startsWith('weekly.days[')) return '--weekly';
  return path || 'silence';
}

function endsAtUnset(window: Record<string, unknown>): boolean {
  return window['endsAt'] === undefined;
}

function stateOf(silence: Silence, now: Date): 'active' | 'pending' | 'expired' {
  if (isSilenceOver(silence, now)) return 'expired';
  return isSilenceActive(silence, now) ? 'active' : 'pending';
}

/** One line: its window and matchers, safe for the terminal. */
function describe(silence: Silence, _now: Date): string {
  const window = silence.weekly
    ? `weekly ${silence.weekly.days.join(',')} ${silence.weekly.from}–${silence.weekly.to} ${silence.weekly.timeZone}`
    : `${silence.startsAt ?? ''} – ${silence.endsAt ?? ''}`;
  const matchers = Object.entries(silence.matchers)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const comment = silence.comment ? `  # ${silence.comment}` : '';
  return terminalField(`${window}  ${matchers}${comment}`, 400);
}
