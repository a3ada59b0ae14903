#!/usr/bin/env node
/**
 * The Functions app end to end on this machine: Azurite (blob, queue, table) and the backend-health
 * emulator on loopback, a local.settings.json pointing the app at both, then the Functions host
 * (`func start`, Azure Functions Core Tools) running the bundled app.
 *
 *   npm run func:local [-- --scenario FILE] [-- --force]
 *
 * - Needs Core Tools (`func` on PATH). Without it this starts nothing, says what to do instead, and
 *   exits 3: Core Tools is not an npm-registry package (its npm wrapper downloads the host at install
 *   time), so on machines that reach only package registries it cannot be installed.
 * - local.settings.json (gitignored) is written with a "generatedBy" mark; one without the mark is
 *   yours and is left alone unless --force.
 * - Ctrl-C stops the host, the emulator and Azurite.
 *
 * What runs: the timer `discoverGateways` every minute (APPGW_SCHEDULE below), one `evaluateGateway`
 * per gateway through the Azurite queue, insights and state in Azurite blobs, and
 * `GET http://localhost:7071/api/gateways/{subscription}/{resourceGroup}/{name}/insight`.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { setTimeout, clearTimeout } = require('node:timers');

const ROOT = path.resolve(__dirname, '..');
const SETTINGS_FILE = path.join(ROOT, 'local.settings.json');
const GENERATED_BY = 'npm run func:local (scripts/func-local.js)';
/** Azurite's well-known development account; the key is public (documented by Microsoft), not a secret. */
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const NO_CORE_TOOLS = `Azure Functions Core Tools (\`func\`) is not on PATH, so the Functions host cannot run here.
Nothing was started.

Install Core Tools v4 (https://learn.microsoft.com/azure/azure-functions/functions-run-local),
then run \`npm run func:local\` again. It is not an npm-registry package: \`npm i -g azure-functions-core-tools@4\`
downloads the host from outside the registry while installing, which fails where only package
registries are reachable.

Without Core Tools, the same code runs:
  npm run demo                                    the pipeline through the CLI against the emulator
  npx jest test/functions                         every function handler, called with a real
                                                  InvocationContext against the emulator and Azurite`;

async function main(argv) {
  const args = parseArgs(argv);
  const func = findFunc();
  if (!func) {
    console.error(NO_CORE_TOOLS);
    return 3;
  }
  if (fs.existsSync(SETTINGS_FILE) && !args.force && !isOurs(SETTINGS_FILE)) {
    console.error(
      `${path.relative(process.cwd(), SETTINGS_FILE)} exists and was not written by this script: ` +
        'move it away, or run with --force to replace it.',
    );
    return 2;
  }

  const children = [];
  const stopAll = () => {
    for (const child of children.reverse()) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  try {
    run('npm', ['run', '--silent', 'bundle']);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'appgw-func-local-'));
    const azurite = await startAzurite(work, children);
    const emulator = await startEmulator(args.scenario, work, children);
    const targets = JSON.parse(fs.readFileSync(emulator.config, 'utf8')).targets;
    writeSettings({ azurite, emulator, targets });
    console.log(
      [
        `Azurite:  blob ${azurite.blob}, queue ${azurite.queue}, table ${azurite.table}`,
        `Emulator: ${emulator.url} (targets ${targets.join(', ')})`,
        `Settings: ${path.relative(process.cwd(), SETTINGS_FILE)}`,
        'Starting the Functions host (func start); Ctrl-C stops everything.',
      ].join('\n'),
    );
    const host = spawn(func, ['start'], { cwd: ROOT, stdio: 'inherit' });
    children.push(host);
    const code = await new Promise((resolve) => host.once('exit', (c) => resolve(c ?? 0)));
    return code;
  } finally {
    stopAll();
  }
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--scenario' && argv[i + 1]) args.scenario = path.resolve(argv[++i]);
    else if (argv[i] === '--force') args.force = true;
    else throw new Error(`unknown argument ${argv[i]} (usage: func-local.js [--scenario FILE] [--force])`);
  }
  return args;
}

/** `func` on PATH (func.cmd on Windows), or undefined. */
function findFunc() {
  const name = process.platform === 'win32' ? 'func.cmd' : 'func';
  const probe = spawnSync(name, ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  return probe.error || probe.status !== 0 ? undefined : name;
}

function isOurs(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')).generatedBy === GENERATED_BY;
  } catch {
    return false;
  }
}

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
}

/** Azurite's three services, in memory, on loopback ports the OS picks. */
function startAzurite(cwd, children) {
  const main = path.join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'azurite.js');
  const args = ['blob', 'queue', 'table'].flatMap((s) => [`--${s}Host`, '127.0.0.1', `--${s}Port`, '0']);
  const child = spawn(
    process.execPath,
    [main, ...args, '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry', '--loose'],
    { cwd, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  const urls = {};
  return firstLines(child, 'Azurite', (line) => {
    const m = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/\S+)/.exec(line);
    if (m) urls[m[1].toLowerCase()] = m[2].replace(/\/+$/, '');
    return urls.blob && urls.queue && urls.table ? urls : undefined;
  });
}

/** The emulator CLI; its first stdout line is {"url","caCertFile","config"}. */
function startEmulator(scenario, work, children) {
  const args = [
    'emulator',
    '--port',
    '0',
    '--out',
    path.join(work, 'out'),
    ...(scenario ? ['--scenario', scenario] : []),
  ];
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'appgw-insights'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return firstLines(child, 'the emulator', (line) => (line.startsWith('{') ? JSON.parse(line) : undefined));
}

/** Resolves with the first value `pick` returns for a stdout line; rejects if the child exits first. */
function firstLines(child, what, pick) {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 60 s`)), 60_000);
    lines.on('line', (line) => {
      const value = pick(line);
      if (value) {
        clearTimeout(timer);
        resolve(value);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (code ${code}) before it was ready`));
    });
  });
}

function writeSettings({ azurite, emulator, targets }) {
  const account = (url) => `${url}/${AZURITE_ACCOUNT}`;
  const storage =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=${account(azurite.blob)};QueueEndpoint=${account(azurite.queue)};TableEndpoint=${account(azurite.table)};`;
  const settings = {
    generatedBy: GENERATED_BY,
    IsEncrypted: false,
    Values: {
      AzureWebJobsStorage: storage,
      FUNCTIONS_WORKER_RUNTIME: 'node',
      APPGW_SCHEDULE: '0 */1 * * * *',
      APPGW_TARGETS: targets.join(','),
      APPGW_ARM_ENDPOINT: emulator.url,
      APPGW_ARM_CA_CERT_FILE: emulator.caCertFile,
      APPGW_ARM_CREDENTIAL: 'development',
      APPGW_STORAGE_CONNECTION: 'AzureWebJobsStorage',
      APPGW_BLOB_CONTAINER: 'insights',
      APPGW_STATE_CONTAINER: 'appgw-state',
      APPGW_QUEUE_NAME: 'appgw-evaluate',
    },
  };
  fs.writeFileSync(SETTINGS_FILE, `${JSON.stringify(settings, null, 2)}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(`func:local: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
