'use strict';
/**
 * Scale benchmark (issue 14): the product's direct run against the emulator with ARM's request limits
 * on, for N gateways over S subscriptions, and the fan-out path (the Functions app's timer and queue
 * functions) against Azurite. It prints figures as each case finishes; it asserts nothing.
 *
 *   npm run bench:scale [-- --gateways 1000,5000,20000] [-- --subscriptions 1,10,50]
 *                       [-- --concurrency auto|N] [-- --fan-out 200|0] [-- --keep]
 *                       [-- --profile DIR] [-- --sink-cost] [-- --sink folder|blob] [-- --retry-after S]
 *
 * Each case (bench/scale/scenario.js: 5 servers per gateway, two gateways in five with one unhealthy
 * server and a real probe message, `Retry-After: 1`, one poll; ARM's default limits) runs:
 * - the emulator in its own process (`appgw-insights emulator --counts FILE`), which counts the requests
 *   it answered by route and status and writes them when it stops;
 * - the run in another (`appgw-insights run --config … --json`, the emulator's config with
 *   `concurrency` and a temp folder sink), with bench/scale/run-probe.js preloaded: peak RSS and the time
 *   the sinks were busy, from inside the run, without changing what it does.
 *
 * Figures per case:
 * - wall: from spawning the run process to its exit (node's start-up included), seconds;
 * - ideal = max(latency, throttle): latency is one operation (POST, Retry-After, one poll:
 *   Retry-After × polls, requests taken as instant); throttle is the slowest subscription's bucket
 *   bound: with n gateways in it, f of them with findings, writes need max(0, n − 200) / 10 s (one
 *   POST each) and reads max(0, n + f + ⌈n/50⌉ − 250) / 25 s (one poll each, the list pages, and f
 *   GETs of a configuration: 0 since the list pages carry each gateway's);
 * - cores (below the case): the run's and the emulator's CPU seconds over the machine's cores, the
 *   least wall time the machine allows for the work they did, which the ideal leaves out;
 * - req/gw: every request the emulator answered (lists, POSTs, polls, 429s) per gateway;
 * - 429: answers `429` (ARM's throttling: the scenario injects no fault);
 * - RSS: the run process's peak resident set (process.resourceUsage().maxRSS), MiB;
 * - sinks: the time at least one sink call was in flight, as a share of wall;
 * - lost: gateways of the scenario not evaluated ok in the run's report.
 * The fan-out section: the timer, and every queue message while it runs and after (as the host takes
 * them), each handler invocation timed; active seconds per gateway next to the operation's duration
 * (the queue invocations', and every invocation's, the timer's too).
 *
 * Temp folders (scenario, sink, counts) are under the OS temp dir and removed unless --keep.
 * `--profile DIR` runs the run process (and the fan-out's host) with `node --cpu-prof --cpu-prof-dir DIR`
 * (one .cpuprofile per case; bench/cpuprofile-top.js sums it by function and by package).
 */
const { spawn } = require('node:child_process');
const { Buffer } = require('node:buffer');
const { performance } = require('node:perf_hooks');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const {
  buildScenario,
  expectedFindings,
  hasUnhealthy,
  SERVERS_PER_GATEWAY,
  RETRY_AFTER_SECONDS,
  POLLS,
} = require('./scale/scenario');
const { readOptions } = require('./read-options');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'appgw-insights');
const { ARM_REQUEST_LIMITS } = require(path.join(ROOT, 'dist', 'src', 'core', 'pacing', 'request-limits.js'));
const { configSchema } = require(path.join(ROOT, 'dist', 'src', 'config', 'schema.js'));
const LIST_PAGE = 50; // the emulator's (and ARM's) list page size
/** Azurite's well-known development account; the key is public (documented by Microsoft), not a secret. */
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The bench's options (read strictly: bench/read-options.js). */
const USAGE = `Usage: npm run bench:scale [-- OPTIONS]
  --gateways N[,N…]       gateways per case (default 1000,5000,20000)
  --subscriptions S[,S…]  subscriptions per case (default 1,10,50)
  --concurrency auto|N    the run's concurrency (default: the most the config schema takes)
  --fan-out N             gateways of the fan-out case against Azurite, 0 for none (default 200)
  --retry-after S         each operation's duration and Retry-After, seconds (default 1; live ARM
                          takes 30 to 90: the ideal's latency bound grows with it)
  --keep                  keep each case's temp folder
  --profile DIR           a CPU profile of each run process (and the fan-out host) in DIR
  --sink-cost             each case again with every sink delivery discarded
  --sink folder|blob      the direct run's sink: a temp folder (default), or a blob container in an
                          Azurite of its own (its memory and CPU are not the run's)
  -h, --help              this text`;
// Read strictly before anything starts (read-options.js).
const parsed = readOptions(
  {
    gateways: { type: 'string' },
    subscriptions: { type: 'string' },
    concurrency: { type: 'string' },
    'fan-out': { type: 'string' },
    'retry-after': { type: 'string' },
    keep: { type: 'boolean' },
    profile: { type: 'string' },
    'sink-cost': { type: 'boolean' },
    sink: { type: 'string' },
  },
  USAGE,
);
function option(name, fallback) {
  return parsed[name] ?? fallback;
}
const SINK = option('sink', 'folder');
const RETRY_AFTER = Number(option('retry-after', String(RETRY_AFTER_SECONDS)));
if (!Number.isInteger(RETRY_AFTER) || RETRY_AFTER < 1 || RETRY_AFTER > 300) {
  console.error(`error: --retry-after takes whole seconds from 1 to 300\n${USAGE}`);
  process.exit(2);
}
if (SINK !== 'folder' && SINK !== 'blob') {
  console.error(`error: --sink takes folder or blob, not ${SINK}\n${USAGE}`);
  process.exit(2);
}
const numbers = (text) =>
  text
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);

/**
 * What `concurrency` the config schema takes, most first: "auto" where it is accepted (issue 14.3),
 * else the largest whole number it allows.
 */
function defaultConcurrency() {
  for (const candidate of ['auto', 4096, 1024, 256, 128, 64, 32, 16, 8]) {
    const parsed = configSchema.safeParse({
      targets: ['/subscriptions/00000000-0000-0000-0000-000000000000'],
      concurrency: candidate,
    });
    if (parsed.success) return candidate;
  }
  return undefined;
}

/** Per subscription, as the scenario spreads them: its gateways, and those with a finding. */
function subscriptionLoads(gateways, subscriptions) {
  const loads = Array.from({ length: subscriptions }, () => ({ n: 0, withFindings: 0 }));
  for (let i = 0; i < gateways; i++) {
    const load = loads[i % subscriptions];
    load.n += 1;
    if (hasUnhealthy(i)) load.withFindings += 1;
  }
  return loads;
}

/**
 * The ideal and how it was worked out (see the header): the slowest subscription's bucket bounds. A
 * direct run over listed subscriptions takes each gateway's configuration from its list page (the
 * insight's exact values, src/pipeline/listed-configurations.ts): no read of its own, so f counts none.
 */
function ideal(gateways, subscriptions) {
  const latency = RETRY_AFTER * POLLS;
  const { reads, writes } = ARM_REQUEST_LIMITS;
  const bounds = subscriptionLoads(gateways, subscriptions).map(({ n }) => {
    const f = 0;
    const readCount = n * POLLS + f + Math.ceil(n / LIST_PAGE);
    return {
      n,
      f,
      writeBound: Math.max(0, n - writes.burst) / writes.perSecond,
      readBound: Math.max(0, readCount - reads.burst) / reads.perSecond,
    };
  });
  const worst = bounds.reduce((a, b) =>
    Math.max(b.writeBound, b.readBound) > Math.max(a.writeBound, a.readBound) ? b : a,
  );
  const { n, f, writeBound, readBound } = worst;
  const seconds = Math.max(latency, writeBound, readBound);
  const formula =
    `max(latency ${latency} s, writes max(0, ${n} − ${writes.burst})/${writes.perSecond} = ${writeBound.toFixed(1)} s, ` +
    `reads max(0, ${n}×${POLLS} + ${f} + ${Math.ceil(n / LIST_PAGE)} − ${reads.burst})/${reads.perSecond} = ${readBound.toFixed(1)} s)`;
  return { seconds, formula };
}

/** Resolves with the first value `pick` returns for a stdout line; rejects if the child exits first. */
function firstLine(child, what, pick) {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const value = pick(line);
      if (value) resolve(value);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (code ${code}) before it was ready`)));
  });
}

const exited = (child) =>
  new Promise((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

function startEmulator(scenarioFile, work) {
  const child = spawnChild(
    process.execPath,
    [
      BIN,
      'emulator',
      '--scenario',
      scenarioFile,
      '--port',
      '0',
      '--out',
      path.join(work, 'unused'),
      '--counts',
      path.join(work, 'counts.json'),
    ],
    { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return firstLine(child, 'the emulator', (line) =>
    line.startsWith('{') ? JSON.parse(line) : undefined,
  ).then((info) => ({ child, info }));
}

/**
 * CPU seconds (user + system) a child has used so far, from /proc (Linux; undefined elsewhere): shows
 * whether the emulator, not the run, was the busy one. Clock ticks are 100 a second on Linux.
 */
function cpuSecondsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime: fields 14 and 15 of stat
  } catch {
    return undefined;
  }
}

/** SIGTERM, then the counts the emulator wrote as it stopped (and the CPU it used, when known). */
async function stopEmulator(emulator, work) {
  const cpuSeconds = cpuSecondsOf(emulator.child.pid);
  emulator.child.kill('SIGTERM');
  await exited(emulator.child);
  return { counts: JSON.parse(fs.readFileSync(path.join(work, 'counts.json'), 'utf8')), cpuSeconds };
}

function sumCounts(counts, pick = () => true) {
  let n = 0;
  for (const [route, byStatus] of Object.entries(counts))
    for (const [status, count] of Object.entries(byStatus)) if (pick(route, status)) n += count;
  return n;
}

/** One direct run: the emulator's config with `concurrency` and a temp folder sink (or a blob one). */
async function directCase(gateways, subscriptions, concurrency, keep, profileDir, extraEnv = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'appgw-bench-scale-'));
  workFolders.add(work);
  const azurite = SINK === 'blob' ? await startAzuriteService('blob', work) : undefined;
  try {
    const scenarioFile = path.join(work, 'scenario.json');
    fs.writeFileSync(
      scenarioFile,
      JSON.stringify(buildScenario({ gateways, subscriptions, retryAfterSeconds: RETRY_AFTER })),
    );
    const emulator = await startEmulator(scenarioFile, work);
    let stopped;
    let result;
    try {
      const config = JSON.parse(fs.readFileSync(emulator.info.config, 'utf8'));
      config.sinks = azurite
        ? { blob: { connectionString: azuriteConnection({ blob: azurite.url }), container: 'insights' } }
        : { ...config.sinks, dir: path.join(work, 'out') };
      config.state = { dir: path.join(work, 'state') };
      // The product's own poll interval, as the fan-out path has it (the emulator's config shortens it).
      if (config.arm) delete config.arm.pollIntervalInMs;
      if (concurrency !== undefined) config.concurrency = concurrency;
      const configFile = path.join(work, 'run.json');
      fs.writeFileSync(configFile, JSON.stringify(config));
      const probeFile = path.join(work, 'probe.json');
      const started = performance.now();
      const run = spawnChild(
        process.execPath,
        [
          ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
          '--require',
          path.join(__dirname, 'scale', 'run-probe.js'),
          BIN,
          'run',
          '--config',
          configFile,
          '--json',
        ],
        {
          cwd: work,
          env: { ...process.env, ...extraEnv, BENCH_SCALE_PROBE: probeFile },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const stdout = [];
      let stderr = '';
      run.stdout.on('data', (d) => stdout.push(d));
      run.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      const code = await exited(run);
      const wallInMs = performance.now() - started;
      let report;
      try {
        report = JSON.parse(Buffer.concat(stdout).toString('utf8'));
      } catch {
        report = undefined;
      }
      const probe = fs.existsSync(probeFile) ? JSON.parse(fs.readFileSync(probeFile, 'utf8')) : undefined;
      result = { code, wallInMs, report, probe, stderr };
    } finally {
      stopped = await stopEmulator(emulator, work);
    }
    return { ...result, counts: stopped.counts, emulatorCpuSeconds: stopped.cpuSeconds };
  } finally {
    if (azurite) {
      azurite.child.kill('SIGTERM');
      await exited(azurite.child);
    }
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
    else console.log(`  (kept ${work})`);
  }
}

const pad = (value, width) => String(value).padStart(width);

/**
 * The machine's bound, which the ideal leaves out: the CPU seconds the run and the emulator used,
 * spread over every core at once. Wall time cannot be less; a ratio to the ideal far above 1.15 with
 * wall near this bound says the case was bound by this machine, not by ARM's limits or the pacing.
 * Undefined without both CPU figures.
 */
function cpuBound(r) {
  if (!r.probe || r.emulatorCpuSeconds === undefined) return undefined;
  const cpus = Math.max(1, os.cpus().length);
  const runS = r.probe.cpuInMs / 1000;
  const emulatorS = r.emulatorCpuSeconds;
  return { cpus, runS, emulatorS, seconds: (runS + emulatorS) / cpus };
}

function printCase(gateways, subscriptions, r) {
  const { seconds, formula } = ideal(gateways, subscriptions);
  const wall = r.wallInMs / 1000;
  const requests = sumCounts(r.counts);
  const throttled = sumCounts(r.counts, (_, status) => status === '429');
  const okGateways = r.report ? r.report.gateways.filter((g) => g.ok).length : 0;
  const findings = r.report ? r.report.summary.findings : 0;
  const durations = r.report ? r.report.gateways.map((g) => g.durationInMs) : [];
  const meanGatewayS = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length / 1000 : 0;
  const rss = r.probe ? (r.probe.maxRssInKb / 1024).toFixed(0) : 'n/a';
  const sinks = r.probe?.sinks.wrapped
    ? `${((100 * r.probe.sinks.busyInMs) / r.wallInMs).toFixed(1)}%`
    : 'n/a';
  console.log(
    `${pad(gateways, 6)} ${pad(subscriptions, 4)} ${pad(wall.toFixed(1), 8)} ${pad(seconds.toFixed(1), 7)} ${pad((wall / seconds).toFixed(2), 6)} ` +
      `${pad((requests / gateways).toFixed(2), 7)} ${pad(throttled, 6)} ${pad(rss, 7)} ${pad(sinks, 6)} ${pad(gateways - okGateways, 5)}`,
  );
  const byRoute = Object.entries(r.counts)
    .map(
      ([route, byStatus]) =>
        `${route} ${Object.entries(byStatus)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
    )
    .join('; ');
  console.log(`       ideal = ${formula}`);
  // The target's "≤ 2 requests per gateway at one poll" counts the backend-health operation (its POST
  // and polls, 429s included); the configuration GETs (issue 17, gateways with findings, now only those
  // whose listing could not explain a finding) and the list pages are reads of their own, shown beside it.
  const operation = sumCounts(r.counts, (route) =>
    ['backendHealth', 'operationResult', 'operationStatus'].includes(route),
  );
  const configuration = sumCounts(r.counts, (route) => route === 'gateway');
  const lists = sumCounts(r.counts, (route) => route === 'list' || route === 'resourceGraph');
  console.log(
    `       requests per gateway: ${(operation / gateways).toFixed(2)} for the backend-health operation (POST and polls, 429s included), ` +
      `${(configuration / gateways).toFixed(2)} configuration GETs, ${(lists / gateways).toFixed(2)} list pages`,
  );
  const bound = cpuBound(r);
  if (bound !== undefined)
    console.log(
      `       cores = (run ${bound.runS.toFixed(1)} + emulator ${bound.emulatorS.toFixed(1)} CPU s) / ${bound.cpus} CPU(s) = ${bound.seconds.toFixed(1)} s, ` +
        `the least wall time this machine's cores allow for this work; wall / that ${(wall / bound.seconds).toFixed(2)}`,
    );
  console.log(
    `       requests: ${byRoute}` +
      (r.probe
        ? `; run ${(r.probe.cpuInMs / 1000).toFixed(1)} CPU s (${(r.probe.cpuInMs / gateways).toFixed(2)} ms per gateway), ` +
          `${r.probe.tlsConnections ?? 'n/a'} TLS connection(s) (at most ${r.probe.tlsOpenPeak ?? 'n/a'} open), ` +
          `V8 heap used at most ${r.probe.heapUsedPeakInKb === undefined ? 'n/a' : (r.probe.heapUsedPeakInKb / 1024).toFixed(0)} MiB`
        : '') +
      (r.emulatorCpuSeconds !== undefined ? `, emulator ${r.emulatorCpuSeconds.toFixed(1)} CPU s` : ''),
  );
  console.log(
    `       run exit ${r.code}; findings ${findings} of ${expectedFindings(gateways)}` +
      `; one gateway ${meanGatewayS.toFixed(2)} s on average (report durationInMs)` +
      (r.probe?.sinks.wrapped
        ? `; sinks ${r.probe.sinks.calls} call(s), ${(r.probe.sinks.busyInMs / 1000).toFixed(2)} s busy`
        : ''),
  );
  const t = r.probe?.timeline;
  if (t?.firstRequestAtInMs !== undefined && t.lastAnswerAtInMs !== undefined) {
    // Where the wall time beyond the ARM traffic went: starting (loading, config, credential) before the
    // first request, and finishing (the last gateways' work, the report, the status page) after the last
    // answer; the process's uptime is a little less than the bench's wall (spawning node).
    const s = (ms) => (ms / 1000).toFixed(1);
    console.log(
      `       timeline: first ARM request at ${s(t.firstRequestAtInMs)} s, last ARM answer at ${s(t.lastAnswerAtInMs)} s, ` +
        `exit at ${s(r.probe.uptimeInMs)} s of the run process (${s(r.probe.uptimeInMs - t.lastAnswerAtInMs)} s after the last answer)`,
    );
  }
  if (!r.report)
    console.log(`       no report on stdout; stderr: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
}

/**
 * `--sink-cost`: the sinks' own cost, from the same case run again with every sink delivery discarded
 * (bench/scale/run-probe.js BENCH_SCALE_DISCARD_SINKS): the run's CPU and wall time with the sinks
 * minus without, as a share of the run's. Unlike the in-flight share, it counts no other gateway's work
 * that happened while a sink call was pending. Noisy on a shared machine: read it with the load.
 */
function printSinkCost(withSinks, without) {
  if (!withSinks.probe || !without.probe) {
    console.log("       sinks' cost: n/a (no probe figures)");
    return;
  }
  const cpu = withSinks.probe.cpuInMs;
  const cpuWithout = without.probe.cpuInMs;
  const share = (a, b) => `${((100 * (a - b)) / a).toFixed(1)}%`;
  console.log(
    `       sinks' cost (same case, sink deliveries discarded): run CPU ${(cpu / 1000).toFixed(1)} s with sinks, ` +
      `${(cpuWithout / 1000).toFixed(1)} s without: ${share(cpu, cpuWithout)} of the run's CPU; wall ` +
      `${(withSinks.wallInMs / 1000).toFixed(1)} s, ${(without.wallInMs / 1000).toFixed(1)} s without: ${share(withSinks.wallInMs, without.wallInMs)}; ` +
      `peak RSS ${(without.probe.maxRssInKb / 1024).toFixed(0)} MiB without`,
  );
}

/** A connection string to Azurite's development account at the given blob (and queue) services. */
function azuriteConnection(urls) {
  const account = (url) => `${url}/${AZURITE_ACCOUNT}`;
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=${account(urls.blob)};` +
    (urls.queue ? `QueueEndpoint=${account(urls.queue)};` : '')
  );
}

/** One Azurite service (blob or queue) in memory, on a port the OS picks; resolves with its URL. */
function startAzuriteService(service, work) {
  const main = path.join(ROOT, 'node_modules', 'azurite', 'dist', 'src', service, 'main.js');
  const args = [`--${service}Host`, '127.0.0.1', `--${service}Port`, '0', '--inMemoryPersistence'];
  const child = spawnChild(
    process.execPath,
    [main, ...args, '--loose', '--skipApiVersionCheck', '--disableTelemetry'],
    {
      cwd: work,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return firstLine(child, `Azurite ${service}`, (line) => {
    const m = /successfully listens on (http:\/\/\S+)/.exec(line);
    return m ? m[1].replace(/\/+$/, '') : undefined;
  }).then((url) => ({ child, url }));
}

/** The fan-out path: the timer and the queue function against Azurite, each handler invocation timed. */
async function fanOutCase(gateways, subscriptions, keep, profileDir) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'appgw-bench-fanout-'));
  workFolders.add(work);
  const children = [];
  try {
    const scenarioFile = path.join(work, 'scenario.json');
    fs.writeFileSync(
      scenarioFile,
      JSON.stringify(buildScenario({ gateways, subscriptions, retryAfterSeconds: RETRY_AFTER })),
    );
    const [blob, queue] = await Promise.all(
      ['blob', 'queue'].map((service) => startAzuriteService(service, work)),
    );
    children.push(blob.child, queue.child);
    const emulator = await startEmulator(scenarioFile, work);
    children.push(emulator.child);
    const config = JSON.parse(fs.readFileSync(emulator.info.config, 'utf8'));
    const storage = azuriteConnection({ blob: blob.url, queue: queue.url });
    const host = spawnChild(
      process.execPath,
      [
        ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
        path.join(__dirname, 'scale', 'fan-out-host.js'),
      ],
      {
        cwd: work,
        env: {
          ...process.env,
          AzureWebJobsStorage: storage,
          APPGW_TARGETS: config.targets.join(','),
          APPGW_ARM_ENDPOINT: emulator.info.url,
          APPGW_ARM_CA_CERT_FILE: emulator.info.caCertFile,
          APPGW_ARM_CREDENTIAL: 'development',
          APPGW_BLOB_CONTAINER: 'insights',
          APPGW_STATE_CONTAINER: 'appgw-state',
          APPGW_QUEUE_NAME: 'appgw-evaluate',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const out = [];
    host.stdout.on('data', (d) => out.push(d));
    // @azure/functions outside the host warns once per registration that it is in test mode: expected here.
    readline.createInterface({ input: host.stderr }).on('line', (line) => {
      if (!/^WARNING: .*test mode/.test(line)) process.stderr.write(`${line}\n`);
    });
    const code = await exited(host);
    const { counts } = await stopEmulator(emulator, work);
    if (code !== 0) throw new Error(`the fan-out host exited ${code}`);
    const figures = JSON.parse(Buffer.concat(out).toString('utf8').trim().split('\n').pop());
    const operation = RETRY_AFTER * POLLS;
    // The instance's active time (while at least one invocation ran) is what Flex Consumption bills;
    // the sum over invocations counts concurrent ones each (fan-out-host.js).
    const instancePerGateway = figures.queue.instanceActiveInMs / 1000 / gateways;
    const summedPerGateway = figures.queue.activeInMs / 1000 / gateways;
    console.log(
      `fan-out ${gateways} gateways over ${subscriptions} subscription(s): instance-active ${instancePerGateway.toFixed(3)} s per gateway ` +
        `(at least one invocation running, ${(figures.queue.instanceActiveInMs / 1000).toFixed(1)} s in all), ` +
        `operation ${operation} s (Retry-After ${RETRY_AFTER} s × ${POLLS} poll): ratio ${(instancePerGateway / operation).toFixed(3)}`,
    );
    console.log(
      `       handler-active summed ${summedPerGateway.toFixed(3)} s per gateway (${figures.queue.invocations} queue invocation(s), ` +
        `${(figures.queue.activeInMs / 1000).toFixed(1)} s in all, concurrent ones counted each); timer ${(figures.timerInMs / 1000).toFixed(1)} s, ` +
        `run beside the queues; with the timer, instance-active ${(figures.withTimerInMs / 1000 / gateways).toFixed(3)} s per gateway; ` +
        `host CPU ${(figures.cpuInMs / 1000).toFixed(1)} s (${(figures.cpuInMs / gateways).toFixed(1)} ms per gateway, its queue driving included)`,
    );
    console.log(
      `       requests ${(sumCounts(counts) / gateways).toFixed(2)} per gateway, 429 ${sumCounts(counts, (_, s) => s === '429')}; ` +
        `failed invocations ${figures.queue.failures}, poisoned ${figures.queue.poisoned}; wall ${(figures.wallInMs / 1000).toFixed(1)} s`,
    );
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map(exited));
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Children to stop if the bench is stopped (Ctrl-C): each case's emulator, run, Azurite and host. */
const live = new Set();
/** Temp folders of the cases in progress: removed if the bench is stopped (unless --keep). */
const workFolders = new Set();
const spawnChild = (...args) => {
  const child = spawn(...args);
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
};
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
])
  process.once(signal, () => {
    for (const child of live) child.kill('SIGTERM');
    if (!parsed.keep) for (const work of workFolders) fs.rmSync(work, { recursive: true, force: true });
    process.exit(code);
  });

async function main() {
  const gatewayCounts = numbers(option('gateways', '1000,5000,20000'));
  const subscriptionCounts = numbers(option('subscriptions', '1,10,50'));
  const asked = option('concurrency', undefined);
  const concurrency = asked === undefined ? defaultConcurrency() : asked === 'auto' ? 'auto' : Number(asked);
  const fanOut = Number(option('fan-out', '200'));
  const keep = parsed.keep === true;
  const profile = option('profile', undefined);
  const sinkCost = parsed['sink-cost'] === true;
  const profileDir = profile ? path.resolve(profile) : undefined;

  console.log(
    `node ${process.version}, ${os.cpus().length} CPU(s); ${SERVERS_PER_GATEWAY} servers per gateway, Retry-After ${RETRY_AFTER} s, ${POLLS} poll; ` +
      `ARM limits per subscription: reads ${ARM_REQUEST_LIMITS.reads.burst} burst / ${ARM_REQUEST_LIMITS.reads.perSecond} per s, writes ${ARM_REQUEST_LIMITS.writes.burst} / ${ARM_REQUEST_LIMITS.writes.perSecond} per s; ` +
      `concurrency ${concurrency ?? '(config default)'}`,
  );
  console.log('     N subs   wall s  ideal s  ratio  req/gw    429  RSS MiB  sinks  lost');
  for (const gateways of gatewayCounts) {
    for (const subscriptions of subscriptionCounts) {
      if (subscriptions > gateways) continue;
      try {
        const measured = await directCase(gateways, subscriptions, concurrency, keep, profileDir);
        printCase(gateways, subscriptions, measured);
        if (sinkCost) {
          const without = await directCase(gateways, subscriptions, concurrency, false, undefined, {
            BENCH_SCALE_DISCARD_SINKS: '1',
          });
          printSinkCost(measured, without);
        }
      } catch (error) {
        console.log(`${pad(gateways, 6)} ${pad(subscriptions, 4)} failed: ${error.message}`);
      }
    }
  }
  if (fanOut > 0) {
    try {
      await fanOutCase(fanOut, 1, keep, profileDir);
    } catch (error) {
      console.log(`fan-out ${fanOut}: failed: ${error.message}`);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
