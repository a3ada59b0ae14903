'use strict';
/**
 * Memory of the blob sink's end of a direct run (issue 14: peak RSS at 20 000 gateways): the run's
 * `report` delivery (runs/<runId>/report.json, then latest/report.json) of N gateway entries read back
 * from a run's temporary file (src/pipeline/report-entries.ts, as a run's end reads them), against an
 * Azurite of its own. The entries have bench:scale's shape (5 servers a gateway, two gateways in five
 * with one finding and its cause's steps). Prints the process's resident set before the delivery and
 * at its peak, and the time it took; it asserts nothing.
 *
 *   npm run bench:blob-report [-- [--gateways 20000] [--whole]]     (e.g. -- --gateways 3000 --whole)
 *
 * `--whole`: the sink without its block uploader (each report.json joined into one Put Blob, as before
 * blocks), for comparison. (bench:scale's `--sink blob` runs the whole path, but Azurite's in-memory
 * store slows down as it fills, so 20 000 gateways take far longer than the run.)
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { setInterval, clearInterval } = require('node:timers');
const { readOptions } = require('./read-options');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist', 'src');
const { createBlobSink } = require(path.join(DIST, 'adapters', 'sinks', 'blob-sink.js'));
const { connectBlobService } = require(path.join(DIST, 'adapters', 'storage', 'blob-client.js'));
const { createTempScratch } = require(path.join(DIST, 'adapters', 'files', 'temp-scratch.js'));
const { createSpool } = require(path.join(DIST, 'pipeline', 'spool.js'));
const { createReportEntries } = require(path.join(DIST, 'pipeline', 'report-entries.js'));
const { PROBE_LOGS } = require('./scale/scenario');

const USAGE = `Usage: npm run bench:blob-report [-- OPTIONS]
  --gateways N   gateway entries in the report (default 20000)
  --whole        each report.json in one Put Blob (the sink without blocks), for comparison
  -h, --help     this text`;
const options = readOptions({ gateways: { type: 'string' }, whole: { type: 'boolean' } }, USAGE);
const gateways = Number(options.gateways ?? '20000');
if (!Number.isSafeInteger(gateways) || gateways < 1) {
  console.error(`error: --gateways takes a whole number >= 1, not ${options.gateways}\n${USAGE}`);
  process.exit(2);
}

/** Azurite's well-known development account; the key is public (documented by Microsoft), not a secret. */
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

function startAzurite() {
  const main = path.join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
  const args = ['--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--loose'];
  const child = spawn(process.execPath, [main, ...args, '--skipApiVersionCheck', '--disableTelemetry'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let seen = '';
    child.once('exit', (code) => reject(new Error(`Azurite exited (${code}) before it listened`)));
    child.stdout.on('data', (data) => {
      seen += data;
      const m = /successfully listens on (http:\/\/\S+)/.exec(seen);
      if (m) resolve({ child, url: m[1].replace(/\/+$/, '') });
    });
  });
}

/** Gateway `i`'s report entry, as bench:scale's run writes it. */
function entry(i) {
  const sub = `00000000-0000-4000-8000-${String(1 + (i % 50)).padStart(12, '0')}`;
  const rg = `rg-bench-${i}`;
  const name = `appgw-${i}`;
  const findings =
    i % 5 < 2
      ? [
          {
            backendPool: 'pool-web',
            backendSettings: 'settings-https',
            address: '10.0.0.4',
            health: 'Unhealthy',
            state: 'unhealthy',
            probeLog: PROBE_LOGS[i % PROBE_LOGS.length],
            cause: {
              id: 'probe-timeout',
              title: 'The backend answers the health probe too slowly (probe timeout)',
              steps: Array.from(
                { length: 5 },
                (_, s) =>
                  `Step ${s + 1} for ${name} in ${rg}: \`az network application-gateway probe show -g ${rg} --gateway-name ${name} -n settings-https-probe\` ${'and what it means. '.repeat(8)}`,
              ),
              docUrl:
                'https://learn.microsoft.com/troubleshoot/azure/application-gateway/application-gateway-backend-health-troubleshooting',
            },
            severity: 'warning',
            insight: {
              markdown: `insights/${sub}/${rg}/${name}/pool-web__settings-https__10.0.0.4-05c3bb74.md`,
              html: `insights/${sub}/${rg}/${name}/pool-web__settings-https__10.0.0.4-05c3bb74.html`,
            },
          },
        ]
      : [];
  return {
    id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/applicationGateways/${name}`,
    name,
    subscriptionId: sub,
    resourceGroup: rg,
    ok: true,
    error: null,
    durationInMs: 1084,
    servers: 5,
    findings,
  };
}

const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);

async function main() {
  const azurite = await startAzurite();
  const scratch = createTempScratch();
  try {
    const logger = { info() {}, warn() {}, error() {}, debug() {} };
    const entries = createReportEntries(createSpool(scratch, logger, 'report entries'));
    const kept = [];
    for (let i = 0; i < gateways; i++) kept.push(await entries.add(entry(i)));
    const report = {
      schemaVersion: 1,
      runId: 'bench',
      mode: 'direct',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      ok: true,
      summary: { gateways, failedGateways: 0, servers: gateways * 5, findings: kept.length },
      targets: [],
      gateways: entries.view(kept),
      deliveryErrors: [],
    };
    const connection = {
      connectionString:
        `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};` +
        `BlobEndpoint=${azurite.url}/devstoreaccount1;`,
    };
    const sink = options.whole
      ? createBlobSink({ client: connectBlobService(connection), container: 'insights' })
      : createBlobSink({ connection, container: 'insights' });
    await sink.deliver({ scope: 'report', report: { ...report, gateways: [] }, insights: [] }); // the container
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const started = performance.now();
    await sink.deliver({ scope: 'report', report, insights: [] });
    const ms = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
    const size = (await connectBlobService(connection).container('insights').download('latest/report.json'))
      .text.length;
    console.log(
      `node ${process.version}; ${gateways} gateways, report.json ${mib(size)} MiB (characters), ` +
        `${options.whole ? 'one Put Blob each (--whole)' : 'in blocks when over 1 Mi characters'}: ` +
        `RSS ${mib(before)} MiB before, ${mib(peak)} MiB at the peak (+${mib(peak - before)}), ` +
        `${(ms / 1000).toFixed(2)} s for both report.json`,
    );
  } finally {
    await scratch.dispose();
    azurite.child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
