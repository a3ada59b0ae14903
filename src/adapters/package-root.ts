import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder holding our package.json, found by walking up from this file, so shipped assets
 * (articles/, the emulator's scenarios) are found from src/ under ts-jest and from dist/ alike.
 */
let found: string | undefined;

export function packageRoot(): string {
  return (found ??= findPackageRoot());
}

function findPackageRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'articles'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`appgw-insights: cannot find the package root above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
