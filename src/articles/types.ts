/** Shared shapes of the article engine. Plain data only. */

/**
 * Where a placeholder lands in the filled document; decides how its value is escaped.
 * - `text`: markdown inline text (paragraph, list item, emphasis, blockquote)
 * - `heading`, `table-cell`, `link-text`: inline text in those blocks
 * - `block`: alone on its line, a paragraph of its own (may take trusted markdown)
 * - `link-target`: a markdown link/image destination or a reference definition's URL
 * - `link-title`: the quoted title of a markdown link
 * - `inline-code`: inside a backtick code span
 * - `code-block`: inside a fenced or indented code block
 * - `html-text`: inside a raw HTML block, outside any tag
 * - `html-attribute`: inside an attribute value of a raw HTML tag
 */
export type PlaceholderContext =
  | 'text'
  | 'heading'
  | 'table-cell'
  | 'link-text'
  | 'block'
  | 'link-target'
  | 'link-title'
  | 'inline-code'
  | 'code-block'
  | 'html-text'
  | 'html-attribute';

/** One appearance of a placeholder in the article body. */
export interface PlaceholderOccurrence {
  /** The name as spelled at this appearance, trimmed (`<!--$ Name -->` is `Name`). */
  readonly name: string;
  /** The lookup key: the trimmed name in lower case. */
  readonly key: string;
  /** The template's default text between the markers, verbatim (may span lines). */
  readonly defaultText: string;
  /** 1-based line of the opening marker in the (decoded) source. */
  readonly line: number;
  readonly context: PlaceholderContext;
}

/** A `<!--word-->…<!--/word-->` section of the template (e.g. issueDescription). */
export interface SectionInfo {
  /** As spelled by the opening marker. */
  readonly name: string;
  /** Lines of the opening and closing markers. */
  readonly line: number;
  readonly endLine: number;
  /** The template text between the markers, trimmed, placeholders unfilled. */
  readonly template: string;
}

/** A section after filling. */
export interface FilledSection {
  readonly name: string;
  readonly line: number;
  /** Filled markdown between the markers, trimmed. */
  readonly markdown: string;
}

/** Trusted markdown for a `block` placeholder (the product's own generated sections). */
export interface TrustedMarkdown {
  readonly markdown: string;
}

/** A value for one placeholder: plain text (always escaped) or trusted markdown. */
export type PlaceholderValue = string | TrustedMarkdown;

export type PlaceholderValues = Readonly<Record<string, PlaceholderValue>>;

export interface FillOptions {
  /** A placeholder without a value is an ArticleError instead of a warning. */
  readonly strict?: boolean;
}

export interface FillResult {
  readonly markdown: string;
  readonly warnings: string[];
  readonly sections: readonly FilledSection[];
  /** The first issueDescription section, filled; undefined when the article has none closed. */
  readonly issueDescription: string | undefined;
}

export interface RenderedArticle {
  readonly metadata: Readonly<Record<string, string>>;
  /** Each distinct placeholder once, spelled as at its first appearance, in order of first appearance. */
  readonly placeholders: readonly string[];
  readonly issueDescription: string | undefined;
  readonly sections: readonly FilledSection[];
  readonly markdown: string;
  readonly html: string;
  readonly warnings: string[];
}
