import { randomBytes } from 'node:crypto';

/**
 * How long a run holds the notices it is about to send to one receiver. A send takes at most the
 * receiver's send budget (`Notifier.sendBudgetInMs`: timeout × attempts + back-off, ≈ 1 minute by
 * default), so the lease is derived from it rather than fixed: one budget to send in, one more for the
 * last send started in time to finish, and some slack. A run that dies mid-send therefore holds its
 * notices for about two minutes at most, not a quarter of an hour; a run never starts a send that
 * could outlive its lease (`sendFitsLease`), so no other run can send the same notice meanwhile.
 */

/** Beyond the two budgets: the state write that records the lease, and clocks that disagree. */
export const LEASE_SLACK_IN_MS = 10_000;
/** How much clocks of two instances may disagree (the fan-out compares leases across instances). */
export const CLOCK_SKEW_IN_MS = 5_000;

/** The lease, in ms, for notices to a receiver whose one send takes at most `sendBudgetInMs`. */
export function leaseInMs(sendBudgetInMs: number): number {
  return 2 * sendBudgetInMs + LEASE_SLACK_IN_MS;
}

/** Whether a send starting at `nowInMs`, taking at most `sendBudgetInMs`, ends (with skew to spare) before `leaseUntilInMs`. */
export function sendFitsLease(nowInMs: number, sendBudgetInMs: number, leaseUntilInMs: number): boolean {
  return nowInMs + sendBudgetInMs + CLOCK_SKEW_IN_MS <= leaseUntilInMs;
}

/**
 * Who holds the notices one notify call leases (stored as the lease's `runId`): the run's id and a
 * suffix of its own (`<runId>~<6 hex>`), so that two calls of one run on one gateway never take each
 * other's leases for their own. A queue message delivered twice and processed at once (the Functions
 * app's queue is at-least-once) runs two calls with one run id: with the bare id each would send the
 * notices the other holds (twice, and a server's out of order). Reports name it as the run holding them.
 */
export function leaseHolder(runId: string): string {
  return `${runId}~${randomBytes(3).toString('hex')}`;
}
