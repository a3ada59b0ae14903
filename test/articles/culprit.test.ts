import fc from 'fast-check';
import { firstCulprit, renderingOf, sameRendering, type Rendering } from '../../src/articles/culprit';

/**
 * culprit.ts tries each candidate's full form on its own stretch of the document; the candidate it
 * finds must be the first one whose full form alone makes the whole document render as the target (all
 * full forms), as rendering the whole document for each candidate finds.
 */

/** Values as the escaping writes them: a minimal form (sometimes wrong) and the full one. */
const FORMS: readonly [string, string][] = [
  ['x', 'x'],
  ['*a*', '&#42;a&#42;'],
  ['\\*a', '&#42;a'],
  ['1.', '1&#46;'],
  ['<b>', '&lt;b&#62;'],
  ['`', '&#96;'],
  ['```', '&#96;&#96;&#96;'],
  ['[a]', '&#91;a&#93;'],
  ['[r]: /u', '&#91;r&#93;&#58; &#47;u'],
  ['<!--', '&lt;&#33;&#45;&#45;'],
  ['-->', '&#45;&#45;&#62;'],
  ['~~~', '&#126;&#126;&#126;'],
  ['---', '&#45;&#45;&#45;'],
  ['|', '&#124;'],
  ['a "t" (b)', 'a &#34;t&#34; &#40;b&#41;'],
];
const TEXT = [
  'Word ',
  'text ',
  ' ',
  '\n',
  '\n\n',
  '\n\nLine ',
  '- ',
  '> ',
  '# ',
  '<div>\n',
  '\n</div>\n',
  '`',
  '<',
  '[',
  ']',
  '(u)',
  '|---|',
  '    ',
];

const documents = fc.array(
  fc.oneof(
    fc.constantFrom(...TEXT).map((text) => ({ text })),
    fc.nat(FORMS.length - 1).map((form) => ({ form })),
  ),
  { minLength: 1, maxLength: 30 },
);

type Piece = { text: string } | { form: number };

function build(pieces: readonly Piece[], full: ReadonlySet<number>): string {
  let out = '';
  pieces.forEach((piece, k) => {
    if ('text' in piece) out += piece.text;
    else out += FORMS[piece.form]?.[full.has(k) ? 1 : 0] ?? '';
  });
  return out;
}

describe('the value at fault', () => {
  it('is the first candidate whose full form alone renders the document as the target', () => {
    fc.assert(
      fc.property(documents, (pieces) => {
        const candidates = pieces.flatMap((p, k) =>
          'form' in p && FORMS[p.form]?.[0] !== FORMS[p.form]?.[1] ? [k] : [],
        );
        const minimal = build(pieces, new Set());
        const target = renderingOf(build(pieces, new Set(candidates)));
        const whole = (k: number): Rendering => renderingOf(build(pieces, new Set([k])));
        const expected = candidates.find((k) => sameRendering(whole(k), target));
        const starts = new Map<number, number>();
        let at = 0;
        pieces.forEach((p, k) => {
          starts.set(k, at);
          at += ('text' in p ? p.text : (FORMS[p.form]?.[0] ?? '')).length;
        });
        const found = firstCulprit(
          { markdown: minimal, rendering: renderingOf(minimal) },
          target,
          candidates,
          (k) => {
            const p = pieces[k];
            const forms = p !== undefined && 'form' in p ? FORMS[p.form] : undefined;
            const start = starts.get(k);
            return forms === undefined || start === undefined
              ? undefined
              : { start, minimal: forms[0], full: forms[1] };
          },
          whole,
        );
        expect(found).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('sameRendering', () => {
  it.each([
    ['an attribute', '[a](/u)', '[a](/v)'],
    ['a fence info', '```js\nx\n```\n', '```ts\nx\n```\n'],
    ['rendered content', '`a`', '`b`'],
    ['a tag', '# a', '## a'],
    ['nesting', '*a*', '\\*a\\*'],
  ])('tells documents apart by %s', (_, one, other) => {
    expect(sameRendering(renderingOf(one), renderingOf(other))).toBe(false);
    expect(sameRendering(renderingOf(one), renderingOf(one))).toBe(true);
  });

  it.each([
    ['a fence info and its content', '```a b\nc\n```\n', '```a\nb c\n```\n'],
    ['an attribute and the text', '[a b](/u)', '[a](/u b)'],
  ])('tells documents apart by %s, whatever the fields hold', (_, one, other) => {
    expect(sameRendering(renderingOf(one), renderingOf(other))).toBe(false);
  });

  it("reads NUL as U+FFFD, as markdown-it does (a token's fields are joined by NUL)", () => {
    expect(sameRendering(renderingOf('a\u0000b'), renderingOf('a\ufffdb'))).toBe(true);
    expect(sameRendering(renderingOf('```a\u0000\nb\n```\n'), renderingOf('```a\ufffd\nb\n```\n'))).toBe(
      true,
    );
  });

  it('ignores U+200B in rendered content', () => {
    expect(sameRendering(renderingOf('a b'), renderingOf('a \u200bb'))).toBe(true);
  });
});
