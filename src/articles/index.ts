/** The article engine: pure (no I/O, no clock). See README.md for the format and the escaping rules. */
export { decodeArticleSource, type DecodedSource } from './decode';
export { repairMojibake } from './mojibake';
export { parseArticle, type ParsedArticle, type ArticleTemplate, type ParseOptions } from './parse';
export { fillArticle, fillWithTokens, trustedMarkdown, type RenderableFill } from './fill';
export { markdownToText, renderArticle, renderMarkdown } from './render';
export { escapeMarkdownText } from './inline-escape';
export { boundedCache, boundedMemo, type BoundedCache } from './memo';
export type {
  FillOptions,
  FillResult,
  FilledSection,
  PlaceholderContext,
  PlaceholderOccurrence,
  PlaceholderValue,
  PlaceholderValues,
  RenderedArticle,
  SectionInfo,
  TrustedMarkdown,
} from './types';
