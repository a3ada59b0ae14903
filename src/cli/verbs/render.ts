import { readFile } from 'node:fs/promises';
import { renderArticle } from '../../articles';
import { readJsonFile } from '../../adapters/files/json-file';
import { ConfigError, UsageError } from '../../errors';
import { EXIT_OK } from '../exit-codes';
import { terminalLines } from '../terminal-text';
import { parseVerbArgs } from '../verb-args';
import { RENDER } from '../verb-specs';

const FORMATS = ['md', 'html', 'json'] as const;

/**
 * Fills any article in the self-help format and prints it. Warnings go to stderr (exit 0); an
 * unreadable template, or a missing value with --strict, is an ArticleError (exit 2).
 */
export async function renderVerb(args: string[]): Promise<number> {
  const { values: flags, positionals } = parseVerbArgs(RENDER, args);
  const issues: string[] = [];
  if (positionals.length !== 1) issues.push('give exactly one ARTICLE file');
  const format = FORMATS.find((f) => f === flags.format);
  if (!format) issues.push(`--format: "${flags.format}" is not one of ${FORMATS.join(', ')}`);
  const values = {
    ...(flags.values ? await readValuesFile(flags.values, issues) : {}),
    ...parseSets(flags.set ?? [], issues),
  };
  if (issues.length || !format) throw new UsageError(issues, RENDER.name);

  const file = positionals[0] as string;
  const source = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError([`cannot read ${file}: ${error.code ?? error.message}`], 'arguments');
  });
  const rendered = renderArticle(source, values, { strict: flags.strict });
  for (const warning of rendered.warnings) process.stderr.write(`warning: ${terminalLines(warning)}\n`);
  const output =
    format === 'md'
      ? rendered.markdown
      : format === 'html'
        ? rendered.html
        : `${JSON.stringify(
            {
              metadata: rendered.metadata,
              placeholders: rendered.placeholders,
              issueDescription: rendered.issueDescription ?? null,
              markdown: rendered.markdown,
              html: rendered.html,
              warnings: rendered.warnings,
            },
            null,
            2,
          )}\n`;
  process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
  return EXIT_OK;
}

/** `--set NAME=VALUE`: the first `=` splits, so values may contain `=`. */
function parseSets(sets: readonly string[], issues: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const set of sets) {
    const at = set.indexOf('=');
    if (at <= 0) issues.push(`--set "${set}": expected NAME=VALUE`);
    else values[set.slice(0, at)] = set.slice(at + 1);
  }
  return values;
}

async function readValuesFile(file: string, issues: string[]): Promise<Record<string, string>> {
  const read = await readJsonFile(file);
  if (!read.ok) {
    issues.push(`--values ${file}: ${read.problem}`);
    return {};
  }
  const raw = read.value;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push(`--values ${file}: expected a JSON object of name → string value`);
    return {};
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') values[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') values[name] = String(value);
    else issues.push(`--values ${file}: "${name}" must be a string`);
  }
  return values;
}
