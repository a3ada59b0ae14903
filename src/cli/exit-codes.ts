/**
 * 0: done; 2: a gateway, target or sink failed, a notice is undelivered, the notify state failed, or
 * the input was wrong (the user can act); 1: a bug.
 */
export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_FAILED = 2;
