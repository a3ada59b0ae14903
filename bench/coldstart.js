'use strict';
/**
 * Cold-start benchmark: how long a FRESH Node process takes to load everything the deployed app runs.
 *
 *   A  bundle   require(app/index.js) (package.json "main"), then its preloadSdks(): every package the
 *               code loads on first use (Azure SDKs), so lazy loading does not hide their cost
 *   A0          the same bundle without preloadSdks(): what the worker loads before the first call
 *   B  bare     import('@azure/arm-network') and nothing else
 *   C  unbundled require(dist/functions/index.js) (npm run build), then require() of the same packages
 *               from node_modules, as the code would
 *
 * Each child process times itself from its first line to the end of loading (wall clock, and CPU time
 * of the process); the parent also times the whole process (spawn to exit, Node's own start included).
 * Runs are interleaved A/B/C after warm-up rounds, so the variants share the machine's noise.
 * Outside the Functions worker `@azure/functions-core` does not exist: @azure/functions falls back to
 * its test mode (a warning on stderr), as it does in any plain Node process.
 *
 * Usage: node bench/coldstart.js [--runs 15] [--warmup 2]      (npm run bench:coldstart builds first)
 * It prints figures; it asserts nothing.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const BUNDLE = path.join(ROOT, pkg.main);
const DIST_ENTRY = path.join(ROOT, 'dist', 'functions', 'index.js');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const RUNS = option('runs', 15);
const WARMUP = option('warmup', 2);

/** Child code: `work` is an expression (sync value or promise) that loads everything; prints timings. */
const child = (work) => `
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
Promise.resolve().then(() => ${work}).then((loaded) => {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(c0);
  const rss = process.memoryUsage().rss;
  process.stdout.write('\\n' + JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, rss, loaded }) + '\\n');
});
`;

function variants(lazy) {
  return [
    {
      key: 'A',
      name: `bundle (${path.relative(ROOT, BUNDLE)} + preloadSdks)`,
      code: child(`require(${JSON.stringify(BUNDLE)}).preloadSdks()`),
    },
    {
      key: 'A0',
      name: 'bundle entry only (what the worker loads first)',
      code: child(`(require(${JSON.stringify(BUNDLE)}), [])`),
    },
    {
      key: 'B',
      name: 'bare import("@azure/arm-network")',
      code: child(`import('@azure/arm-network').then(() => ['@azure/arm-network'])`),
    },
    {
      key: 'C',
      name: 'unbundled (dist/functions/index.js + SDKs)',
      code: child(
        `(require(${JSON.stringify(DIST_ENTRY)}), ${JSON.stringify(lazy)}.map((name) => (require(name), name)))`,
      ),
    },
  ];
}

function runOnce(variant) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', variant.code], {
    cwd: ROOT, // bare specifiers resolve from the project, as the app's own requires do
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  const last = result.stdout.trim().split('\n').pop();
  if (result.status !== 0 || !last?.startsWith('{')) {
    throw new Error(`${variant.name} failed (exit ${result.status}):\n${result.stderr}`);
  }
  return { ...JSON.parse(last), processMs };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const stats = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });
const fmt = (n) => n.toFixed(0).padStart(6);

function main() {
  for (const file of [BUNDLE, DIST_ENTRY]) {
    if (!fs.existsSync(file)) {
      console.error(
        `${path.relative(ROOT, file)} is missing: run \`npm run build && npm run bundle\` first.`,
      );
      process.exitCode = 1;
      return;
    }
  }
  // The packages the bundle loads on first use, as its own preloadSdks() reports them.
  const lazy = runOnce(variants([])[0]).loaded;
  const all = variants(lazy);
  const samples = new Map(all.map((v) => [v.key, []]));
  for (let round = 0; round < WARMUP + RUNS; round++) {
    for (const variant of all) {
      const sample = runOnce(variant);
      if (round >= WARMUP) samples.get(variant.key).push(sample);
    }
  }

  console.log(
    `Node ${process.version}, ${RUNS} fresh processes per variant (after ${WARMUP} warm-up rounds), interleaved.`,
  );
  console.log(`Lazily loaded packages forced in A and C: ${lazy.join(', ')}`);
  console.log(
    'load = first line of the child to everything loaded; process = spawn to exit (Node start included)',
  );
  console.log('');
  console.log(
    '    variant                                         load ms: median    min    max | cpu ms | process ms | RSS MB',
  );
  const table = {};
  for (const variant of all) {
    const runs = samples.get(variant.key);
    const load = stats(runs.map((r) => r.ms));
    const cpu = stats(runs.map((r) => r.cpuMs));
    const proc = stats(runs.map((r) => r.processMs));
    const rss = median(runs.map((r) => r.rss)) / 2 ** 20;
    table[variant.key] = { load, cpu, proc };
    console.log(
      `${variant.key.padEnd(3)} ${variant.name.padEnd(50)} ${fmt(load.median)} ${fmt(load.min)} ${fmt(load.max)} | ` +
        `${fmt(cpu.median)} | ${fmt(proc.median).padStart(10)} | ${rss.toFixed(0).padStart(6)}`,
    );
  }
  const ratio = (a, b, field) => (table[a][field].median / table[b][field].median).toFixed(2);
  console.log('');
  console.log(
    `bundle / bare:      ${ratio('A', 'B', 'load')}x load, ${ratio('A', 'B', 'cpu')}x cpu, ${ratio('A', 'B', 'proc')}x process`,
  );
  console.log(
    `bundle / unbundled: ${ratio('A', 'C', 'load')}x load, ${ratio('A', 'C', 'cpu')}x cpu, ${ratio('A', 'C', 'proc')}x process`,
  );
}

main();
