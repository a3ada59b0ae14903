import fc from 'fast-check';
import { htmlPositionsAt, type HtmlPosition } from '../../src/articles/html-scan';

/**
 * One scan answers for many offsets what a scan from the start, stopped at each one, answers (the
 * engine's way before: quadratic in the placeholders of an HTML block). The reference below is that scan.
 */
const RAW_TEXT = new Set([
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
]);

function scanningFromTheStart(html: string, target: number): HtmlPosition {
  let i = 0;
  let rawText: string | undefined;
  while (i <= target && i < html.length) {
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      const stop = end < 0 ? html.length : end + 3;
      if (target < stop) return { state: 'comment', rawTextElement: rawText };
      i = stop;
      continue;
    }
    const tag = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)/.exec(html.slice(i, i + 64));
    if (tag === null || (rawText !== undefined && !(tag[1] === '/' && tag[2]?.toLowerCase() === rawText))) {
      i += 1;
      continue;
    }
    const tagName = (tag[2] ?? '').toLowerCase();
    const closing = tag[1] === '/';
    let j = i + tag[0].length;
    if (target < j) return { state: 'tag', tagName };
    // Attributes until '>'.
    for (;;) {
      while (j < html.length && /\s|\//.test(html[j] ?? '')) j++;
      if (j >= html.length) return { state: 'tag', tagName };
      if (html[j] === '>') {
        if (target === j) return { state: 'tag', tagName };
        j += 1;
        break;
      }
      const nameStart = j;
      while (j < html.length && !/[\s/>=]/.test(html[j] ?? '')) j++;
      const attribute = html.slice(nameStart, j).toLowerCase();
      if (target < j) return { state: 'tag', tagName };
      let k = j;
      while (k < html.length && /\s/.test(html[k] ?? '')) k++;
      if (html[k] !== '=') continue;
      k += 1;
      while (k < html.length && /\s/.test(html[k] ?? '')) k++;
      const q = html[k];
      let valueStart: number;
      let valueEnd: number;
      let quote: '"' | "'" | '';
      if (q === '"' || q === "'") {
        quote = q;
        valueStart = k + 1;
        const close = html.indexOf(q, valueStart);
        valueEnd = close < 0 ? html.length : close;
        j = close < 0 ? html.length : close + 1;
      } else {
        quote = '';
        valueStart = k;
        while (k < html.length && !/[\s>]/.test(html[k] ?? '')) k++;
        valueEnd = k;
        j = k;
      }
      if (target >= valueStart && target < valueEnd) {
        return { state: 'attribute', tagName, attribute, quote, valueStart, valueEnd };
      }
      if (target < j) return { state: 'tag', tagName };
    }
    if (!closing && RAW_TEXT.has(tagName)) rawText = tagName;
    else if (closing && rawText === tagName) rawText = undefined;
    i = j;
  }
  return { state: 'text', rawTextElement: rawText };
}

const PIECES = [
  '<div>',
  '</div>',
  '<span title="',
  '" ',
  "<a href='",
  "'>",
  ' x=',
  'y ',
  '>',
  '<!--',
  '-->',
  '<script>',
  '</script>',
  '<style>',
  '</style>',
  '<b',
  ' /',
  'word ',
  '\n',
  '<',
  '"',
  "'",
  '=',
  '<textarea>',
  '</TEXTAREA>',
];

describe('htmlPositionsAt', () => {
  it('answers for every letter of some HTML what scanning from the start up to it answers', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }), (pieces) => {
        const html = pieces.join('');
        const letters = [...html].flatMap((c, i) => (/[a-z]/i.test(c) ? [i] : []));
        const together = htmlPositionsAt(html, letters);
        letters.forEach((at, k) => expect(together[k]).toEqual(scanningFromTheStart(html, at)));
        // In any order.
        expect(htmlPositionsAt(html, [...letters].reverse())).toEqual([...together].reverse());
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    [
      '<a title="x">',
      10,
      { state: 'attribute', tagName: 'a', attribute: 'title', quote: '"', valueStart: 10, valueEnd: 11 },
    ],
    ['<a title="x">', 1, { state: 'tag', tagName: 'a' }],
    ['<!-- x -->', 5, { state: 'comment', rawTextElement: undefined }],
    ['<script>x</script>y', 8, { state: 'text', rawTextElement: 'script' }],
    ['<script>x</script>y', 18, { state: 'text', rawTextElement: undefined }],
  ])('%j at %d', (html, at, position) => {
    expect(htmlPositionsAt(html, [at])).toEqual([position]);
  });
});
