/** The HTTP status that tells a caller of the HTTP functions (insight, recheck) what went wrong, by our error code. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  ResourceNotFound: 404,
  GatewayDeleted: 404,
  Throttled: 429,
  AuthorizationFailed: 502, // our identity lacks a role: the gateway is fine, this app is not
  AuthenticationFailed: 502,
  ArmUnreachable: 502, // this app cannot reach ARM: the gateway may be fine
  BackendHealthUnavailable: 504,
  NotWatched: 404, // a gateway outside APPGW_TARGETS: as if it were not there, for the function key
  RecheckTargetInvalid: 400, // a pool or setting the gateway does not have: the request is wrong
  OnDemandProbeRefused: 400, // ARM refused the on-demand request itself (recheck turns it into RecheckTargetInvalid)
};

export function httpStatusFor(code: string | undefined): number {
  return (code && STATUS_BY_CODE[code]) || 500;
}
