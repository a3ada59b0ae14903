/**
 * 0: done; 2: a gateway, target or sink failed, a notice is undelivered, the notify state failed, or
 * the input was wrong (the user can act); 3: done but degraded (`run`: every gateway's health was read
 * and everything delivered, but some insight gives the general remediation steps because a gateway's
 * configuration could not be read or did not say the server's probe: report `configuration`); 1: a bug. A run that was interrupted exits as its cause
 * says: 128 + the signal's number for a stop signal (130 SIGINT, 143 SIGTERM, 129 SIGHUP: shutdown.ts
 * STOP_SIGNALS, what a POSIX shell reports for a process the signal killed), EXIT_DEADLINE when it
 * reached `runDeadlineInMs`.
 */
export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_FAILED = 2;
/**
 * `run` did everything, but some insights give the general steps (report `configuration`). Distinct
 * from 2: nothing failed that a retry or the next run would redo (the health readings and notices are
 * good), and from 0: an operator has something to grant or fix. A failure (2) outranks it.
 */
export const EXIT_DEGRADED = 3;
/** `run` reached its `runDeadlineInMs`: 124, as GNU `timeout` exits when its command timed out. */
export const EXIT_DEADLINE = 124;
