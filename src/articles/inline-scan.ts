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
 */
import { backtickRuns, UNKNOWN, type SurroundingFacts } from './inline-escape';
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

/** The surroundings of every placeholder whose sentinel `content` holds (sentinel index → surroundings). */
export function scanInline(
  content: string,
  hits: readonly SentinelHit[],
): Map<number, PlaceholderSurroundings> {
  // The run with every sentinel as UNKNOWN, and where each one stands in it.
  let blinded = '';
  let from = 0;
  const positions: { index: number; at: number }[] = [];
  for (const hit of hits) {
    blinded += content.slice(from, hit.at);
    positions.push({ index: hit.index, at: blinded.length });
    blinded += UNKNOWN;
    from = hit.at + hit.length;
  }
  blinded += content.slice(from);

  const beforeFacts = forwardFacts(blinded, positions);
  const afterFacts = backwardFacts(blinded, positions);
  const out = new Map<number, PlaceholderSurroundings>();
  let previous: { at: number; openAngle: boolean; openBackticks: boolean } | undefined;
  positions.forEach(({ index, at }, k) => {
    const segment = blinded.slice(previous === undefined ? 0 : previous.at + 1, at);
    const reuse = previous !== undefined && !/[<>`]/.test(segment);
    const before = blinded.slice(0, at);
    const openAngle = reuse && previous ? previous.openAngle : leavesAngleOpen(before);
    const openBackticks = reuse && previous ? previous.openBackticks : leavesBackticksOpen(before);
    previous = { at, openAngle, openBackticks };
    const b = beforeFacts[k];
    const a = afterFacts[k];
    out.set(index, {
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
        afterBacktickRuns: () => backtickRuns(blinded.slice(at + 1)),
      },
      openAngle,
      openBackticks,
    });
  });
  return out;
}

/** Where the window before `at` starts: WINDOW back, then back over a run of one character, plus the one before it. */
function windowStart(text: string, at: number): number {
  let start = Math.max(0, at - WINDOW);
  while (start > 0 && text[start - 1] === text[start]) start--;
  return Math.max(0, start - 1);
}

/** Where the window from `from` ends (exclusive), likewise forward. */
function windowEnd(text: string, from: number): number {
  let end = Math.min(text.length, from + WINDOW);
  while (end < text.length && text[end] === text[end - 1]) end++;
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
  if (!before.includes('<')) return false;
  const text = readable(before);
  const types = ['html_inline', 'link_open'];
  const base = countInline(`${text} `, types);
  return ANGLE_ENDINGS.some((ending) => countInline(`${text}${ending} `, types) > base);
}

/** Whether a backtick run in the template text before a value is still open (a value's run could close it). */
export function leavesBackticksOpen(before: string): boolean {
  if (!before.includes('`')) return false;
  const text = readable(before);
  // Every length up to the longest raw run: an escaped backtick shortens the run that opens.
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const base = countInline(`${text} `, ['code_inline']);
  for (let length = 1; length <= longest; length++) {
    if (countInline(`${text} ${'`'.repeat(length)}`, ['code_inline']) > base) return true;
  }
  return false;
}
