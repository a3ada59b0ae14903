import fc from 'fast-check';
import { LineFacts } from '../../src/articles/line-facts';
import { readSkeleton } from '../../src/articles/skeleton';

/**
 * LineFacts reads lines and brackets with cursors that only move forward; for each placeholder in turn
 * it must answer as reading the text around it does (the engine's way before: quadratic in the
 * placeholders of a line or paragraph). The references below are those readings.
 */
const SENTINELS = Array.from({ length: 30 }, (_, i) => `qzph${i}hpzq`);

function aloneOnLine(text: string, lineStart: number, at: number, length: number, lineEnd: number): boolean {
  return /^\s*$/.test(text.slice(lineStart, at)) && /^\s*$/.test(text.slice(at + length, lineEnd));
}

function betweenBrackets(text: string, at: number, length: number): boolean {
  const blankBefore = text.lastIndexOf('\n\n', at);
  const blankAfter = text.indexOf('\n\n', at + length);
  const before = text.slice(blankBefore < 0 ? 0 : blankBefore, at);
  const after = text.slice(at + length, blankAfter < 0 ? undefined : blankAfter);
  return (
    before.lastIndexOf('[') > before.lastIndexOf(']') &&
    after.indexOf(']') >= 0 &&
    (after.indexOf('[') < 0 || after.indexOf(']') < after.indexOf('['))
  );
}

const texts = fc
  .array(fc.constantFrom('S', 'S', 'a ', ' ', '\t', '\u00a0', '\n', '\n\n', '[', ']', '[x]', '\\[', 'b'), {
    maxLength: 40,
  })
  .map((pieces) => {
    let n = 0;
    return { text: pieces.map((p) => (p === 'S' ? (SENTINELS[n++] ?? '') : p)).join(''), count: n };
  });

describe('LineFacts', () => {
  it('answers for each placeholder in turn as reading the text around it does', () => {
    fc.assert(
      fc.property(texts, ({ text, count }) => {
        const skeleton = readSkeleton(text, SENTINELS.slice(0, count));
        const facts = new LineFacts(skeleton);
        for (let i = 0; i < count; i++) {
          const at = skeleton.offsets[i] ?? 0;
          const length = (SENTINELS[i] ?? '').length;
          const line = skeleton.lineIndex.indexAt(at);
          const lineStart = skeleton.lineIndex.starts[line] ?? 0;
          const lineEnd = lineStart + (skeleton.lines[line]?.length ?? 0);
          expect(facts.aloneOnLine({ at, length, line, lineStart, lineEnd })).toBe(
            aloneOnLine(text, lineStart, at, length, lineEnd),
          );
          expect(facts.betweenBrackets(at, length)).toBe(betweenBrackets(text, at, length));
        }
      }),
      { numRuns: 500 },
    );
  });
});
