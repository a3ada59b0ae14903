/**
 * In-memory implementations of the ports (src/ports.ts) for the use cases' unit tests
 * (test/pipeline/*.test.ts): tiny, behaviour only, each keeping what it was given and each able to be
 * told to fail, as unstorage's `memory` driver and Alertmanager's `notifierFunc` fakes. No sockets:
 * the adapters themselves are tested against real services (the emulator, Azurite, loopback receivers).
 */
export * from './answer';
export * from './backend-health-reader';
export * from './clock';
export * from './gateway-directory';
export * from './logger';
export * from './notifier';
export * from './sink';
export * from './state-for-runs';
export * from './telemetry';
export * from './work-queue';
export * from './run-dependencies';
export * from './subscription-pacer';
