import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { lockRunFolder, RUN_LOCK_NAME } from '../../src/adapters/files/run-folder-lock';
import { isRunInProgressError } from '../../src/errors';
import { ROOT, assertBuilt, runCli, stop } from '../helpers/cli';
import { emulatorArm } from '../helpers/emulator-settings';
import { gateway, gatewayId } from '../helpers/scenario-builder';
import { parseGatewayId } from '../../src/core/arm-id';
import { gatewayInsightFolder } from '../../src/insight/insight-path';

beforeAll(assertBuilt);

/**
 * A break trial: two direct runs on one folder at once (a schedule overlapping itself) wrote it both:
 * report.json and the status page followed the one that finished last, and, without notify, an older
 * reading replaced the newer insights. A run now holds its folder's lock from before its first read
 * until its last write; a second run is refused, having read and written nothing.
 */
describe('run: one run at a time writes a folder', () => {
  // The first run's poll waits this long: the second is started and refused well within it, then the
  // first is stopped (a margin no busy machine reaches; the test never waits it out).
  const SLOW = [
    gateway('gw-a', [{ address: '10.0.0.4', health: 'Unhealthy' }], {
      lro: { polls: 1, retryAfterSeconds: 120, style: 'location' },
    }),
  ];
  const FAST = [gateway('gw-a', [{ address: '10.0.0.4', health: 'Unhealthy' }])];
  let emulator: RunningEmulator;
  let dir: string;
  let out: string;
  let config: string;
  const holders: ChildProcess[] = [];
  beforeAll(async () => {
    emulator = await startEmulator({ scenario: { gateways: SLOW } as never });
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-lock-'));
    out = path.join(dir, 'out');
    config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        targets: [gatewayId('gw-a')],
        arm: emulatorArm(emulator),
        sinks: { dir: out },
        state: { dir: path.join(dir, 'state') },
      }),
    );
  });
  afterEach(async () => {
    const running = holders.splice(0).filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(running.map((child) => stop(child, 'SIGKILL')));
  });
  afterAll(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A run that holds the folder (its poll waits SLOW's Retry-After), once its lock is there. */
  async function holdingRun(): Promise<{ child: ChildProcess; stderr: () => string }> {
    emulator.serve({ gateways: SLOW } as never);
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'appgw-insights'), 'run', '--config', config],
      {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    holders.push(child);
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const lock = path.join(out, RUN_LOCK_NAME);
    // Held, and past its POST: from there it only waits for its poll.
    const before = emulator.requests.length;
    const posted = () =>
      emulator.requests.slice(before).some((r) => r.method === 'POST' && /backendhealth/i.test(r.path));
    for (let i = 0; i < 600; i++) {
      if (
        posted() &&
        (await stat(lock).then(
          () => true,
          () => false,
        ))
      )
        return { child, stderr: () => stderr };
      if (child.exitCode !== null) throw new Error(`the first run ended (${child.exitCode}): ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the first run took no lock in 60 s: ${stderr}`);
  }

  it('a second run on the folder is refused (RunInProgress, exit 2): it asks ARM nothing and writes nothing; the first goes on', async () => {
    const first = await holdingRun();
    const asked = emulator.requests.length;
    const second = await runCli(['run', '--config', config], dir);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(
      `error: Another appgw-insights run (process ${first.child.pid} on ${os.hostname()}, since `,
    );
    expect(second.stderr).toContain(`is writing to ${out}: this run checked nothing and wrote nothing.`);
    expect(second.stderr).toContain(`set sinks.dir in ${config} to another folder`);
    expect(emulator.requests.length).toBe(asked);
    await expect(stat(path.join(out, 'report.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    // As JSON too, for a scheduler that reads it.
    const json = await runCli(['run', '--config', config, '--json'], dir);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'RunInProgress' } });
    // The first run was not disturbed: stopped now, it writes its report and lets go of the folder.
    expect(await stop(first.child, 'SIGTERM')).toBe(143);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.interrupted).toMatchObject({ by: 'signal' });
    await expect(stat(path.join(out, RUN_LOCK_NAME))).rejects.toMatchObject({ code: 'ENOENT' });
    emulator.serve({ gateways: FAST } as never);
    const next = await runCli(['run', '--config', config], dir);
    expect(next.code).toBe(0);
    expect(next.stderr).not.toContain('RunInProgress');
  }, 300_000);

  it('a lock left by a run killed with SIGKILL is taken over at once by the next run', async () => {
    const killed = await holdingRun();
    await stop(killed.child, 'SIGKILL');
    await expect(stat(path.join(out, RUN_LOCK_NAME))).resolves.toBeDefined();
    emulator.serve({ gateways: FAST } as never);
    const next = await runCli(['run', '--config', config], dir);
    expect(next.code).toBe(0);
    await expect(stat(path.join(out, RUN_LOCK_NAME))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 300_000);
});

// A break trial: the demo took and let go of the lock for each of its three runs; a run that got in
// between made the demo fail half-way, saying it had written nothing.
describe('demo: one lock for all its runs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-demo-lock-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('from its first run to its last, no other run can take the folder', async () => {
    const out = path.join(dir, 'out');
    const demo = spawn(process.execPath, [path.join(ROOT, 'bin', 'appgw-insights'), 'demo', '--out', out], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    demo.stderr?.on('data', (d) => (stderr += d));
    let ended = false;
    const exited = new Promise<number | null>((resolve) => demo.once('exit', resolve)).finally(
      () => (ended = true),
    );
    const holder = async () =>
      JSON.parse(await readFile(path.join(out, RUN_LOCK_NAME, 'owner.json'), 'utf8').catch(() => '{}')).pid;
    while (!ended && (await holder()) !== demo.pid) await new Promise((resolve) => setTimeout(resolve, 5));
    // From the demo's lock on, until it ends: try the folder again and again, as a run started at any
    // moment would. A take is wrong if the demo wrote its report after it (it still had runs to make).
    let refused = 0;
    let firstTakeAt = Infinity;
    while (!ended) {
      const got = await lockRunFolder(out, { warn: () => undefined }).catch((error: unknown) => {
        if (isRunInProgressError(error)) refused++;
        return undefined;
      });
      if (got) firstTakeAt = Math.min(firstTakeAt, Date.now());
      await got?.release();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await exited).toBe(0);
    expect(stderr).not.toContain('RunInProgress');
    expect(refused).toBeGreaterThan(0);
    expect((await stat(path.join(out, 'report.json'))).mtimeMs).toBeLessThanOrEqual(firstTakeAt);
  }, 300_000);
});

// A break trial: `run --out out/insights` (and the same through sinks.dir, or a link) wrote a second
// view into the first run's insights folder: each run's clean-up removed the other's files, and the
// status page linked to pages that were gone. A folder inside a run's is refused before anything is read.
describe('run, demo: never inside another run’s folder', () => {
  const FAST = [gateway('gw-a', [{ address: '10.0.0.4', health: 'Unhealthy' }])];
  let emulator: RunningEmulator;
  let dir: string;
  let out: string;
  let config: string;
  beforeAll(async () => {
    emulator = await startEmulator({ scenario: { gateways: FAST } as never });
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-nested-'));
    out = path.join(dir, 'out');
    config = path.join(dir, 'config.json');
  });
  afterAll(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A config file for folder `sinks` (its own state folder). */
  async function configFor(sinks: string): Promise<string> {
    await writeFile(
      config,
      JSON.stringify({
        targets: [gatewayId('gw-a')],
        arm: emulatorArm(emulator),
        sinks: { dir: sinks },
        state: { dir: path.join(dir, 'state') },
      }),
    );
    return config;
  }

  it.each([
    ['--out out/insights, after a run wrote out', 'insights', 'run', '--out'],
    ['sinks.dir out/insights in the config file', 'insights', 'run', 'sinks.dir'],
    [
      '--out out/insights while the first run of out is under way (its lock only)',
      'insights',
      'lock',
      '--out',
    ],
    ["--out a link to out's insights folder", 'link', 'run', '--out'],
    ['--out out/insights/deeper', 'insights/deeper', 'run', '--out'],
  ])(
    '%s: refused (RunFolderNested, exit 2), ARM asked nothing, nothing written',
    async (_, under, made, by) => {
      await rm(out, { recursive: true, force: true });
      await rm(path.join(dir, 'link'), { force: true });
      if (made === 'run') {
        const first = await runCli(['run', '--config', await configFor(out)], dir);
        expect(first.code).toBe(0);
        expect((await stat(path.join(out, 'index.html'))).isFile()).toBe(true);
      } else {
        await mkdir(path.join(out, 'insights'), { recursive: true });
        await mkdir(path.join(out, RUN_LOCK_NAME));
      }
      const target = under === 'link' ? path.join(dir, 'link') : path.join(out, under);
      if (under === 'link') await symlink(path.join(out, 'insights'), target);
      const before = await filesUnder(out);
      const asked = emulator.requests.length;
      const args =
        by === '--out'
          ? ['run', '--config', await configFor(path.join(dir, 'elsewhere')), '--out', target]
          : ['run', '--config', await configFor(target)];
      const second = await runCli(args, dir);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(
        /^error: .* is inside .*out, a run's folder \(its status page and report\.json, or its lock\): .*nothing was checked or written\./m,
      );
      expect(second.stderr).toContain(
        by === '--out' ? 'Give another folder with --out' : `Set sinks.dir in ${config} to another folder`,
      );
      expect(emulator.requests.length).toBe(asked);
      expect(await filesUnder(out)).toEqual(before);
      const json = await runCli([...args, '--json'], dir);
      expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'RunFolderNested' } });
    },
    120_000,
  );

  it('the demo inside a run’s folder: refused, nothing written', async () => {
    await rm(out, { recursive: true, force: true });
    expect((await runCli(['run', '--config', await configFor(out)], dir)).code).toBe(0);
    const before = await filesUnder(out);
    const demo = await runCli(['demo', '--out', path.join(out, 'demo')], dir);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toMatch(/is inside .*out, a run's folder/);
    expect(await filesUnder(out)).toEqual(before);
  }, 120_000);

  // A break trial: a run's folder made inside another run's insights/<sub>/<rg>/<gateway> (notify state
  // and all) was removed by that run's next delivery; its 12 notices were then sent again. A run can no
  // longer begin there (refused as inside), but one moved or copied there is kept all the same.
  it('a run’s folder put inside a run’s gateway folder: that folder left as it is, the outer run says what is in the way', async () => {
    await rm(out, { recursive: true, force: true });
    const ref = parseGatewayId(gatewayId('gw-a'));
    if (!ref) throw new Error('no gateway');
    expect((await runCli(['run', '--config', await configFor(out)], dir)).code).toBe(0);
    const inner = path.join(out, gatewayInsightFolder(ref));
    await mkdir(path.join(inner, '.appgw-state'), { recursive: true });
    await writeFile(path.join(inner, 'report.json'), '{"schemaVersion":1,"runId":"r-inner"}');
    await writeFile(path.join(inner, 'index.html'), '<!doctype html>');
    await writeFile(path.join(inner, '.appgw-state', 'notify.json'), '{}');
    const before = await filesUnder(inner);
    const outer = await runCli(['run', '--config', await configFor(out)], dir);
    expect(outer.code).toBe(2);
    expect(outer.stderr).toContain(
      `${gatewayInsightFolder(ref)} holds what appgw-insights did not write there (`,
    );
    expect(await filesUnder(inner)).toEqual(before);
  }, 120_000);

  it('beside a run’s folder, a run goes on', async () => {
    await rm(out, { recursive: true, force: true });
    expect((await runCli(['run', '--config', await configFor(out)], dir)).code).toBe(0);
    const beside = path.join(dir, 'beside');
    const run = await runCli(['run', '--config', await configFor(beside)], dir);
    expect(run.stderr).not.toContain('is inside');
    expect(run.code).toBe(0);
    expect((await stat(path.join(beside, 'report.json'))).isFile()).toBe(true);
    await rm(beside, { recursive: true, force: true });
  }, 120_000);

  // A second trial: an archive of the run's own index.html and report.json in its folder stopped the
  // run; and a run's folder inside the insights/ of a folder no run had written yet was not looked for.
  it('a run’s folder holding a copy of its own page and report goes on; a folder holding a run’s folder in its insights/ is refused', async () => {
    await rm(out, { recursive: true, force: true });
    expect((await runCli(['run', '--config', await configFor(out)], dir)).code).toBe(0);
    await mkdir(path.join(out, 'archive'));
    for (const file of ['index.html', 'report.json'])
      await writeFile(path.join(out, 'archive', file), await readFile(path.join(out, file)));
    const again = await runCli(['run', '--config', await configFor(out)], dir);
    expect(again.stderr).not.toContain('holds');
    expect(again.code).toBe(0);
    const around = path.join(dir, 'around-insights');
    const inner = path.join(around, 'insights', 'inner');
    await rm(around, { recursive: true, force: true });
    expect((await runCli(['run', '--config', await configFor(inner)], dir)).code).toBe(0);
    const outer = await runCli(['run', '--config', await configFor(around)], dir);
    expect(outer.code).toBe(2);
    expect(outer.stderr).toContain(`holds ${inner}, another run's folder`);
    await rm(around, { recursive: true, force: true });
  }, 120_000);

  // A break trial: `run --out a` after `demo --out a/inner` was accepted; from then on the inner run
  // was refused as inside a run's folder, every run, and its notices stopped.
  it.each([
    ['a run’s folder just below', 'out', 'run'],
    ['a run’s folder three levels below', 'x/y/out', 'run'],
    ['a folder whose first run is under way (its lock only)', 'out', 'lock'],
    ['the demo’s folder', 'out', 'demo'],
  ])(
    'around %s: refused (RunFolderNested, exit 2), ARM asked nothing, nothing written; the inner run goes on',
    async (_, below, made) => {
      const around = path.join(dir, 'around');
      const inner = path.join(around, below);
      await rm(around, { recursive: true, force: true });
      if (made === 'lock') await mkdir(path.join(inner, RUN_LOCK_NAME), { recursive: true });
      else if (made === 'demo') expect((await runCli(['demo', '--out', inner], dir)).code).toBe(0);
      else expect((await runCli(['run', '--config', await configFor(inner)], dir)).code).toBe(0);
      const before = await filesUnder(around);
      const asked = emulator.requests.length;
      const outer = await runCli(['run', '--config', await configFor(around)], dir);
      expect(outer.code).toBe(2);
      expect(outer.stderr).toMatch(
        /^error: .*around holds .*, another run's folder \(its status page and report\.json, or its lock\): .*nothing was checked or written\./m,
      );
      expect(outer.stderr).toContain(`not around ${inner}`);
      expect(emulator.requests.length).toBe(asked);
      expect(await filesUnder(around)).toEqual(before);
      if (made === 'run')
        expect((await runCli(['run', '--config', await configFor(inner)], dir)).code).toBe(0);
      await rm(around, { recursive: true, force: true });
    },
    180_000,
  );
});

/** Every file under `dir` with its contents, for "nothing changed". */
async function filesUnder(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, file)] = await readFile(file, 'utf8');
  }
  return files;
}
