import { gatewayKey } from '../../../src/core/arm-id';
import { decideNotices, type Observation } from '../../../src/core/notice/decide';
import { noticeGroup } from '../../../src/core/notice/grouping';
import type { Notice } from '../../../src/core/notice/notice';
import { serverKey } from '../../../src/core/notice/server-record';
import { buildCloudEventsPayload } from '../../../src/adapters/webhooks/cloudevents/cloudevents-payload';
import { buildJsonGroupPayload } from '../../../src/adapters/webhooks/json/group-payload';
import { toWebhookEvent } from '../../../src/adapters/webhooks/json/json-payload';
import { buildSlackGroupMessage } from '../../../src/adapters/webhooks/slack/slack-group';
import { buildSlackMessage } from '../../../src/adapters/webhooks/slack/slack-payload';
import { buildTeamsGroupCard } from '../../../src/adapters/webhooks/teams/teams-group';
import { buildTeamsCard } from '../../../src/adapters/webhooks/teams/teams-payload';
import { confirmedServer, finding } from '../../core/notice/fixtures';

/**
 * A `recovered` means one thing in every format: the server now (its current health, and the current
 * probe message when one was read), and the failure it recovered from labelled as the past ("Was").
 * Never the old failure message beside the new health as if current.
 */
const bad = finding({ probeLog: 'Received invalid status code: 401. Received:401.' });
const KEY = serverKey(bad);
const POLICY = { for: 1, repeatIntervalInMs: 3_600_000 };

function recoveredBy(observation: Observation): Notice {
  const opened = decideNotices(
    {},
    {
      now: new Date(0),
      evaluated: new Map([[gatewayKey(bad.gateway.id), new Map([[KEY, 'Unhealthy']])]]),
      bad: [{ finding: bad }],
      isGone: () => false,
    },
    POLICY,
  );
  const [notice] = decideNotices(opened.servers, observation, POLICY).notices;
  if (notice?.type !== 'recovered') throw new Error('expected a recovered notice');
  return notice;
}

const scheduled = recoveredBy({
  now: new Date(60_000),
  evaluated: new Map([[gatewayKey(bad.gateway.id), new Map([[KEY, 'Healthy']])]]),
  bad: [],
  isGone: () => false,
});
const confirmed = recoveredBy({
  now: new Date(60_000),
  evaluated: new Map(),
  bad: [],
  isGone: () => false,
  confirmedHealthy: new Map([[KEY, confirmedServer(bad)]]),
});
const gone = recoveredBy({ now: new Date(60_000), evaluated: new Map(), bad: [], isGone: () => true });

/** Every text of a card or message, in order, flattened. */
function texts(value: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out.join('\n');
}

describe('recovered: the server now, and what it was', () => {
  it.each([
    ['a scheduled run read it Healthy', scheduled, 'Healthy', ''],
    ['recheck confirmed it', confirmed, 'Healthy', 'Success. Received 200 status code'],
    ['its gateway is gone (no current reading)', gone, '(gateway gone)', ''],
  ])('%s: server.health/probeLog are current, server.was the failure', (_n, notice, health, probeLog) => {
    expect(notice.server).toEqual({
      address: '10.0.0.4',
      health,
      probeLog,
      was: { health: 'Unhealthy', probeLog: 'Received invalid status code: 401. Received:401.' },
    });
  });

  it.each([
    ['JSON event', (n: Notice) => toWebhookEvent(n).server],
    [
      'CloudEvents data',
      (n: Notice) =>
        (JSON.parse(buildCloudEventsPayload(n).body) as { data: { server: unknown } }).data.server,
    ],
    [
      'JSON grouped event',
      (n: Notice) =>
        (JSON.parse(buildJsonGroupPayload(noticeGroup([n])).body) as { notices: Array<{ server: unknown }> })
          .notices[0]?.server,
    ],
  ])('%s: server is now, server.was the past', (_n, read) => {
    expect(read(confirmed)).toEqual({
      address: '10.0.0.4',
      health: 'Healthy',
      probeLog: 'Success. Received 200 status code',
      was: { health: 'Unhealthy', probeLog: 'Received invalid status code: 401. Received:401.' },
    });
  });

  it.each([
    ['Teams card', (n: Notice) => texts(buildTeamsCard(n))],
    ['Slack message', (n: Notice) => texts(buildSlackMessage(n))],
  ])('%s: "Health (now)", the current probe log, and the failure under "Was"', (_n, render) => {
    const text = render(confirmed);
    expect(text).toContain('Health (now)');
    expect(text).toContain('Probe log (now)');
    expect(text).toContain('Success. Received 200 status code');
    expect(text).toContain('Was: Unhealthy (the failure it recovered from)');
    // The old message appears only after the "Was" label.
    const was = text.indexOf('Was: Unhealthy');
    expect(text.indexOf('Received:401')).toBeGreaterThan(was);
    expect(text).not.toMatch(/^Probe log$/m);
  });

  it.each([
    ['Teams card', (n: Notice) => texts(buildTeamsCard(n))],
    ['Slack message', (n: Notice) => texts(buildSlackMessage(n))],
  ])('%s of a scheduled recovered: no current probe log to show, the failure under "Was"', (_n, render) => {
    const text = render(scheduled);
    expect(text).not.toContain('Probe log (now)');
    expect(text).toContain('Was: Unhealthy (the failure it recovered from)');
  });

  it.each([
    ['Teams grouped card', (n: Notice) => texts(buildTeamsGroupCard(noticeGroup([n])))],
    ['Slack grouped message', (n: Notice) => texts(buildSlackGroupMessage(noticeGroup([n])))],
  ])('%s: the row says the health now, then "was"', (_n, render) => {
    expect(render(confirmed)).toContain('Healthy, was Unhealthy');
    expect(render(gone)).toContain('(gateway gone), was Unhealthy');
  });

  it('a degraded notice is unchanged: its probe log under "Probe log", no "was"', () => {
    const degraded = decideNotices(
      {},
      {
        now: new Date(0),
        evaluated: new Map([[gatewayKey(bad.gateway.id), new Map([[KEY, 'Unhealthy']])]]),
        bad: [{ finding: bad }],
        isGone: () => false,
      },
      POLICY,
    ).notices[0] as Notice;
    expect(degraded.server.was).toBeUndefined();
    expect(texts(buildTeamsCard(degraded))).toMatch(/Probe log\n/);
    expect(toWebhookEvent(degraded).server).not.toHaveProperty('was');
  });
});
