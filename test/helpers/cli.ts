import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'appgw-insights');

/** The built CLI must exist: `npm test` builds first (the bin runs dist/, as users get it). */
export function assertBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist/src/cli/main.js'))) throw new Error('run `npm run build` first');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real bin with this Node (22, from the project's devDependency) and waits for it. */
export function runCli(args: string[], cwd = ROOT, env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the real bin with `input` on its standard input (`evaluate -`). */
export function runCliWithInput(args: string[], input: Buffer | string, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The `--out` folders given to emulators started without one (below), removed after the test file. */
const emulatorOuts: string[] = [];
afterAll(async () => {
  await Promise.all(emulatorOuts.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * `args` with `--out` a fresh temporary folder when they start the emulator without one: its default,
 * `./out`, is the working tree here, and its config keeps the runs' state there (`<--out>/.appgw-state`).
 */
function withEmulatorOut(args: string[]): string[] {
  if (args[0] !== 'emulator' || args.includes('--out')) return args;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'appgw-emulator-out-'));
  emulatorOuts.push(dir);
  return [...args, '--out', dir];
}

/**
 * Starts the CLI (`args`, e.g. `['run', '--config', FILE]`) as a user would (the built bin, its own
 * process, with `env`): the child, to signal, and its result once it exits (stdout and stderr whole).
 */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcess; exited: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, exited };
}

/** Starts a long-running verb and resolves with its first stdout line. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; firstLine: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...withEmulatorOut(args)], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (firstLine) => resolve({ child, firstLine }));
    child.once('exit', (code) => reject(new Error(`exited ${code} before its first line: ${stderr}`)));
  });
}

export function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}
