import {
  createWebhookNotifier,
  type WebhookNotifierOptions,
} from '../../../src/adapters/webhooks/webhook-notifier';
import type { ResolvedWebhookConfig } from '../../../src/adapters/webhooks/webhook-format';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver';
import { sampleNotice } from './support/notices';

/**
 * What a `teams` URL answers, through createWebhookNotifier and a real loopback receiver. The legacy
 * Office 365 connectors (Teams incoming webhooks) answer HTTP 200 when the post failed, with a body
 * "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error <status>
 * with ContextId …" (by design: MicrosoftDocs/msteams-docs issues #1810, #7425); a Teams Workflow
 * answers 202 with an empty body, and a connector that posted answers 200 "1".
 */

const TOKEN_PATH = '/webhookb2/0a1b2c@d3e4/IncomingWebhook/5f6a7b/SeCrEtToKeN42';
const failed = (status: number | string) =>
  `Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error ${status} with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef0123456789abcd.0.`;

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const instant: WebhookNotifierOptions = { sleep: async () => undefined, random: () => 0 };

function teams(overrides: Partial<ResolvedWebhookConfig> = {}) {
  const config: ResolvedWebhookConfig = {
    name: 'teams',
    format: 'teams',
    url: receiver.url('/hook'),
    timeoutInMs: 2_000,
    maxAttempts: 3,
    ...overrides,
  };
  return createWebhookNotifier(config, instant);
}

describe('teams: a 2xx that says the post failed', () => {
  it.each([429, 500, 502, 503, 504])(
    'a 200 "Webhook message delivery failed … HTTP error %i" is a failed try: retried (same bytes), then delivered',
    async (inner) => {
      receiver.script({ status: 200, body: failed(inner) });
      receiver.setDefault({ status: 200, body: '1' });
      const result = await teams().send(sampleNotice());
      expect(result.ok).toBe(true);
      expect(receiver.requests).toHaveLength(2);
      expect(receiver.requests[1]?.body).toBe(receiver.requests[0]?.body);
      expect(result.attempts[0]).toMatchObject({
        status: 200,
        error: expect.stringMatching(
          new RegExp(
            `^HTTP 200 OK, but the receiver did not take the notice: Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error ${inner}`,
          ),
        ),
      });
      // Teams' endpoint answering 502/504 to the connector may have posted it all the same.
      expect(result.attempts[0]?.mayHaveReached).toBe(inner === 502 || inner === 504 ? true : undefined);
    },
  );

  it('answered so on every try (a 429): not delivered, retryable, the reason says what Teams said', async () => {
    receiver.setDefault({ status: 200, body: failed(429) });
    const result = await teams().send(sampleNotice());
    expect(receiver.requests).toHaveLength(3);
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({
      code: 'DeliveryFailed',
      retryable: true,
      message: expect.stringMatching(
        /HTTP 200 OK, but the receiver did not take the notice: Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId .*\(gave up after 3 attempts, the maximum\)/,
      ),
    });
  });

  it.each<[string, string]>([
    ['HTTP error 400', failed(400)],
    ['HTTP error 413', failed(413)],
    ['no status named', 'Webhook message delivery failed with error: the card could not be rendered'],
  ])(
    'a 200 "Webhook message delivery failed …" with %s is refused for good: one POST, not retryable',
    async (_label, body) => {
      receiver.setDefault({ status: 200, body });
      const result = await teams().send(sampleNotice());
      expect(receiver.requests).toHaveLength(1);
      expect(result).toMatchObject({
        ok: false,
        error: {
          retryable: false,
          message: expect.stringContaining(
            `HTTP 200 OK, but the receiver did not take the notice: ${body}; not retried, the receiver refused the notice (1 attempt)`,
          ),
        },
      });
    },
  );

  it('read case-insensitively after whitespace; the reason is one line, scrubbed of the URL token and clipped', async () => {
    const url = receiver.url(TOKEN_PATH);
    receiver.setDefault({
      status: 200,
      body: `\r\n  WEBHOOK MESSAGE DELIVERY FAILED with error:\n<b>${url}</b> ${'x'.repeat(2_000)}`,
    });
    const result = await teams({ url, maxAttempts: 1 }).send(sampleNotice());
    expect(result.ok).toBe(false);
    const message = result.error?.message ?? '';
    expect(message).toMatch(/did not take the notice: WEBHOOK MESSAGE DELIVERY FAILED with error: <b>/);
    expect(message).not.toMatch(/SeCrEtToKeN42|IncomingWebhook|\n/);
    expect(message).toMatch(/x…/);
    expect(message.length).toBeLessThan(600);
  });

  it.each<[string, number, string]>([
    ['a Workflow: 202 with an empty body', 202, ''],
    ['a connector that posted it: 200 "1"', 200, '1'],
    ['a 200 that mentions a failure later in its body', 200, 'ok (Webhook message delivery failed never)'],
  ])('%s is delivered, once', async (_label, status, body) => {
    receiver.setDefault({ status, body });
    const result = await teams().send(sampleNotice());
    expect(result).toEqual({ ok: true, attempts: [expect.objectContaining({ attempt: 1, status })] });
    expect(receiver.requests).toHaveLength(1);
  });

  it('the same 200 to another format is delivered (only teams reads a 2xx body)', async () => {
    receiver.setDefault({ status: 200, body: failed(429) });
    const result = await teams({ format: 'slack' }).send(sampleNotice());
    expect(result.ok).toBe(true);
    expect(receiver.requests).toHaveLength(1);
  });
});
