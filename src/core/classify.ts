/**
 * Why is this backend server not healthy? Reads the gateway's probe message (`healthProbeLog`) and health state
 * and names a cause from the catalogue (./causes.ts).
 *
 * The probe messages are those of Microsoft's troubleshooting guide, in every wording it has had since 2019
 * (test/fixtures/probe-logs/troubleshooting-guide.json), plus the longer forms live gateways emit. Rules match
 * stable keywords, never whole sentences: wording drifts ("is not"/"isn't", "time-out"/"timeout", "whitelist"/
 * "allowlist", capitals, final periods) and live gateways fill in values (status codes, host names, error codes).
 *
 * Decisions:
 * - State `draining` always gives `draining`: the gateway is deliberately taking the server out of rotation, so a
 *   probe message says nothing actionable until draining ends. The message is kept as the last step.
 * - State `unknown` with a recognised message gives that message's cause (e.g. the guide's DNS message); with none,
 *   or an unrecognised one, `health-unknown` (the state is the diagnosis), the message kept as the last step.
 * - A success message ("Success. Received 200 status code") is not a cause: on a server that is not healthy it is
 *   stale or flapping, and classifies like no message at all.
 * - Any other state with no recognised message gives `other`, with the message quoted verbatim (never dropped).
 *
 * To add a cause: add a row to PROBE_RULES (and, for a new id, an entry to the catalogue).
 */
import { GUIDE_ANCHORS, causeFor, type Cause, type CauseId } from './causes';
import type { HealthState } from './model';

export interface ProbeRule {
  /** Tested against the normalised message (lower case, single spaces, plain quotes, no markdown escapes). */
  readonly pattern: RegExp;
  /** `null`: the message reports success, which is not a cause. */
  readonly cause: CauseId | null;
  /** The guide section for this message, when it is more precise than the cause's own. */
  readonly anchor?: string;
}

/** "could not" and its variants. */
const CANNOT = "(?:could not|couldn't|couldnt|cannot|can not|can't|unable to)";

/** First match wins, so the most specific rules come first: certificates, then the generic network ones. */
export const PROBE_RULES: readonly ProbeRule[] = [
  { pattern: /^success\b/, cause: null },
  { pattern: /proxy protocol/, cause: 'proxy-protocol' },
  { pattern: /common name|\(cn\)/, cause: 'cert-cn-mismatch' },
  {
    pattern: /intermediate certificate (?:is |was )?missing|missing intermediate/,
    cause: 'cert-chain-incomplete',
    anchor: GUIDE_ANCHORS.intermediateMissing,
  },
  {
    pattern: /leaf (?:or server )?certificate (?:is |was )?missing|incomplete certificate chain/,
    cause: 'cert-chain-incomplete',
    anchor: GUIDE_ANCHORS.leafMissing,
  },
  { pattern: /topmost/, cause: 'cert-chain-incomplete', anchor: GUIDE_ANCHORS.leafTopmost },
  {
    pattern: /intermediate certificate[^.]*(?:well[- ]?known|publicly known)/,
    cause: 'cert-untrusted-ca',
    anchor: GUIDE_ANCHORS.intermediateNotWellKnown,
  },
  {
    pattern: /well[- ]?known (?:certificate authority|ca)\b|publicly known ca|invalid ca\b/,
    cause: 'cert-untrusted-ca',
  },
  {
    pattern: /not signed by any root/,
    cause: 'cert-root-mismatch',
    anchor: GUIDE_ANCHORS.rootMismatchNoRoot,
  },
  { pattern: /trusted root|not whitelisted|authentication certificate/, cause: 'cert-root-mismatch' },
  { pattern: /marked invalid/, cause: 'cert-verify-failed' },
  {
    pattern:
      /valid from|valid to\b|date range|not yet valid|certificate[^.]*expired|expired[^.]*certificate|backend certificate is invalid/,
    cause: 'cert-expired',
  },
  {
    pattern: new RegExp(`${CANNOT} (?:be )?verif|verification failed|open ?ssl`),
    cause: 'cert-verify-failed',
  },
  {
    pattern: new RegExp(`health status ${CANNOT} (?:be )?retrieved|unknownbackendhealth`),
    cause: 'health-unknown',
  },
  { pattern: /response body|body of the backend/, cause: 'body-mismatch' },
  { pattern: /status code|received ?:? ?\d{3}\b/, cause: 'status-code-mismatch' },
  { pattern: /time-?out|timed out|time taken by the backend/, cause: 'probe-timeout' },
  {
    pattern: new RegExp(
      `create a probe|\\bdns\\b|${CANNOT} (?:be )?resolved|name resolution|hostnamenotresolved`,
    ),
    cause: 'dns-resolution',
  },
  {
    pattern: new RegExp(
      `${CANNOT} connect|connection refused|servernotreachable|not reachable|nsg/udr/firewall|tcp connect`,
    ),
    cause: 'tcp-connect',
  },
];

/** Lower case, typographic quotes made plain, markdown escapes and bold markers removed, whitespace collapsed. */
export function normaliseProbeLog(log: string): string {
  return log
    .replace(/[\u2018\u2019\u02bc\u00b4`]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\\(?=['"*_<>])/g, '')
    .replace(/\*+/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The first rule the message matches, or undefined. */
export function matchProbeLog(log: string): ProbeRule | undefined {
  const text = normaliseProbeLog(log);
  if (!text) return undefined;
  return PROBE_RULES.find((rule) => rule.pattern.test(text));
}

const STATUS_PATTERNS: readonly RegExp[] = [
  /received invalid status code ?:? ?(\d{3})\b/, // live: "Received invalid status code: 401 in the backend server's HTTP response."
  /received ?:? ?(\d{3})\b/, // guide: "Received:{code}", "Probe status code mismatch: Received 401", "Received 503 status code"
  /status code ?:? ?(\d{3})\b/, // "status code 503"
];

/** The HTTP status the backend returned, as a status-code-mismatch message states it; undefined if it doesn't. */
export function parseReceivedStatus(log: string): number | undefined {
  const text = normaliseProbeLog(log);
  for (const pattern of STATUS_PATTERNS) {
    const digits = pattern.exec(text)?.[1];
    if (digits !== undefined) {
      const status = Number(digits);
      if (status >= 100 && status <= 599) return status;
    }
  }
  return undefined;
}

const SUCCESS_TITLE = 'The last probe succeeded, yet the server is not reported healthy';
const SUCCESS_NOTE =
  'The last probe message reports success, yet the server is not reported healthy: its health is changing, or not every gateway instance sees it the same way. Check Backend health again after a probe interval.';

export function classifyCause(input: { state: HealthState; probeLog: string }): Cause {
  const log = typeof input.probeLog === 'string' ? input.probeLog : '';
  if (input.state === 'draining') return causeFor('draining', { probeLog: log });

  const rule = matchProbeLog(log);
  if (rule && rule.cause !== null) {
    const receivedStatus = rule.cause === 'status-code-mismatch' ? parseReceivedStatus(log) : undefined;
    return causeFor(rule.cause, { anchor: rule.anchor, receivedStatus });
  }
  if (input.state === 'unknown') return causeFor('health-unknown', { probeLog: log });
  if (rule !== undefined && input.state !== 'healthy') {
    return causeFor('other', { probeLog: log, note: SUCCESS_NOTE, title: SUCCESS_TITLE });
  }
  return causeFor('other', { probeLog: log });
}
