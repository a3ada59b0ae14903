import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, runCli, startCli, stop } from '../helpers/cli';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

beforeAll(assertBuilt);

describe('appgw-insights CLI (the built bin, as a user runs it)', () => {
  it('demo: writes one .md + .html per unhealthy server of the default scenario, and report.json', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-demo-'));
    const { code, stdout, stderr } = await runCli(['demo', '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const findings = report.gateways.flatMap((g: { findings: unknown[] }) => g.findings);
    expect(findings.length).toBeGreaterThanOrEqual(4);
    const files = await filesUnder(out);
    expect(files.filter((f) => f.endsWith('.md'))).toHaveLength(findings.length);
    expect(files.filter((f) => f.endsWith('.html'))).toHaveLength(findings.length);
    for (const file of files.filter((f) => /\.(md|html)$/.test(f))) {
      const text = await readFile(file, 'utf8');
      expect(text).not.toMatch(/<!--\/?\$/);
      expect(text).not.toContain('Â');
    }
    // Both vocabularies of the default scenario are reported, healthy servers are not.
    const healths = new Set(findings.map((f: { health: string }) => f.health));
    expect([...healths]).toEqual(expect.arrayContaining(['Down', 'Unhealthy', 'Unknown', 'Partial']));
    expect([...healths].filter((h) => ['up', 'healthy'].includes(String(h).toLowerCase()))).toEqual([]);
    expect(stdout).toContain('not healthy');
    expect(stdout).toContain(out);
  });

  it('emulator: first line is {url, caCertFile, config}; run --json against that config exits 0', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-emu-'));
    const { child, firstLine } = await startCli(['emulator', '--port', '0', '--out', out]);
    try {
      const info = JSON.parse(firstLine);
      expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(await readFile(info.caCertFile, 'utf8')).toContain('BEGIN CERTIFICATE');
      const { code, stdout } = await runCli(['run', '--config', info.config, '--json']);
      expect(code).toBe(0);
      const report = JSON.parse(stdout);
      expect(report.gateways.length).toBeGreaterThanOrEqual(3);
      for (const gateway of report.gateways) {
        expect(gateway).toEqual(
          expect.objectContaining({
            id: expect.any(String),
            ok: true,
            error: null,
            findings: expect.any(Array),
          }),
        );
        for (const finding of gateway.findings) {
          expect(finding).toEqual(
            expect.objectContaining({
              address: expect.any(String),
              health: expect.any(String),
              probeLog: expect.any(String),
            }),
          );
        }
      }
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('run: exits 2 when a gateway cannot be evaluated, and still reports the others', async () => {
    const { child, firstLine } = await startCli(['emulator']);
    try {
      const info = JSON.parse(firstLine);
      const config = JSON.parse(await readFile(info.config, 'utf8'));
      const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-cfg-'));
      const file = path.join(dir, 'config.json');
      const missing = `${config.targets[0]}/resourceGroups/rg-nowhere/providers/Microsoft.Network/applicationGateways/ghost`;
      await writeFile(
        file,
        JSON.stringify({ ...config, targets: [...config.targets, missing], sinks: { dir: 'out' } }),
      );
      const { code, stdout } = await runCli(['run', '--config', file, '--json']);
      expect(code).toBe(2);
      const report = JSON.parse(stdout);
      expect(report.gateways.find((g: { name: string }) => g.name === 'ghost')).toMatchObject({
        ok: false,
        error: { code: 'ResourceNotFound' },
      });
      expect(report.gateways.filter((g: { ok: boolean }) => g.ok).length).toBeGreaterThanOrEqual(3);
    } finally {
      await stop(child);
    }
  });

  it.each([
    [['run'], /--config FILE is required/],
    [
      ['run', '--config', '/nonexistent/config.json'],
      /config file \/nonexistent\/config.json: the file does not exist/,
    ],
    [['run', '--bogus'], /Unknown option/],
    [['frobnicate'], /Unknown verb "frobnicate"/],
    [
      ['emulator', '--scenario', '/nonexistent.json'],
      /scenario file \/nonexistent.json: the file does not exist/,
    ],
    [['emulator', '--port', 'x'], /--port/],
  ])('%j exits 2 with a clear message', async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
