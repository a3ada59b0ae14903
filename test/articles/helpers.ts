import { readFileSync } from 'node:fs';
import path from 'node:path';
import { markdownIt } from '../../src/articles/markdown';
import type { ArticleError } from '../../src/errors';

export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'articles');

export const fixture = (name: string): Uint8Array => readFileSync(path.join(FIXTURES, name));
export const fixtureText = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
export const SEED = readFileSync(
  path.join(__dirname, '..', '..', 'articles', 'degraded-backend-server-health.md'),
);

/** Runs `fn`, which must throw; returns what it threw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, got none');
}

export function asArticleError(error: unknown): ArticleError {
  if (!(error instanceof Error) || error.name !== 'ArticleError') {
    throw new Error(`expected an ArticleError, got ${String(error)}`);
  }
  return error as ArticleError;
}

/**
 * The structure of a markdown document: every token but text (block and inline, with nesting and tag),
 * code tokens without their content. Two documents that differ only in text have the same signature.
 */
export function structure(markdown: string): string[] {
  const out: string[] = [];
  const walk = (
    tokens: readonly { type: string; tag: string; nesting: number; children: unknown }[],
    depth: number,
  ): void => {
    for (const t of tokens) {
      if (t.type === 'text' || t.type === 'text_special') continue;
      out.push(`${depth}:${t.type}:${t.tag}:${t.nesting}`);
      if (Array.isArray(t.children)) walk(t.children, depth + 1);
    }
  };
  walk(markdownIt.parse(markdown, {}), 0);
  return out;
}

/** HTML without its comments (a value's text inside a template comment is inert). */
export const withoutComments = (html: string): string => html.replace(/<!--[\s\S]*?(?:-->|$)/g, '');

/** Tag names in HTML outside comments, in order (closing tags prefixed with "/"). */
export const tagsOf = (html: string): string[] =>
  [...withoutComments(html).matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/g)].map(
    (m) => `${m[1] ?? ''}${(m[2] ?? '').toLowerCase()}`,
  );

/** Bytes in Windows-1252 for a string whose characters all exist there (test data only). */
export function windows1252(text: string): Uint8Array {
  const table = new Map<string, number>();
  const decoder = new TextDecoder('windows-1252');
  for (let b = 0; b < 256; b++) table.set(decoder.decode(Uint8Array.of(b)), b);
  return Uint8Array.from(
    [...text].map((c) => {
      const b = table.get(c);
      if (b === undefined) throw new Error(`no Windows-1252 byte for ${c}`);
      return b;
    }),
  );
}

/** Mojibake of a string: its UTF-8 bytes read as Windows-1252. */
export const mojibake = (text: string): string =>
  new TextDecoder('windows-1252').decode(new TextEncoder().encode(text));
