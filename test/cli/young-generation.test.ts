/**
 * `run` is relaunched with a smaller young generation (src/cli/young-generation.ts), a V8 flag that
 * only counts at start-up: the relaunched process must have it, and V8 must have taken it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  relaunchArgs,
  relaunchEnv,
  RUN_MALLOC_ARENA_MAX,
  RUN_MALLOC_MMAP_THRESHOLD,
  RUN_SEMI_SPACE_MIB,
} from '../../src/cli/young-generation';
import { ROOT, assertBuilt } from '../helpers/cli';

const FLAG = `--max-semi-space-size=${RUN_SEMI_SPACE_MIB}`;
const BIN = path.join(ROOT, 'bin', 'appgw-insights');

describe('relaunchArgs', () => {
  const proc = (argv: string[], execArgv: string[] = [], nodeOptions?: string) => ({
    execPath: '/usr/bin/node',
    execArgv,
    argv: ['/usr/bin/node', '/app/bin/appgw-insights', ...argv],
    nodeOptions,
  });

  it('relaunches `run` with the flag after Node’s own options, the command line unchanged', () => {
    expect(relaunchArgs(proc(['run', '--config', 'c.json', '--json'], ['--require', 'probe.js']))).toEqual([
      '/usr/bin/node',
      '--require',
      'probe.js',
      FLAG,
      '/app/bin/appgw-insights',
      'run',
      '--config',
      'c.json',
      '--json',
    ]);
  });

  it('leaves every other verb, and no verb, alone', () => {
    for (const argv of [['evaluate', 'body.json'], ['demo'], ['help', 'run'], ['--help'], []])
      expect(relaunchArgs(proc(argv))).toBeUndefined();
  });

  it('keeps a semi-space the user gave, on Node’s command line or in NODE_OPTIONS (never relaunched twice)', () => {
    expect(relaunchArgs(proc(['run'], ['--max-semi-space-size=32']))).toBeUndefined();
    expect(relaunchArgs(proc(['run'], ['--max_semi_space_size=2']))).toBeUndefined();
    expect(
      relaunchArgs(proc(['run'], [], '--max-old-space-size=512 --max-semi-space-size=8')),
    ).toBeUndefined();
    expect(relaunchArgs(proc(['run'], [], '--max-old-space-size=512'))).toEqual(
      expect.arrayContaining([FLAG]),
    );
  });
});

describe('relaunchEnv', () => {
  it('adds MALLOC_ARENA_MAX and MALLOC_MMAP_THRESHOLD_, and keeps each one the environment names', () => {
    expect(relaunchEnv({ PATH: '/bin' })).toEqual({
      PATH: '/bin',
      MALLOC_ARENA_MAX: RUN_MALLOC_ARENA_MAX,
      MALLOC_MMAP_THRESHOLD_: RUN_MALLOC_MMAP_THRESHOLD,
    });
    expect(relaunchEnv({ MALLOC_ARENA_MAX: '8' })).toEqual({
      MALLOC_ARENA_MAX: '8',
      MALLOC_MMAP_THRESHOLD_: RUN_MALLOC_MMAP_THRESHOLD,
    });
    expect(relaunchEnv({ MALLOC_MMAP_THRESHOLD_: '65536' })).toEqual({
      MALLOC_ARENA_MAX: RUN_MALLOC_ARENA_MAX,
      MALLOC_MMAP_THRESHOLD_: '65536',
    });
  });
});

describe('the bin’s `run`', () => {
  beforeAll(assertBuilt);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'appgw-young-generation-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Each process image that loads the preload adds a line: its pid, its Node options, V8's heap limit. */
  function launched(args: string[]): { status: number | null; images: Array<Record<string, unknown>> } {
    const log = path.join(dir, `${args[0]}.log`);
    const preload = path.join(dir, 'preload.js');
    writeFileSync(
      preload,
      `require('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ pid: process.pid, ` +
        `execArgv: process.execArgv, arenas: process.env.MALLOC_ARENA_MAX ?? null, mmap: process.env.MALLOC_MMAP_THRESHOLD_ ?? null, limit: require('node:v8').getHeapStatistics().heap_size_limit }) + '\\n');`,
    );
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // jest's own must not decide the case
    delete env.MALLOC_ARENA_MAX;
    delete env.MALLOC_MMAP_THRESHOLD_;
    const result = spawnSync(process.execPath, ['--require', preload, BIN, ...args], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    const images = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { status: result.status, images };
  }

  it('runs in the same process relaunched once with the flag, which V8 took (a smaller heap limit)', () => {
    // A config that does not exist: `run` answers its usage failure, after the relaunch.
    const { status, images } = launched(['run', '--config', path.join(dir, 'none.json')]);
    expect(status).toBe(2);
    expect(images).toHaveLength(2);
    const [first, second] = images as [Record<string, unknown>, Record<string, unknown>];
    expect(second.pid).toBe(first.pid);
    expect(first.execArgv).not.toContain(FLAG);
    expect(second.execArgv).toContain(FLAG);
    expect([first.arenas, second.arenas]).toEqual([null, RUN_MALLOC_ARENA_MAX]);
    expect([first.mmap, second.mmap]).toEqual([null, RUN_MALLOC_MMAP_THRESHOLD]);
    // V8's young generation is three semi-spaces of its heap limit: 3 × (16 − 4) MiB less.
    expect(second.limit as number).toBeLessThan(first.limit as number);
  });

  it('does not relaunch another verb', () => {
    const { images } = launched(['help']);
    expect(images).toHaveLength(1);
    expect(images[0]?.execArgv).not.toContain(FLAG);
    expect(images[0]?.arenas).toBeNull();
  });
});
