/**
 * `@azure/identity`, required on first use: with MSAL it is the largest package the app loads, and a
 * process that never asks for a token (the emulator's development credential, connection strings)
 * should not pay for it. The deployed bundle carries it (scripts/bundle.js lists it in `preloadSdks`).
 */
export function loadAzureIdentity(): typeof import('@azure/identity') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@azure/identity');
}
