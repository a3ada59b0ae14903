import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfigFile } from '../../src/config/load';
import { APP_SETTINGS, RUN_ONLY_SETTINGS, STORAGE_SETTINGS } from '../../src/config/app-settings';

const root = path.resolve(__dirname, '../..');
const settingNames = [
  ...APP_SETTINGS.map((s) => s.name),
  ...STORAGE_SETTINGS,
  'APPGW_SCHEDULE',
  'APPGW_QUEUE_NAME',
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
    await writeFile(file, block as string);
    await expect(loadConfigFile(file, {})).resolves.toMatchObject({ concurrency: 'auto' });
  });
});
