/**
 * The one markdown-it instance. `html: true`: the article's own HTML is trusted and values were escaped
 * on the way in. `linkify: false`: text never turns into links by itself.
 */
import MarkdownIt from 'markdown-it';

export const markdownIt: MarkdownIt.MarkdownIt = new MarkdownIt({
  html: true,
  linkify: false,
  typographer: false,
});

export type MarkdownToken = MarkdownIt.Token;
