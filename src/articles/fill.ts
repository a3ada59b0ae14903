/**
 * Fills an article: each value escaped for where it lands (see escape.ts and README.md), defaults kept
 * (and reported) where a value is missing, placeholder and section markers removed.
 */
import { ArticleError } from '../errors';
import {
  ZWSP,
  breakMarkers,
  codeText,
  escapeHtmlAttribute,
  escapeHtmlText,
  escapeLinkDestination,
  escapeLinkTitle,
  isDangerousUrl,
  oneLine,
} from './escape';
import { escapeInlineForms, escapeTitleMinimal, STANDALONE } from './inline-escape';
import { markdownIt, type MarkdownToken } from './markdown';
import { placeholderKey } from './markers';
import type { ParsedArticle } from './parse';
import type { FilledSection, FillOptions, FillResult, PlaceholderValue, PlaceholderValues } from './types';

const MARKER_IN_TRUSTED = /<!--[ \t]*\/?[ \t]*\$[^\n]*?-->/g;

/** Wraps trusted markdown (the product's own generated sections) for a block placeholder. */
export const trustedMarkdown = (markdown: string): { readonly markdown: string } => ({ markdown });

function lookup(
  values: PlaceholderValues,
  warnings: string[],
): Map<string, { name: string; value: PlaceholderValue }> {
  const map = new Map<string, { name: string; value: PlaceholderValue }>();
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

const isTrusted = (value: PlaceholderValue): value is { readonly markdown: string } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { markdown?: unknown }).markdown === 'string';

export function fillArticle(
  article: ParsedArticle,
  values: PlaceholderValues,
  options: FillOptions = {},
): FillResult {
  const { template, occurrences } = article;
  const warnings: string[] = [];
  const given = lookup(values, warnings);
  const used = new Set<string>();
  const missing = new Map<string, { name: string; lines: number[] }>();

  // 1. Each occurrence's output, escaped for its context. Markdown text and link titles also get their
  // full form (every punctuation character a reference), kept where the minimal one renders otherwise.
  const fullForms: (string | undefined)[] = occurrences.map(() => undefined);
  const filled: string[] = occurrences.map((occurrence, index) => {
    const ctx = template.contexts[index];
    const entry = given.get(occurrence.key);
    if (ctx === undefined || entry === undefined) {
      const m = missing.get(occurrence.key);
      if (m === undefined) missing.set(occurrence.key, { name: occurrence.name, lines: [occurrence.line] });
      else m.lines.push(occurrence.line);
      return occurrence.defaultText;
    }
    used.add(occurrence.key);
    let raw: string;
    if (isTrusted(entry.value)) {
      if (ctx.context === 'block') {
        const md = entry.value.markdown.replace(/\r\n?/g, '\n');
        const clean = breakMarkers(md.replace(MARKER_IN_TRUSTED, '')).text;
        if (clean !== md)
          warnings.push(
            `line ${occurrence.line}: placeholder markers in the trusted markdown for "${occurrence.name}" were removed.`,
          );
        return clean.replace(/\n+$/, '').split('\n').join(`\n${ctx.indent}`);
      }
      warnings.push(
        `line ${occurrence.line}: "${occurrence.name}" is not alone on its line (${ctx.context}); its trusted markdown was escaped as text.`,
      );
      raw = entry.value.markdown;
    } else {
      raw = typeof entry.value === 'string' ? entry.value : String(entry.value);
    }
    switch (ctx.context) {
      case 'text':
      case 'heading':
      case 'table-cell':
      case 'link-text':
      case 'block': {
        const [minimal, full] = escapeInlineForms(raw, ctx.inline ?? STANDALONE);
        fullForms[index] = full;
        return minimal;
      }
      case 'link-target':
        return escapeLinkDestination(oneLine(raw), ctx.autolink === true);
      case 'link-title':
        fullForms[index] = escapeLinkTitle(raw);
        return escapeTitleMinimal(raw, ctx.titleQuote);
      case 'html-text': {
        const text = escapeHtmlText(raw, ctx.inTable);
        return text === '' ? ZWSP : text;
      }
      case 'html-attribute': {
        const text = escapeHtmlAttribute(raw, ctx.quote ?? '"', ctx.inTable);
        // An empty unquoted value would swallow the next attribute or break the tag.
        const bare = ctx.quote === '' && ctx.before === '=' && !/[^\s/>]/.test(ctx.after);
        return text === '' && bare ? '""' : text;
      }
      case 'inline-code':
      case 'code-block': {
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
        if (template.spanOf[index] === undefined && code.text.includes('`')) {
          warnings.push(
            `line ${occurrence.line}: backticks in the value of "${occurrence.name}" were replaced by "ˋ" (U+02CB).`,
          );
          return code.text.replace(/`/g, 'ˋ');
        }
        return code.text;
      }
    }
  });

  // 2. URLs a value helps to build: refuse script and data schemes.
  // Each slot's placeholders, from their contexts (asking every slot about every sentinel is quadratic).
  const bySlot = new Map<number, number[]>();
  template.contexts.forEach((ctx, i) => {
    if (ctx.url === undefined) return;
    const list = bySlot.get(ctx.url);
    if (list) list.push(i);
    else bySlot.set(ctx.url, [i]);
  });
  template.urls.forEach((slot, slotIndex) => {
    const inSlot = (bySlot.get(slotIndex) ?? []).filter((i) =>
      slot.skeleton.includes(template.sentinels[i] ?? '\u0000'),
    );
    const assemble = (pick: (i: number) => string): string =>
      inSlot.reduce((url, i) => url.split(template.sentinels[i] ?? '').join(pick(i)), slot.skeleton);
    const url = assemble((i) => filled[i] ?? '');
    const first = inSlot[0];
    if (url.trim() === '' && slot.kind === 'markdown' && first !== undefined) {
      // An empty destination must be written `<>` (unless the template already brackets it).
      if (template.contexts[first]?.before !== '<') filled[first] = '<>';
      return;
    }
    if (!isDangerousUrl(url) || isDangerousUrl(assemble(() => 'x'))) return;
    const names = inSlot.map((i) => `"${occurrences[i]?.name ?? ''}"`).join(', ');
    const line = occurrences[inSlot[0] ?? 0]?.line ?? 0;
    warnings.push(
      `line ${line}: the URL built from ${names} has a script or data scheme; it was replaced by "#".`,
    );
    inSlot.forEach((i, k) => {
      filled[i] = k === 0 ? '#' : '';
    });
  });

  // 3. Missing values.
  for (const { name, lines } of missing.values()) {
    if (options.strict === true) throw new ArticleError(`placeholder "${name}" has no value`, lines[0]);
    warnings.push(`line ${lines.join(', ')}: placeholder "${name}" has no value; its default text was kept.`);
  }
  for (const [key, { name }] of given) {
    if (!used.has(key) && !missing.has(key))
      warnings.push(`value "${name}" matches no placeholder of this article.`);
  }

  // 4. Code spans: a fence no run inside can close, padded when the content touches a backtick.
  const bySpan = new Map<number, number[]>();
  template.spanOf.forEach((span, i) => {
    if (span === undefined) return;
    const list = bySpan.get(span);
    if (list) list.push(i);
    else bySpan.set(span, [i]);
  });
  const spanFences = template.codeSpans.map((span, spanIndex) => {
    const content = (bySpan.get(spanIndex) ?? []).reduce(
      (text, i) => text.split(template.sentinels[i] ?? '').join(filled[i] ?? ''),
      span.skeletonContent,
    );
    const runs = [...content.matchAll(/`+/g)].map((m) => m[0].length);
    const ticks = runs.includes(span.ticks) ? Math.max(...runs) + 1 : span.ticks;
    const pad = content === '' || content.startsWith('`') || content.endsWith('`') ? ' ' : '';
    return { fence: '`'.repeat(ticks), pad };
  });

  // 5. Emit: the minimal forms, unless the document would then render otherwise than with the full
  // ones (a case the minimal rules do not foresee); then the culprit, or every value, takes its full form.
  const emit = (forms: readonly string[]): Emitted => emitParts(template.parts, forms, spanFences);
  const chosen = [...filled];
  let emitted = emit(chosen);
  const candidates = fullForms.flatMap((f, i) => (f !== undefined && f !== filled[i] ? [i] : []));
  if (candidates.length > 0) {
    const target = renderingOf(emit(occurrences.map((_, i) => fullForms[i] ?? filled[i] ?? '')).markdown);
    if (renderingOf(emitted.markdown) !== target) {
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
      emitted = emit(withFull(picked));
    }
  }
  const { markdown: out, sectionStart, sectionEnd } = emitted;
  const sections: FilledSection[] = article.sections.map((s, index) => ({
    name: s.name,
    line: s.line,
    markdown: out.slice(sectionStart.get(index) ?? 0, sectionEnd.get(index) ?? 0).trim(),
  }));
  const issueDescription = sections.find((s) => s.name.toLowerCase() === 'issuedescription')?.markdown;
  return { markdown: out.replace(/^(?:[ \t]*\n)+/, ''), warnings, sections, issueDescription };
}

interface Emitted {
  readonly markdown: string;
  readonly sectionStart: ReadonlyMap<number, number>;
  readonly sectionEnd: ReadonlyMap<number, number>;
}

function emitParts(
  parts: ParsedArticle['template']['parts'],
  forms: readonly string[],
  spanFences: readonly { fence: string; pad: string }[],
): Emitted {
  let out = '';
  const sectionStart = new Map<number, number>();
  const sectionEnd = new Map<number, number>();
  for (const part of parts) {
    switch (part.kind) {
      case 'text':
        out += part.text;
        break;
      case 'placeholder':
        out += forms[part.index] ?? '';
        break;
      case 'marker':
        if (part.section !== undefined)
          (part.section.edge === 'start' ? sectionStart : sectionEnd).set(part.section.index, out.length);
        break;
      case 'ticks': {
        const f = spanFences[part.span];
        out +=
          part.edge === 'open' ? `${f?.fence ?? '`'}${f?.pad ?? ''}` : `${f?.pad ?? ''}${f?.fence ?? '`'}`;
        break;
      }
    }
  }
  return { markdown: out, sectionStart, sectionEnd };
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
