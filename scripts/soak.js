'use strict';
/**
 * npm run soak [-- --seconds N] [-- --seed N] [-- --json]
 *
 * Many runs of the real pipeline with random faults from ARM (the emulator), storage (Azurite behind a
 * proxy that refuses or cuts connections) and webhook receivers (loopback), then the checks of
 * test/soak/checks.ts (README "Fault matrix" → "The soak"). The soak is TypeScript beside the tests
 * (it uses their helpers): esbuild builds test/soak/main.ts into dist/soak/ (packages stay in
 * node_modules, so paths resolve as from the sources), then this Node runs it.
 * Default 180 s of faults, then a drain of a few seconds; the seed is printed first.
 */
const esbuild = require('esbuild');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'soak', 'main.js');

esbuild.buildSync({
  entryPoints: [path.join(ROOT, 'test', 'soak', 'main.ts')],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--enable-source-maps', OUT, ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
