import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT, assertBuilt } from '../helpers/cli';

beforeAll(assertBuilt);
jest.setTimeout(180_000);

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(os.tmpdir(), 'appgw-demo-stop-'));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/**
 * The demo stopped by a signal says so, as `run` does (issue 15 trial: Ctrl-C gave exit 130 and an
 * empty stderr): a line when the signal arrives, the summary with the interruption, a closing line
 * naming the run it stopped in, and 128 + the signal's number. Sent as soon as the demo has started.
 */
describe('demo interrupted', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: says it was interrupted, in which run, exit %i', async (signal, exit) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'appgw-insights'), 'demo', '--out', path.join(temp, 'out')],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && stdout.includes('checking…')) {
        sent = true;
        child.kill(signal);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(exit);
    expect(stderr).toContain(`${signal}: stopping the demo`);
    expect(stderr).toMatch(new RegExp(`demo: interrupted by ${signal} in run [1-3] of 3`));
    expect(stdout).toContain(`✗ interrupted: The run was stopped by ${signal}`);
    expect(stderr).not.toMatch(/unexpected error/);
  });
});
