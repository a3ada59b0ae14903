/**
 * The young generation of a direct run (`appgw-insights run`): V8's `--max-semi-space-size`, in MiB.
 *
 * V8's default on a 64-bit machine with a large heap limit is 16 MiB per semi-space, and a run
 * allocates fast enough to grow the new space to it: 32 MiB committed for the two semi-spaces that
 * are in use (Node's `--max-semi-space-size` documentation: the young generation is three semi-spaces,
 * V8 `YoungGenerationSizeFromSemiSpaceSize`). What a gateway holds lives for seconds, far longer than
 * any scavenge, so a smaller nursery promotes about the same: 20 000 gateways over 50 subscriptions
 * peaked at 317 MiB resident with 4 MiB against 331–340 with 16, and at 321 with 1 MiB (the old
 * generation grew by what the tiny nursery promoted early) (README "Memory", 2026-12-01).
 */
export const RUN_SEMI_SPACE_MIB = 4;

/**
 * glibc's malloc arenas for the relaunched run (`MALLOC_ARENA_MAX`), unless the environment names its
 * own. By default glibc gives each thread that allocates an arena of its own, up to 8 per core (Node's
 * 4 file system threads, V8's platform threads), and each keeps the memory it once held: at 20 000
 * gateways over 50 subscriptions, four thread arenas held 18 MiB resident at the end; with 2, 6 MiB, and
 * the run peaked at 264 MiB resident instead of 278 (README "Memory", 2026-12-01). Read by glibc at
 * start-up only, so it travels with the relaunch; other C libraries (musl) ignore it.
 */
export const RUN_MALLOC_ARENA_MAX = '2';

/**
 * glibc's mmap threshold for the relaunched run (`MALLOC_MMAP_THRESHOLD_`, bytes), unless the
 * environment names its own. By default glibc raises the threshold each time a large block is freed
 * (up to 32 MiB on 64-bit), and the trim threshold with it, so after the first large buffers are freed
 * later ones come from the arenas and stay resident (mallopt(3), M_MMAP_THRESHOLD: "setting this
 * parameter disables dynamic adjustment"). Fixed at glibc's initial 128 KiB: blocks that large are
 * mapped and given back when freed, and the arenas are trimmed past 128 KiB free. At 20 000 gateways over
 * 50 subscriptions the run peaked 6 MiB lower (266 → 260 MiB), 5 000 over 10 5–8 MiB lower, run CPU
 * within the noise (README "Memory", 2026-12-05). Read by glibc at start-up only; musl ignores it.
 */
export const RUN_MALLOC_MMAP_THRESHOLD = '131072';

/** The flag as Node and V8 spell it (either separator is accepted by V8). */
const SEMI_SPACE_FLAG = /(^|\s)--max[-_]semi[-_]space[-_]size\b/;

/** What relaunchArgs reads of the process: its Node, its flags and its command line. */
export interface LaunchedProcess {
  /** `process.execPath`: the Node binary running the bin. */
  readonly execPath: string;
  /** `process.execArgv`: Node's own options before the script (a preload, an inspector, …). */
  readonly execArgv: readonly string[];
  /** `process.argv`: Node, the bin, then the verb and its arguments. */
  readonly argv: readonly string[];
  /** `process.env.NODE_OPTIONS`: options V8 was given from the environment. */
  readonly nodeOptions: string | undefined;
}

/**
 * The command line (`execve`'s `args`, Node first) that runs the same `run` with the young generation
 * of RUN_SEMI_SPACE_MIB; undefined when nothing is to change: another verb (only `run` processes many
 * gateways), or the semi-space already given, on Node's command line or in NODE_OPTIONS (the user's
 * choice wins, and the relaunched process sees its own flag: never relaunched twice).
 *
 * Why a relaunch: V8 sizes the young generation when the heap is set up, before any JavaScript runs;
 * setting the flag later (`v8.setFlagsFromString`, as heap-growth.ts does for a flag V8 reads at each
 * collection) changes nothing (checked: the new space still grows to 32 MiB).
 */
export function relaunchArgs(proc: LaunchedProcess): string[] | undefined {
  const [node, script, verb, ...rest] = proc.argv;
  if (verb !== 'run' || node === undefined || script === undefined) return undefined;
  if (proc.execArgv.some((arg) => SEMI_SPACE_FLAG.test(arg))) return undefined;
  if (proc.nodeOptions !== undefined && SEMI_SPACE_FLAG.test(proc.nodeOptions)) return undefined;
  return [
    proc.execPath,
    ...proc.execArgv,
    `--max-semi-space-size=${RUN_SEMI_SPACE_MIB}`,
    script,
    verb,
    ...rest,
  ];
}

/**
 * The relaunched run's environment: this one, with RUN_MALLOC_ARENA_MAX and RUN_MALLOC_MMAP_THRESHOLD
 * unless it names its own `MALLOC_ARENA_MAX` or `MALLOC_MMAP_THRESHOLD_`. (What the run starts, such as
 * the Azure CLI for a development credential, inherits them.)
 */
export function relaunchEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? RUN_MALLOC_ARENA_MAX,
    MALLOC_MMAP_THRESHOLD_: env.MALLOC_MMAP_THRESHOLD_ ?? RUN_MALLOC_MMAP_THRESHOLD,
  };
}

/**
 * Called by the bin before anything else: for `run`, replaces this process by the same Node with the
 * run's young generation and malloc arenas (`process.execve`: the same process id, standard streams
 * and environment, with relaunchEnv's malloc settings; nothing written yet; POSIX, Node 22.15 and later), and does not return. Elsewhere (another verb,
 * Windows, an older Node, an `execve` that fails) it returns and the verb runs here, with V8's default
 * young generation: the relaunch saves memory, it is never needed for the run to work.
 */
export function relaunchForRun(proc: NodeJS.Process = process): void {
  if (typeof proc.execve !== 'function') return;
  const args = relaunchArgs({
    execPath: proc.execPath,
    execArgv: proc.execArgv,
    argv: proc.argv,
    nodeOptions: proc.env.NODE_OPTIONS,
  });
  if (!args) return;
  try {
    proc.execve(proc.execPath, args, relaunchEnv(proc.env));
  } catch {
    // execve(2) failed (E2BIG, EACCES, …) and this process is unchanged: run here.
  }
}
