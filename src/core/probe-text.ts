/**
 * A probe message made comparable: one spelling for every wording Microsoft has used for the same words, so that
 * frames (./probe-frames.ts) and keyword rules (./probe-rules.ts) are written once, in the canonical form.
 *
 * Drift seen across the guide's versions (2019-2026), the v1 gateway's reason codes and live gateways:
 * - "is not"/"isn't"/"isn’t"/"isnt", "could not"/"couldn't", "can't"/"can not"/"cannot" (typographic apostrophes too);
 * - "whitelist"/"white-list"/"allowlist"/"allow-list"/"allow list" and their "-ed"/"-ing" forms;
 * - "time-out"/"timeout", "back-end"/"backend", "well known"/"well-known", "Open SSL"/"OpenSSL";
 * - capitals, doubled or line-broken whitespace, space before a colon or none after it, markdown escapes (`\'`)
 *   and bold markers from the docs' source.
 * Final periods and optional punctuation are the templates' business (see compileTemplate), not this one's.
 */

/** Longest text the matchers look at, in characters: real probe messages are under 600; the rest is never read. */
export const MAX_MATCHED_LENGTH = 4000;

const CANONICAL_WORDING: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(is|are|was|were|does|do|did|has|have|had|could|would|should)n'?t\b/g, '$1 not'],
  [/\bcan'?t\b|\bcan not\b/g, 'cannot'],
  [/\bwon'?t\b/g, 'will not'],
  [/\b(?:white|allow)[- ]?list(ed|ing|s)?\b/g, 'allowlist$1'],
  [/\btime[- ]out(s)?\b/g, 'timeout$1'],
  [/\bback[- ]end(s)?\b/g, 'backend$1'],
  [/\bwell[- ]known\b/g, 'well-known'],
  [/\bopen ?ssl\b/g, 'openssl'],
];

/**
 * Lower case; typographic quotes, apostrophes and dashes made plain; markdown escapes and bold markers removed;
 * whitespace collapsed; the drifting words above in their canonical spelling. Only the first MAX_MATCHED_LENGTH
 * characters are kept. Never throws.
 */
export function normaliseProbeLog(log: string): string {
  let text = log
    .slice(0, MAX_MATCHED_LENGTH)
    .replace(/\u200b|\u200c|\u200d|\ufeff/g, '')
    .replace(/[\u2018\u2019\u201b\u02bc\u00b4`]/g, "'")
    .replace(/[\u201c\u201d\u201e]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\\(?=['"*_<>])/g, '')
    .replace(/\*+/g, '')
    .replace(/\s+/g, ' ')
    // "code : 401", "code :401" (French-style spacing, hand-copied messages): one spelling, "code: 401".
    .replace(/ ?: ?(?=\S)/g, ': ')
    .trim()
    .toLowerCase();
  for (const [pattern, canonical] of CANONICAL_WORDING) text = text.replace(pattern, canonical);
  return text;
}
