/**
 * The check that keeps filling safe (README.md "The check"): the document filled with the minimal forms
 * must render as the one filled with the full forms; where it does not, the value at fault (or, failing
 * one, every value with a full form) takes its full form.
 */
import { firstCulprit, renderingOf, sameRendering, type ParsedMarkdown } from './culprit';
import { emitParts, type Emitted, type SpanFence } from './emit';
import type { ParsedArticle } from './parse';

/**
 * The markdown emitted with the minimal forms `filled`, unless it renders otherwise than with the
 * full forms; then with the full form of the culprit, or of every candidate, each named in a warning.
 * `parsed`: markdown-it's tokens of the returned markdown, when the check parsed it (its minimal forms
 * passed), so rendering it needs no second parse.
 */
export function emitCheckedForms(
  article: ParsedArticle,
  filled: readonly string[],
  fullForms: readonly (string | undefined)[],
  spanFences: readonly SpanFence[],
  warnings: string[],
): Emitted & { readonly parsed?: ParsedMarkdown } {
  const { occurrences } = article;
  const emit = (forms: readonly string[]): Emitted => emitParts(article.template.parts, forms, spanFences);
  const chosen = [...filled];
  const emitted = emit(chosen);
  const candidates = fullForms.flatMap((f, i) => (f !== undefined && f !== filled[i] ? [i] : []));
  if (candidates.length === 0) return emitted;
  const target = renderingOf(emit(occurrences.map((_, i) => fullForms[i] ?? filled[i] ?? '')).markdown);
  const rendering = renderingOf(emitted.markdown);
  // The check parsed the markdown it passed: its tokens render the HTML (fill.ts fillWithTokens).
  if (sameRendering(rendering, target)) return { ...emitted, parsed: rendering.parsed };
  const withFull = (picked: readonly number[]): string[] => {
    const full = new Set(picked);
    return chosen.map((f, i) => (full.has(i) ? (fullForms[i] ?? f) : f));
  };
  const single = firstCulprit(
    { markdown: emitted.markdown, rendering },
    target,
    candidates,
    (i) => {
      const start = emitted.formStart[i];
      const full = fullForms[i];
      return start === undefined || full === undefined
        ? undefined
        : { start, minimal: chosen[i] ?? '', full };
    },
    (i) => renderingOf(emit(withFull([i])).markdown),
  );
  const picked = single === undefined ? candidates : [single];
  picked.forEach((i) => {
    const o = occurrences[i];
    warnings.push(
      `line ${o?.line ?? 0}: the value of "${o?.name ?? ''}" was written with character references: minimally escaped, it would have changed how the article renders.`,
    );
  });
  return emit(withFull(picked));
}
