const os = require('node:os');

/** Tests are TypeScript transpiled by SWC (fast, no type check); `npm test` type-checks with tsc first. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023' } }] },
  testTimeout: 30000,
  // At least two workers: jest's default (cores − 1) is one on the 2-core CI machine, where much of a
  // suite's time is spent waiting on the processes it starts (the CLI, the emulator, Azurite). CI's jest
  // took 998–1 326 s with one, 640 s with two (2026-12-02). Three were 548 s against 593 s on a quiet
  // machine, but beside other work a CI run with three had Azurite miss its start (2026-12-02 14:30
  // UTC): two it stays. No test depends on timing.
  maxWorkers: Math.max(2, (os.availableParallelism?.() ?? os.cpus().length) - 1),
  // One temp folder per run (removed at the end) and a guard against tests writing into the tree.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
};
