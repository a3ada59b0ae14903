import { renderArticle } from '../articles';
import type { Finding } from '../core/model';
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

/** Fills the article template for one finding. Pure: the time is an argument. */
export function composeInsight(template: string | Uint8Array, finding: Finding, now: Date): Insight {
  const article = renderArticle(template, insightValues(finding, now));
  const title = article.metadata['pageTitle'] ?? 'Degraded Backend Server Health';
  return {
    finding,
    path: insightPath(finding),
    title,
    summary: article.issueDescription ?? '',
    markdown: article.markdown,
    html: renderHtmlPage({ title, finding, now, articleHtml: article.html }),
    warnings: article.warnings,
  };
}
