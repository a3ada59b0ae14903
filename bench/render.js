'use strict';
/**
 * Render benchmark: time to fill and render an article as the number of placeholders grows, for three
 * layouts, to show render is near-linear in placeholders (issue 11: 40 000 once took 16.8 s, 200 000
 * took 348 s).
 *
 *   paragraphs  each placeholder in a paragraph of its own ("Line i: <ph> text", blank line between)
 *   list        one placeholder per list item
 *   lines       one placeholder per line, all lines one paragraph (the hard case: one inline run)
 *   dense       ten placeholders per line, lines in paragraphs of ten
 *   links       one link target and one code span per list item (URL and code-span filling)
 *
 * Each layout uses 50 distinct placeholder names with plain values (names and addresses, as insights
 * have) and some markdown punctuation. Figures: wall time of renderArticle (parse + fill + render), and
 * microseconds per placeholder; a near-linear engine keeps the last column flat as N grows.
 *
 * Usage: node bench/render.js [--sizes 1000,5000,20000,40000] [--layouts paragraphs,list,lines,dense,links]
 * (npm run bench:render builds first). It prints figures; it asserts nothing.
 */
const path = require('node:path');
const { renderArticle } = require(path.join(__dirname, '..', 'dist', 'src', 'articles'));

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const sizes = option('sizes', '1000,5000,20000,40000').split(',').map(Number);
const layouts = option('layouts', 'paragraphs,list,lines,dense,links').split(',');

function article(n, layout) {
  const lines = ['<properties pageTitle="Bench" articleId="Bench" service="bench" />', '# Bench', ''];
  const ph = (i) => `<!--$P${i % 50}-->default<!--/$P${i % 50}-->`;
  if (layout === 'paragraphs') for (let i = 0; i < n; i++) lines.push(`Line ${i}: ${ph(i)} (gateway).`, '');
  if (layout === 'list') for (let i = 0; i < n; i++) lines.push(`- server ${i}: ${ph(i)} text`);
  if (layout === 'lines') for (let i = 0; i < n; i++) lines.push(`Server ${i}: ${ph(i)} text`);
  if (layout === 'links')
    for (let i = 0; i < n; i++)
      lines.push(`- [server ${i}](https://example.invalid/${ph(i)}?q=1) \`${ph(i + 1)}\``);
  if (layout === 'dense') {
    for (let i = 0; i < n; i += 10) {
      lines.push(Array.from({ length: 10 }, (_, k) => `${ph(i + k)} and`).join(' '));
      if ((i / 10) % 10 === 9) lines.push('');
    }
  }
  return lines.join('\n');
}

const values = {};
for (let i = 0; i < 50; i++) values[`P${i}`] = i % 5 === 0 ? `appgw-shop_${i} (prod) *x*` : `10.0.${i}.4`;

console.log(`node ${process.version}; renderArticle, wall time`);
console.log('layout      placeholders      ms   µs/placeholder');
for (const layout of layouts) {
  for (const n of sizes) {
    const source = article(n, layout);
    const started = process.hrtime.bigint();
    const result = renderArticle(source, values, {});
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!result.html.includes('10.0.1.4')) throw new Error('value missing from the output');
    console.log(
      `${layout.padEnd(11)} ${String(n).padStart(12)} ${ms.toFixed(0).padStart(7)} ${((ms * 1000) / n).toFixed(1).padStart(16)}`,
    );
  }
}
