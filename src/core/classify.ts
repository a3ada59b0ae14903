/**
 * Why is this backend server not healthy? Reads the gateway's machine-readable error name, its probe message
 * (`healthProbeLog`) and the health state, and names a cause from the catalogue (./causes.ts).
 *
 * In order:
 * 1. State `draining` always gives `draining`: the gateway is deliberately taking the server out of rotation, so a
 *    probe message says nothing actionable until draining ends. The message is kept as the last step.
 * 2. A known `healthProbeErrorName` (./probe-error-names.ts) decides; the message only refines it (status code, guide
 *    section). An unknown or absent name leaves the decision to the message.
 * 3. The message's frame (./probe-frames.ts): the fixed text the gateway writes, in any of its wordings
 *    (./probe-text.ts). Text in the frame's holes or after it (match strings, host names, addresses, error codes)
 *    never decides.
 * 4. Only a message with no known frame goes to the keyword rules (./probe-rules.ts).
 *
 * Then:
 * - State `unknown` with a recognised cause gives that cause (e.g. the guide's DNS message); with none,
 *   `health-unknown` (the state is the diagnosis), the message kept as the last step.
 * - A success message ("Success. Received 200 status code") is not a cause: on a server that is not healthy it is
 *   stale or flapping, and gives `other` with a note saying so.
 * - Any other state with no recognised cause gives `other`, with the message quoted verbatim (never dropped).
 *
 * To recognise a new message: add a frame (its documented wording, with holes) to PROBE_FRAMES, a row to the
 * fixtures under test/fixtures/probe-logs/, and for a new cause id an entry to the catalogue.
 */
import { causeFor, type Cause, type CauseId } from './causes';
import type { HealthState } from './model';
import { readProbeErrorName } from './probe-error-names';
import { findFrame, type FrameVerdict } from './probe-frames';
import { matchProbeRule, statusFromKeywords } from './probe-rules';
import { normaliseProbeLog } from './probe-text';

export { normaliseProbeLog } from './probe-text';
export { PROBE_RULES, type ProbeRule } from './probe-rules';
export { PROBE_FRAMES, type ProbeFrame } from './probe-frames';

/** What a probe message says, and how we know. */
export interface ProbeLogReading {
  readonly verdict: FrameVerdict;
  /** The guide section for this message, when it is more precise than the cause's own. */
  readonly anchor?: string;
  /** For a status-code mismatch: the HTTP status (100-599) the gateway wrote into the message. */
  readonly receivedStatus?: number;
  /** `frame`: a known message frame (its id in `frameId`); `keyword`: a fallback rule. */
  readonly via: 'frame' | 'keyword';
  readonly frameId?: string;
}

function validStatus(status: number | undefined): number | undefined {
  return status !== undefined && status >= 100 && status <= 599 ? status : undefined;
}

/** Reads a raw probe message: its frame if it has one, else the first keyword rule; undefined if neither. */
export function readProbeLog(log: string): ProbeLogReading | undefined {
  const text = normaliseProbeLog(typeof log === 'string' ? log : '');
  if (!text) return undefined;
  const framed = findFrame(text);
  if (framed) {
    const { frame } = framed;
    const receivedStatus =
      frame.verdict === 'status-code-mismatch' ? validStatus(framed.receivedStatus) : undefined;
    return {
      verdict: frame.verdict,
      via: 'frame',
      frameId: frame.id,
      ...(frame.anchor === undefined ? {} : { anchor: frame.anchor }),
      ...(receivedStatus === undefined ? {} : { receivedStatus }),
    };
  }
  const rule = matchProbeRule(text);
  if (!rule) return undefined;
  const verdict: FrameVerdict = rule.cause ?? 'success';
  const receivedStatus = verdict === 'status-code-mismatch' ? statusFromKeywords(text) : undefined;
  return {
    verdict,
    via: 'keyword',
    ...(rule.anchor === undefined ? {} : { anchor: rule.anchor }),
    ...(receivedStatus === undefined ? {} : { receivedStatus }),
  };
}

/** The HTTP status the backend returned, as a status-code-mismatch message states it; undefined if it doesn't. */
export function parseReceivedStatus(log: string): number | undefined {
  return readProbeLog(log)?.receivedStatus;
}

const SUCCESS_TITLE = 'The last probe succeeded, yet the server is not reported healthy';
const SUCCESS_NOTE =
  'The last probe message reports success, yet the server is not reported healthy: its health is changing, or not every gateway instance sees it the same way. Check Backend health again after a probe interval.';

export interface ClassifyInput {
  readonly state: HealthState;
  /** The server's `healthProbeLog`, verbatim ('' when the gateway gave none). */
  readonly probeLog: string;
  /** The server's `healthProbeErrorName` when the gateway sent one (not in the REST spec; see ./probe-error-names.ts). */
  readonly probeErrorName?: string;
}

function isCause(verdict: FrameVerdict | undefined): verdict is CauseId {
  return verdict !== undefined && verdict !== 'success' && verdict !== 'unexplained';
}

/** The cause of a server's state, from its error name, probe message and state (see the file's docstring). */
export function classifyCause(input: ClassifyInput): Cause {
  const log = typeof input.probeLog === 'string' ? input.probeLog : '';
  if (input.state === 'draining') return causeFor('draining', { probeLog: log });

  const message = readProbeLog(log);
  const named = readProbeErrorName(input.probeErrorName);
  const verdict = named?.verdict ?? message?.verdict;
  const agrees = named === undefined || named.verdict === message?.verdict;

  if (isCause(verdict)) {
    const anchor = named?.anchor ?? (agrees ? message?.anchor : undefined);
    const receivedStatus =
      verdict === 'status-code-mismatch' && message?.verdict === 'status-code-mismatch'
        ? message.receivedStatus
        : undefined;
    return causeFor(verdict, { anchor, receivedStatus, probeLog: log });
  }
  if (input.state === 'unknown') return causeFor('health-unknown', { probeLog: log });
  if (verdict === 'success' && input.state !== 'healthy') {
    return causeFor('other', { probeLog: log, note: SUCCESS_NOTE, title: SUCCESS_TITLE });
  }
  return causeFor('other', { probeLog: log });
}
