import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, ROOT } from '../helpers/cli';

/**
 * The README's "Try the emulator by hand" snippet, run as pasted (issue 15: it once read the emulator's
 * JSON before the emulator had written it). Only `npx appgw-insights` is pointed at the built bin: npx
 * would link the project into npm's cache and build it again, which a test must not do. Job control is
 * on (`set -m`), as in the interactive shell the snippet is pasted into, so `kill %1` reaches the
 * emulator's whole process group as it does there.
 */
const BIN = path.join(ROOT, 'bin', 'appgw-insights');

/** The first ```sh block after the line that introduces the snippet. */
export function readmeEmulatorSnippet(readme: string): string {
  const start = readme.indexOf('Try the emulator by hand');
  if (start < 0) throw new Error('README: no "Try the emulator by hand" section');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start));
  if (!block?.[1]) throw new Error('README: no sh block after "Try the emulator by hand"');
  return block[1];
}

function runBash(
  script: string,
  cwd: string,
  limitInMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A snippet that hangs (waits for a file never written) is a failure, not a stuck test run.
    const limit = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), limitInMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(assertBuilt);

describe('README: the emulator snippet works when pasted', () => {
  it('waits for --config-out, runs against it, and kill %1 stops the emulator and removes the file', async () => {
    const snippet = readmeEmulatorSnippet(await readFile(path.join(ROOT, 'README.md'), 'utf8'));
    expect(snippet).toContain('--config-out');
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'appgw-readme-'));
    const script = [
      'set -m',
      `npx() { if [ "$1" = appgw-insights ]; then shift; "${process.execPath}" "${BIN}" "$@"; else command npx "$@"; fi; }`,
      snippet,
      // What the snippet left behind: the emulator must have stopped (wait returns) and removed FILE.
      // `wait` waits for the job (npx), not the emulator under it, which removes FILE as it stops: a
      // loaded CI machine saw it a moment later (10 s is a margin no busy machine reaches).
      'wait',
      'for _ in $(seq 100); do [ -e "$dir/emulator.json" ] || break; sleep 0.1; done',
      'echo "left in dir: [$(ls -A "$dir")]"',
      'echo "dir=$dir"',
    ].join('\n');
    // Far above what the snippet takes (a few seconds) on a busy machine.
    let dir: string | undefined;
    try {
      const { code, stdout, stderr } = await runBash(script, cwd, 150_000);
      dir = /^dir=(.+)$/m.exec(stdout)?.[1];
      expect({ code, stderr: stderr.replace(/^.*Terminated.*$/gm, '').trim() }).toEqual({
        code: 0,
        stderr: '',
      });
      const reportStart = stdout.indexOf('{\n  "schemaVersion"');
      expect(reportStart).toBeGreaterThanOrEqual(0);
      expect(stdout).toContain('"ok": true');
      // The run wrote into the snippet's folder, never ./out (where the demo's status page is).
      expect(stdout).toContain('left in dir: [out]');
      expect(existsSync(path.join(dir as string, 'out', 'report.json'))).toBe(true);
      expect(existsSync(path.join(dir as string, 'out', 'index.html'))).toBe(true);
      expect(existsSync(path.join(cwd, 'out'))).toBe(false);
    } finally {
      await rm(cwd, { recursive: true, force: true });
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
