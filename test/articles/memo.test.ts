import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { boundedMemo, fillArticle, fillWithTokens, parseArticle, renderMarkdown } from '../../src/articles';

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
