import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the heap grow past what its last full collection kept, in percent, for a direct
 * run: V8's own factor grows with the allocation rate, up to 4× the live heap on a machine with a
 * large heap limit (V8 src/heap/heap-controller.cc `MaxGrowingFactor`, `DynamicGrowingFactor`), and a
 * CPU-bound run allocates fast: 5 000 gateways over 50 subscriptions kept about 100 MB live and let
 * the heap reach 386 MB (538 MiB resident). At 50 % the same run peaked at 196 MB of heap (309 MiB
 * resident) for 5 % more CPU (bench/README.md "Scale"; README "Memory"). At 25 %, 20 000 gateways over
 * 50 subscriptions peaked at 304 MiB resident against 331–340 at 50, CPU per gateway within the
 * machine's noise (8.8 ms against 6.7–9.6 at 50, load 3–6; README "Memory", 2026-12-01).
 */
export const RUN_HEAP_GROWING_PERCENT = 25;

/**
 * Sets V8's `--heap-growing-percent` (the factor `1 + percent / 100`, used in place of V8's own from
 * the next full collection on: V8 reads the flag at each one). Node documents setting V8 flags after
 * start-up as unsupported in general; this one is read when used, and test/cli/heap-growth.test.ts
 * checks that this Node's V8 still has it (an unknown flag would only print a warning).
 */
export function limitHeapGrowth(percent: number = RUN_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
