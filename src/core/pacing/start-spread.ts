/**
 * When each gateway a Functions run queues may start, so that its backend-health POSTs meet each
 * subscription's writes bucket as the bucket refills instead of all at once: the timer hides each
 * message that long after its first put (src/pipeline/fan-out.ts startFanOut). Without it, every message past a
 * subscription's burst was taken at once, found no place in the instance's estimate and was put back
 * on the queue: an invocation each (800 of them for 1 000 gateways in one subscription).
 *
 * Per subscription (ids in any case, as ARM's), in the order given: the first `burst` at once, then
 * one every `1000 / perSecond` ms, from the bucket's published size (request-limits.ts). Only a first
 * guess: the bucket may be shared (other runs or tools), so each start still asks the instance's pacer,
 * which follows ARM's answers, and is put back when it has no place for it.
 */
import type { RequestBucket } from './request-limits';

/**
 * The delay of each of `subscriptionIds`' starts, in ms (0: at once), in the same order. `seen` (how many
 * starts of each subscription, lower case, were given before: the batches a run queued already) is
 * counted on and updated; absent: none before.
 */
export function startDelaysInMs(
  subscriptionIds: readonly string[],
  writes: RequestBucket,
  seen: Map<string, number> = new Map(),
): number[] {
  return subscriptionIds.map((id) => {
    const key = id.toLowerCase();
    const index = seen.get(key) ?? 0;
    seen.set(key, index + 1);
    const beyond = index - Math.floor(writes.burst) + 1;
    return beyond <= 0 ? 0 : Math.ceil((beyond * 1000) / writes.perSecond);
  });
}
