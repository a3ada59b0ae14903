/**
 * Keyword rules: the fallback for messages that carry no known frame (./probe-frames.ts), such as the guide's
 * section headings quoted by people and tools ("TCP connect error"), shortened or paraphrased messages, and wordings
 * of future gateway versions. First match wins, so the most specific rules come first: the gateway's own side
 * (Unknown) before any backend-port cause, certificates before the generic network rules.
 *
 * Patterns are tested against the normalised message (./probe-text.ts): lower case, "is not"/"could not"/"cannot",
 * "allowlist", "timeout", "backend", "well-known", "openssl".
 */
import { GUIDE_ANCHORS, type CauseId } from './causes';

export interface ProbeRule {
  readonly pattern: RegExp;
  /** `null`: the message reports success, which is not a cause. */
  readonly cause: CauseId | null;
  /** The guide section for this message, when it is more precise than the cause's own. */
  readonly anchor?: string;
}

const CANNOT = '(?:could not|cannot|unable to)';

export const PROBE_RULES: readonly ProbeRule[] = [
  { pattern: /^success\b/, cause: null },
  { pattern: /proxy protocol/, cause: 'proxy-protocol' },
  {
    // The gateway's management ports (65503-65534 v1, 65200-65535 v2), GatewayManager, its health data: the
    // gateway can't report, which says nothing about the backend's port.
    pattern: new RegExp(
      `\\b655(?:0[3-9]|[1-9]\\d)\\b|\\b65200\\b|gateway ?manager|health status data|health status ${CANNOT} (?:be )?retrieved|${CANNOT} retrieve (?:the )?health|unknownbackendhealth|application gateway not reachable|management ports?`,
    ),
    cause: 'health-unknown',
  },
  { pattern: /common name|\(cn\)|invalid cn\b/, cause: 'cert-cn-mismatch' },
  {
    pattern: /intermediate certificate (?:is |was )?(?:missing|not found)|missing intermediate/,
    cause: 'cert-chain-incomplete',
    anchor: GUIDE_ANCHORS.intermediateMissing,
  },
  {
    pattern:
      /leaf (?:or server )?certificate (?:is |was )?(?:missing|not found)|incomplete certificate chain/,
    cause: 'cert-chain-incomplete',
    anchor: GUIDE_ANCHORS.leafMissing,
  },
  { pattern: /topmost/, cause: 'cert-chain-incomplete', anchor: GUIDE_ANCHORS.leafTopmost },
  {
    pattern: /intermediate certificate[^.]*(?:well-known|publicly known)/,
    cause: 'cert-untrusted-ca',
    anchor: GUIDE_ANCHORS.intermediateNotWellKnown,
  },
  {
    pattern: /well-known (?:certificate authority|ca)\b|publicly known ca|invalid ca\b/,
    cause: 'cert-untrusted-ca',
  },
  {
    pattern: /not signed by any root/,
    cause: 'cert-root-mismatch',
    anchor: GUIDE_ANCHORS.rootMismatchNoRoot,
  },
  {
    pattern: /trusted root|correct root certificate|not allowlisted|authentication certificate/,
    cause: 'cert-root-mismatch',
  },
  { pattern: /marked invalid|https probe connection|(?:tls|ssl) handshake/, cause: 'cert-verify-failed' },
  {
    pattern:
      /valid from|valid to\b|date range|not yet valid|certificate[^.]*expired|expired[^.]*certificate|backend certificate is invalid/,
    cause: 'cert-expired',
  },
  {
    pattern: new RegExp(`${CANNOT} (?:be )?verif|verification failed|openssl`),
    cause: 'cert-verify-failed',
  },
  { pattern: /response body|body of the backend|body mismatch/, cause: 'body-mismatch' },
  { pattern: /status code|received ?:? ?\d{3}\b/, cause: 'status-code-mismatch' },
  { pattern: /timeout|timed out|time taken by the backend/, cause: 'probe-timeout' },
  {
    pattern: new RegExp(
      `create a probe|\\bdns\\b|${CANNOT} (?:be )?resolved|name resolution|hostnamenotresolved|host not found`,
    ),
    cause: 'dns-resolution',
  },
  {
    pattern: new RegExp(
      `${CANNOT} connect|failed to connect|connection refused|servernotreachable|not reachable|${CANNOT} be reached|nsg/udr/firewall|tcp connect|tcp session`,
    ),
    cause: 'tcp-connect',
  },
];

/** The first rule a normalised message matches, or undefined. */
export function matchProbeRule(normalised: string): ProbeRule | undefined {
  if (!normalised) return undefined;
  return PROBE_RULES.find((rule) => rule.pattern.test(normalised));
}

const STATUS_PATTERNS: readonly RegExp[] = [
  /received invalid status code ?:? ?(\d{3})\b/, // live: "Received invalid status code: 401 in the backend server's HTTP response."
  /received ?:? ?(\d{3})\b/, // "Received:{code}", "Probe status code mismatch: Received 401", "Received 503 status code"
  /status code ?:? ?(\d{3})\b/, // "status code 503"
];

/** The HTTP status (100-599) an unframed normalised message states, or undefined. */
export function statusFromKeywords(normalised: string): number | undefined {
  for (const pattern of STATUS_PATTERNS) {
    const digits = pattern.exec(normalised)?.[1];
    if (digits !== undefined) {
      const status = Number(digits);
      if (status >= 100 && status <= 599) return status;
    }
  }
  return undefined;
}
