import { renderArticle } from '../../src/articles';
import { workOf } from './work';

/**
 * Render stays near-linear in placeholders, whatever the layout (issue 11: 40 000 once took 16.8 s,
 * 200 000 took 348 s; issue s14: 20 000 links took 37 s, 40 000 took 345 s; `npm run bench:render`
 * prints the times). Times are not asserted here: the work is (work.ts counts the characters handed to
 * markdown-it and to every search primitive). Four times the placeholders must cost about four times
 * the work, not sixteen. Each layout names the code that once made it quadratic.
 */
const ph = (i: number): string => `<!--$P${i % 20}-->d<!--/$P${i % 20}-->`;
const rows = (n: number, row: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => row(i));
const all = (n: number, join: string): string => Array.from({ length: n }, (_, i) => ph(i)).join(join);

const LAYOUTS: Readonly<Record<string, (n: number) => string[]>> = {
  // One paragraph of lines (values with backticks: afterBacktickRuns re-read the rest of the paragraph).
  lines: (n) => rows(n, (i) => `Server ${i}: ${ph(i)} (prod) text`),
  paragraphs: (n) => rows(n, (i) => `Line ${i}: ${ph(i)} x.\n`),
  dense: (n) => rows(n / 10, (i) => rows(10, (k) => `${ph(10 * i + k)} and`).join(' ')),
  // A link target and a code span per item (placeCodeSpans looked each span's part up among all parts;
  // addUrl searched every URL slot).
  links: (n) => rows(n / 2, (i) => `- [s ${i}](https://example.invalid/${ph(i)}) \`${ph(i + 1)}\``),
  // Code spans in one paragraph (the code span around each placeholder was found from the paragraph's start).
  'code spans in a paragraph': (n) => rows(n, (i) => `code \`${ph(i)}\` x`),
  'code spans in a table': (n) => [
    '| a | b |',
    '| - | - |',
    ...rows(n / 2, (i) => `| ${ph(i)} | \`${ph(i + 1)}\` |`),
  ],
  // Many placeholders in one code span, URL, attribute (each was replaced over the whole of it, in turn).
  'one code span': (n) => [`\`${all(n, ' ')}\``],
  'one link target': (n) => [`[x](https://example.invalid/${all(n, '/')})`],
  'one attribute': (n) => [`<a href="https://example.invalid/${all(n, '/')}">x</a>`],
  // An HTML block (each placeholder's position was found by scanning the block from its start).
  'HTML block attributes': (n) => [
    '<div>',
    ...rows(n, (i) => `<span title="${ph(i)}">x ${i}</span>`),
    '</div>',
  ],
  'HTML block text': (n) => ['<div>', ...rows(n, (i) => `<p>x ${ph(i)}</p>`), '</div>'],
  // Link titles (the quote of each was found by parsing the whole document three times).
  'link titles': (n) => rows(n, (i) => `- [s ${i}](https://example.invalid/${i} "t ${ph(i)}")`),
  'link titles in a paragraph': (n) =>
    rows(n, (i) => `see [s ${i}](https://example.invalid/${i} "t ${ph(i)}") and`),
  'reference definitions': (n) => [
    ...rows(n / 2, (i) => `[r${i}]: https://example.invalid/${ph(i)} "t ${ph(i + 1)}"`),
    '',
    'use [r1]',
  ],
  // Inline HTML, autolinks, a `<` in one paragraph (markdown-it was asked about the whole text before
  // each placeholder, whether a `<` or a backtick run was left open; for autolinks' too).
  'inline HTML in a paragraph': (n) => rows(n, (i) => `x <b>${ph(i)}</b> <i>y</i>`),
  'autolinks in a paragraph': (n) => rows(n, (i) => `<https://example.invalid/${ph(i)}> x`),
  'less-than signs in a paragraph': (n) => rows(n, (i) => `a < b ${ph(i)} c > d`),
  'link text and HTML in a paragraph': (n) =>
    rows(n, (i) => `see [a ${ph(i)}](https://example.invalid/) <i>x</i>`),
  'text, code and HTML in a paragraph': (n) =>
    rows(
      n / 4,
      (i) => `Server ${ph(i)} uses \`${ph(i + 1)}\` and <b>${ph(i + 2)}</b> see [a ${ph(i + 3)}](u)`,
    ),
  // Text between brackets when the article defines references (the paragraph was re-read for each).
  'brackets with references': (n) => [
    '[r]: https://example.invalid/',
    '',
    ...rows(n, (i) => `text [a ${ph(i)} b] y`),
  ],
  // Adjacent placeholders (each one's window stretched over the whole run of them).
  // (After a long line start: the block check reads no line past LINE_HEAD, 1 000 characters.)
  adjacent: (n) => [`${'word '.repeat(420)}${all(n, '')}`],
};

/** Names and addresses, as insights have, some with markdown punctuation (backticks, emphasis, HTML). */
const values = Object.fromEntries(
  Array.from({ length: 20 }, (_, i) => [
    `P${i}`,
    i % 2 === 0 ? `gw_${i} (prod) *x* <b> \`t\` [a](b) & | # 1.` : `10.0.${i}.4`,
  ]),
);

function article(lines: readonly string[]): string {
  return ['<properties pageTitle="T" articleId="T" service="s" />', '# T', '', ...lines].join('\n');
}

const workFor = (source: string, given: Record<string, string> = values): number =>
  workOf(() => renderArticle(source, given, {}));

describe('render is near-linear in placeholders', () => {
  it.each(Object.keys(LAYOUTS))('%s: 4× the placeholders, at most 5× the work', (layout) => {
    const make = LAYOUTS[layout] ?? (() => []);
    const small = workFor(article(make(200)));
    const large = workFor(article(make(800)));
    expect(large / small).toBeLessThan(5);
  });

  it('the check falling back on one value: every candidate once rendered the whole document again', () => {
    // A value the minimal escaping gets wrong here (fill.ts then tries each candidate's full form alone).
    const faulty =
      "')_| <!--$P3-->d<!--/$P3--><span |---|<!--$P2-->d<!--/$P2-->```<!--$P3-->d<!--/$P3-->]<!--" +
      '<!--$P0-->d<!--/$P0-->]]><!--$P2-->d<!--/$P2-->|---|<!--$P1-->d<!--/$P1--><!--$P2-->d<!--/$P2-->' +
      "'>word!<!--$P4-->d<!--/$P4--> ](u \"\n<!--$P3-->d<!--/$P3--><div>\n'><!--$P2-->d<!--/$P2-->" +
      '<!--$P4-->d<!--/$P4--><!--$P0-->d<!--/$P0-->';
    const given = {
      P0: 'x',
      P1: 'a*b_c `x` [y](z) <b> & | # 1.',
      P2: '',
      P3: 'x" y\' (z) \\ `',
      P4: '<!--$P0-->',
    };
    const source = (n: number): string =>
      article([...rows(n, (i) => `Server <!--$P1-->d<!--/$P1--> text ${i}\n`), faulty]);
    const fellBack = renderArticle(source(200), given, {}).warnings.filter((w) =>
      w.includes('character references'),
    );
    expect(fellBack).toHaveLength(1);
    expect(workFor(source(800), given) / workFor(source(200), given)).toBeLessThan(5);
  });

  it('a link title value 4× as long costs at most 5× the work (escapeTitleMinimal copied the rest of it for each &)', () => {
    const source = article(['[x](https://example.invalid/ "t <!--$P0-->d<!--/$P0-->")']);
    const value = (n: number): Record<string, string> => ({ P0: 'a &amp; <!-- b '.repeat(n) });
    expect(workFor(source, value(2000)) / workFor(source, value(500))).toBeLessThan(5);
  });
});
