import { fillArticle, renderMarkdown, type ParsedArticle } from '../articles';
import type { Finding } from '../core/model';
import { causeSectionMarkdown } from './cause-section';
import { renderHtmlPage } from './html-page';
import { insightPath } from './insight-path';
import { insightValues } from './values';

/** One rendered insight: the filled article for one finding, ready for any sink. */
export interface Insight {
  readonly finding: Finding;
  /** Relative path without extension; sinks add `.md` / `.html`. */
  readonly path: string;
  readonly title: string;
  /** The filled issue description: the one-paragraph summary (webhooks show it). */
  readonly summary: string;
  readonly markdown: string;
  /** A standalone HTML page. */
  readonly html: string;
  readonly warnings: readonly string[];
}

/**
 * Fills the article for one finding and appends the cause section after the article's own text,
 * which stays as written. Pure: the time is an argument; the article is parsed once per run.
 */
export function composeInsight(article: ParsedArticle, finding: Finding, now: Date): Insight {
  const filled = fillArticle(article, insightValues(finding, now));
  const cause = causeSectionMarkdown(finding.cause, finding.probeLog, {
    references: article.template.references,
  });
  const markdown = `${filled.markdown.trimEnd()}\n\n${cause}`;
  const title = article.metadata['pageTitle'] ?? 'Degraded Backend Server Health';
  return {
    finding,
    path: insightPath(finding),
    title,
    summary: (filled.issueDescription ?? '').trim(),
    markdown,
    html: renderHtmlPage({ title, finding, now, articleHtml: renderMarkdown(markdown) }),
    warnings: filled.warnings,
  };
}
