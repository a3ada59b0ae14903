/**
 * A per-run circuit breaker per receiver: once a send to a receiver fails retryably (down, time-out,
 * 408/429/5xx after its retries), the receiver has used up its retry budget for this run, and no other
 * notice of the run is sent to it: they keep their place for the next run. Without it, a receiver that
 * hangs costs one full send budget (about a minute) per gateway. A permanent refusal (a 400 for one
 * notice) does not open it: the receiver answered, and the other notices may well be taken.
 */
export interface ReceiverBreaker {
  /** Why `receiver` is not tried again in this run, or undefined while it may be. */
  openReason(receiver: string): string | undefined;
  /** Records that `receiver` failed retryably with `reason`: it is not tried again in this run. */
  trip(receiver: string, reason: string): void;
}

/** The breakers of the runs one process takes part in, by run id. */
export interface ReceiverBreakers {
  forRun(runId: string): ReceiverBreaker;
}

/**
 * One breaker per run id, shared by every gateway of that run this process evaluates: the whole run in
 * the CLI's direct run; in the Functions app, the queue invocations of one run on one instance (each
 * instance learns on its own that a receiver is down). The `keepRuns` most recent runs are kept.
 */
export function createReceiverBreakers(keepRuns = 16): ReceiverBreakers {
  const runs = new Map<string, Map<string, string>>();
  return {
    forRun(runId) {
      let open = runs.get(runId);
      if (!open) {
        open = new Map();
        runs.set(runId, open);
        for (const oldest of runs.keys()) {
          if (runs.size <= keepRuns) break;
          runs.delete(oldest);
        }
      }
      const tripped = open;
      return {
        openReason: (receiver) => tripped.get(receiver),
        trip: (receiver, reason) => void (tripped.has(receiver) || tripped.set(receiver, reason)),
      };
    },
  };
}
