import { access, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { assertBuilt, spawnCli } from '../helpers/cli';
import { emulatorArm } from '../helpers/emulator-settings';
import { gateway, gatewayId } from '../helpers/scenario-builder';

beforeAll(assertBuilt);

const BAD = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
/** Far longer than any test waits: a gateway still being read when the run is stopped. */
const SLOW = { delayMs: 600_000 };

let emulator: RunningEmulator;
let dir: string;
beforeAll(async () => {
  emulator = await startEmulator({
    scenario: {
      gateways: [
        gateway('fast-1', [BAD]),
        gateway('fast-2', [BAD]),
        gateway('slow-1', [BAD], SLOW),
        gateway('slow-2', [BAD], SLOW),
      ],
    } as never,
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-interrupted-'));
});
afterAll(async () => {
  await emulator?.close(); // cuts the slow gateways' delays short
  await rm(dir, { recursive: true, force: true });
});

/** A config naming each gateway (a gateway target is not listed: the slow ones' delay stays theirs). */
async function configFile(
  name: string,
  extra: Record<string, unknown> = {},
): Promise<{ file: string; out: string }> {
  const out = path.join(dir, name, 'out');
  const file = path.join(dir, name, 'config.json');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(
    file,
    JSON.stringify({
      targets: ['fast-1', 'fast-2', 'slow-1', 'slow-2'].map((g) => gatewayId(g)),
      arm: emulatorArm(emulator),
      concurrency: 4,
      sinks: { dir: out },
      state: { dir: path.join(dir, name, 'state') },
      ...extra,
    }),
  );
  return { file, out };
}

/** Starts `run` (spawnCli); `tmp`: its TMPDIR, where the run keeps its temporary files (the status page's material). */
function startRun(args: string[], tmp?: string) {
  return spawnCli(['run', ...args], tmp ? { ...process.env, TMPDIR: tmp } : process.env);
}

/** Resolves once every file exists (polled: the run writes them while it goes on). */
async function filesAppear(files: readonly string[]): Promise<void> {
  for (;;) {
    const there = await Promise.all(
      files.map((f) =>
        access(f).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (there.every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A TMPDIR of its own for one run, to see what temporary files it leaves. */
async function tmpFolder(name: string): Promise<string> {
  const tmp = path.join(dir, name, 'tmp');
  await mkdir(tmp, { recursive: true });
  return tmp;
}

const insightFolder = (out: string, name: string) =>
  path.join(out, 'insights', gatewayId(name).split('/')[2]!, 'rg-test', name);

describe('run, interrupted (a real CLI process against the emulator)', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s mid-run: the finished gateways’ files stay, the report says interrupted and lists the others; exit %i',
    async (signal, expected) => {
      const { file, out } = await configFile(signal);
      const tmp = await tmpFolder(signal);
      const run = startRun(['--config', file], tmp);
      // The fast gateways are streamed to the folder while the slow ones are still being read.
      await filesAppear([insightFolder(out, 'fast-1'), insightFolder(out, 'fast-2')]);
      expect(await readdir(out)).not.toContain('report.json');
      run.child.kill(signal);
      const result = await run.exited;

      expect(result.code).toBe(expected);
      // The status page's temporary files are gone with the run.
      expect(await readdir(tmp)).toEqual([]);
      const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
      expect(report).toMatchObject({
        ok: false,
        interrupted: {
          by: 'signal',
          signal,
          notDone: [gatewayId('slow-1'), gatewayId('slow-2')],
        },
        summary: { gateways: 2, failedGateways: 0, findings: 2 },
      });
      expect(report.gateways.map((g: { name: string }) => g.name)).toEqual(['fast-1', 'fast-2']);
      for (const name of ['fast-1', 'fast-2']) {
        const files = await readdir(insightFolder(out, name));
        expect(files.filter((f) => f.endsWith('.md'))).toHaveLength(1);
        expect(files.filter((f) => f.endsWith('.html'))).toHaveLength(1);
      }
      // The per-gateway results are in the report now; the status page is written as at any run's end.
      expect((await readdir(out)).sort()).toEqual(['index.html', 'insights', 'report.json', 's']);
      // The page says the run was cut short, as the summary does.
      expect(await readFile(path.join(out, 'index.html'), 'utf8')).toContain(
        '<strong>⚠ Interrupted:</strong> The run was stopped by',
      );
      expect(result.stdout).toContain('✗ interrupted: The run was stopped by');
      expect(result.stdout).toContain('not done (2 gateways): slow-1 (rg-test), slow-2 (rg-test)');
      expect(result.stderr).toContain(`${signal}: stopping`);
    },
  );

  it('runDeadlineInMs: the same, exit 124', async () => {
    const { file, out } = await configFile('deadline', { runDeadlineInMs: 3_000 });
    const tmp = await tmpFolder('deadline');
    const result = await startRun(['--config', file, '--json'], tmp).exited;
    expect(result.code).toBe(124);
    expect(await readdir(tmp)).toEqual([]);
    const report = JSON.parse(result.stdout);
    expect(report.interrupted).toMatchObject({ by: 'deadline', deadlineInMs: 3_000 });
    // The slow ones are never done; each gateway is done or listed as not done (a busy machine may
    // not have finished a fast one by then), never both.
    const done = report.gateways.map((g: { id: string }) => g.id);
    expect(report.interrupted.notDone).toEqual(
      expect.arrayContaining([gatewayId('slow-1'), gatewayId('slow-2')]),
    );
    expect([...done, ...report.interrupted.notDone].sort()).toEqual(
      ['fast-1', 'fast-2', 'slow-1', 'slow-2'].map((g) => gatewayId(g)).sort(),
    );
    expect(JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'))).toEqual(report);
    // Not a terminal (a pipe): no progress line, nothing but warnings on stderr.
    expect(result.stderr).not.toMatch(/gateways \(\d+%\)/);
  });

  it('a second signal exits at once, and the run’s temporary files go with it', async () => {
    const { file, out } = await configFile('twice');
    const tmp = await tmpFolder('twice');
    const run = startRun(['--config', file], tmp);
    await filesAppear([insightFolder(out, 'fast-1'), insightFolder(out, 'fast-2')]);
    // The finished gateways' histories are kept for the page in a temporary folder of the run's.
    while ((await readdir(tmp)).length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await readdir(tmp)).filter((f) => f.startsWith('appgw-insights-run-'))).toHaveLength(1);
    run.child.kill('SIGINT');
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect(result.code).toBe(130);
    expect(await readdir(tmp)).toEqual([]);
  });
});

describe('run with a TMPDIR it cannot use (a real CLI process against the emulator)', () => {
  it('the report is whole (its entries kept in memory), and the cause is said once on stderr', async () => {
    const { file, out } = await configFile('tmpdir-unusable', {
      targets: ['fast-1', 'fast-2'].map((g) => gatewayId(g)),
    });
    // A file where the temp folder should be: no temporary file can be made (ENOTDIR).
    const tmp = path.join(dir, 'tmpdir-unusable', 'not-a-folder');
    await writeFile(tmp, '');
    const result = await startRun(['--config', file, '--json'], tmp).exited;

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: true, summary: { gateways: 2, findings: 2 } });
    expect(report.gateways.map((g: { name: string }) => g.name)).toEqual(['fast-1', 'fast-2']);
    expect(JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'))).toEqual(report);
    // One cause, one line: not one per kind of file the run keeps there (histories, report entries, page).
    const said = result.stderr.split('\n').filter((line) => line.includes('kept in memory'));
    expect(said).toEqual([
      expect.stringMatching(
        /ENOTDIR.*Point TMPDIR at a folder this user can write.*It, and everything else this run keeps in its temporary files, is kept in memory/,
      ),
    ]);
  });
});
