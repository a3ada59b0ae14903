/**
 * How long ARM takes at most to answer one request, in ms. ARM answers a POST action (its `202`), a
 * poll or a GET in well under a second; a request unanswered after 5 s is taken as hung, not busy:
 * it stops holding back other requests (src/adapters/arm/answering-requests.ts), and a time-out that
 * finds one of its tries out that long was ARM's silence, not its quota (src/pipeline/timed-out.ts).
 */
export const ARM_UNANSWERED_AFTER_IN_MS = 5_000;
