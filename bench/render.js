'use strict';
/**
 * Render benchmark: time to fill and render an article as the number of placeholders grows, for the
 * layouts that were once quadratic, to show render is near-linear in placeholders (issue 11: 40 000
 * once took 16.8 s, 200 000 took 348 s; issue s14: 20 000 links took 37 s, 40 000 took 345 s).
 *
 *   paragraphs    each placeholder in a paragraph of its own ("Line i: <ph> text", blank line between)
 *   list          one placeholder per list item
 *   lines         one placeholder per line, all lines one paragraph (one inline run)
 *   dense         ten placeholders per line, lines in paragraphs of ten
 *   links         one link target and one code span per list item (URL and code-span filling)
 *   titles        one link title per list item (the title's quote)
 *   definitions   one reference definition per line, a placeholder in its URL and one in its title
 *   code          one code span per line, all lines one paragraph
 *   html-block    one <span title="…"> per line of one HTML block
 *   inline-html   "x <b><ph></b> <i>y</i>" per line, one paragraph (is a `<` left open before each)
 *   autolinks     one autolink per line, one paragraph
 *   link-text     "see [a <ph>](url) <i>x</i>" per line, one paragraph
 *   one-url       every placeholder in one link target
 *
 * Each layout uses 50 distinct placeholder names with plain values (names and addresses, as insights
 * have) and some markdown punctuation. Figures: wall time of renderArticle (parse + fill + render), and
 * microseconds per placeholder; a near-linear engine keeps the last column flat as N grows.
 *
 * Usage: node bench/render.js [--sizes 10000,20000,40000] [--layouts links,titles,…]
 * (npm run bench:render builds first). It prints figures; it asserts nothing.
 */
const path = require('node:path');
const { renderArticle } = require(path.join(__dirname, '..', 'dist', 'src', 'articles'));

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const ph = (i) => `<!--$P${i % 50}-->default<!--/$P${i % 50}-->`;
const rows = (n, row) => Array.from({ length: n }, (_, i) => row(i));

/** Each layout's body lines for n placeholders. */
const LAYOUTS = {
  paragraphs: (n) => rows(n, (i) => `Line ${i}: ${ph(i)} (gateway).\n`),
  list: (n) => rows(n, (i) => `- server ${i}: ${ph(i)} text`),
  lines: (n) => rows(n, (i) => `Server ${i}: ${ph(i)} text`),
  dense: (n) =>
    rows(n / 10, (j) => rows(10, (k) => `${ph(10 * j + k)} and`).join(' ') + (j % 10 === 9 ? '\n' : '')),
  links: (n) => rows(n / 2, (i) => `- [server ${i}](https://example.invalid/${ph(i)}?q=1) \`${ph(i + 1)}\``),
  titles: (n) => rows(n, (i) => `- [server ${i}](https://example.invalid/${i} "the ${ph(i)} gateway")`),
  definitions: (n) => [
    ...rows(n / 2, (i) => `[r${i}]: https://example.invalid/${ph(i)} "t ${ph(i + 1)}"`),
    '',
    'see [r1]',
  ],
  code: (n) => rows(n, (i) => `run \`${ph(i)}\` on it`),
  'html-block': (n) => ['<div>', ...rows(n, (i) => `<span title="${ph(i)}">x ${i}</span>`), '</div>'],
  'inline-html': (n) => rows(n, (i) => `x <b>${ph(i)}</b> <i>y</i>`),
  autolinks: (n) => rows(n, (i) => `<https://example.invalid/${ph(i)}> x`),
  'link-text': (n) => rows(n, (i) => `see [a ${ph(i)}](https://example.invalid/) <i>x</i>`),
  'one-url': (n) => [`[x](https://example.invalid/${rows(n, ph).join('/')})`],
};

const sizes = option('sizes', '10000,20000,40000').split(',').map(Number);
const layouts = option('layouts', Object.keys(LAYOUTS).join(',')).split(',');

const article = (n, layout) =>
  [
    '<properties pageTitle="Bench" articleId="Bench" service="bench" />',
    '# Bench',
    '',
    ...LAYOUTS[layout](n),
  ].join('\n');

const values = {};
for (let i = 0; i < 50; i++) values[`P${i}`] = i % 5 === 0 ? `appgw-shop_${i} (prod) *x*` : `10.0.${i}.4`;

console.log(`node ${process.version}; renderArticle, wall time`);
console.log('layout         placeholders      ms   µs/placeholder');
for (const layout of layouts) {
  if (LAYOUTS[layout] === undefined)
    throw new Error(`unknown layout ${layout}: ${Object.keys(LAYOUTS).join(', ')}`);
  for (const n of sizes) {
    const source = article(n, layout);
    const started = process.hrtime.bigint();
    const result = renderArticle(source, values, {});
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!result.html.includes('10.0.1.4')) throw new Error('value missing from the output');
    console.log(
      `${layout.padEnd(14)} ${String(n).padStart(12)} ${ms.toFixed(0).padStart(7)} ${((ms * 1000) / n).toFixed(1).padStart(16)}`,
    );
  }
}
