/** Offset → line, for a text whose line ends are LF. */
export class LineIndex {
  /** The offset at which each line starts (0-based lines). */
  readonly starts: readonly number[];
  constructor(text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
    this.starts = starts;
  }
  /** The 0-based line holding `offset` (binary search over the line starts). */
  indexAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  /** The 1-based line number holding `offset`. */
  lineAt(offset: number): number {
    return this.indexAt(offset) + 1;
  }
  /** Offset of the first character of a 1-based line. */
  startOf(line: number): number {
    return this.starts[line - 1] ?? this.starts[this.starts.length - 1] ?? 0;
  }
}
