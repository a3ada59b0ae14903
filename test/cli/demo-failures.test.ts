import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunReport } from '../../src/core/run-report';
import { assertBuilt, runCli } from '../helpers/cli';

beforeAll(assertBuilt);
// Each demo is three runs of a child process (about 20 s on a loaded machine); the last test runs two.
jest.setTimeout(180_000);

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(os.tmpdir(), 'appgw-demo-fail-'));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function reportOf(out: string): Promise<RunReport> {
  return JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as RunReport;
}

/** Settings the demo does not take: its advice must never name them (it has no config). */
const NOT_DEMO_SETTINGS = /state\.dir|APPGW_|--config|sinks\.folder/;

/**
 * The demo when its sinks or its history fail (issue 15 trial: it stopped after the first, all-healthy
 * run, printed "0 not healthy" and replaced an earlier demo's insights). Every run is attempted, the
 * exit is 2, one line counts the failed runs, whatever could be written was, and the advice is
 * something a demo user can do (another --out folder; the file in the way), never a config setting.
 */
describe('demo: all three runs, whatever the sinks or the history say', () => {
  it('the state folder <out>/.appgw-state is a file: the insights and the page of this run are written; advice: --out', async () => {
    const out = path.join(temp, 'out');
    await mkdir(out);
    await writeFile(path.join(out, '.appgw-state'), 'not a folder');
    // A demo's folder (its mark): unmarked, a folder with a history is a run's, and refused.
    await writeFile(path.join(out, '.appgw-demo'), "the demo's\n");
    const { code, stdout, stderr } = await runCli(['demo', '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain('demo: 3 of its runs did not succeed (see the warnings above)');
    // The last run is the default scenario's (the first, all healthy, is not the one shown).
    const report = await reportOf(out);
    const findings = report.gateways.flatMap((g) => g.findings);
    expect(findings.length).toBeGreaterThanOrEqual(4);
    expect(stdout).toMatch(/[1-9]\d* not healthy/);
    expect((await filesUnder(path.join(out, 'insights'))).filter((f) => f.endsWith('.md'))).toHaveLength(
      findings.length,
    );
    // The page, from this run's reading, says the history is missing.
    const page = await readFile(path.join(out, 'index.html'), 'utf8');
    for (const gateway of report.gateways) expect(page).toContain(`<h2>${gateway.name} `);
    expect(page).toContain('History missing');
    expect(report.deliveryErrors.every((e) => e.sink === 'status page')).toBe(true);
    expect(report.deliveryErrors.length).toBeGreaterThan(0);
    // What the user can do under demo, and true to what the page shows.
    expect(stderr).toContain('Move away the file in the way');
    expect(stderr).toContain('or choose another folder with --out');
    expect(stderr).toContain('shows the gateway from this reading alone');
    expect(stderr).not.toMatch(NOT_DEMO_SETTINGS);
    expect(stdout).not.toMatch(NOT_DEMO_SETTINGS);
    expect(stderr).not.toMatch(/lacks this gateway's latest reading/);
    // Each distinct failure said once for the three runs, and the summary keeps its advice whole.
    const warnings = stderr.split('\n').filter((line) => line.startsWith('warning: '));
    expect(new Set(warnings).size).toBe(warnings.length);
    expect(stdout).toContain('or choose another folder with --out.');
    // The file in the way is left as it was.
    expect(await readFile(path.join(out, '.appgw-state'), 'utf8')).toBe('not a folder');
  });

  it.each([
    [
      'a file is where its parent should be',
      'a file is in its path',
      (t: string) => path.join(t, 'a-file', 'out'),
    ],
    ['the out path is a file', 'it is a file, not a folder', (t: string) => path.join(t, 'a-file')],
    // A break trial: both were "it is a file, not a folder".
    [
      'a link to nothing is where its parent should be',
      'a link to nothing is in its path where a folder should be (',
      (t: string) => (
        symlinkSync('/nonexistent/appgw', path.join(t, 'dangling')),
        path.join(t, 'dangling', 'out')
      ),
    ],
    [
      'the out path is a link to nothing',
      'it is a link to nothing, not a folder',
      (t: string) => (symlinkSync('/nonexistent/appgw', path.join(t, 'dangling')), path.join(t, 'dangling')),
    ],
    // Node's recursive mkdir spun forever here (issue 15 trial: 14 minutes, no output).
    ['a folder the file system will not make (/proc/ro)', 'it cannot be made (ENOENT', () => '/proc/ro'],
  ])(
    'the out folder cannot be used (%s): exit 2 before any run, one message, advice: --out',
    async (_, why, outOf) => {
      await writeFile(path.join(temp, 'a-file'), 'x');
      const out = outOf(temp);
      const { code, stdout, stderr } = await runCli(['demo', '--out', out]);
      expect(code).toBe(2);
      expect(stderr.startsWith(`error: The demo cannot use ${out} as its --out folder: `)).toBe(true);
      expect(stderr).toContain(why);
      expect(stderr.trimEnd().endsWith('Choose another folder with --out.')).toBe(true);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stdout).toBe('');
      expect(stderr).not.toMatch(NOT_DEMO_SETTINGS);
      expect(await readFile(path.join(temp, 'a-file'), 'utf8')).toBe('x');
    },
  );

  it("a history document that is not valid: three runs, exit 2, the other gateways' history kept; advice: move it aside", async () => {
    const out = path.join(temp, 'out');
    const first = await runCli(['demo', '--out', out]);
    expect(first.code).toBe(0);
    const histories = (await filesUnder(path.join(out, '.appgw-state', 'history'))).filter((f) =>
      f.endsWith('.json'),
    );
    expect(histories.length).toBeGreaterThan(1);
    const spoilt = histories[0] as string;
    await writeFile(spoilt, '[]');
    const { code, stdout, stderr } = await runCli(['demo', '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain('demo: 3 of its runs did not succeed (see the warnings above)');
    expect(stderr).toContain('cannot be read by this version');
    expect(stderr).toContain('move it aside');
    expect(stderr.split('cannot be read by this version')).toHaveLength(2);
    expect(stderr).not.toMatch(NOT_DEMO_SETTINGS);
    expect(stdout).toMatch(/[1-9]\d* not healthy/);
    // Never written over; the others have both demos' six readings.
    expect(await readFile(spoilt, 'utf8')).toBe('[]');
    for (const other of histories.slice(1)) {
      const doc = JSON.parse(await readFile(other, 'utf8')) as { readings: unknown[] };
      expect(doc.readings).toHaveLength(6);
    }
    const report = await reportOf(out);
    expect(report.deliveryErrors).toEqual(
      Array.from({ length: report.deliveryErrors.length }, () =>
        expect.objectContaining({ sink: 'status page', code: 'StatusHistoryInvalid' }),
      ),
    );
    const page = await readFile(path.join(out, 'index.html'), 'utf8');
    for (const gateway of report.gateways) expect(page).toContain(`<h2>${gateway.name} `);
    expect(page).toContain('History missing');
  });
});
