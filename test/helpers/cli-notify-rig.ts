import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../src/emulator';
import { emulatorArm } from './emulator-settings';
import { SUB, gateway } from './scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/** What the built CLI's notify tests run against; `close` stops both servers and removes `tmp`. */
export interface CliNotifyRig {
  readonly emulator: RunningEmulator;
  readonly receiver: WebhookReceiver;
  /** A fresh folder under the OS temp folder: config.json, and the config's `out` and `state`. */
  readonly tmp: string;
  /** `tmp`/config.json. */
  readonly configFile: string;
  /** (Re)writes config.json: see startCliNotifyRig; `webhook` over ops's fields, `extra` over the top level. */
  writeConfig(webhook?: Record<string, unknown>, extra?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** gw with one server, 10.0.0.4, down (TCP connect error): a degraded notice on the first run. */
export const ONE_SERVER_DOWN: ScenarioInput = {
  gateways: [
    gateway('gw', [{ address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' }]),
  ],
};

/**
 * An emulator serving `scenario`, a loopback receiver and a temp folder (named `prefix`…) holding a
 * config.json for the whole subscription on that emulator: the folder sink `out` and the file state
 * `state` (both relative to the config file, so in `tmp`), one JSON webhook `ops` at `hookPath` on the
 * receiver, per-server notices, one attempt.
 */
export async function startCliNotifyRig(
  prefix: string,
  hookPath: string,
  scenario: ScenarioInput = ONE_SERVER_DOWN,
): Promise<CliNotifyRig> {
  const [emulator, receiver] = await Promise.all([
    startEmulator({ scenario: scenario as never }),
    startWebhookReceiver(),
  ]);
  const tmp = await mkdtemp(path.join(os.tmpdir(), prefix));
  const configFile = path.join(tmp, 'config.json');
  const writeConfig = (webhook: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    writeFile(
      configFile,
      JSON.stringify({
        targets: [`/subscriptions/${SUB}`],
        arm: emulatorArm(emulator),
        sinks: {
          dir: 'out',
          webhooks: [
            {
              name: 'ops',
              url: receiver.url(hookPath),
              format: 'json',
              grouping: 'server',
              maxAttempts: 1,
              ...webhook,
            },
          ],
        },
        state: { dir: 'state' },
        ...extra,
      }),
    );
  await writeConfig();
  return {
    emulator,
    receiver,
    tmp,
    configFile,
    writeConfig,
    close: async () => {
      await Promise.all([emulator.close(), receiver.close()]);
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
