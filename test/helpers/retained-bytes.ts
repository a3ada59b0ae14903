import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** V8's full collection (exposed at run time: jest runs without --expose-gc). */
const collectGarbage = runInNewContext('gc') as () => void;

const heapUsedAfterGc = (): number => {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

/**
 * The bytes of V8 heap that what `make` returns keeps alive, measured as heapUsed after full
 * collections before and after it is made (what `make` allocates and drops is not counted). For tests
 * that pin what a structure holds per item: compare per-item figures with a wide margin, never a
 * figure to the byte (the heap's own bookkeeping moves a little between runs).
 */
export function retainedBytes(make: () => unknown): number {
  const before = heapUsedAfterGc();
  const kept = make();
  const after = heapUsedAfterGc();
  // Read after the measurement, so `kept` is alive through it.
  if (kept === Symbol.for('never')) throw new Error('unreachable');
  return after - before;
}
