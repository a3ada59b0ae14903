import { resetFunctionServices } from '../../src/app/function-services';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { startAzurite, type Azurite } from './azurite';
import { emulatorArmSettings } from './emulator-settings';
import { SUB } from './scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/** What a Functions suite runs against: Azurite (blobs, and queues when asked), the ARM emulator, receivers. */
export interface FunctionsAppWorld {
  readonly azurite: Azurite;
  readonly emulator: RunningEmulator;
  /** The webhook receivers asked for (`receivers`), in order; none by default. */
  readonly receivers: readonly WebhookReceiver[];
  /** Puts process.env back as it was, forgets the app's services, stops Azurite, the emulator and the receivers. */
  close(): Promise<void>;
}

/**
 * For a Functions suite's beforeAll: Azurite, the emulator on `scenario` and `receivers` webhook
 * receivers started together, and the app's settings in process.env pointing at them (AzureWebJobsStorage,
 * APPGW_TARGETS the emulator's subscription, the ARM settings, APPGW_BLOB_CONTAINER `insights`), then
 * `settings` over them (a function of the receivers, for APPGW_WEBHOOKS). The app's services are made
 * afresh on their next use (resetFunctionServices). One failing to start stops the others before the
 * error is thrown.
 */
export async function startFunctionsApp(options: {
  readonly scenario: unknown;
  /** Azurite's queue service too (the fan-out's queue). Default false. */
  readonly queue?: boolean;
  /** How many webhook receivers to start. Default 0. */
  readonly receivers?: number;
  readonly settings?:
    | Readonly<Record<string, string>>
    | ((receivers: readonly WebhookReceiver[]) => Readonly<Record<string, string>>);
}): Promise<FunctionsAppWorld> {
  const savedEnv = { ...process.env };
  const [azurite, emulator, ...receivers] = await Promise.allSettled([
    startAzurite({ queue: options.queue ?? false }),
    startEmulator({ scenario: options.scenario as never }),
    ...Array.from({ length: options.receivers ?? 0 }, () => startWebhookReceiver()),
  ]);
  const started = [azurite, emulator, ...receivers];
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const stopAll = () =>
    Promise.all(started.map((s) => (s.status === 'fulfilled' ? stopped(s.value as Stoppable) : undefined)));
  if (failed || azurite?.status !== 'fulfilled' || emulator?.status !== 'fulfilled') {
    await stopAll();
    throw failed?.reason;
  }
  const running = receivers.map((r) => (r as PromiseFulfilledResult<WebhookReceiver>).value);
  const settings = typeof options.settings === 'function' ? options.settings(running) : options.settings;
  Object.assign(process.env, {
    AzureWebJobsStorage: azurite.value.connectionString,
    APPGW_TARGETS: `/subscriptions/${SUB}`,
    ...emulatorArmSettings(emulator.value),
    APPGW_BLOB_CONTAINER: 'insights',
    ...settings,
  });
  resetFunctionServices();
  return {
    azurite: azurite.value,
    emulator: emulator.value,
    receivers: running,
    async close() {
      process.env = savedEnv;
      resetFunctionServices();
      await stopAll();
    },
  };
}

type Stoppable = { stop(): Promise<void> } | { close(): Promise<void> };

function stopped(thing: Stoppable): Promise<void> {
  return 'stop' in thing ? thing.stop() : thing.close();
}
