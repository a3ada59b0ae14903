/**
 * Decides where each placeholder lands in the filled document, by parsing a skeleton of the body (each
 * placeholder replaced by a unique inert word, section markers dropped) with the same markdown-it
 * instance that renders, and finding each word in the token stream (locate.ts); then describes each
 * placeholder's surroundings for the escaping (inline-escape.ts).
 */
import { ArticleError } from '../errors';
import type { CodeSpan } from './code-span';
import { LINE_HEAD, withoutContainers, type InlineSurroundings } from './inline-escape';
import { locatePlaceholders, type Found, type UrlSlot } from './locate';
import { markdownIt, type MarkdownToken } from './markdown';
import { LineFacts } from './line-facts';
import { blind, readSkeleton, type Skeleton } from './skeleton';
import type { PlaceholderContext } from './types';

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

export interface SkeletonAnalysis {
  readonly contexts: OccurrenceContext[];
  readonly urls: UrlSlot[];
  /** The article defines link references (`[label]: url`). */
  readonly references: boolean;
}

/**
 * Each placeholder's context in `skeleton`, which holds `sentinels[i]` for placeholder i (named
 * `names[i]`, at source line `lines[i]`). Throws ArticleError naming the placeholder and its line when
 * it sits where no value can be made safe, or where the engine cannot tell how to escape one.
 */
export function analyzeSkeleton(
  skeletonText: string,
  sentinels: readonly string[],
  names: readonly string[],
  lines: readonly number[],
  options: { readonly assumeReferences?: boolean } = {},
): SkeletonAnalysis {
  const refuse = (index: number, message: string): never => {
    throw new ArticleError(`placeholder "${names[index] ?? ''}" ${message}`, lines[index]);
  };
  const skeleton = readSkeleton(skeletonText, sentinels);
  const located = locatePlaceholders(skeleton, refuse);
  const references = options.assumeReferences === true || located.definesReferences;
  const lineFacts = new LineFacts(skeleton);
  const contexts = sentinels.map((_, index): OccurrenceContext => {
    const found = located.found.get(index);
    if (found === undefined) {
      return refuse(
        index,
        'sits where the engine cannot tell how to escape a value (e.g. a link label, a repeated reference definition)',
      );
    }
    return describeOccurrence(skeleton, lineFacts, index, found, references);
  });
  return { contexts, urls: located.urls, references };
}

/** Where placeholder `index` stands in its line, and what its position kind needs. */
export interface LinePlace {
  /** Offset of the sentinel, and its length. */
  readonly at: number;
  readonly length: number;
  /** 0-based line of the skeleton, and its start and end offsets. */
  readonly line: number;
  readonly lineStart: number;
  readonly lineEnd: number;
}

function placeOf(skeleton: Skeleton, index: number): LinePlace {
  const at = skeleton.offsets[index] ?? 0;
  const line = skeleton.lineIndex.indexAt(at);
  const lineStart = skeleton.lineIndex.starts[line] ?? 0;
  const lineEnd = lineStart + (skeleton.lines[line]?.length ?? 0);
  return { at, length: (skeleton.sentinels[index] ?? '').length, line, lineStart, lineEnd };
}

function describeOccurrence(
  skeleton: Skeleton,
  lines: LineFacts,
  index: number,
  f: Found,
  references: boolean,
): OccurrenceContext {
  const text = skeleton.text;
  const place = placeOf(skeleton, index);
  const { at, length } = place;
  const aloneOnLine = lines.aloneOnLine(place);
  const textual =
    f.context === 'text' || f.context === 'heading' || f.context === 'table-cell' || f.context === 'block';
  const inBrackets = textual && references && lines.betweenBrackets(at, length);
  const inline =
    f.inline === undefined
      ? undefined
      : inlineSurroundings(skeleton, place, f.inline, { inTable: f.inTable, references, inBrackets });
  // Told from the title's source where it can be (locate.ts, title-quote.ts); else markdown-it is asked.
  const titleQuote =
    f.context !== 'link-title'
      ? undefined
      : f.titleQuote === undefined
        ? titleDelimiter(text, skeleton.sentinels[index] ?? '')
        : f.titleQuote === 'none'
          ? undefined
          : f.titleQuote;
  return {
    aloneOnLine,
    inBrackets,
    context: f.context,
    inTable: f.inTable,
    before: text[at - 1] ?? '',
    after: text[at + length] ?? '',
    indent: f.indent ?? '',
    ...(f.codeSpan === undefined ? {} : { codeSpan: f.codeSpan }),
    ...(f.quote === undefined ? {} : { quote: f.quote }),
    ...(f.url === undefined ? {} : { url: f.url }),
    ...(f.autolink === true ? { autolink: true } : {}),
    ...(inline === undefined ? {} : { inline }),
    ...(titleQuote === undefined ? {} : { titleQuote }),
  };
}

/**
 * What surrounds a value in markdown text: the run around it (found by the token walk) and its lines.
 * Lines are read as far as the block check reads them (LINE_HEAD), so a line of many placeholders
 * costs each one a bounded slice, not the whole line.
 */
function inlineSurroundings(
  skeleton: Skeleton,
  { at, length, line, lineStart, lineEnd }: LinePlace,
  run: NonNullable<Found['inline']>,
  flags: Pick<InlineSurroundings, 'inTable' | 'references' | 'inBrackets'>,
): InlineSurroundings {
  const text = skeleton.text;
  const next = skeleton.lines[line + 1];
  const previous = line > 0 ? skeleton.lines[line - 1] : undefined;
  const head = (lineText: string): string => blind(skeleton, lineText.slice(0, 2 * LINE_HEAD));
  const longPrefix = at - lineStart > 2 * LINE_HEAD;
  const prefix = text.slice(lineStart, longPrefix ? lineStart + 2 * LINE_HEAD : at);
  return {
    before: run.before,
    after: run.after,
    facts: run.facts,
    // Past 2 × LINE_HEAD the prefix stays longer than LINE_HEAD, which tells the check to skip it.
    linePrefix: longPrefix ? blind(skeleton, prefix) : withoutContainers(blind(skeleton, prefix)),
    lineRest: head(text.slice(at + length, lineEnd)),
    nextLine: next === undefined ? undefined : withoutContainers(head(next)),
    previousLine: previous === undefined ? undefined : withoutContainers(head(previous)),
    inTable: flags.inTable,
    atxHeading: run.atxHeading,
    references: flags.references,
    inBrackets: flags.inBrackets,
    openAngle: run.openAngle,
    openBackticks: run.openBackticks,
  };
}

/**
 * The quote delimiting the link title that holds `sentinel`: the one whose insertion before the
 * sentinel takes it out of every title (markdown-it reparses the skeleton, three times: only where
 * title-quote.ts cannot read the quote from the title's source).
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
