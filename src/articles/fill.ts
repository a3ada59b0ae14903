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
  escapeMarkdownText,
  isDangerousUrl,
  isWordChar,
  oneLine,
} from './escape';
import { placeholderKey } from './markers';
import type { ParsedArticle } from './parse';
import type { FilledSection, FillOptions, FillResult, PlaceholderValue, PlaceholderValues } from './types';

const EMPHASIS = new Set(['*', '_', '~']);
const MARKER_IN_TRUSTED = /<!--[ \t]*\/?[ \t]*\$[^\n]*?-->/g;

/** Wraps trusted markdown (the product's own generated sections) for a block placeholder. */
export const trustedMarkdown = (markdown: string): { readonly markdown: string } => ({ markdown });

function lookup(values: PlaceholderValues, warnings: string[]): Map<string, { name: string; value: PlaceholderValue }> {
  const map = new Map<string, { name: string; value: PlaceholderValue }>();
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === null) continue; // as if absent (callers without types)
    const key = placeholderKey(name);
    const earlier = map.get(key);
    if (earlier !== undefined) {
      warnings.push(`values "${earlier.name}" and "${name}" name the same placeholder; "${earlier.name}" was used.`);
    } else {
      map.set(key, { name, value });
    }
  }
  return map;
}

const isTrusted = (value: PlaceholderValue): value is { readonly markdown: string } =>
  typeof value === 'object' && value !== null && typeof (value as { markdown?: unknown }).markdown === 'string';

export function fillArticle(article: ParsedArticle, values: PlaceholderValues, options: FillOptions = {}): FillResult {
  const { template, occurrences } = article;
  const warnings: string[] = [];
  const given = lookup(values, warnings);
  const used = new Set<string>();
  const missing = new Map<string, { name: string; lines: number[] }>();

  // 1. Each occurrence's output, escaped for its context.
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
        if (clean !== md) warnings.push(`line ${occurrence.line}: placeholder markers in the trusted markdown for "${occurrence.name}" were removed.`);
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
        const text = escapeMarkdownText(raw);
        if (text === '') return ZWSP;
        const guardBefore =
          ctx.before === '\\' || ctx.before === '&' || ctx.inBrackets || (EMPHASIS.has(ctx.before) && !isWordChar(text[0]));
        const guardAfter = EMPHASIS.has(ctx.after) && !isWordChar(text[text.length - 1]);
        return `${guardBefore ? ZWSP : ''}${text}${guardAfter ? ZWSP : ''}`;
      }
      case 'link-target':
        return escapeLinkDestination(oneLine(raw), ctx.autolink === true);
      case 'link-title':
        return escapeLinkTitle(raw);
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
        if (code.broken) warnings.push(`line ${occurrence.line}: a placeholder marker in the value of "${occurrence.name}" was broken up.`);
        if (ctx.context === 'code-block') {
          // Neither close the fence nor blank the line (which could end an indented block).
          if (code.text === '' && ctx.aloneOnLine) return ZWSP;
          return /^\s*(`{3,}|~{3,})\s*$/.test(code.text) ? `${code.text}${ZWSP}` : code.text;
        }
        if (template.spanOf[index] === undefined && code.text.includes('`')) {
          warnings.push(`line ${occurrence.line}: backticks in the value of "${occurrence.name}" were replaced by "ˋ" (U+02CB).`);
          return code.text.replace(/`/g, 'ˋ');
        }
        return code.text;
      }
    }
  });

  // 2. URLs a value helps to build: refuse script and data schemes.
  template.urls.forEach((slot) => {
    const inSlot = template.sentinels.flatMap((s, i) => (slot.skeleton.includes(s) ? [i] : []));
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
    warnings.push(`line ${line}: the URL built from ${names} has a script or data scheme; it was replaced by "#".`);
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
    if (!used.has(key) && !missing.has(key)) warnings.push(`value "${name}" matches no placeholder of this article.`);
  }

  // 4. Code spans: a fence no run inside can close, padded when the content touches a backtick.
  const spanFences = template.codeSpans.map((span) => {
    const content = template.sentinels.reduce(
      (text, s, i) => (template.spanOf[i] === undefined ? text : text.split(s).join(filled[i] ?? '')),
      span.skeletonContent,
    );
    const runs = [...content.matchAll(/`+/g)].map((m) => m[0].length);
    const ticks = runs.includes(span.ticks) ? Math.max(...runs) + 1 : span.ticks;
    const pad = content === '' || content.startsWith('`') || content.endsWith('`') ? ' ' : '';
    return { fence: '`'.repeat(ticks), pad };
  });

  // 5. Emit.
  let out = '';
  const sectionStart = new Map<number, number>();
  const sectionEnd = new Map<number, number>();
  for (const part of template.parts) {
    switch (part.kind) {
      case 'text':
        out += part.text;
        break;
      case 'placeholder':
        out += filled[part.index] ?? '';
        break;
      case 'marker':
        if (part.section !== undefined) (part.section.edge === 'start' ? sectionStart : sectionEnd).set(part.section.index, out.length);
        break;
      case 'ticks': {
        const f = spanFences[part.span];
        out += part.edge === 'open' ? `${f?.fence ?? '`'}${f?.pad ?? ''}` : `${f?.pad ?? ''}${f?.fence ?? '`'}`;
        break;
      }
    }
  }
  const sections: FilledSection[] = article.sections.map((s, index) => ({
    name: s.name,
    line: s.line,
    markdown: out.slice(sectionStart.get(index) ?? 0, sectionEnd.get(index) ?? 0).trim(),
  }));
  const issueDescription = sections.find((s) => s.name.toLowerCase() === 'issuedescription')?.markdown;
  return { markdown: out.replace(/^(?:[ \t]*\n)+/, ''), warnings, sections, issueDescription };
}
