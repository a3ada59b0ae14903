import fc from 'fast-check';
import { analyzeSkeleton } from '../../src/articles/context';
import { markdownIt, type MarkdownToken } from '../../src/articles/markdown';

/**
 * title-quote.ts reads a link title's quote from its source; it must give what asking markdown-it
 * gives: the first of `"`, `'`, `(` whose closer, put before the placeholder, takes it out of every
 * title (the whole document parsed again, as the engine did before).
 */
const SENTINELS = Array.from({ length: 30 }, (_, i) => `qzph${i}hpzq`);

function askingMarkdownIt(skeleton: string, sentinel: string): '"' | "'" | '(' | undefined {
  const inTitle = (source: string): boolean => {
    const env: Record<string, unknown> = {};
    const tokens = markdownIt.parse(source, env);
    const refs = Object.values((env['references'] ?? {}) as Record<string, { title?: string }>);
    if (refs.some((r) => (r.title ?? '').includes(sentinel))) return true;
    const walk = (list: readonly MarkdownToken[]): boolean =>
      list.some((t) => String(t.attrGet('title') ?? '').includes(sentinel) || walk(t.children ?? []));
    return walk(tokens);
  };
  for (const [quote, closer] of [
    ['"', '"'],
    ["'", "'"],
    ['(', ')'],
  ] as const) {
    if (!inTitle(skeleton.replace(sentinel, `${closer}${sentinel}`))) return quote;
  }
  return undefined;
}

const PIECES = [
  '[a](u "t ',
  "[a](u 't ",
  '[a](u (t ',
  '![i](u "',
  '"',
  "'",
  '(',
  ')',
  '")',
  "')",
  '))',
  ' ',
  'word ',
  '\n',
  '\n\n',
  '\\',
  '\\"',
  "\\'",
  '&amp;',
  '&quot;',
  '[',
  ']',
  '[r]',
  '\n[r]: /u "',
  "\n[s]: <u v> '",
  '\n[q]: /q\n"',
  '> ',
  '- ',
  '| a | ',
  '\n|---|---|\n| ',
  ' |',
  '`',
  '<b>',
  '%5B',
  'é',
];

const skeletons = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.constant('S')), { minLength: 1, maxLength: 30 })
  .map((pieces) => {
    let n = 0;
    const text = pieces.map((p) => (p === 'S' ? (SENTINELS[n++] ?? '') : p)).join('');
    return { text, count: n };
  });

/** The title quote of each placeholder in a link title, and markdown-it's; none when the skeleton is refused. */
function compare(text: string, count: number): { got: unknown; want: unknown }[] {
  const sentinels = SENTINELS.slice(0, count);
  let contexts;
  try {
    contexts = analyzeSkeleton(
      text,
      sentinels,
      sentinels,
      sentinels.map(() => 1),
    ).contexts;
  } catch {
    return [];
  }
  return contexts.flatMap((c, i) =>
    c.context === 'link-title'
      ? [{ got: c.titleQuote, want: askingMarkdownIt(text, sentinels[i] ?? '') }]
      : [],
  );
}

describe('a link title quote read from its source', () => {
  it('is the one markdown-it tells, for titles of every kind, escaped, across lines, in definitions', () => {
    fc.assert(
      fc.property(skeletons, ({ text, count }) => {
        for (const { got, want } of compare(text, count)) expect(got).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['[a](u "t S")', '"'],
    ["[a](u 't S')", "'"],
    ['[a](u (t S))', '('],
    ['[a](u "it\'s S")', '"'],
    ['[a](u "Q&amp;A S")', '"'],
    ['[a](u "\\"q\\" S")', '"'],
    ['[a](u "t \\S")', undefined],
    ['[a](u "t [S")', '"'],
    ['[r]\n\n[r]: /u "t S"', '"'],
    ['[r]\n\n[r]: /u\n  (t S)', '('],
    ['> [r]\n>\n> [r]: /u "a\n> S"', '"'],
  ])('%j → %j', (source, quote) => {
    const text = source.replace('S', SENTINELS[0] ?? '');
    expect(compare(text, 1)).toEqual([{ got: quote, want: quote }]);
  });
});
