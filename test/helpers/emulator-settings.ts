import type { RunningEmulator } from '../../src/emulator';

/** The `arm` config block that points the real SDK at a running emulator, fast (no retries, short polls). */
export function emulatorArm(emulator: Pick<RunningEmulator, 'url' | 'caCertFile'>) {
  return {
    endpoint: emulator.url,
    caCertFile: emulator.caCertFile,
    credential: 'development',
    maxRetries: 0,
    pollIntervalInMs: 20,
  } as const;
}

/** The same, as the Functions app's app settings. */
export function emulatorArmSettings(
  emulator: Pick<RunningEmulator, 'url' | 'caCertFile'>,
): Record<string, string> {
  return {
    APPGW_ARM_ENDPOINT: emulator.url,
    APPGW_ARM_CA_CERT_FILE: emulator.caCertFile,
    APPGW_ARM_CREDENTIAL: 'development',
    APPGW_ARM_MAX_RETRIES: '0',
    APPGW_ARM_POLL_INTERVAL_MS: '20',
  };
}
