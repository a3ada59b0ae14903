/**
 * A small HTML scanner for the article's own raw HTML: tells whether an offset lies in text, a comment,
 * a tag, or an attribute value (and which attribute, how quoted, where the value starts and ends).
 */

export type HtmlPosition =
  | { readonly state: 'text' | 'comment'; readonly rawTextElement: string | undefined }
  | { readonly state: 'tag'; readonly tagName: string }
  | {
      readonly state: 'attribute';
      readonly tagName: string;
      readonly attribute: string;
      readonly quote: '"' | "'" | '';
      readonly valueStart: number;
      readonly valueEnd: number;
    };

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

/** Where `target` lies in `html`, scanning from the start of `html`. */
export function htmlPositionAt(html: string, target: number): HtmlPosition {
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
