/**
 * Minimal escaping of a plain value that lands in markdown text (a paragraph, list item, heading, table
 * cell, link text…): every character that cannot change how the document renders stays as it is; only
 * what markdown-it, as configured in markdown.ts, would read as syntax *at this place* is escaped, by a
 * backslash where that works and a character reference where it does not (and for `<` and `&`, which
 * other renderers of the .md must not read as HTML either).
 *
 * The decisions follow markdown-it 15's own rules (rules_inline/*.ts, rules_block/*.ts; flanking from
 * StateInline.scanDelims; punctuation and white space from its `utils`), given what surrounds the
 * value. `escapeInlineText(…, 'full')` is the belt to these braces: every ASCII punctuation character as
 * a character reference. render-check.ts renders both and keeps the full form wherever the minimal one would
 * not render the same (see README.md).
 */
import { oneLine, ZWSP } from './escape';
import { boundedCache, boundedMemo } from './memo';
import { markdownIt } from './markdown';

const { isWhiteSpace, isPunctCharCode, isMdAsciiPunct } = markdownIt.utils;

/** Stands for another placeholder's value in surroundings: could be anything. */
export const UNKNOWN = '\uffff';

/**
 * What the escaping needs to know of the whole of `before` and `after`, beyond their first and last
 * characters. inline-scan.ts computes them for every placeholder of a paragraph in one pass each way, so
 * `before`/`after` may be short windows and filling stays linear in placeholders; `surroundingFacts`
 * computes them from the strings when they are whole.
 */
export interface SurroundingFacts {
  /** A `<` before the value (it may open what a value could close). */
  readonly beforeHasLt: boolean;
  /** `[` not yet closed before the value (backslash-escaped brackets do not count). */
  readonly beforeOpenBrackets: number;
  /** A `](` before the value (a `)` in it could close a link destination). */
  readonly beforeHasLinkDestination: boolean;
  readonly afterHasGt: boolean;
  readonly afterHasCloseBracket: boolean;
  readonly afterHasLinkDestination: boolean;
  readonly afterHasUnknown: boolean;
  /** A `]:` after the value (a reference definition's label end). */
  readonly afterHasDefinition: boolean;
  /** Nothing but spaces, tabs and other values after it. */
  readonly afterBlank: boolean;
  /** Whether a backtick run of exactly `length` follows the value (asked only when a value has backticks). */
  afterHasBacktickRun(length: number): boolean;
}

/** SurroundingFacts read from whole strings. */
export function surroundingFacts(before: string, after: string): SurroundingFacts {
  let runs: ReadonlySet<number> | undefined;
  return {
    beforeHasLt: before.includes('<'),
    beforeOpenBrackets: countOpenBrackets(before),
    beforeHasLinkDestination: before.includes(']('),
    afterHasGt: after.includes('>'),
    afterHasCloseBracket: after.includes(']'),
    afterHasLinkDestination: after.includes(']('),
    afterHasUnknown: after.includes(UNKNOWN),
    afterHasDefinition: after.includes(']:'),
    afterBlank: /^[ \t\uffff]*$/.test(after),
    afterHasBacktickRun: (length) => (runs ??= backtickRuns(after)).has(length),
  };
}

/** The lengths of the backtick runs in a text. */
export function backtickRuns(text: string): ReadonlySet<number> {
  return new Set([...text.matchAll(/`+/g)].map((m) => m[0].length));
}

/** What surrounds a value in markdown text; strings hold template text, `UNKNOWN` for other values. */
export interface InlineSurroundings {
  /**
   * The inline source before the value: its paragraph, heading or table cell so far, or (with `facts`)
   * the end of it: at least the last 64 characters, and every character of a run that reaches into them.
   */
  readonly before: string;
  /** The inline source after the value, to the end of the paragraph, heading or cell (or its start, as `before`). */
  readonly after: string;
  /** Facts about the whole of `before` and `after`; computed from the strings when absent. */
  readonly facts?: SurroundingFacts;
  /**
   * The text on the value's source line before it, without the container markers (`>`, `-`, `1.` with
   * a space) and indentation it starts with: where a block would begin. (Stripping a marker that was
   * not one only makes the check stricter.)
   */
  readonly linePrefix: string;
  /** The source line after the value. */
  readonly lineRest: string;
  /** The next source line without container markers; undefined at the end of the document. */
  readonly nextLine: string | undefined;
  /** The previous source line without container markers; undefined at the start. */
  readonly previousLine?: string | undefined;
  /** In a table row: `|` must be `\|`. */
  readonly inTable: boolean;
  /** In an ATX heading (`# …`), where a trailing `#` run would be read as the closing sequence. */
  readonly atxHeading: boolean;
  /** The article defines link references: `[label]` alone may be a link. */
  readonly references: boolean;
  /** Between a template `[` and `]` while references exist: the value could spell a label. */
  readonly inBrackets: boolean;
  /** The template opens `<` before the value without closing it (a value could finish a tag). */
  readonly openAngle: boolean;
  /** The template has a backtick run before the value that nothing closed (a value run could). */
  readonly openBackticks: boolean;
}

/** A value alone in a one-line markdown field: nothing around it. */
export const STANDALONE: InlineSurroundings = {
  before: '',
  after: '',
  linePrefix: '',
  lineRest: '',
  nextLine: undefined,
  inTable: false,
  atxHeading: false,
  references: false,
  inBrackets: false,
  openAngle: false,
  openBackticks: false,
};

type Decision = 'raw' | 'backslash' | 'reference';

const NAMED_REFERENCE: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};
const reference = (c: string): string => NAMED_REFERENCE[c] ?? `&#${c.codePointAt(0) ?? 0};`;

const code = (c: string | undefined): number =>
  c === undefined || c === '' ? 0x20 : (c.codePointAt(0) ?? 0x20);
const isAsciiPunct = (c: string | undefined): boolean =>
  c !== undefined && c.length === 1 && isMdAsciiPunct(c.charCodeAt(0));

/**
 * Whether a delimiter run of `marker` between `prev` and `next` can open or close emphasis (or
 * strikethrough): markdown-it's StateInline.scanDelims, '' meaning the start or end of the inline
 * source (white space), lone surrogates read as U+FFFD as markdown-it does.
 */
export function delimiterFlags(
  prev: string,
  marker: string,
  next: string,
): { open: boolean; close: boolean } {
  const norm = (c: string): number => {
    const n = code(c);
    return n >= 0xd800 && n <= 0xdfff ? 0xfffd : n;
  };
  const last = norm(prev);
  const nextCode = norm(next);
  const lastPunct = isMdAsciiPunct(last) || isPunctCharCode(last);
  const nextPunct = isMdAsciiPunct(nextCode) || isPunctCharCode(nextCode);
  const lastSpace = isWhiteSpace(last);
  const nextSpace = isWhiteSpace(nextCode);
  const left = !nextSpace && (!nextPunct || lastSpace || lastPunct);
  const right = !lastSpace && (!lastPunct || nextSpace || nextPunct);
  const splitsWords = marker !== '_';
  return {
    open: left && (splitsWords || !right || lastPunct),
    close: right && (splitsWords || !left || nextPunct),
  };
}

/** markdown-it's entity rule (rules_inline/entity.ts), on the raw source from an `&`. */
const ENTITY = /^&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/;
/** ENTITY at a given offset (sticky: `lastIndex` is the offset). */
const ENTITY_AT = /&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/y;
/**
 * The start of a placeholder marker (`<!--$`, `<!-- /$`), or of what another value could make one, at a
 * given offset (sticky).
 */
const MARKER_START_AT = /<!--\s*\/?\s*[$\uffff]|<!-?-?\s*\/?\s*\uffff/y;

/**
 * What markdown-it makes of a line that starts a paragraph, and of the same line after a paragraph line
 * (where a block must be able to interrupt, and `===`/`---` underline): the block token types, and
 * whether the line is a table delimiter row (which needs a header above it; not in a table's rows).
 * Two lines with the same answer start the same block, or none.
 */
export function blockStart(line: string, inTable = false): string {
  // Only these can start a block (or be read with the line above); anything else is a paragraph line.
  if (!MAY_START_BLOCK.test(line)) return 'paragraph';
  return blockStartAsked(`${inTable ? 't' : 'f'}${line}`);
}

/** blockStart's answer from markdown-it, by `t`/`f` (in a table) + the line; asked once per line. */
const blockStartAsked = boundedMemo((key: string): string => {
  const inTable = key.startsWith('t');
  const line = key.slice(1);
  const types = (source: string): string =>
    markdownIt
      .parse(source, {})
      .filter((t) => t.level === 0)
      .map((t) => t.type)
      .join(' ');
  // In a table's rows a delimiter-like line is just a row.
  const delimiter = !inTable && isDelimiterRow(line) ? 'delimiter' : '';
  const answer = `${types(`${line}\n`)}|${types(`p\n${line}\n`)}|${delimiter}`;
  return answer === PARAGRAPH_LINE ? 'paragraph' : answer;
});

/**
 * What a line that starts a block (or underlines, or is a delimiter row) begins with: heading, rule,
 * list item, blockquote, fence, HTML block, `=`/`-`/`|`/`:` lines, a definition, indentation. Any
 * other line is a paragraph line; markdown-it need not be asked.
 */
const MAY_START_BLOCK =
  /^(?:#{1,6}(?:[ \t]|$)|[-*_][ \t]*[-*_][ \t]*[-*_]|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|[>=|:[ \t-]|`{3}|~{3}|<[A-Za-z/!?])/;

/** blockStart's answer for a paragraph line, as markdown-it gives it. */
const PARAGRAPH_LINE = 'paragraph_open paragraph_close|paragraph_open paragraph_close|';

/** How much of a line the block check reads. */
export const LINE_HEAD = 1000;

/**
 * Whether what follows this start of a line can still change which block the line starts. Block starts
 * are read from a line's first characters (ATX heading, list marker, fence, HTML start, indentation),
 * except the constructs a whole line makes (thematic break, setext underline, table delimiter row: only
 * `-*_=|:` and white space), an HTML block of a complete tag (starts with `<`) and a link reference
 * definition (starts with `[`). So once the line's innermost content has 8 characters, does not start
 * with `<`, `[` or a fence, and holds a character no whole-line construct has, the rest cannot change
 * it: markdown-it need not be asked (each ask parses the line, once per reading of other values).
 */
function lineStartOpen(prefix: string): boolean {
  const content = withoutContainers(prefix);
  if (content.length < 8) return true;
  if (/^(?:[<[]|`{3}|~{3})/.test(content)) return true;
  return /^[-*_=|:\s]*$/.test(content);
}

/** A line's start without its container markers (blockquote `>`, list `-`/`+`/`*`/`1.` with a space) and indentation. */
export function withoutContainers(prefix: string): string {
  let rest = prefix.replace(/^[ \t]+/, '');
  for (;;) {
    const marker = /^(?:>[ \t]?|[-+*][ \t]+|\d{1,9}[.)][ \t]+)/.exec(rest);
    if (marker === null) return rest;
    rest = rest.slice(marker[0].length).replace(/^[ \t]+/, '');
  }
}

/** A table's delimiter row (rules_block/table.ts): `|`, `-`, `:` and spaces, each column `:?-+:?`. */
export function isDelimiterRow(line: string): boolean {
  const text = line.trim();
  if (!/^[|:-][|:\- \t]*$/.test(text) || /^-[ \t]/.test(text)) return false;
  const columns = text.split('|').map((c) => c.trim());
  return columns.every((c, i) => (c === '' ? i === 0 || i === columns.length - 1 : /^:?-+:?$/.test(c)));
}

/**
 * A line's start read with each representative for another value's text (which could complete a block
 * marker with this value). What follows this value is read as a letter: a value after it guards its own
 * start.
 */
const REPRESENTATIVES = ['x', '1', '#', '-', '<', '`', '~', '*', '=', '|', ':', '['];
const readings = (text: string): string[] =>
  text.includes(UNKNOWN) ? REPRESENTATIVES.map((r) => text.split(UNKNOWN).join(r)) : [text];
const asLetters = (text: string): string => text.split(UNKNOWN).join('x');

/**
 * Escapes `value` for markdown text at a place described by `around`. One line, trimmed; empty becomes
 * U+200B (an empty value could blank its line). `mode: 'full'` writes every ASCII punctuation character
 * as a character reference (and white space too after an open `<`): the form render-check.ts falls back to.
 */
export function escapeInlineText(
  value: string,
  around: InlineSurroundings,
  mode: 'minimal' | 'full' = 'minimal',
): string {
  return escapeLine(oneLine(value).trim(), around, mode);
}

/**
 * Both forms of a value, for escape-occurrence.ts: [minimal, full]. Kept by surroundings (an occurrence
 * of a parsed template, which a run reuses: each gets a number) and value: thousands of insights put the
 * same step texts and titles at the same places, and each escape asks markdown-it about the line
 * (issue 14). One bound for all (formsKept): a gateway's name, which recurs nowhere, is dropped first.
 */
export function escapeInlineForms(value: string, around: InlineSurroundings): [string, string] {
  let place = placeNumbers.get(around);
  if (place === undefined) {
    place = nextPlace++;
    placeNumbers.set(around, place);
  }
  const escape = (): [string, string] => {
    const text = oneLine(value).trim();
    return [escapeLine(text, around, 'minimal'), escapeLine(text, around, 'full')];
  };
  // A value that cannot be kept is not looked up either (a probe message of thousands of characters).
  if (value.length > FORMS_VALUE_CHARS) return escape();
  const key = `${place}\u0000${value}`;
  const kept = formsKept.get(key);
  if (kept !== undefined) return [kept.value[0], kept.value[1]];
  const forms = escape();
  formsKept.set(ownCopy(key), [ownCopy(forms[0]), ownCopy(forms[1])]);
  return forms;
}

/**
 * `text` in a string of its own: V8 may represent a part cut from a longer string (or a join of two) by a
 * reference to the whole, which a kept answer would then keep alive (a value cut from a large answer).
 */
const ownCopy = (text: string): string => Array.from(text).join('');

/** Each surroundings' number (escapeInlineForms' keys); gone with its template. */
const placeNumbers = new WeakMap<InlineSurroundings, number>();
let nextPlace = 0;
/**
 * escapeInlineForms' answers: at most 2 048, of values up to FORMS_VALUE_CHARS characters (the key is
 * the value and a few digits). At worst about 16 MB (a full form is up to six times its value, two bytes
 * a character); a run's recurring values are step texts and titles, well under 1 MB.
 */
const FORMS_VALUE_CHARS = 500;
const formsKept = boundedCache<readonly [string, string]>(2048, FORMS_VALUE_CHARS + 20);

function escapeLine(text: string, around: InlineSurroundings, mode: 'minimal' | 'full'): string {
  if (text === '') return ZWSP;
  const facts = around.facts ?? surroundingFacts(around.before, around.after);
  const full = mode === 'full' || around.openAngle;
  const spaces = full && (around.openAngle || facts.beforeHasLt);
  // Most of a long value is words: only ASCII punctuation (and, after a `<`, white space) needs a look.
  const plain = !(spaces ? /[!-/:-@[-`{-~\s]/ : /[!-/:-@[-`{-~]/).test(text);
  const cp = plain ? [] : [...text];
  const decisions: Decision[] = cp.map(() => 'raw');
  if (full) {
    cp.forEach((c, i) => {
      if (isAsciiPunct(c) || (spaces && /\s/.test(c))) decisions[i] = 'reference';
    });
  } else if (!plain) {
    decideMinimal(cp, decisions, around, facts);
  }

  let guardStart = false;
  let guardEnd = false;
  let body: string | undefined = plain ? text : undefined;
  const render = (): string => {
    if (body === undefined) {
      body = '';
      for (let i = 0; i < cp.length; i++) {
        const c = cp[i] ?? '';
        const d = decisions[i];
        body += d === 'backslash' ? `\\${c}` : d === 'reference' ? reference(c) : c;
      }
    }
    return (guardStart ? ZWSP : '') + body + (guardEnd ? ZWSP : '');
  };

  // The line: the value must not start (or complete) a block the bland value would not. A block start
  // shows in a line's first characters (or the line is made of one kind only, which its start shows too).
  const lineChanged = (out: string): boolean => {
    // A value that starts past the part of the line the block check reads cannot change the line.
    if (around.linePrefix.length > LINE_HEAD) return false;
    const value = out.length > LINE_HEAD ? out.slice(0, LINE_HEAD) : out + asLetters(around.lineRest);
    const bland = `x${asLetters(around.lineRest)}`;
    return readings(around.linePrefix).some(
      (p) =>
        lineStartOpen(p) && blockStart(p + value, around.inTable) !== blockStart(p + bland, around.inTable),
    );
  };
  // A line right after a link reference definition may hold its title.
  const titleLine = around.previousLine !== undefined && /^\[.*\]:/.test(around.previousLine);
  if (lineChanged(render()) || (titleLine && around.linePrefix === '' && /^["'(]/.test(text))) {
    const escape: Decision = full ? 'reference' : 'backslash';
    if (!plain) body = undefined;
    const number = /^\d*([.)])/.exec(text);
    if (isAsciiPunct(cp[0]) && decisions[0] === 'raw') {
      // A delimiter or backtick run is escaped whole: what is left of it would be a shorter run.
      const runChar = '`*_~'.includes(cp[0] ?? '') ? cp[0] : undefined;
      for (let k = 0; k === 0 || (runChar !== undefined && cp[k] === runChar); k++) decisions[k] = escape;
    } else if (number?.[1] !== undefined) decisions[number[0].length - 1] = escape;
    if (lineChanged(render())) guardStart = true;
  }

  // Template syntax at the edges.
  const out = render();
  const first = String.fromCodePoint(out.codePointAt(0) ?? 0x20);
  const last = [...out.slice(-2)].at(-1) ?? '';
  const trailingBackslashes = /\\*$/.exec(around.before)?.[0].length ?? 0;
  if (trailingBackslashes % 2 === 1 && isAsciiPunct(first)) guardStart = true;
  if (/&[#A-Za-z0-9]*$/.test(around.before) && /^[#A-Za-z0-9;]/.test(first)) guardStart = true;
  if (around.inBrackets) guardStart = true;
  const runBefore = /([*_~])\1*$/.exec(around.before);
  if (runBefore?.[1] !== undefined) {
    const prev = lastCodePoint(around.before.slice(0, runBefore.index));
    const bland = delimiterFlags(prev, runBefore[1], 'x');
    const real = delimiterFlags(prev, runBefore[1], first);
    if (bland.open !== real.open || bland.close !== real.close) guardStart = true;
  }
  const runAfter = /^([*_~])\1*/.exec(around.after);
  if (runAfter?.[1] !== undefined) {
    const next = firstCodePoint(around.after.slice(runAfter[0].length));
    const bland = delimiterFlags('x', runAfter[1], next);
    const real = delimiterFlags(last, runAfter[1], next);
    if (bland.open !== real.open || bland.close !== real.close) guardEnd = true;
  }
  return render();
}

/** The minimal decisions, character by character (see the module comment). Linear in the value's length. */
function decideMinimal(
  cp: readonly string[],
  decisions: Decision[],
  around: InlineSurroundings,
  facts: SurroundingFacts,
): void {
  const n = cp.length;
  const { before, after } = around;
  const afterUnknown = facts.afterHasUnknown;
  const prevOf = (i: number): string => (i > 0 ? (cp[i - 1] ?? '') : lastCodePoint(before));
  const nextOf = (i: number): string => (i + 1 < n ? (cp[i + 1] ?? '') : firstCodePoint(after));
  /** The raw source from position i on, as far as `length` code points (the value, then what follows). */
  const ahead = (i: number, length: number): string =>
    cp.slice(i, i + length).join('') + (i + length > n ? after.slice(0, length) : '');
  const openBrackets = facts.beforeOpenBrackets;
  const definitionLike =
    around.linePrefix === '' &&
    cp[0] === '[' &&
    (/\]:/.test(cp.join('') + after.slice(0, 1)) || facts.afterHasDefinition);

  // What follows each position, computed once from the end: a `>`, a `]`, a `](`.
  const gtAfter: boolean[] = new Array<boolean>(n);
  const closeAfter: boolean[] = new Array<boolean>(n);
  const linkAfter: boolean[] = new Array<boolean>(n);
  let gt = facts.afterHasGt || afterUnknown;
  let close = facts.afterHasCloseBracket || afterUnknown;
  let link = facts.afterHasLinkDestination || afterUnknown;
  for (let i = n - 1; i >= 0; i--) {
    gtAfter[i] = gt;
    closeAfter[i] = close;
    linkAfter[i] = link;
    const c = cp[i];
    if (c === '>') gt = true;
    if (c === ']') {
      close = true;
      if ((i + 1 < n ? cp[i + 1] : after[0]) === '(') link = true;
    }
  }

  decideBackticks(cp, decisions, around, facts, prevOf, nextOf);
  for (let i = 0; i < n; i++) {
    const c = cp[i] ?? '';
    const next = nextOf(i);
    switch (c) {
      case '\\':
        // A backslash escapes the ASCII punctuation after it, and breaks the line before a newline.
        if (isAsciiPunct(next) || next === '\n' || next === UNKNOWN) decisions[i] = 'backslash';
        break;
      case '&': {
        const from = ahead(i, 40);
        // An entity, also one another value right after could complete.
        const openEnded =
          after.startsWith(UNKNOWN) && n - i <= 40 && /^&[#A-Za-z0-9]*$/.test(cp.slice(i).join(''));
        if (ENTITY.test(from) || openEnded) decisions[i] = 'reference';
        break;
      }
      case '*':
      case '_':
      case '~': {
        let j = i;
        while (cp[j + 1] === c) j++;
        if (runMatters(c, j - i + 1, prevOf(i), nextOf(j))) {
          for (let k = i; k <= j; k++) decisions[k] = 'backslash';
        }
        i = j;
        break;
      }
      case '[':
        // An inline link needs `](`; a reference link, a defined label; a definition `[label]:` starts
        // a line (its destination may be on the next one).
        if (
          closeAfter[i] === true &&
          (around.references || linkAfter[i] === true || (i === 0 && definitionLike))
        ) {
          decisions[i] = 'backslash';
        }
        break;
      case ']':
        if (openBrackets > 0) decisions[i] = 'backslash';
        break;
      case '(':
        if (i === 0 && /[\]\uffff]$/.test(before)) decisions[i] = 'backslash';
        break;
      case ')':
        if (facts.beforeHasLinkDestination) decisions[i] = 'backslash';
        break;
      case '!':
        if (i === n - 1 && (after.startsWith('[') || after.startsWith(UNKNOWN))) decisions[i] = 'backslash';
        break;
      case '<':
        // `&lt;`, not `\<`: the .md is read by other renderers too, and not all take `\<` as an escape
        // (Markdown.pl, Python-Markdown pass `\<b>` on as a tag). A `<` that could begin a tag,
        // comment or placeholder marker, in any renderer; or, in markdown-it, an autolink (a non-space
        // after it, a `>` later).
        if (
          /^[A-Za-z/!?\uffff]$/.test(next) ||
          (next !== '' && !isWhiteSpace(code(next)) && gtAfter[i] === true)
        ) {
          decisions[i] = 'reference';
        }
        break;
      case '|':
        if (around.inTable) decisions[i] = 'backslash';
        // A header row only needs a `|` (even an escaped one) above a delimiter row.
        else if (
          around.nextLine !== undefined &&
          (around.nextLine.includes(UNKNOWN) || isDelimiterRow(around.nextLine))
        ) {
          decisions[i] = 'reference';
        }
        break;
      case '#':
        // An ATX heading drops a trailing `#` run (its closing sequence).
        if (around.atxHeading && i === n - 1 && facts.afterBlank) decisions[i] = 'backslash';
        break;
      default:
        break;
    }
  }
}

/**
 * Backtick runs: one that a later run of the same length (in the value or after it) could close, that
 * touches a template run, or follows a run the template left open, is syntax. Escaped backticks still
 * count as runs of one when a code span looks for its closing run, so if one run must be escaped, all
 * are; after an open template run, as references (a backslash does not stop the closing run).
 */
function decideBackticks(
  cp: readonly string[],
  decisions: Decision[],
  around: InlineSurroundings,
  facts: SurroundingFacts,
  prevOf: (i: number) => string,
  nextOf: (i: number) => string,
): void {
  const runs: { start: number; end: number }[] = [];
  for (let i = 0; i < cp.length; i++) {
    if (cp[i] !== '`') continue;
    let j = i;
    while (cp[j + 1] === '`') j++;
    runs.push({ start: i, end: j });
    i = j;
  }
  if (runs.length === 0) return;
  let matters = runs.length > 1 || around.openBackticks || facts.afterHasUnknown;
  for (const { start, end } of runs) {
    const prev = prevOf(start);
    const next = nextOf(end);
    if (
      prev === '`' ||
      next === '`' ||
      prev === UNKNOWN ||
      next === UNKNOWN ||
      facts.afterHasBacktickRun(end - start + 1)
    )
      matters = true;
  }
  if (!matters) return;
  runs.forEach(({ start, end }) => {
    for (let k = start; k <= end; k++) decisions[k] = around.openBackticks ? 'reference' : 'backslash';
  });
}

/**
 * Whether a run of `*`, `_` or `~` in a value could be syntax: it touches a run of the same character
 * (in the template or another value), or it can open or close emphasis (strikethrough: two or more).
 */
function runMatters(c: string, length: number, prev: string, next: string): boolean {
  if (prev === c || next === c || prev === UNKNOWN || next === UNKNOWN) return true;
  if (c === '~' && length < 2) return false;
  const flags = delimiterFlags(prev, c, next);
  return flags.open || flags.close;
}

/** The last code point of a text ('' for none), without spreading the whole text. */
function lastCodePoint(text: string): string {
  if (text === '') return '';
  const low = text.charCodeAt(text.length - 1);
  return low >= 0xdc00 && low <= 0xdfff && text.length > 1 ? text.slice(-2) : text.slice(-1);
}

/** The first code point of a text ('' for none). */
function firstCodePoint(text: string): string {
  const point = text.codePointAt(0);
  return point === undefined ? '' : String.fromCodePoint(point);
}

/** `[` not yet closed in template text (backslash-escaped brackets do not count). */
function countOpenBrackets(text: string): number {
  let open = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '[') open++;
    else if (c === ']' && open > 0) open--;
  }
  return open;
}

/**
 * A link title (`[x](url "title")`, or a reference definition's): `\` before punctuation (or at the
 * end, before the closing quote), the closing quote itself (both parentheses for `(…)`), and an `&` that
 * would form an entity (`&amp;`). `quote` undefined: all three kinds. `mode: 'full'` is escape.ts's escapeLinkTitle.
 */
export function escapeTitleMinimal(value: string, quote: '"' | "'" | '(' | undefined): string {
  const text = oneLine(value);
  const closers = quote === undefined ? ['"', "'", '(', ')'] : quote === '(' ? ['(', ')'] : [quote];
  let out = '';
  // By code point, as the value reads; `&` and `<` test the source from where they stand (sticky
  // regexes, not a copy of the rest of the value for each: that was quadratic in the value's length).
  for (let i = 0; i < text.length;) {
    const c = String.fromCodePoint(text.codePointAt(i) ?? 0);
    const next = text[i + c.length];
    if (c === '\\' && (next === undefined || isAsciiPunct(next))) out += '\\\\';
    else if (closers.includes(c)) out += `\\${c}`;
    else if (c === '&' && matchesAt(ENTITY_AT, text, i)) out += '&amp;';
    else if (c === '<' && matchesAt(MARKER_START_AT, text, i)) out += '&lt;';
    else out += c;
    i += c.length;
  }
  return out;
}

/** Whether sticky `pattern` matches `text` at offset `at`. */
function matchesAt(pattern: RegExp, text: string, at: number): boolean {
  pattern.lastIndex = at;
  return pattern.test(text);
}

/** A value alone in a one-line markdown field (a chat card's fact, say): `escapeInlineText` with nothing around. */
export function escapeMarkdownText(value: string): string {
  return escapeInlineText(value, STANDALONE);
}
