import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator } from '../../src/emulator';
import { assertBuilt, runCli } from '../helpers/cli';
import { emulatorArmSettings } from '../helpers/emulator-settings';
import { SUB, gateway } from '../helpers/scenario-builder';
import { startWebhookReceiver } from '../helpers/webhook-receiver';

/**
 * `run` without --config (issue 15.3): the Functions app's APPGW_* settings, read from the environment
 * (a container, a CI job), every problem at once. The child's environment is only what is given here
 * (and PATH/HOME), so nothing of the test run's own environment decides.
 */
function envOf(settings: Record<string, string>, home: string): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: home, TMPDIR: process.env['TMPDIR'], ...settings };
}

beforeAll(assertBuilt);

describe('run without --config: the APPGW_* settings from the environment', () => {
  it('runs against the emulator as the same settings would in the Functions app; relative paths from the working folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-env-'));
    const unhealthy = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
    const emulator = await startEmulator({ scenario: { gateways: [gateway('gw1', [unhealthy])] } as never });
    try {
      const { code, stdout, stderr } = await runCli(
        ['run', '--json'],
        dir,
        envOf(
          {
            ...emulatorArmSettings(emulator),
            APPGW_TARGETS: `/subscriptions/${SUB}`,
            APPGW_SINKS_DIR: 'insights-out', // relative: to the working folder
            APPGW_CONCURRENCY: 'AUTO',
            APPGW_NOTIFY_REPEAT_INTERVAL: '1h',
            // Functions-only settings are known, and left alone by run.
            APPGW_SCHEDULE: '0 */15 * * * *',
            APPGW_QUEUE_NAME: 'appgw-evaluate',
          },
          dir,
        ),
      );
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const report = JSON.parse(stdout);
      expect(report.ok).toBe(true);
      expect(report.gateways[0].findings).toHaveLength(1);
      expect(existsSync(path.join(dir, 'insights-out', 'report.json'))).toBe(true);
    } finally {
      await emulator.close();
    }
  });

  it('every problem in one error, by setting name, with the nearest name for a typo; exit 2, nothing run', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-env-'));
    await writeFile(path.join(dir, 'not-a-ca.pem'), 'no certificate here');
    const { code, stdout, stderr } = await runCli(
      ['run'],
      dir,
      envOf(
        {
          APPGW_TARGET: `/subscriptions/${SUB}`, // a letter short
          APPGW_ARM_CA_CERT_FILE: 'not-a-ca.pem',
          APPGW_CONCURENCY: '4',
          APPGW_NOTIFY_FOR: 'twice',
          APPGW_WEBHOOKS: '[{"name":"ops","url":{"fromEnv":"APPGW_OPS_HOOK"},"format":"teams"}]',
          APPGW_SINKS_DIR: 'out',
          // The Functions app's own: run does not use them, but the app would refuse them at start-up.
          APPGW_SCHEDULE: '99 99 99 99 99 99',
          APPGW_QUEUE_NAME: 'Bad_Queue',
        },
        dir,
      ),
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.split('\n');
    expect(lines[0]).toBe('error: Invalid settings (APPGW_* environment variables):');
    for (const expected of [
      /^ {2}- APPGW_NOTIFY_FOR: "twice" is not a whole number$/,
      /^ {2}- APPGW_SCHEDULE: .*\(only the Functions app reads it, and would refuse it\)$/,
      /^ {2}- APPGW_QUEUE_NAME: "Bad_Queue" is not a queue name .*\(only the Functions app reads it, and would refuse it\)$/,
      /^ {2}- APPGW_CONCURENCY: not a setting of this app; did you mean APPGW_CONCURRENCY\?/,
      /^ {2}- APPGW_TARGET: not a setting of this app; did you mean APPGW_TARGETS\?/,
      /^ {2}- APPGW_TARGETS: not set: /,
      /^ {2}- APPGW_WEBHOOKS\[0\]\.url: environment variable \/ app setting "APPGW_OPS_HOOK" is not set/,
      /^ {2}- APPGW_ARM_CA_CERT_FILE: .*not-a-ca\.pem: the file holds no PEM certificate/,
    ])
      expect(lines).toContainEqual(expect.stringMatching(expected));
    // The fromEnv name it points at is a setting too, not a typo.
    expect(stderr).not.toMatch(/APPGW_OPS_HOOK: not a setting/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
    expect(await readFile(path.join(dir, 'not-a-ca.pem'), 'utf8')).toBe('no certificate here');
  });
});
// Issue 15's trial: `notify` and `silence` refused to run without --config, though `run` read the
// environment, and a run configured by it told the user to paste `notify resend --config FILE`.
describe('notify and silence without --config: the same APPGW_* settings', () => {
  it('silence add, list and expire, notify list, and a run between them, all from the environment', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-verbs-env-'));
    const receiver = await startWebhookReceiver();
    const unhealthy = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
    const emulator = await startEmulator({ scenario: { gateways: [gateway('gw1', [unhealthy])] } as never });
    try {
      const env = envOf(
        {
          ...emulatorArmSettings(emulator),
          APPGW_TARGETS: `/subscriptions/${SUB}`,
          APPGW_SINKS_DIR: 'out',
          APPGW_STATE_DIR: 'state',
          APPGW_NOTIFY_SILENCES: JSON.stringify([
            {
              id: 'cfg',
              matchers: { gateway: 'elsewhere' },
              startsAt: '2020-01-01T00:00:00Z',
              endsAt: '2999-01-01T00:00:00Z',
            },
          ]),
          APPGW_WEBHOOKS: JSON.stringify([
            { name: 'ops', url: receiver.url('/ops'), format: 'json', grouping: 'server', maxAttempts: 1 },
          ]),
        },
        dir,
      );
      const cli = (...args: string[]) => runCli(args, dir, env);
      const added = await cli('silence', 'add', '--id', 'mw', '--gateway', 'gw*', '--for', '2h');
      expect({ code: added.code, stderr: added.stderr }).toEqual({ code: 0, stderr: '' });
      const listed = await cli('silence', 'list', '--json');
      expect(JSON.parse(listed.stdout).silences).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: 'mw', source: 'stored' })]),
      );
      expect((await cli('run')).code).toBe(0);
      expect(receiver.requests).toEqual([]); // held by the silence stored from the environment's state
      expect((await cli('silence', 'expire', 'mw')).code).toBe(0);
      // The receiver refuses: the notice waits in its outbox, which notify list reads from the same state.
      receiver.failNext(1, 503);
      await cli('run');
      const waiting = await cli('notify', 'list', '--json');
      expect(waiting.code).toBe(0);
      expect(JSON.parse(waiting.stdout)).toMatchObject({
        notices: [{ receiver: 'webhook[ops]', type: 'degraded' }],
      });
      // A follow-up a verb prints names no --config: it reads the same settings.
      const none = await cli('notify', 'resend', '--receiver', 'nobody');
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('`appgw-insights notify list` shows them');
      // A run's own re-send command, in its summary and its stderr warning, names none either.
      receiver.script({ status: 400, body: 'unknown field' });
      const refused = await cli('run');
      expect(refused.code).toBe(2);
      for (const text of [refused.stdout, refused.stderr])
        expect(text).toContain('(re-send: appgw-insights notify resend --receiver ops)');
      expect(refused.stderr).not.toMatch(/--config/);
      // A silence of the settings is ended where it is set: the setting, not "the config" (issue 16's trial).
      const inSettings = await cli('silence', 'expire', 'cfg');
      expect(inSettings.code).toBe(2);
      expect(inSettings.stderr).toContain('remove it from the APPGW_NOTIFY_SILENCES setting');
    } finally {
      await emulator.close();
      await receiver.close();
    }
  });

  it('a setting that is wrong is said as run says it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-verbs-env-'));
    const { code, stderr } = await runCli(
      ['notify', 'list'],
      dir,
      envOf({ APPGW_TARGET: `/subscriptions/${SUB}` }, dir),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/APPGW_TARGET: not a setting.*APPGW_TARGETS/);
  });
});
