import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { boundedMemo, fillArticle, fillWithTokens, parseArticle, renderMarkdown } from '../../src/articles';
import { escapeInlineForms, STANDALONE } from '../../src/articles/inline-escape';
import { classifyCause } from '../../src/core/classify';
import { causeSectionMarkdown } from '../../src/insight/cause-section';

describe('boundedMemo', () => {
  it('computes a key once, keeps at most `size` keys, dropping the least recently used', () => {
    const asked: string[] = [];
    const memo = boundedMemo((key: string) => (asked.push(key), key.toUpperCase()), 2);
    expect([memo('a'), memo('b'), memo('a')]).toEqual(['A', 'B', 'A']);
    expect(asked).toEqual(['a', 'b']);
    memo('c'); // drops b, the least recently used
    memo('a');
    memo('b');
    expect(asked).toEqual(['a', 'b', 'c', 'b']);
  });

  it('answers a key longer than maxKeyChars every time without keeping it', () => {
    const asked: string[] = [];
    const memo = boundedMemo((key: string) => (asked.push(key), key.length), 8, 3);
    expect([memo('long'), memo('long'), memo('abc'), memo('abc')]).toEqual([4, 4, 3, 3]);
    expect(asked).toEqual(['long', 'long', 'abc']);
  });
});

describe('fillWithTokens', () => {
  const source = readFileSync(path.resolve(__dirname, '../fixtures/articles/positions.md'));
  const article = parseArticle(source);

  it('is the fill rendered by markdown-it, for any value (from the check tokens or parsed)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => {
        const values = Object.fromEntries(article.placeholders.map((p, i) => [p, i % 2 ? a : b]));
        const { fill, html } = fillWithTokens(article, values);
        expect(fill).toEqual(fillArticle(article, values));
        const rendered = html();
        expect(rendered).toBe(renderMarkdown(fill.markdown));
        // A second call renders the same (the tokens are used once, then the markdown is parsed).
        expect(html()).toBe(rendered);
      }),
      { numRuns: 150 },
    );
  });
});

describe('escapeInlineForms, kept per surroundings', () => {
  // One value, two places: where a line starts it would make a list item, mid-line it is text.
  const lineStart = STANDALONE;
  const midLine = { ...STANDALONE, before: 'see ', linePrefix: 'see ' };

  it.each([
    ['line start first', [lineStart, midLine, lineStart]],
    ['mid-line first', [midLine, lineStart, midLine]],
  ])('answers each place for itself (%s)', (_, places) => {
    const expected = (around: typeof STANDALONE): string => (around === lineStart ? '\\- item' : '- item');
    for (const around of places) expect(escapeInlineForms('- item', around)[0]).toBe(expected(around));
  });

  it('a value too long to keep is escaped all the same, at each place', () => {
    const long = `- ${'word '.repeat(120)}`; // 602 characters: past what is kept
    for (const around of [lineStart, midLine, lineStart]) {
      const [minimal] = escapeInlineForms(long, around);
      expect(minimal.startsWith(around === lineStart ? '\\- word' : '- word')).toBe(true);
    }
  });

  it('is the escape computed afresh, for any value and place', () => {
    const places = [
      lineStart,
      midLine,
      { ...STANDALONE, inTable: true },
      { ...STANDALONE, atxHeading: true },
    ];
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.nat(places.length - 1), (value, p) => {
        const around = places[p] ?? lineStart;
        // A copy of the surroundings has no answers kept: its answer is computed.
        expect(escapeInlineForms(value, around)).toEqual(escapeInlineForms(value, { ...around }));
      }),
      { numRuns: 300 },
    );
  });
});

describe('generated templates, parsed once per references flag', () => {
  it.each([
    ['with references first', [true, false]],
    ['without references first', [false, true]],
  ])('escapes brackets as the flag says (%s)', (_, flags) => {
    const cause = classifyCause({ state: 'unhealthy', probeLog: 'x' });
    // A probe message of its own per case: the section memo does not answer, the template memo does.
    const log = `refused [Errno ${flags[0] ? 1 : 2}]`;
    for (const references of flags) {
      const md = causeSectionMarkdown(cause, log, { references });
      expect(md).toContain(references ? 'refused \\[Errno' : 'refused [Errno');
    }
  });
});
