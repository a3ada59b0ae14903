import { QueueClient } from '@azure/storage-queue';
import { BlobServiceClient } from '@azure/storage-blob';
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { emulatorArmSettings } from '../helpers/emulator-settings';
import { drainTriggerMessages, nextTriggerMessages } from '../helpers/queue-messages';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { startIdentityEndpoint, tokenAnswer } from '../helpers/loopback-identity';
import { SUB, gateway, gatewayId } from '../helpers/scenario-builder';

const { OUT_FILE } = require('../../scripts/bundle.js') as { OUT_FILE: string };

/**
 * The deployed app: the esbuild bundle (scripts/bundle.js) that package.json "main" points at, run the
 * way Azure runs it, from a folder holding only what .funcignore lets into the deployment package (no
 * node_modules), in fresh Node 22 processes. Built once here, so the test checks the current source.
 */
const ROOT = path.resolve(__dirname, '../..');
// The project's Node 22 (the Azure SDKs need it), also when jest itself runs on an older Node.
const NODE =
  Number(process.versions.node.split('.')[0]) >= 22
    ? process.execPath
    : path.join(ROOT, 'node_modules/.bin/node');
const MAIN: string = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).main;

/** Core Tools' .funcignore matcher (GitIgnoreParser.cs): prefix regexes; any "!" line wins. */
function coreToolsAccepts(funcignore: string): (file: string) => boolean {
  const escape = (p: string) =>
    p
      .replace(/[-[\]/{}()+?.\\^$|]/g, '\\$&')
      .replace(/\*\*/g, '(.+)')
      .replace(/\*/g, '([^\\/]+)');
  const lists: [string[], string[]] = [[], []];
  for (let line of funcignore.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const negative = line.startsWith('!');
    if (negative) line = line.slice(1);
    if (line.startsWith('/')) line = line.slice(1);
    lists[negative ? 1 : 0].push(escape(line));
  }
  const [positive, negative] = lists.map((l) =>
    l.length ? new RegExp(`^((${l.sort().join(')|(')}))\\b`) : /$^/,
  ) as [RegExp, RegExp];
  return (file) => negative.test(file) || !positive.test(file);
}

function listFiles(dir: string, skip: ReadonlySet<string>, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix + entry.name;
    if (skip.has(rel)) return [];
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), skip, `${rel}/`) : [rel];
  });
}

interface ChildPlan {
  bundle: string;
  /** Provide `@azure/functions-core` as the worker does: by proxying Module.prototype.require. */
  worker?: boolean;
  /** Record file-system, network and process calls while the bundle loads and preloads its SDKs. */
  watchIo?: boolean;
  preload?: boolean;
  calls?: { fn: string; input: unknown; invocationId?: string; http?: boolean }[];
}

interface ChildReport {
  io: string[];
  registered: { name: string; bindings: string[] }[];
  hooks: string[];
  preloaded?: string[];
  results: { fn: string; ok: boolean; value?: unknown; error?: string }[];
}

/** Runs in the child: what the worker would do with the bundle, reported as JSON on the last line. */
const RUNNER = `'use strict';
const Module = require('node:module');
const plan = JSON.parse(process.argv[2]);
const report = { io: [], registered: [], hooks: [], results: [] };
const handlers = new Map();
if (plan.worker) {
  const core = {
    setProgrammingModel() {},
    registerFunction(metadata, handler) {
      handlers.set(metadata.name, handler);
      report.registered.push({ name: metadata.name, bindings: Object.values(metadata.bindings).map((b) => b.type + ':' + b.direction).sort() });
      return { dispose() {} };
    },
    registerHook(name) { report.hooks.push(name); return { dispose() {} }; },
  };
  const original = Module.prototype.require;
  Module.prototype.require = function (id) { return id === '@azure/functions-core' ? core : original.apply(this, arguments); };
}
let watching = false;
function watch(object, label, names) {
  for (const name of names) {
    const original = object[name];
    if (typeof original !== 'function') continue;
    object[name] = function (...args) {
      if (watching) report.io.push(label + '.' + name + ' ' + String(args[0]).slice(0, 160));
      return original.apply(this, args);
    };
  }
}
if (plan.watchIo) {
  const fs = require('node:fs');
  const fsNames = Object.keys(fs).filter((k) => /^[a-z]/.test(k) && !/^(constants|promises|Stats|Dirent|Dir)$/.test(k));
  watch(fs, 'fs', fsNames);
  watch(fs.promises, 'fs.promises', Object.keys(fs.promises));
  watch(require('node:net').Socket.prototype, 'net.Socket', ['connect']);
  watch(require('node:dns'), 'dns', ['lookup', 'resolve', 'resolve4', 'resolve6']);
  watch(require('node:dns').promises, 'dns.promises', ['lookup', 'resolve']);
  watch(require('node:child_process'), 'child_process', ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']);
  watching = true;
}
const app = require(plan.bundle);
if (plan.preload) report.preloaded = app.preloadSdks();
watching = false;
// Not app I/O: the Node loader reading the bundle file itself, and console output (the test-mode
// warnings) when stdout/stderr are files rather than pipes.
report.io = report.io.filter((line) => !line.endsWith(' ' + plan.bundle) && !/^fs\\.write(Sync)? [12]$/.test(line));
const context = (invocationId) => ({
  invocationId: invocationId || 'bundle-test',
  functionName: 'bundle-test',
  triggerMetadata: { dequeueCount: 1 },
  log() {}, info() {}, debug() {}, trace() {}, warn() {}, error() {},
});
const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
(async () => {
  for (const call of plan.calls || []) {
    const input = call.http
      ? { method: 'GET', url: 'http://localhost/', params: call.input.params, headers: new Headers(call.input.headers), query: new URLSearchParams() }
      : call.input === 'timer' ? timer : call.input;
    try {
      report.results.push({ fn: call.fn, ok: true, value: await handlers.get(call.fn)(input, context(call.invocationId)) });
    } catch (error) {
      report.results.push({ fn: call.fn, ok: false, error: String(error && error.stack || error) });
    }
  }
})().then(() => process.stdout.write('\\n' + JSON.stringify(report) + '\\n'));
`;

describe('deployed bundle (npm run bundle → package.json "main")', () => {
  let work: string;
  let deploy: string;
  let runner: string;
  let bundleText: string;
  let metafile: { inputs: Record<string, unknown> };
  let accepts: (file: string) => boolean;

  /** Async: the ARM emulator answers from this process, so its event loop must keep running. */
  async function runChild(plan: ChildPlan, env: NodeJS.ProcessEnv = {}) {
    const cwd = mkdtempSync(path.join(work, 'cwd-'));
    const child = spawn(NODE, [runner, JSON.stringify(plan)], {
      cwd,
      env: { PATH: process.env['PATH'], ...env },
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const last = stdout.trim().split('\n').pop() ?? '';
    const report: ChildReport | undefined = last.startsWith('{') ? JSON.parse(last) : undefined;
    return { status, stderr, report, cwdEntries: readdirSync(cwd) };
  }

  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'appgw-bundle-'));
    // Built into this test's own folder (the same script as `npm run bundle`, which writes app/), so a
    // bundle being rebuilt in the project meanwhile cannot race with the test.
    const build = path.join(work, 'build');
    const built = spawnSync(
      NODE,
      [
        'scripts/bundle.js',
        '--quiet',
        '--outfile',
        path.join(build, 'index.js'),
        '--metafile',
        path.join(work, 'meta.json'),
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (built.status !== 0) throw new Error(`scripts/bundle.js failed:\n${built.stdout}${built.stderr}`);
    metafile = JSON.parse(readFileSync(path.join(work, 'meta.json'), 'utf8'));

    // The deployment package: every project file .funcignore lets through (Core Tools' reading), with
    // the fresh bundle as app/ (the project's own app/ may be stale or absent).
    accepts = coreToolsAccepts(readFileSync(path.join(ROOT, '.funcignore'), 'utf8'));
    deploy = path.join(work, 'wwwroot');
    const project = listFiles(ROOT, new Set(['node_modules', '.git', 'app'])).filter(accepts);
    for (const file of project) {
      mkdirSync(path.dirname(path.join(deploy, file)), { recursive: true });
      cpSync(path.join(ROOT, file), path.join(deploy, file));
    }
    for (const file of readdirSync(build)) cpSync(path.join(build, file), path.join(deploy, 'app', file));
    bundleText = readFileSync(path.join(deploy, MAIN), 'utf8');
    runner = path.join(work, 'runner.js');
    writeFileSync(runner, RUNNER);
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('deploys app/ (package.json "main" points into it), host.json, package.json and articles/, nothing else', () => {
    // What scripts/bundle.js writes by default is what "main" names, in the project and when deployed.
    expect(path.join(ROOT, MAIN)).toBe(OUT_FILE);
    expect(JSON.parse(readFileSync(path.join(deploy, 'package.json'), 'utf8')).main).toBe(MAIN);
    expect(statSync(path.join(deploy, MAIN)).isFile()).toBe(true);
    for (const file of ['app/index.js', 'app/index.js.map'])
      expect([file, accepts(file)]).toEqual([file, true]);
    const deployed = listFiles(deploy, new Set()).sort();
    expect(deployed).toContain('articles/degraded-backend-server-health.md');
    expect(deployed.filter((f) => !/^(app|articles)\//.test(f))).toEqual(['host.json', 'package.json']);
    for (const file of [
      'node_modules/zod/index.js',
      'node_modules/.bin/tsc',
      'dist/src/cli/main.js',
      'src/ports.ts',
    ]) {
      expect([file, accepts(file)]).toEqual([file, false]);
    }
  });

  it('bundles everything but @azure/functions-core (the worker provides it), @azure/identity included', () => {
    expect(bundleText).toContain('require("@azure/functions-core")');
    const required = new Set([...bundleText.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]));
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect([...required].filter((name) => !builtins.has(name as string)).sort()).toEqual([
      '@azure/functions-core',
    ]);
    // The managed identity is @azure/identity's ManagedIdentityCredential (MSAL's managed-identity client).
    expect(Object.keys(metafile.inputs).some((f) => f.includes('node_modules/@azure/msal-node/'))).toBe(true);
  });

  it('keeps only the application-gateway operations of @azure/arm-network', () => {
    expect(bundleText).toContain('/backendhealth');
    expect(bundleText).toContain('/providers/Microsoft.Network/applicationGateways');
    for (const unused of [
      '/virtualNetworkGateways/',
      'expressRouteCircuits',
      '/azureFirewalls/',
      '/bastionHosts/',
    ]) {
      expect([unused, bundleText.includes(unused)]).toEqual([unused, false]);
    }
    // From node_modules/ on: a node_modules that is a link elsewhere is named by its real path.
    const armInputs = Object.keys(metafile.inputs)
      .filter((f) => f.includes('node_modules/@azure/arm-network/'))
      .map((f) => f.slice(f.indexOf('node_modules/')));
    expect(armInputs.filter((f) => /\/dist\/esm\/(classic|networkManagementClient)/.test(f))).toEqual([]);
    expect(armInputs.filter((f) => /\/dist\/esm\/api\/\w+\/operations\.js$/.test(f))).toEqual([
      'node_modules/@azure/arm-network/dist/esm/api/applicationGateways/operations.js',
    ]);
  });

  it('loads outside the worker from the deployment folder alone: test-mode warnings, no error, no I/O', async () => {
    const { status, stderr, report, cwdEntries } = await runChild({
      bundle: path.join(deploy, MAIN),
      watchIo: true,
      preload: true,
    });
    expect(status).toBe(0);
    expect(stderr).toContain('Switching "@azure/functions" package to test mode');
    expect(stderr.split('\n').filter((line) => line.trim() && !line.startsWith('WARNING: '))).toEqual([]);
    // No file, network or process calls while loading the app and every SDK it loads on first use.
    expect(report?.io).toEqual([]);
    // Loaded on first use, so the entry alone (what the worker loads before the first call) has none.
    expect(report?.preloaded).toEqual([
      '@azure/arm-network',
      '@azure/arm-resourcegraph',
      '@azure/identity',
      '@azure/storage-blob', // a report.json or status page over 1 Mi characters, in blocks
      '@azure/storage-queue',
      'cron-parser', // only for an APPGW_SCHEDULE other than the default (src/config/schedule.ts)
    ]);
    expect(cwdEntries).toEqual([]);
  });

  it('registers the same functions and hooks as the source, through the worker-provided @azure/functions-core', async () => {
    const { status, report } = await runChild({ bundle: path.join(deploy, MAIN), worker: true });
    expect(status).toBe(0);

    const fromSource: ChildReport = { io: [], registered: [], hooks: [], results: [] };
    jest.isolateModules(() => {
      jest.doMock(
        '@azure/functions-core',
        () => ({
          setProgrammingModel: () => {},
          registerFunction: (metadata: {
            name: string;
            bindings: Record<string, { type: string; direction: string }>;
          }) => {
            fromSource.registered.push({
              name: metadata.name,
              bindings: Object.values(metadata.bindings)
                .map((b) => `${b.type}:${b.direction}`)
                .sort(),
            });
            return { dispose: () => {} };
          },
          registerHook: (name: string) => {
            fromSource.hooks.push(name);
            return { dispose: () => {} };
          },
        }),
        { virtual: true },
      );
      require('../../functions/index');
    });
    expect(fromSource.registered.length).toBeGreaterThan(0);
    expect(report?.registered).toEqual(fromSource.registered);
    expect(report?.hooks).toEqual(fromSource.hooks);
  });

  describe('runs from the deployment folder against Azurite and the ARM emulator', () => {
    let azurite: Azurite;
    let emulator: RunningEmulator;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      azurite = await startAzurite({ queue: true });
      emulator = await startEmulator({
        scenario: {
          gateways: [
            gateway('gw-good', [
              { address: '10.1.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' },
              { address: '10.1.0.5', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
            ]),
            gateway('gw-other', [{ address: '10.3.0.4', health: 'Healthy' }], {}, 'rg-other'),
          ],
        } as never,
      });
      env = {
        AzureWebJobsStorage: azurite.connectionString,
        APPGW_TARGETS: `/subscriptions/${SUB}`,
        ...emulatorArmSettings(emulator),
        APPGW_BLOB_CONTAINER: 'insights',
      };
    }, 60_000);
    afterAll(async () => {
      await Promise.all([azurite?.stop(), emulator?.close()]);
    });

    it('timer → queue → evaluate → blobs, and the HTTP insight (listAll, list, backendHealth)', async () => {
      const bundle = path.join(deploy, MAIN);
      const queue = new QueueClient(azurite.connectionString, 'appgw-evaluate');

      const discover = await runChild(
        {
          bundle,
          worker: true,
          calls: [{ fn: 'discoverGateways', input: 'timer', invocationId: 'bundle-run' }],
        },
        env,
      );
      expect(discover.report?.results).toEqual([{ fn: 'discoverGateways', ok: true }]);
      const messages = await drainTriggerMessages(queue);
      expect(messages).toEqual(
        expect.arrayContaining([
          {
            version: 1,
            runId: 'bundle-run',
            gatewayId: gatewayId('gw-good'),
            discoveredAt: expect.any(String),
            configuration: expect.any(Object),
          },
          {
            version: 1,
            runId: 'bundle-run',
            gatewayId: gatewayId('gw-other', 'rg-other'),
            discoveredAt: expect.any(String),
            configuration: expect.any(Object),
          },
        ]),
      );

      const evaluate = await runChild(
        {
          bundle,
          worker: true,
          calls: [
            ...messages.map((input) => ({ fn: 'evaluateGateway', input })),
            {
              fn: 'gatewayInsight',
              http: true,
              input: {
                params: { subscription: SUB, resourceGroup: 'rg-test', name: 'gw-good' },
                headers: { accept: 'application/json' },
              },
            },
          ],
        },
        env,
      );
      expect(evaluate.stderr).not.toMatch(/Error/);
      const results = evaluate.report?.results ?? [];
      expect(results.map((r) => [r.fn, r.ok, r.error])).toEqual([
        ['evaluateGateway', true, undefined],
        ['evaluateGateway', true, undefined],
        ['gatewayInsight', true, undefined],
      ]);
      // Each gateway's operation runs: its continuations are the next invocations, until the body is in.
      let continuations = await drainTriggerMessages(queue);
      expect(continuations).toEqual(
        [gatewayId('gw-good'), gatewayId('gw-other', 'rg-other')].map((id) =>
          expect.objectContaining({ version: 2, runId: 'bundle-run', gatewayId: id }),
        ),
      );
      for (let round = 0; continuations.length > 0 && round < 5; round++) {
        const polled = await runChild(
          { bundle, worker: true, calls: continuations.map((input) => ({ fn: 'evaluateGateway', input })) },
          env,
        );
        expect(polled.report?.results.every((r) => r.fn === 'evaluateGateway' && r.ok)).toBe(true);
        // A repeated Retry-After: 0 hides the next continuation a little (core/retry-after.ts).
        continuations = await nextTriggerMessages(queue);
      }
      expect(continuations).toEqual([]);
      expect(results[2]?.value).toMatchObject({
        status: 200,
        jsonBody: {
          gateway: { name: 'gw-good', ok: true },
          insights: [expect.objectContaining({ path: expect.stringContaining('10.1.0.4') })],
        },
      });

      const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
        'insights',
      );
      const good = JSON.parse(
        (
          await blobs.getBlobClient(`runs/bundle-run/gateways/${SUB}/rg-test/gw-good.json`).downloadToBuffer()
        ).toString(),
      );
      expect(good.gateways[0]).toMatchObject({
        ok: true,
        findings: [expect.objectContaining({ address: '10.1.0.4' })],
      });
      const names: string[] = [];
      for await (const blob of blobs.listBlobsFlat({ prefix: 'latest/insights/' })) names.push(blob.name);
      expect(names.filter((n) => n.endsWith('.html'))).toHaveLength(1);

      // A resource-group target lists with `list` instead of `listAll`.
      const byGroup = await runChild(
        {
          bundle,
          worker: true,
          calls: [{ fn: 'discoverGateways', input: 'timer', invocationId: 'bundle-rg' }],
        },
        { ...env, APPGW_TARGETS: `/subscriptions/${SUB}/resourceGroups/rg-other` },
      );
      expect(byGroup.report?.results).toEqual([{ fn: 'discoverGateways', ok: true }]);
      expect(await drainTriggerMessages(queue)).toEqual([
        {
          version: 1,
          runId: 'bundle-rg',
          gatewayId: gatewayId('gw-other', 'rg-other'),
          discoveredAt: expect.any(String),
          configuration: expect.any(Object),
        },
      ]);

      const calls = emulator.requests.map((r) => `${r.method} ${r.path} ${r.query['api-version']}`);
      expect(calls).toEqual(
        expect.arrayContaining([
          `GET /subscriptions/${SUB}/providers/Microsoft.Network/applicationGateways 2026-01-01`,
          `GET /subscriptions/${SUB}/resourceGroups/rg-other/providers/Microsoft.Network/applicationGateways 2026-01-01`,
          `POST ${gatewayId('gw-good')}/backendhealth 2026-01-01`,
        ]),
      );
    }, 120_000);

    it("in a Function App, ARM's token comes from the host's identity endpoint (ManagedIdentityCredential in the bundle)", async () => {
      const idp = await startIdentityEndpoint('host-secret');
      try {
        const insight = (name: string) => ({
          fn: 'gatewayInsight',
          http: true,
          input: {
            params: { subscription: SUB, resourceGroup: 'rg-test', name },
            headers: { accept: 'application/json' },
          },
        });
        const managed = {
          ...env,
          APPGW_ARM_CREDENTIAL: 'default',
          IDENTITY_ENDPOINT: idp.url,
          IDENTITY_HEADER: 'host-secret',
        };
        idp.answerWith(() => tokenAnswer('bundle-mi-token'));
        const good = await runChild(
          { bundle: path.join(deploy, MAIN), worker: true, calls: [insight('gw-good')] },
          managed,
        );
        expect(good.report?.results[0]).toMatchObject({ ok: true, value: { status: 200 } });
        expect(idp.requests[0]?.url.searchParams.get('resource')).toBe('https://management.azure.com');

        idp.answerWith(() => ({
          status: 400,
          body: { message: 'No managed identity found for specified ClientId/ResourceId/PrincipalId.' },
        }));
        const refused = await runChild(
          { bundle: path.join(deploy, MAIN), worker: true, calls: [insight('gw-good')] },
          managed,
        );
        expect(refused.report?.results[0]).toMatchObject({
          ok: true,
          value: {
            status: 502,
            jsonBody: {
              gateway: gatewayId('gw-good'),
              error: {
                code: 'AuthenticationFailed',
                message: expect.stringContaining(
                  "The Function App's system-assigned managed identity could not get a token for https://management.azure.com",
                ),
              },
            },
          },
        });
      } finally {
        await idp.close();
      }
    }, 120_000);
  });
});
