import {
  buildCloudEventsGroupPayload,
  buildCloudEventsPayload,
} from '../../../src/adapters/webhooks/cloudevents/cloudevents-payload';
import { buildJsonGroupPayload } from '../../../src/adapters/webhooks/json/group-payload';
import { buildJsonPayload } from '../../../src/adapters/webhooks/json/json-payload';
import { toPagerDutyEvent } from '../../../src/adapters/webhooks/pagerduty/pagerduty-payload';
import { buildSlackGroupMessage } from '../../../src/adapters/webhooks/slack/slack-group';
import { buildSlackMessage } from '../../../src/adapters/webhooks/slack/slack-payload';
import { buildTeamsGroupCard } from '../../../src/adapters/webhooks/teams/teams-group';
import { buildTeamsCard } from '../../../src/adapters/webhooks/teams/teams-payload';
import { gatewayKey, gatewayRef } from '../../../src/core/arm-id';
import { causeFor, type CauseId } from '../../../src/core/causes';
import { decideNotices, type Observation } from '../../../src/core/notice/decide';
import { episodeId } from '../../../src/core/notice/episode';
import { noticeGroup } from '../../../src/core/notice/grouping';
import type { Notice } from '../../../src/core/notice/notice';
import { routeNotices } from '../../../src/core/notice/receiver-rules';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import { testNotice } from '../../../src/core/notice/test-notice';
import type { Finding } from '../../../src/core/model';
import { schemaErrors, validateCloudEvent, validateEventV1 } from './support/validators';

/**
 * F10: every notice of one episode carries the same `episodeId` in the json and cloudevents formats
 * (alone and grouped), as PagerDuty's `dedup_key`; the next episode another. F11: a `degraded` sent
 * again because the cause changed says from what, in every format, so it is not taken for a duplicate.
 */

const gw = gatewayRef('00000000-0000-0000-0000-000000000001', 'rg-web', 'agw-prod');
const T0 = Date.parse('2026-06-01T10:00:00Z');
const MINUTE = 60_000;

const LOGS: Readonly<Record<string, string>> = {
  'status-code-mismatch': 'Received invalid status code: 503 in the backend server’s HTTP response.',
  'probe-timeout':
    'Time taken by the backend to respond to the health probe is more than the time-out threshold.',
};

function finding(cause: CauseId): Finding {
  return {
    gateway: gw,
    backendPool: 'pool',
    backendSettings: 'settings',
    address: '10.0.0.4',
    health: 'Unhealthy',
    state: 'unhealthy',
    probeLog: LOGS[cause] ?? '',
    cause: causeFor(cause, cause === 'status-code-mismatch' ? { receivedStatus: 503 } : {}),
    severity: 'critical',
  };
}

/** Runs of one server, each its cause when bad or 'G' healthy; the notices of each run, and the records before it. */
function play(
  runs: ReadonlyArray<CauseId | 'G'>,
): Array<{ notices: Notice[]; before: Record<string, ServerRecord> }> {
  let servers: Readonly<Record<string, ServerRecord>> = {};
  return runs.map((run, i) => {
    const f = finding(run === 'G' ? 'status-code-mismatch' : run);
    const observation: Observation = {
      now: new Date(T0 + i * 10 * MINUTE),
      evaluated: new Map([
        [gatewayKey(gw.id), new Map([[serverKey(f), run === 'G' ? 'Healthy' : 'Unhealthy']])],
      ]),
      bad: run === 'G' ? [] : [{ finding: f }],
      isGone: () => false,
    };
    const before = { ...servers };
    const decision = decideNotices(servers, observation, { for: 1, repeatIntervalInMs: 600 * MINUTE });
    servers = decision.servers;
    return { notices: [...decision.notices], before };
  });
}

const only = (notices: readonly Notice[]): Notice => {
  expect(notices).toHaveLength(1);
  return notices[0]!;
};

type Event = Record<string, unknown>;
const json = (n: Notice): Event => JSON.parse(buildJsonPayload(n).body) as Event;
const cloud = (n: Notice): Event => (JSON.parse(buildCloudEventsPayload(n).body) as { data: Event }).data;
const jsonGroup = (ns: Notice[]): Event[] =>
  (JSON.parse(buildJsonGroupPayload(noticeGroup(ns)).body) as { notices: Event[] }).notices;
const cloudGroup = (ns: Notice[]): Event[] =>
  (JSON.parse(buildCloudEventsGroupPayload(noticeGroup(ns)).body) as { data: { notices: Event[] } }).data
    .notices;

describe('episodeId in the json and cloudevents events (F10)', () => {
  // Degraded (503), then a timeout (a changed cause, same episode), recovered; bad again: a new episode.
  const runs = play(['status-code-mismatch', 'probe-timeout', 'G', 'status-code-mismatch', 'G']);
  const [degraded, changed, recovered, again, recoveredAgain] = runs.map((r) => only(r.notices));

  it.each<[string, (n: Notice) => Event]>([
    ['json', json],
    ['cloudevents', cloud],
  ])('%s: one episode shares an episodeId, the next has another, each PagerDuty’s dedup_key', (_f, event) => {
    const ids = [degraded, changed, recovered, again, recoveredAgain].map((n) => event(n!)['episodeId']);
    expect(ids[0]).toMatch(/^appgw-ep-[0-9a-f]{16}$/);
    expect(ids.slice(0, 3)).toEqual([ids[0], ids[0], ids[0]]);
    expect(ids[3]).toMatch(/^appgw-ep-[0-9a-f]{16}$/);
    expect(ids[3]).not.toBe(ids[0]);
    expect(ids[4]).toBe(ids[3]);
    // The same key PagerDuty pairs its trigger and resolve on.
    expect(ids[0]).toBe(toPagerDutyEvent(degraded!, 'k').dedup_key);
    expect(ids[2]).toBe(toPagerDutyEvent(recovered!, 'k').dedup_key);
  });

  it.each<[string, (ns: Notice[]) => Event[]]>([
    ['json', jsonGroup],
    ['cloudevents', cloudGroup],
  ])('%s grouped: each notice inside carries its episodeId', (_f, events) => {
    const inside = events([degraded!, again!]);
    expect(inside.map((e) => e['episodeId'])).toEqual([episodeId(degraded!), episodeId(again!)]);
    expect(inside[0]!['episodeId']).not.toBe(inside[1]!['episodeId']);
  });

  it('the events stay valid against the schema (json, CloudEvents)', () => {
    for (const n of [degraded!, changed!, recovered!]) {
      expect(schemaErrors(validateEventV1, json(n))).toEqual([]);
      expect(schemaErrors(validateCloudEvent, JSON.parse(buildCloudEventsPayload(n).body))).toEqual([]);
    }
  });

  it('a test notice’s event carries the test’s own episode id', () => {
    const test = testNotice('degraded', new Date(T0).toISOString(), 'abc');
    expect(json(test)['episodeId']).toBe(test.episodeId);
  });
});

describe('a degraded for a changed cause says from what (F11)', () => {
  const runs = play(['status-code-mismatch', 'probe-timeout', 'status-code-mismatch', 'G']);
  const [first, changed, back, recovered] = runs.map((r) => only(r.notices));

  it('decide: causeChangedFrom the cause told before; none on a first degraded or a recovered', () => {
    expect(first!.causeChangedFrom).toBeUndefined();
    expect(changed).toMatchObject({
      type: 'degraded',
      cause: { id: 'probe-timeout' },
      causeChangedFrom: 'status-code-mismatch',
    });
    expect(changed!.raisedFrom).toBeUndefined();
    expect(back).toMatchObject({ cause: { id: 'status-code-mismatch' }, causeChangedFrom: 'probe-timeout' });
    expect(recovered!.causeChangedFrom).toBeUndefined();
  });

  it.each<[string, (n: Notice) => Event]>([
    ['json', json],
    ['cloudevents', cloud],
  ])(
    '%s: the event carries causeChangedFrom (valid against the schema), a first degraded none',
    (_f, event) => {
      expect(event(changed!)).toMatchObject({
        causeChangedFrom: 'status-code-mismatch',
        cause: { id: 'probe-timeout' },
      });
      expect(schemaErrors(validateEventV1, event(changed!))).toEqual([]);
      expect(event(first!)).not.toHaveProperty('causeChangedFrom');
    },
  );

  it('json and cloudevents grouped: the notice inside carries it', () => {
    for (const events of [jsonGroup, cloudGroup])
      expect(events([first!, changed!]).map((e) => e['causeChangedFrom'])).toEqual([
        undefined,
        'status-code-mismatch',
      ]);
  });

  it('Teams and Slack, alone and grouped, and PagerDuty say "cause changed from …"', () => {
    const said = /cause changed from status-code-mismatch/;
    expect(JSON.stringify(buildTeamsCard(changed!))).toMatch(said);
    expect(JSON.stringify(buildSlackMessage(changed!))).toMatch(said);
    expect(JSON.stringify(buildTeamsGroupCard(noticeGroup([changed!])))).toMatch(said);
    expect(JSON.stringify(buildSlackGroupMessage(noticeGroup([changed!])))).toMatch(said);
    const pd = toPagerDutyEvent(changed!, 'k');
    expect('payload' in pd && pd.payload.summary).toMatch(/^\[cause changed from status-code-mismatch\] /);
    for (const text of [
      JSON.stringify(buildTeamsCard(first!)),
      JSON.stringify(buildSlackMessage(first!)),
      JSON.stringify(buildSlackGroupMessage(noticeGroup([first!]))),
    ])
      expect(text).not.toMatch(/cause changed/);
  });

  it('routing: a receiver told the episode gets causeChangedFrom; one not told gets a first degraded', () => {
    const { notices, before } = runs[1]!;
    const decision = { notices, servers: {} };
    // As routeNotices reads them: the previous record names the receivers told the episode.
    const key = Object.keys(before)[0]!;
    const record = before[key]!;
    const previous = { [key]: { ...record, notified: { ...record.notified!, receivers: ['ops'] } } };
    const routing = routeNotices(decision, previous, [
      { name: 'ops' },
      { name: 'timeouts', rules: { sendResolved: true, match: [{ cause: 'probe-timeout' }] } },
    ]);
    expect(routing.notices.get('ops')?.[0]?.causeChangedFrom).toBe('status-code-mismatch');
    const late = routing.notices.get('timeouts')?.[0];
    expect(late?.type).toBe('degraded');
    expect(late).not.toHaveProperty('causeChangedFrom');
  });
});

describe('a grouped card of one notice says "1 notice"', () => {
  it.each<[string, (ns: Notice[]) => unknown]>([
    ['Slack', (ns) => buildSlackGroupMessage(noticeGroup(ns))],
    ['Teams', (ns) => buildTeamsGroupCard(noticeGroup(ns))],
  ])('%s: "· 1 notice ·", and "· 2 notices ·" for two', (_f, build) => {
    const [first, again] = play(['status-code-mismatch', 'G', 'probe-timeout']).map((r) => r.notices[0]!);
    expect(JSON.stringify(build([first!]))).toMatch(/ · 1 notice · /);
    expect(JSON.stringify(build([first!]))).not.toMatch(/1 notices/);
    expect(JSON.stringify(build([first!, again!]))).toMatch(/ · 2 notices · /);
  });
});
