/**
 * Reads an article: decode, `<properties>` header, placeholders and sections, and where each
 * placeholder lands. Throws ArticleError (with the line) for a template that cannot be read
 * unambiguously; everything merely untidy is a warning.
 */
import { ArticleError } from '../errors';
import { analyzeSkeleton, type OccurrenceContext } from './context';
import type { UrlSlot } from './locate';
import { decodeArticleSource } from './decode';
import { parseHeader } from './header';
import { scanMarkers, type TemplatePart } from './markers';
import { placeCodeSpans } from './code-span-parts';
import { makeSentinels } from './sentinels';
import type { PlaceholderOccurrence, SectionInfo } from './types';

/** A code span holding placeholders: its backtick count and its content in the skeleton. */
export interface TemplateCodeSpan {
  readonly ticks: number;
  readonly skeletonContent: string;
}

/** What filling needs; opaque to callers. */
export interface ArticleTemplate {
  readonly parts: readonly TemplatePart[];
  readonly contexts: readonly OccurrenceContext[];
  readonly sentinels: readonly string[];
  readonly urls: readonly UrlSlot[];
  readonly codeSpans: readonly TemplateCodeSpan[];
  /** For each occurrence, the code span it sits in (inline-code only). */
  readonly spanOf: readonly (number | undefined)[];
  /** The article defines link references (or the caller said to assume it does). */
  readonly references: boolean;
}

export interface ParseOptions {
  /**
   * Escape values as if the article defined link references: for markdown appended to another
   * document that may define some (`[label]` alone could then be a link).
   */
  readonly assumeReferences?: boolean;
}

export interface ParsedArticle {
  readonly metadata: Readonly<Record<string, string>>;
  /** Each distinct placeholder once, spelled as at its first appearance, in order of first appearance. */
  readonly placeholders: readonly string[];
  readonly occurrences: readonly PlaceholderOccurrence[];
  readonly sections: readonly SectionInfo[];
  readonly warnings: readonly string[];
  readonly template: ArticleTemplate;
}

export function parseArticle(source: string | Uint8Array, options: ParseOptions = {}): ParsedArticle {
  const decoded = decodeArticleSource(source);
  const text = decoded.text;
  // No text article holds a NUL: this is a binary file (read as Windows-1252 it would "render").
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    throw new ArticleError(
      'the article is not text (it holds a NUL character): give a markdown file in the Azure self-help format',
      text.slice(0, nul).split('\n').length,
    );
  }
  const header = parseHeader(text);
  // The body keeps the header's line breaks so that body lines are source lines.
  const headerLines = text.slice(header.start, header.end).replace(/[^\n]/g, '');
  const body = text.slice(0, header.start) + headerLines + text.slice(header.end);
  const scan = scanMarkers(body);

  const build = (sentinels: readonly string[]): string =>
    scan.parts
      .map((p) => (p.kind === 'text' ? p.text : p.kind === 'placeholder' ? (sentinels[p.index] ?? '') : ''))
      .join('');
  const { skeleton, sentinels } = makeSentinels(scan.occurrences.length, build);
  const analysis = analyzeSkeleton(
    skeleton,
    sentinels,
    scan.occurrences.map((o) => o.name),
    scan.occurrences.map((o) => o.line),
    options,
  );
  const { parts, codeSpans, spanOf, contexts } = placeCodeSpans(
    scan.parts,
    sentinels,
    skeleton,
    analysis.contexts,
  );

  const occurrences: PlaceholderOccurrence[] = scan.occurrences.map((o, i) => ({
    ...o,
    context: contexts[i]?.context ?? 'text',
  }));
  const placeholders: string[] = [];
  const seen = new Set<string>();
  for (const o of occurrences) {
    if (!seen.has(o.key)) {
      seen.add(o.key);
      placeholders.push(o.name);
    }
  }
  const sections: SectionInfo[] = scan.sections.map((s) => ({
    name: s.name,
    line: s.line,
    endLine: s.endLine,
    template: scan.parts
      .slice(s.startPart + 1, s.endPart)
      .map((p) =>
        p.kind === 'text'
          ? p.text
          : p.kind === 'placeholder'
            ? (scan.occurrences[p.index]?.defaultText ?? '')
            : '',
      )
      .join('')
      .trim(),
  }));
  return {
    metadata: header.metadata,
    placeholders,
    occurrences,
    sections,
    warnings: [...decoded.warnings, ...header.warnings, ...scan.warnings],
    template: {
      parts,
      contexts,
      sentinels,
      urls: analysis.urls,
      codeSpans,
      spanOf,
      references: analysis.references,
    },
  };
}
