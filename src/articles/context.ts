/**
 * Decides where each placeholder lands in the filled document, by parsing a skeleton of the body (each
 * placeholder replaced by a unique inert word, section markers dropped) with the same markdown-it
 * instance that renders, and finding each word in the token stream.
 */
import { ArticleError } from '../errors';
import { htmlPositionAt } from './html-scan';
import { UNKNOWN, type InlineSurroundings } from './inline-escape';
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
  'href', 'src', 'action', 'formaction', 'cite', 'background', 'poster', 'data', 'codebase', 'longdesc',
  'xlink:href', 'srcset', 'manifest', 'ping', 'icon', 'dynsrc', 'lowsrc',
]);

/**
 * Sentinels: lower-case letters and digits only (inert in every markdown and HTML position, unchanged by
 * link normalisation), `<start><index><end>`. `makeSentinels` checks that the skeleton holds exactly the
 * sentinels it placed, lengthening the affixes otherwise.
 */
export function makeSentinels(count: number, build: (sentinels: readonly string[]) => string): { skeleton: string; sentinels: string[] } {
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
  inline?: { before: string; after: string; atxHeading: boolean };
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
  const offsets = sentinels.map((s) => skeleton.indexOf(s));
  const skeletonLines = skeleton.split('\n');
  const lineStarts: number[] = [];
  {
    let at = 0;
    for (const l of skeletonLines) {
      lineStarts.push(at);
      at += l.length + 1;
    }
  }
  const lineOfOffset = (offset: number): number => {
    let line = 0;
    while (line + 1 < lineStarts.length && (lineStarts[line + 1] ?? Infinity) <= offset) line++;
    return line;
  };
  const fail = (index: number, message: string): never => {
    throw new ArticleError(`placeholder "${names[index] ?? ''}" ${message}`, lines[index]);
  };
  const hits = (text: string): number[] => {
    const out: number[] = [];
    sentinels.forEach((s, index) => {
      if (text.includes(s)) out.push(index);
    });
    return out;
  };
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
          const url = URL_ATTRIBUTES.has(at.attribute) ? addUrl(html.slice(at.valueStart, at.valueEnd), 'html') : undefined;
          record(index, { context: 'html-attribute', inTable, quote: at.quote, ...(url === undefined ? {} : { url }) });
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
  const blind = (text: string): string => (anySentinel.test(text) ? text.replace(anySentinelGlobal, UNKNOWN) : text);
  const anySentinel = new RegExp(sentinels.join('|') || '(?!)');
  const anySentinelGlobal = new RegExp(anySentinel.source, 'g');
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
    for (const index of refHits) record(index, { context: 'link-target', inTable: false, ...(url === undefined ? {} : { url }) });
    for (const index of hits(ref.title ?? '')) record(index, { context: 'link-title', inTable: false });
  }

  function inspectInline(inline: MarkdownToken, parent: MarkdownToken | undefined, inTable: boolean): void {
    const parentType = parent?.type ?? '';
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
            record(index, { context: 'link-target', inTable, autolink, ...(url === undefined ? {} : { url }) });
          }
          for (const index of hits(String(child.attrGet('title') ?? ''))) record(index, { context: 'link-title', inTable });
        } else if (child.type === 'link_close') {
          linkDepth -= 1;
        } else if (child.type === 'image') {
          const src = String(child.attrGet('src') ?? '');
          const srcHits = hits(src);
          const url = srcHits.length > 0 ? addUrl(src, 'markdown') : undefined;
          for (const index of srcHits) record(index, { context: 'link-target', inTable, ...(url === undefined ? {} : { url }) });
          for (const index of hits(String(child.attrGet('title') ?? ''))) record(index, { context: 'link-title', inTable });
          walk(child.children ?? [], true);
        } else if (child.type === 'code_inline') {
          for (const index of hits(child.content)) {
            const codeSpan = findCodeSpan(index, parent, inTable);
            record(index, { context: 'inline-code', inTable, ...(codeSpan === undefined ? {} : { codeSpan }) });
          }
        } else if (child.type === 'html_inline') {
          const tag = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)/.exec(child.content);
          const name = tag?.[2]?.toLowerCase();
          if (name === 'script' || name === 'style') rawText = tag?.[1] === '/' ? undefined : name;
          inHtml(child.content, inTable);
        } else if (child.type === 'text') {
          for (const index of hits(child.content)) {
            if (rawText !== undefined) fail(index, `sits inside a <${rawText}> element, where no value can be made safe`);
            let context: PlaceholderContext;
            let indent: string | undefined;
            if (linkDepth > 0 || inImage) context = 'link-text';
            else if (parentType === 'heading_open') context = 'heading';
            else if (parentType === 'th_open' || parentType === 'td_open') context = 'table-cell';
            else {
              indent = blockIndent(index, inline, parent);
              context = indent === undefined ? 'text' : 'block';
            }
            const s = sentinels[index] ?? '';
            const at = inline.content.indexOf(s);
            const around = {
              before: blind(inline.content.slice(0, Math.max(0, at))),
              after: blind(inline.content.slice(at + s.length)),
              atxHeading: parentType === 'heading_open' && (parent?.markup ?? '').startsWith('#'),
            };
            record(index, { context, inTable, inline: around, ...(indent === undefined ? {} : { indent }) });
          }
        }
      }
    };
    walk(inline.children ?? [], false);
  }

  /** The leading whitespace when the placeholder is a paragraph of its own on one line. */
  function blockIndent(index: number, inline: MarkdownToken, parent: MarkdownToken | undefined): string | undefined {
    const s = sentinels[index] ?? '';
    if (parent?.type !== 'paragraph_open' || inline.content.trim() !== s) return undefined;
    const map = parent.map;
    if (map === null || map[1] - map[0] !== 1) return undefined;
    const line = skeletonLines[map[0]] ?? '';
    const at = line.indexOf(s);
    if (at < 0 || line.slice(0, at).trim() !== '' || line.slice(at + s.length).trim() !== '') return undefined;
    return line.slice(0, at);
  }

  /** The backtick runs around a placeholder in a code span, found by CommonMark's rules. */
  function findCodeSpan(index: number, parent: MarkdownToken | undefined, inTable: boolean): CodeSpan | undefined {
    const target = offsets[index] ?? -1;
    const line = lineOfOffset(target);
    const map: readonly [number, number] = !inTable && parent?.map ? [parent.map[0], parent.map[1]] : [line, line + 1];
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
      return fail(index, 'sits where the engine cannot tell how to escape a value (e.g. a link label, a repeated reference definition)');
    }
    const at = offsets[index] ?? 0;
    const lineStart = skeleton.lastIndexOf('\n', at - 1) + 1;
    const lineEnd = skeleton.indexOf('\n', at);
    const aloneOnLine =
      skeleton.slice(lineStart, at).trim() === '' && skeleton.slice(at + s.length, lineEnd < 0 ? undefined : lineEnd).trim() === '';
    const textual = f.context === 'text' || f.context === 'heading' || f.context === 'table-cell' || f.context === 'block';
    const inBrackets = textual && hasReferences && betweenBrackets(skeleton, at, s.length);
    let inline: InlineSurroundings | undefined;
    if (f.inline !== undefined) {
      const line = lineOfOffset(at);
      const next = skeletonLines[line + 1];
      const previous = line > 0 ? skeletonLines[line - 1] : undefined;
      inline = {
        before: f.inline.before,
        after: f.inline.after,
        linePrefix: withoutContainers(blind(skeleton.slice(lineStart, at))),
        lineRest: blind(skeleton.slice(at + s.length, lineEnd < 0 ? undefined : lineEnd)),
        nextLine: next === undefined ? undefined : withoutContainers(blind(next)),
        previousLine: previous === undefined ? undefined : withoutContainers(blind(previous)),
        inTable: f.inTable,
        atxHeading: f.inline.atxHeading,
        references: hasReferences,
        inBrackets,
        openAngle: leavesAngleOpen(f.inline.before),
        openBackticks: leavesBackticksOpen(f.inline.before),
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

/** A line's start without its container markers (blockquote `>`, list `-`/`+`/`*`/`1.` with a space) and indentation. */
function withoutContainers(prefix: string): string {
  let rest = prefix.replace(/^[ \t]+/, '');
  for (;;) {
    const marker = /^(?:>[ \t]?|[-+*][ \t]+|\d{1,9}[.)][ \t]+)/.exec(rest);
    if (marker === null) return rest;
    rest = rest.slice(marker[0].length).replace(/^[ \t]+/, '');
  }
}

const readable = (text: string): string => text.split(UNKNOWN).join('x');

function countInline(source: string, types: readonly string[]): number {
  let count = 0;
  const walk = (tokens: readonly MarkdownToken[]): void => {
    for (const t of tokens) {
      if (types.includes(t.type)) count++;
      if (t.children) walk(t.children);
    }
  };
  walk(markdownIt.parseInline(source, {}));
  return count;
}

/**
 * What a value could add after a template's `<` to make a tag, comment, processing instruction,
 * declaration, CDATA section or autolink (rules_inline/html_inline.ts, autolink.ts): the rest of each
 * construct, and the bare closers for a construct the template already began.
 */
const ANGLE_ENDINGS = [
  '>', '">', "'>", '-->', '?>', ']]>', 'a>', '/a>', 'a b>', '!---->', '?x?>', '!A>', '![CDATA[x]]>', 'a:b>', 'a@b.c>', '@b.c>', ':b>', 'b.c>',
];

/**
 * Whether the template text before a value leaves a `<` open that a value could finish into raw HTML or
 * an autolink: markdown-it itself is asked whether one of ANGLE_ENDINGS would make a new tag or link.
 */
function leavesAngleOpen(before: string): boolean {
  const text = readable(before);
  if (!text.includes('<')) return false;
  const types = ['html_inline', 'link_open'];
  const base = countInline(`${text} `, types);
  return ANGLE_ENDINGS.some((ending) => countInline(`${text}${ending} `, types) > base);
}

/** Whether a backtick run in the template text before a value is still open (a value's run could close it). */
function leavesBackticksOpen(before: string): boolean {
  const text = readable(before);
  // Every length up to the longest raw run: an escaped backtick shortens the run that opens.
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const base = countInline(`${text} `, ['code_inline']);
  for (let length = 1; length <= longest; length++) {
    if (countInline(`${text} ${'`'.repeat(length)}`, ['code_inline']) > base) return true;
  }
  return false;
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
  for (const [quote, closer] of [['"', '"'], ["'", "'"], ['(', ')']] as const) {
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
  return before.lastIndexOf('[') > before.lastIndexOf(']') && (after.indexOf(']') >= 0 && (after.indexOf('[') < 0 || after.indexOf(']') < after.indexOf('[')));
}
