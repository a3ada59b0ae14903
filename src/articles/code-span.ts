/** The backtick runs of a code span around a placeholder, found by CommonMark's rules. */

export interface CodeSpan {
  /** Skeleton offsets and lengths of the opening and closing backtick runs. */
  readonly open: number;
  readonly close: number;
  readonly ticks: number;
}

/**
 * The code span of `text[from, to)` whose content holds offset `target`: backtick runs pair with the
 * next run of the same length; a backslash escapes the character after it only outside a span.
 */
export function codeSpanAround(text: string, target: number, from: number, to: number): CodeSpan | undefined {
  let i = from;
  while (i < to) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c !== '`') {
      i += 1;
      continue;
    }
    const n = runLength(text, i);
    const close = closingRun(text, i + n, to, n);
    if (close < 0) {
      i += n;
      continue;
    }
    if (target > i && target < close) return { open: i, close, ticks: n };
    i = close + n;
  }
  return undefined;
}

/** The length of the backtick run starting at `at`. */
function runLength(text: string, at: number): number {
  let n = 0;
  while (text[at + n] === '`') n++;
  return n;
}

/** The offset of the first backtick run of exactly `ticks` in `text[from, to)`, or -1. */
function closingRun(text: string, from: number, to: number, ticks: number): number {
  let j = from;
  while (j < to) {
    if (text[j] !== '`') {
      j++;
      continue;
    }
    const m = runLength(text, j);
    if (m === ticks) return j;
    j += m;
  }
  return -1;
}
