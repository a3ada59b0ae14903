import type { GatewayReport, ReportedError, RunReport } from './run-report';
import { ERROR_CODES } from './error-codes';

/**
 * True when `result` says what the gateway is: it was read (`error` null: ok, or a reading with pools
 * not read), or ARM confirmed it deleted. False for a failure to read it (throttled, unavailable, a
 * permission, the poison queue's record): it says nothing of the gateway's servers.
 */
export function resultTellsTheGateway(result: Pick<GatewayReport, 'error'>): boolean {
  return result.error === null || result.error.code === ERROR_CODES.gatewayDeleted;
}

/**
 * The gateways of `report` whose current insights (a sink's `insights/…`, `latest/insights/…` and the
 * status page's copies) a delivery of it replaces: each one read (`ok`: its new insights, none when it
 * has none), each ARM confirmed deleted (`GatewayDeleted`, and `deletedUnlisted`: none, so a deleted
 * gateway's `degraded` insights do not stay in the current view for good; a break trial). A gateway that
 * failed otherwise keeps its last: what could not be read again is not taken away.
 */
export function currentViewReplaced(
  report: Pick<RunReport, 'gateways' | 'deletedUnlisted'>,
): Array<Pick<GatewayReport, 'id' | 'name' | 'subscriptionId' | 'resourceGroup'>> {
  return [
    ...report.gateways.filter((g) => g.ok || g.error?.code === ERROR_CODES.gatewayDeleted),
    ...(report.deletedUnlisted ?? []),
  ];
}

/**
 * What a sink writes as a gateway's result of a run (`runs/<runId>/gateways/…json`) when another try
 * of the same run may have written it before: in the Functions app a queue message is tried up to five
 * times, a message may be handed out twice, and the poison queue's handler records the gateway again.
 * `incoming`: the result being delivered; `existing`: the one stored for the same run and gateway
 * (undefined when none, or unreadable).
 *
 * - A result that tells the gateway (resultTellsTheGateway) is written: the newest reading wins.
 * - A failure never replaces a result that tells it (a duplicate copy failing after another copy read
 *   the gateway; the poison record after a try that read it and then failed a sink): undefined, keep
 *   `existing`.
 * - The poison queue's record over a try's own failure keeps that failure's fields (its `fanOut`, its
 *   `trigger`) and says both: its message is the poison record's, then the try's error (code and
 *   message), which says more of why (a break trial: "Poisoned" said less than the tries).
 * - No failure replaces the poison record (a late copy's, or the poison record again): undefined.
 * - Otherwise (no existing result, a failure over a failure) `incoming`.
 *
 * Pure: the same arguments, the same answer. Returns `incoming` itself when it is written as given.
 */
export function gatewayResultToWrite(
  incoming: GatewayReport,
  existing: GatewayReport | undefined,
): GatewayReport | undefined {
  if (resultTellsTheGateway(incoming) || existing === undefined || existing.id !== incoming.id)
    return incoming;
  if (resultTellsTheGateway(existing)) return undefined;
  const poisoned = incoming.error;
  const tried = existing.error;
  // The poison record is the run's last word on the gateway: a failure after it (a late copy of the
  // message, a break trial: it made the result "retryable" with nothing left to retry it), or the poison
  // record again (the poison message tried after a sink failed; the stored one may carry the try's
  // error), keeps it.
  if (tried?.code === ERROR_CODES.poisoned) return undefined;
  if (poisoned?.code !== ERROR_CODES.poisoned || tried === null) return incoming;
  const error: ReportedError = {
    ...poisoned,
    message: `${poisoned.message} Its last recorded try failed with ${tried.code}: ${tried.message}`,
  };
  return { ...existing, ok: false, error };
}
