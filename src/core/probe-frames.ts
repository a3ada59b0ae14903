/**
 * The fixed frames of every probe message we know, and what each one means.
 *
 * A frame is the part of a message the gateway writes itself, up to where its meaning is settled: "Body of the
 * backend's HTTP response did not match the probe setting" is a body mismatch whatever follows it, and what follows
 * ("Received response body doesn't contain <the user's match string>") can never change that. The cause is read from
 * the frame only: user-configured text (match strings, host names, status lists) and values the gateway fills in
 * (addresses, error codes) sit in holes or after the frame, where no keyword is looked at.
 *
 * When several frames occur in one message, the one that starts first wins (a frame quoted inside another message's
 * hole always starts later), then the longest; then table order.
 *
 * Sources (every frame names its own):
 * - GUIDE: "Troubleshoot backend health issues in Application Gateway", every stored version: MicrosoftDocs/azure-docs
 *   articles/application-gateway/application-gateway-backend-health-troubleshooting.md (2019-08-30 @index 5003667963,
 *   2020-06-09 @3b2ef3e9, 2023-08-22 @index 869875840, 2024-03-08 @0012c21b, 2025-07-22 mirror
 *   xtqqczze/MicrosoftDocs-azure-docs@1a0a7ee2) and MicrosoftDocs/SupportArticles-docs
 *   support/azure/application-gateway/application-gateway-backend-health-troubleshooting.md (2025-12-09 @8cd90d5e,
 *   2026-08-04 @1b146962, 2026-08-28 @index 62611516373). Rows: test/fixtures/probe-logs/troubleshooting-guide.json.
 * - V1_CODES: the v1 (Standard/WAF) gateway's information-log reason codes 0-20 and their descriptions
 *   (HealthProbeError), Azure networking support wiki "Information Log Reason Codes", public mirror @index 52072731790.
 *   Rows: test/fixtures/probe-logs/v1-reason-codes.json.
 * - TSG_502: the support wiki's "Application Gateway - 502 Errors" guided troubleshooter, which quotes each
 *   customer-facing message beside its error name, public mirror @index 60429676281.
 * - FIELD: messages quoted from live gateways in public docs, issues and write-ups; each row of
 *   test/fixtures/probe-logs/field-messages.json names its source.
 */
import { GUIDE_ANCHORS, type CauseId } from './causes';
import { compileTemplate } from './probe-template';

/** A cause; `success`: the probe succeeded (not a cause); `unexplained`: the gateway itself gives no reason. */
export type FrameVerdict = CauseId | 'success' | 'unexplained';

export interface ProbeFrame {
  readonly id: string;
  /** Canonical-wording templates (./probe-template.ts), one per documented wording of the frame. */
  readonly templates: readonly string[];
  readonly verdict: FrameVerdict;
  /** The guide section for this frame, when it is more precise than the cause's own. */
  readonly anchor?: string;
  /** The frame must be the whole message (short frames that would otherwise match inside other text). */
  readonly whole?: boolean;
  /** Where the wording comes from (see the file's docstring). */
  readonly source: string;
}

const A = GUIDE_ANCHORS;

export const PROBE_FRAMES: readonly ProbeFrame[] = [
  // --- success: not a cause
  { id: 'success', templates: ['success'], verdict: 'success', whole: true, source: 'V1_CODES 0; FIELD' },
  {
    id: 'success-status',
    templates: ['success. received {code} status code'],
    verdict: 'success',
    source: 'V1_CODES 16; FIELD (az network application-gateway show-backend-health output)',
  },
  {
    id: 'unknown-error',
    templates: ['unknown error. please try again'],
    verdict: 'unexplained',
    source: 'V1_CODES 1',
  },

  // --- the gateway can't find out the health (Unknown): its own management ports, NSG, UDR, DNS of its subnet
  {
    id: 'unknown-health-not-retrieved',
    templates: ['the backend health status could not be retrieved'],
    verdict: 'health-unknown',
    source: 'GUIDE 2023-2026 (Unknown section); FIELD (application-gateway-private-deployment.md, live)',
  },
  {
    id: 'unknown-health-data',
    templates: ['unable to retrieve health status data'],
    verdict: 'health-unknown',
    source:
      'FIELD (v1 and early v2 gateways: "Check presence of NSG/UDR blocking access to ports 65503-65534")',
  },
  {
    id: 'v1-gateway-not-reachable',
    templates: ['application gateway not reachable'],
    verdict: 'health-unknown',
    source: 'V1_CODES 14 ("… blocking access to ports 65503-65534 on Application Gateway.")',
  },

  // --- timeout
  {
    id: 'guide-timeout',
    templates: [
      "time taken by the backend to respond to application gateway['s] [health] probe is more than",
    ],
    verdict: 'probe-timeout',
    source: 'GUIDE all versions; FIELD',
  },
  {
    id: 'v1-timeout',
    templates: ['probe timeout. increase timeout value'],
    verdict: 'probe-timeout',
    source: 'V1_CODES 2',
  },

  // --- DNS
  {
    id: 'guide-dns',
    templates: ['application gateway could not create a probe for this backend'],
    verdict: 'dns-resolution',
    source: 'GUIDE all versions; TSG_502',
  },
  {
    id: 'v1-dns',
    templates: ['backend server fqdn cannot be resolved'],
    verdict: 'dns-resolution',
    source: 'V1_CODES 3',
  },

  // --- TCP connect
  {
    id: 'guide-tcp',
    templates: ['application gateway could not connect to the backend'],
    verdict: 'tcp-connect',
    source: 'GUIDE all versions; TSG_502',
  },
  {
    id: 'live-tcp',
    templates: ['cannot connect to backend server', 'failed to connect to [the] backend [server]'],
    verdict: 'tcp-connect',
    source: 'FIELD (aka.ms/servernotreachable)',
  },
  {
    id: 'v1-tcp',
    templates: [
      'server address cannot be reached',
      'server port cannot be reached',
      'cannot connect to server. check whether any nsg/udr/firewall',
    ],
    verdict: 'tcp-connect',
    source: 'V1_CODES 4, 5, 6',
  },

  // --- HTTP status
  {
    id: 'guide-status',
    templates: [
      "status code of the backend['s] http response did not match the probe setting",
      "status code of the backend['s] http response did not match the probe setting. expected: {expected} received: {status}",
    ],
    verdict: 'status-code-mismatch',
    anchor: A.statusCode,
    source: 'GUIDE all versions',
  },
  {
    id: 'status-mismatch',
    templates: [
      'probe status code mismatch',
      'probe status code mismatch<.|:> received: {status}',
      'probe status code mismatch<.|:> expected: {expected} received: {status}',
    ],
    verdict: 'status-code-mismatch',
    anchor: A.statusCode,
    source: 'GUIDE table ("Probe status code mismatch: Received 401"); V1_CODES 7, 8',
  },
  {
    id: 'live-status',
    templates: ['received invalid status code', 'received invalid status code: {status}'],
    verdict: 'status-code-mismatch',
    anchor: A.statusCode,
    source: 'FIELD (v2 gateways, healthProbeErrorName HttpStatusCodeMismatchWithStatusCode)',
  },

  // --- HTTP body
  {
    id: 'guide-body',
    templates: ["body of the backend['s] http response did not match the probe setting"],
    verdict: 'body-mismatch',
    source: 'GUIDE all versions; FIELD (SelfHelpContent "Body of the backend HTTP response …")',
  },
  {
    id: 'body-mismatch',
    templates: ['probe response body mismatch', 'received response body does not contain'],
    verdict: 'body-mismatch',
    source: 'V1_CODES 9, 15; FIELD',
  },

  // --- certificate name
  {
    id: 'guide-cn-leaf',
    templates: ['the common name of the leaf certificate presented by the backend server does not match'],
    verdict: 'cert-cn-mismatch',
    source: 'GUIDE 2023-2026; TSG_502',
  },
  {
    id: 'guide-cn',
    templates: ['the common name [(cn)] of the backend certificate does not match'],
    verdict: 'cert-cn-mismatch',
    source: 'GUIDE 2019-2026',
  },
  {
    id: 'v1-cn',
    templates: ['invalid certificate - invalid cn'],
    verdict: 'cert-cn-mismatch',
    source: 'V1_CODES 12',
  },

  // --- certificate dates
  {
    id: 'guide-expired',
    templates: ['backend certificate is invalid. current date is not within'],
    verdict: 'cert-expired',
    source: 'GUIDE all versions',
  },
  {
    id: 'v1-expired',
    templates: ['backend server certificate expired'],
    verdict: 'cert-expired',
    source: 'V1_CODES 20',
  },

  // --- certificate chain
  {
    id: 'guide-intermediate-missing',
    templates: ['the intermediate certificate is missing'],
    verdict: 'cert-chain-incomplete',
    anchor: A.intermediateMissing,
    source: 'GUIDE 2023-2026',
  },
  {
    id: 'live-only-leaf',
    templates: ['the backend server is presenting an incomplete certificate chain'],
    verdict: 'cert-chain-incomplete',
    anchor: A.intermediateMissing,
    source: 'TSG_502 (IncompleteBackendCertificateChainOnlyLeafCertificateIsPresent)',
  },
  {
    id: 'guide-leaf-missing',
    templates: ['the leaf certificate is missing'],
    verdict: 'cert-chain-incomplete',
    anchor: A.leafMissing,
    source: 'GUIDE 2023-2026; TSG_502',
  },
  {
    id: 'guide-leaf-topmost',
    templates: ['the leaf certificate is not the topmost certificate'],
    verdict: 'cert-chain-incomplete',
    anchor: A.leafTopmost,
    source: 'GUIDE 2023-2026; TSG_502',
  },

  // --- certificate authority
  {
    id: 'guide-intermediate-not-well-known',
    templates: ['the intermediate certificate [is] not signed by a well-known'],
    verdict: 'cert-untrusted-ca',
    anchor: A.intermediateNotWellKnown,
    source: 'GUIDE 2023-2026; TSG_502',
  },
  {
    id: 'guide-server-not-well-known',
    templates: [
      '[the] backend server certificate is not signed by a well-known',
      'the server certificate used by the backend is not signed by a well-known',
    ],
    verdict: 'cert-untrusted-ca',
    anchor: A.serverNotWellKnown,
    source: 'GUIDE all versions; TSG_502',
  },
  {
    id: 'v1-invalid-ca',
    templates: ['invalid certificate - invalid ca'],
    verdict: 'cert-untrusted-ca',
    source: 'V1_CODES 11',
  },

  // --- trusted root / authentication certificate
  {
    id: 'guide-intermediate-no-root',
    templates: ['the intermediate certificate [is] not signed by any root certificate[s]'],
    verdict: 'cert-root-mismatch',
    anchor: A.rootMismatchNoRoot,
    source: 'GUIDE 2023-2026',
  },
  {
    id: 'guide-root-mismatch',
    templates: [
      'the root certificate of the server certificate used by the backend does not match the trusted root certificate',
    ],
    verdict: 'cert-root-mismatch',
    anchor: A.rootMismatch,
    source: 'GUIDE all versions; V1_CODES 18',
  },
  {
    id: 'v1-not-allowlisted',
    templates: ['backend server certificate is not allowlisted'],
    verdict: 'cert-root-mismatch',
    source:
      'V1_CODES 10; TSG_502 (aka.ms/authcertificatemismatch); FIELD (ILB ASE article: "is not whitelisted" 2018, "is not allow listed", "isn\'t allow-listed" today)',
  },
  {
    id: 'v1-trusted-certs-not-loaded',
    templates: ['application gateway could not find any certificate-related information in the trusted root'],
    verdict: 'cert-root-mismatch',
    source: 'V1_CODES 19',
  },

  // --- verification
  {
    id: 'guide-verify',
    templates: ['the validity of the backend certificate could not be verified'],
    verdict: 'cert-verify-failed',
    anchor: A.verifyFailed,
    source: 'GUIDE all versions; V1_CODES 17',
  },
  {
    id: 'v1-marked-invalid',
    templates: ['backend certificate has been marked invalid'],
    verdict: 'cert-verify-failed',
    source: 'TSG_502 (v1, BackendSecureConnectionError)',
  },
  {
    id: 'v1-https-connection',
    templates: ['https probe connection error'],
    verdict: 'cert-verify-failed',
    source: 'V1_CODES 13',
  },

  // --- PROXY protocol
  {
    id: 'guide-proxy',
    templates: ['verify that the backend server is set up to accept the proxy protocol header'],
    verdict: 'proxy-protocol',
    anchor: A.proxyProtocol,
    source: 'GUIDE 2025-2026',
  },
];

interface CompiledFrame {
  readonly frame: ProbeFrame;
  readonly patterns: readonly RegExp[];
}

const COMPILED: readonly CompiledFrame[] = PROBE_FRAMES.map((frame) => ({
  frame,
  patterns: frame.templates.map((template) => compileTemplate(template, { whole: frame.whole })),
}));

export interface FrameMatch {
  readonly frame: ProbeFrame;
  /** Where the frame starts in the normalised message, and how long the matched text is. */
  readonly index: number;
  readonly length: number;
  /** The HTTP status the gateway wrote into the frame's `{status}` hole, if it has one and it is filled. */
  readonly receivedStatus?: number;
}

/** The frame of a normalised message (earliest, then longest, then first in the table), or undefined. */
export function findFrame(normalised: string): FrameMatch | undefined {
  let best: FrameMatch | undefined;
  for (const { frame, patterns } of COMPILED) {
    for (const pattern of patterns) {
      const found = pattern.exec(normalised);
      if (!found) continue;
      const better =
        best === undefined ||
        found.index < best.index ||
        (found.index === best.index && found[0].length > best.length);
      if (!better) continue;
      const status = found.groups?.['status'];
      best = {
        frame,
        index: found.index,
        length: found[0].length,
        ...(status === undefined ? {} : { receivedStatus: Number(status) }),
      };
    }
  }
  return best;
}
