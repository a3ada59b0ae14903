import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../errors';
import { packageRoot } from '../package-root';

export const DEFAULT_ARTICLE_FILE = 'articles/degraded-backend-server-health.md';

/** Reads an article template as bytes: the article engine decodes (BOM, Windows-1252, mojibake). */
export async function readArticleTemplate(file?: string): Promise<Uint8Array> {
  const resolved = file ?? path.join(packageRoot(), DEFAULT_ARTICLE_FILE);
  try {
    return await readFile(resolved);
  } catch (error) {
    throw new ConfigError([
      `article: cannot read ${resolved}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    ]);
  }
}
