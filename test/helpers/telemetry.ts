import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TelemetryName } from '../../src/core/telemetry-records';

/**
 * Telemetry records as operators see them (README "Telemetry"): trace messages `<name> <JSON>`, the
 * README's table of their fields, and its KQL queries, so tests can hold each to the others.
 */

export interface ParsedRecord {
  readonly name: TelemetryName;
  readonly fields: Record<string, unknown>;
}

const NAMES: readonly TelemetryName[] = [
  'appgw.run',
  'appgw.target',
  'appgw.gateway',
  'appgw.server',
  'appgw.notify',
];

/** The records among log lines (other lines are left out); a line that names a record but is not one throws. */
export function parseTelemetryLines(lines: readonly string[]): ParsedRecord[] {
  return lines.flatMap((line) => {
    const match = /^(appgw\.[a-z]+) (\{.*\})$/s.exec(line);
    if (!match) return [];
    const name = match[1] as TelemetryName;
    if (!NAMES.includes(name)) throw new Error(`unknown record ${name}: ${line}`);
    return [{ name, fields: JSON.parse(match[2] as string) as Record<string, unknown> }];
  });
}

const README = path.resolve(__dirname, '../../README.md');

/** The Telemetry section of the README. */
export function readmeTelemetrySection(): string {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('\n## Telemetry\n');
  const end = text.indexOf('\n## ', start + 1);
  if (start < 0 || end < 0) throw new Error('README has no "## Telemetry" section');
  return text.slice(start, end);
}

/**
 * Each record's fields as the README's table lists them: the common four plus every `name` in the
 * fields column (text in parentheses is explanation, not fields).
 */
export function readmeTelemetryFields(): Record<TelemetryName, string[]> {
  const fields = {} as Record<TelemetryName, string[]>;
  for (const line of readmeTelemetrySection().split('\n')) {
    const row = /^\| `(appgw\.[a-z]+)` \|[^|]*\| (.*) \|$/.exec(line);
    if (!row) continue;
    const listed = (row[2] as string)
      .replace(/\([^)]*\)/g, '')
      .match(/`([A-Za-z]+)`/g)
      ?.map((f) => f.slice(1, -1));
    fields[row[1] as TelemetryName] = ['v', 'runId', 'mode', 'step', ...(listed ?? [])];
  }
  return fields;
}

/** The README's KQL queries, in order. */
export function readmeKqlQueries(): string[] {
  return [...readmeTelemetrySection().matchAll(/```kusto\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/**
 * What is wrong with a query against the record shapes: it reads no record, names one that does not
 * exist, or reads a field (`r.<field>`) that none of the records it reads has.
 */
export function kqlFieldProblems(query: string, shapes: Record<string, readonly string[]>): string[] {
  const names = [...query.matchAll(/startswith "(appgw\.[a-z]+) "/g)].map((m) => m[1] as string);
  if (names.length === 0) return ['reads no record (no startswith "appgw.<name> ")'];
  const problems = names.filter((n) => !shapes[n]).map((n) => `reads ${n}, which is no record`);
  const known = new Set(names.flatMap((n) => shapes[n] ?? []));
  for (const [, field] of query.matchAll(/\br\.([A-Za-z]+)/g))
    if (!known.has(field as string)) problems.push(`r.${field} is no field of ${names.join(' or ')}`);
  if (!query.includes('parse_json(substring(message, indexof(message, " ") + 1))'))
    problems.push('does not read the record as the README says (parse_json of the text after the name)');
  return problems;
}
