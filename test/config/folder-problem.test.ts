/**
 * A folder a run writes into (sinks.dir, state.dir, `--out`) that is a file, or lies under one, is
 * refused when the configuration is loaded, with one line naming the key: not found once per gateway
 * after every gateway was read (trial 18). A folder that does not exist yet is fine: runs make it.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { configFromAppSettings } from '../../src/config/app-settings';
import { folderProblem } from '../../src/config/folder-problem';
import { loadConfigFile, loadConfigPart, loadSilencesConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';
import { assertBuilt, runCli } from '../helpers/cli';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folders-'));
  await writeFile(path.join(dir, 'afile'), 'not a folder');
  await mkdir(path.join(dir, 'afolder'));
  await symlink(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
  await symlink('loop', path.join(dir, 'loop'));
  await symlink('loop', path.join(dir, 'toloop'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function issuesOf(load: () => Promise<unknown>): Promise<string[]> {
  const error = await load().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) return [];
  if (error instanceof ConfigError) return [...error.issues];
  throw error;
}

async function configFile(value: unknown): Promise<string> {
  const file = path.join(dir, 'c.json');
  await writeFile(file, JSON.stringify(value));
  return file;
}

describe('folderProblem', () => {
  it.each([
    ['a folder', 'afolder', undefined],
    ['a folder not made yet', 'new/deeper', undefined],
    ['a file', 'afile', /afile is a file, not a folder: point it at a folder/],
    ['under a file', 'afile/x/y', /afile is a file, so .*afile\/x\/y cannot be a folder/],
    ['a link to nothing', 'dangling', /dangling is a link to .*nowhere, which does not exist/],
    [
      'a link that leads back to itself',
      'loop',
      /loop is a link that never ends \(a loop, or too many links in a row\): point it at a folder/,
    ],
    [
      'under such a link',
      'loop/out',
      /loop is a link that never ends \(a loop, or too many links in a row\), so .*loop\/out cannot be a folder: point it at a folder/,
    ],
    // A link into a loop is one that never ends too (a trial: it was said to lead back to itself).
    [
      'a link into a loop',
      'toloop/out',
      /toloop is a link that never ends \(a loop, or too many links in a row\), so /,
    ],
  ])('%s: %p', (_, relative, says) => {
    const problem = folderProblem(path.join(dir, relative));
    if (says) expect(problem).toMatch(says);
    else expect(problem).toBeUndefined();
  });
});

describe('a config file', () => {
  // [what, the config's folders, the keys refused, a file made first in the config's folder ('' for none)]
  const cases: Array<[string, Record<string, unknown>, string[], string]> = [
    ['sinks.dir a file', { sinks: { dir: 'afile' } }, ['sinks.dir'], ''],
    ['state.dir a file', { state: { dir: 'afile' } }, ['state.dir'], ''],
    ['state.dir under a file', { state: { dir: 'afile/state' } }, ['state.dir'], ''],
    ['both', { sinks: { dir: 'afile/out' }, state: { dir: 'afile' } }, ['sinks.dir', 'state.dir'], ''],
    ['sinks.dir absent, its default "out" a file', { state: { dir: 'afolder' } }, ['sinks.dir'], 'out'],
    [
      'state.dir absent, its default ".appgw-state" a file',
      { sinks: { dir: 'afolder' } },
      ['state.dir'],
      '.appgw-state',
    ],
    ['folders not made yet', { sinks: { dir: 'new/out' }, state: { dir: 'new/state' } }, [], ''],
  ];
  it.each(cases)('%s: %p', async (_, parts, keys, fileNamed) => {
    if (fileNamed) await writeFile(path.join(dir, fileNamed), '');
    const issues = await issuesOf(async () => loadConfigFile(await configFile({ targets: [GW], ...parts })));
    expect(issues.map((line) => line.split(':')[0])).toEqual(keys);
    for (const line of issues) expect(line).toMatch(/is a file.*point it at a folder \(made if missing\)$/);
    // A default is named as one: the user never wrote that folder.
    for (const line of issues)
      expect(line.includes(`not set, so its default "${fileNamed}" is used`)).toBe(fileNamed !== '');
  });

  it('a blob state or sink: its default folder is not looked at', async () => {
    await writeFile(path.join(dir, '.appgw-state'), '');
    const file = await configFile({
      targets: [GW],
      sinks: { dir: 'afolder' },
      state: { blob: { connectionString: 'UseDevelopmentStorage=true' } },
    });
    expect(await issuesOf(() => loadConfigFile(file))).toEqual([]);
  });

  it('the verbs that read the state alone refuse a state.dir that is a file (notify list, notify resend, silence)', async () => {
    const file = await configFile({ state: { dir: 'afile' } });
    expect(await issuesOf(() => loadConfigPart(file, ['state']))).toEqual([
      expect.stringMatching(/^state\.dir: /),
    ]);
    expect(await issuesOf(() => loadSilencesConfig(file))).toEqual([expect.stringMatching(/^state\.dir: /)]);
  });

  it('a state.dir that is a file is named in the same round as the schema problems', async () => {
    const file = await configFile({ state: { dir: 'afile', unknownKey: 1 } });
    const issues = await issuesOf(() => loadSilencesConfig(file));
    expect(issues.map((line) => line.split(':')[0])).toEqual(['state', 'state.dir']);
  });

  it('notify test (receivers only) does not look at the folders', async () => {
    const file = await configFile({ sinks: { dir: 'afile' }, state: { dir: 'afile' } });
    expect(await issuesOf(() => loadConfigPart(file, ['sinks', 'notify']))).toEqual([]);
  });
});

it('app settings: APPGW_STATE_DIR and APPGW_SINKS_DIR that are files are named as settings', async () => {
  const afile = path.join(dir, 'afile');
  const issues = await issuesOf(async () =>
    configFromAppSettings({ APPGW_TARGETS: GW, APPGW_STATE_DIR: afile, APPGW_SINKS_DIR: `${afile}/out` }),
  );
  expect(issues).toEqual([
    expect.stringMatching(/^APPGW_SINKS_DIR: .*afile is a file, so .*afile\/out cannot be a folder/),
    expect.stringMatching(/^APPGW_STATE_DIR: .*afile is a file, not a folder/),
  ]);
});

describe('run --out replaces sinks.dir: the folder it replaces is not checked', () => {
  it('a config file whose sinks.dir is a file', async () => {
    const file = await configFile({ targets: [GW], sinks: { dir: 'afile' } });
    const out = path.join(dir, 'out-given');
    expect((await loadConfigFile(file, undefined, out)).sinks.dir).toBe(out);
  });

  it('app settings whose APPGW_SINKS_DIR is a file, or whose default "out" is a file', async () => {
    const out = path.join(dir, 'out-given');
    const env = { APPGW_TARGETS: GW, APPGW_SINKS_DIR: path.join(dir, 'afile') };
    expect(configFromAppSettings(env, { reader: 'run', sinksDir: out }).sinks.dir).toBe(out);
    await writeFile(path.join(dir, 'out'), '');
    const defaults = configFromAppSettings(
      { APPGW_TARGETS: GW },
      { reader: 'run', base: dir, sinksDir: out },
    );
    expect(defaults.sinks.dir).toBe(out);
  });
});

describe('--out', () => {
  beforeAll(assertBuilt);
  it.each([[['run', '--out']], [['evaluate', 'body.json', '--out']]])(
    '%p a file: exit 2 before anything is read, naming --out',
    async (args) => {
      const result = await runCli([...args, path.join(dir, 'afile')], dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--out: .*afile is a file, not a folder/);
    },
  );

  it.each([
    [['run', '--out', ''], '--out is given an empty value: give DIR, or leave --out out'],
    [['evaluate', 'body.json', '--out', ' '], '--out: empty: give the folder to write into'],
  ])('%p empty (an unset variable): exit 2, not the working folder', async (args, said) => {
    const result = await runCli(args, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(said);
  });
});
