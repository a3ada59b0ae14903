/** Offset → 1-based line number, for a text whose line ends are LF. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  /** Offset of the first character of a 1-based line. */
  startOf(line: number): number {
    return this.starts[line - 1] ?? this.starts[this.starts.length - 1] ?? 0;
  }
}
