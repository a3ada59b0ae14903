/**
 * What notify on change reports of a run that had nothing to do and nothing went wrong: no notice
 * decided, sent, held or lost, its lease claimed. Tests spread their own parts over it (a notify
 * outcome or a report's `notifications`: the two share these fields).
 */
export const QUIET_NOTIFICATIONS = {
  decided: 0,
  silenced: [],
  claimed: true,
  deliveries: [],
  pending: {},
  undelivered: [],
  dropped: [],
  stateErrors: [],
  contended: [],
} as const;
