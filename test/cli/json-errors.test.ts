import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, runCli } from '../helpers/cli';

beforeAll(assertBuilt);

/**
 * Every verb that prints JSON on stdout (`--json`, `render --format json`) prints one JSON error object
 * `{"error": {"code", "message"}}` there when it fails, whatever failed: a usage error found before the
 * verb loads, one the verb finds, or an error a user can act on (a missing file). The text still goes to
 * stderr. The verbs without JSON print nothing on stdout.
 */
describe('--json: every error is a JSON error object on stdout', () => {
  let tmp: string;
  let missing: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-json-errors-'));
    missing = path.join(tmp, 'no-such-config.json');
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  const GW =
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';
  const cases: ReadonlyArray<[string, () => string[], string]> = [
    [
      'run: a configuration file that does not exist',
      () => ['run', '--json', '--config', missing],
      'ConfigInvalid',
    ],
    [
      'run: an unknown option (found before the verb loads)',
      () => ['run', '--json', '--bogus'],
      'UsageInvalid',
    ],
    ['evaluate: a file that does not exist', () => ['evaluate', path.join(tmp, 'none.json'), '--json'], ''],
    [
      'notify list: a configuration file that does not exist',
      () => ['notify', 'list', '--json', '--config', missing],
      'ConfigInvalid',
    ],
    [
      'notify test: a configuration file that does not exist',
      () => ['notify', 'test', '--receiver', 'ops', '--json', '--config', missing],
      'ConfigInvalid',
    ],
    [
      'silence list: a configuration file that does not exist',
      () => ['silence', 'list', '--json', '--config', missing],
      'ConfigInvalid',
    ],
    [
      'recheck: options missing (found by the verb)',
      () => ['recheck', '--json', '--gateway', GW],
      'UsageInvalid',
    ],
    [
      'recheck: a configuration file that does not exist',
      () => ['recheck', '--json', '--gateway', GW, '--pool', 'p', '--settings', 's', '--config', missing],
      'ConfigInvalid',
    ],
    [
      'render --format json: an article that does not exist',
      () => ['render', path.join(tmp, 'none.md'), '--format', 'json'],
      '',
    ],
  ];

  it.each(cases)('%s', async (_name, args, code) => {
    const result = await runCli(args());
    expect(result.code).toBe(2);
    const parsed = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(parsed.error.message.length).toBeGreaterThan(0);
    if (code) expect(parsed.error.code).toBe(code);
    expect(result.stderr).toContain('error: ');
  });

  it('without --json the same error prints nothing on stdout', async () => {
    const result = await runCli(['run', '--config', missing]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });
});
