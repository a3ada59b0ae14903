import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { assertBuilt, runCli } from '../helpers/cli';
import { emulatorArm, emulatorArmSettings } from '../helpers/emulator-settings';
import { SUB, gateway, gatewayId } from '../helpers/scenario-builder';

/**
 * A folder that cannot be written names where it came from (`--out`, `sinks.dir` or `state.dir` in the
 * config file, APPGW_SINKS_DIR / APPGW_STATE_DIR, or the default), never a setting the run did not
 * use: `run --out DIR` replaces sinks.dir, so "fix sinks.dir" would send the user to the wrong place.
 * The folders are made unwritable by what is in them (a file where the run makes a folder, a folder
 * where it writes a file), which holds for root too: chmod would not.
 */

beforeAll(assertBuilt);

const unhealthy = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };

/** `dir` made a folder the folder sink cannot write: `insights` a file, `report.json` a folder. */
async function blockSinkFolder(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'report.json'), { recursive: true });
  await writeFile(path.join(dir, 'insights'), 'in the way');
  await writeFile(path.join(dir, 'runs'), 'in the way');
}

/** `dir` made a state folder whose history cannot be written: `history` and `notify` are files. */
async function blockStateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'history'), 'in the way');
}

function envOf(settings: Record<string, string>, home: string): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: home, TMPDIR: process.env['TMPDIR'], ...settings };
}

describe('a folder that cannot be written names where it came from', () => {
  let emulator: RunningEmulator;
  let temp: string;
  beforeAll(async () => {
    emulator = await startEmulator({ scenario: { gateways: [gateway('gw1', [unhealthy])] } as never });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'appgw-origins-'));
  });
  afterEach(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  async function configFile(extra: Record<string, unknown>): Promise<string> {
    const file = path.join(temp, 'config.json');
    await writeFile(
      file,
      JSON.stringify({ targets: [`/subscriptions/${SUB}`], arm: emulatorArm(emulator), ...extra }),
    );
    return file;
  }

  /** The run's --json report and stderr, as one text to search. */
  async function said(
    args: string[],
    env?: NodeJS.ProcessEnv,
  ): Promise<{ code: number | null; text: string }> {
    const { code, stdout, stderr } = await runCli([...args, '--json'], temp, env);
    return { code, text: `${stdout}\n${stderr}` };
  }

  it.each([
    [
      'sinks.dir in the file',
      { sinks: { dir: 'insights-here' } },
      'insights-here',
      (file: string) => `The folder is sinks.dir in ${file}:`,
    ],
    [
      'the default sinks.dir beside the file',
      {},
      'out',
      (file: string) => `The folder is sinks.dir in ${file}, the default out beside it:`,
    ],
  ])('run --config FILE, the folder sink: %s', async (_, extra, folder, expected) => {
    const file = await configFile({ ...extra, state: { dir: 'state' } });
    await blockSinkFolder(path.join(temp, folder));
    const { code, text } = await said(['run', '--config', file]);
    expect(code).toBe(2);
    expect(text).toContain(expected(file));
    expect(text).toContain(`or set sinks.dir in ${file} to another folder`);
    expect(text).not.toContain('APPGW_SINKS_DIR');
  });

  it('run --config FILE --out DIR: --out, not the sinks.dir it replaced', async () => {
    const file = await configFile({ sinks: { dir: 'unused' }, state: { dir: 'state' } });
    const out = path.join(temp, 'chosen');
    await blockSinkFolder(out);
    const { code, text } = await said(['run', '--config', file, '--out', out]);
    expect(code).toBe(2);
    expect(text).toContain(`cannot write to ${out}`);
    // Things in the way: moving them helps, not permissions (a trial saw "let the account … write").
    expect(text).toContain(
      'The folder is --out: move what is in the way out of it (appgw-insights writes report.json, index.html, insights/, s/ and runs/ there), or give another folder with --out',
    );
    expect(text).not.toContain('let the account');
    expect(text).not.toMatch(/sinks\.dir|APPGW_SINKS_DIR/);
  });

  it.each([
    ['APPGW_SINKS_DIR', { APPGW_SINKS_DIR: 'from-env' }, 'from-env', 'The folder is APPGW_SINKS_DIR:'],
    ['its default', {}, 'out', 'The folder is APPGW_SINKS_DIR, not set: the default out:'],
  ])('run without --config, the folder sink: %s', async (_, settings, folder, expected) => {
    await blockSinkFolder(path.join(temp, folder));
    const env = envOf(
      {
        ...emulatorArmSettings(emulator),
        APPGW_TARGETS: `/subscriptions/${SUB}`,
        APPGW_STATE_DIR: 'state',
        ...settings,
      },
      temp,
    );
    const { code, text } = await said(['run'], env);
    expect(code).toBe(2);
    expect(text).toContain(expected);
    expect(text).toContain('or set APPGW_SINKS_DIR to another folder');
    expect(text).not.toContain('sinks.dir');
  });

  it('run --out DIR without --config: --out, not APPGW_SINKS_DIR', async () => {
    const out = path.join(temp, 'chosen');
    await blockSinkFolder(out);
    const env = envOf(
      {
        ...emulatorArmSettings(emulator),
        APPGW_TARGETS: `/subscriptions/${SUB}`,
        APPGW_SINKS_DIR: 'unused',
        APPGW_STATE_DIR: 'state',
      },
      temp,
    );
    const { code, text } = await said(['run', '--out', out], env);
    expect(code).toBe(2);
    expect(text).toContain('The folder is --out:');
    expect(text).not.toMatch(/sinks\.dir|APPGW_SINKS_DIR/);
  });

  it('evaluate FILE --out DIR: --out (evaluate has no sinks.dir)', async () => {
    const body = path.join(temp, 'health.json');
    const id = gatewayId('gw1');
    await writeFile(
      body,
      JSON.stringify({
        backendAddressPools: [
          {
            backendAddressPool: { id: `${id}/backendAddressPools/pool` },
            backendHttpSettingsCollection: [
              {
                backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/settings` },
                servers: [{ address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' }],
              },
            ],
          },
        ],
      }),
    );
    const out = path.join(temp, 'chosen');
    await blockSinkFolder(out);
    const { code, text } = await said(['evaluate', body, '--out', out]);
    expect(code).toBe(2);
    expect(text).toContain(`cannot write to ${out}`);
    expect(text).toContain('The folder is --out:');
    expect(text).not.toMatch(/sinks\.dir|APPGW_SINKS_DIR/);
  });

  it('run --config FILE, the state folder (the status page history): state.dir in FILE', async () => {
    const file = await configFile({ sinks: { dir: 'out' }, state: { dir: 'kept-state' } });
    await blockStateFolder(path.join(temp, 'kept-state'));
    const { text } = await said(['run', '--config', file]);
    expect(text).toContain(`the state folder (state.dir in ${file})`);
    expect(text).toContain(`set state.dir in ${file} to another folder`);
    expect(text).not.toContain('APPGW_STATE_DIR');
  });

  it('run without --config, the state folder: APPGW_STATE_DIR (and its default)', async () => {
    for (const [settings, folder, expected] of [
      [{ APPGW_STATE_DIR: 'env-state' }, 'env-state', 'the state folder (APPGW_STATE_DIR)'],
      [{}, '.appgw-state', 'the state folder (APPGW_STATE_DIR, not set: the default .appgw-state)'],
    ] as const) {
      await blockStateFolder(path.join(temp, folder));
      const env = envOf(
        {
          ...emulatorArmSettings(emulator),
          APPGW_TARGETS: `/subscriptions/${SUB}`,
          APPGW_SINKS_DIR: 'out',
          ...settings,
        },
        temp,
      );
      const { text } = await said(['run'], env);
      expect(text).toContain(expected);
      expect(text).toContain('set APPGW_STATE_DIR to another folder');
      expect(text).not.toContain('state.dir');
    }
  });

  it.each([
    ['silence list', ['silence', 'list'], 'silences.json'],
    ['notify list', ['notify', 'list'], path.join('sub', 'rg', 'gw.json')],
  ])('%s --config FILE, a state document that is a folder: state.dir in FILE', async (_, verb, document) => {
    const file = await configFile({ state: { dir: 'kept-state' } });
    await mkdir(path.join(temp, 'kept-state', document), { recursive: true });
    const { code, text } = await said([...verb, '--config', file]);
    expect(code).toBe(2);
    expect(text).toContain(`the state folder (state.dir in ${file})`);
    expect(text).not.toContain('APPGW_STATE_DIR');
  });
});
