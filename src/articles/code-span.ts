/** The code spans of a stretch of the skeleton, found by CommonMark's rules (locate.ts finds the one around each placeholder). */

export interface CodeSpan {
  /** Skeleton offsets and lengths of the opening and closing backtick runs. */
  readonly open: number;
  readonly close: number;
  readonly ticks: number;
}

/** The length of the backtick run starting at `at`. */
function runLength(text: string, at: number): number {
  let n = 0;
  while (text[at + n] === '`') n++;
  return n;
}

/**
 * Every code span of `text[from, to)`, in order, by CommonMark's rules: a backtick run pairs with the
 * next run of the same length; a backslash escapes the character after it only outside a span. One scan
 * for all the placeholders of a paragraph (scanning it again for each was quadratic), the closing run
 * looked up among the stretch's runs by length (scanning ahead for it was too, for runs that close
 * nothing).
 */
export function codeSpansIn(text: string, from: number, to: number): CodeSpan[] {
  const closers = new RunsByLength(text, from, to);
  const spans: CodeSpan[] = [];
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
    const close = closers.next(n, i + n);
    if (close < 0) {
      i += n;
      continue;
    }
    spans.push({ open: i, close, ticks: n });
    i = close + n;
  }
  return spans;
}

/** The maximal backtick runs starting in `text[from, to)`, by length, for "the next run of exactly n". */
class RunsByLength {
  private readonly starts = new Map<number, number[]>();
  /** Per length, how many of its runs start before the last position asked about (asks only move on). */
  private readonly passed = new Map<number, number>();

  constructor(text: string, from: number, to: number) {
    let j = from;
    while (j < to) {
      if (text[j] !== '`') {
        j++;
        continue;
      }
      const m = runLength(text, j);
      const list = this.starts.get(m);
      if (list) list.push(j);
      else this.starts.set(m, [j]);
      j += m;
    }
  }

  /** The first run of exactly `ticks` starting at or after `at` (`at` never decreases), or -1. */
  next(ticks: number, at: number): number {
    const list = this.starts.get(ticks);
    if (list === undefined) return -1;
    let k = this.passed.get(ticks) ?? 0;
    while (k < list.length && (list[k] ?? 0) < at) k++;
    this.passed.set(ticks, k);
    return list[k] ?? -1;
  }
}
