import { gatewayKey } from '../../core/arm-id';
import { datableTime } from '../../core/datable-time';
import * as z from '../../core/input/zod';
import { readGatewayTags } from '../../core/gateway-tags';
import { formatPath } from '../../core/input/format-issues';
import { terminalSafe } from '../../core/input/json-text';
import { isRecoveredReason, RECOVERED_REASONS, type RecoveredReason } from '../../core/notice/notice';
import type { DeadLetter, QueuedNotice, ReceiverOutbox } from '../../core/notice/outbox';
import type { GroupState } from '../../core/notice/grouping';
import type { ServerRecord } from '../../core/notice/server-record';
import { SEVERITIES } from '../../core/notice/severity';
import { StateInvalidError } from '../../errors';

export type { DeadLetter, QueuedNotice } from '../../core/notice/outbox';

/**
 * The one document the notifier keeps per gateway between runs (a file locally, a blob in Azure),
 * written with ETag conditions so two overlapping runs cannot both claim the same notices.
 * - `servers`: the episodes in progress (see core/notice/decide.ts);
 * - `outbox`: per receiver, notices decided but not yet accepted, oldest first. A notice a receiver
 *   would not take (retryably: down, time-out, 5xx) keeps its place and is re-sent, same id, before
 *   anything new on the next run;
 * - `deadLetters`: per receiver, notices refused for good or set aside past the bound, oldest first;
 *   reported every run, sent again only when re-sent by hand (`appgw-insights notify resend`);
 * - `groups`: per receiver in `gateway` grouping, the gateway's open group and its timers
 *   (core/notice/grouping.ts): when it started, when its last message was delivered.
 * Field names are a contract (README "Notify state"): add, never rename.
 */
export interface NotifyStateDocument {
  readonly version: 1;
  readonly servers: Readonly<Record<string, ServerRecord>>;
  readonly outbox: Readonly<Record<string, readonly QueuedNotice[]>>;
  readonly deadLetters: Readonly<Record<string, readonly DeadLetter[]>>;
  /** Absent in documents written before grouping: read as `{}`. */
  readonly groups?: Readonly<Record<string, GroupState>>;
  /**
   * ISO: when the newest reading counted for this gateway began (Observation.readAt): a reading that
   * began before it decides nothing (core/notice/reading-order.ts). Absent in documents written before
   * it, or when no reading with a time was counted yet: the next reading counts, as before.
   */
  readonly newestReadingAt?: string;
}

export const EMPTY_STATE: NotifyStateDocument = { version: 1, servers: {}, outbox: {}, deadLetters: {} };

const text = z.string();
const isoTime = z
  .string()
  .check(
    z.refine(
      (value) => datableTime(value) !== undefined,
      'must be an ISO 8601 date-time of the years 0000 to 9999',
    ),
  );
const count = z.int().check(z.gte(0));

/**
 * The gateway's tags as a record keeps them (GatewayRef.tags): read back through the same check as ARM's
 * answer (gateway-tags.ts), so a document edited by hand cannot carry tags ARM would refuse; tags that
 * fail it are dropped (unknown: no tag matcher matches), never the record.
 */
const storedTags = z.pipe(
  z.unknown(),
  z.transform((value) => (value === undefined ? undefined : readGatewayTags(value))),
);
const gateway = z.looseObject({
  id: text,
  name: text,
  resourceGroup: text,
  subscriptionId: text,
  tags: z.optional(storedTags),
});
const cause = z.looseObject({
  id: text,
  title: text,
  steps: z.array(text),
  docUrl: text,
  receivedStatus: z.optional(z.number()),
});
/**
 * Releases before the reasons were a fixed set wrote `now <health>, a state that is not reported` (the
 * health is also the notice's `server.health`): read as its fixed value, so a notice such a release
 * queued is sent with a reason the event schema lists.
 */
const LEGACY_NOT_REPORTED = /^now .*, a state that is not reported$/s;

/** A stored `reason` as one of RECOVERED_REASONS; undefined for any other text. */
function readRecoveredReason(value: string): RecoveredReason | undefined {
  if (isRecoveredReason(value)) return value;
  return LEGACY_NOT_REPORTED.test(value) ? RECOVERED_REASONS.notReported : undefined;
}

const recoveredReason = z.pipe(
  text.check(
    z.refine(
      (value) => readRecoveredReason(value) !== undefined,
      `must be one of ${Object.values(RECOVERED_REASONS)
        .map((reason) => JSON.stringify(reason))
        .join(', ')}`,
    ),
  ),
  z.transform((value: string) => readRecoveredReason(value) as RecoveredReason),
);

const severity = z.enum(SEVERITIES);

const notice = z.looseObject({
  id: z.string().check(z.minLength(1)),
  type: z.enum(['degraded', 'still-degraded', 'recovered']),
  occurredAt: isoTime,
  degradedSince: isoTime,
  gateway,
  backendPool: text,
  backendSettings: text,
  server: z.looseObject({
    address: text,
    health: text,
    probeLog: text,
    was: z.optional(z.looseObject({ health: text, probeLog: text })),
  }),
  cause,
  // A notice queued by a release before severity (severity.ts) is sent as `warning`.
  severity: z._default(severity, 'warning'),
  raisedFrom: z.optional(severity),
  causeChangedFrom: z.optional(text),
  reason: z.optional(recoveredReason),
  insight: z.optional(z.looseObject({ title: text, summary: text, markdown: text, path: text })),
});
const queuedNotice = z.looseObject({
  notice,
  queuedAt: isoTime,
  failedRuns: z._default(count, 0),
  lastError: z.optional(text),
  lastTriedAt: z.optional(isoTime),
  lease: z.optional(z.looseObject({ runId: text, until: isoTime })),
  opensEpisode: z.optional(z.boolean()),
  mayHaveReached: z.optional(z.boolean()),
});
const deadLetter = z.looseObject({
  notice,
  queuedAt: isoTime,
  failedRuns: z._default(count, 0),
  parkedAt: isoTime,
  reason: text,
  // Absent in documents of earlier releases: such a letter never makes its episode untold.
  opensEpisode: z.optional(z.boolean()),
  mayHaveReached: z.optional(z.boolean()),
});
const serverRecord = z.looseObject({
  gateway,
  backendPool: text,
  backendSettings: text,
  address: text,
  badRuns: count,
  degradedSince: isoTime,
  health: text,
  probeLog: text,
  cause,
  severity: z.optional(severity),
  goodRuns: z.optional(count),
  countedReading: z.optional(text),
  confirmed: z.optional(
    z.looseObject({
      at: isoTime,
      until: isoTime,
      badReadings: z.optional(count),
      lastBadAt: z.optional(isoTime),
    }),
  ),
  silenced: z.optional(
    z.looseObject({
      since: isoTime,
      at: isoTime,
      silenceIds: z.array(text),
      type: z.enum(['degraded', 'still-degraded', 'recovered']),
    }),
  ),
  notified: z.optional(
    z.looseObject({
      at: isoTime,
      causeId: text,
      repeats: count,
      severity: z.optional(severity),
      receivers: z.optional(z.array(text)),
      receiverSeverities: z.optional(z.record(z.string(), severity)),
    }),
  ),
});

/**
 * The document's schema, checked on every read (the config's style: zod, every problem named by its
 * path). Unknown fields are kept, so a document from a newer release of the same version round-trips.
 */
export const stateDocumentSchema = z.looseObject(
  {
    version: z.literal(1, {
      error: (issue) =>
        `is ${JSON.stringify(issue.input) ?? 'missing'}; this version reads and writes version 1 only`,
    }),
    servers: z._default(z.record(z.string(), serverRecord), {}),
    outbox: z._default(z.record(z.string(), z.array(queuedNotice)), {}),
    deadLetters: z._default(z.record(z.string(), z.array(deadLetter)), {}),
    groups: z.optional(
      z.record(z.string(), z.looseObject({ openedAt: isoTime, flushedAt: z.optional(isoTime) })),
    ),
    newestReadingAt: z.optional(isoTime),
  },
  { error: 'is not a JSON object {"version": 1, "servers", "outbox", "deadLetters"}' },
);

/**
 * A stored value as a state document: `undefined` (nothing stored yet) is the empty state; anything
 * that is not a version-1 document throws StateInvalidError naming `document` and each bad field.
 * Nothing is ever reset: the caller leaves the stored document as it is.
 */
export function parseStateDocument(value: unknown, document: string): NotifyStateDocument {
  if (value === undefined) return EMPTY_STATE;
  return parseStoredDocument(stateDocumentSchema, value, document) as unknown as NotifyStateDocument;
}

/**
 * A stored value checked by `schema` (the notify state, the silences): its data, or StateInvalidError
 * naming `document` and each bad field by its path (terminal-safe: the document may hold anything).
 */
export function parseStoredDocument<T>(schema: z.ZodMiniType<T>, value: unknown, document: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new StateInvalidError(
      document,
      result.error.issues.map((issue) =>
        terminalSafe(`${formatPath(issue.path) || '(root)'}: ${issue.message}`),
      ),
    );
  }
  return result.data;
}

/** One receiver's outbox in `doc`. */
export function receiverOutbox(doc: NotifyStateDocument, receiver: string): ReceiverOutbox {
  return { waiting: doc.outbox[receiver] ?? [], parked: doc.deadLetters[receiver] ?? [] };
}

/** Every receiver `doc` holds notices for (waiting or dead letters). */
export function receiversOf(doc: NotifyStateDocument): string[] {
  return [...new Set([...Object.keys(doc.outbox), ...Object.keys(doc.deadLetters)])];
}

/**
 * The ARM id of the gateway whose state `doc` holds, as its first server record, waiting notice or dead
 * letter names it; undefined for a document that names none (nothing recorded yet).
 */
function gatewayOfDocument(doc: NotifyStateDocument): string | undefined {
  const record = Object.values(doc.servers)[0];
  if (record) return record.gateway.id;
  for (const queue of [...Object.values(doc.outbox), ...Object.values(doc.deadLetters)])
    if (queue[0]) return queue[0].notice.gateway.id;
  return undefined;
}

/**
 * The ARM id of the other gateway whose state `doc`, listed under `key` (a gateway key: gatewayKey),
 * holds: a copy of a document made inside the state folder (a break trial's `backup-2026-12-01/` of a
 * subscription's folder, listed as a gateway of subscription "backup-2026-12-01"); undefined for a
 * document of its own place's gateway, or of none yet. Such a copy is never used: its gateway's own
 * document is the state; sending the copy's waiting notices would send them twice.
 */
export function copyOf(doc: NotifyStateDocument, key: string): string | undefined {
  const id = gatewayOfDocument(doc);
  return id !== undefined && gatewayKey(id) !== key ? id : undefined;
}

/** A document that is a copy (copyOf): its name, and the ARM id of the gateway whose state it holds. */
export interface CopiedDocument {
  readonly document: string;
  readonly gateway: string;
}

/** What a run or `notify list` says of a copy (copyOf): not used, and what to do. */
export function copiedDocumentText(copy: CopiedDocument): string {
  return `${copy.document} holds the state of gateway ${copy.gateway}, not of the gateway its place in the state folder names: not used (a copy made in the state folder? move it out of there)`;
}

/** Copies named in one warning (copiedDocumentsWarning); the rest are counted. */
const COPIES_NAMED = 3;

/**
 * One line for every copy (copyOf) a run or a command met: one said whole
 * (copiedDocumentText), several by their names (the first COPIES_NAMED, then how many more). A break
 * trial's copy of a subscription's folder printed 14 warnings on every run; then three whole texts made
 * one line too long to read.
 */
export function copiedDocumentsWarning(copies: readonly CopiedDocument[]): string {
  const sorted = [...copies].sort((a, b) => a.document.localeCompare(b.document));
  if (sorted.length === 1) return copiedDocumentText(sorted[0] as CopiedDocument);
  const named = sorted.slice(0, COPIES_NAMED).map((c) => c.document);
  const more = sorted.length > COPIES_NAMED ? ` and ${sorted.length - COPIES_NAMED} more` : '';
  return `${sorted.length} notify state documents hold another gateway's state than their place in the state folder names, and are not used (copies made in the state folder? move them out of there): ${named.join(', ')}${more}`;
}
