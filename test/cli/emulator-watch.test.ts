import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { assertBuilt, ROOT, runCli, stop } from '../helpers/cli';
import { gateway } from '../helpers/scenario-builder';

beforeAll(assertBuilt);

/**
 * A new-user trial: no way to make a server sick and well again in a running emulator, and each restart
 * made a new certificate in a new folder, so the user's own config pointed at the old one.
 * `emulator --scenario FILE --watch` serves FILE again each time it changes.
 */
describe('emulator --watch', () => {
  const scenario = (health: string) =>
    JSON.stringify({
      gateways: [gateway('gw', [{ address: '10.0.0.4', health, healthProbeLog: 'TCP connect error' }])],
    });
  const findings = async (config: string): Promise<number> => {
    const { stdout } = await runCli(['run', '--config', config, '--json']);
    const report = JSON.parse(stdout) as { gateways: { findings: unknown[] }[] };
    return report.gateways.reduce((sum, g) => sum + g.findings.length, 0);
  };

  it('serves the scenario file again as it changes; one that does not read, or a named pipe, is said, and the one served kept', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-emulator-watch-'));
    const file = path.join(dir, 'scenario.json');
    await writeFile(file, scenario('Unhealthy'));
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'appgw-insights'),
        'emulator',
        '--scenario',
        file,
        '--watch',
        '--out',
        path.join(dir, 'out'),
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    /** Resolves once stderr holds `text` (the emulator looks at its file every second). */
    const said = async (text: string): Promise<void> => {
      for (let waited = 0; !stderr.includes(text); waited += 100) {
        if (waited > 20_000) throw new Error(`not said within 20 s: ${text}; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      const first = await new Promise<string>((resolve) =>
        readline.createInterface({ input: child.stdout }).once('line', resolve),
      );
      const { config } = JSON.parse(first) as { config: string };
      expect(await findings(config)).toBe(1);

      await writeFile(file, scenario('Healthy'));
      await said(`emulator: serving ${file} as changed`);
      expect(await findings(config)).toBe(0);

      await writeFile(file, '{ "gateways": [ ');
      await said(`warning: --watch: ${file} changed but does not read; still serving it as it was:`);
      expect(await findings(config)).toBe(0);

      // A break trial: a named pipe there blocked the read for ever, and every later change behind it.
      await rm(file);
      execFileSync('mkfifo', [file]);
      await said(
        `warning: --watch: ${file} is not a file now (a pipe, socket or device); still serving it as it was`,
      );
      await rm(file);
      await writeFile(file, scenario('Unhealthy'));
      for (let waited = 0; (stderr.match(/as changed/g) ?? []).length < 2; waited += 100) {
        if (waited > 20_000) throw new Error(`the second change was not served; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await findings(config)).toBe(1);
    } finally {
      expect(await stop(child, 'SIGTERM')).toBe(0);
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('--watch without --scenario: a usage error, exit 2', async () => {
    const { code, stderr } = await runCli(['emulator', '--watch']);
    expect(code).toBe(2);
    expect(stderr).toContain('--watch: give --scenario FILE, the file to serve again as it changes');
  });
});
