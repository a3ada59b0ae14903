/**
 * The soak, short (30 s of faults), in every `npm test`: `npm run soak` runs the same for longer. A
 * failure names each violation and the seed (`npm run soak -- --seed N` makes the same choices).
 * SOAK_SEED and SOAK_SECONDS override both.
 */
import { formatFigures } from './figures';
import { newSeed } from './random';
import { runSoak } from './soak';

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

it('30 s of random ARM, storage and receiver faults: every transition notified once per receiver, nothing false, nothing lost, the state readable', async () => {
  const seed = process.env['SOAK_SEED'] ? Number(process.env['SOAK_SEED']) : newSeed();
  const seconds = process.env['SOAK_SECONDS'] ? Number(process.env['SOAK_SECONDS']) : 30;
  const figures = await runSoak({ seconds, seed });
  // The seed and figures go with any failure, so it can be read and replayed (SOAK_SEED).
  expect({ seed, violations: figures.violations, figures: formatFigures(figures) }).toEqual({
    seed,
    violations: [],
    figures: expect.any(String),
  });
  // It met faults of all three kinds, and decided, parked and checked something (the seed again).
  expect({
    seed,
    runs: total(figures.runs) >= 8,
    armFaults: total(figures.faults.arm) > 0,
    receiverFaults: total(figures.faults.receivers) > 0,
    failedReads: figures.gateways.failedReads > 0,
    decided: total(figures.notices.decided) > 0,
    nothingMissed: (figures.checks['nothing missed'] ?? 0) > 0,
  }).toEqual({
    seed,
    runs: true,
    armFaults: true,
    receiverFaults: true,
    failedReads: true,
    decided: true,
    nothingMissed: true,
  });
}, 300_000);
