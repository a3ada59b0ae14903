/**
 * Facts about the skeleton around a placeholder that reach past its line's neighbourhood: whether the
 * placeholder is alone on its line, and whether it sits between a `[` and a `]` of its paragraph. Each
 * line and each stretch of the skeleton is read once, not once per placeholder (a line or paragraph of
 * many placeholders made that quadratic).
 */
import type { LinePlace } from './context';
import type { Skeleton } from './skeleton';

export class LineFacts {
  /** Per line: the first and last offsets of a character that is not white space (-1: none). */
  private readonly ink = new Map<number, { first: number; last: number }>();
  /** Cursors over the skeleton (placeholders are asked about in order). */
  private readonly lastBracket: LastOf;
  private readonly lastBlank: LastOf;
  private readonly nextBracket: NextOf;
  private readonly nextBlank: NextOf;

  constructor(private readonly skeleton: Skeleton) {
    const text = skeleton.text;
    const bracket = (i: number): boolean => text[i] === '[' || text[i] === ']';
    const blank = (i: number): boolean => text[i] === '\n' && text[i + 1] === '\n';
    this.lastBracket = new LastOf(bracket);
    this.lastBlank = new LastOf(blank);
    this.nextBracket = new NextOf(text.length, bracket);
    this.nextBlank = new NextOf(text.length, blank);
  }

  /** Nothing but white space (`\s`) shares the placeholder's line. */
  aloneOnLine(place: LinePlace): boolean {
    let ink = this.ink.get(place.line);
    if (ink === undefined) {
      const text = this.skeleton.text;
      let first = place.lineStart;
      while (first < place.lineEnd && /\s/.test(text[first] ?? '')) first++;
      let last = place.lineEnd - 1;
      while (last >= first && /\s/.test(text[last] ?? '')) last--;
      ink = first < place.lineEnd ? { first, last } : { first: -1, last: -1 };
      this.ink.set(place.line, ink);
    }
    return ink.first === place.at && ink.last === place.at + place.length - 1;
  }

  /**
   * Whether an unmatched `[` precedes and an unmatched `]` follows, within the paragraph: the last
   * bracket since the last blank line (`\n\n`) before the placeholder is a `[`, and the first bracket
   * after it, before the next blank line, is a `]`.
   */
  betweenBrackets(at: number, length: number): boolean {
    const text = this.skeleton.text;
    const bracketBefore = this.lastBracket.before(at);
    const blankAfter = this.nextBlank.from(at + length);
    const bracketAfter = this.nextBracket.from(at + length);
    return (
      bracketBefore >= 0 &&
      bracketBefore > this.lastBlank.before(at) &&
      text[bracketBefore] === '[' &&
      bracketAfter >= 0 &&
      (blankAfter < 0 || bracketAfter < blankAfter) &&
      text[bracketAfter] === ']'
    );
  }
}

/**
 * The last offset before `to` where `is` holds (-1: none), by a scan that only moves forward: `to` must
 * not decrease from one call to the next (one that does starts the scan again, which only costs time).
 */
class LastOf {
  private scanned = 0;
  private last = -1;

  constructor(private readonly is: (i: number) => boolean) {}

  before(to: number): number {
    if (to < this.scanned) {
      this.scanned = 0;
      this.last = -1;
    }
    for (; this.scanned < to; this.scanned++) if (this.is(this.scanned)) this.last = this.scanned;
    return this.last;
  }
}

/** The first offset at or after `from` where `is` holds (-1: none), likewise with `from` not decreasing. */
class NextOf {
  private asked = -1;
  private found = -1;

  constructor(
    private readonly length: number,
    private readonly is: (i: number) => boolean,
  ) {}

  from(from: number): number {
    // The match found for an earlier offset is still the first from this one if it is not before it;
    // and when there was none, there is none further on either.
    if (this.asked >= 0 && from >= this.asked && (this.found < 0 || this.found >= from)) return this.found;
    this.asked = from;
    this.found = -1;
    for (let i = from; i < this.length; i++) {
      if (this.is(i)) {
        this.found = i;
        break;
      }
    }
    return this.found;
  }
}
