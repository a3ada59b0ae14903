/**
 * `run --config FILE` (and the other verbs given --config): FILE is the whole configuration, and APPGW_* variables set in the environment
 * are not applied; one warning names them (never their values, which may be secrets), so a setting
 * meant to apply (or a misspelt one) is not silently ignored.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { assertBuilt, runCli } from '../helpers/cli';
import { emulatorArm } from '../helpers/emulator-settings';
import { gateway, gatewayId } from '../helpers/scenario-builder';

beforeAll(assertBuilt);

let emulator: RunningEmulator;
let dir: string;
let config: string;
beforeAll(async () => {
  emulator = await startEmulator({
    scenario: { gateways: [gateway('quiet', [{ address: '10.0.0.4', health: 'Healthy' }])] } as never,
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-config-env-'));
  config = path.join(dir, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      targets: [gatewayId('quiet')],
      arm: emulatorArm(emulator),
      sinks: {
        dir: path.join(dir, 'out'),
        // A name the file reads: applied, so never named in the warning.
        webhooks: [{ name: 'ops', url: { fromEnv: 'APPGW_OPS_HOOK' }, format: 'json' }],
      },
      state: { dir: path.join(dir, 'state') },
    }),
  );
});
afterAll(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The environment without any APPGW_* variable of the machine running the tests. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^APPGW_/i.test(name)));
  return { ...env, APPGW_OPS_HOOK: 'http://127.0.0.1:9/hook-secret-token', ...extra };
}

describe('run --config FILE with APPGW_* variables in the environment (a real CLI process)', () => {
  it('warns once naming the APPGW_* variables not applied, never their values; FILE is used', async () => {
    const secrets = {
      APPGW_NOTIFY_FOR: 'banana',
      APPGW_TARGET: '/subscriptions/11111111-2222-3333-4444-555555555555',
      APPGW_WEBHOOKS: '[{"name":"x","url":"https://hooks.example.com/s3cr3t-webhook-path"}]',
      AzureWebJobsStorage: 'AccountKey=c2VjcmV0LWtleQ==',
    };
    const result = await runCli(['run', '--config', config], dir, envWith(secrets));

    expect(result.code).toBe(0); // FILE's configuration: banana and the others changed nothing
    const warnings = result.stderr.split('\n').filter((l) => l.includes('not applied'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBe(
      `warning: --config ${config} is the whole configuration: these 3 APPGW_* variables of the environment are not applied: APPGW_NOTIFY_FOR, APPGW_TARGET, APPGW_WEBHOOKS (move what they should set into the file, or unset them; without --config, run reads them instead)`,
    );
    for (const value of [...Object.values(secrets), 'hook-secret-token', 'banana', 's3cr3t'])
      expect(result.stderr + result.stdout).not.toContain(value);
    expect(result.stderr).not.toContain('APPGW_OPS_HOOK');
  });

  it('one variable not applied is said in the singular throughout', async () => {
    const result = await runCli(['run', '--config', config], dir, envWith({ APPGW_NOTIFY_FOR: '2' }));
    expect(result.stderr.split('\n').filter((l) => l.includes('not applied'))).toEqual([
      `warning: --config ${config} is the whole configuration: this APPGW_* variable of the environment is not applied: APPGW_NOTIFY_FOR (move what it should set into the file, or unset it; without --config, run reads it instead)`,
    ]);
  });

  // A trial: only `run` said so; the other verbs that take --config ignored them without a word.
  it.each<[string, string[]]>([
    ['notify list', ['notify', 'list']],
    ['notify resend', ['notify', 'resend', '--all']],
    ['silence list', ['silence', 'list']],
  ])('%s --config FILE warns the same way, naming itself, once', async (verb, args) => {
    const result = await runCli(
      [...args, '--config', config],
      dir,
      envWith({ APPGW_STATE_DIR: '/elsewhere' }),
    );
    expect(result.stderr.split('\n').filter((l) => l.includes('not applied'))).toEqual([
      `warning: --config ${config} is the whole configuration: this APPGW_* variable of the environment is not applied: APPGW_STATE_DIR (move what it should set into the file, or unset it; without --config, ${verb} reads it instead)`,
    ]);
    // APPGW_OPS_HOOK is read by the file's sinks, a part these verbs do not load: still not named.
    expect(result.stderr).not.toContain('APPGW_OPS_HOOK');
  });

  it('prints no such warning when no APPGW_* variable is set (or only ones FILE reads)', async () => {
    const result = await runCli(['run', '--config', config], dir, envWith({ APPGW_EMPTY: '' }));
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('not applied');
    expect(result.stderr).not.toContain('APPGW_');
  });
});
