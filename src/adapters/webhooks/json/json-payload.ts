import { fitStep } from '../../../core/notice/step-fit';
import type { Notice, NoticeType, RecoveredReason } from '../../../core/notice/notice';
import { episodeId } from '../../../core/notice/episode';
import { endingWords } from '../../../core/notice/notice-labels';
import type { Severity } from '../../../core/notice/severity';
import { clip, wellFormed } from '../text';
import { JSON_HEADERS, type ResolvedWebhookConfig, type WebhookPayload } from '../webhook-format';
import { signatureHeaders, webhookId } from './standard-webhooks';

/** The event's version (SCHEMA.md). Fields are added within a version, never renamed or removed. */
export const EVENT_SCHEMA_VERSION = 1;

/** Longest string per field, in UTF-16 code units; a longer value is cut, ends with "…", and its path is listed in `truncated`. */
export const EVENT_LIMITS = {
  short: 2_048,
  probeLog: 16_384,
  text: 16_384,
  markdown: 65_536,
  steps: 50,
} as const;

/** Version 1 of the JSON event (documented in SCHEMA.md, described by event-v1.schema.json). */
export interface WebhookEventV1 {
  readonly schemaVersion: 1;
  readonly id: string;
  /**
   * The episode (core/notice/episode.ts): the same on every notice of one server's bad spell, from its
   * `degraded` to its `recovered` (PagerDuty's `dedup_key`); another for the next one. Optional in the
   * schema, as version 1 gains only optional fields (earlier releases sent none).
   */
  readonly episodeId: string;
  readonly type: NoticeType;
  readonly occurredAt: string;
  readonly degradedSince: string;
  readonly gateway: {
    readonly id: string;
    readonly name: string;
    readonly resourceGroup: string;
    readonly subscriptionId: string;
  };
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly server: {
    readonly address: string;
    readonly health: string;
    readonly probeLog: string;
    readonly was?: { readonly health: string; readonly probeLog: string };
  };
  readonly cause: {
    readonly id: string;
    readonly title: string;
    readonly steps: readonly string[];
    readonly docUrl: string;
    readonly receivedStatus?: number;
  };
  /**
   * `critical` or `warning` (core/notice/severity.ts); for `recovered`, the episode's. Always sent;
   * optional in the schema, as version 1 gains only optional fields (earlier releases sent none).
   */
  readonly severity: Severity;
  /** `degraded` only, sent again because the severity rose: from what (Notice.raisedFrom). */
  readonly raisedFrom?: Severity;
  /** `degraded` only, sent again because the cause changed: the cause id told before (Notice.causeChangedFrom). */
  readonly causeChangedFrom?: string;
  /** `recovered` only: one of RECOVERED_REASONS, the schema's `reason.enum`. */
  readonly reason?: RecoveredReason;
  /** `gateway`: a gateway-level notice (every pool bad, core/notice/inhibit.ts); absent: one server. */
  readonly scope?: 'gateway';
  /**
   * `recovered` only, when its episode ended without the server (or gateway) known healthy: why, in
   * words (notice-labels.ts endingWords: `gateway deleted`, or episodeEnding's), as report.json's
   * `deliveries[].ended` says it and the chat cards head it "Episode ended". Absent for a recovery. So a
   * receiver need not work it out from `reason` and `scope` (a break trial's finding).
   */
  readonly ended?: string;
  readonly insight?: {
    readonly title: string;
    readonly summary: string;
    readonly markdown: string;
    readonly path: string;
  };
  /** JSON Pointers of the strings that were cut to fit EVENT_LIMITS; absent when nothing was. */
  readonly truncated?: readonly string[];
}

/** Notice → event. Pure. Strings are made well-formed Unicode and cut to EVENT_LIMITS. */
export function toWebhookEvent(notice: Notice): WebhookEventV1 {
  const truncated: string[] = [];
  const text = (pointer: string, value: string, max: number = EVENT_LIMITS.short): string => {
    const whole = wellFormed(value);
    const out = clip(whole, max);
    if (out !== whole) truncated.push(pointer);
    return out;
  };
  const steps = notice.cause.steps.slice(0, EVENT_LIMITS.steps);
  const ended = endingWords(notice);
  if (notice.cause.steps.length > steps.length) truncated.push('/cause/steps');
  const event: WebhookEventV1 = {
    schemaVersion: EVENT_SCHEMA_VERSION,
    id: text('/id', notice.id),
    episodeId: text('/episodeId', episodeId(notice)),
    type: notice.type,
    occurredAt: text('/occurredAt', notice.occurredAt),
    degradedSince: text('/degradedSince', notice.degradedSince),
    gateway: {
      id: text('/gateway/id', notice.gateway.id),
      name: text('/gateway/name', notice.gateway.name),
      resourceGroup: text('/gateway/resourceGroup', notice.gateway.resourceGroup),
      subscriptionId: text('/gateway/subscriptionId', notice.gateway.subscriptionId),
    },
    backendPool: text('/backendPool', notice.backendPool),
    backendSettings: text('/backendSettings', notice.backendSettings),
    server: {
      address: text('/server/address', notice.server.address),
      health: text('/server/health', notice.server.health),
      probeLog: text('/server/probeLog', notice.server.probeLog, EVENT_LIMITS.probeLog),
      ...(notice.server.was
        ? {
            was: {
              health: text('/server/was/health', notice.server.was.health),
              probeLog: text('/server/was/probeLog', notice.server.was.probeLog, EVENT_LIMITS.probeLog),
            },
          }
        : {}),
    },
    cause: {
      id: notice.cause.id,
      title: text('/cause/title', notice.cause.title, EVENT_LIMITS.text),
      // Never a command cut partway (step-fit.ts): a step too long points to the insight for its commands.
      steps: steps.map((step, i) => {
        const fitted = fitStep(step, (t) => wellFormed(t).length <= EVENT_LIMITS.text);
        if (fitted !== step) truncated.push(`/cause/steps/${i}`);
        return text(`/cause/steps/${i}`, fitted, EVENT_LIMITS.text);
      }),
      docUrl: text('/cause/docUrl', notice.cause.docUrl),
      ...(notice.cause.receivedStatus !== undefined ? { receivedStatus: notice.cause.receivedStatus } : {}),
    },
    // One of two fixed values (the schema's enum), like `reason` below: never cut.
    severity: notice.severity,
    ...(notice.raisedFrom !== undefined ? { raisedFrom: notice.raisedFrom } : {}),
    ...(notice.causeChangedFrom !== undefined
      ? { causeChangedFrom: text('/causeChangedFrom', notice.causeChangedFrom) }
      : {}),
    // One of a fixed set of short texts (the schema's enum): never cut, nothing to make well-formed.
    ...(notice.reason !== undefined ? { reason: notice.reason } : {}),
    ...(notice.scope === 'gateway' ? { scope: 'gateway' as const } : {}),
    // One of a fixed set of our own texts (the schema's enum): never cut.
    ...(ended !== undefined ? { ended } : {}),
    ...(notice.insight
      ? {
          insight: {
            title: text('/insight/title', notice.insight.title, EVENT_LIMITS.text),
            summary: text('/insight/summary', notice.insight.summary, EVENT_LIMITS.text),
            markdown: text('/insight/markdown', notice.insight.markdown, EVENT_LIMITS.markdown),
            path: text('/insight/path', notice.insight.path),
          },
        }
      : {}),
  };
  return truncated.length > 0 ? { ...event, truncated } : event;
}

/** `format: "json"`: the event as `application/json`, with `webhook-id` (the notice id) for de-duplication. */
export function buildJsonPayload(notice: Notice): WebhookPayload {
  return {
    body: JSON.stringify(toWebhookEvent(notice)),
    headers: {
      ...JSON_HEADERS,
      'webhook-id': webhookId(notice.id),
    },
  };
}

/** Per attempt: `webhook-timestamp`, and with a secret the Standard Webhooks signature over this attempt's time. */
export function jsonAttemptHeaders(
  payload: WebhookPayload,
  notice: Notice,
  config: Pick<ResolvedWebhookConfig, 'secret'>,
  now: Date,
): Record<string, string> {
  if (!config.secret) return { 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)) };
  return signatureHeaders({ id: webhookId(notice.id), body: payload.body, secret: config.secret, now });
}
