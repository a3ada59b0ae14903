'use strict';
/**
 * What the ARM traffic of a run costs alone (issue 14: where a run's CPU goes): for N gateways of
 * bench:scale's scenario (bench/scale/scenario.js, over S subscriptions), each gateway's backend-health
 * POST and its poll after `Retry-After`, all at once, nothing else done (no classifying, rendering,
 * sinks or state), against the emulator in its own process, fresh for each mode:
 *
 * - `sdk`: through `@azure/core-rest-pipeline`'s default pipeline (retries, redirects, logging,
 *   tracing, user agent; a bearer token set by one policy) and HTTP client, with one keep-alive
 *   `https.Agent` of 128 sockets (src/adapters/arm/client.ts ARM_MAX_CONNECTIONS) for every request;
 * - `https`: node:https alone, with the same agent.
 *
 *   npm run bench:arm-floor [-- --gateways 5000] [-- --subscriptions 50]
 *
 * Prints, per mode, the gateways whose poll had the body, requests, wall seconds and this process's CPU
 * (user + system, process.cpuUsage) per gateway: the floor under bench:scale's "run CPU ms per gateway".
 * It asserts nothing.
 */
const { Buffer } = require('node:buffer');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { performance } = require('node:perf_hooks');
const { setTimeout } = require('node:timers');
const { buildScenario } = require('./scale/scenario');
const { readOptions } = require('./read-options');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'appgw-insights');
const { BACKEND_HEALTH_API_VERSION } = require(
  path.join(ROOT, 'dist', 'src', 'adapters', 'arm', 'backend-health-reader.js'),
);
const { ARM_MAX_CONNECTIONS } = require(path.join(ROOT, 'dist', 'src', 'adapters', 'arm', 'client.js'));

const USAGE = `Usage: npm run bench:arm-floor [-- OPTIONS]
  --gateways N        gateways (default 5000)
  --subscriptions S   subscriptions they are spread over (default 50)
  -h, --help          this text`;
const parsed = readOptions({ gateways: { type: 'string' }, subscriptions: { type: 'string' } }, USAGE);
const GATEWAYS = Number(parsed.gateways ?? 5000);
const SUBSCRIPTIONS = Number(parsed.subscriptions ?? 50);
for (const [name, n] of [
  ['--gateways', GATEWAYS],
  ['--subscriptions', SUBSCRIPTIONS],
])
  if (!Number.isInteger(n) || n < 1) {
    console.error(`error: ${name} takes a whole number from 1\n${USAGE}`);
    process.exit(2);
  }

/** The emulator serving `scenario` in its own process: its URL, CA file and child; stop() ends it. */
async function startEmulator(work) {
  const scenarioFile = path.join(work, 'scenario.json');
  fs.writeFileSync(
    scenarioFile,
    JSON.stringify(buildScenario({ gateways: GATEWAYS, subscriptions: SUBSCRIPTIONS })),
  );
  const child = spawn(
    process.execPath,
    [BIN, 'emulator', '--scenario', scenarioFile, '--port', '0', '--out', path.join(work, 'unused')],
    { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = readline.createInterface({ input: child.stdout });
  const info = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator exited (code ${code}) before it was ready`)));
    lines.on('line', (line) => line.startsWith('{') && resolve(JSON.parse(line)));
  });
  lines.close();
  return {
    ...info,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** The ids of the scenario's gateways, as its listing gives them (scenario.js). */
function gatewayIds() {
  const scenario = buildScenario({ gateways: GATEWAYS, subscriptions: SUBSCRIPTIONS });
  return scenario.gateways.map((g) => g.id);
}

/** `send(method, url)` → `{status, location, retryAfterInMs, body}` for `mode`. */
function sender(mode, ca) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: ARM_MAX_CONNECTIONS, ca });
  if (mode === 'https')
    return (method, url) =>
      new Promise((resolve, reject) => {
        const request = https.request(
          url,
          { method, agent, headers: { authorization: 'Bearer bench', 'content-length': 0 } },
          (answer) => {
            const chunks = [];
            answer.on('data', (c) => chunks.push(c));
            answer.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({
                status: answer.statusCode,
                location: answer.headers.location,
                retryAfterInMs: 1000 * Number(answer.headers['retry-after'] ?? 1),
                body: text ? JSON.parse(text) : undefined,
              });
            });
          },
        );
        request.on('error', reject);
        request.end();
      });
  const rest = require('@azure/core-rest-pipeline');
  const pipeline = rest.createPipelineFromOptions({ userAgentOptions: { userAgentPrefix: 'arm-floor' } });
  pipeline.addPolicy({
    name: 'benchToken',
    sendRequest: (request, next) => {
      request.headers.set('authorization', 'Bearer bench');
      return next(request);
    },
  });
  const client = rest.createDefaultHttpClient();
  return async (method, url) => {
    const request = rest.createPipelineRequest({ url, method });
    request.agent = agent; // one pool for every request, as the product's one HTTP client has
    const answer = await pipeline.sendRequest(client, request);
    return {
      status: answer.status,
      location: answer.headers.get('location'),
      retryAfterInMs: 1000 * Number(answer.headers.get('retry-after') ?? 1),
      body: answer.bodyAsText ? JSON.parse(answer.bodyAsText) : undefined,
    };
  };
}

async function measure(mode, ids) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'appgw-bench-arm-floor-'));
  let emulator;
  try {
    emulator = await startEmulator(work);
    const send = sender(mode, fs.readFileSync(emulator.caCertFile, 'utf8'));
    const started = performance.now();
    const cpu = process.cpuUsage();
    let withBody = 0;
    let requests = 0;
    let throttled = 0;
    await Promise.all(
      ids.map(async (id) => {
        let answer = await send(
          'POST',
          `${emulator.url}${id}/backendhealth?api-version=${BACKEND_HEALTH_API_VERSION}`,
        );
        requests++;
        while (answer.status === 202 || answer.status === 429) {
          if (answer.status === 429) throttled++;
          await new Promise((resolve) => setTimeout(resolve, answer.retryAfterInMs));
          answer = await send('GET', answer.location);
          requests++;
        }
        if (answer.status === 200 && answer.body) withBody++;
      }),
    );
    const used = process.cpuUsage(cpu);
    const cpuInMs = (used.user + used.system) / 1000;
    console.log(
      `${mode.padEnd(5)} ${ids.length} gateways, ${withBody} with their body, ${requests} requests (${throttled} 429), ` +
        `wall ${((performance.now() - started) / 1000).toFixed(2)} s, CPU ${(cpuInMs / 1000).toFixed(2)} s = ` +
        `${(cpuInMs / ids.length).toFixed(3)} ms per gateway`,
    );
  } finally {
    // Removed whether or not the emulator started (one that exited early left its folder behind).
    await emulator?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

(async () => {
  const ids = gatewayIds();
  console.log(
    `node ${process.version}, ${os.cpus().length} CPU(s); ${GATEWAYS} gateways over ${SUBSCRIPTIONS} subscription(s): POST and one poll each, nothing else`,
  );
  for (const mode of ['sdk', 'https']) await measure(mode, ids);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
