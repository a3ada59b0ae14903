import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appSettingsProblems, configFromAppSettings } from '../../src/config/app-settings';
import { loadConfigFile } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { isConfigError } from '../../src/errors';

/**
 * Issue 15.3: one configuration for every way of running. Each value is written as a JSON file holds
 * it and as an app setting / environment variable holds it, then read three ways: the file (`run
 * --config`), the Functions app's app settings, and `run` without --config (the environment). All three
 * must read the same value, or all three refuse it naming the key or setting.
 */
const SUB = '/subscriptions/00000000-0000-0000-0000-000000000000';
const RG = `${SUB}/resourceGroups/rg-prod`;

type Way = 'file' | 'app settings' | 'environment';

async function readAll(
  json: Record<string, unknown>,
  settings: Record<string, string>,
  env: Record<string, string> = {},
): Promise<Record<Way, Config | string[]>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-one-reading-'));
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ targets: [SUB], ...json }));
  const attempt = async (read: () => Config | Promise<Config>): Promise<Config | string[]> => {
    try {
      return await read();
    } catch (error) {
      if (isConfigError(error)) return [...error.issues];
      throw error;
    }
  };
  const appSettings = { APPGW_TARGETS: SUB, ...settings, ...env };
  try {
    return {
      file: await attempt(() => loadConfigFile(file, env)),
      'app settings': await attempt(() => configFromAppSettings(appSettings)),
      environment: await attempt(() => configFromAppSettings(appSettings, { reader: 'run', base: dir })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function at(config: Config | string[], key: string): unknown {
  if (Array.isArray(config)) return { refused: config };
  return key.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown>)?.[k], config);
}

function jsonAt(key: string, value: unknown): Record<string, unknown> {
  const keys = key.split('.');
  return keys.reduceRight<unknown>((inner, k) => ({ [k]: inner }), value) as Record<string, unknown>;
}

describe('the same value, written as a file holds it or as a setting holds it, is read the same three ways', () => {
  it.each<[string, unknown, string, string, unknown]>([
    ['concurrency', 'auto', 'APPGW_CONCURRENCY', 'auto', 'auto'],
    ['concurrency', 'AUTO', 'APPGW_CONCURRENCY', 'AUTO', 'auto'], // the file refused "AUTO"
    ['concurrency', 1e3, 'APPGW_CONCURRENCY', '1e3', 1000], // the setting refused "1e3"
    ['concurrency', 200, 'APPGW_CONCURRENCY', ' 200 ', 200],
    ['gatewayTimeoutInMs', 120000, 'APPGW_GATEWAY_TIMEOUT_MS', '1.2e5', 120000],
    ['arm.maxRetries', 0, 'APPGW_ARM_MAX_RETRIES', '0', 0],
    ['notify.outboxLimit', 500, 'APPGW_NOTIFY_OUTBOX_LIMIT', '500', 500],
    ['notify.repeatInterval', '1h30m', 'APPGW_NOTIFY_REPEAT_INTERVAL', '1h30m', 5_400_000],
    ['notify.recoverAfter', 2, 'APPGW_NOTIFY_RECOVER_AFTER', ' 2 ', 2],
    [
      'notify.silences',
      [
        JSON.parse(
          '{"id":"mw","matchers":{"gateway":"appgw-*"},"weekly":{"days":["sat"],"from":"22:00","to":"02:00","timeZone":"Europe/Berlin"}}',
        ),
      ],
      'APPGW_NOTIFY_SILENCES',
      '[{"id":"mw","matchers":{"gateway":"appgw-*"},"weekly":{"days":["sat"],"from":"22:00","to":"02:00","timeZone":"Europe/Berlin"}}]',
      [
        JSON.parse(
          '{"id":"mw","matchers":{"gateway":"appgw-*"},"weekly":{"days":["sat"],"from":"22:00","to":"02:00","timeZone":"Europe/Berlin"}}',
        ),
      ],
    ],
    [
      'targets',
      [SUB, RG],
      'APPGW_TARGETS',
      `${SUB};${RG}`,
      [expect.objectContaining({ id: SUB }), expect.objectContaining({ id: RG })],
    ],
    [
      'targets',
      [SUB, RG],
      'APPGW_TARGETS',
      `${SUB},\n${RG}`,
      [expect.objectContaining({ id: SUB }), expect.objectContaining({ id: RG })],
    ],
    [
      'targets',
      [SUB, RG],
      'APPGW_TARGETS',
      JSON.stringify([SUB, RG]),
      [expect.objectContaining({ id: SUB }), expect.objectContaining({ id: RG })],
    ],
    // Spaces around "=" were kept in the tag's name and value, so the filter matched nothing.
    [
      'discovery.tags',
      ['env = prod', ' owner '],
      'APPGW_DISCOVERY_TAGS',
      'env = prod; owner',
      [{ key: 'env', value: 'prod' }, { key: 'owner' }],
    ],
    [
      'discovery.tags',
      ['cost-center=a,b'],
      'APPGW_DISCOVERY_TAGS',
      '["cost-center=a,b"]',
      [{ key: 'cost-center', value: 'a,b' }],
    ],
    [
      'discovery.names',
      ['appgw-*', 'edge-??'],
      'APPGW_DISCOVERY_NAMES',
      'appgw-*;edge-??',
      ['appgw-*', 'edge-??'],
    ],
    [
      'unhealthyStates',
      ['unhealthy', 'Unknown'],
      'APPGW_UNHEALTHY_STATES',
      'unhealthy;Unknown',
      ['Down', 'Unknown'],
    ],
  ])('%s: %j in a file, %s=%j', async (key, json, setting, text, expected) => {
    const read = await readAll(jsonAt(key, json), { [setting]: text });
    expect({
      file: at(read.file, key),
      appSettings: at(read['app settings'], key),
      environment: at(read.environment, key),
    }).toEqual({
      file: expected,
      appSettings: expected,
      environment: expected,
    });
  });

  it('runDeadlineInMs: the file and the environment read it; the Functions app refuses it (it has no run to stop)', async () => {
    const read = await readAll({ runDeadlineInMs: 600000 }, { APPGW_RUN_DEADLINE_MS: '600000' });
    expect(at(read.file, 'runDeadlineInMs')).toBe(600000);
    expect(at(read.environment, 'runDeadlineInMs')).toBe(600000);
    expect(read['app settings']).toEqual([
      expect.stringMatching(/^APPGW_RUN_DEADLINE_MS: only `run` reads it/),
    ]);
  });
});

describe('a value that passed but cannot work is refused the three ways, naming the key or setting', () => {
  it.each<[string, unknown, string, string, RegExp, Record<string, string>?]>([
    [
      'arm.endpoint',
      'https://management.azure.com/subscriptions',
      'APPGW_ARM_ENDPOINT',
      'https://management.azure.com/subscriptions',
      /arm\.endpoint: must be only "https:\/\/host\[:port\]"/,
    ],
    [
      'arm.endpoint',
      'https://management.azure.com/?api-version=1',
      'APPGW_ARM_ENDPOINT',
      'https://management.azure.com/?api-version=1',
      /arm\.endpoint: must be only/,
    ],
    [
      'arm.endpoint',
      'https://user:pw@management.azure.com',
      'APPGW_ARM_ENDPOINT',
      'https://user:pw@management.azure.com',
      /arm\.endpoint: must not hold user:password@/,
    ],
    // 10^11 days: past what a Date holds, so every reminder's time would be no date.
    [
      'notify.repeatInterval',
      '99999999999d',
      'APPGW_NOTIFY_REPEAT_INTERVAL',
      '99999999999d',
      /notify\.repeatInterval: .* to 365d/,
    ],
    ['notify.repeatInterval', '0m', 'APPGW_NOTIFY_REPEAT_INTERVAL', '0m', /notify\.repeatInterval: /],
    ['notify.recoverAfter', 0, 'APPGW_NOTIFY_RECOVER_AFTER', '0', /notify\.recoverAfter: /],
    ['notify.recoverAfter', 1.5, 'APPGW_NOTIFY_RECOVER_AFTER', '1.5', /notify\.recoverAfter: /],
    ['notify.recoverAfter', 101, 'APPGW_NOTIFY_RECOVER_AFTER', '101', /notify\.recoverAfter: /],
    [
      'notify.silences',
      [{ id: 'x', matchers: {}, startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-01-02T00:00:00Z' }],
      'APPGW_NOTIFY_SILENCES',
      '[{"id":"x","matchers":{},"startsAt":"2026-01-01T00:00:00Z","endsAt":"2026-01-02T00:00:00Z"}]',
      /notify\.silences\[0\]\.matchers: must hold at least one matcher/,
    ],
    [
      'notify.silences',
      [
        {
          id: 'x',
          matchers: { gateway: 'gw' },
          weekly: { days: ['sun'], from: '01:00', to: '02:00', timeZone: 'Mars/Olympus' },
        },
      ],
      'APPGW_NOTIFY_SILENCES',
      '[{"id":"x","matchers":{"gateway":"gw"},"weekly":{"days":["sun"],"from":"01:00","to":"02:00","timeZone":"Mars/Olympus"}}]',
      /notify\.silences\[0\]\.weekly\.timeZone: must be an IANA time zone/,
    ],
    ['gatewayTimeoutInMs', 1.5e3 + 0.5, 'APPGW_GATEWAY_TIMEOUT_MS', '1500.5', /gatewayTimeoutInMs: /],
    ['concurrency', 0, 'APPGW_CONCURRENCY', '0', /concurrency: must be "auto" or a whole number >= 1/],
    ['discovery.tags', ['=prod'], 'APPGW_DISCOVERY_TAGS', '=prod', /discovery\.tags\[0\]: .*give a tag name/],
    [
      'discovery.tags',
      [' = prod'],
      'APPGW_DISCOVERY_TAGS',
      ' = prod',
      /discovery\.tags\[0\]: .*give a tag name/,
    ],
    [
      'article',
      './no-such-article.md',
      'APPGW_ARTICLE',
      './no-such-article.md',
      /article: cannot read .*no-such-article\.md: ENOENT/,
    ],
    [
      'arm.caCertFile',
      './no-such-ca.pem',
      'APPGW_ARM_CA_CERT_FILE',
      './no-such-ca.pem',
      /arm\.caCertFile: .*no-such-ca\.pem: /,
    ],
    // The webhook's secret, resolved from the environment the run will use: refused at load, not at the first notice.
    [
      'sinks.webhooks',
      [
        {
          name: 'ops',
          url: 'https://hooks.example.com/x',
          format: 'json',
          secret: { fromEnv: 'OPS_SECRET' },
        },
      ],
      'APPGW_WEBHOOKS',
      JSON.stringify([
        {
          name: 'ops',
          url: 'https://hooks.example.com/x',
          format: 'json',
          secret: { fromEnv: 'OPS_SECRET' },
        },
      ]),
      /sinks\.webhooks\[0\]\.secret \(from "OPS_SECRET"\): must/,
      { OPS_SECRET: 'whsec_<base64 secret from your receiver>' },
    ],
    [
      'sinks.webhooks',
      [{ name: 'ops', url: { fromEnv: 'OPS_HOOK' }, format: 'teams' }],
      'APPGW_WEBHOOKS',
      JSON.stringify([{ name: 'ops', url: { fromEnv: 'OPS_HOOK' }, format: 'teams' }]),
      /sinks\.webhooks\[0\]\.url: environment variable \/ app setting "OPS_HOOK" is not set/,
    ],
    [
      'sinks.webhooks',
      [{ name: 'ops', url: 'http://hooks.example.com/x', format: 'slack' }],
      'APPGW_WEBHOOKS',
      JSON.stringify([{ name: 'ops', url: 'http://hooks.example.com/x', format: 'slack' }]),
      /sinks\.webhooks\[0\]\.url: must use https:\/\//,
    ],
  ])('%s: %j / %s=%j', async (key, json, setting, text, problem, env = {}) => {
    const read = await readAll(jsonAt(key, json), { [setting]: text }, env);
    expect(read.file).toEqual([expect.stringMatching(problem)]);
    for (const way of ['app settings', 'environment'] as const) {
      expect([way, read[way]]).toEqual([
        way,
        // One line format (issue 15): the setting, then the path inside its value, then the problem.
        [
          expect.stringMatching(
            new RegExp(`^${setting}${problem.source.slice(key.replace(/\./g, '\\.').length)}`),
          ),
        ],
      ]);
    }
  });

  it('every problem at once: the file lists them all in one error', async () => {
    const read = await readAll(
      {
        arm: { endpoint: 'https://x.example/path', caCertFile: './none.pem' },
        concurrency: 'lots',
        article: './none.md',
        discovery: { tags: ['=x'] },
        sinks: { webhooks: [{ name: 'ops', url: { fromEnv: 'NOPE' }, format: 'json' }] },
      },
      {},
    );
    expect(read.file).toHaveLength(6);
    expect(read.file).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^arm\.endpoint: /),
        expect.stringMatching(/^concurrency: /),
        expect.stringMatching(/^discovery\.tags\[0\]: /),
        expect.stringMatching(/^sinks\.webhooks\[0\]\.url: .*"NOPE" is not set/),
        expect.stringMatching(/^arm\.caCertFile: /),
        expect.stringMatching(/^article: /),
      ]),
    );
  });
});

describe('notify.recoverAfter as a setting', () => {
  it.each([
    ['APPGW_NOTIFY_RECOVERAFTER', 'APPGW_NOTIFY_RECOVER_AFTER'],
    ['APPGW_NOTIFY_RECOVER_AFTR', 'APPGW_NOTIFY_RECOVER_AFTER'],
    ['APPGW_NOTIFY_RECOVERY_AFTER', 'APPGW_NOTIFY_RECOVER_AFTER'],
  ])('%s is no setting: did you mean %s?', (typo, setting) => {
    const { problems } = appSettingsProblems({ APPGW_TARGETS: SUB, [typo]: '2' }, { reader: 'run' });
    expect(problems).toContainEqual(
      expect.stringMatching(new RegExp(`^${typo}: not a setting of this app; did you mean ${setting}\\?`)),
    );
  });

  it('not a whole number: named by the setting, without a second message from the schema', () => {
    const { problems } = appSettingsProblems(
      { APPGW_TARGETS: SUB, APPGW_NOTIFY_RECOVER_AFTER: 'twice' },
      { reader: 'run' },
    );
    expect(problems.filter((p) => p.includes('RECOVER_AFTER'))).toEqual([
      'APPGW_NOTIFY_RECOVER_AFTER: "twice" is not a whole number',
    ]);
  });
});

// Issue 15's trial: `APPGW_NOTIFY_INHIBIT=yes` was said to be "not valid JSON: Unexpected character".
describe('notify.inhibit as a setting: true or false', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['True', true],
    [' FALSE ', false],
  ])('%j is %s', (value, expected) => {
    const config = configFromAppSettings(
      { APPGW_TARGETS: SUB, APPGW_NOTIFY_INHIBIT: value },
      { reader: 'run' },
    );
    expect(config.notify.inhibit).toBe(expected);
  });

  it.each(['yes', '1', '"true"'])('%j: must be true or false, said once', (value) => {
    const { problems } = appSettingsProblems(
      { APPGW_TARGETS: SUB, APPGW_NOTIFY_INHIBIT: value },
      { reader: 'run' },
    );
    expect(problems.filter((p) => p.includes('INHIBIT'))).toEqual([
      `APPGW_NOTIFY_INHIBIT: "${value}" must be true or false`,
    ]);
  });
});
