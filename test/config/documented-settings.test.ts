import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfigFile } from '../../src/config/load';
import {
  APP_SETTINGS,
  appSettingsProblems,
  RUN_ONLY_SETTINGS,
  STORAGE_SETTINGS,
} from '../../src/config/app-settings';

const root = path.resolve(__dirname, '../..');
const settingNames = [
  ...APP_SETTINGS.map((s) => s.name),
  ...STORAGE_SETTINGS,
  'APPGW_SCHEDULE',
  'APPGW_QUEUE_NAME',
  'APPGW_ALERT_DEDUP_WINDOW',
];

describe('every app setting is documented', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const example = JSON.parse(readFileSync(path.join(root, 'local.settings.json.example'), 'utf8'));

  it.each(settingNames)(
    '%s is in the README configuration table and, unless only `run` reads it, in local.settings.json.example',
    (name) => {
      expect(readme).toMatch(new RegExp(`\\| [^|\\n]*\`${name}\``));
      if ((RUN_ONLY_SETTINGS as readonly string[]).includes(name))
        expect(Object.keys(example.Values)).not.toContain(name);
      else expect(Object.keys(example.Values)).toContain(name);
    },
  );

  it('the example names no setting the app does not read', () => {
    // The example's webhook URL and secret are named by APPGW_WEBHOOKS' fromEnv references.
    const known = new Set([
      ...settingNames,
      'AzureWebJobsStorage',
      'FUNCTIONS_WORKER_RUNTIME',
      'OPS_WEBHOOK_URL',
      'OPS_WEBHOOK_SECRET',
    ]);
    expect(Object.keys(example.Values).filter((k) => !known.has(k))).toEqual([]);
  });

  it("the README's example config.json is one the app reads", async () => {
    const block = /Example `config\.json`:\n\n```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-readme-config-'));
    const file = path.join(dir, 'config.json');
    try {
      await writeFile(file, block as string);
      await expect(loadConfigFile(file, {})).resolves.toMatchObject({ concurrency: 'auto' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the README's examples of each app setting are values the app takes", () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  // Rows of the configuration table: | key | APPGW_NAME … | default | examples | meaning |
  const rows = [...readme.matchAll(/^\| [^|\n]* \| `(APPGW_[A-Z_]+)`[^|\n]* \| [^|\n]* \| ([^|\n]*) \|/gm)];
  // Settings whose examples need something outside the value: a file, a storage account, a variable.
  const NEEDS_MORE = new Set([
    'APPGW_ARM_CA_CERT_FILE',
    'APPGW_ARTICLE',
    'APPGW_STORAGE_CONNECTION',
    'APPGW_BLOB_CONTAINER',
    'APPGW_STATE_CONTAINER',
    'APPGW_STATUS_CONTAINER',
    'APPGW_WEBHOOKS',
    'APPGW_SCHEDULE',
    'APPGW_QUEUE_NAME',
  ]);
  const cases = rows
    .filter(([, name]) => !NEEDS_MORE.has(name as string))
    .flatMap(([, name, cell]) => {
      // "`[…]`; as an app setting `a,b`": the app setting's own form is after that phrase.
      const forSetting = (cell as string).split(/as an app setting/)[1] ?? (cell as string);
      return [...forSetting.matchAll(/`([^`]+)`/g)].map((m) => [name as string, m[1] as string] as const);
    });

  it('finds the table (a test that reads nothing proves nothing)', () => {
    expect(cases.length).toBeGreaterThan(15);
    expect(cases).toContainEqual(['APPGW_STATUS_RETENTION', '12h']);
  });

  // Settings whose examples are valid only with another setting, as the README's text says.
  const CONTEXT: Record<string, Record<string, string>> = {
    APPGW_ARM_CREDENTIAL: { APPGW_ARM_ENDPOINT: 'https://127.0.0.1:8443' }, // development: loopback only
  };

  it.each(cases)('%s=%s', (name, value) => {
    const env = {
      APPGW_TARGETS: '/subscriptions/00000000-0000-0000-0000-000000000000',
      ...CONTEXT[name],
      [name]: value,
    };
    const { problems } = appSettingsProblems(env, { reader: 'run', base: os.tmpdir() });
    expect(problems.filter((p) => p.includes(name))).toEqual([]);
  });
});

describe('a duration refused names bounds and examples the setting takes', () => {
  it.each([
    ['APPGW_STATUS_RETENTION', '30m', /from 1h to 366d, such as "4h", "1h30m" or "12h"/],
    ['APPGW_NOTIFY_REPEAT_INTERVAL', '10s', /from 1m to 365d, such as "30m", "4h" or "1h30m"/],
    ['APPGW_ALERT_DEDUP_WINDOW', '2d', /from 0 to 1d, such as 5m, 90s or 0/],
  ])('%s=%s', (name, value, message) => {
    const env = { APPGW_TARGETS: '/subscriptions/00000000-0000-0000-0000-000000000000', [name]: value };
    const problem = appSettingsProblems(env, { reader: 'run' }).problems.find((p) => p.includes(name));
    expect(problem).toMatch(message);
  });
});

/**
 * Every key of the configuration schema has a README row (`| \`notify.recoverAfter\` |`), and a row for a
 * list or object of entries (`sinks.webhooks`, `notify.silences`, `sinks.blob`) names every key of its
 * entries, down to the matchers and the weekly window: a key added to the schema without a line in
 * the README fails here (issue 16: the receiver's `grouping` was missing from `sinks.webhooks`).
 */
describe('every configuration key has its README row', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  type Def = {
    type: string;
    shape?: Record<string, { _zod: { def: Def } }>;
    innerType?: { _zod: { def: Def } };
    in?: { _zod: { def: Def } };
    element?: { _zod: { def: Def } };
    options?: Array<{ _zod: { def: Def } }>;
  };
  /** The keys of the objects `def` holds (through defaults, optionals, pipes, lists and unions). */
  function keysOf(def: Def): Record<string, Def> {
    if (def.shape) return Object.fromEntries(Object.entries(def.shape).map(([k, v]) => [k, v._zod.def]));
    const inner = def.innerType ?? def.in ?? def.element;
    if (inner) return keysOf(inner._zod.def);
    if (def.options) return Object.assign({}, ...def.options.map((o) => keysOf(o._zod.def)));
    return {};
  }
  /** Every key under `def`, nested ones too (`weekly`'s `days`, the matchers' `backendPool`). */
  function allKeys(def: Def): string[] {
    return Object.entries(keysOf(def)).flatMap(([k, d]) => [k, ...allKeys(d)]);
  }
  const rowOf = (key: string) =>
    new RegExp(`^\\| \`${key.replace(/\./g, '\\.')}\` \\|.*$`, 'm').exec(readme)?.[0];

  const { configSchema } =
    jest.requireActual<typeof import('../../src/config/schema')>('../../src/config/schema');
  const rows: Array<[string, Def]> = Object.entries(keysOf(configSchema._zod.def as unknown as Def)).flatMap(
    ([key, def]): Array<[string, Def]> => {
      const children = keysOf(def);
      // A section of settings (`arm`, `notify`): a row per key; otherwise the key's own row.
      return rowOf(key) === undefined && Object.keys(children).length
        ? Object.entries(children).map(([child, d]): [string, Def] => [`${key}.${child}`, d])
        : [[key, def]];
    },
  );

  it.each(rows.map(([key, def]) => [key, def]))(
    '%s has a row naming every key of its entries',
    (key, def) => {
      const row = rowOf(key as string);
      expect([key, row === undefined ? 'no row' : 'row']).toEqual([key, 'row']);
      const missing = [...new Set(allKeys(def as Def))].filter(
        (k) => !row?.includes(`\`${k}\``) && !row?.includes(`"${k}"`),
      );
      expect([key, missing]).toEqual([key, []]);
    },
  );
});
