import type { AttemptRecord } from '../../ports';

/**
 * What one send has done so far. One pipeline is built per send, and its policies share this: the
 * attempt policy (post-attempt-policy.ts) records each try and waits, the retry strategy
 * (post-retry.ts) plans the waits, and `httpPost` reads the outcome. Holds no URL, header or secret.
 */
export interface PostProgress {
  /** Finished tries, in order; the run report's records. */
  readonly attempts: AttemptRecord[];
  /** `performance.now()` by which the send ends, waits and tries included. */
  readonly deadline: number;
  /** The wait the strategy planned before the next try, in ms; the attempt policy waits it out. */
  nextWaitInMs?: number;
  /** Where the caller's abort signal ended the send, when it did. */
  cancelled?: 'before-attempt' | 'during-attempt' | 'while-waiting' | 'stopped';
}
