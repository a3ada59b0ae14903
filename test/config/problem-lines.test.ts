import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appSettingsProblems } from '../../src/config/app-settings';
import { loadConfigFile } from '../../src/config/load';
import { readFunctionSettings } from '../../src/app/function-services';
import { StateInvalidError } from '../../src/errors';

/**
 * Issue 15: every line of a configuration's error list has one shape, `where: problem`, where `where`
 * is a key path (file) or a setting name with the path inside its value (`APPGW_WEBHOOKS[0].url`),
 * optionally followed by a note in parentheses (`(receiver "a")`, `(from "VAR")`); and every problem
 * of a config comes in one round, entry-level checks beside field problems.
 */
const WHERE = String.raw`[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\]|\.[A-Za-z0-9_/-]+)*(?: \([^)]*\))*`;
const LINE = new RegExp(`^${WHERE}: \\S`);
const GW =
  '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';

const silences = [
  {
    id: 's',
    matchers: { pool: 'x' },
    startsAt: '2026-12-02T00:00:00Z',
    endsAt: '2026-12-01T00:00:00Z',
  },
  { id: 's', matchers: { gateway: 'agw-[12]' }, startsAt: 'soon' },
];
const webhooks = [
  { name: 'a', url: 'http://example.com', secret: 'bad', match: [{ gateway: 'a[1]' }, {}], timeoutInMs: 1 },
  { name: 'a', format: 'teams', url: 'https://example.com/x' },
];
const config = {
  targets: [GW],
  arm: { credential: 'development', maxRetries: 99 },
  notify: { recoverAfter: 0, silences },
  sinks: { webhooks },
  state: { dir: '', blob: {} },
};
const env = {
  APPGW_TARGETS: GW,
  APPGW_ARM_CREDENTIAL: 'development',
  APPGW_ARM_MAX_RETRIES: '99',
  APPGW_NOTIFY_RECOVER_AFTER: '0',
  APPGW_NOTIFY_SILENCES: JSON.stringify(silences),
  APPGW_WEBHOOKS: JSON.stringify(webhooks),
  APPGW_NOTIFY_REPEAT_INTERVAL: '2 hours',
  APPGW_TARGET: 'x',
  APPGW_SCHEDULE: '99 99 99 99 99 99',
  AzureWebJobsStorage: 'junk',
};

/** What every way of reading this configuration must say, in one round. */
const EVERY_PROBLEM = [
  /arm\.credential|APPGW_ARM_CREDENTIAL/,
  /must be a whole number from 0 to 10 \(retries/,
  /must be a whole number from 1 to 100 \(consecutive runs without the server bad/,
  /\[0\]\.matchers: unknown matcher "pool" \(did you mean "backendPool"\?\)/,
  /\[0\]\.endsAt: is before "startsAt"/,
  /\[1\]\.matchers\.gateway: is not a name glob/,
  /\[1\]\.startsAt: must be an ISO 8601/,
  /\[1\]\.endsAt: is missing/,
  /\[1\]\.id: "s" is the id of an earlier silence/,
  /\[0\]\.format: /,
  /\[0\]\.url: must use https/,
  /\[0\]\.secret: must start with "whsec_"/,
  /\[0\]\.timeoutInMs: must be a whole number from 100 to 120000/,
  /\[0\]\.match\[0\]\.gateway \(receiver "a"\): is not a name glob/,
  /\[0\]\.match\[1\] \(receiver "a"\): must hold at least one matcher/,
  /\[1\]\.name: "a" is used by another receiver/,
];

describe('one line format, every problem in one round', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-lines-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function fileLines(withEnv: boolean): Promise<string[]> {
    const file = path.join(dir, `config-${String(withEnv)}.json`);
    await writeFile(file, JSON.stringify(config));
    return loadConfigFile(file, withEnv ? {} : undefined).then(
      () => [],
      (error: { issues?: string[] }) => [...(error.issues ?? [String(error)])],
    );
  }

  it.each([
    ['a config file (run)', () => fileLines(true)],
    ['the environment (run)', async () => appSettingsProblems(env, { reader: 'run' }).problems],
    ['app settings', async () => appSettingsProblems(env).problems],
    [
      'the Functions startup',
      async () => {
        try {
          readFunctionSettings(env);
          return [];
        } catch (error) {
          return [...((error as { issues?: string[] }).issues ?? [])];
        }
      },
    ],
  ])('%s: every line is "where: problem", all at once', async (_way, read) => {
    const lines = await read();
    for (const line of lines) expect([line, LINE.test(line)]).toEqual([line, true]);
    for (const problem of EVERY_PROBLEM) expect(lines).toContainEqual(expect.stringMatching(problem));
    // No zod text reaches the user.
    expect(lines.join('\n')).not.toMatch(/Too small|Too big|Invalid input|expected number|Unrecognized key/);
  });

  it('the settings lines name the setting, then the path inside its value', () => {
    const { problems } = appSettingsProblems(env, { reader: 'run' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^APPGW_NOTIFY_SILENCES\[0\]\.endsAt: /),
        expect.stringMatching(/^APPGW_WEBHOOKS\[0\]\.url: /),
        expect.stringMatching(/^APPGW_NOTIFY_RECOVER_AFTER: /),
        expect.stringMatching(/^APPGW_TARGET: not a setting of this app; did you mean APPGW_TARGETS\?/),
        expect.stringMatching(/^APPGW_SCHEDULE: /),
        expect.stringMatching(/^AzureWebJobsStorage: is not a storage connection string/),
        expect.stringMatching(/^APPGW_NOTIFY_REPEAT_INTERVAL: "2 hours" is not a duration/),
      ]),
    );
    expect(problems.join('\n')).not.toMatch(/^APPGW_\w+ \(/m);
  });
});

describe('an unreadable state document is said as the document it is', () => {
  it.each([
    ['/s/sub/rg/gw.json', /^The notify state in .*nothing is decided or sent for its gateway/],
    ['/s/silences.json', /^The stored silences \(`silence add`\) in .*no stored silence is applied/],
    ['notify/silences.json in container appgw-state', /^The stored silences/],
    ['/s/alerts/sub/rg/gw.json', /^The alert dedupe marks in .*not deduplicated/],
  ])('%s', (document, expected) => {
    const shape = new StateInvalidError(document, ['version: must be 1']);
    const broken = new StateInvalidError(document, ['not valid JSON (x)'], { notJson: true });
    expect(shape.message).toMatch(expected);
    expect(broken.message).toMatch(expected);
    // A JSON syntax error is no version's writing.
    expect(broken.message).not.toMatch(/newer appgw-insights/);
    if (!document.endsWith('gw.json') || document.includes('alerts'))
      expect(shape.message).not.toMatch(/its gateway|this gateway/);
  });
});
