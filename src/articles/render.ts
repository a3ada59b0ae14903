/** Markdown → HTML with the one markdown-it instance, and the whole article pipeline in one call. */
import { fillArticle } from './fill';
import { markdownIt } from './markdown';
import { parseArticle } from './parse';
import type { FillOptions, PlaceholderValues, RenderedArticle } from './types';

export function renderMarkdown(markdown: string): string {
  return markdownIt.render(markdown);
}

/** Decode, parse, fill and render an article. Throws ArticleError for an unreadable template. */
export function renderArticle(
  source: string | Uint8Array,
  values: PlaceholderValues,
  options: FillOptions = {},
): RenderedArticle {
  const article = parseArticle(source);
  const filled = fillArticle(article, values, options);
  return {
    metadata: article.metadata,
    placeholders: article.placeholders,
    issueDescription: filled.issueDescription,
    sections: filled.sections,
    markdown: filled.markdown,
    html: renderMarkdown(filled.markdown),
    warnings: [...article.warnings, ...filled.warnings],
  };
}
