#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../adapters/package-root';
import { didYouMean } from '../core/input/nearest-name';
import { isAppGwInsightsError, isUsageError, UsageError } from '../errors';
import { EXIT_BUG, EXIT_FAILED, EXIT_OK } from './exit-codes';
import { groupHelp, toolHelp, toolUsageHint, usageHint, verbHelp } from './help-text';
import { terminalJson, terminalLines } from './terminal-text';
import { adviceForCommand } from './command-advice';
import { sayStoppedStateWrite } from './stopped-state-write';
import { asksForHelp, verbArgsProblem } from './verb-args';
import {
  TOOL,
  VERBS,
  isVerbGroup,
  leafVerbs,
  type VerbGroupSpec,
  type VerbName,
  type VerbSpec,
} from './verb-specs';

type VerbHandler = (args: string[]) => Promise<number>;

/**
 * A verb's code, loaded when that verb runs: the verbs load the Azure SDK, the article engine and zod
 * (hundreds of modules, most of a second), which `--help`, `--version` and a mistyped option do not
 * need. Only this file, verb-specs.ts and help-text.ts are loaded for those.
 */
function loadVerb(name: VerbName): VerbHandler {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on use, see above */
  switch (name) {
    case 'run':
      return (require('./verbs/run') as typeof import('./verbs/run')).runVerb;
    case 'evaluate':
      return (require('./verbs/evaluate') as typeof import('./verbs/evaluate')).evaluateVerb;
    case 'emulator':
      return (require('./verbs/emulator') as typeof import('./verbs/emulator')).emulatorVerb;
    case 'demo':
      return (require('./verbs/demo') as typeof import('./verbs/demo')).demoVerb;
    case 'render':
      return (require('./verbs/render') as typeof import('./verbs/render')).renderVerb;
    case 'notify':
      return (require('./verbs/notify') as typeof import('./verbs/notify')).notifyVerb;
    case 'silence':
      return (require('./verbs/silence') as typeof import('./verbs/silence')).silenceVerb;
    case 'recheck':
      return (require('./verbs/recheck') as typeof import('./verbs/recheck')).recheckVerb;
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** The version in our package.json (`--version`). */
export function toolVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return String(manifest.version);
}

/**
 * `appgw-insights [--help [VERB] | -h [VERB] | --version | help [VERB] | VERB [--help] ARGS…]`. Help and the version
 * go to stdout with exit 0; a wrong verb or argument to stderr with the usage, exit 2.
 */
export async function main(argv: string[]): Promise<number> {
  const [first, ...args] = argv;
  if (first === undefined) return usageFailure('say which verb', toolUsageHint());
  // `--help run` as `help run` (git's and npm's reading), not the tool's help with the verb ignored.
  if (first === '--help' || first === '-h') return helpFor(args);
  // `--version extra`: the extra word is said back, never silently ignored (issue 15's trial).
  if (first === '--version')
    return args.length === 0
      ? printed(`${toolVersion()}\n`)
      : usageFailure(`--version takes nothing after it (got ${JSON.stringify(args[0])})`, toolUsageHint());
  if (first === 'help') return helpFor(args);
  const spec = verbSpec(first);
  if (!spec) {
    const problem = first.startsWith('-') ? unknownToolOption(first) : unknownVerb(first);
    return usageFailure(problem, toolUsageHint());
  }
  let leaf: VerbSpec | undefined;
  if (isVerbGroup(spec)) {
    const sub = args[0];
    if (sub === undefined || sub === '--help' || sub === '-h')
      return sub === undefined
        ? usageFailure(subverbProblem(spec, sub), usageHint(spec))
        : printed(groupHelp(spec));
    leaf = subverbSpec(spec, sub);
    if (!leaf) return usageFailure(subverbProblem(spec, sub), usageHint(spec));
    if (asksForHelp(leaf, args.slice(1))) return printed(verbHelp(leaf));
  } else {
    leaf = spec;
    if (asksForHelp(spec, args)) return printed(verbHelp(spec));
  }
  // Asked for JSON: every error is also one JSON error object on stdout (printJsonError).
  const json = asksForJson(leaf, isVerbGroup(spec) ? args.slice(1) : args);
  // Checked here too, so a mistyped option is answered without loading the verb.
  const problem = verbArgsProblem(leaf, isVerbGroup(spec) ? args.slice(1) : args);
  if (problem) {
    const message = new UsageError([problem], leaf.name).message;
    if (json) printJsonError('UsageInvalid', message);
    return usageFailure(message, usageHint(leaf));
  }
  // A signal while a verb writes the notify state: said, with the command that shows what was written.
  const stopSaid = sayStoppedStateWrite(leaf.name, isVerbGroup(spec) ? args.slice(1) : args);
  try {
    return await loadVerb(first as VerbName)(args);
  } catch (error) {
    // Errors the user can act on print their message alone; anything else is a bug: show the stack.
    if (isUsageError(error)) {
      const usageOf = leafVerbs().find((v) => v.name === error.verb) ?? leaf;
      if (json) printJsonError(error.code, error.message);
      return usageFailure(error.message, usageHint(usageOf));
    }
    if (isAppGwInsightsError(error)) {
      const said = adviceForCommand(error.message, leaf.name, isVerbGroup(spec) ? args.slice(1) : args);
      if (json) printJsonError(error.code, said);
      process.stderr.write(`error: ${terminalLines(said)}\n`);
      return EXIT_FAILED;
    }
    if (json) printJsonError('Bug', `unexpected error (a bug; please report it): ${String(error)}`);
    process.stderr.write(
      `${TOOL}: unexpected error (a bug; please report it):\n${terminalLines(String((error as Error)?.stack ?? error))}\n`,
    );
    return EXIT_BUG;
  } finally {
    stopSaid();
  }
}

/**
 * Whether the verb was asked for JSON on stdout: `--json` (or `--json=true`) of a verb that has it, or
 * `render --format json`. Read from the raw words, so a usage error in other options still answers in JSON.
 */
export function asksForJson(leaf: VerbSpec, args: readonly string[]): boolean {
  if (leaf.options['json'] && args.some((a) => a === '--json' || a === '--json=true')) return true;
  if (!leaf.options['format']) return false;
  const at = args.indexOf('--format');
  return (at >= 0 && args[at + 1] === 'json') || args.includes('--format=json');
}

/**
 * The error as the JSON a `--json` reader parses instead of a report: `{"error": {"code", "message"}}`
 * (the HTTP functions' error body, src/app/http-answer.ts), terminal-safe. The text still goes to stderr.
 */
function printJsonError(code: string, message: string): void {
  process.stdout.write(`${terminalJson({ error: { code, message } })}\n`);
}

/** `help`, `help VERB`, `help notify list`. */
function helpFor(words: readonly string[]): number {
  const [verb, sub] = words;
  // `help --help`, `--help -h`, `help help`: help about help is the tool's help; so is `--help
  // --version` (it names the version): issue 15's trial saw both exit 2 as unknown verbs.
  if (verb === undefined || ['--help', '-h', 'help', '--version'].includes(verb))
    return printed(toolHelp(toolVersion()));
  const spec = verbSpec(verb);
  if (!spec) return usageFailure(unknownVerb(verb), toolUsageHint());
  if (!isVerbGroup(spec)) return printed(verbHelp(spec));
  if (sub === undefined) return printed(groupHelp(spec));
  const leaf = subverbSpec(spec, sub);
  return leaf ? printed(verbHelp(leaf)) : usageFailure(subverbProblem(spec, sub), usageHint(spec));
}

/** `Unknown option --verison (did you mean --version?)`: the tool's own options before a verb. */
function unknownToolOption(given: string): string {
  return `Unknown option ${given}${didYouMean(given.replace(/^-+/, ''), ['help', 'version'], (n) => `--${n}`)}`;
}

/** `Unknown verb "rn" (did you mean "run"?)`: the verb within a typo's reach (a new-user trial), if any. */
function unknownVerb(given: string): string {
  return `Unknown verb "${given}"${didYouMean(given, Object.keys(VERBS))}`;
}

function verbSpec(name: string): VerbSpec | VerbGroupSpec | undefined {
  return Object.hasOwn(VERBS, name) ? VERBS[name as VerbName] : undefined;
}

function subverbSpec(group: VerbGroupSpec, name: string): VerbSpec | undefined {
  return Object.hasOwn(group.subverbs, name) ? group.subverbs[name] : undefined;
}

function subverbProblem(group: VerbGroupSpec, given: string | undefined): string {
  const names = Object.keys(group.subverbs).map((s) => `"${s}"`);
  const what = `after "${group.name}", say ${names.join(' or ')}`;
  if (given === undefined) return what;
  return `Unknown ${group.name} verb "${given}"${didYouMean(given, Object.keys(group.subverbs))}: ${what}`;
}

function printed(text: string): number {
  process.stdout.write(text);
  return EXIT_OK;
}

function usageFailure(problem: string, usage: string): number {
  process.stderr.write(`error: ${terminalLines(problem)}\n${usage.endsWith('\n') ? usage : `${usage}\n`}`);
  return EXIT_FAILED;
}

/**
 * A reader that stops early (`run --json | head`) closes the pipe: writes then fail with EPIPE, which
 * Node raises as an unhandled 'error' event (a crash, exit 1). What was asked for is done; the rest of
 * the output has nobody to read it, so it is dropped and the verb's own exit code stands.
 */
export function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

if (require.main === module) {
  ignoreClosedPipes();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
