import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Azurite's well-known development account. The key is public (documented by Microsoft), not a secret. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * A connection string with Azurite's well-known development account and key (public, in Azurite's own
 * documentation) for these endpoints: Azurite's, or a test's own server that stands in for an account.
 */
export function azuriteConnectionString(blobEndpoint: string, queueEndpoint?: string): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=${blobEndpoint};${queueEndpoint ? `QueueEndpoint=${queueEndpoint};` : ''}`
  );
}

export interface AzuriteOptions {
  /** Also start the queue service. */
  readonly queue?: boolean;
  /**
   * Keep data in files under the run's temp folder instead of memory: for long runs (the soak), which
   * would outgrow the in-memory store's 64 MiB. Removed by stop() either way.
   */
  readonly onDisk?: boolean;
  readonly startTimeoutInMs?: number;
}

export interface Azurite {
  /** http://127.0.0.1:<port>/devstoreaccount1 */
  readonly blobEndpoint: string;
  readonly queueEndpoint?: string;
  /** Shared-key connection string for the well-known account. */
  readonly connectionString: string;
  readonly accountName: string;
  readonly accountKey: string;
  /** Milliseconds from spawn until every service listened. */
  readonly startTimeInMs: number;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '../..');
const SERVICES = {
  blob: path.join(ROOT, 'node_modules/azurite/dist/src/blob/main.js'),
  queue: path.join(ROOT, 'node_modules/azurite/dist/src/queue/main.js'),
} as const;

/**
 * Starts Azurite (one child process per service, in-memory, loopback, a port the OS picks) and resolves
 * once each service listens. Use one per test file: `beforeAll(startAzurite)`, `afterAll(() => a.stop())`.
 * The children exit on their own when this process dies (they watch their IPC channel).
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const started = Date.now();
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'azurite-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    rmSync(cwd, { recursive: true, force: true });
  };
  try {
    const timeout = options.startTimeoutInMs ?? 30_000;
    const [blob, queue] = await Promise.all([
      startService('blob', cwd, timeout, children, options.onDisk),
      options.queue
        ? startService('queue', cwd, timeout, children, options.onDisk)
        : Promise.resolve(undefined),
    ]);
    const blobEndpoint = `${blob}/${AZURITE_ACCOUNT}`;
    const queueEndpoint = queue ? `${queue}/${AZURITE_ACCOUNT}` : undefined;
    return {
      blobEndpoint,
      ...(queueEndpoint ? { queueEndpoint } : {}),
      connectionString: azuriteConnectionString(blobEndpoint, queueEndpoint),
      accountName: AZURITE_ACCOUNT,
      accountKey: AZURITE_KEY,
      startTimeInMs: Date.now() - started,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Spawns one Azurite service and resolves with its base URL (`http://127.0.0.1:<port>`). */
function startService(
  service: keyof typeof SERVICES,
  cwd: string,
  timeoutInMs: number,
  children: ChildProcess[],
  onDisk = false,
): Promise<string> {
  const main = SERVICES[service];
  // Exit when the test process goes away (IPC channel closes), then run Azurite's own entry point.
  const bootstrap =
    `process.on('disconnect', () => process.exit(0));` +
    `process.argv = [process.argv[0], ${JSON.stringify(main)}, ...process.argv.slice(1)];` +
    `require(${JSON.stringify(main)});`;
  const args = [
    `--${service}Host`,
    '127.0.0.1',
    `--${service}Port`,
    '0', // the OS picks a free port; Azurite prints it
    ...(onDisk ? ['--location', cwd] : ['--inMemoryPersistence', '--extentMemoryLimit', '64']),
    '--silent',
    '--loose',
    '--skipApiVersionCheck',
    '--disableTelemetry',
  ];
  const child = spawn(nodeBinary(), ['-e', bootstrap, '--', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.push(child);
  return new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`timed out after ${timeoutInMs} ms`)), timeoutInMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`Azurite ${service} did not start: ${error.message}\n${output}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const listening = /successfully listens on (http:\/\/[^\s]+)/.exec(output);
      if (listening?.[1]) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining so the child never blocks on a full pipe
        resolve(listening[1].replace(/\/+$/, ''));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`exited (code ${code}, signal ${signal})`)));
    // Do not keep the test process alive for Azurite's sake.
    child.unref();
    child.channel?.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  });
}

/** Killed outright: in memory there is nothing to flush, and files on disk are removed with the folder. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Azurite 3.37 needs Node 22; jest may run under another Node, so use the project's when it does. */
function nodeBinary(): string {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 22 ? process.execPath : path.join(ROOT, 'node_modules/node/bin/node');
}
