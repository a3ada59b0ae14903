#!/usr/bin/env node
import { isAppGwInsightsError } from '../errors';
import { EXIT_BUG, EXIT_FAILED } from './exit-codes';
import { terminalLines } from './terminal-text';
type Verb = (args: string[]) => Promise<number>;
type VerbModule = { readonly verb: Verb; readonly usage: string };

/**
 * Each verb's module, required when that verb runs (or the usage is printed): `run` need not load the
 * emulator, the demo and the other verbs, about 300 ms of CPU at each start (bench/README.md "Scale").
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy CommonJS requires, typed by the import types */
const VERBS: Record<string, () => VerbModule> = {
  run: () => {
    const m = require('./verbs/run') as typeof import('./verbs/run');
    return { verb: m.runVerb, usage: m.RUN_USAGE };
  },
  evaluate: () => {
    const m = require('./verbs/evaluate') as typeof import('./verbs/evaluate');
    return { verb: m.evaluateVerb, usage: m.EVALUATE_USAGE };
  },
  emulator: () => {
    const m = require('./verbs/emulator') as typeof import('./verbs/emulator');
    return { verb: m.emulatorVerb, usage: m.EMULATOR_USAGE };
  },
  demo: () => {
    const m = require('./verbs/demo') as typeof import('./verbs/demo');
    return { verb: m.demoVerb, usage: m.DEMO_USAGE };
  },
  render: () => {
    const m = require('./verbs/render') as typeof import('./verbs/render');
    return { verb: m.renderVerb, usage: m.RENDER_USAGE };
  },
  notify: () => {
    const m = require('./verbs/notify') as typeof import('./verbs/notify');
    return { verb: m.notifyVerb, usage: m.NOTIFY_USAGE };
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Every verb's usage line, in the table's order. */
const usage = (): string =>
  `Usage:\n${Object.values(VERBS)
    .map((load) => `  ${load().usage}`)
    .join('\n')}`;

export async function main(argv: string[]): Promise<number> {
  const [verb, ...args] = argv;
  const load = verb && Object.hasOwn(VERBS, verb) ? VERBS[verb] : undefined;
  if (!load) {
    process.stderr.write(
      `${verb && verb !== '--help' && verb !== 'help' ? `Unknown verb "${verb}".\n` : ''}${usage()}\n`,
    );
    return verb === '--help' || verb === 'help' ? 0 : EXIT_FAILED;
  }
  try {
    return await load().verb(args);
  } catch (error) {
    // Errors the user can act on print their message alone; anything else is a bug: show the stack.
    if (isAppGwInsightsError(error)) {
      process.stderr.write(`error: ${terminalLines(error.message)}\n`);
      return EXIT_FAILED;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${error.message}\n${usage()}\n`);
      return EXIT_FAILED;
    }
    process.stderr.write(
      `appgw-insights: unexpected error (a bug; please report it):\n${terminalLines(String((error as Error)?.stack ?? error))}\n`,
    );
    return EXIT_BUG;
  }
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
