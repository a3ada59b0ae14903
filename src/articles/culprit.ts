/**
 * Finding the value at fault when the check fails (render-check.ts): the first candidate whose full
 * form alone makes the document render as the fully escaped one. Rendering the whole document again
 * for each candidate is quadratic (each of thousands of candidates parsed the whole article); here a
 * candidate costs a parse of its own stretch of the document, or nothing.
 *
 * A document splits into stretches at *cuts*: a line after a blank line that starts with an ASCII
 * letter, where markdown-it starts a top-level block in the document with the minimal forms and in the
 * one with the full forms. Nothing crosses a cut: before a blank line a paragraph, table, HTML block of
 * kinds 6 and 7 ends; a list, blockquote or indented code block goes on only with a line indented or
 * marked as theirs; what can go on (a fenced code block, an HTML block of kinds 1 to 5) needs a
 * backtick, a tilde or a `<`; and reference definitions (`]:`), which reach every stretch, make the
 * search fall back to whole documents. Swapping one value (a candidate's forms are one line, the full
 * one without `<`, backtick or tilde) changes its own stretch only, as long as that stretch still holds
 * none of those (else the stretch, with the line after it, is parsed to see that it still ends at the
 * cut). The document renders as the target only where the rest already does: the tokens before the
 * stretch and after it equal the target's (a common prefix and suffix, computed once).
 */
import { ZWSP } from './escape';
import { LineIndex } from './lines';
import { markdownIt, type MarkdownToken } from './markdown';

/** Tokens whose content is rendered as it is (the others' content is raw source). */
const RENDERED_CONTENT = new Set(['text', 'code_inline', 'code_block', 'fence', 'html_inline', 'html_block']);

/** A document as markdown-it reads it: one string per token, and where its top-level blocks start. */
export interface Rendering {
  /**
   * Every token (children after their parent): type, tag, nesting, attributes and rendered content
   * (U+200B guards ignored). Two documents with the same tokens render the same HTML.
   */
  readonly tokens: readonly string[];
  /** Each top-level block: its first line and the index of its first token. */
  readonly blocks: readonly { readonly line: number; readonly token: number }[];
  /** The document defines link references. */
  readonly references: boolean;
  /** markdown-it's own tokens and env of the document: the HTML can be rendered from them, not parsed again. */
  readonly parsed: ParsedMarkdown;
}

/** What markdown-it's parse returned for a document, to render it without parsing it again. */
export interface ParsedMarkdown {
  readonly tokens: MarkdownToken[];
  readonly env: Record<string, unknown>;
}

/** The rendering of `markdown`. */
export function renderingOf(markdown: string): Rendering {
  const tokens: string[] = [];
  const blocks: { line: number; token: number }[] = [];
  const walk = (list: readonly MarkdownToken[]): void => {
    for (const t of list) {
      if (t.level === 0 && t.nesting !== -1 && t.map !== null && t.map !== undefined) {
        blocks.push({ line: t.map[0], token: tokens.length });
      }
      tokens.push(tokenKey(t));
      if (t.children) walk(t.children);
    }
  };
  const env: Record<string, unknown> = {};
  const parsed = markdownIt.parse(markdown, env);
  walk(parsed);
  return {
    tokens,
    blocks,
    references: Object.keys((env['references'] ?? {}) as object).length > 0,
    parsed: { tokens: parsed, env },
  };
}

/**
 * One token as a string: its type, tag, nesting, attributes, rendered content (U+200B guards ignored)
 * and a fence's info, joined by NUL. NUL cannot stand in any of them (markdown-it's normalize turns
 * NUL into U+FFFD; JSON escapes it in the attributes), so two tokens with the same key are the same.
 * Not JSON of an array: that was a sixth of an insight's CPU (issue 14).
 */
function tokenKey(t: MarkdownToken): string {
  const raw = RENDERED_CONTENT.has(t.type) ? t.content : '';
  const content = raw.includes(ZWSP) ? raw.split(ZWSP).join('') : raw;
  const attrs = t.attrs === null ? '' : JSON.stringify(t.attrs);
  const info = t.type === 'fence' ? t.info : '';
  return `${t.type}\0${t.tag}\0${t.nesting}\0${attrs}\0${info}\0${content}`;
}

/** Whether two renderings are the same. */
export function sameRendering(a: Rendering, b: Rendering): boolean {
  return a.tokens.length === b.tokens.length && a.tokens.every((t, i) => t === b.tokens[i]);
}

/** One candidate: its minimal form at `start` in the minimal document, and its full form. */
export interface Swap {
  readonly start: number;
  readonly minimal: string;
  readonly full: string;
}

/** Characters whose presence in a stretch means it must be parsed to see that it ends at its cut. */
const OPENERS = ['`', '~', '<'];

/**
 * The first of `candidates` whose swap (its full form in the minimal document) renders as `target`;
 * undefined when none does. `whole(i)` renders the document with candidate i swapped, for what the
 * stretches cannot tell (a document with reference definitions, a stretch that may not end at its cut).
 */
export function firstCulprit(
  minimal: { readonly markdown: string; readonly rendering: Rendering },
  target: Rendering,
  candidates: readonly number[],
  swapOf: (i: number) => Swap | undefined,
  whole: (i: number) => Rendering,
): number | undefined {
  const byWhole = (): number | undefined => candidates.find((i) => sameRendering(whole(i), target));
  if (minimal.rendering.references || target.references) return byWhole();
  const stretches = new Stretches(minimal.markdown, minimal.rendering, target);
  return candidates.find((i) => {
    const swap = swapOf(i);
    const verdict = swap === undefined ? undefined : stretches.rendersAsTarget(swap);
    return verdict ?? sameRendering(whole(i), target);
  });
}

/** The minimal document cut into stretches, and how far its tokens agree with the target's. */
class Stretches {
  private readonly lines: LineIndex;
  private readonly lineTexts: readonly string[];
  /** Each stretch: its first line and its first token (in the minimal rendering), in order. */
  private readonly cuts: { line: number; token: number }[] = [];
  /** Per stretch, how many of each opener and of `]:` it holds. */
  private readonly openers: number[][] = [];
  /** Tokens the minimal rendering shares with the target's at the start, and at the end. */
  private readonly prefix: number;
  private readonly suffix: number;

  constructor(
    private readonly markdown: string,
    private readonly rendering: Rendering,
    private readonly target: Rendering,
  ) {
    this.lines = new LineIndex(markdown);
    this.lineTexts = markdown.split('\n');
    const targetStarts = new Set(target.blocks.map((b) => b.line));
    this.cuts.push({ line: 0, token: 0 });
    for (const block of rendering.blocks) {
      const above = this.lineTexts[block.line - 1];
      if (
        block.line > 0 &&
        block.token > 0 &&
        above !== undefined &&
        /^[ \t]*$/.test(above) &&
        /^[A-Za-z]/.test(this.lineTexts[block.line] ?? '') &&
        targetStarts.has(block.line) &&
        block.line > (this.cuts[this.cuts.length - 1]?.line ?? 0)
      ) {
        this.cuts.push(block);
      }
    }
    this.cuts.forEach((cut, k) => {
      const text = this.stretchText(k);
      this.openers.push([...OPENERS.map((c) => count(text, c)), count(text, ']:')]);
    });
    const mine = rendering.tokens;
    const theirs = target.tokens;
    let p = 0;
    while (p < mine.length && p < theirs.length && mine[p] === theirs[p]) p++;
    let s = 0;
    while (
      s < mine.length &&
      s < theirs.length &&
      mine[mine.length - 1 - s] === theirs[theirs.length - 1 - s]
    )
      s++;
    this.prefix = p;
    this.suffix = s;
  }

  /**
   * Whether the minimal document with `swap` renders as the target: true or false when its stretch
   * tells, undefined when the whole document must be rendered.
   */
  rendersAsTarget(swap: Swap): boolean | undefined {
    const end = swap.start + swap.minimal.length;
    if (
      swap.full.includes('\n') ||
      swap.minimal.includes('\n') ||
      this.markdown.slice(swap.start, end) !== swap.minimal
    ) {
      return undefined;
    }
    const k = this.stretchOf(this.lines.indexAt(swap.start));
    const cut = this.cuts[k];
    if (cut === undefined) return undefined;
    const firstToken = cut.token;
    const next = this.cuts[k + 1];
    const afterToken = next?.token ?? this.rendering.tokens.length;
    const stretchStart = this.lines.starts[cut.line] ?? 0;
    const stretchEnd = next === undefined ? this.markdown.length : (this.lines.starts[next.line] ?? 0);
    const swapped =
      this.markdown.slice(stretchStart, swap.start) + swap.full + this.markdown.slice(end, stretchEnd);
    // The stretch's first line must still start with a letter (the swap may stand at its start).
    if (!/^[A-Za-z]/.test(swapped) && k > 0) return undefined;
    const quiet = this.quietAfter(k, swap);
    let tokens: readonly string[];
    if (quiet) {
      if (firstToken > this.prefix || this.rendering.tokens.length - afterToken > this.suffix) return false;
      const local = renderingOf(swapped);
      if (local.references) return undefined;
      tokens = local.tokens;
    } else {
      // Parsed with the line after it: the stretch must still end where the next one starts.
      const nextLine = next === undefined ? undefined : (this.lineTexts[next.line] ?? '');
      const local = renderingOf(nextLine === undefined ? swapped : `${swapped}${nextLine}\n`);
      if (local.references) return undefined;
      let own = local.tokens.length;
      if (next !== undefined) {
        const relative = next.line - cut.line;
        const start = local.blocks.find((b) => b.line === relative);
        if (start === undefined) return undefined;
        own = start.token;
      }
      if (firstToken > this.prefix || this.rendering.tokens.length - afterToken > this.suffix) return false;
      tokens = local.tokens.slice(0, own);
    }
    // The target's tokens between the shared prefix (up to this stretch) and suffix (after it).
    const after = this.rendering.tokens.length - afterToken;
    if (this.target.tokens.length !== firstToken + tokens.length + after) return false;
    return tokens.every((t, i) => t === this.target.tokens[firstToken + i]);
  }

  /** Whether stretch k holds no opener and no `]:` once `swap` is made (counted, not rescanned). */
  private quietAfter(k: number, swap: Swap): boolean {
    const counts = this.openers[k];
    if (counts === undefined) return false;
    const before = this.markdown[swap.start - 1] ?? '';
    const after = this.markdown[swap.start + swap.minimal.length] ?? '';
    const held = (text: string): number[] => [...OPENERS.map((c) => count(text, c)), count(text, ']:')];
    const was = held(`${before}${swap.minimal}${after}`);
    const is = held(`${before}${swap.full}${after}`);
    return counts.every((n, j) => n - (was[j] ?? 0) + (is[j] ?? 0) === 0);
  }

  /** The text of stretch k (its lines, with their line breaks). */
  private stretchText(k: number): string {
    const cut = this.cuts[k];
    const next = this.cuts[k + 1];
    const start = this.lines.starts[cut?.line ?? 0] ?? 0;
    const end = next === undefined ? this.markdown.length : (this.lines.starts[next.line] ?? 0);
    return this.markdown.slice(start, end);
  }

  /** The stretch holding `line` (binary search over the cuts). */
  private stretchOf(line: number): number {
    let lo = 0;
    let hi = this.cuts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.cuts[mid]?.line ?? 0) <= line) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** How many times `needle` occurs in `text`. */
function count(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}
