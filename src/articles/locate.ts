/**
 * Where each placeholder's sentinel stands in markdown-it's token stream of the skeleton: the kind of
 * position (types.ts PlaceholderContext) and what the escaping there needs to know. A placeholder's
 * first position found wins: blocks in document order, then reference definitions. A position where no
 * value can be made safe is refused (ArticleError, through `refuse`).
 */
import { codeSpansIn, type CodeSpan } from './code-span';
import { htmlPositionsAt, type HtmlPosition } from './html-scan';
import { InlineRunScan, type PlaceholderSurroundings } from './inline-scan';
import { markdownIt, type MarkdownToken } from './markdown';
import { placeholdersIn, type Skeleton } from './skeleton';
import { findTitleSource, titleQuoteOf, type TitleQuote, type TitleSource } from './title-quote';
import type { PlaceholderContext } from './types';

/** A URL that placeholders help build, checked for its scheme once filled. */
export interface UrlSlot {
  /** The URL as written in the skeleton (sentinels in place). */
  readonly skeleton: string;
  readonly kind: 'markdown' | 'html';
}

/** What the token stream tells of one placeholder's position. */
export interface Found {
  context: PlaceholderContext;
  inTable: boolean;
  /** Markdown text: the inline source around the placeholder, and whether it is an ATX heading. */
  inline?: PlaceholderSurroundings & { atxHeading: boolean };
  /**
   * A link title: its quote (title-quote.ts), `'none'` when none can end it before the placeholder;
   * absent when markdown-it must be asked.
   */
  titleQuote?: TitleQuote | 'none';
  autolink?: boolean;
  codeSpan?: CodeSpan;
  quote?: '"' | "'" | '';
  /** Index into the URL slots when the placeholder is part of a URL. */
  url?: number;
  indent?: string;
}

export interface Located {
  /** Placeholder index → its position; a placeholder in no position the engine knows is absent. */
  readonly found: ReadonlyMap<number, Found>;
  readonly urls: UrlSlot[];
  /** The skeleton defines link references (`[label]: url`). */
  readonly definesReferences: boolean;
}

/** Throws ArticleError for placeholder `index`, which sits where no value can be made safe. */
export type Refuse = (index: number, message: string) => never;

export function locatePlaceholders(skeleton: Skeleton, refuse: Refuse): Located {
  const env: Record<string, unknown> = {};
  const tokens = markdownIt.parse(skeleton.text, env);
  const references = (env['references'] ?? {}) as Record<string, ReferenceDefinition>;
  const locator = new Locator(skeleton, refuse);
  locator.inBlocks(tokens);
  locator.inReferenceDefinitions(references);
  return {
    found: locator.found,
    urls: locator.urls,
    definesReferences: Object.keys(references).length > 0,
  };
}

interface ReferenceDefinition {
  readonly href?: string;
  readonly title?: string;
}

/** One inline run (a paragraph's, heading's or cell's inline token) being walked. */
interface InlineRun {
  readonly token: MarkdownToken;
  /** The block that holds the run (paragraph_open, heading_open, td_open …). */
  readonly parent: MarkdownToken | undefined;
  readonly inTable: boolean;
  /** State the run's children leave for the ones after them. */
  linkDepth: number;
  /** Inside an inline <script> or <style> element: its name. */
  rawText: string | undefined;
  /** What surrounds each placeholder of the run, scanned once, when first asked. */
  surroundings: InlineRunScan | undefined;
  /** Sentinel index → its offset in the run's content, when first asked. */
  offsets: Map<number, number> | undefined;
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

class Locator {
  readonly found = new Map<number, Found>();
  readonly urls: UrlSlot[] = [];
  /** URL slot by kind and skeleton text (a reference's URL is met in its definition and in its links). */
  private readonly urlIndex = new Map<string, number>();
  /** The code spans of each stretch of the skeleton asked about (`from:to`), found in one scan. */
  private readonly codeSpans = new Map<string, CodeSpan[]>();

  constructor(
    private readonly skeleton: Skeleton,
    private readonly refuse: Refuse,
  ) {}

  /** The block tokens: code blocks, HTML blocks, and the inline runs of the others. */
  inBlocks(tokens: readonly MarkdownToken[]): void {
    const stack: MarkdownToken[] = [];
    let tables = 0;
    for (const token of tokens) {
      if (token.nesting === 1) {
        stack.push(token);
        if (token.type === 'table_open') tables++;
        continue;
      }
      if (token.nesting === -1) {
        if (stack.pop()?.type === 'table_open') tables--;
        continue;
      }
      const inTable = tables > 0;
      if (token.type === 'fence' || token.type === 'code_block') {
        for (const index of this.hits(token.content)) this.record(index, { context: 'code-block', inTable });
      } else if (token.type === 'html_block') {
        this.inHtml(token.content, inTable);
      } else if (token.type === 'inline') {
        const parent = stack[stack.length - 1];
        const run: InlineRun = {
          token,
          parent,
          inTable,
          linkDepth: 0,
          rawText: undefined,
          surroundings: undefined,
          offsets: undefined,
        };
        this.inInline(run, token.children ?? [], false);
      }
    }
  }

  /** `[label]: url "title"` definitions (markdown-it keeps them in its env, not in the tokens). */
  inReferenceDefinitions(references: Readonly<Record<string, ReferenceDefinition>>): void {
    for (const ref of Object.values(references)) {
      const href = ref.href ?? '';
      const hrefHits = this.hits(href);
      const url = this.urlSlot(href, hrefHits, 'markdown');
      for (const index of hrefHits) this.record(index, { context: 'link-target', inTable: false, ...url });
      this.inTitle(ref.title ?? '', href, undefined, false);
    }
  }

  /** Raw HTML (a block, or an inline tag): text, or an attribute value; tags and raw text are refused. */
  private inHtml(html: string, inTable: boolean): void {
    const hits = this.firstHits(html);
    const positions = htmlPositionsAt(
      html,
      hits.map((hit) => hit.at),
    );
    // One URL slot per attribute value, however many placeholders it holds.
    const slotOf = new Map<number, number>();
    hits.forEach(({ index }, k) => {
      const at = positions[k] ?? { state: 'text', rawTextElement: undefined };
      if (at.state === 'tag') this.refuse(index, 'sits inside an HTML tag outside an attribute value');
      else if (at.state === 'attribute') this.inAttribute(index, html, at, inTable, slotOf);
      else if (at.rawTextElement !== undefined) {
        this.refuse(index, `sits inside a <${at.rawTextElement}> element, where no value can be made safe`);
      } else this.record(index, { context: 'html-text', inTable });
    });
  }

  private inAttribute(
    index: number,
    html: string,
    at: Extract<HtmlPosition, { state: 'attribute' }>,
    inTable: boolean,
    slotOf: Map<number, number>,
  ): void {
    if (at.attribute.startsWith('on') || at.attribute === 'style') {
      this.refuse(index, `sits in the "${at.attribute}" attribute, where no value can be made safe`);
    }
    let url: { url?: number } = {};
    if (URL_ATTRIBUTES.has(at.attribute)) {
      let slot = slotOf.get(at.valueStart);
      if (slot === undefined) {
        slot = this.addUrl(html.slice(at.valueStart, at.valueEnd), 'html');
        slotOf.set(at.valueStart, slot);
      }
      url = { url: slot };
    }
    this.record(index, { context: 'html-attribute', inTable, quote: at.quote, ...url });
  }

  /** The children of an inline run, in order (an image's alt text is walked as its own children). */
  private inInline(run: InlineRun, children: readonly MarkdownToken[], inImage: boolean): void {
    for (const child of children) {
      switch (child.type) {
        case 'link_open':
          run.linkDepth += 1;
          this.inLinkOpen(child, run);
          break;
        case 'link_close':
          run.linkDepth -= 1;
          break;
        case 'image':
          this.inImage(child, run);
          this.inInline(run, child.children ?? [], true);
          break;
        case 'code_inline':
          this.inCodeSpan(child, run);
          break;
        case 'html_inline':
          this.inInlineHtml(child, run);
          break;
        case 'text':
          this.inText(child, run, inImage);
          break;
      }
    }
  }

  /** A link's target (an autolink's scheme refused) and title. */
  private inLinkOpen(link: MarkdownToken, run: InlineRun): void {
    const href = String(link.attrGet('href') ?? '');
    const hits = this.firstHits(href);
    const url = this.urlSlot(
      href,
      hits.map((hit) => hit.index),
      'markdown',
    );
    const autolink = link.markup === 'autolink';
    const colon = autolink ? href.indexOf(':') : -1;
    for (const { index, at } of hits) {
      if (autolink && at < colon) {
        this.refuse(index, 'sits in the scheme of an autolink, where most values would break the link');
      }
      this.record(index, { context: 'link-target', inTable: run.inTable, autolink, ...url });
    }
    this.inTitle(String(link.attrGet('title') ?? ''), href, run, run.inTable);
  }

  private inImage(image: MarkdownToken, run: InlineRun): void {
    const src = String(image.attrGet('src') ?? '');
    const srcHits = this.hits(src);
    const url = this.urlSlot(src, srcHits, 'markdown');
    for (const index of srcHits) this.record(index, { context: 'link-target', inTable: run.inTable, ...url });
    this.inTitle(String(image.attrGet('title') ?? ''), src, run, run.inTable);
  }

  /**
   * A link's, image's or definition's title, with the quote that delimits it: read from the inline
   * run's source when the title is written there, else from the definition's (title-quote.ts).
   */
  private inTitle(title: string, destination: string, run: InlineRun | undefined, inTable: boolean): void {
    let source: TitleSource | null | undefined = null; // null: not looked for yet
    for (const { index, at: offset } of this.firstHits(title)) {
      if (this.found.has(index)) continue;
      const place = this.titlePlace(index, run);
      if (source === null) {
        source = place && findTitleSource(place.raw, title, place.at, offset, destination);
      }
      const quote = source && place ? titleQuoteOf(source, place.at, offset) : undefined;
      this.record(index, {
        context: 'link-title',
        inTable,
        ...(quote === undefined ? {} : { titleQuote: quote }),
      });
    }
  }

  /**
   * Where placeholder `index` of a title is written: in the inline run (a link's own title) or, for a
   * reference's title, in its definition in the skeleton (a definition's title is read from the
   * skeleton's text only when it stands there as written: the check in findTitleSource tells).
   */
  private titlePlace(index: number, run: InlineRun | undefined): { raw: string; at: number } | undefined {
    if (run !== undefined) {
      run.offsets ??= new Map(this.firstHits(run.token.content).map((hit) => [hit.index, hit.at]));
      const at = run.offsets.get(index);
      if (at !== undefined) return { raw: run.token.content, at };
    }
    const at = this.skeleton.offsets[index] ?? -1;
    return at < 0 ? undefined : { raw: this.skeleton.text, at };
  }

  private inCodeSpan(code: MarkdownToken, run: InlineRun): void {
    for (const index of this.hits(code.content)) {
      const codeSpan = this.codeSpanOf(index, run.parent, run.inTable);
      this.record(index, {
        context: 'inline-code',
        inTable: run.inTable,
        ...(codeSpan === undefined ? {} : { codeSpan }),
      });
    }
  }

  /**
   * The backtick runs around placeholder `index`: within its paragraph, or its line in a table. The
   * spans of a stretch are found once, for all its placeholders (scanning the paragraph again for each
   * was quadratic in the code spans of a paragraph).
   */
  private codeSpanOf(
    index: number,
    parent: MarkdownToken | undefined,
    inTable: boolean,
  ): CodeSpan | undefined {
    const { text, lineIndex } = this.skeleton;
    const target = this.skeleton.offsets[index] ?? -1;
    const line = lineIndex.indexAt(target);
    const [first, end] = !inTable && parent?.map ? [parent.map[0], parent.map[1]] : [line, line + 1];
    const from = lineIndex.starts[first] ?? 0;
    const to = Math.min(text.length, (lineIndex.starts[end] ?? text.length + 1) - 1);
    const key = `${from}:${to}`;
    let spans = this.codeSpans.get(key);
    if (spans === undefined) {
      spans = codeSpansIn(text, from, to);
      this.codeSpans.set(key, spans);
    }
    return spanHolding(spans, target);
  }

  /** Inline HTML: tracks <script>/<style> (their text is refused), then as raw HTML. */
  private inInlineHtml(html: MarkdownToken, run: InlineRun): void {
    const tag = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)/.exec(html.content);
    const name = tag?.[2]?.toLowerCase();
    if (name === 'script' || name === 'style') run.rawText = tag?.[1] === '/' ? undefined : name;
    this.inHtml(html.content, run.inTable);
  }

  /** Markdown text: which kind of text, and what surrounds it in its run. */
  private inText(text: MarkdownToken, run: InlineRun, inImage: boolean): void {
    for (const index of this.hits(text.content)) {
      if (run.rawText !== undefined) {
        this.refuse(index, `sits inside a <${run.rawText}> element, where no value can be made safe`);
      }
      // Found already (an autolink's text is its URL): what surrounds it in text is not needed.
      if (this.found.has(index)) continue;
      const { context, indent } = this.textKind(index, run, inImage);
      const around = (run.surroundings ??= new InlineRunScan(
        run.token.content,
        this.skeleton.sentinelsIn(run.token.content),
      )).get(index);
      const atxHeading = run.parent?.type === 'heading_open' && (run.parent.markup ?? '').startsWith('#');
      this.record(index, {
        context,
        inTable: run.inTable,
        ...(around === undefined ? {} : { inline: { ...around, atxHeading } }),
        ...(indent === undefined ? {} : { indent }),
      });
    }
  }

  private textKind(
    index: number,
    run: InlineRun,
    inImage: boolean,
  ): { context: PlaceholderContext; indent?: string } {
    const parentType = run.parent?.type ?? '';
    if (run.linkDepth > 0 || inImage) return { context: 'link-text' };
    if (parentType === 'heading_open') return { context: 'heading' };
    if (parentType === 'th_open' || parentType === 'td_open') return { context: 'table-cell' };
    const indent = this.blockIndent(index, run);
    return indent === undefined ? { context: 'text' } : { context: 'block', indent };
  }

  /** The leading white space when the placeholder is a paragraph of its own on one line. */
  private blockIndent(index: number, run: InlineRun): string | undefined {
    const s = this.skeleton.sentinels[index] ?? '';
    const parent = run.parent;
    if (parent?.type !== 'paragraph_open' || run.token.content.trim() !== s) return undefined;
    const map = parent.map;
    if (map === null || map[1] - map[0] !== 1) return undefined;
    const line = this.skeleton.lines[map[0]] ?? '';
    const at = line.indexOf(s);
    if (at < 0 || line.slice(0, at).trim() !== '' || line.slice(at + s.length).trim() !== '')
      return undefined;
    return line.slice(0, at);
  }

  private hits(text: string): number[] {
    return placeholdersIn(this.skeleton, text);
  }

  /** Each placeholder `text` holds, at its first offset there, in index order. */
  private firstHits(text: string): { index: number; at: number }[] {
    const seen = new Set<number>();
    return this.skeleton
      .sentinelsIn(text)
      .filter((hit) => !seen.has(hit.index) && seen.add(hit.index))
      .sort((a, b) => a.index - b.index);
  }

  /** The first position found is the placeholder's. */
  private record(index: number, value: Found): void {
    if (!this.found.has(index)) this.found.set(index, value);
  }

  /** `{ url }`, the slot of `text`, when placeholders help build it; `{}` otherwise. */
  private urlSlot(text: string, hits: readonly number[], kind: UrlSlot['kind']): { url?: number } {
    return hits.length > 0 ? { url: this.addUrl(text, kind) } : {};
  }

  /** The slot of a URL, the same for the same text (one lookup, not a search of every slot). */
  private addUrl(text: string, kind: UrlSlot['kind']): number {
    const key = `${kind}:${text}`;
    const known = this.urlIndex.get(key);
    if (known !== undefined) return known;
    this.urls.push({ skeleton: text, kind });
    this.urlIndex.set(key, this.urls.length - 1);
    return this.urls.length - 1;
  }
}

/** The span (in offset order) whose content holds `target`, by binary search. */
function spanHolding(spans: readonly CodeSpan[], target: number): CodeSpan | undefined {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const span = spans[mid];
    if (span === undefined) return undefined;
    if (target <= span.open) hi = mid - 1;
    else if (target >= span.close) lo = mid + 1;
    else return span;
  }
  return undefined;
}
