/**
 * Machine-readable probe results. Live gateways on recent api-versions return, beside `healthProbeLog`, a field the
 * REST spec does not declare (through 2026-01-01, Azure/azure-rest-api-specs
 * specification/network/resource-manager/Microsoft.Network/Network/stable/2026-01-01/applicationGateway.json
 * @0a5b6685, `ApplicationGatewayBackendHealthServer` has address, ipConfiguration, health and healthProbeLog only):
 *
 *   "healthProbeLog": "Received invalid status code: 502 in the backend server's HTTP response.",
 *   "healthProbeErrorName": "HttpStatusCodeMismatchWithStatusCode"
 *
 * (AAFC-Cloud/Cloud-Terrastodon crates/azure_types/src/azure_application_gateway_resource_backend_health.rs
 * @a4a7a872, captured from a live v2 gateway; also "Success" with "SuccessWithStatusCode".)
 *
 * The values are the gateway's probe error names, listed (with an `ngx_http_upstream_check_err_` prefix in the v2
 * gateway's own logs) in the Azure networking support wiki "Application Gateway Probes Issues" → "AppGW ProbeOutput
 * Error Codes", public mirror @index 52065913554, and the v1 names of its "502 Errors" troubleshooter
 * (@index 60429676281). When a known name is present it decides the cause; an unknown one is ignored and the
 * message decides.
 */
import { GUIDE_ANCHORS, type CauseId } from './causes';

export interface ProbeErrorNameReading {
  /** A cause, or `success` (the probe succeeded: not a cause). */
  readonly verdict: CauseId | 'success';
  readonly anchor?: string;
}

const A = GUIDE_ANCHORS;

/** Every documented name (lower case, prefix removed) → what it means. `Unknown` is left out: it explains nothing. */
export const PROBE_ERROR_NAMES: Readonly<Record<string, ProbeErrorNameReading>> = {
  success: { verdict: 'success' },
  successwithstatuscode: { verdict: 'success' },
  timeout: { verdict: 'probe-timeout' },
  hostnamenotresolved: { verdict: 'dns-resolution' },
  addressnotreachable: { verdict: 'tcp-connect' },
  portnotreachable: { verdict: 'tcp-connect' },
  servernotreachable: { verdict: 'tcp-connect' },
  httpstatuscodemismatch: { verdict: 'status-code-mismatch', anchor: A.statusCode },
  httpstatuscodemismatchwithstatuscode: { verdict: 'status-code-mismatch', anchor: A.statusCode },
  httpresponsebodymismatch: { verdict: 'body-mismatch' },
  backendservercertificatenotwhitelisted: { verdict: 'cert-root-mismatch' },
  backendcertinvalidca: { verdict: 'cert-untrusted-ca' },
  backendcertinvalidcn: { verdict: 'cert-cn-mismatch' },
  backendsecureconnectionerror: { verdict: 'cert-verify-failed' },
  gatewaynotreachable: { verdict: 'health-unknown' },
  certverificationfailed: { verdict: 'cert-verify-failed', anchor: A.verifyFailed },
  backendservercertificatenottrustedbyrootcertificates: { verdict: 'cert-root-mismatch' },
  trustedcertsnotloaded: { verdict: 'cert-root-mismatch' },
  backendcertificatecnmismatchwithprobehostname: { verdict: 'cert-cn-mismatch' },
  backendservercertificateexpired: { verdict: 'cert-expired' },
  incorrectbackendcertificatechainleafcertificateisnottopmostcertificate: {
    verdict: 'cert-chain-incomplete',
    anchor: A.leafTopmost,
  },
  incorrectbackendcertificatechainmissingleafcertificate: {
    verdict: 'cert-chain-incomplete',
    anchor: A.leafMissing,
  },
  incompletebackendcertificatechainonlyleafcertificateispresent: {
    verdict: 'cert-chain-incomplete',
    anchor: A.intermediateMissing,
  },
  backendservercertificatenottrustedbywellknowncas: {
    verdict: 'cert-untrusted-ca',
    anchor: A.serverNotWellKnown,
  },
  // "will be similar to CertificateNotTrustedByWellKnownCA" (502 troubleshooter, intermediate not publicly known)
  certificatenottrustedbywellknownca: { verdict: 'cert-untrusted-ca' },
};

/**
 * Names the troubleshooter shows only cut short ("…NotTrustedByWellKnownCAsDueToIncompleteOrIncorrectIn…", the
 * intermediate certificate not found): recognised by their documented beginning.
 */
const NAME_PREFIXES: ReadonlyArray<readonly [string, ProbeErrorNameReading]> = [
  [
    'backendservercertificatenottrustedbywellknowncasduetoincomplete',
    { verdict: 'cert-chain-incomplete', anchor: A.intermediateMissing },
  ],
];

/** Longest name looked at, in characters: the documented ones are under 80. */
const MAX_NAME_LENGTH = 200;

/**
 * What a `healthProbeErrorName` value means, or undefined when it is absent, not a string, empty, `Unknown` or not a
 * name we know. Case-insensitive; the `ngx_http_upstream_check_err_` / `err_` prefixes of the gateway's logs are
 * accepted. Never throws.
 */
export function readProbeErrorName(value: unknown): ProbeErrorNameReading | undefined {
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH) return undefined;
  const name = value
    .trim()
    .toLowerCase()
    .replace(/^(?:ngx_http_upstream_check_)?err_/, '');
  if (!name) return undefined;
  if (Object.hasOwn(PROBE_ERROR_NAMES, name)) return PROBE_ERROR_NAMES[name];
  return NAME_PREFIXES.find(([prefix]) => name.startsWith(prefix))?.[1];
}
