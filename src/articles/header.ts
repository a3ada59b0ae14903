/**
 * The `<properties … />` header: every attribute kept as metadata. Attributes may come in any order,
 * with double, single or no quotes, across lines and tabs; values may hold `>`, the other quote and
 * entities (decoded once). The header is the first line starting with `<properties`; content before it
 * (the corpus shows comments, headings, stray lines) stays in the body, with a warning unless it is a
 * comment. A header that never closes is an ArticleError naming its first line.
 */
import { ArticleError } from '../errors';
import { LineIndex } from './lines';

export interface HeaderResult {
  readonly metadata: Record<string, string>;
  /** Offsets of the header in the text; both 0 when there is none. */
  readonly start: number;
  readonly end: number;
  readonly warnings: string[];
}

/** Canonical spellings: the corpus writes these in several cases (`articleid`, `ArticleId`). */
const CANONICAL = [
  'pageTitle',
  'description',
  'infoBubbleText',
  'service',
  'resource',
  'authors',
  'ms.author',
  'ms.service',
  'displayOrder',
  'articleId',
  'diagnosticScenario',
  'selfHelpType',
  'supportTopicIds',
  'resourceTags',
  'productPesIds',
  'cloudEnvironments',
  'ownershipId',
  'schemaVersion',
  'clientIds',
  'articleTags',
  'disableClouds',
  'authorAlias',
  'category',
  'resourceRequired',
  'searchTags',
  'productFamilyId',
];
const CANONICAL_BY_KEY = new Map(CANONICAL.map((name) => [name.toLowerCase(), name]));

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

export function decodeEntities(value: string): string {
  return value.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** Whitespace between attributes; the corpus also indents with no-break spaces. */
const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

/** Finds and reads the header. `text` is decoded, LF-only. */
export function parseHeader(text: string): HeaderResult {
  const warnings: string[] = [];
  const metadata: Record<string, string> = {};
  const found = /^[ \t]*<properties(?=[\s/>]|$)/im.exec(text);
  if (found === null) return { metadata, start: 0, end: 0, warnings };
  const lines = new LineIndex(text);
  const start = found.index + found[0].length - '<properties'.length;
  const startLine = lines.lineAt(start);
  const before = text
    .slice(0, start)
    .replace(/<!--[\s\S]*?-->/g, '')
    .trim();
  if (before !== '') {
    warnings.push(`line ${startLine}: content before the <properties> header is kept in the body.`);
  }
  const unclosed = (detail: string): ArticleError =>
    new ArticleError(`the <properties> header opened here never closes with "/>"${detail}`, startLine);

  let i = found.index + found[0].length;
  let openQuote = '';
  const seen = new Map<string, string>();
  for (;;) {
    while (isSpace(text[i])) i++;
    const c = text[i];
    if (c === undefined) throw unclosed(openQuote);
    if (c === '/' && text[i + 1] === '>') {
      i += 2;
      break;
    }
    if (c === '>') {
      warnings.push(`line ${lines.lineAt(i)}: the <properties> header ends with ">" instead of "/>".`);
      i += 1;
      break;
    }
    const nameMatch = /^[^\s=/>"']+/.exec(text.slice(i, i + 200));
    if (nameMatch === null) {
      warnings.push(
        `line ${lines.lineAt(i)}: stray ${JSON.stringify(c)} in the <properties> header ignored.`,
      );
      i += 1;
      continue;
    }
    const name = nameMatch[0];
    const nameLine = lines.lineAt(i);
    i += name.length;
    let j = i;
    while (isSpace(text[j])) j++;
    let value = '';
    if (text[j] === '=') {
      j++;
      while (isSpace(text[j])) j++;
      const q = text[j];
      if (q === '"' || q === "'") {
        const close = text.indexOf(q, j + 1);
        const lineEnd = text.indexOf('\n', j + 1);
        const spans = close < 0 ? text.slice(j + 1) : text.slice(j + 1, close);
        // A quote left open on its line (the corpus has `ms.author="name` then the next attribute): the
        // value ends with its line when a later line of it starts another attribute, or when it never closes.
        if (lineEnd >= 0 && (close < 0 || /\n[^\S\n]*[\w.:-]+[^\S\n]*=/.test(spans))) {
          value = text.slice(j + 1, lineEnd);
          i = lineEnd;
          openQuote = ` (the quote of "${name}" at line ${lines.lineAt(j)} is not closed)`;
          warnings.push(
            `line ${lines.lineAt(j)}: the quote of header attribute "${name}" is not closed on its line; the value ends there.`,
          );
        } else if (close < 0) {
          throw unclosed(` (the quote of "${name}" at line ${lines.lineAt(j)} never closes)`);
        } else {
          value = spans;
          i = close + 1;
        }
      } else {
        const unquoted = /^[^\s>]*/.exec(text.slice(j))?.[0] ?? '';
        const trimmed =
          unquoted.endsWith('/') && text[j + unquoted.length] === '>' ? unquoted.slice(0, -1) : unquoted;
        value = trimmed;
        i = j + trimmed.length;
        warnings.push(
          `line ${nameLine}: attribute "${name}" of the <properties> header has an unquoted value.`,
        );
      }
    }
    const canonical = CANONICAL_BY_KEY.get(name.toLowerCase()) ?? name;
    const key = canonical.toLowerCase();
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      warnings.push(`line ${nameLine}: header attribute "${name}" ignored.`);
    } else if (seen.has(key)) {
      warnings.push(
        `line ${nameLine}: header attribute "${name}" repeats "${seen.get(key)}"; the first one is kept.`,
      );
    } else {
      seen.set(key, name);
      metadata[canonical] = decodeEntities(value);
    }
  }
  return { metadata, start, end: i, warnings };
}
