import { PAGERDUTY_EVENTS_URL } from '../../../src/adapters/webhooks/pagerduty/config';
import {
  buildPagerDutyPayload,
  PAGERDUTY_LIMITS,
  toPagerDutyEvent,
} from '../../../src/adapters/webhooks/pagerduty/pagerduty-payload';
import { resolveWebhookConfig } from '../../../src/adapters/webhooks/resolve-config';
import {
  createWebhookNotifier,
  type WebhookNotifierOptions,
} from '../../../src/adapters/webhooks/webhook-notifier';
import type { ResolvedWebhookConfig } from '../../../src/adapters/webhooks/webhook-format';
import { episodeId } from '../../../src/core/notice/episode';
import type { Notice } from '../../../src/core/notice/notice';
import { ConfigError } from '../../../src/errors';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver';
import { GATEWAY_ID, recoveredNotice, sampleNotice } from './support/notices';

/** Looks like an Events API v2 Integration Key: 32 letters and digits. Secret in every test here. */
const ROUTING_KEY = 'R01234567890abcdefABCDEF98765432';

interface Trigger {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload: Record<string, unknown> & { summary: string; custom_details: Record<string, unknown> };
  links?: Array<{ href: string; text: string }>;
  client?: string;
}

function event(notice: Notice, routingKey = ROUTING_KEY): Trigger {
  return JSON.parse(buildPagerDutyPayload(notice, { routingKey }).body) as Trigger;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('pagerduty format (Events API v2)', () => {
  it('degraded is a trigger: routing_key, dedup_key = the episode id, summary, source, severity, details, links', () => {
    const notice = sampleNotice();
    const body = event(notice);
    expect(body).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: episodeId(notice),
      client: 'appgw-insights',
      payload: {
        summary: `10.0.1.4 in pool pool-api, settings settings-https, of agw-prod is Unhealthy: ${notice.cause.title}`,
        source: '10.0.1.4',
        severity: 'critical',
        timestamp: '2026-03-01T10:15:00.000Z',
        component: 'pool-api/settings-https',
        group: 'agw-prod',
        class: 'status-code-mismatch',
      },
      links: [
        { href: notice.cause.docUrl, text: expect.stringMatching(/^Troubleshooting guide: /) },
        { href: `https://portal.azure.com/#resource${GATEWAY_ID}`, text: expect.any(String) },
      ],
    });
    expect(body.payload.custom_details).toMatchObject({
      id: notice.id,
      type: 'degraded',
      episodeId: episodeId(notice),
      server: { address: '10.0.1.4', probeLog: notice.server.probeLog },
      insight: { title: notice.insight?.title, summary: notice.insight?.summary, path: notice.insight?.path },
    });
    expect(body.payload.custom_details['insight']).not.toHaveProperty('markdown');
  });

  it('still-degraded and a changed cause trigger again on the same dedup_key; recovered resolves it with nothing else', () => {
    const degraded = sampleNotice();
    const reminder = sampleNotice({ id: 'appgw-1111111111111111', type: 'still-degraded' });
    const resolved = recoveredNotice();
    expect(event(reminder)).toMatchObject({ event_action: 'trigger', dedup_key: event(degraded).dedup_key });
    expect(event(resolved)).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: event(degraded).dedup_key,
    });
  });

  it('another episode of the same server, or another server, gets another dedup_key', () => {
    const first = event(sampleNotice()).dedup_key;
    expect(event(sampleNotice({ degradedSince: '2026-03-02T00:00:00.000Z' })).dedup_key).not.toBe(first);
    const other = sampleNotice();
    expect(event({ ...other, server: { ...other.server, address: '10.0.1.5' } }).dedup_key).not.toBe(first);
    expect(first.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.dedupKey);
  });

  it("payload.severity is the notice's severity, critical or warning (never error or info), whatever the health", () => {
    const base = sampleNotice();
    const of = (severity: 'critical' | 'warning', health: string) =>
      event({ ...base, severity, server: { ...base.server, health } }).payload['severity'];
    for (const health of ['Unknown', 'Down', 'Partial', 'SomethingNew']) {
      expect(of('critical', health)).toBe('critical');
      expect(of('warning', health)).toBe('warning');
    }
  });

  it('summary: one line, cut to 1024 characters; required fields never empty', () => {
    const base = sampleNotice();
    const long = event({
      ...base,
      server: { ...base.server, address: `${'a'.repeat(2000)}\nsecond line` },
      gateway: { ...base.gateway, name: '' },
    });
    expect(long.payload.summary.length).toBe(PAGERDUTY_LIMITS.summary);
    expect(long.payload.summary).toMatch(/…$/);
    expect(long.payload.summary).not.toMatch(/\n/);
    expect(long.payload['group']).toBe('-');
    const empty = event({ ...base, server: { ...base.server, address: ' ' } });
    expect(empty.payload['source']).toBe('-');
  });

  it('links only to plain https URLs: an odd doc URL or gateway id is left out, never sent', () => {
    const base = sampleNotice();
    const odd = event({
      ...base,
      cause: { ...base.cause, docUrl: 'javascript:alert(1)' },
      gateway: { ...base.gateway, id: '/subscriptions/x"><script>' },
    });
    expect(odd).not.toHaveProperty('links');
  });

  it('a huge notice still fits the 512 KB event limit', () => {
    const base = sampleNotice();
    const huge = {
      ...base,
      server: { ...base.server, probeLog: '\u0001'.repeat(300_000) },
      cause: { ...base.cause, steps: Array.from({ length: 200 }, () => '\u0002'.repeat(20_000)) },
      insight: { ...base.insight!, summary: '\u0003'.repeat(300_000), title: '\u0004'.repeat(300_000) },
    };
    const body = buildPagerDutyPayload(huge, { routingKey: ROUTING_KEY }).body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(PAGERDUTY_LIMITS.eventBytes);
    // The details went (they were past the limit: 50 steps of 16 384 characters, each escaped to 6 bytes);
    // the alert itself, and where to read the rest, remain.
    expect(JSON.parse(body)).toMatchObject({
      event_action: 'trigger',
      dedup_key: episodeId(base),
      payload: {
        summary: expect.any(String),
        custom_details: {
          id: base.id,
          error: expect.stringContaining(`see the insight files (${base.insight!.path})`),
        },
      },
    });
  });

  it('toPagerDutyEvent is pure: the same notice gives the same event', () => {
    expect(toPagerDutyEvent(sampleNotice(), ROUTING_KEY)).toEqual(
      toPagerDutyEvent(sampleNotice(), ROUTING_KEY),
    );
  });
});

describe('pagerduty receiver config', () => {
  it('url defaults to the Events API v2 endpoint; the routing key may come from the environment', () => {
    const config = resolveWebhookConfig(
      { name: 'pager', format: 'pagerduty', routingKey: { fromEnv: 'PD_KEY' } },
      { PD_KEY: ROUTING_KEY },
    );
    expect(config).toMatchObject({ url: PAGERDUTY_EVENTS_URL, routingKey: ROUTING_KEY, sendResolved: true });
    expect(PAGERDUTY_EVENTS_URL).toBe('https://events.pagerduty.com/v2/enqueue');
  });

  it.each([
    ['too short', 'abc'],
    ['33 characters', `${ROUTING_KEY}x`],
    ['a space inside', `${ROUTING_KEY.slice(0, 16)} ${ROUTING_KEY.slice(17)}`],
    ['a URL', 'https://events.pagerduty.com/x1'],
  ])('refuses a routing key that is %s, without quoting it', (_, key) => {
    const error = configError(() =>
      resolveWebhookConfig({ name: 'pager', format: 'pagerduty', routingKey: key }, {}),
    );
    expect(error.issues).toEqual([expect.stringMatching(/^webhook\.routingKey: must be the 32-character/)]);
    expect(error.message).not.toContain(key);
  });

  it('requires a routing key, names a missing variable, and refuses a secret', () => {
    expect(configError(() => resolveWebhookConfig({ name: 'p', format: 'pagerduty' }, {})).issues).toEqual([
      expect.stringMatching(/^webhook\.routingKey: /),
    ]);
    expect(
      configError(() =>
        resolveWebhookConfig({ name: 'p', format: 'pagerduty', routingKey: { fromEnv: 'PD_KEY' } }, {}),
      ).issues,
    ).toEqual([expect.stringMatching(/^webhook\.routingKey: .*PD_KEY/)]);
    expect(
      configError(() =>
        resolveWebhookConfig(
          { name: 'p', format: 'pagerduty', routingKey: ROUTING_KEY, secret: 'whsec_x' },
          {},
        ),
      ).issues,
    ).toEqual([expect.stringMatching(/^webhook\.secret: /)]);
  });

  it('other formats take no routingKey', () => {
    expect(
      configError(() =>
        resolveWebhookConfig(
          { name: 'p', format: 'json', url: 'https://example.com/h', routingKey: ROUTING_KEY },
          {},
        ),
      ).issues,
    ).toEqual([expect.stringMatching(/^webhook: .*routingKey/)]);
  });
});

describe('pagerduty over a loopback receiver', () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });
  afterEach(() => receiver.close());

  const instant: WebhookNotifierOptions = { sleep: async () => undefined, random: () => 0 };
  const config = (): ResolvedWebhookConfig => ({
    name: 'pager',
    format: 'pagerduty',
    url: receiver.url('/v2/enqueue'),
    timeoutInMs: 2_000,
    maxAttempts: 3,
    routingKey: ROUTING_KEY,
  });
  const accepted = { status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"x"}' };

  it('202 is delivered; the trigger and the resolve of one episode carry one dedup_key', async () => {
    receiver.setDefault(accepted);
    const notifier = createWebhookNotifier(config(), instant);
    expect((await notifier.send(sampleNotice())).ok).toBe(true);
    expect((await notifier.send(recoveredNotice())).ok).toBe(true);
    const [trigger, resolve] = receiver.requests.map((r) => JSON.parse(r.body) as Trigger);
    expect(trigger?.event_action).toBe('trigger');
    expect(resolve?.event_action).toBe('resolve');
    expect(resolve?.dedup_key).toBe(trigger?.dedup_key);
    expect(receiver.requests[0]?.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it.each([429, 500, 502, 503])('%i is retried (same bytes), then delivered', async (status) => {
    receiver.failNext(1, status);
    receiver.setDefault(accepted);
    const result = await createWebhookNotifier(config(), instant).send(sampleNotice());
    expect(result.ok).toBe(true);
    expect(result.attempts.map((a) => a.status)).toEqual([status, 202]);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
  });

  it('400 is permanent (not retried), reported with the answer, the routing key scrubbed from it', async () => {
    receiver.script({
      status: 400,
      body: `{"status":"invalid event","message":"Event object is invalid","errors":["routing_key ${ROUTING_KEY} unknown"]}`,
    });
    const result = await createWebhookNotifier(config(), instant).send(sampleNotice());
    expect(result).toMatchObject({ ok: false, error: { retryable: false } });
    expect(receiver.requests).toHaveLength(1);
    expect(result.error?.message).toContain('Event object is invalid');
    expect(JSON.stringify(result)).not.toContain(ROUTING_KEY);
  });
});
