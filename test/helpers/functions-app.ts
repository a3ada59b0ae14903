import { resetFunctionServices } from '../../src/app/function-services';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { startAzurite, type Azurite } from './azurite';
import { emulatorArmSettings } from './emulator-settings';
import { SUB } from './scenario-builder';

/** What a Functions suite runs against: Azurite (blobs, and queues when asked) and the ARM emulator. */
export interface FunctionsAppWorld {
  readonly azurite: Azurite;
  readonly emulator: RunningEmulator;
  /** Puts process.env back as it was, forgets the app's services, stops Azurite and the emulator. */
  close(): Promise<void>;
}

/**
 * For a Functions suite's beforeAll: Azurite and the emulator on `scenario` started together, and the
 * app's settings in process.env pointing at both (AzureWebJobsStorage, APPGW_TARGETS the emulator's
 * subscription, the ARM settings, APPGW_BLOB_CONTAINER `insights`), then `settings` over them. The app's
 * services are made afresh on their next use (resetFunctionServices). One of the two failing to start
 * stops the other before the error is thrown.
 */
export async function startFunctionsApp(options: {
  readonly scenario: unknown;
  /** Azurite's queue service too (the fan-out's queue). Default false. */
  readonly queue?: boolean;
  readonly settings?: Readonly<Record<string, string>>;
}): Promise<FunctionsAppWorld> {
  const savedEnv = { ...process.env };
  const started = await Promise.allSettled([
    startAzurite({ queue: options.queue ?? false }),
    startEmulator({ scenario: options.scenario as never }),
  ]);
  const [azurite, emulator] = started;
  if (azurite.status === 'rejected' || emulator.status === 'rejected') {
    await Promise.all([
      azurite.status === 'fulfilled' ? azurite.value.stop() : undefined,
      emulator.status === 'fulfilled' ? emulator.value.close() : undefined,
    ]);
    throw azurite.status === 'rejected' ? azurite.reason : (emulator as PromiseRejectedResult).reason;
  }
  Object.assign(process.env, {
    AzureWebJobsStorage: azurite.value.connectionString,
    APPGW_TARGETS: `/subscriptions/${SUB}`,
    ...emulatorArmSettings(emulator.value),
    APPGW_BLOB_CONTAINER: 'insights',
    ...options.settings,
  });
  resetFunctionServices();
  return {
    azurite: azurite.value,
    emulator: emulator.value,
    async close() {
      process.env = savedEnv;
      resetFunctionServices();
      await Promise.all([azurite.value.stop(), emulator.value.close()]);
    },
  };
}
