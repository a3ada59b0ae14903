const os = require('node:os');

/** Tests are TypeScript transpiled by SWC (fast, no type check); `npm test` type-checks with tsc first. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023' } }] },
  testTimeout: 30000,
  // At least three workers: jest's default (cores − 1) is one on the 2-core CI machine, where much of a
  // suite's time is spent waiting on the processes it starts (the CLI, the emulator, Azurite). CI's jest
  // took 998–1 326 s with one, 640 s with two (2026-12-02); on a quiet 2-core machine, one after the
  // other, 593 s with two and 548 s with three (all 7 554 tests passed both times, 2026-12-02 13:43–14:02
  // UTC). No test depends on timing.
  maxWorkers: Math.max(3, (os.availableParallelism?.() ?? os.cpus().length) - 1),
  // One temp folder per run (removed at the end) and a guard against tests writing into the tree.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
};
