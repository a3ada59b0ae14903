/**
 * A stop signal before `run`'s own handler is installed (its modules loading, its configuration being
 * read): caught from the bin's first moment (src/cli/early-stop.ts), never a silent kill. The run is
 * held before it starts by reading its configuration from standard input (`--config=-`), which the test
 * keeps open and never writes: no wall clock involved.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT, assertBuilt, type CliResult } from '../helpers/cli';

beforeAll(assertBuilt);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-stopped-early-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PREVIOUS_REPORT = '{"previous":"report"}\n';

/** An `--out` folder holding a previous run's report.json. */
async function previousOut(name: string): Promise<string> {
  const out = path.join(dir, name, 'out');
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, 'report.json'), PREVIOUS_REPORT);
  return out;
}

/** `run --config=- --out OUT`, its standard input kept open (ended once it exited). */
function startRun(out: string): { child: ChildProcess; exited: Promise<CliResult> } {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'appgw-insights'), 'run', '--config=-', '--out', out],
    { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.on('error', () => undefined); // EPIPE once it exited
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin!.destroy();
      resolve({ code, stdout, stderr });
    });
  });
  return { child, exited };
}

/**
 * Resolves once the process catches SIGHUP (bit 0 of SigCgt in /proc, Linux): Node itself catches
 * SIGINT and SIGTERM from its start, SIGHUP only once JavaScript listens, and the bin's early handler
 * listens to all three at once, before the verb's modules are loaded.
 */
async function catchesSignals(pid: number): Promise<void> {
  for (;;) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    if (caught !== undefined && (BigInt(`0x${caught}`) & 1n) === 1n) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const STOPPED_BEFORE =
  /^appgw-insights run: (SIG[A-Z]+): stopped before the run started: no gateway was checked and nothing was written \(the previous report\.json, notify state and status page are untouched\)$/m;

// /proc tells when the bin listens: these cases need Linux, as CI (.ci/run) is.
describe('run, stopped before the run started (a real CLI process, Linux)', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s as soon as the bin listens, before the run started: stderr says so, nothing is written, report.json is untouched; exit %i',
    async (signal, expected) => {
      const out = await previousOut(signal);
      const run = startRun(out);
      await catchesSignals(run.child.pid!);
      run.child.kill(signal);
      const result = await run.exited;
      expect(result.code).toBe(expected);
      expect(STOPPED_BEFORE.exec(result.stderr)?.[1]).toBe(signal);
      expect(result.stderr).not.toContain('stopping: no new gateway');
      expect(result.stdout).toBe('');
      expect(await readdir(out)).toEqual(['report.json']);
      expect(await readFile(path.join(out, 'report.json'), 'utf8')).toBe(PREVIOUS_REPORT);
    },
  );
});
