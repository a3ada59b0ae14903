import { groupCounts, type NoticeGroup } from '../../../core/notice/grouping';
import type { NoticeType } from '../../../core/notice/notice';
import { clip, wellFormed } from '../text';
import { JSON_HEADERS, type WebhookPayload } from '../webhook-format';
import { toWebhookEvent, type WebhookEventV1 } from './json-payload';
import { webhookId } from './standard-webhooks';

/** The grouped event's `type` (SCHEMA.md "Grouped event"): versioned in the name, as CloudEvents types are. */
export const GROUP_EVENT_TYPE = 'gateway.group.v1';

/**
 * Past this many bytes a grouped body leaves out its notices' `insight.markdown` (each listed in that
 * notice's `truncated`): the insight files keep it, and 50 notices with 64 KB articles would be 3 MB.
 */
export const GROUP_EVENT_MAX_BYTES = 1_048_576;

/**
 * The grouped event, version 1: one gateway's notices of one flush (core/notice/grouping.ts), each the
 * per-server event (schema version 1) with its own stable `id`, in the order they were decided.
 */
export interface GroupEventV1 {
  readonly schemaVersion: 1;
  readonly type: typeof GROUP_EVENT_TYPE;
  /** `appgw-grp-…`: stable for the same notices (a retry); de-duplicate on the notices' ids. */
  readonly id: string;
  readonly occurredAt: string;
  readonly gateway: WebhookEventV1['gateway'];
  /** How many of `notices` are of each type. */
  readonly counts: Readonly<Record<NoticeType, number>>;
  /**
   * Of `counts.recovered`, how many ended their episode without a recovery (each notice's `ended` says
   * why: a gateway deleted, a server removed …); absent when none. A receiver reading `counts` alone
   * took a deleted gateway's end for a recovery (a break trial).
   */
  readonly ended?: number;
  readonly notices: readonly WebhookEventV1[];
}

/** Group → grouped event. Pure. */
export function toGroupEvent(
  group: NoticeGroup,
  options: { readonly withMarkdown?: boolean } = {},
): GroupEventV1 {
  const short = (value: string) => clip(wellFormed(value), 2_048);
  const notices = group.notices.map((notice) => {
    const event = toWebhookEvent(notice);
    if (options.withMarkdown !== false || !event.insight) return event;
    const { markdown: _left, ...insight } = event.insight;
    return {
      ...event,
      insight: { ...insight, markdown: '' },
      truncated: [...(event.truncated ?? []), '/insight/markdown'],
    };
  });
  const ended = notices.filter((n) => n.ended !== undefined).length;
  return {
    schemaVersion: 1,
    type: GROUP_EVENT_TYPE,
    id: short(group.id),
    occurredAt: short(group.occurredAt),
    gateway: {
      id: short(group.gateway.id),
      name: short(group.gateway.name),
      resourceGroup: short(group.gateway.resourceGroup),
      subscriptionId: short(group.gateway.subscriptionId),
    },
    counts: groupCounts(group),
    ...(ended > 0 ? { ended } : {}),
    notices,
  };
}

/** The grouped event's JSON, without the articles' markdown when it would pass GROUP_EVENT_MAX_BYTES. */
export function groupEventBody(
  group: NoticeGroup,
  wrap: (event: GroupEventV1) => unknown = (e) => e,
): string {
  const body = JSON.stringify(wrap(toGroupEvent(group)));
  if (Buffer.byteLength(body, 'utf8') <= GROUP_EVENT_MAX_BYTES) return body;
  return JSON.stringify(wrap(toGroupEvent(group, { withMarkdown: false })));
}

/** `format: "json"`, grouped: `webhook-id` is the group's id (signed per attempt like a notice). */
export function buildJsonGroupPayload(group: NoticeGroup): WebhookPayload {
  return {
    body: groupEventBody(group),
    headers: {
      ...JSON_HEADERS,
      'webhook-id': webhookId(group.id),
    },
  };
}
