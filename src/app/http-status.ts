/** The HTTP status that tells a caller of the on-demand endpoint what went wrong, by our error code. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  ResourceNotFound: 404,
  Throttled: 429,
  AuthorizationFailed: 502, // our identity lacks a role: the gateway is fine, this app is not
  AuthenticationFailed: 502,
  ArmUnreachable: 502, // this app cannot reach ARM: the gateway may be fine
  BackendHealthUnavailable: 504,
};

export function httpStatusFor(code: string | undefined): number {
  return (code && STATUS_BY_CODE[code]) || 500;
}
