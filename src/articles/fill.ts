/**
 * Fills an article: each value escaped for where it lands (escape-occurrence.ts, README.md), URLs
 * checked (url-guard.ts), defaults kept (and reported) where a value is missing, placeholder and
 * section markers removed, and the result checked to render as its fully escaped form
 * (render-check.ts).
 */
import { ArticleError } from '../errors';
import type { ParsedMarkdown } from './culprit';
import { markdownIt } from './markdown';
import { codeSpanFences, type Emitted } from './emit';
import { escapeOccurrences, type GivenValue } from './escape-occurrence';
import { placeholderKey } from './markers';
import type { ParsedArticle } from './parse';
import { emitCheckedForms } from './render-check';
import type { FilledSection, FillOptions, FillResult, PlaceholderValues } from './types';
import { guardUrls } from './url-guard';

/** Wraps trusted markdown (the product's own generated sections) for a block placeholder. */
export const trustedMarkdown = (markdown: string): { readonly markdown: string } => ({ markdown });

/**
 * The article filled with `values` (by placeholder name, case-insensitive). Warnings name what was
 * kept, escaped harder or dropped; with `strict`, a placeholder without a value throws ArticleError
 * naming it and its line.
 */
export function fillArticle(
  article: ParsedArticle,
  values: PlaceholderValues,
  options: FillOptions = {},
): FillResult {
  return fillWithTokens(article, values, options).fill;
}

/** A fill, and its markdown as HTML on demand: from the check's tokens when it parsed them. */
export interface RenderableFill {
  readonly fill: FillResult;
  /** The fill's markdown rendered by markdown-it (renderMarkdown's output); once. */
  readonly html: () => string;
}

/**
 * fillArticle, with the HTML rendered from the tokens the render check already parsed
 * (render-check.ts) instead of parsing the article again (issue 14: each article was parsed once more
 * to render it). The tokens are of the markdown before its leading blank lines were dropped
 * (filledDocument), which markdown-it skips: the same tokens but their line numbers, which no renderer
 * rule reads. Held by `html` alone: a fill whose HTML is not wanted lets them go with it.
 */
export function fillWithTokens(
  article: ParsedArticle,
  values: PlaceholderValues,
  options: FillOptions = {},
): RenderableFill {
  const warnings: string[] = [];
  const given = valuesByKey(values, warnings);
  const { filled, fullForms, used, missing } = escapeOccurrences(article, given, warnings);
  guardUrls(article, filled, warnings);
  for (const { name, lines } of missing.values()) {
    if (options.strict === true) throw new ArticleError(`placeholder "${name}" has no value`, lines[0]);
    warnings.push(`line ${lines.join(', ')}: placeholder "${name}" has no value; its default text was kept.`);
  }
  for (const [key, { name }] of given) {
    if (!used.has(key) && !missing.has(key))
      warnings.push(`value "${name}" matches no placeholder of this article.`);
  }
  const spanFences = codeSpanFences(article.template, filled);
  const emitted = emitCheckedForms(article, filled, fullForms, spanFences, warnings);
  const { markdown, sections, issueDescription } = filledDocument(article, emitted);
  const fill: FillResult = { markdown, warnings, sections, issueDescription };
  let parsed: ParsedMarkdown | undefined = emitted.parsed;
  const html = (): string => {
    const tokens = parsed;
    parsed = undefined; // rendered once: markdown-it's image rule writes its alt text into the token
    return tokens === undefined
      ? markdownIt.render(markdown)
      : markdownIt.renderer.render(tokens.tokens, markdownIt.options, tokens.env);
  };
  return { fill, html };
}

/** The values by placeholder key; of two names for one placeholder, the first wins (warning). */
function valuesByKey(values: PlaceholderValues, warnings: string[]): Map<string, GivenValue> {
  const map = new Map<string, GivenValue>();
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === null) continue; // as if absent (callers without types)
    const key = placeholderKey(name);
    const earlier = map.get(key);
    if (earlier !== undefined) {
      warnings.push(
        `values "${earlier.name}" and "${name}" name the same placeholder; "${earlier.name}" was used.`,
      );
    } else {
      map.set(key, { name, value });
    }
  }
  return map;
}

/** The markdown without leading blank lines, and each section's filled markdown. */
function filledDocument(article: ParsedArticle, emitted: Emitted): Omit<FillResult, 'warnings'> {
  const { markdown: out, sectionStart, sectionEnd } = emitted;
  const sections: FilledSection[] = article.sections.map((s, index) => ({
    name: s.name,
    line: s.line,
    markdown: out.slice(sectionStart.get(index) ?? 0, sectionEnd.get(index) ?? 0).trim(),
  }));
  const issueDescription = sections.find((s) => s.name.toLowerCase() === 'issuedescription')?.markdown;
  return { markdown: out.replace(/^(?:[ \t]*\n)+/, ''), sections, issueDescription };
}
