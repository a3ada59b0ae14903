/**
 * 0: done; 2: a gateway, target or sink failed, a notice is undelivered, the notify state failed, or
 * the input was wrong (the user can act); 1: a bug. A run that was interrupted exits as its cause
 * says: 128 + the signal's number for a stop signal (130 SIGINT, 143 SIGTERM, 129 SIGHUP: shutdown.ts
 * STOP_SIGNALS, what a POSIX shell reports for a process the signal killed), EXIT_DEADLINE when it
 * reached `runDeadlineInMs`.
 */
export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_FAILED = 2;
/** `run` reached its `runDeadlineInMs`: 124, as GNU `timeout` exits when its command timed out. */
export const EXIT_DEADLINE = 124;
