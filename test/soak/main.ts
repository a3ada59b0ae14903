/**
 * `npm run soak [-- --seconds N] [-- --seed N] [-- --json]`: the soak from the command line (scripts/soak.js
 * builds this file and runs it). Prints the seed first, progress while it runs, then the figures;
 * exits 1 when a check failed (each violation printed), 0 otherwise.
 */
import { parseArgs } from 'node:util';
import { formatFigures } from './figures';
import { newSeed } from './random';
import { runSoak } from './soak';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '180' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const seed = values.seed === undefined ? newSeed() : Number(values.seed);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error(`--seconds: not a positive number: ${values.seconds}`);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`--seed: not a whole number >= 0: ${values.seed}`);
  process.stderr.write(`soak: seed ${seed}, ${seconds} s of faults (replay with --seed ${seed})\n`);
  const figures = await runSoak({ seconds, seed, log: (line) => process.stderr.write(`soak: ${line}\n`) });
  process.stdout.write(values.json ? `${JSON.stringify(figures, null, 2)}\n` : formatFigures(figures));
  return figures.violations.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
