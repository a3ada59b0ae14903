import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveWebhookConfigs } from '../../src/adapters/webhooks/resolve-config';
import { configFromAppSettings } from '../../src/config/app-settings';
import { loadConfigFile, parseConfig } from '../../src/config/load';
import { DEFAULT_SCHEDULE, readSchedule } from '../../src/config/schedule';
import { ConfigError } from '../../src/errors';
import { SAVED_ENCODINGS, encodeAs } from '../helpers/encodings';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('fills every default', () => {
    const config = parseConfig({ targets: [GW] });
    expect(config).toMatchObject({
      arm: {
        endpoint: 'https://management.azure.com',
        credential: 'default',
        maxRetries: 3,
        pollIntervalInMs: 2000,
      },
      unhealthyStates: ['Down', 'Unknown', 'Partial'],
      concurrency: 'auto',
      gatewayTimeoutInMs: 300000,
      sinks: { dir: 'out' },
    });
    expect(config.targets[0]).toMatchObject({ kind: 'gateway', gateway: { name: 'gw' } });
    // No run deadline unless one is set.
    expect(config.runDeadlineInMs).toBeUndefined();
    expect(parseConfig({ targets: [GW], runDeadlineInMs: 600_000 }).runDeadlineInMs).toBe(600_000);
  });

  it.each([
    [{}, 'targets:'],
    [{ targets: [] }, 'targets: list at least one'],
    [{ targets: ['not-an-id'] }, 'targets[0]: "not-an-id" is not the ARM id'],
    [
      { targets: [GW], unhealthyStates: ['Down', 'Sick'] },
      'unhealthyStates[1]: "Sick" is not a health state: use Down (or Unhealthy), Unknown, Partial, Draining',
    ],
    [
      { targets: [GW], unhealthyStates: ['Healthy'] },
      'unhealthyStates[0]: "Healthy" is a healthy state, which is never reported',
    ],
    [{ targets: [GW], unhealthyStates: ['up'] }, 'unhealthyStates[0]: "up" is a healthy state'],
    [{ targets: [GW], unhealthyStates: [] }, 'unhealthyStates'],
    [{ targets: [GW], arm: { endpoint: 'http://127.0.0.1:1' } }, 'arm.endpoint: must be an https:// URL'],
    [
      { targets: [GW], arm: { credential: 'development' } },
      'arm.credential: "development" sends a fixed token',
    ],
    [{ targets: [GW], concurrency: 0 }, 'concurrency: must be "auto" or a whole number >= 1'],
    [{ targets: [GW], concurrency: 2.5 }, 'concurrency: must be "auto" or a whole number >= 1'],
    [{ targets: [GW], concurrency: 'many' }, 'concurrency: must be "auto" or a whole number >= 1'],
    [{ targets: [GW], concurrency: null }, 'concurrency: must be "auto" or a whole number >= 1'],
    [{ targets: [GW], gatewayTimeoutInMs: 1.5 }, 'gatewayTimeoutInMs:'],
    [{ targets: [GW], runDeadlineInMs: 999 }, 'runDeadlineInMs:'],
    [{ targets: [GW], runDeadlineInMs: '10m' }, 'runDeadlineInMs:'],
    [{ targets: [GW], sinks: { dri: 'x' } }, 'sinks'],
    [{ targets: [GW], target: [] }, 'target'],
  ])('rejects %j naming the key', (raw, expected) => {
    expect(issuesOf(() => parseConfig(raw)).join('\n')).toContain(expected);
  });

  it.each<[unknown, unknown]>([
    ['auto', 'auto'],
    ['AUTO', 'auto'], // as APPGW_CONCURRENCY reads it (issue 15: the file refused it)
    [1, 1],
    [64, 64],
    [65, 65], // no ceiling of 64 any more
    [5000, 5000],
  ])('takes concurrency %j', (value, expected) => {
    expect(parseConfig({ targets: [GW], concurrency: value }).concurrency).toBe(expected);
  });

  // A new-user trial: "target", "caCertfile" and "recoverafter" got only the list of keys.
  it('an unknown key within a typo of one there is says which was meant', () => {
    const issues = issuesOf(() =>
      parseConfig({ targets: [GW], target: [GW], arm: { caCertfile: 'x' }, notify: { recoverafter: 2 } }),
    ).join('\n');
    expect(issues).toContain('unknown key "target" (did you mean "targets"?): the keys here are');
    expect(issues).toContain('unknown key "caCertfile" (did you mean "caCertFile"?)');
    expect(issues).toContain('unknown key "recoverafter" (did you mean "recoverAfter"?)');
    expect(issuesOf(() => parseConfig({ targets: [GW], frobnicate: 1 })).join('\n')).toMatch(
      /unknown key "frobnicate": the keys here are/,
    );
  });

  it('lists every problem at once', () => {
    expect(issuesOf(() => parseConfig({ targets: ['x'], concurrency: -1 }))).toHaveLength(2);
  });

  it('accepts the development credential on loopback, and state names in any case', () => {
    const config = parseConfig({
      targets: [GW],
      arm: { endpoint: 'https://127.0.0.1:8443', credential: 'development' },
      unhealthyStates: ['down', 'DRAINING'],
    });
    expect(config.unhealthyStates).toEqual(['Down', 'Draining']);
  });
});

describe('webhook receivers: the config and the webhook adapter apply one rule', () => {
  const HOOK = 'https://hooks.example.com/x';
  it.each([
    [['ops', 'ops'], ['sinks.webhooks[1].name: "ops" is used by another receiver; names must be unique']],
    [
      ['a', 'b', 'a', 'b', 'a'],
      [
        'sinks.webhooks[2].name: "a" is used by another receiver; names must be unique',
        'sinks.webhooks[3].name: "b" is used by another receiver; names must be unique',
        'sinks.webhooks[4].name: "a" is used by another receiver; names must be unique',
      ],
    ],
    [['ops', 'Ops'], []],
  ])('names %j', (names, expected) => {
    const webhooks = names.map((name) => ({ name, url: HOOK, format: 'json' }));
    const fromConfig = expected.length
      ? issuesOf(() => parseConfig({ targets: [GW], sinks: { webhooks } }))
      : [];
    if (!expected.length) expect(() => parseConfig({ targets: [GW], sinks: { webhooks } })).not.toThrow();
    const fromAdapter = expected.length ? issuesOf(() => resolveWebhookConfigs(webhooks, {})) : [];
    if (!expected.length) expect(resolveWebhookConfigs(webhooks, {})).toHaveLength(names.length);
    expect(fromConfig).toEqual(expected);
    expect(fromAdapter).toEqual(expected);
  });
});

describe('unhealthyStates: both health vocabularies, any case', () => {
  it.each([
    [
      ['Unhealthy', 'unknown', 'Partial'],
      ['Down', 'Unknown', 'Partial'],
    ],
    [['UNHEALTHY'], ['Down']],
    [['down', 'Unhealthy'], ['Down']],
    [[' Draining '], ['Draining']],
    [
      ['partial', 'DOWN', 'Unknown', 'draining'],
      ['Partial', 'Down', 'Unknown', 'Draining'],
    ],
  ])('%j → %j', (states, expected) => {
    expect(parseConfig({ targets: [GW], unhealthyStates: states }).unhealthyStates).toEqual(expected);
  });

  it('APPGW_UNHEALTHY_STATES takes the live vocabulary too', () => {
    const config = configFromAppSettings({
      APPGW_TARGETS: GW,
      APPGW_UNHEALTHY_STATES: 'Unhealthy,unknown,Partial',
    });
    expect(config.unhealthyStates).toEqual(['Down', 'Unknown', 'Partial']);
  });
});

describe('loadConfigFile', () => {
  it('resolves relative paths against the file and names unreadable or invalid files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-config-'));
    const file = path.join(dir, 'c.json');
    await writeFile(
      file,
      JSON.stringify({ targets: [GW], arm: { caCertFile: 'ca.pem' }, sinks: { dir: 'o' } }),
    );
    await writeFile(path.join(dir, 'ca.pem'), PEM);
    const config = await loadConfigFile(file);
    expect(config.arm.caCertFile).toBe(path.join(dir, 'ca.pem'));
    expect(config.sinks.dir).toBe(path.join(dir, 'o'));

    await writeFile(file, '{ nope');
    await expect(loadConfigFile(file)).rejects.toThrow(/is not valid JSON/);
    await expect(loadConfigFile(path.join(dir, 'missing.json'))).rejects.toThrow(
      /missing\.json: the file does not exist \(ENOENT\)/,
    );
    await rm(dir, { recursive: true, force: true });
  });

  it.each(SAVED_ENCODINGS)('reads a config file saved as %s', async (encoding) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-config-'));
    try {
      const file = path.join(dir, 'c.json');
      const text = JSON.stringify({ targets: [GW], unhealthyStates: ['Unhealthy', 'unknown'] }, null, 2);
      await writeFile(file, encodeAs(text.replace(/\n/g, '\r\n'), encoding));
      const config = await loadConfigFile(file);
      expect(config.unhealthyStates).toEqual(['Down', 'Unknown']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [
      'Windows-1252',
      Buffer.from(`{"targets": ["${GW}"], "article": "Z\xfcrich.md"}`, 'latin1'),
      'is not UTF-8 text',
    ],
    [
      'UTF-16 without a BOM',
      Buffer.from(`{"targets": ["${GW}"]}`, 'utf16le'),
      'looks like UTF-16 text without a byte-order mark',
    ],
    ['a folder', undefined, 'is a folder'],
  ])(
    'refuses a config file in %s with one line naming the file and what to do',
    async (_, bytes, expected) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-config-'));
      try {
        const file = path.join(dir, 'c.json');
        if (bytes) await writeFile(file, bytes);
        else await mkdir(file);
        const message = await loadConfigFile(file).then(
          () => '',
          (error: Error) => error.message,
        );
        expect(message).toContain(`Invalid config file ${file}: the file ${expected}`);
        expect(message.split('\n')).toHaveLength(1);
        // eslint-disable-next-line no-control-regex -- control characters are what this looks for
        expect(message).not.toMatch(/[\u0000\ufffd]/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('configFromAppSettings', () => {
  it('maps APPGW_* settings onto the schema', () => {
    const config = configFromAppSettings({
      APPGW_TARGETS: `${GW}, /subscriptions/s2`,
      APPGW_UNHEALTHY_STATES: 'Down;Unknown',
      APPGW_CONCURRENCY: '4',
      APPGW_SINKS_DIR: '/tmp/x',
    });
    expect(config.targets.map((t) => t.kind)).toEqual(['gateway', 'subscription']);
    expect(config.unhealthyStates).toEqual(['Down', 'Unknown']);
    expect(config.concurrency).toBe(4);
  });

  it.each([
    ['auto', 'auto'],
    ['Auto', 'auto'],
    [' AUTO ', 'auto'],
    ['200', 200],
  ])('APPGW_CONCURRENCY %j is %j', (value, expected) => {
    expect(configFromAppSettings({ APPGW_TARGETS: GW, APPGW_CONCURRENCY: value }).concurrency).toBe(expected);
  });

  it('reads values pasted with a byte-order mark (a file saved on Windows), JSON ones included', () => {
    const config = configFromAppSettings({
      APPGW_TARGETS: `\ufeff${GW}`,
      APPGW_WEBHOOKS: '\ufeff[{"name":"ops","url":"https://hooks.example/x","format":"json"}]',
      APPGW_CONCURRENCY: '\ufeff4',
    });
    expect(config.targets).toHaveLength(1);
    expect(config.sinks.webhooks.map((w) => w.name)).toEqual(['ops']);
    expect(config.concurrency).toBe(4);
  });

  it('names a JSON setting that is not JSON without echoing it (it may hold a webhook token)', () => {
    const issues = issuesOf(() =>
      configFromAppSettings({
        APPGW_TARGETS: GW,
        APPGW_WEBHOOKS: '[{"url":"https://hooks.example/T0/secret-token", }]',
      }),
    );
    expect(issues).toEqual([
      expect.stringMatching(/^APPGW_WEBHOOKS: not valid JSON: .*\(line 1 column \d+\)$/),
    ]);
    expect(issues.join()).not.toContain('secret-token');
  });

  it('names the app setting that is wrong', () => {
    expect(issuesOf(() => configFromAppSettings({ APPGW_TARGETS: GW, APPGW_CONCURRENCY: 'many' }))).toEqual([
      'APPGW_CONCURRENCY: "many" is neither "auto" nor a whole number',
    ]);
    expect(issuesOf(() => configFromAppSettings({ APPGW_TARGETS: 'nope' })).join()).toContain(
      'APPGW_TARGETS[0]',
    );
    expect(issuesOf(() => configFromAppSettings({})).join()).toContain('APPGW_TARGETS');
  });
});

describe('readSchedule', () => {
  it.each([
    [undefined, DEFAULT_SCHEDULE],
    ['0 */15 * * * *', '0 */15 * * * *'],
    ['*/5 * * * *', '*/5 * * * *'],
    ['00:05:00', '00:05:00'],
  ])('%p → %p', (value, expected) => expect(readSchedule({ APPGW_SCHEDULE: value })).toBe(expected));

  it('rejects a malformed schedule naming the setting', () => {
    expect(() => readSchedule({ APPGW_SCHEDULE: 'every 5 minutes' })).toThrow(/APPGW_SCHEDULE/);
  });
});

describe('arm.caCertFile is checked when the configuration is loaded', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-ca-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** Each unusable CA file, as it is made and what the error says about it. */
  const cases: Array<[string, (file: string) => Promise<unknown>, string]> = [
    ['does not exist', async () => undefined, 'the file does not exist (ENOENT)'],
    ['is a folder', (file) => mkdir(file), 'the file is a folder, not a file'],
    ['is empty', (file) => writeFile(file, ''), 'the file is empty: expected a PEM certificate'],
    [
      'holds no certificate',
      (file) => writeFile(file, 'not a certificate\n'),
      'the file holds no PEM certificate',
    ],
    [
      'is UTF-16 without a BOM',
      (file) => writeFile(file, Buffer.from(PEM, 'utf16le')),
      'the file looks like UTF-16 text without a byte-order mark',
    ],
  ];

  it.each(cases)(
    'a config file whose CA file %s: ConfigError naming the key and the file',
    async (_, make, says) => {
      const ca = path.join(dir, 'ca.pem');
      await make(ca);
      const file = path.join(dir, 'c.json');
      await writeFile(file, JSON.stringify({ targets: [GW], arm: { caCertFile: 'ca.pem' } }));
      const error = await loadConfigFile(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        expect.stringContaining(`arm.caCertFile: ${ca}: ${says}`),
      ]);
    },
  );

  it.each(cases)(
    'app settings whose CA file %s: ConfigError naming the setting and the file',
    async (_, make, says) => {
      const ca = path.join(dir, 'ca.pem');
      await make(ca);
      const issues = issuesOf(() => configFromAppSettings({ APPGW_TARGETS: GW, APPGW_ARM_CA_CERT_FILE: ca }));
      expect(issues).toEqual([expect.stringContaining(`APPGW_ARM_CA_CERT_FILE: ${ca}: ${says}`)]);
    },
  );

  // A new-user trial: the emulator restarted (a new certificate in a new folder), and the config still
  // named the first one: the error said only that the file does not exist.
  it("an emulator's CA file that is gone (the emulator stopped or restarted): says where to take the new one", async () => {
    const ca = path.join(dir, 'appgw-emulator-Dq4pa9', 'emulator-ca.pem');
    const file = path.join(dir, 'c.json');
    await writeFile(file, JSON.stringify({ targets: [GW], arm: { caCertFile: ca } }));
    const error = await loadConfigFile(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as ConfigError).issues).toEqual([
      `arm.caCertFile: ${ca}: the file does not exist (ENOENT): an emulator writes its certificate to a new folder each time it starts; take "caCertFile" from its first stdout line or its --config-out file`,
    ]);
  });

  it.each(SAVED_ENCODINGS)('a CA file saved as %s is accepted', async (encoding) => {
    const ca = path.join(dir, 'ca.pem');
    await writeFile(ca, encodeAs(PEM.replace(/\n/g, '\r\n'), encoding));
    expect(configFromAppSettings({ APPGW_TARGETS: GW, APPGW_ARM_CA_CERT_FILE: ca }).arm.caCertFile).toBe(ca);
  });
});

describe('discovery: management groups and the filter', () => {
  const MG = '/providers/Microsoft.Management/managementGroups/mg-prod';

  it('takes a management group as a target, and no filter by default', () => {
    const config = parseConfig({ targets: [MG] });
    expect(config.targets[0]).toEqual({ kind: 'managementGroup', id: MG, managementGroup: 'mg-prod' });
    expect(config.discovery).toEqual({ tags: [], names: [], locations: [] });
  });

  it('reads tags, name patterns and locations (normalised, listed once)', () => {
    const config = parseConfig({
      targets: [MG],
      discovery: {
        tags: ['env=prod', 'owner', "team=o'brien, ops"],
        names: ['appgw-*', 'edge-??'],
        locations: ['West Europe', 'westeurope', 'northeurope'],
      },
    });
    expect(config.discovery).toEqual({
      tags: [{ key: 'env', value: 'prod' }, { key: 'owner' }, { key: 'team', value: "o'brien, ops" }],
      names: ['appgw-*', 'edge-??'],
      locations: ['westeurope', 'northeurope'],
    });
  });

  it('names each bad entry by its key and index', () => {
    expect(
      issuesOf(() =>
        parseConfig({
          targets: [`${MG}'x`],
          discovery: { tags: ['=prod', 'a\nb'], names: ['a b'], locations: ['west-europe'], colour: 'red' },
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^targets\[0\]: .*management group/),
      expect.stringMatching(/^discovery\.tags\[0\]: .*give a tag name/),
      expect.stringMatching(/^discovery\.tags\[1\]: .*control character/),
      expect.stringMatching(/^discovery\.names\[0\]: .*gateway name pattern/),
      expect.stringMatching(/^discovery\.locations\[0\]: .*region name/),
      expect.stringMatching(/^discovery: .*colour/),
    ]);
  });

  it('maps APPGW_DISCOVERY_* settings: lists, or a JSON array when a tag value holds a comma', () => {
    const config = configFromAppSettings({
      APPGW_TARGETS: `${MG},/subscriptions/s2`,
      APPGW_DISCOVERY_TAGS: 'env=prod, owner',
      APPGW_DISCOVERY_NAMES: 'appgw-*;edge-*',
      APPGW_DISCOVERY_LOCATIONS: 'westeurope,North Europe',
    });
    expect(config.targets.map((t) => t.kind)).toEqual(['managementGroup', 'subscription']);
    expect(config.discovery).toEqual({
      tags: [{ key: 'env', value: 'prod' }, { key: 'owner' }],
      names: ['appgw-*', 'edge-*'],
      locations: ['westeurope', 'northeurope'],
    });
    const json = configFromAppSettings({
      APPGW_TARGETS: MG,
      APPGW_DISCOVERY_TAGS: '["cost-center=a,b", "team=x;y"]',
    });
    expect(json.discovery.tags).toEqual([
      { key: 'cost-center', value: 'a,b' },
      { key: 'team', value: 'x;y' },
    ]);
  });

  it('names each discovery setting that is wrong, all at once (not one round each)', () => {
    expect(
      issuesOf(() =>
        configFromAppSettings({
          APPGW_TARGETS: MG,
          APPGW_DISCOVERY_NAMES: 'ok-*,not ok',
          APPGW_DISCOVERY_TAGS: '["a",',
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^APPGW_DISCOVERY_TAGS: not valid JSON/),
      expect.stringMatching(/^APPGW_DISCOVERY_NAMES\[1\]: .*pattern/),
    ]);
    expect(
      issuesOf(() => configFromAppSettings({ APPGW_TARGETS: MG, APPGW_DISCOVERY_NAMES: 'ok-*,not ok' })),
    ).toEqual([expect.stringMatching(/^APPGW_DISCOVERY_NAMES\[1\]: .*pattern/)]);
  });
});

// A new-user trial: `gatewayTimeoutInMs: 1e300` was refused twice in the same words (two checks of one
// field: a whole number, and at most its maximum).
describe('each problem said once', () => {
  it.each([1e300, 1e20, Number.MAX_SAFE_INTEGER + 2])('gatewayTimeoutInMs %s: one line', (value) => {
    const refused = (() => {
      try {
        parseConfig({
          targets: [`/subscriptions/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`],
          gatewayTimeoutInMs: value,
        });
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('accepted');
    })();
    expect(refused.issues).toEqual([
      expect.stringMatching(/^gatewayTimeoutInMs: must be a whole number from 1000 to 3600000/),
    ]);
    expect(refused.message.split('\n')).toHaveLength(1);
  });
});
