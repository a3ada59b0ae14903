import type { Clock, RunProgress } from '../ports';
import { clipAtWord } from './terminal-text';

/** What the progress line writes to: stderr, or a fake terminal in tests. */
export interface ProgressStream {
  /** Only a terminal gets the line: a pipe or file would keep every overwritten copy. */
  readonly isTTY?: boolean;
  /** Width of the terminal, when known: the line is cut to fit, as a wrapped line cannot be overwritten. */
  readonly columns?: number;
  write(text: string): unknown;
}

/** The run's progress line, and the way to print a whole line above it while it shows. */
export interface ProgressLine extends RunProgress {
  /** Writes `text` (ending in a line feed) above the progress line: warnings, `--verbose` records. */
  writeAbove(text: string): void;
  /**
   * The run was asked to stop (a stop signal): the line then says so and drops the rate and ETA, which
   * told of a total the run will not reach (issue 14's trial: it went on counting to 600 with an ETA).
   * `said` (ending in a line feed): what the run says of it, written above the line once it says
   * "stopping", so the line with the old rate and ETA is never drawn again after it (a new-user trial).
   */
  stopping(said?: string): void;
}

/** Least time between two redraws: a run of 20 000 gateways redraws a few times a second, not 20 000 times. */
const REDRAW_EVERY_IN_MS = 200;
/** Erase the terminal line the cursor is on and go to its start (ECMA-48 EL 2, then CR). */
const ERASE_LINE = '\r\x1b[2K';

/**
 * `run` on a terminal: one line on stderr, overwritten in place, `12/50 gateways (24%) · 3.1/s · ETA 13s`
 * (rate and ETA from `clock`, since the targets were listed), erased when no gateway is left running, so
 * the summary and `--json` stay as they are. Undefined when `stream` is not a terminal: nothing extra
 * in a pipe, a file or CI logs.
 */
export function createProgressLine(stream: ProgressStream, clock: Clock): ProgressLine | undefined {
  if (!stream.isTTY) return undefined;
  let total = 0;
  // Every target listed: until then `total` is the gateways of those listed so far.
  let final = false;
  let done = 0;
  let startedAt = 0;
  let firstDoneAt: number | undefined;
  let drawnAt: number | undefined;
  let shown = '';
  let stopping = false;

  const draw = (now: number) => {
    drawnAt = now;
    const text = stopping
      ? `stopping: ${done}/${total} gateways done; finishing those already read`
      : progressText(
          done,
          total,
          now - startedAt,
          firstDoneAt === undefined ? undefined : firstDoneAt - startedAt,
          final,
        );
    // Narrower than the line: whole words ("12/50 gateways (24%) · 3.1/s…"), never "12/50 gatew".
    shown = stream.columns && stream.columns > 1 ? clipAtWord(text, stream.columns - 1) : text;
    stream.write(`${ERASE_LINE}${shown}`);
  };
  const erase = () => {
    if (shown) stream.write(ERASE_LINE);
    shown = '';
  };
  const writeAbove = (text: string) => {
    const again = shown !== '';
    erase();
    stream.write(text);
    if (again) draw(clock.now().getTime());
  };
  return {
    // A target listed early has its gateways started and done while others are still listing
    // (run-checks.ts): the line counts them against the gateways listed so far, and says so (a break
    // trial: 5 min of a silent terminal while a listing hung and the rest was done).
    listed(count) {
      if (total === 0) startedAt = clock.now().getTime();
      total += count;
      const now = clock.now().getTime();
      if (drawnAt === undefined || now - drawnAt >= REDRAW_EVERY_IN_MS) draw(now);
    },
    started(count) {
      if (total === 0) startedAt = clock.now().getTime();
      total = count;
      final = true;
      if (total > 0) draw(clock.now().getTime());
    },
    gatewayDone() {
      done += 1;
      const now = clock.now().getTime();
      firstDoneAt ??= now;
      if (total === 0) return;
      if (drawnAt === undefined || now - drawnAt >= REDRAW_EVERY_IN_MS || done === total) draw(now);
    },
    finished() {
      erase();
      total = 0;
      final = false;
      done = 0;
      firstDoneAt = undefined;
      drawnAt = undefined;
    },
    stopping(said) {
      stopping = true;
      // Written above a line that says "stopping" by now: redrawn, it never shows the old rate again.
      if (said !== undefined) writeAbove(said);
      else if (total > 0) draw(clock.now().getTime());
    },
    writeAbove,
  };
}

/**
 * The least time since the first gateway was done over which the rate is measured: before it, rate and
 * ETA are `–`.
 */
const RATE_WINDOW_IN_MS = 2_000;

/**
 * `12/50 gateways (24%) · 3.1/s · ETA 13s`. The rate is the gateways done since the first one over the
 * time since it (`firstDoneAfterInMs`, from the start): the wait for the first one is one operation's
 * latency (its POST, `Retry-After`, a poll), not the run's throughput, and counted in it, it made the
 * first ETA of a 23 s run of 20 000 gateways "52m" (issue 14's new-user trial). `–` until that has
 * lasted RATE_WINDOW_IN_MS with a second gateway done.
 */
export function progressText(
  done: number,
  total: number,
  elapsedInMs: number,
  firstDoneAfterInMs?: number,
  /** False while targets are still being listed: `total` is then those listed so far, and no ETA. */
  final = true,
): string {
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  const windowInMs = firstDoneAfterInMs === undefined ? 0 : elapsedInMs - firstDoneAfterInMs;
  const perSecond = done >= 2 && windowInMs >= RATE_WINDOW_IN_MS ? ((done - 1) * 1000) / windowInMs : 0;
  const rate = perSecond > 0 ? `${perSecond.toFixed(1)}/s` : '–/s';
  const eta = perSecond > 0 ? duration(Math.ceil((total - done) / perSecond)) : '–';
  if (!final) return `${done}/${total} gateways listed so far · ${rate} · still listing targets`;
  return `${done}/${total} gateways (${percent}%) · ${rate} · ETA ${eta}`;
}

/** `45s`, `3m 05s`, `2h 07m`. */
function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
