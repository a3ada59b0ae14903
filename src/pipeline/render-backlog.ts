import type { CallOptions, ProcessLoad } from '../ports';

/**
 * Gateways of a direct run waiting for a place to render (run-checks.ts RUN_RENDERING_GATEWAYS): their
 * operation is over, and only the run's own work holds them. As a ProcessLoad, `ready` resolves while at
 * most `most` wait, so `concurrency: "auto"` admits no new gateway while the run cannot render the ones
 * it has (schedule-gateways.ts ScheduleOptions.load). Found: a CPU-bound run (1 s operations, 20 000
 * gateways) kept admitting up to the in-flight ceiling, the event loop never lagging (each rendering is
 * short), and the gateways waiting to render cost 11–20 KB each: 332 MiB RSS instead of 250.
 */
export interface RenderBacklog extends ProcessLoad {
  /** A gateway starts waiting for a place (call `left` once it has one, or gave up). */
  entered(): void;
  left(): void;
  /** How many wait now. */
  waiting(): number;
}

export function renderBacklog(most: number): RenderBacklog {
  let waiting = 0;
  const listeners = new Set<() => void>();
  return {
    entered() {
      waiting += 1;
    },
    left() {
      waiting -= 1;
      if (waiting <= most) for (const resolve of [...listeners]) resolve();
    },
    waiting: () => waiting,
    ready(options: CallOptions = {}) {
      const signal = options.abortSignal;
      if (waiting <= most || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          listeners.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        listeners.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
  };
}
