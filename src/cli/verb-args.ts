import { didYouMean } from '../core/input/nearest-name';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors';
import type { VerbSpec } from './verb-specs';

/** `--help` and `-h`: every verb takes them, so no verb's table lists them. */
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * A verb's arguments parsed by `node:util` parseArgs with the verb's own option table (verb-specs.ts),
 * strictly: an unknown option, a missing value or an unexpected argument throws a UsageError naming
 * it (main.ts prints it with the verb's usage), never Node's own message.
 */
export function parseVerbArgs<const S extends VerbSpec>(spec: S, args: readonly string[]): VerbArgs<S> {
  const problem = verbArgsProblem(spec, args);
  if (problem) throw new UsageError([problem], spec.name);
  // Positionals were checked above: a verb without them got a UsageError for any.
  const parsed = parseArgs<VerbArgsConfig<S>>({
    args: [...args],
    options: spec.options,
    allowPositionals: true,
    strict: true,
  });
  const missing = missingRequired(spec, parsed.values as Record<string, unknown>);
  if (missing.length) throw new UsageError(missing, spec.name);
  // Each option the table marks required is there now (missingRequired), as VerbArgs types it.
  return parsed as VerbArgs<S>;
}

/** What parseArgs gives for the verb's table. */
type ParsedArgs<S extends VerbSpec> = ReturnType<typeof parseArgs<VerbArgsConfig<S>>>;

/**
 * A verb's parsed arguments, typed by its option table: as parseArgs types them, except that an option
 * the table marks `required` is always there (parseVerbArgs refuses arguments without it), so a
 * required string option is a string, not `string | undefined`.
 */
export type VerbArgs<S extends VerbSpec> = Omit<ParsedArgs<S>, 'values'> & {
  values: ParsedArgs<S>['values'] & {
    [
      K in keyof S['options'] as S['options'][K] extends { readonly required: true | string } ? K : never
    ]-?: NonNullable<ParsedArgs<S>['values'][K & keyof ParsedArgs<S>['values']]>;
  };
};

/**
 * One line per option the verb's table marks `required` that the arguments leave out or give empty
 * (`--config ""` names no file either): `--config FILE is required`, with the table's hint after a colon.
 */
export function missingRequired(spec: VerbSpec, values: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(spec.options).flatMap(([name, option]) => {
    if (option.required === undefined) return [];
    const value = values[name];
    if (value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0)) return [];
    const said = `--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''} is required`;
    return [typeof option.required === 'string' ? `${said}: ${option.required}` : said];
  });
}

/** The parseArgs configuration of a verb, as a type: its values are typed by its option table. */
interface VerbArgsConfig<S extends VerbSpec> {
  args: string[];
  options: S['options'];
  allowPositionals: true;
  strict: true;
}

/**
 * Whether the arguments ask for help (`--help` or `-h` anywhere before `--`), read with the verb's
 * table so an option's value (`render --set -h`) is not taken for it. Never throws.
 */
export function asksForHelp(spec: VerbSpec | undefined, args: readonly string[]): boolean {
  try {
    const { tokens } = parseArgs({
      args: [...args],
      options: { ...spec?.options, ...HELP },
      allowPositionals: true,
      strict: false,
      tokens: true,
    });
    return tokens.some((t) => t.kind === 'option' && t.name === 'help');
  } catch {
    return args.includes('--help') || args.includes('-h');
  }
}

/**
 * What is wrong with the arguments for the verb's table (an unknown option, a missing value, an
 * argument where the verb takes none), in our words; undefined when parseArgs takes them. What the
 * verb checks itself (a required option, a value's form) is not looked at.
 */
export function verbArgsProblem(spec: VerbSpec, args: readonly string[]): string | undefined {
  const known = spec.options;
  const { tokens } = parseArgs({
    args: [...args],
    options: known,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const seen = new Set<string>();
  // The option token before this one, when it took a value: a word after it is most likely more of it.
  let lastValued: { readonly rawName: string } | undefined;
  for (const token of tokens) {
    // An option that takes one value, given twice: parseArgs keeps the last, so the first would be
    // dropped without a word (issue 15's trial: `silence add --gateway a --gateway b` stored gateway=b
    // alone, and `--gateway gw-prod --gateway '*'` would silence every gateway). Only a `multiple`
    // option (`--tag`, `--set`) may repeat; a switch said twice loses nothing.
    if (token.kind === 'option' && Object.hasOwn(known, token.name)) {
      const option = known[token.name] as {
        readonly type: string;
        readonly multiple?: boolean;
        readonly value?: string;
        readonly required?: unknown;
      };
      if (seen.has(token.name) && option.type === 'string' && option.multiple !== true)
        return `--${token.name} given more than once: give it once (the first would be dropped)`;
      seen.add(token.name);
      const valueProblem = missingValue(token, option);
      if (valueProblem) return valueProblem;
    }
    if (token.kind === 'option' && !Object.hasOwn(known, token.name)) {
      return `unknown option ${token.rawName}${didYouMean(token.name, Object.keys(known), (n) => `--${n}`)}`;
    }
    // An empty argument (`evaluate "$FILE"` unset) read as the working folder (`evaluate ""`: "the
    // file /current/folder does not exist"), or as nothing at all (a break trial).
    if (token.kind === 'positional' && token.value.trim() === '' && spec.positionals !== undefined)
      return `an empty argument: give ${spec.positionals.map((p) => p.name).join(' ')} (a shell variable not set?)`;
    if (token.kind === 'positional' && spec.positionals === undefined) {
      // A new-user trial: `--for 2 hours` was refused for "hours" with no word on how to write it.
      // Not a duration made from the words typed: "45 min" as 45h silenced 60 times too long (a trial).
      const after = !lastValued
        ? ''
        : lastValued.rawName === '--for'
          ? `; --for's value is one word: a number and a unit, no space (2h, 90m, 1h30m, 1d)`
          : `; ${lastValued.rawName}'s value is one word: quote a value with spaces`;
      return `unexpected argument ${JSON.stringify(token.value)}: "${spec.name}" takes options only${after}`;
    }
    lastValued =
      token.kind === 'option' && token.value !== undefined && token.inlineValue !== true
        ? { rawName: token.rawName }
        : undefined;
  }
  try {
    parseArgs({ args: [...args], options: known, allowPositionals: true, strict: true });
    return undefined;
  } catch (error) {
    // The rest (a value missing, a value given to a switch, a value that looks like an option):
    // Node's first line says which option and what; its further lines give the fix.
    return String((error as Error).message)
      .split('\n')
      .map((line) => (/[.?!]$/.test(line.trim()) ? line.trim() : `${line.trim()}.`))
      .join(' ');
  }
}

/**
 * A string option given no value (`--for` last), or followed by what looks like another option
 * (`--for --gateway x`), in our words with the value's name from the verb's table; undefined otherwise.
 * Node's own text for these ("Option '--for <value>' argument missing", "argument is ambiguous")
 * names neither what the value is nor, for the second, that `--for=-x` gives a value starting with "-".
 */
function missingValue(
  token: {
    readonly rawName: string;
    readonly value?: string | undefined;
    readonly inlineValue?: boolean | undefined;
  },
  option: { readonly type: string; readonly value?: string; readonly required?: unknown },
): string | undefined {
  if (option.type !== 'string') return undefined;
  const needs = `${token.rawName} needs a value (${option.value ?? 'VALUE'})`;
  if (token.value === undefined) return `${needs}: give it after the option`;
  // An empty value (a shell variable not set: `--receiver "$R"`) read as the option left out, and was
  // said as that ("say which dead letters", "no matcher"), or quietly meant the default (`--out ""`).
  // A required option's empty value is said by missingRequired, with the table's hint.
  if (token.value === '' && option.required === undefined)
    return `${token.rawName} is given an empty value: give ${option.value ?? 'VALUE'}, or leave ${token.rawName} out`;
  if (token.inlineValue !== true && token.value.startsWith('-'))
    return `${needs}, but ${JSON.stringify(token.value)} follows it: give the value first (a value that starts with "-" is written ${token.rawName}=-…)`;
  return undefined;
}
