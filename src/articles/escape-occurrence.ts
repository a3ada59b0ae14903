/**
 * Each placeholder occurrence's output: its value escaped for where it lands (escape.ts,
 * inline-escape.ts), trusted markdown inserted where a block placeholder takes it, the default text
 * kept where the value is missing. Markdown text and link titles also get their full form (every
 * punctuation character a reference), which fill.ts keeps where the minimal one renders otherwise.
 */
import type { OccurrenceContext } from './context';
import {
  ZWSP,
  breakMarkers,
  codeText,
  escapeHtmlAttribute,
  escapeHtmlText,
  escapeLinkDestination,
  escapeLinkTitle,
  oneLine,
} from './escape';
import { escapeInlineForms, escapeTitleMinimal, STANDALONE } from './inline-escape';
import type { TemplatePart } from './markers';
import type { ParsedArticle } from './parse';
import type { PlaceholderOccurrence, PlaceholderValue } from './types';

/** A value given for a placeholder, under the name it was given as. */
export interface GivenValue {
  readonly name: string;
  readonly value: PlaceholderValue;
}

export interface EscapedOccurrences {
  /** Per occurrence: the minimal escaped value, or the default text when no value was given. */
  readonly filled: string[];
  /** Per occurrence: the full form of markdown text and link titles; undefined elsewhere. */
  readonly fullForms: (string | undefined)[];
  /** The keys of the given values some occurrence used. */
  readonly used: ReadonlySet<string>;
  /** Placeholders without a value (key → name, lines of their occurrences). */
  readonly missing: ReadonlyMap<string, { name: string; lines: number[] }>;
}

/** One output of an occurrence: the minimal form, and the full one where a check needs it. */
interface Escaped {
  readonly text: string;
  readonly full?: string;
}

const MARKER_IN_TRUSTED = /<!--[ \t]*\/?[ \t]*\$[^\n]*?-->/g;

/** The rest of a marker after its `<!--`: what a value must not start with after the template's `<!--`. */
const MARKER_REST = /^[ \t]*\/?[ \t]*\$/;

/**
 * Per occurrence index, whether the template's text right before it (markers between dropped from the
 * output, so skipped) ends in a comment opener `<!--` (with spaces or `/` after it).
 */
function openerBefore(parts: readonly TemplatePart[]): boolean[] {
  const opened: boolean[] = [];
  let tail = '';
  for (const part of parts) {
    if (part.kind === 'text') tail = part.text;
    else if (part.kind === 'ticks')
      tail = ''; // a backtick run stands between them in the output
    else if (part.kind === 'placeholder') {
      opened[part.index] = /<!--[ \t]*\/?[ \t]*$/.test(tail);
      tail = '';
    }
  }
  return opened;
}

const isTrusted = (value: PlaceholderValue): value is { readonly markdown: string } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { markdown?: unknown }).markdown === 'string';

/** Every occurrence of `article` escaped with the values of `given` (by placeholder key). */
export function escapeOccurrences(
  article: ParsedArticle,
  given: ReadonlyMap<string, GivenValue>,
  warnings: string[],
): EscapedOccurrences {
  const used = new Set<string>();
  const missing = new Map<string, { name: string; lines: number[] }>();
  const fullForms: (string | undefined)[] = article.occurrences.map(() => undefined);
  const opened = openerBefore(article.template.parts);
  const filled: string[] = article.occurrences.map((occurrence, index) => {
    const ctx = article.template.contexts[index];
    const entry = given.get(occurrence.key);
    if (ctx === undefined || entry === undefined) {
      const m = missing.get(occurrence.key);
      if (m === undefined) missing.set(occurrence.key, { name: occurrence.name, lines: [occurrence.line] });
      else m.lines.push(occurrence.line);
      return occurrence.defaultText;
    }
    used.add(occurrence.key);
    const inSpan = article.template.spanOf[index] !== undefined;
    const escaped = escapeOccurrence(entry.value, ctx, occurrence, inSpan, warnings);
    if (escaped.full !== undefined) fullForms[index] = escaped.full;
    // After the template's `<!--`, a value starting with `$` would complete a marker (breakMarkers
    // covers the value's own `<!--`, and one at its end; a property test found the template's).
    return opened[index] === true && MARKER_REST.test(escaped.text) ? `${ZWSP}${escaped.text}` : escaped.text;
  });
  return { filled, fullForms, used, missing };
}

/** One value for one occurrence; trusted markdown goes in as it is only where a block can take it. */
function escapeOccurrence(
  value: PlaceholderValue,
  ctx: OccurrenceContext,
  occurrence: PlaceholderOccurrence,
  inSpan: boolean,
  warnings: string[],
): Escaped {
  if (!isTrusted(value)) {
    return escapeForPosition(
      typeof value === 'string' ? value : String(value),
      ctx,
      occurrence,
      inSpan,
      warnings,
    );
  }
  if (ctx.context === 'block') return { text: insertTrusted(value.markdown, ctx, occurrence, warnings) };
  warnings.push(
    `line ${occurrence.line}: "${occurrence.name}" is not alone on its line (${ctx.context}); its trusted markdown was escaped as text.`,
  );
  return escapeForPosition(value.markdown, ctx, occurrence, inSpan, warnings);
}

/** Trusted markdown for a block placeholder: markers stripped, continuation lines indented alike. */
function insertTrusted(
  markdown: string,
  ctx: OccurrenceContext,
  occurrence: PlaceholderOccurrence,
  warnings: string[],
): string {
  const md = markdown.replace(/\r\n?/g, '\n');
  const clean = breakMarkers(md.replace(MARKER_IN_TRUSTED, '')).text;
  if (clean !== md)
    warnings.push(
      `line ${occurrence.line}: placeholder markers in the trusted markdown for "${occurrence.name}" were removed.`,
    );
  return clean.replace(/\n+$/, '').split('\n').join(`\n${ctx.indent}`);
}

/** A plain string escaped for the occurrence's position (the table in README.md). */
function escapeForPosition(
  raw: string,
  ctx: OccurrenceContext,
  occurrence: PlaceholderOccurrence,
  inSpan: boolean,
  warnings: string[],
): Escaped {
  switch (ctx.context) {
    case 'text':
    case 'heading':
    case 'table-cell':
    case 'link-text':
    case 'block': {
      const [minimal, full] = escapeInlineForms(raw, ctx.inline ?? STANDALONE);
      return { text: minimal, full };
    }
    case 'link-target':
      return { text: escapeLinkDestination(oneLine(raw), ctx.autolink === true) };
    case 'link-title':
      return { text: escapeTitleMinimal(raw, ctx.titleQuote), full: escapeLinkTitle(raw) };
    case 'html-text': {
      const text = escapeHtmlText(raw, ctx.inTable);
      return { text: text === '' ? ZWSP : text };
    }
    case 'html-attribute': {
      const text = escapeHtmlAttribute(raw, ctx.quote ?? '"', ctx.inTable);
      // An empty unquoted value would swallow the next attribute or break the tag.
      const bare = ctx.quote === '' && ctx.before === '=' && !/[^\s/>]/.test(ctx.after);
      return { text: text === '' && bare ? '""' : text };
    }
    case 'inline-code':
    case 'code-block':
      return { text: escapeCode(raw, ctx, occurrence, inSpan, warnings) };
  }
}

/** Code cannot escape: markers broken up; neither a fence closed nor a span left without its runs. */
function escapeCode(
  raw: string,
  ctx: OccurrenceContext,
  occurrence: PlaceholderOccurrence,
  inSpan: boolean,
  warnings: string[],
): string {
  const code = codeText(raw, ctx.inTable);
  if (code.broken)
    warnings.push(
      `line ${occurrence.line}: a placeholder marker in the value of "${occurrence.name}" was broken up.`,
    );
  if (ctx.context === 'code-block') {
    // Neither close the fence nor blank the line (which could end an indented block).
    if (code.text === '' && ctx.aloneOnLine) return ZWSP;
    return /^\s*(`{3,}|~{3,})\s*$/.test(code.text) ? `${code.text}${ZWSP}` : code.text;
  }
  if (!inSpan && code.text.includes('`')) {
    warnings.push(
      `line ${occurrence.line}: backticks in the value of "${occurrence.name}" were replaced by "ˋ" (U+02CB).`,
    );
    return code.text.replace(/`/g, 'ˋ');
  }
  return code.text;
}
