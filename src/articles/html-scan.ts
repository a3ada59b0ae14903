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

/**
 * Where each of `targets` (offsets in `html`) lies in `html`: one scan from the start answers
 * them all (a scan from the start for each was quadratic in the placeholders of an HTML block). Targets
 * are sentinels (letters); white space or `/` between a tag's attributes would read as in the tag.
 */
export function htmlPositionsAt(html: string, targets: readonly number[]): HtmlPosition[] {
  // Answered in ascending order, returned in the order asked.
  const order = targets.map((_, k) => k).sort((a, b) => (targets[a] ?? 0) - (targets[b] ?? 0));
  const out: HtmlPosition[] = new Array<HtmlPosition>(targets.length);
  let next = 0; // the first target (in `order`) not answered yet
  const answerBefore = (end: number, position: () => HtmlPosition): void => {
    while (next < order.length && (targets[order[next] ?? 0] ?? 0) < end) {
      out[order[next] ?? 0] = position();
      next++;
    }
  };
  let i = 0;
  let rawText: string | undefined;
  const text = (): HtmlPosition => ({ state: 'text', rawTextElement: rawText });
  while (next < order.length && i < html.length) {
    // Targets the scan has passed outside any comment or tag are in text.
    answerBefore(i, text);
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      const stop = end < 0 ? html.length : end + 3;
      answerBefore(stop, () => ({ state: 'comment', rawTextElement: rawText }));
      i = stop;
      continue;
    }
    const tag = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)/.exec(html.slice(i, i + 64));
    if (tag === null || (rawText !== undefined && !(tag[1] === '/' && tag[2]?.toLowerCase() === rawText))) {
      i += 1;
      continue;
    }
    const tagName = (tag[2] ?? '').toLowerCase();
    const end = scanTag(html, i + tag[0].length, tagName, (upTo, position) =>
      answerBefore(upTo, () => position),
    );
    if (end === undefined) {
      // The tag never closes: every target left is in it.
      answerBefore(Infinity, () => ({ state: 'tag', tagName }));
      break;
    }
    const closing = tag[1] === '/';
    if (!closing && RAW_TEXT.has(tagName)) rawText = tagName;
    else if (closing && rawText === tagName) rawText = undefined;
    i = end;
  }
  answerBefore(Infinity, text);
  return out;
}

/**
 * The attributes of a tag from `start` (just after its name) to its `>`: reports each stretch of the tag
 * as `answer(upTo, position)` (the targets not yet answered before `upTo` lie in `position`), and
 * returns the offset after the `>`, or undefined when the tag never closes.
 */
function scanTag(
  html: string,
  start: number,
  tagName: string,
  answer: (upTo: number, position: HtmlPosition) => void,
): number | undefined {
  const tag: HtmlPosition = { state: 'tag', tagName };
  answer(start, tag);
  let j = start;
  for (;;) {
    while (j < html.length && /\s|\//.test(html[j] ?? '')) j++;
    if (j >= html.length) return undefined;
    if (html[j] === '>') {
      answer(j + 1, tag);
      return j + 1;
    }
    const nameStart = j;
    while (j < html.length && !/[\s/>=]/.test(html[j] ?? '')) j++;
    answer(j, tag); // the attribute's name
    let k = j;
    while (k < html.length && /\s/.test(html[k] ?? '')) k++;
    if (html[k] !== '=') continue;
    const attribute = html.slice(nameStart, j).toLowerCase();
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
    answer(valueStart, tag); // `=`, white space, the opening quote
    answer(valueEnd, { state: 'attribute', tagName, attribute, quote, valueStart, valueEnd });
    answer(j, tag); // the closing quote
  }
}
