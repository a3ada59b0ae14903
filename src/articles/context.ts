/**
 * Decides where each placeholder lands in the filled document, by parsing a skeleton of the body (each
 * placeholder replaced by a unique inert word, section markers dropped) with the same markdown-it
 * instance that renders, and finding each word in the token stream.
 */
import { ArticleError } from '../errors';
import { htmlPositionAt } from './html-scan';
import { LINE_HEAD, UNKNOWN, withoutContainers, type InlineSurroundings } from './inline-escape';
import { scanInline, type PlaceholderSurroundings, type SentinelHit } from './inline-scan';
import { markdownIt, type MarkdownToken } from './markdown';
import type { PlaceholderContext } from './types';

export interface CodeSpan {
  /** Skeleton offsets and lengths of the opening and closing backtick runs. */
  readonly open: number;
  readonly close: number;
  readonly ticks: number;
}

export interface OccurrenceContext {
  readonly context: PlaceholderContext;
  /** The placeholder sits in a table row (a `|` must be escaped even in code). */
  readonly inTable: boolean;
  /** Skeleton characters just before and after the placeholder ('' at the ends). */
  readonly before: string;
  readonly after: string;
  /** For `block`: the line's leading whitespace, repeated on continuation lines of trusted markdown. */
  readonly indent: string;
  /** Nothing but white space shares the placeholder's line (an empty value would blank the line). */
  readonly aloneOnLine: boolean;
  /**
   * Text between a `[` and a `]` of the template while the article defines link references: a value
   * could spell a reference label and turn the brackets into a link.
   */
  readonly inBrackets: boolean;
  readonly codeSpan?: CodeSpan;
  readonly quote?: '"' | "'" | '';
  /** Index into `urls` when the placeholder is part of a URL. */
  readonly url?: number;
  /** A link target inside `<scheme:…>`: no backslash escapes there. */
  readonly autolink?: boolean;
  /** Markdown text (text, heading, table cell, link text, block): what surrounds the value. */
  readonly inline?: InlineSurroundings;
  /** A link title: the quote that delimits it (`(` for `(…)`), undefined when it cannot be told. */
  readonly titleQuote?: '"' | "'" | '(';
}

export interface UrlSlot {
  /** The URL as written in the skeleton (sentinels in place). */
  readonly skeleton: string;
  readonly kind: 'markdown' | 'html';
}

export interface SkeletonAnalysis {
  readonly contexts: OccurrenceContext[];
  readonly urls: UrlSlot[];
  /** The article defines link references (`[label]: url`). */
  readonly references: boolean;
}

const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'cite',
  'background',
  'poster',
  'data',
  'codebase',
  'longdesc',
  'xlink:href',
  'srcset',
  'manifest',
  'ping',
  'icon',
  'dynsrc',
  'lowsrc',
]);

/**
 * Sentinels: lower-case letters and digits only (inert in every markdown and HTML position, unchanged by
 * link normalisation), `<start><index><end>`. `makeSentinels` checks that the skeleton holds exactly the
 * sentinels it placed, lengthening the affixes otherwise.
 */
export function makeSentinels(
  count: number,
  build: (sentinels: readonly string[]) => string,
): { skeleton: string; sentinels: string[] } {
  for (let extra = 0; ; extra++) {
    const start = `qzph${'q'.repeat(extra)}`;
    const end = `hpzq${'q'.repeat(extra)}`;
    const sentinels = Array.from({ length: count }, (_, i) => `${start}${i}${end}`);
    const skeleton = build(sentinels);
    const seen = [...skeleton.matchAll(new RegExp(`${start}(\\d+)${end}`, 'g'))].map((m) => m[0]);
    const lower = skeleton.toLowerCase();
    const affixes = lower.split(start).length - 1 + lower.split(end).length - 1;
    if (seen.length === count && seen.every((s, i) => s === sentinels[i]) && affixes === 2 * count) {
      return { skeleton, sentinels };
    }
  }
}

interface Found {
  context: PlaceholderContext;
  inTable: boolean;
  /** Markdown text: the inline source around the placeholder, and whether it is an ATX heading. */
  inline?: PlaceholderSurroundings & { atxHeading: boolean };
  autolink?: boolean;
  codeSpan?: CodeSpan;
  quote?: '"' | "'" | '';
  url?: number;
  indent?: string;
}

export function analyzeSkeleton(
  skeleton: string,
  sentinels: readonly string[],
  names: readonly string[],
  lines: readonly number[],
  options: { readonly assumeReferences?: boolean } = {},
): SkeletonAnalysis {
  const found = new Map<number, Found>();
  const urls: UrlSlot[] = [];
  const sentinelsIn = sentinelFinder(sentinels);
  // One pass finds every sentinel (looking each one up would be quadratic in placeholders).
  const offsets: number[] = sentinels.map(() => -1);
  for (const { index, at } of sentinelsIn(skeleton)) if ((offsets[index] ?? -1) < 0) offsets[index] = at;
  const skeletonLines = skeleton.split('\n');
  const lineStarts: number[] = [];
  {
    let at = 0;
    for (const l of skeletonLines) {
      lineStarts.push(at);
      at += l.length + 1;
    }
  }
  /** The line holding `offset` (binary search over the line starts). */
  const lineOfOffset = (offset: number): number => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] ?? Infinity) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  };
  const fail = (index: number, message: string): never => {
    throw new ArticleError(`placeholder "${names[index] ?? ''}" ${message}`, lines[index]);
  };
  /** The placeholders whose sentinel `text` holds, in index order (linear in the text). */
  const hits = (text: string): number[] =>
    [...new Set(sentinelsIn(text).map((hit) => hit.index))].sort((a, b) => a - b);
  const record = (index: number, value: Found): void => {
    if (!found.has(index)) found.set(index, value);
  };
  const addUrl = (text: string, kind: UrlSlot['kind']): number => {
    const known = urls.findIndex((u) => u.skeleton === text && u.kind === kind);
    if (known >= 0) return known;
    urls.push({ skeleton: text, kind });
    return urls.length - 1;
  };
  const inHtml = (html: string, inTable: boolean): void => {
    for (const index of hits(html)) {
      const s = sentinels[index] ?? '';
      const pos = html.indexOf(s);
      const at = htmlPositionAt(html, pos);
      if (at.state === 'tag') fail(index, 'sits inside an HTML tag outside an attribute value');
      else if (at.state === 'attribute') {
        if (at.attribute.startsWith('on') || at.attribute === 'style') {
          fail(index, `sits in the "${at.attribute}" attribute, where no value can be made safe`);
        } else {
          const url = URL_ATTRIBUTES.has(at.attribute)
            ? addUrl(html.slice(at.valueStart, at.valueEnd), 'html')
            : undefined;
          record(index, {
            context: 'html-attribute',
            inTable,
            quote: at.quote,
            ...(url === undefined ? {} : { url }),
          });
        }
      } else if (at.rawTextElement !== undefined) {
        fail(index, `sits inside a <${at.rawTextElement}> element, where no value can be made safe`);
      } else record(index, { context: 'html-text', inTable });
    }
  };

  const env: Record<string, unknown> = {};
  const tokens = markdownIt.parse(skeleton, env);
  const references = (env['references'] ?? {}) as Record<string, { href?: string; title?: string }>;
  const hasReferences = options.assumeReferences === true || Object.keys(references).length > 0;
  /** Other placeholders' sentinels in `text` become UNKNOWN (their values could be anything). */
  const blind = (text: string): string => blindSentinels(text, sentinelsIn);
  const stack: MarkdownToken[] = [];
  for (const token of tokens) {
    if (token.nesting === 1) {
      stack.push(token);
      continue;
    }
    if (token.nesting === -1) {
      stack.pop();
      continue;
    }
    const inTable = stack.some((t) => t.type === 'table_open');
    if (token.type === 'fence' || token.type === 'code_block') {
      for (const index of hits(token.content)) record(index, { context: 'code-block', inTable });
    } else if (token.type === 'html_block') {
      inHtml(token.content, inTable);
    } else if (token.type === 'inline') {
      const parent = stack[stack.length - 1];
      inspectInline(token, parent, inTable);
    }
  }
  for (const ref of Object.values(references)) {
    const href = ref.href ?? '';
    const refHits = hits(href);
    const url = refHits.length > 0 ? addUrl(href, 'markdown') : undefined;
    for (const index of refHits)
      record(index, { context: 'link-target', inTable: false, ...(url === undefined ? {} : { url }) });
    for (const index of hits(ref.title ?? '')) record(index, { context: 'link-title', inTable: false });
  }

  function inspectInline(inline: MarkdownToken, parent: MarkdownToken | undefined, inTable: boolean): void {
    const parentType = parent?.type ?? '';
    let scan: Map<number, PlaceholderSurroundings> | undefined;
    const surroundings = (index: number): PlaceholderSurroundings | undefined =>
      (scan ??= scanInline(inline.content, sentinelsIn(inline.content))).get(index);
    let linkDepth = 0;
    let rawText: string | undefined;
    const walk = (children: readonly MarkdownToken[], inImage: boolean): void => {
      for (const child of children) {
        if (child.type === 'link_open') {
          linkDepth += 1;
          const href = String(child.attrGet('href') ?? '');
          const hrefHits = hits(href);
          const url = hrefHits.length > 0 ? addUrl(href, 'markdown') : undefined;
          const autolink = child.markup === 'autolink';
          for (const index of hrefHits) {
            if (autolink && href.indexOf(sentinels[index] ?? '') < href.indexOf(':')) {
              fail(index, 'sits in the scheme of an autolink, where most values would break the link');
            }
            record(index, {
              context: 'link-target',
              inTable,
              autolink,
              ...(url === undefined ? {} : { url }),
            });
          }
          for (const index of hits(String(child.attrGet('title') ?? '')))
            record(index, { context: 'link-title', inTable });
        } else if (child.type === 'link_close') {
          linkDepth -= 1;
        } else if (child.type === 'image') {
          const src = String(child.attrGet('src') ?? '');
          const srcHits = hits(src);
          const url = srcHits.length > 0 ? addUrl(src, 'markdown') : undefined;
          for (const index of srcHits)
            record(index, { context: 'link-target', inTable, ...(url === undefined ? {} : { url }) });
          for (const index of hits(String(child.attrGet('title') ?? '')))
            record(index, { context: 'link-title', inTable });
          walk(child.children ?? [], true);
        } else if (child.type === 'code_inline') {
          for (const index of hits(child.content)) {
            const codeSpan = findCodeSpan(index, parent, inTable);
            record(index, {
              context: 'inline-code',
              inTable,
              ...(codeSpan === undefined ? {} : { codeSpan }),
            });
          }
        } else if (child.type === 'html_inline') {
          const tag = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)/.exec(child.content);
          const name = tag?.[2]?.toLowerCase();
          if (name === 'script' || name === 'style') rawText = tag?.[1] === '/' ? undefined : name;
          inHtml(child.content, inTable);
        } else if (child.type === 'text') {
          for (const index of hits(child.content)) {
            if (rawText !== undefined)
              fail(index, `sits inside a <${rawText}> element, where no value can be made safe`);
            let context: PlaceholderContext;
            let indent: string | undefined;
            if (linkDepth > 0 || inImage) context = 'link-text';
            else if (parentType === 'heading_open') context = 'heading';
            else if (parentType === 'th_open' || parentType === 'td_open') context = 'table-cell';
            else {
              indent = blockIndent(index, inline, parent);
              context = indent === undefined ? 'text' : 'block';
            }
            const around = surroundings(index);
            const atxHeading = parentType === 'heading_open' && (parent?.markup ?? '').startsWith('#');
            record(index, {
              context,
              inTable,
              ...(around === undefined ? {} : { inline: { ...around, atxHeading } }),
              ...(indent === undefined ? {} : { indent }),
            });
          }
        }
      }
    };
    walk(inline.children ?? [], false);
  }

  /** The leading whitespace when the placeholder is a paragraph of its own on one line. */
  function blockIndent(
    index: number,
    inline: MarkdownToken,
    parent: MarkdownToken | undefined,
  ): string | undefined {
    const s = sentinels[index] ?? '';
    if (parent?.type !== 'paragraph_open' || inline.content.trim() !== s) return undefined;
    const map = parent.map;
    if (map === null || map[1] - map[0] !== 1) return undefined;
    const line = skeletonLines[map[0]] ?? '';
    const at = line.indexOf(s);
    if (at < 0 || line.slice(0, at).trim() !== '' || line.slice(at + s.length).trim() !== '')
      return undefined;
    return line.slice(0, at);
  }

  /** The backtick runs around a placeholder in a code span, found by CommonMark's rules. */
  function findCodeSpan(
    index: number,
    parent: MarkdownToken | undefined,
    inTable: boolean,
  ): CodeSpan | undefined {
    const target = offsets[index] ?? -1;
    const line = lineOfOffset(target);
    const map: readonly [number, number] =
      !inTable && parent?.map ? [parent.map[0], parent.map[1]] : [line, line + 1];
    const from = lineStarts[map[0]] ?? 0;
    const to = Math.min(skeleton.length, (lineStarts[map[1]] ?? skeleton.length + 1) - 1);
    let i = from;
    while (i < to) {
      const c = skeleton[i];
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c !== '`') {
        i += 1;
        continue;
      }
      let n = 0;
      while (skeleton[i + n] === '`') n++;
      let j = i + n;
      let close = -1;
      while (j < to) {
        if (skeleton[j] !== '`') {
          j++;
          continue;
        }
        let m = 0;
        while (skeleton[j + m] === '`') m++;
        if (m === n) {
          close = j;
          break;
        }
        j += m;
      }
      if (close < 0) {
        i += n;
        continue;
      }
      if (target > i && target < close) return { open: i, close, ticks: n };
      i = close + n;
    }
    return undefined;
  }

  const contexts = sentinels.map((s, index): OccurrenceContext => {
    const f = found.get(index);
    if (f === undefined) {
      return fail(
        index,
        'sits where the engine cannot tell how to escape a value (e.g. a link label, a repeated reference definition)',
      );
    }
    const at = offsets[index] ?? 0;
    const line = lineOfOffset(at);
    const lineStart = lineStarts[line] ?? 0;
    const lineEnd = lineStart + (skeletonLines[line]?.length ?? 0);
    const aloneOnLine =
      /^\s*$/.test(skeleton.slice(lineStart, at)) && /^\s*$/.test(skeleton.slice(at + s.length, lineEnd));
    const textual =
      f.context === 'text' || f.context === 'heading' || f.context === 'table-cell' || f.context === 'block';
    const inBrackets = textual && hasReferences && betweenBrackets(skeleton, at, s.length);
    let inline: InlineSurroundings | undefined;
    if (f.inline !== undefined) {
      const next = skeletonLines[line + 1];
      const previous = line > 0 ? skeletonLines[line - 1] : undefined;
      // Lines are read as far as the block check reads them (LINE_HEAD), so a line of many
      // placeholders costs each one a bounded slice, not the whole line.
      const head = (text: string): string => blind(text.slice(0, 2 * LINE_HEAD));
      const longPrefix = at - lineStart > 2 * LINE_HEAD;
      const prefix = skeleton.slice(lineStart, longPrefix ? lineStart + 2 * LINE_HEAD : at);
      inline = {
        before: f.inline.before,
        after: f.inline.after,
        facts: f.inline.facts,
        // Past 2 × LINE_HEAD the prefix stays longer than LINE_HEAD, which tells the check to skip it.
        linePrefix: longPrefix ? blind(prefix) : withoutContainers(blind(prefix)),
        lineRest: head(skeleton.slice(at + s.length, lineEnd)),
        nextLine: next === undefined ? undefined : withoutContainers(head(next)),
        previousLine: previous === undefined ? undefined : withoutContainers(head(previous)),
        inTable: f.inTable,
        atxHeading: f.inline.atxHeading,
        references: hasReferences,
        inBrackets,
        openAngle: f.inline.openAngle,
        openBackticks: f.inline.openBackticks,
      };
    }
    const titleQuote = f.context === 'link-title' ? titleDelimiter(skeleton, s) : undefined;
    return {
      aloneOnLine,
      inBrackets,
      context: f.context,
      inTable: f.inTable,
      before: skeleton[at - 1] ?? '',
      after: skeleton[at + s.length] ?? '',
      indent: f.indent ?? '',
      ...(f.codeSpan === undefined ? {} : { codeSpan: f.codeSpan }),
      ...(f.quote === undefined ? {} : { quote: f.quote }),
      ...(f.url === undefined ? {} : { url: f.url }),
      ...(f.autolink === true ? { autolink: true } : {}),
      ...(inline === undefined ? {} : { inline }),
      ...(titleQuote === undefined ? {} : { titleQuote }),
    };
  });
  return { contexts, urls, references: hasReferences };
}

/**
 * The quote delimiting the link title that holds `sentinel`: the one whose insertion before the
 * sentinel takes it out of every title (markdown-it reparses the skeleton).
 */
function titleDelimiter(skeleton: string, sentinel: string): '"' | "'" | '(' | undefined {
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

/** Whether an unmatched `[` precedes and an unmatched `]` follows, within the paragraph. */
function betweenBrackets(text: string, at: number, length: number): boolean {
  const blankBefore = text.lastIndexOf('\n\n', at);
  const blankAfter = text.indexOf('\n\n', at + length);
  const before = text.slice(blankBefore < 0 ? 0 : blankBefore, at);
  const after = text.slice(at + length, blankAfter < 0 ? undefined : blankAfter);
  return (
    before.lastIndexOf('[') > before.lastIndexOf(']') &&
    after.indexOf(']') >= 0 &&
    (after.indexOf('[') < 0 || after.indexOf(']') < after.indexOf('['))
  );
}

/**
 * Finds sentinels in a text in one regex pass: they share one prefix and one suffix around their
 * index (see makeSentinels), so a text's hits are found in time linear in the text, whatever the number
 * of placeholders.
 */
function sentinelFinder(sentinels: readonly string[]): (text: string) => SentinelHit[] {
  const parts = /^([a-z]+?)0([a-z]+)$/.exec(sentinels[0] ?? '');
  if (parts === null) return () => [];
  const [, start = '', end = ''] = parts;
  const pattern = new RegExp(`${start}(\\d+)${end}`, 'g');
  return (text) => {
    if (!text.includes(start)) return [];
    const out: SentinelHit[] = [];
    for (const m of text.matchAll(pattern)) {
      const index = Number(m[1]);
      if (sentinels[index] === m[0]) out.push({ index, at: m.index ?? 0, length: m[0].length });
    }
    return out;
  };
}

/** `text` with every sentinel replaced by UNKNOWN. */
function blindSentinels(text: string, sentinelsIn: (text: string) => SentinelHit[]): string {
  const found = sentinelsIn(text);
  if (found.length === 0) return text;
  let out = '';
  let from = 0;
  for (const hit of found) {
    out += text.slice(from, hit.at) + UNKNOWN;
    from = hit.at + hit.length;
  }
  return out + text.slice(from);
}
