import { appSettingsProblems } from '../../src/config/app-settings';
import { DEFAULT_QUEUE_NAME, readQueueName } from '../../src/config/functions-settings';
import { DEFAULT_SCHEDULE, readSchedule } from '../../src/config/schedule';
import { ConfigError } from '../../src/errors';

/**
 * The settings the Functions app binds by name (%APPGW_SCHEDULE%, %APPGW_QUEUE_NAME% in functions/):
 * the host takes them as written whenever set and not empty, so the check refuses what the host would
 * get (issue 15 trial: APPGW_SCHEDULE="   " passed `run`, trimmed to the default, while the host got
 * "   "). Unset or empty: the default, as the registrations choose.
 */
const READERS = [
  ['APPGW_SCHEDULE', readSchedule, DEFAULT_SCHEDULE, '0 */10 * * * *'],
  ['APPGW_QUEUE_NAME', readQueueName, DEFAULT_QUEUE_NAME, 'my-queue'],
] as const;

describe.each(READERS)('%s: what the host binds', (name, read, fallback, good) => {
  it.each([
    ['spaces only', '   ', 'is only white space'],
    ['a tab only', '\t', 'is only white space'],
    ['spaces around', ` ${good} `, 'has white space'],
    ['a byte-order mark before', `\uFEFF${good}`, 'has white space (or a byte-order mark)'],
    ['a line break after', `${good}\n`, 'has white space'],
  ])('%s: refused, naming the setting', (_, value, said) => {
    expect(() => read({ [name]: value })).toThrow(ConfigError);
    expect(() => read({ [name]: value })).toThrow(`${name}: ${said}`);
  });

  it('unset or empty: the default; a clean value: itself', () => {
    expect(read({})).toBe(fallback);
    expect(read({ [name]: '' })).toBe(fallback);
    expect(read({ [name]: good })).toBe(good);
  });

  it('`run` from the environment refuses it too (the same settings go to the app)', () => {
    const { problems } = appSettingsProblems(
      { APPGW_TARGETS: '/subscriptions/00000000-0000-0000-0000-000000000000', [name]: '   ' },
      { reader: 'run' },
    );
    expect(problems.some((p) => p.includes(`${name}: is only white space`))).toBe(true);
  });
});
