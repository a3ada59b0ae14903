/**
 * The quote that delimits a link title holding a placeholder, read from the title's source.
 *
 * What the escaping needs (context.ts `titleQuote`) is defined by markdown-it: the first of `"`, `'` and
 * `(` whose closer, put before the placeholder, takes the placeholder out of every title. Asking that
 * reparses the whole document three times for each such placeholder (quadratic: 4 000 titles took
 * 4½ minutes). Read from the source instead: markdown-it's parseLinkTitle (helpers/parse_link_title)
 * reads a title from its opening delimiter to the first unescaped closer, and nothing else in the title
 * changes its extent. So a closer that is not the title's own (or is backslash-escaped) leaves the
 * title, the link and so the whole document as they were; the title's own closer ends the title right
 * before the placeholder's letters, which no link (`)` must follow) or reference definition (only
 * white space may follow, else it is dropped or loses its title) accepts, so the placeholder lands in
 * text. It could land in another title only through a link that starts after the title's link does and
 * before the placeholder: a `[` in the destination or in the title before it; then the caller asks
 * markdown-it as before (`undefined`), as it does when the title's source cannot be told.
 */
import { markdownIt } from './markdown';

export type TitleQuote = '"' | "'" | '(';

const OPENERS = new Set(['"', "'", '(']);

/** A title's source, found once for all the placeholders in it. */
export interface TitleSource {
  /** The text the title was parsed from (an inline run's content, or the skeleton for a definition). */
  readonly raw: string;
  /** Offset in `raw` of the opening delimiter. */
  readonly opener: number;
  /** The title as markdown-it gives it (escapes and entities resolved). */
  readonly title: string;
  /** The link's destination holds a `[` (normalized to `%5B`). */
  readonly bracketInDestination: boolean;
  /** Offset of the first `[` in the title, or -1. */
  readonly firstBracket: number;
}

/**
 * The source of `title`, given one placeholder of it at `at` in `raw` and at `offset` in `title`; undefined
 * when it cannot be told near there. The opener is the delimiter from which markdown-it's parseLinkTitle
 * reads exactly `title` across `at`: a placeholder is unique in the document, so only one can.
 */
export function findTitleSource(
  raw: string,
  title: string,
  at: number,
  offset: number,
  destination: string,
): TitleSource | undefined {
  // A title's source is at least as long as the title (escapes and entities only lengthen it) and at
  // most an entity (up to 34 characters, e.g. `&CounterClockwiseContourIntegral;`) for each character.
  const farthest = Math.max(0, at - offset * 34 - 1);
  const end = Math.min(raw.length, at + (title.length - offset) * 34 + 1);
  let tried = 0;
  for (let j = at - offset - 1; j >= farthest && tried < 16; j--) {
    if (!OPENERS.has(raw[j] ?? '')) continue;
    tried++;
    const read = markdownIt.helpers.parseLinkTitle(raw, j, end);
    if (read.ok && read.str === title && read.pos > at) {
      return {
        raw,
        opener: j,
        title,
        bracketInDestination: /\[|%5B/i.test(destination),
        firstBracket: title.indexOf('['),
      };
    }
  }
  return undefined;
}

/**
 * The quote of the title `source` for its placeholder at `at` in `raw` and `offset` in the title:
 * the title's opening delimiter; `'none'` when a backslash escapes whatever is put before the
 * placeholder (no closer can end the title there); undefined when markdown-it must be asked (see the
 * module comment).
 */
export function titleQuoteOf(
  source: TitleSource,
  at: number,
  offset: number,
): TitleQuote | 'none' | undefined {
  let backslashes = 0;
  while (at - backslashes - 1 > source.opener && source.raw[at - backslashes - 1] === '\\') backslashes++;
  if (backslashes % 2 === 1) return 'none';
  if (source.bracketInDestination || (source.firstBracket >= 0 && source.firstBracket < offset))
    return undefined;
  const opener = source.raw[source.opener];
  return opener === '"' || opener === "'" || opener === '(' ? opener : undefined;
}
