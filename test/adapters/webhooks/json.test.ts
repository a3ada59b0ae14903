import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  buildJsonPayload,
  EVENT_LIMITS,
  toWebhookEvent,
} from '../../../src/adapters/webhooks/json/json-payload';
import {
  secretProblem,
  signatureHeaders,
  webhookId,
} from '../../../src/adapters/webhooks/json/standard-webhooks';
import eventSchema from '../../../src/adapters/webhooks/json/event-v1.schema.json';
import { gatewayKey, gatewayRef } from '../../../src/core/arm-id';
import { classifyCause } from '../../../src/core/classify';
import type { Finding } from '../../../src/core/model';
import { decideNotices, type Observation } from '../../../src/core/notice/decide';
import { episodeId } from '../../../src/core/notice/episode';
import { decideWithInhibition } from '../../../src/core/notice/inhibit';
import { endingWords } from '../../../src/core/notice/notice-labels';
import { RECOVERED_REASONS, type Notice } from '../../../src/core/notice/notice';
import { serverKey } from '../../../src/core/notice/server-record';
import { confirmedServer } from '../../core/notice/fixtures';
import { GATEWAY_ID, recoveredNotice, sampleNotice } from './support/notices';
import { schemaErrors, validateEventV1 } from './support/validators';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe('json format: the event', () => {
  it('is the documented version-1 event, field for field', () => {
    const notice = sampleNotice();
    const event = JSON.parse(buildJsonPayload(notice).body) as unknown;
    expect(event).toEqual({
      schemaVersion: 1,
      id: 'appgw-0123456789abcdef',
      episodeId: episodeId(notice),
      type: 'degraded',
      severity: 'critical',
      occurredAt: '2026-03-01T10:15:00.000Z',
      degradedSince: '2026-03-01T10:00:00.000Z',
      gateway: {
        id: GATEWAY_ID,
        name: 'agw-prod',
        resourceGroup: 'rg-web',
        subscriptionId: '00000000-0000-0000-0000-000000000001',
      },
      backendPool: 'pool-api',
      backendSettings: 'settings-https',
      server: { address: '10.0.1.4', health: 'Unhealthy', probeLog: notice.server.probeLog },
      cause: {
        id: 'status-code-mismatch',
        title: notice.cause.title,
        steps: [...notice.cause.steps],
        docUrl: notice.cause.docUrl,
        receivedStatus: 503,
      },
      insight: { ...notice.insight },
    });
    expect(schemaErrors(validateEventV1, event)).toEqual([]);
  });

  it('carries reason and no insight for recovered', () => {
    const event = toWebhookEvent(recoveredNotice());
    expect(event).toMatchObject({ type: 'recovered', reason: 'healthy again' });
    expect(event).not.toHaveProperty('insight');
    expect(event).not.toHaveProperty('truncated');
    expect(schemaErrors(validateEventV1, event)).toEqual([]);
  });

  it('the schema rejects what the contract forbids (it can fail)', () => {
    const event = toWebhookEvent(sampleNotice()) as unknown as Record<string, unknown>;
    expect(schemaErrors(validateEventV1, { ...event, schemaVersion: 2 })).not.toEqual([]);
    expect(schemaErrors(validateEventV1, { ...event, type: 'flapping' })).not.toEqual([]);
    const { server: _server, ...withoutServer } = event;
    expect(schemaErrors(validateEventV1, withoutServer)).not.toEqual([]);
  });

  it('cuts an oversized probe log and lists it in `truncated`', () => {
    const probeLog = 'x'.repeat(100_000);
    const event = toWebhookEvent(
      sampleNotice({ server: { address: '10.0.1.4', health: 'Unhealthy', probeLog } }),
    );
    expect(event.server.probeLog).toHaveLength(EVENT_LIMITS.probeLog);
    expect(event.server.probeLog.endsWith('…')).toBe(true);
    expect(event.truncated).toEqual(['/server/probeLog']);
    expect(schemaErrors(validateEventV1, event)).toEqual([]);
  });

  it('makes lone surrogates well-formed and keeps other hostile text verbatim', () => {
    const address = 'a\uD800b<script>\u0000"\\';
    const event = toWebhookEvent(sampleNotice({ server: { address, health: 'Down', probeLog: '' } }));
    expect(event.server.address).toBe('a\uFFFDb<script>\u0000"\\');
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  it('is deterministic: the same notice gives the same bytes', () => {
    expect(buildJsonPayload(sampleNotice()).body).toBe(buildJsonPayload(sampleNotice()).body);
  });
});

describe('json format: Standard Webhooks signature', () => {
  const notice = sampleNotice();
  const payload = buildJsonPayload(notice);
  const now = new Date();
  const headers = {
    ...payload.headers,
    ...signatureHeaders({ id: webhookId(notice.id), body: payload.body, secret: SECRET, now }),
  };

  it('sets webhook-id to the notice id, and JSON content', () => {
    expect(headers['webhook-id']).toBe(notice.id);
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('verifies with the standardwebhooks package', () => {
    expect(new Webhook(SECRET).verify(payload.body, headers)).toEqual(JSON.parse(payload.body));
  });

  it('equals the signature the standardwebhooks package computes', () => {
    expect(headers['webhook-signature']).toBe(new Webhook(SECRET).sign(notice.id, now, payload.body));
  });

  it('fails verification when the body, id or timestamp is tampered with, or the secret differs', () => {
    const tamperedBody = payload.body.replace('"Unhealthy"', '"Healthy"');
    expect(tamperedBody).not.toBe(payload.body);
    expect(() => new Webhook(SECRET).verify(tamperedBody, headers)).toThrow(/No matching signature/);
    expect(() =>
      new Webhook(SECRET).verify(payload.body, { ...headers, 'webhook-id': 'appgw-other' }),
    ).toThrow();
    const later = String(Number(headers['webhook-timestamp']) + 1);
    expect(() =>
      new Webhook(SECRET).verify(payload.body, { ...headers, 'webhook-timestamp': later }),
    ).toThrow();
    const otherSecret = `whsec_${randomBytes(32).toString('base64')}`;
    expect(() => new Webhook(otherSecret).verify(payload.body, headers)).toThrow();
  });

  it('a non-ASCII notice id becomes a header-safe, stable webhook-id', () => {
    expect(webhookId('appgw-0123')).toBe('appgw-0123');
    expect(webhookId('ünï code')).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(webhookId('ünï code')).toBe(webhookId('ünï code'));
  });

  it('checks secrets without quoting them', () => {
    expect(secretProblem(SECRET)).toBeUndefined();
    expect(secretProblem('s3cr3t-value')).toMatch(/must start with "whsec_"/);
    expect(secretProblem('whsec_not base64!')).toMatch(/standard base64/);
    expect(secretProblem(`whsec_${Buffer.from('short').toString('base64')}`)).toMatch(
      /24-64 bytes \(it has 5\)/,
    );
    expect(secretProblem('s3cr3t-value')).not.toContain('s3cr3t');
  });
});

describe('json format: the recovered reason is an enum of the schema, shared with the producer', () => {
  const gw = gatewayRef('00000000-0000-0000-0000-000000000001', 'rg-web', 'agw-prod');
  const bad: Finding = {
    gateway: gw,
    backendPool: 'pool-api',
    backendSettings: 'settings-https',
    address: '10.0.1.4',
    health: 'Unhealthy',
    state: 'unhealthy',
    probeLog: 'TCP connect error',
    cause: classifyCause({ state: 'unhealthy', probeLog: 'TCP connect error' }),
    severity: 'critical',
  };
  const policy = { for: 1, repeatIntervalInMs: 3_600_000 };
  /** The gateway read, its server listed with `health` (absent: not listed). */
  const read = (health?: string): Observation => ({
    now: new Date(60_000),
    evaluated: new Map([[gatewayKey(gw.id), new Map(health ? [[serverKey(bad), health]] : [])]]),
    bad: [],
    isGone: () => false,
  });
  const deleted: Observation = { now: new Date(60_000), evaluated: new Map(), bad: [], isGone: () => true };
  const confirmed: Observation = {
    now: new Date(60_000),
    evaluated: new Map(),
    bad: [],
    isGone: () => false,
    confirmedHealthy: new Map([[serverKey(bad), confirmedServer(bad)]]),
  };

  /** Every way decideNotices ends an announced episode: the notice it sends. */
  const RECOVERIES: ReadonlyArray<[string, Observation]> = [
    ['listed again as Healthy', read('Healthy')],
    ['listed again as Up', read('Up')],
    ['no longer listed by its gateway', read()],
    ['its gateway deleted', deleted],
    ['listed again as Unknown, a state not reported', read('Unknown')],
    ['listed again as Partial, not a finding (unhealthyStates without it)', read('Partial')],
    ['found healthy by an on-demand probe (recheck)', confirmed],
  ];
  const recovered = (observation: Observation): Notice => {
    const first = decideNotices(
      {},
      {
        now: new Date(0),
        evaluated: read('Unhealthy').evaluated,
        bad: [{ finding: bad }],
        isGone: () => false,
      },
      policy,
    );
    const [notice] = decideNotices(first.servers, observation, policy).notices;
    expect(notice?.type).toBe('recovered');
    return notice as Notice;
  };
  const schemaEnum = (eventSchema.properties.reason as { enum: string[] }).enum;

  it('the schema lists exactly the reasons of the code (RECOVERED_REASONS)', () => {
    expect([...schemaEnum].sort()).toEqual(Object.values(RECOVERED_REASONS).sort());
  });

  it.each(RECOVERIES)('%s: its reason is in the schema enum, and the event validates', (_, observation) => {
    const notice = recovered(observation);
    expect(schemaEnum).toContain(notice.reason);
    expect(schemaErrors(validateEventV1, toWebhookEvent(notice))).toEqual([]);
  });

  /**
   * The gateway-level episode (inhibition) ends: both servers were bad, then one is healthy again, or
   * (`emptied`) the gateway lists none.
   */
  const inhibitionEnded = (emptied = false): Notice => {
    const other: Finding = { ...bad, address: '10.0.1.5' };
    const both = (h4: string, h5: string) =>
      new Map([
        [
          gatewayKey(gw.id),
          new Map([
            [serverKey(bad), h4],
            [serverKey(other), h5],
          ]),
        ],
      ]);
    const inhibiting = { ...policy, inhibit: true };
    const first = decideWithInhibition(
      {},
      {
        now: new Date(0),
        evaluated: both('Unhealthy', 'Unhealthy'),
        bad: [{ finding: bad }, { finding: other }],
        isGone: () => false,
      },
      inhibiting,
    );
    const next = decideWithInhibition(
      first.servers,
      {
        now: new Date(60_000),
        evaluated: emptied ? new Map([[gatewayKey(gw.id), new Map()]]) : both('Healthy', 'Unhealthy'),
        bad: emptied ? [] : [{ finding: other }],
        isGone: () => false,
      },
      inhibiting,
    );
    const notice = next.notices.find((n) => n.type === 'recovered');
    expect(notice).toBeDefined();
    return notice as Notice;
  };

  it('the end of a gateway-level episode (inhibition): its reason is in the schema enum, and the event validates', () => {
    const notice = inhibitionEnded();
    expect(notice.reason).toBe(RECOVERED_REASONS.notEveryPoolBad);
    expect(schemaErrors(validateEventV1, toWebhookEvent(notice))).toEqual([]);
  });

  it('the end of a gateway-level episode whose gateway lists no server any more: its own reason, in the schema enum', () => {
    const notice = inhibitionEnded(true);
    expect(notice.reason).toBe(RECOVERED_REASONS.noServerListed);
    expect(notice.server.health).toBe('(no server listed)');
    expect(schemaErrors(validateEventV1, toWebhookEvent(notice))).toEqual([]);
  });

  it('every reason of the code is produced by one of those recoveries', () => {
    const produced = new Set([
      ...RECOVERIES.map(([, observation]) => recovered(observation).reason),
      inhibitionEnded().reason,
      inhibitionEnded(true).reason,
    ]);
    expect([...produced].sort()).toEqual(Object.values(RECOVERED_REASONS).sort());
  });

  // A break trial: a receiver of JSON had to work out from `reason` and `scope` what Slack headed
  // "Episode ended"; `ended` says it, as report.json's deliveries[].ended does.
  it.each([
    ['listed again as Healthy', undefined],
    [
      'no longer listed by its gateway',
      'the server is no longer listed by the gateway (removed from its backend pool or settings)',
    ],
    ['its gateway deleted', 'gateway deleted'],
    [
      'listed again as Unknown, a state not reported',
      'the server is now in a state that is not reported (unhealthyStates), not known healthy',
    ],
    ['found healthy by an on-demand probe (recheck)', undefined],
  ])('%s: ended is %j', (name, ended) => {
    const observation = RECOVERIES.find(([n]) => n === name)?.[1];
    if (!observation) throw new Error(`no recovery named ${name}`);
    const event = toWebhookEvent(recovered(observation));
    expect(event.ended).toBe(ended);
    expect(event.ended).toBe(endingWords(recovered(observation)));
  });

  it('a gateway-level end: ended when its gateway lists no server, not when a pool is good again', () => {
    expect(toWebhookEvent(inhibitionEnded(true)).ended).toBe('the gateway lists no backend server any more');
    expect(toWebhookEvent(inhibitionEnded()).ended).toBeUndefined();
  });

  it('the schema lists exactly the ended words of the code (endingWords, every reason and scope)', () => {
    const words = new Set(
      Object.values(RECOVERED_REASONS).flatMap((reason) =>
        [undefined, 'gateway' as const].flatMap((scope) => {
          const said = endingWords({ type: 'recovered', reason, ...(scope ? { scope } : {}) });
          return said === undefined ? [] : [said];
        }),
      ),
    );
    expect([...words].sort()).toEqual([...(eventSchema.properties.ended as { enum: string[] }).enum].sort());
    const event = { ...toWebhookEvent(recovered(deleted)), ended: 'gone' };
    expect(schemaErrors(validateEventV1, event)).toContainEqual(expect.stringMatching(/^\/ended /));
    // Only a recovered ends an episode: the schema refuses ended (or reason) on any other notice.
    const degraded = toWebhookEvent(sampleNotice());
    expect(schemaErrors(validateEventV1, degraded)).toEqual([]);
    for (const extra of [{ ended: 'gateway deleted' }, { reason: 'healthy again' }])
      expect(schemaErrors(validateEventV1, { ...degraded, ...extra })).not.toEqual([]);
  });

  it.each([
    ['free text', 'flapping'],
    ['the old free-text form naming the health', 'now Draining, a state that is not reported'],
    ['a known reason with a changed letter', 'Healthy again'],
    ['an empty string', ''],
  ])('the schema rejects another reason: %s', (_, reason) => {
    const event = { ...toWebhookEvent(recoveredNotice()), reason };
    expect(schemaErrors(validateEventV1, event)).toContainEqual(expect.stringMatching(/^\/reason /));
  });
});
