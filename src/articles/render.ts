/** Markdown → HTML with the one markdown-it instance, and the whole article pipeline in one call. */
import { fillWithTokens } from './fill';
import { markdownIt, type MarkdownToken } from './markdown';
import { parseArticle } from './parse';
import type { FillOptions, PlaceholderValues, RenderedArticle } from './types';

export function renderMarkdown(markdown: string): string {
  return markdownIt.render(markdown);
}

/**
 * The text a reader sees in rendered markdown, for media that show plain text (a chat card's text run,
 * a Slack section): markup gone, escapes and entities resolved, a line break as one space, blocks on
 * lines of their own; raw HTML keeps its text, not its tags. E.g. `**appgw\-01** at 10:00` →
 * `appgw-01 at 10:00`.
 */
export function markdownToText(markdown: string): string {
  const blocks: string[] = [];
  const inline = (tokens: readonly MarkdownToken[]): string =>
    tokens
      .map((t) => {
        if (t.type === 'text' || t.type === 'code_inline') return t.content;
        if (t.type === 'softbreak') return ' ';
        if (t.type === 'hardbreak') return '\n';
        if (t.type === 'image') return inline(t.children ?? []);
        return ''; // markup: emphasis, links, raw HTML tags
      })
      .join('');
  for (const t of markdownIt.parse(markdown, {})) {
    if (t.type === 'inline') blocks.push(inline(t.children ?? []));
    else if (t.type === 'fence' || t.type === 'code_block') blocks.push(t.content.replace(/\n$/, ''));
    else if (t.type === 'html_block') blocks.push(htmlText(t.content));
  }
  return blocks
    .map((b) => b.trim())
    .filter((b) => b !== '')
    .join('\n');
}

/** The text of raw HTML: tags dropped, the five escapes markdown-it knows resolved. */
function htmlText(html: string): string {
  const named: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
  return html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (m, e: string) => named[e] ?? m);
}

/** Decode, parse, fill and render an article. Throws ArticleError for an unreadable template. */
export function renderArticle(
  source: string | Uint8Array,
  values: PlaceholderValues,
  options: FillOptions = {},
): RenderedArticle {
  const article = parseArticle(source);
  const { fill: filled, html } = fillWithTokens(article, values, options);
  return {
    metadata: article.metadata,
    placeholders: article.placeholders,
    issueDescription: filled.issueDescription,
    sections: filled.sections,
    markdown: filled.markdown,
    html: html(),
    warnings: [...article.warnings, ...filled.warnings],
  };
}
