import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import {
  createWebhookNotifier,
  type WebhookNotifierOptions,
} from '../../../src/adapters/webhooks/webhook-notifier';
import type { ResolvedWebhookConfig } from '../../../src/adapters/webhooks/webhook-format';
import type { Notice } from '../../../src/core/notice/notice';
import { closedPortUrl, startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver';
import { sampleNotice } from './support/notices';
import {
  adaptiveCardProblems,
  schemaErrors,
  validateCloudEvent,
  validateSlackMessage,
} from './support/validators';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const TOKEN_PATH = '/workflows/0a1b2c/triggers/manual/paths/invoke?api-version=1&sig=SiGnAtUrEtOkEn42';

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const instant: WebhookNotifierOptions = { sleep: async () => undefined, random: () => 0 };

function config(overrides: Partial<ResolvedWebhookConfig> = {}): ResolvedWebhookConfig {
  return {
    name: 'ops',
    format: 'json',
    url: receiver.url('/hook'),
    timeoutInMs: 2_000,
    maxAttempts: 5,
    ...overrides,
  };
}

function signatureHeadersOf(headers: IncomingHttpHeaders): Record<string, string> {
  return {
    'webhook-id': String(headers['webhook-id']),
    'webhook-timestamp': String(headers['webhook-timestamp']),
    'webhook-signature': String(headers['webhook-signature']),
  };
}

describe('createWebhookNotifier', () => {
  it('is named webhook[<name>] and shows only scheme and host as its target', () => {
    const notifier = createWebhookNotifier(config({ url: receiver.url(TOKEN_PATH) }));
    expect(notifier.name).toBe('webhook[ops]');
    expect(notifier.target).toBe(`${receiver.origin}/[redacted]`);
    expect(notifier.format).toBe('json');
  });

  it('json: a receiver failing twice with 503 gets the notice on attempt 3, same id and body, each signature valid', async () => {
    receiver.failNext(2, 503);
    const base = Date.now();
    let ticks = 0;
    const now = () => new Date(base + 10_000 * ticks++);
    const notifier = createWebhookNotifier(config({ secret: SECRET }), { ...instant, now });
    const notice = sampleNotice();
    const result = await notifier.send(notice);
    expect(result).toEqual({
      ok: true,
      attempts: [
        expect.objectContaining({ status: 503 }),
        expect.objectContaining({ status: 503 }),
        expect.objectContaining({ status: 200 }),
      ],
    });
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([notice.id]));
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    const timestamps = receiver.requests.map((r) => Number(r.headers['webhook-timestamp']));
    expect(timestamps[0]!).toBeLessThan(timestamps[1]!); // signed afresh for each attempt
    expect(timestamps[1]!).toBeLessThan(timestamps[2]!);
    for (const request of receiver.requests) {
      expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(new Webhook(SECRET).verify(request.body, signatureHeadersOf(request.headers))).toMatchObject({
        id: notice.id,
      });
    }
    const tampered = receiver.requests[2]!.body.replace('pool-api', 'pool-xyz');
    expect(() =>
      new Webhook(SECRET).verify(tampered, signatureHeadersOf(receiver.requests[2]!.headers)),
    ).toThrow();
  });

  it('json without a secret: webhook-id and webhook-timestamp, no signature', async () => {
    await createWebhookNotifier(config(), instant).send(sampleNotice());
    expect(receiver.requests[0]?.headers).toMatchObject({ 'webhook-id': 'appgw-0123456789abcdef' });
    expect(receiver.requests[0]?.headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(receiver.requests[0]?.headers).not.toHaveProperty('webhook-signature');
  });

  it('teams: a 202 with an empty body is one POST and success', async () => {
    receiver.script({ status: 202, body: '' });
    const result = await createWebhookNotifier(config({ format: 'teams' }), instant).send(sampleNotice());
    expect(result).toEqual({ ok: true, attempts: [expect.objectContaining({ attempt: 1, status: 202 })] });
    expect(receiver.requests).toHaveLength(1);
    const message = JSON.parse(receiver.requests[0]!.body) as { attachments: { content: unknown }[] };
    expect(adaptiveCardProblems(message.attachments[0]?.content)).toEqual([]);
  });

  it('slack and cloudevents arrive valid, with their content types', async () => {
    await createWebhookNotifier(config({ format: 'slack' }), instant).send(sampleNotice());
    await createWebhookNotifier(config({ format: 'cloudevents' }), instant).send(sampleNotice());
    const [slack, cloudEvent] = receiver.requests;
    expect(slack?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(schemaErrors(validateSlackMessage, JSON.parse(slack!.body))).toEqual([]);
    expect(cloudEvent?.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(schemaErrors(validateCloudEvent, JSON.parse(cloudEvent!.body))).toEqual([]);
  });

  it('a receiver that is down: ok false, retryable, after maxAttempts; send does not throw', async () => {
    const notifier = createWebhookNotifier(config({ url: await closedPortUrl(), maxAttempts: 3 }), instant);
    const result = await notifier.send(sampleNotice());
    expect(result.ok).toBe(false);
    expect(result.attempts).toHaveLength(3);
    expect(result.error).toEqual({
      code: 'DeliveryFailed',
      message:
        'Delivery to webhook[ops] failed: network error (ECONNREFUSED) (gave up after 3 attempts, the maximum).',
      retryable: true,
    });
  });

  it('a 400 is permanent: one POST, not retryable', async () => {
    receiver.failNext(1, 400, { body: 'no_text' });
    const result = await createWebhookNotifier(config({ format: 'slack' }), instant).send(sampleNotice());
    expect(receiver.requests).toHaveLength(1);
    expect(result.error).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/HTTP 400 Bad Request: no_text/),
    });
  });

  it('never throws, even when the payload cannot be built (a bug: Unexpected, the receiver never asked)', async () => {
    const broken = { ...sampleNotice(), type: 'exploded' } as unknown as Notice;
    const result = await createWebhookNotifier(config({ format: 'teams' }), instant).send(broken);
    expect(result.ok).toBe(false);
    expect(result.attempts).toEqual([]);
    expect(result.error).toMatchObject({ code: 'Unexpected', retryable: false });
    expect(receiver.requests).toHaveLength(0);
  });

  it('stops when the caller aborts', async () => {
    receiver.setDefault({ hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await createWebhookNotifier(config(), instant).send(sampleNotice(), {
      abortSignal: controller.signal,
    });
    expect(result.error).toMatchObject({ retryable: true, message: expect.stringMatching(/cancelled/) });
  });

  it('no result holds the URL path, its token or the secret, even when the receiver echoes them', async () => {
    const url = receiver.url(TOKEN_PATH);
    receiver.setDefault({
      status: 500,
      body: `bad request to ${url} signed with ${SECRET} (${SECRET.slice(6)})`,
    });
    const results = [
      await createWebhookNotifier(config({ url, secret: SECRET, maxAttempts: 2 }), instant).send(
        sampleNotice(),
      ),
      await createWebhookNotifier(
        config({ url: await closedPortUrl(TOKEN_PATH), secret: SECRET, maxAttempts: 1 }),
        instant,
      ).send(sampleNotice()),
    ];
    const everything = JSON.stringify(results);
    expect(everything).toMatch(
      /HTTP 500 Internal Server Error: bad request to \[redacted\] signed with \[redacted\]/,
    );
    for (const secret of [
      'SiGnAtUrEtOkEn42',
      '0a1b2c',
      'workflows',
      SECRET,
      SECRET.slice(6),
      receiver.origin,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});
