import fc from 'fast-check';
import { codeSpansIn, type CodeSpan } from '../../src/articles/code-span';

/**
 * codeSpansIn finds every code span of a stretch in one scan; the span around each offset must be the
 * one scanning from the stretch's start for that offset finds (the engine's way before: quadratic in
 * the code spans of a paragraph). The reference below is that scan.
 */
/**
 * The code span of `text[from, to)` whose content holds offset `target`: backtick runs pair with the
 * next run of the same length; a backslash escapes the character after it only outside a span.
 */
function codeSpanAround(text: string, target: number, from: number, to: number): CodeSpan | undefined {
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

const holding = (spans: readonly CodeSpan[], target: number): CodeSpan | undefined =>
  spans.find((s) => target > s.open && target < s.close);

describe('codeSpansIn', () => {
  it('finds around every offset the span scanning from the start finds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('`', '``', '```', '\\', '\\`', 'a', ' ', '\n', 'b c'), { maxLength: 40 }),
        fc.nat(5),
        (pieces, margin) => {
          const text = pieces.join('');
          const from = Math.min(margin, text.length);
          const to = Math.max(from, text.length - margin);
          const spans = codeSpansIn(text, from, to);
          for (let target = from; target < to; target++) {
            expect(holding(spans, target)).toEqual(codeSpanAround(text, target, from, to));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    [
      '`a` ``b`` `c',
      [
        { open: 0, close: 2, ticks: 1 },
        { open: 4, close: 7, ticks: 2 },
      ],
    ],
    ['\\`a` `b`', [{ open: 3, close: 5, ticks: 1 }]],
    ['``a`b``', [{ open: 0, close: 5, ticks: 2 }]],
  ])('%j', (text, spans) => {
    expect(codeSpansIn(text, 0, text.length)).toEqual(spans);
  });
});
