/**
 * What surrounds each placeholder of one inline run (a paragraph, heading or table cell), found in one
 * pass each way over the run, so that filling is linear in placeholders: a paragraph of 40 000
 * placeholders once re-read its whole text for each of them.
 *
 * For each placeholder: short windows of the text before and after it (what the escaping reads
 * character by character), the facts it needs about the whole of both (inline-escape.ts
 * SurroundingFacts), and whether the template leaves a `<` or a backtick run open before it (asked of
 * markdown-it itself, and asked again only where the text since the previous placeholder holds a `<`, a
 * `>` or a backtick: text without them can neither open nor close either, and an earlier answer of
 * "open" that such text made stale only makes the escaping stricter).
 *
 * Asking markdown-it about the whole text before a placeholder, for each placeholder, is quadratic (a
 * paragraph of 1 000 lines with inline HTML took 86 s). Two things keep it linear: the question is
 * asked only for the placeholders in markdown text, when they are met (`get`); and it is asked about
 * the text since a *settled* point only. Before a placeholder where nothing is left open (no `<`,
 * backtick run or link that any continuation could still complete: markdown-it is asked with the
 * continuations that complete each, `settles`), markdown-it's inline tokens of what follows do not
 * depend on what came before: its inline rules read forward only, and what they read before that point
 * ends there. So what is open before a later placeholder is what is open in the text since.
 */
import { UNKNOWN, type SurroundingFacts } from './inline-escape';
import { boundedMemo } from './memo';
import { markdownIt, type MarkdownToken } from './markdown';

/** A sentinel found in a text. */
export interface SentinelHit {
  readonly index: number;
  readonly at: number;
  readonly length: number;
}

/** What surrounds one placeholder of the run; other placeholders are UNKNOWN. */
export interface PlaceholderSurroundings {
  /** The run's text before the placeholder: its last WINDOW characters, runs that reach into them whole. */
  readonly before: string;
  /** The run's text after it, likewise its first characters. */
  readonly after: string;
  readonly facts: SurroundingFacts;
  readonly openAngle: boolean;
  readonly openBackticks: boolean;
}

/** Characters of context kept on each side: more than an entity name (32) or any rule looks at. */
export const WINDOW = 64;

/** The surroundings of the placeholders of one inline run, each computed when first asked for. */
export class InlineRunScan {
  /** The run with every sentinel as UNKNOWN. */
  private readonly blinded: string;
  /** Each sentinel of the run, in order, and where its UNKNOWN stands in `blinded`. */
  private readonly positions: { index: number; at: number }[] = [];
  private readonly order = new Map<number, number>();
  private readonly beforeFacts: BeforeFacts[];
  private readonly afterFacts: AfterFacts[];
  /** Per backtick run length, the last offset in `blinded` where a run of it starts. */
  private readonly lastRunOf = new Map<number, number>();
  /**
   * For each position, the position whose openness it takes: itself where the text since the previous
   * one holds a `<`, `>` or backtick (or it is the first), else the previous one's.
   */
  private readonly askedAt: number[] = [];
  private readonly openness = new Map<number, Openness>();
  /** Offsets in `blinded` before which nothing is left open (0: the run's start), ascending. */
  private readonly settled: number[] = [0];
  private readonly done = new Map<number, PlaceholderSurroundings>();

  /** `content` is the run's inline source; `hits` every sentinel it holds, in order. */
  constructor(content: string, hits: readonly SentinelHit[]) {
    let blinded = '';
    let from = 0;
    for (const hit of hits) {
      blinded += content.slice(from, hit.at);
      this.order.set(hit.index, this.positions.length);
      this.positions.push({ index: hit.index, at: blinded.length });
      blinded += UNKNOWN;
      from = hit.at + hit.length;
    }
    blinded += content.slice(from);
    this.blinded = blinded;
    this.beforeFacts = forwardFacts(blinded, this.positions);
    this.afterFacts = backwardFacts(blinded, this.positions);
    for (const m of blinded.matchAll(/`+/g)) this.lastRunOf.set(m[0].length, m.index);
    this.positions.forEach(({ at }, k) => {
      const previous = this.positions[k - 1];
      const segment = previous === undefined ? '<' : blinded.slice(previous.at + 1, at);
      this.askedAt.push(/[<>`]/.test(segment) ? k : (this.askedAt[k - 1] ?? k));
    });
  }

  /** What surrounds placeholder `index` (a sentinel of the run); undefined when the run does not hold it. */
  get(index: number): PlaceholderSurroundings | undefined {
    const k = this.order.get(index);
    if (k === undefined) return undefined;
    const known = this.done.get(k);
    if (known !== undefined) return known;
    const { blinded } = this;
    const at = this.positions[k]?.at ?? 0;
    const b = this.beforeFacts[k];
    const a = this.afterFacts[k];
    const { openAngle, openBackticks } = this.opennessAt(this.askedAt[k] ?? k);
    const surroundings: PlaceholderSurroundings = {
      before: blinded.slice(windowStart(blinded, at), at),
      after: blinded.slice(at + 1, windowEnd(blinded, at + 1)),
      facts: {
        beforeHasLt: b?.hasLt ?? false,
        beforeOpenBrackets: b?.openBrackets ?? 0,
        beforeHasLinkDestination: b?.hasLinkDestination ?? false,
        afterHasGt: a?.hasGt ?? false,
        afterHasCloseBracket: a?.hasCloseBracket ?? false,
        afterHasLinkDestination: a?.hasLinkDestination ?? false,
        afterHasUnknown: a?.hasUnknown ?? false,
        afterHasDefinition: a?.hasDefinition ?? false,
        afterBlank: a?.blank ?? true,
        // Runs after `at` start past it (`at` is UNKNOWN, not a backtick).
        afterHasBacktickRun: (length) => (this.lastRunOf.get(length) ?? -1) > at,
      },
      openAngle,
      openBackticks,
    };
    this.done.set(k, surroundings);
    return surroundings;
  }

  /** Whether the template leaves a `<` or a backtick run open before position k (markdown-it asked). */
  private opennessAt(k: number): Openness {
    const known = this.openness.get(k);
    if (known !== undefined) return known;
    const at = this.positions[k]?.at ?? 0;
    // The last settled point at or before `at`: what is open before `at` is open in the text since.
    let lo = 0;
    for (let hi = this.settled.length - 1; lo < hi;) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.settled[mid] ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    const from = this.settled[lo] ?? 0;
    const since = this.blinded.slice(from, at);
    const answer = { openAngle: leavesAngleOpen(since), openBackticks: leavesBackticksOpen(since) };
    this.openness.set(k, answer);
    // Settle here; or, when this placeholder is inside something still open (a link's text, say), just
    // after the last `)`, `>` or backtick since the previous placeholder, where that something may start.
    let closer = at;
    const previous = k > 0 ? (this.positions[k - 1]?.at ?? 0) + 1 : 0;
    while (closer > previous && !')>`'.includes(this.blinded[closer - 1] ?? ')')) closer--;
    // (Not here when a `[` since is left unclosed: a link's text is open, settling would fail.)
    const here =
      !answer.openAngle && !answer.openBackticks && since.lastIndexOf('[') <= since.lastIndexOf(']');
    const candidates = [...(here ? [at] : []), ...(closer !== at ? [closer] : [])];
    for (const cut of candidates) {
      if (cut <= from || cut > at) continue;
      if (settles(this.blinded.slice(from, cut), this.blinded[cut] ?? '')) {
        this.settled.splice(lo + 1, 0, cut);
        break;
      }
    }
    return answer;
  }
}

interface Openness {
  readonly openAngle: boolean;
  readonly openBackticks: boolean;
}

/**
 * Where the window before `at` starts: WINDOW back, then back over a run of one character, plus the one
 * before it. Not over a run of other values (UNKNOWN): the escaping reads only the last run of `before`
 * and what precedes it, and a run of adjacent placeholders read whole by each was quadratic.
 */
function windowStart(text: string, at: number): number {
  let start = Math.max(0, at - WINDOW);
  if (text[start] !== UNKNOWN) while (start > 0 && text[start - 1] === text[start]) start--;
  return Math.max(0, start - 1);
}

/** Where the window from `from` ends (exclusive), likewise forward. */
function windowEnd(text: string, from: number): number {
  let end = Math.min(text.length, from + WINDOW);
  if (text[end - 1] !== UNKNOWN) while (end < text.length && text[end] === text[end - 1]) end++;
  return Math.min(text.length, end + 1);
}

interface BeforeFacts {
  hasLt: boolean;
  openBrackets: number;
  hasLinkDestination: boolean;
}

/** Facts of the text before each position, in one pass (countOpenBrackets's rules, kept as it goes). */
function forwardFacts(text: string, positions: readonly { at: number }[]): BeforeFacts[] {
  const out: BeforeFacts[] = [];
  let hasLt = false;
  let open = 0;
  let hasLinkDestination = false;
  let skip = false;
  let i = 0;
  for (const { at } of positions) {
    for (; i < at; i++) {
      const c = text[i];
      if (c === '<') hasLt = true;
      if (c === '(' && text[i - 1] === ']') hasLinkDestination = true;
      if (skip) skip = false;
      else if (c === '\\') skip = true;
      else if (c === '[') open++;
      else if (c === ']' && open > 0) open--;
    }
    out.push({ hasLt, openBrackets: open, hasLinkDestination });
  }
  return out;
}

interface AfterFacts {
  hasGt: boolean;
  hasCloseBracket: boolean;
  hasLinkDestination: boolean;
  hasUnknown: boolean;
  hasDefinition: boolean;
  blank: boolean;
}

/** Facts of the text after each position, in one pass from the end. */
function backwardFacts(text: string, positions: readonly { at: number }[]): AfterFacts[] {
  const out: AfterFacts[] = new Array<AfterFacts>(positions.length);
  const state: AfterFacts = {
    hasGt: false,
    hasCloseBracket: false,
    hasLinkDestination: false,
    hasUnknown: false,
    hasDefinition: false,
    blank: true,
  };
  let i = text.length - 1;
  for (let k = positions.length - 1; k >= 0; k--) {
    const at = positions[k]?.at ?? 0;
    for (; i > at; i--) {
      const c = text[i];
      if (c === '>') state.hasGt = true;
      if (c === ']') {
        state.hasCloseBracket = true;
        if (text[i + 1] === '(') state.hasLinkDestination = true;
        if (text[i + 1] === ':') state.hasDefinition = true;
      }
      if (c === UNKNOWN) state.hasUnknown = true;
      if (c !== ' ' && c !== '\t' && c !== UNKNOWN) state.blank = false;
    }
    // The loop stops at `at`: this placeholder is in the text after the one before it.
    out[k] = { ...state };
  }
  return out;
}

/** Other values stand for letters when markdown-it is asked about the template around them. */
export const readable = (text: string): string => text.split(UNKNOWN).join('x');

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
  '>',
  '">',
  "'>",
  '-->',
  '?>',
  ']]>',
  'a>',
  '/a>',
  'a b>',
  '!---->',
  '?x?>',
  '!A>',
  '![CDATA[x]]>',
  'a:b>',
  'a@b.c>',
  '@b.c>',
  ':b>',
  'b.c>',
];

/**
 * Whether the template text before a value leaves a `<` open that a value could finish into raw HTML or
 * an autolink: markdown-it itself is asked whether one of ANGLE_ENDINGS would make a new tag or link.
 */
export function leavesAngleOpen(before: string): boolean {
  return before.includes('<') && angleLeftOpen(before);
}

/** leavesAngleOpen for a text with a `<`, asked once per text. */
const angleLeftOpen = boundedMemo((before: string): boolean => {
  const text = readable(before);
  const types = ['html_inline', 'link_open'];
  const base = countInline(`${text} `, types);
  return ANGLE_ENDINGS.some((ending) => countInline(`${text}${ending} `, types) > base);
});

/** Whether a backtick run in the template text before a value is still open (a value's run could close it). */
export function leavesBackticksOpen(before: string): boolean {
  return before.includes('`') && backticksLeftOpen(before);
}

/** leavesBackticksOpen for a text with a backtick, asked once per text. */
const backticksLeftOpen = boundedMemo((before: string): boolean => {
  const text = readable(before);
  // Every length up to the longest raw run: an escaped backtick shortens the run that opens.
  const longest = longestBacktickRun(text);
  const base = countInline(`${text} `, ['code_inline']);
  for (let length = 1; length <= longest; length++) {
    if (countInline(`${text} ${'`'.repeat(length)}`, ['code_inline']) > base) return true;
  }
  return false;
});

/** What completes a link or image left open (its label, destination or title) after a letter. */
const LINK_ENDINGS = ['](x)', ']](x)', ')', '>)', '")', "')", '))'];

/** Tokens whose number a continuation changes when it completes something left open. */
const STRUCTURE = ['code_inline', 'html_inline', 'link_open', 'image'];

/**
 * Whether nothing in `text` is left open that what follows (starting with `next`) could complete: no
 * continuation completes a `<` construct (ANGLE_ENDINGS), a backtick run (runs of every length up to the
 * longest) or a link (LINK_ENDINGS). Then markdown-it's inline tokens of `text` + what follows are those
 * of `text`, then those of the rest.
 */
export function settles(text: string, next: string): boolean {
  // `next`'s length first: no two (text, next) pairs share a key.
  return settled(`${next.length}:${next}${text}`);
}

/** settles, by settles' key; asked once per pair. */
const settled = boundedMemo((key: string): boolean => {
  const colon = key.indexOf(':');
  const nextLength = Number(key.slice(0, colon));
  const next = key.slice(colon + 1, colon + 1 + nextLength);
  const text = key.slice(colon + 1 + nextLength);
  const readableText = readable(text);
  const first = readable(next);
  // The structure markdown-it reads: each code span, raw HTML, link and image, with what it holds (a
  // continuation that completes something open changes it, even where the number of each stays).
  const count = (source: string): string => {
    const found: string[] = [];
    const walk = (tokens: readonly MarkdownToken[]): void => {
      for (const t of tokens) {
        if (STRUCTURE.includes(t.type)) found.push(`${t.type}:${t.content}:${JSON.stringify(t.attrs)}`);
        if (t.children) walk(t.children);
      }
    };
    walk(markdownIt.parseInline(source, {}));
    return found.join('\n');
  };
  const base = count(`${readableText} `);
  const longest = longestBacktickRun(readableText);
  const endings = [
    '',
    ...(readableText.includes('<') ? ANGLE_ENDINGS : []),
    ...(readableText.includes('[') ? LINK_ENDINGS : []),
    ...Array.from({ length: longest }, (_, n) => '`'.repeat(n + 1)),
  ];
  return endings.every((ending) => count(`${readableText}${first}${ending} `) === base);
});

/** The length of the longest backtick run in `text` (0 for none); no spread of every run (too many for a call). */
function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return longest;
}
