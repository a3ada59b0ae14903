import { DEFAULT_SCHEDULE, readSchedule, scheduleProblem } from '../../src/config/schedule';
import { ConfigError } from '../../src/errors';

describe('APPGW_SCHEDULE: what the Functions host runs, checked by cron-parser', () => {
  it.each([
    DEFAULT_SCHEDULE,
    '0 */15 * * * *',
    '0 0 * * * *',
    '0 0 9-17 * * *',
    '0 30 9 * * 1-5',
    '0 30 9 * Jan Mon', // names, abbreviated
    '0 30 9 * January Monday', // names, whole (NCrontab takes them; cron-parser alone would not)
    '0 0 0 * * mon-fri', // any case
    '5,8,10 * * * * *',
    '*/5 * * * *', // 5 fields: the host reads them without seconds
    '01:00:00', // TimeSpan (App Service plans)
    '00:00:30',
  ])('takes %j', (schedule) => {
    expect(scheduleProblem(schedule)).toBeUndefined();
  });

  it.each([
    ['99 99 99 99 99 99', /0-6/], // issue 15: this passed
    ['99 * * * * *', /second field "99" is not valid \(range 0-59\)$/],
    ['0 60 * * * *', /minute field "60" is not valid \(range 0-59\)$/],
    ['0 0 24 * * *', /hour field "24" is not valid \(range 0-23\)$/],
    ['0 0 0 32 * *', /range 1-31/],
    ['0 0 0 * 13 *', /range 1-12/],
    ['0 0 0 * 0 *', /range 1-12/],
    ['0 0 0 30 2 *', /day of month/], // February 30th: would never fire
    ['0 0 0 * * 7', /range 0-6, 0 is Sunday/], // cron-parser's Sunday 7; NCrontab's days are 0-6
    ['0 0 0 * * 1-7', /0-6/],
    ['0 0 0 ? * *', /character NCRONTAB does not take/],
    ['0 0 0 L * *', /"L" is not a number/],
    ['0 0 0 * * 1#2', /character NCRONTAB does not take/],
    ['0 0 H * * *', /"H" is not a number \(range 0-23\)/],
    ['0 0 0 * Smarch *', /not a month name/],
    ['0 0 0 * * Caturday', /not a day name/],
    ['@daily', /1 field/],
    ['hourly', /1 field/],
    ['0 0 0 * * * *', /7 field/],
    ['* * * *', /4 field/],
    ['24:00:00', /hh below 24/],
    ['00:60:00', /mm and ss below 60/],
    ['00:00:00', /no interval/],
  ])('refuses %j', (schedule, problem) => {
    expect(scheduleProblem(schedule)).toMatch(problem);
  });

  // Every bad field at once, each with its name, its value as written and its range (issue 15: only the first was named).
  it.each([
    [
      '99 99 99 99 99 99',
      [
        'the second field "99" is not valid (range 0-59)',
        'the minute field "99" is not valid (range 0-59)',
        'the hour field "99" is not valid (range 0-23)',
        'the day field "99" is not valid (range 1-31)',
        'the month field "99" is not valid (range 1-12, or January-December)',
        'the day-of-week field "99" is not valid (range 0-6, 0 is Sunday, or Sunday-Saturday)',
      ],
    ],
    ['60 0 24 * 13 *', ['the second field "60"', 'the hour field "24"', 'the month field "13"']],
    ['*/0 1-70/2 * * * *', ['the second field "*/0"', 'the minute field "1-70/2" is not valid (range 0-59)']],
    [
      '0 0 0 5-2 Smarch 7',
      ['the day field "5-2"', '"Smarch" is not a month name', 'the day-of-week field "7"'],
    ],
    [
      '99 99 99 99 99',
      [
        'the minute field "99"',
        'the hour field "99"',
        'the day field "99"',
        'the month field "99"',
        'the day-of-week field "99"',
      ],
    ],
  ])('names every bad field of %j at once', (schedule, named) => {
    const problem = scheduleProblem(schedule) ?? '';
    for (const part of named) expect(problem).toContain(part);
    expect(problem.split('; ')).toHaveLength(named.length);
  });

  it('readSchedule: the default when unset or empty; a ConfigError naming the setting otherwise (blank: binding-setting.test.ts)', () => {
    expect(readSchedule({})).toBe(DEFAULT_SCHEDULE);
    expect(readSchedule({ APPGW_SCHEDULE: '' })).toBe(DEFAULT_SCHEDULE);
    expect(readSchedule({ APPGW_SCHEDULE: '0 0 * * * *' })).toBe('0 0 * * * *');
    expect(() => readSchedule({ APPGW_SCHEDULE: '99 99 99 99 99 99' })).toThrow(ConfigError);
    expect(() => readSchedule({ APPGW_SCHEDULE: '99 99 99 99 99 99' })).toThrow(
      /^Invalid app settings: APPGW_SCHEDULE: /,
    );
  });
});

describe('APPGW_SCHEDULE messages: our words only, true to what was written (issue 15 trial)', () => {
  it.each([
    ['0 0 0 L * *', 'the day field "L": "L" is not a number (range 1-31; NCRONTAB has no L or W)'],
    ['0 0 0 15W * *', 'the day field "15W": "W" is not a number (range 1-31; NCRONTAB has no L or W)'],
    ['0 0 0 * * 5L', 'the day-of-week field "5L": "L" is not a day name; NCRONTAB has no L or W'],
    ['0 x * * * *', 'the minute field "x": "x" is not a number (range 0-59)'],
  ])('%s', (schedule, said) => {
    const problem = scheduleProblem(schedule) ?? '';
    expect(problem).toContain(said);
    expect(problem).not.toContain('takes no names');
  });

  it.each(['99 * * * * *', '0 99 * * * *', '0 0 99 * * *', '0 0 0 99 * *', '0 0 0 * 99 *'])(
    '%s: the range once, without cron-parser\'s "Constraint error"',
    (schedule) => {
      const problem = scheduleProblem(schedule) ?? '';
      expect(problem).toMatch(/is not valid \(range [^)]*\)/);
      expect(problem).not.toMatch(/Constraint error|expected range/);
    },
  );
});
