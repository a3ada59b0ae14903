import type { Notice, NoticeType } from '../../../core/notice/notice';
import type { NoticeGroup } from '../../../core/notice/grouping';
import { groupEventBody } from '../json/group-payload';
import { toWebhookEvent, type WebhookEventV1 } from '../json/json-payload';
import { clip, wellFormed } from '../text';
import { USER_AGENT, type WebhookPayload } from '../webhook-format';

/**
 * CloudEvents 1.0, structured content mode, JSON event format: the attributes and the data in one
 * JSON body sent as `application/cloudevents+json`. `data` is the json format's event (SCHEMA.md).
 */

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/** Reverse-DNS event types, one per notice type. */
export const CLOUDEVENT_TYPES: Readonly<Record<NoticeType, string>> = {
  degraded: 'com.appgw-insights.backend.degraded',
  'still-degraded': 'com.appgw-insights.backend.still-degraded',
  recovered: 'com.appgw-insights.backend.recovered',
};

/** When the gateway id is not a usable URI-reference: `source` then names the producer. */
export const FALLBACK_SOURCE = 'urn:appgw-insights';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export interface CloudEventV1 {
  readonly specversion: '1.0';
  readonly id: string;
  /** The gateway's ARM id: a URI-reference (an absolute path) unique per gateway. */
  readonly source: string;
  readonly type: string;
  /** "<pool>/<settings>/<address>": which server, within the source. */
  readonly subject: string;
  /** RFC 3339: the notice's occurredAt (left out if that is not RFC 3339). */
  readonly time?: string;
  readonly datacontenttype: 'application/json';
  readonly data: WebhookEventV1;
}

/** The gateway's ARM id when it is a plain absolute path (a valid URI-reference), else FALLBACK_SOURCE. */
export function cloudEventSource(gatewayId: string): string {
  return /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]+$/.test(gatewayId) && gatewayId.length <= 2048
    ? gatewayId
    : FALLBACK_SOURCE;
}

export function toCloudEvent(notice: Notice): CloudEventV1 {
  const data = toWebhookEvent(notice);
  return cloudEvent(
    data,
    notice.gateway.id,
    CLOUDEVENT_TYPES[notice.type],
    `${notice.backendPool}/${notice.backendSettings}/${notice.server.address}`,
    notice.occurredAt,
  );
}

/**
 * The attributes around `data`, for a notice's event and a group's alike: `source` from the gateway's
 * id, `subject` well-formed and clipped (never empty), `time` only when `occurredAt` is RFC 3339.
 */
function cloudEvent<D extends { readonly id: string }>(
  data: D,
  gatewayId: string,
  type: string,
  subject: string,
  occurredAt: string,
): Omit<CloudEventV1, 'data'> & { readonly data: D } {
  return {
    specversion: '1.0',
    id: data.id || 'unknown',
    source: cloudEventSource(gatewayId),
    type,
    subject: clip(wellFormed(subject), 2048) || '-',
    ...(RFC3339.test(occurredAt) ? { time: occurredAt } : {}),
    datacontenttype: 'application/json',
    data,
  };
}

/** `application/cloudevents+json` (structured content mode). */
const CLOUDEVENTS_HEADERS: Readonly<Record<string, string>> = {
  'content-type': CLOUDEVENTS_CONTENT_TYPE,
  'user-agent': USER_AGENT,
};

/** `format: "cloudevents"`. Pure. */
export function buildCloudEventsPayload(notice: Notice): WebhookPayload {
  return { body: JSON.stringify(toCloudEvent(notice)), headers: CLOUDEVENTS_HEADERS };
}

/** The grouped event's CloudEvents type (its data is the json format's grouped event, SCHEMA.md). */
export const CLOUDEVENT_GROUP_TYPE = 'com.appgw-insights.gateway.group.v1';

/** `format: "cloudevents"`, grouped: one event per gateway flush; `subject` is the gateway's name. Pure. */
export function buildCloudEventsGroupPayload(group: NoticeGroup): WebhookPayload {
  const body = groupEventBody(group, (data) =>
    cloudEvent(data, group.gateway.id, CLOUDEVENT_GROUP_TYPE, group.gateway.name, group.occurredAt),
  );
  return { body, headers: CLOUDEVENTS_HEADERS };
}
