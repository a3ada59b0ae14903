import { boundedMemo, fillWithTokens, type ParsedArticle } from '../articles';
import { stepsBesideProbeLog } from '../core/causes';
import { exactCause } from '../core/exact-steps';
import type { Finding } from '../core/model';
import { causeSectionMarkdown, configurationHtml, stepsHtml } from './cause-section';
import { PROBE_MESSAGE_ABOVE, renderHtmlPage, renderInsightFragment } from './html-page';
import { insightPath } from './insight-path';
import { ERROR_DETAILS, insightValues } from './values';

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
  /** The page's content without the document around it, for a page of several insights. */
  readonly htmlFragment: string;
  readonly warnings: readonly string[];
}

/**
 * Fills the article for one finding. The markdown is the article as written, filled, then the cause
 * section; the HTML page leads with the fix (cause, steps, the probe message) and shows the article
 * after it, whole. Either carries the probe message once: the markdown in the article's "Error
 * Message" (the cause section points there), the page at its top (the article's "Error Message" points
 * there); an article without that placeholder leaves the message to the cause section.
 * Pure: the time is an argument; the article is parsed once per run.
 */
export function composeInsight(article: ParsedArticle, finding: Finding, now: Date): Insight {
  const values = insightValues(finding, now);
  const withHtml = fillWithTokens(article, values);
  const filled = withHtml.fill;
  const hasMessage = finding.probeLog.trim() !== '';
  const articleShowsIt = article.placeholders.some((name) => name.trim().toLowerCase() === ERROR_DETAILS);
  const references = article.template.references;
  const recheck = {
    gateway: finding.gateway,
    backendPool: finding.backendPool,
    backendSettings: finding.backendSettings,
  };
  // The steps' commands with the values this finding knows (the gateway's, its probe's): issue 17.
  const exact = exactCause(finding);
  const cause = causeSectionMarkdown(exact, finding.probeLog, {
    references,
    probeMessage: articleShowsIt ? 'above' : 'here',
    ...(finding.configuration ? { configuration: finding.configuration, recheck } : {}),
  });
  const markdown = `${filled.markdown.trimEnd()}\n\n${cause}`;
  const title = article.metadata['pageTitle'] ?? 'Degraded Backend Server Health';
  // The page's article: the same text, its "Error Message" pointing at the message at the top.
  const pageArticle =
    hasMessage && articleShowsIt
      ? fillWithTokens(article, { ...values, ErrorDetails: PROBE_MESSAGE_ABOVE })
      : withHtml;
  const page = {
    title,
    // Its cause as the steps give it (exact-steps.ts): the title a contradicted reading gets too.
    finding: { ...finding, cause: exact },
    now,
    // From the fill's own tokens where its check parsed them: the article is parsed once per fill.
    articleHtml: pageArticle.html(),
    stepsHtml: memoStepsHtml(JSON.stringify(stepsBesideProbeLog(exact, finding.probeLog))),
    ...(finding.configuration
      ? {
          configurationHtml: configurationHtml(finding.cause, finding.configuration, { recheck }),
        }
      : {}),
  };
  return {
    finding,
    path: insightPath(finding),
    title,
    summary: (filled.issueDescription ?? '').trim(),
    markdown,
    html: renderHtmlPage(page),
    htmlFragment: renderInsightFragment(page),
    warnings: filled.warnings,
  };
}

/**
 * A cause's steps as HTML, by the JSON of the steps: a run shows the same few lists (one per cause and
 * probe message) on thousands of pages, and each was filled and rendered again (issue 14).
 */
const memoStepsHtml = boundedMemo(
  (steps: string): string => stepsHtml(JSON.parse(steps) as string[]),
  512,
  16_384,
);
