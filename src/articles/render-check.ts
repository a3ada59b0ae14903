/**
 * The check that keeps filling safe (README.md "The check"): the document filled with the minimal forms
 * must render as the one filled with the full forms; where it does not, the value at fault (or, failing
 * one, every value with a full form) takes its full form.
 */
import { ZWSP } from './escape';
import { emitParts, type Emitted, type SpanFence } from './emit';
import { markdownIt, type MarkdownToken } from './markdown';
import type { ParsedArticle } from './parse';

/**
 * The markdown emitted with the minimal forms `filled`, unless it renders otherwise than with the
 * full forms; then with the full form of the culprit, or of every candidate, each named in a warning.
 */
export function emitCheckedForms(
  article: ParsedArticle,
  filled: readonly string[],
  fullForms: readonly (string | undefined)[],
  spanFences: readonly SpanFence[],
  warnings: string[],
): Emitted {
  const { occurrences } = article;
  const emit = (forms: readonly string[]): Emitted => emitParts(article.template.parts, forms, spanFences);
  const chosen = [...filled];
  const emitted = emit(chosen);
  const candidates = fullForms.flatMap((f, i) => (f !== undefined && f !== filled[i] ? [i] : []));
  if (candidates.length === 0) return emitted;
  const target = renderingOf(emit(occurrences.map((_, i) => fullForms[i] ?? filled[i] ?? '')).markdown);
  if (renderingOf(emitted.markdown) === target) return emitted;
  const withFull = (picked: readonly number[]): string[] =>
    chosen.map((f, i) => (picked.includes(i) ? (fullForms[i] ?? f) : f));
  const single = candidates.find((i) => renderingOf(emit(withFull([i])).markdown) === target);
  const picked = single === undefined ? candidates : [single];
  picked.forEach((i) => {
    const o = occurrences[i];
    warnings.push(
      `line ${o?.line ?? 0}: the value of "${o?.name ?? ''}" was written with character references: minimally escaped, it would have changed how the article renders.`,
    );
  });
  return emit(withFull(picked));
}

/** Tokens whose content is rendered as it is (the others' content is raw source). */
const RENDERED_CONTENT = new Set(['text', 'code_inline', 'code_block', 'fence', 'html_inline', 'html_block']);

/**
 * What a document renders to, as markdown-it parses it: every token's type, tag, nesting, attributes
 * and rendered content (U+200B guards ignored). Two documents with the same value render the same HTML.
 */
function renderingOf(markdown: string): string {
  const parts: unknown[] = [];
  const walk = (tokens: readonly MarkdownToken[]): void => {
    for (const t of tokens) {
      const content = RENDERED_CONTENT.has(t.type) ? t.content.split(ZWSP).join('') : '';
      parts.push([t.type, t.tag, t.nesting, t.attrs, content, t.type === 'fence' ? t.info : '']);
      if (t.children) walk(t.children);
    }
  };
  walk(markdownIt.parse(markdown, {}));
  return JSON.stringify(parts);
}
