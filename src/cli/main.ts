#!/usr/bin/env node
import { isAppGwInsightsError } from '../errors';
import { EXIT_BUG, EXIT_FAILED } from './exit-codes';
import { terminalLines } from './terminal-text';
import { DEMO_USAGE, demoVerb } from './verbs/demo';
import { EMULATOR_USAGE, emulatorVerb } from './verbs/emulator';
import { EVALUATE_USAGE, evaluateVerb } from './verbs/evaluate';
import { NOTIFY_USAGE, notifyVerb } from './verbs/notify';
import { RENDER_USAGE, renderVerb } from './verbs/render';
import { RUN_USAGE, runVerb } from './verbs/run';

const VERBS: Record<string, (args: string[]) => Promise<number>> = {
  run: runVerb,
  evaluate: evaluateVerb,
  emulator: emulatorVerb,
  demo: demoVerb,
  render: renderVerb,
  notify: notifyVerb,
};

const USAGE = `Usage:
  ${RUN_USAGE}
  ${EVALUATE_USAGE}
  ${EMULATOR_USAGE}
  ${DEMO_USAGE}
  ${RENDER_USAGE}
  ${NOTIFY_USAGE}`;

export async function main(argv: string[]): Promise<number> {
  const [verb, ...args] = argv;
  const handler = verb ? VERBS[verb] : undefined;
  if (!handler) {
    process.stderr.write(
      `${verb && verb !== '--help' && verb !== 'help' ? `Unknown verb "${verb}".\n` : ''}${USAGE}\n`,
    );
    return verb === '--help' || verb === 'help' ? 0 : EXIT_FAILED;
  }
  try {
    return await handler(args);
  } catch (error) {
    // Errors the user can act on print their message alone; anything else is a bug: show the stack.
    if (isAppGwInsightsError(error)) {
      process.stderr.write(`error: ${terminalLines(error.message)}\n`);
      return EXIT_FAILED;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${error.message}\n${USAGE}\n`);
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
