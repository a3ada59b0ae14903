import { episodeId } from '../../../core/notice/episode';
import type { Notice } from '../../../core/notice/notice';
import { toWebhookEvent, type WebhookEventV1 } from '../json/json-payload';
import { clip, serverIdentity, singleLine, wellFormed } from '../text';
import { JSON_HEADERS, type ResolvedWebhookConfig, type WebhookPayload } from '../webhook-format';

/**
 * PagerDuty Events API v2 alert events (PagerDuty/developer-docs, docs/events-API-v2/02-Trigger-Events.md
 * and 01-Overview.md; https://developer.pagerduty.com/docs/events-api-v2/overview/):
 * - `degraded` and `still-degraded` are `trigger`, `recovered` is `resolve`, all with `dedup_key` = the
 *   notice's episode id (core/notice/episode.ts), so the resolve closes the alert the trigger opened and
 *   a reminder or a changed cause adds to that alert instead of opening another ("Submitting subsequent
 *   events for the same dedup_key will result in those events being applied to an open alert");
 * - limits: `dedup_key` at most 255 characters, `payload.summary` at most 1024, the whole event at most
 *   512 KB ("Events API payloads are limited to 512 KB");
 * - answers: 202 accepted; 400 invalid (not retried: permanent, a dead letter); 429 and 5xx and network
 *   errors "retry after some time". Our POST already treats them so (post-retry.ts), as Alertmanager's
 *   PagerDuty notifier does (notify/pagerduty/pagerduty.go: retries 429 and 5xx).
 * `routing_key` is the receiver's secret: it is in the body only, and scrubbed from any answer.
 * Grouping (`notify.grouping: "gateway"`, core/notice/grouping.ts) keeps one alert per server episode
 * here, not one per gateway group: an Events API v2 request is one event, a `resolve` must close
 * exactly what its trigger opened (a per-gateway dedup_key would close every server's alert when the
 * first one recovers, or need a second episode model), and PagerDuty groups alerts into one incident
 * itself (Intelligent or Content-Based Alert Grouping, e.g. on `payload.group`, the gateway's name).
 * The group's timers still pace the events (`groupWait`, `groupInterval`).
 */

/** From 02-Trigger-Events.md: `payload.summary`, `dedup_key`; 01-Overview.md: the event (bytes). */
export const PAGERDUTY_LIMITS = { summary: 1024, dedupKey: 255, eventBytes: 512_000 } as const;

/** `payload.severity`: "critical, error, warning or info" (02-Trigger-Events.md). */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyLink {
  readonly href: string;
  readonly text: string;
}

export interface PagerDutyTrigger {
  readonly routing_key: string;
  readonly event_action: 'trigger';
  readonly dedup_key: string;
  readonly payload: {
    /** One line: server, health, gateway/pool/settings, cause. */
    readonly summary: string;
    /** The backend server's address: "the unique location of the affected system". */
    readonly source: string;
    readonly severity: PagerDutySeverity;
    /** The notice's occurredAt (ISO 8601). */
    readonly timestamp: string;
    /** `<pool>/<settings>`. */
    readonly component: string;
    /** The gateway's name. */
    readonly group: string;
    /** The cause id (`tcp-connect`, …). */
    readonly class: string;
    /** The json format's event (SCHEMA.md) without the insight's markdown, plus `episodeId`. */
    readonly custom_details: Record<string, unknown>;
  };
  readonly client: 'appgw-insights';
  readonly links?: readonly PagerDutyLink[];
}

/** 02-Trigger-Events.md's resolve example: the key, the action and the dedup_key, nothing else. */
export interface PagerDutyResolve {
  readonly routing_key: string;
  readonly event_action: 'resolve';
  readonly dedup_key: string;
}

/**
 * `payload.severity` from the notice's severity (core/notice/severity.ts): `critical` → `critical` (no
 * server of the pool may serve), `warning` → `warning`. PagerDuty's enum is "critical, error, warning
 * or info" (02-Trigger-Events.md, `payload.severity`); `error` and `info` are not used: we derive two
 * levels, and a receiver routes them (`match`).
 */
export function pagerDutySeverity(notice: Pick<Notice, 'severity'>): PagerDutySeverity {
  return notice.severity === 'critical' ? 'critical' : 'warning';
}

/** The event for `notice`, as an object (the routing key included: never log it). Pure. */
export function toPagerDutyEvent(notice: Notice, routingKey: string): PagerDutyTrigger | PagerDutyResolve {
  const dedupKey = clip(episodeId(notice), PAGERDUTY_LIMITS.dedupKey);
  if (notice.type === 'recovered')
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const line = (value: string, max: number) => clip(singleLine(value), max) || '-';
  // A trigger again because the severity rose says so first (payload.severity has the new one).
  // A changed cause likewise (Notice.causeChangedFrom): the trigger is news, not a repeat.
  const raised =
    (notice.raisedFrom ? `[severity raised from ${notice.raisedFrom}] ` : '') +
    (notice.causeChangedFrom ? `[cause changed from ${notice.causeChangedFrom}] ` : '');
  const summary =
    notice.scope === 'gateway'
      ? `${raised}Every backend pool of ${notice.gateway.name} is down: ${notice.server.probeLog}`
      : `${raised}${serverIdentity(notice)} is ${notice.server.health}: ${notice.cause.title}`;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: line(summary, PAGERDUTY_LIMITS.summary),
      source: line(notice.scope === 'gateway' ? notice.gateway.name : notice.server.address, 255),
      severity: pagerDutySeverity(notice),
      timestamp: notice.occurredAt,
      component: line(`${notice.backendPool}/${notice.backendSettings}`, 255),
      group: line(notice.gateway.name, 255),
      class: line(notice.cause.id, 255),
      custom_details: details(notice),
    },
    client: 'appgw-insights',
    ...linksOf(notice),
  };
}

/** `format: "pagerduty"`. Pure: the same notice and key give the same bytes (a retry re-sends them). */
export function buildPagerDutyPayload(
  notice: Notice,
  config: Pick<ResolvedWebhookConfig, 'routingKey'>,
): WebhookPayload {
  const event = toPagerDutyEvent(notice, config.routingKey ?? '');
  let body = JSON.stringify(event);
  if (event.event_action === 'trigger' && Buffer.byteLength(body) > PAGERDUTY_LIMITS.eventBytes) {
    // Cannot happen with the json event's own limits (EVENT_LIMITS), but PagerDuty refuses the whole
    // event past 512 KB: keep the alert, and say where the details went (Alertmanager does the same).
    body = JSON.stringify({
      ...event,
      payload: {
        ...event.payload,
        custom_details: {
          id: notice.id,
          episodeId: event.dedup_key,
          error: `the details were left out: the event exceeded PagerDuty's ${PAGERDUTY_LIMITS.eventBytes} bytes; see the insight files (${wellFormed(clip(notice.insight?.path ?? '-', 1024))})`,
        },
      },
    });
  }
  return {
    body,
    headers: JSON_HEADERS,
  };
}

function details(notice: Notice): Record<string, unknown> {
  const event: WebhookEventV1 = toWebhookEvent(notice);
  const { insight, ...rest } = event;
  // The article's markdown is the insight files' job; PagerDuty shows custom details as a table.
  const shown = insight ? { title: insight.title, summary: insight.summary, path: insight.path } : undefined;
  return { ...rest, episodeId: episodeId(notice), ...(shown ? { insight: shown } : {}) };
}

/**
 * The troubleshooting guide of the cause and the gateway in the Azure portal (the resource's deep link,
 * `https://portal.azure.com/#resource<ARM id>`), each only when it is a plain https URL. The insight
 * files have no URL of their own (the sinks are a folder or a container): their path is in the details.
 */
function linksOf(notice: Notice): { readonly links?: readonly PagerDutyLink[] } {
  const links: PagerDutyLink[] = [];
  const doc = notice.cause.docUrl;
  if (/^https:\/\/[^\s"<>]+$/.test(doc) && doc.length <= 2048)
    links.push({ href: doc, text: `Troubleshooting guide: ${clip(singleLine(notice.cause.title), 200)}` });
  if (
    /^\/subscriptions\/[A-Za-z0-9._~()'!*:@,;+=/-]+$/.test(notice.gateway.id) &&
    notice.gateway.id.length <= 1024
  )
    links.push({
      href: `https://portal.azure.com/#resource${notice.gateway.id}`,
      text: 'The application gateway in the Azure portal',
    });
  return links.length ? { links } : {};
}
