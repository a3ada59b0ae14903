'use strict';
/**
 * CPU per composed insight (the article filled for one finding, the cause section, the HTML page), as a
 * run composes them: the bench scale scenario's probe messages (bench/scale/scenario.js), one gateway per
 * finding. Prints CPU ms per insight and a SHA-256 of every output, so a change to the engine can be
 * checked to keep the output byte-identical.
 *
 *   npm run bench:insight-cpu [-- [--insights N] [--configured]]   (N: 2000 by default)
 *   (or, built: node bench/insight-cpu.js [--insights 2000] [--configured])
 *
 * `--configured`: each finding carries its gateway's configuration as a run reads it for a gateway with
 * findings (the bench scale emulator's: one HTTP setting on port 80, the default probe, one pool and
 * rule), so the insight has its configuration part and exact commands, as in `bench:scale`.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const DIST = path.join(__dirname, '..', 'dist', 'src');
const { parseArticle } = require(path.join(DIST, 'articles'));
const { gatewayRef } = require(path.join(DIST, 'core', 'arm-id.js'));
const { classifyCause } = require(path.join(DIST, 'core', 'classify.js'));
const { composeInsight } = require(path.join(DIST, 'insight', 'insight.js'));
const { withConfiguration } = require(path.join(DIST, 'core', 'finding-configuration.js'));
const { PROBE_LOGS, SERVERS_PER_GATEWAY, serverAddress } = require('./scale/scenario');
const { readOptions } = require('./read-options');

// Read strictly (read-options.js); a count that is not a whole number is refused too.
const USAGE = `Usage: npm run bench:insight-cpu [-- OPTIONS]
  --insights N   insights to compose (default 2000)
  --configured   each finding with its gateway's configuration, as bench:scale's
  -h, --help     this text`;
const options = readOptions({ insights: { type: 'string' }, configured: { type: 'boolean' } }, USAGE);
const n = Number(options.insights ?? '2000');
if (!Number.isSafeInteger(n) || n < 1) {
  console.error(`error: --insights takes a whole number >= 1, not ${options.insights}\n${USAGE}`);
  process.exit(2);
}
const configured = options.configured === true;
const article = parseArticle(
  fs.readFileSync(path.join(__dirname, '..', 'articles', 'degraded-backend-server-health.md')),
);
const now = new Date('2026-11-30T06:00:00.000Z');
/** The emulator's configuration of bench gateway `i` (src/emulator/routes/gateway.ts, in full). */
const configurationOf = (i) => ({
  ok: true,
  config: {
    skuName: 'Standard_v2',
    skuTier: 'Standard_v2',
    generation: 'v2',
    settings: [
      {
        name: 'settings-https',
        protocol: 'Http',
        port: 80,
        pickHostNameFromBackendAddress: false,
        trustedRootCertificateNames: [],
        authenticationCertificateNames: [],
      },
    ],
    probes: [],
    pools: [
      {
        name: 'pool-web',
        addresses: Array.from({ length: SERVERS_PER_GATEWAY }, (_, k) => serverAddress(i, k)),
      },
    ],
    pairs: [{ pool: 'pool-web', settings: 'settings-https' }],
    tags: {},
    certificateNames: { trustedRoot: [], authentication: [] },
  },
});
const findings = Array.from({ length: n }, (_, i) => {
  const probeLog = PROBE_LOGS[i % PROBE_LOGS.length];
  const finding = {
    gateway: gatewayRef('00000000-0000-4000-8000-000000000001', `rg-bench-${i % 20}`, `appgw-${i}`),
    backendPool: 'pool-web',
    backendSettings: 'settings-https',
    address: serverAddress(i, 0),
    health: 'Unhealthy',
    state: 'unhealthy',
    probeLog,
    cause: classifyCause({ state: 'unhealthy', probeLog }),
  };
  return configured ? withConfiguration([finding], configurationOf(i))[0] : finding;
});

const hash = crypto.createHash('sha256');
const started = process.cpuUsage();
for (const finding of findings) {
  const insight = composeInsight(article, finding, now);
  hash.update(insight.markdown).update('\0').update(insight.html).update('\0').update(insight.summary);
}
const used = process.cpuUsage(started);
console.log(
  `${n} insights${configured ? ' (configured)' : ''}: ${((used.user + used.system) / 1000 / n).toFixed(3)} CPU ms per insight; sha256 ${hash.digest('hex')}`,
);
