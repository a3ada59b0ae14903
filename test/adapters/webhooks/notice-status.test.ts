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
import { classifyCause } from '../../../src/core/classify';
import { decideNotices, type Observation } from '../../../src/core/notice/decide';
import { noticeGroup } from '../../../src/core/notice/grouping';
import { decideWithInhibition } from '../../../src/core/notice/inhibit';
import { RECOVERED_HEALTH, RECOVERED_REASONS, type Notice } from '../../../src/core/notice/notice';
import { healthAndSeverity, severityLabel } from '../../../src/core/notice/notice-labels';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import type { Severity } from '../../../src/core/notice/severity';
import type { Finding } from '../../../src/core/model';
import { recoveredNotice, sampleNotice } from './support/notices';
import { adaptiveCardProblems, schemaErrors, validateEventV1 } from './support/validators';

/**
 * What every format shows of a notice's status: its severity (and a raise, so a `degraded` sent again
 * because the severity rose is not read as a duplicate), and a `recovered` that never reads as unhealthy
 * (gateway-level and per-server, grouped and alone).
 */

const gw = gatewayRef('00000000-0000-0000-0000-000000000001', 'rg-web', 'agw-prod');
const T0 = Date.parse('2026-06-01T10:00:00Z');
const MINUTE = 60_000;

function badFinding(address: string, pool: string, severity: Severity): Finding {
  const probeLog = 'Received invalid status code: 503 in the backend server’s HTTP response.';
  return {
    gateway: gw,
    backendPool: pool,
    backendSettings: 'settings',
    address,
    health: 'Unhealthy',
    state: 'unhealthy',
    probeLog,
    cause: classifyCause({ state: 'unhealthy', probeLog }),
    severity,
  };
}

/** Runs of one gateway: each a list of [address, pool, 'B' bad (with severity) | 'G' healthy | absent]. */
function play(
  runs: ReadonlyArray<ReadonlyArray<[string, string, Severity | 'G']> | 'gone'>,
  inhibit = false,
): Notice[][] {
  let servers: Readonly<Record<string, ServerRecord>> = {};
  return runs.map((run, i) => {
    const listed = new Map<string, string>();
    const bad = [];
    for (const [address, pool, what] of run === 'gone' ? [] : run) {
      const f = badFinding(address, pool, what === 'G' ? 'warning' : what);
      listed.set(serverKey(f), what === 'G' ? 'Healthy' : 'Unhealthy');
      if (what !== 'G') bad.push({ finding: f });
    }
    const observation: Observation = {
      now: new Date(T0 + i * 10 * MINUTE),
      evaluated: run === 'gone' ? new Map() : new Map([[gatewayKey(gw.id), listed]]),
      bad,
      isGone: () => run === 'gone',
    };
    const policy = { for: 1, repeatIntervalInMs: 600 * MINUTE, inhibit };
    const decision = (inhibit ? decideWithInhibition : decideNotices)(servers, observation, policy);
    servers = decision.servers;
    return [...decision.notices];
  });
}

const only = (notices: Notice[] | undefined): Notice => {
  expect(notices).toHaveLength(1);
  return notices![0]!;
};

/** Every text a Teams card shows, in order. */
function teamsTexts(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o['text'] === 'string') out.push(o['text']);
      if (typeof o['title'] === 'string' && typeof o['value'] === 'string')
        out.push(`${o['title']}: ${o['value']}`);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out.join('\n');
}

/** A grouped Teams card's server rows, each its inlines' text joined. */
function rowsOf(card: Record<string, unknown>): string[] {
  return (card['body'] as Array<Record<string, unknown>>)
    .filter((b) => b['type'] === 'RichTextBlock' && (b['inlines'] as unknown[]).length === 5)
    .map((b) => (b['inlines'] as Array<{ text: string }>).map((i) => i.text).join(''));
}

describe('decide: a degraded sent again because the severity rose says from what', () => {
  it('first degraded: no raisedFrom; raised: raisedFrom warning; a lowered severity: no new degraded', () => {
    const [first, raised, lowered] = play([
      [['10.0.0.4', 'pool', 'warning']],
      [['10.0.0.4', 'pool', 'critical']],
      [['10.0.0.4', 'pool', 'warning']],
    ]);
    expect(only(first).raisedFrom).toBeUndefined();
    expect(only(raised)).toMatchObject({ type: 'degraded', severity: 'critical', raisedFrom: 'warning' });
    expect(lowered).toEqual([]);
  });
});

describe('severity in every format, and a raise said so', () => {
  const raised = sampleNotice({ severity: 'critical', raisedFrom: 'warning' });
  const plainCritical = sampleNotice({
    id: 'appgw-1111111111111111',
    server: { ...raised.server, address: '10.0.1.5' },
  });
  const warning = sampleNotice({
    id: 'appgw-2222222222222222',
    severity: 'warning',
    server: { ...raised.server, address: '10.0.1.6' },
  });
  // Another server than the raised one: a server's notices in one message are one row (serverRows).
  const recovered = { ...recoveredNotice(), server: { ...recoveredNotice().server, address: '10.0.1.7' } };

  it('Teams grouped: each row shows its severity; the raise and the headline say "raised"', () => {
    const card = buildTeamsGroupCard(noticeGroup([raised, plainCritical, warning, recovered]));
    expect(adaptiveCardProblems(card)).toEqual([]);
    const text = teamsTexts(card);
    expect(text).toMatch(/1 severity raised/);
    expect(rowsOf(card)).toEqual([
      expect.stringMatching(/10\.0\.1\.4 · critical, raised from warning · Unhealthy · /),
      expect.stringMatching(/10\.0\.1\.5 · critical · Unhealthy · /),
      expect.stringMatching(/10\.0\.1\.6 · warning · Unhealthy · /),
      expect.stringMatching(/10\.0\.1\.7 · the episode was critical · Healthy · healthy again/),
    ]);
  });

  it('Slack grouped: each row shows its severity; the raise and the headline say "raised"', () => {
    const message = buildSlackGroupMessage(noticeGroup([raised, plainCritical, warning, recovered]));
    const text = JSON.stringify(message);
    expect(message['text']).toMatch(/1 severity raised/);
    expect(text).toMatch(/10\.0\.1\.4\* · \*critical, raised from warning\* · Unhealthy · /);
    expect(text).toMatch(/10\.0\.1\.5\* · \*critical\* · Unhealthy · /);
    expect(text).toMatch(/10\.0\.1\.6\* · warning · Unhealthy · /);
    expect(text).toMatch(/10\.0\.1\.7\* · the episode was critical · Healthy · healthy again/);
  });

  it('Teams and Slack per notice: the heading and the Severity fact say raised', () => {
    const teams = teamsTexts(buildTeamsCard(raised));
    expect(teams).toMatch(/Backend server degraded · severity raised to critical \(was warning\)/);
    expect(teams).toMatch(/Severity: critical, raised from warning/);
    const slack = buildSlackMessage(raised);
    expect(JSON.stringify(slack)).toMatch(
      /Backend server degraded · severity raised to critical \(was warning\)/,
    );
    expect(JSON.stringify(slack)).toMatch(/\*Severity\*\\ncritical, raised from warning/);
    expect(slack['text']).toMatch(/critical, raised from warning/);
    // Not raised: no such words.
    expect(teamsTexts(buildTeamsCard(plainCritical))).not.toMatch(/raised/);
    expect(JSON.stringify(buildSlackMessage(plainCritical))).not.toMatch(/raised/);
  });

  it('JSON, CloudEvents and their grouped events carry raisedFrom (valid against the schema)', () => {
    const event = JSON.parse(buildJsonPayload(raised).body) as Record<string, unknown>;
    expect(event).toMatchObject({ severity: 'critical', raisedFrom: 'warning' });
    expect(schemaErrors(validateEventV1, event)).toEqual([]);
    expect(JSON.parse(buildJsonPayload(plainCritical).body)).not.toHaveProperty('raisedFrom');
    expect(JSON.parse(buildCloudEventsPayload(raised).body)).toMatchObject({
      data: { raisedFrom: 'warning' },
    });
    const group = noticeGroup([raised, plainCritical]);
    const grouped = JSON.parse(buildJsonGroupPayload(group).body) as {
      notices: Array<Record<string, unknown>>;
    };
    expect(grouped.notices.map((n) => [n['severity'], n['raisedFrom']])).toEqual([
      ['critical', 'warning'],
      ['critical', undefined],
    ]);
    const ce = JSON.parse(buildCloudEventsGroupPayload(group).body) as { data: typeof grouped };
    expect(ce.data.notices[0]).toMatchObject({ raisedFrom: 'warning' });
  });

  it('PagerDuty: payload.severity, and the summary says the trigger is a raise', () => {
    const event = toPagerDutyEvent(raised, 'k');
    expect(event).toMatchObject({ payload: { severity: 'critical' } });
    expect('payload' in event && event.payload.summary).toMatch(
      /^\[severity raised from warning\] 10\.0\.1\.4 /,
    );
    expect('payload' in event && event.payload.custom_details['raisedFrom']).toBe('warning');
    const plain = toPagerDutyEvent(plainCritical, 'k');
    expect('payload' in plain && plain.payload.summary).not.toMatch(/raised/);
  });
});

describe('a recovered never reads as unhealthy, in any format', () => {
  // "Not every backend pool down any more" (a gateway-level recovered's heading) is not a bad health.
  const unhealthy = /\b(unhealthy|down)\b(?! any more)/i;
  /** A grouped row without its labelled past (", was Unhealthy": Notice.server.was). */
  const withoutPast = (row: string) => row.replace(/, was [^·]*/g, '');

  // Real recovered notices, as the decision makes them.
  const gatewayLevel = only(
    play(
      [
        [
          ['10.0.0.4', 'pool-a', 'critical'],
          ['10.0.0.5', 'pool-b', 'critical'],
        ],
        [
          ['10.0.0.4', 'pool-a', 'critical'],
          ['10.0.0.5', 'pool-b', 'G'],
        ],
      ],
      true,
    )[1]!.filter((n) => n.scope === 'gateway'),
  );
  // Every pool emptied: the gateway lists no server (a break trial: "✅ not every backend pool … any more").
  const emptied = only(
    play(
      [
        [
          ['10.0.0.4', 'pool-a', 'critical'],
          ['10.0.0.5', 'pool-b', 'critical'],
        ],
        [],
      ],
      true,
    )[1]!.filter((n) => n.scope === 'gateway'),
  );
  const notListed = only(play([[['10.0.0.4', 'pool', 'critical']], [['10.0.0.9', 'pool', 'G']]])[1]);
  const gone = only(play([[['10.0.0.4', 'pool', 'critical']], 'gone'])[1]);
  const healthy = only(play([[['10.0.0.4', 'pool', 'critical']], [['10.0.0.4', 'pool', 'G']]])[1]);
  // A notice queued by an earlier release, which kept the episode's bad health.
  const legacy: Notice = {
    ...recoveredNotice(),
    server: { ...recoveredNotice().server, health: 'Unhealthy' },
  };
  const draining: Notice = {
    ...recoveredNotice(),
    reason: RECOVERED_REASONS.notReported,
    server: { ...recoveredNotice().server, health: 'Draining' },
  };

  it('the decision: placeholders that say why, never the old bad health', () => {
    expect(gatewayLevel).toMatchObject({
      type: 'recovered',
      reason: RECOVERED_REASONS.notEveryPoolBad,
      server: { health: RECOVERED_HEALTH.notEveryPoolBad },
    });
    expect(notListed).toMatchObject({
      reason: RECOVERED_REASONS.notListed,
      server: { health: '(not listed)' },
    });
    expect(gone).toMatchObject({
      reason: RECOVERED_REASONS.gatewayGone,
      server: { health: '(gateway gone)' },
    });
    expect(healthy).toMatchObject({ reason: RECOVERED_REASONS.healthy, server: { health: 'Healthy' } });
  });

  it.each<[string, Notice, string]>([
    ['gateway-level', gatewayLevel, '(not every pool bad)'],
    ['gateway-level, every pool emptied', emptied, '(no server listed)'],
    ['not listed', notListed, '(not listed)'],
    ['gateway gone', gone, '(gateway gone)'],
    ['healthy again', healthy, 'Healthy'],
    ['not reported (Draining)', draining, 'Draining, not reported'],
    ['queued by an earlier release with its bad health', legacy, 'Recovered'],
  ])('%s: every format shows %s', (_label, notice, shown) => {
    // Teams card: the Health (now) fact (the failure it recovered from is the separate, labelled "Was").
    const teams = teamsTexts(buildTeamsCard(notice));
    const healthFact = /Health \(now\): (.*)/.exec(teams)?.[1] ?? '';
    expect(healthFact.replace(/\\/g, '')).toBe(shown);
    expect(healthFact).not.toMatch(unhealthy);
    // Slack message: the Health field and the notification text.
    const slack = buildSlackMessage(notice);
    const slackJson = JSON.stringify(slack);
    expect(slackJson).toContain(`*Health (now)*\\n${shown}`);
    expect(String(slack['text'])).not.toMatch(unhealthy);
    // Grouped rows, alone and beside a degraded.
    const group = noticeGroup([sampleNotice({ id: 'appgw-3333333333333333' }), notice]);
    // A deleted gateway's row is marked as a deletion, not a recovery (a break trial); an episode
    // ended with nothing known healthy (every pool emptied, a server removed from its pool, one now in
    // a state not reported) as ended, not recovered (break trials).
    const [teamsIcon, slackIcon] =
      notice === gone
        ? ['🗑', ':wastebasket:']
        : notice === emptied || notice === notListed || notice === draining
          ? ['➖', ':heavy_minus_sign:']
          : ['✅', ':white_check_mark:'];
    const teamsRows = rowsOf(buildTeamsGroupCard(group)).filter((r) => r.startsWith(teamsIcon));
    expect(teamsRows).toHaveLength(1);
    expect(teamsRows[0]).toContain(` · the episode was ${notice.severity} · ${shown}`);
    // The row's past ("…, was Unhealthy") is labelled as such; what it says of now is never bad.
    expect(withoutPast(teamsRows[0] as string)).not.toMatch(unhealthy);
    const slackRows = JSON.stringify(buildSlackGroupMessage(group))
      .split('\\n')
      .filter((l) => l.includes(slackIcon));
    expect(slackRows).toHaveLength(1);
    expect(slackRows[0]).toContain(shown);
    expect(withoutPast(slackRows[0] as string)).not.toMatch(unhealthy);
    // PagerDuty: a resolve names no health at all.
    expect(JSON.stringify(toPagerDutyEvent(notice, 'k'))).not.toMatch(unhealthy);
  });

  // A break trial: "✅ Backend servers: 1 recovered" (Teams' good style) of a deleted gateway read as
  // resolved; an accidental or malicious deletion is not.
  it('a deleted gateway’s ended episode is headed as a deletion in Slack and Teams, never in a recovery’s green', () => {
    const teams = buildTeamsCard(gone);
    expect(JSON.stringify(teams)).toContain('🗑 Episode ended: the application gateway no longer exists');
    expect(JSON.stringify(teams)).not.toContain('✅');
    expect(JSON.stringify(teams)).not.toContain('"style":"good"');
    const slack = JSON.stringify(buildSlackMessage(gone));
    expect(slack).toContain(':wastebasket: Episode ended: the application gateway no longer exists');
    expect(slack).not.toContain(':white_check_mark:');
    const alone = noticeGroup([gone]);
    const card = JSON.stringify(buildTeamsGroupCard(alone));
    expect(card).toContain('🗑 Backend servers: 1 ended (gateway deleted)');
    expect(card).not.toContain('"style":"good"');
    expect(JSON.stringify(buildSlackGroupMessage(alone))).toContain(
      'Backend servers: 1 ended (gateway deleted)',
    );
    // Beside a server healthy again: each counted as what it is.
    const other = {
      ...healthy,
      id: 'appgw-4444444444444444',
      server: { ...healthy.server, address: '10.0.0.9' },
    };
    const both = noticeGroup([gone, other]);
    expect(JSON.stringify(buildTeamsGroupCard(both))).toContain(
      'Backend servers: 1 recovered, 1 ended (gateway deleted)',
    );
  });

  // A break trial: every pool emptied read "✅ Not every backend pool down any more": nothing serves.
  it('a gateway-level episode ended by every pool emptied is headed as an episode ended in Slack and Teams, never in a recovery’s green', () => {
    expect(emptied).toMatchObject({ reason: RECOVERED_REASONS.noServerListed, scope: 'gateway' });
    const teams = JSON.stringify(buildTeamsCard(emptied));
    expect(teams).toContain('➖ Episode ended: the gateway lists no backend server any more');
    expect(teams).not.toContain('✅');
    expect(teams).not.toContain('"style":"good"');
    const slack = JSON.stringify(buildSlackMessage(emptied));
    expect(slack).toContain(':heavy_minus_sign: Episode ended: the gateway lists no backend server any more');
    expect(slack).not.toContain(':white_check_mark:');
    expect(slack).not.toContain('Not every backend pool');
    const alone = noticeGroup([emptied]);
    const card = JSON.stringify(buildTeamsGroupCard(alone));
    expect(card).toContain('➖ Backend servers: ended: the gateway lists no backend server any more');
    expect(card).not.toContain('"style":"good"');
    expect(JSON.stringify(buildSlackGroupMessage(alone))).toContain(
      'Backend servers: ended: the gateway lists no backend server any more',
    );
  });

  // Break trials: every server Down, then every one Unknown (left out of unhealthyStates), read "✅ Not
  // every backend pool down any more"; a grouped message with the emptied gateway's ending and a
  // server's recovered was headed ✅ in Teams' good style; a deleted gateway's ending read "not every
  // backend pool down any more" in the grouped headline.
  it('a gateway-level episode ended with no server healthy (states not reported): headed as ended, never green', () => {
    const noneHealthy: Notice = {
      ...emptied,
      reason: RECOVERED_REASONS.notReported,
      server: { ...emptied.server, health: RECOVERED_HEALTH.noServerHealthy },
    };
    const ending =
      'Episode ended: no server of the gateway is healthy; those not bad are in states not reported (unhealthyStates)';
    const teams = JSON.stringify(buildTeamsCard(noneHealthy));
    expect(teams).toContain(`➖ ${ending}`);
    expect(teams).not.toContain('"style":"good"');
    const slack = JSON.stringify(buildSlackMessage(noneHealthy));
    expect(slack).toContain(`:heavy_minus_sign: ${ending}`);
    expect(slack).not.toContain(':white_check_mark:');
    expect(JSON.stringify(buildTeamsGroupCard(noticeGroup([noneHealthy])))).toContain(
      '➖ Backend servers: ended: no server of the gateway is healthy',
    );
  });

  it('a grouped message of recoveries with an episode ended unserved among them: not headed in green', () => {
    const other = {
      ...healthy,
      id: 'appgw-5555555555555555',
      server: { ...healthy.server, address: '10.0.0.9' },
    };
    const card = JSON.stringify(buildTeamsGroupCard(noticeGroup([emptied, other])));
    expect(card).toContain(
      '➖ Backend servers: ended: the gateway lists no backend server any more, 1 recovered',
    );
    expect(card).not.toContain('"style":"good"');
    // Recoveries alone stay green.
    expect(JSON.stringify(buildTeamsGroupCard(noticeGroup([other])))).toContain('"style":"good"');
  });

  // A break trial: a one-server gateway whose pool was emptied, and a server now Unknown (left out of
  // unhealthyStates) with no other server healthy, each read "✅ Backend servers: 1 recovered".
  it.each([
    [
      'removed from its pool',
      () => notListed,
      'the server is no longer listed by the gateway (removed from its backend pool or settings)',
    ],
    [
      'now in a state not reported',
      () => ({
        ...draining,
        server: {
          ...draining.server,
          health: 'Unknown',
          was: { health: 'Down', probeLog: 'Cannot connect to server.' },
        },
      }),
      'the server is now in a state that is not reported (unhealthyStates), not known healthy',
    ],
  ])(
    'a server’s episode ended %s is headed as ended, never in a recovery’s green',
    (_case, notice, ending) => {
      const ended = notice() as Notice;
      const teams = JSON.stringify(buildTeamsCard(ended));
      expect(teams).toContain(`➖ Episode ended: ${ending}`);
      expect(teams).not.toContain('"style":"good"');
      expect(teams).toContain('the failure before the episode ended');
      expect(teams).not.toContain('the failure it recovered from');
      const slack = JSON.stringify(buildSlackMessage(ended));
      expect(slack).toContain(`:heavy_minus_sign: Episode ended: ${ending}`);
      expect(slack).not.toContain(':white_check_mark:');
      const other = {
        ...healthy,
        id: 'appgw-6666666666666666',
        server: { ...healthy.server, address: '10.0.0.9' },
      };
      for (const [group, counts] of [
        [noticeGroup([ended]), '1 ended, not known healthy'],
        [noticeGroup([ended, other]), '1 recovered, 1 ended, not known healthy'],
      ] as const) {
        const card = JSON.stringify(buildTeamsGroupCard(group));
        expect(card).toContain(`➖ Backend servers: ${counts}`);
        expect(card).not.toContain('"style":"good"');
        expect(JSON.stringify(buildSlackGroupMessage(group))).toContain(`Backend servers: ${counts}`);
      }
      // A recovery stays one: green, "the failure it recovered from".
      const recovered = JSON.stringify(buildTeamsCard(healthy));
      expect(recovered).toContain('"style":"good"');
      expect(JSON.stringify(buildTeamsGroupCard(noticeGroup([other])))).toContain(
        '✅ Backend servers: 1 recovered',
      );
    },
  );

  it('a deleted gateway’s gateway-level ending is "ended (gateway deleted)" in the grouped headline', () => {
    const deleted: Notice = {
      ...gatewayLevel,
      reason: RECOVERED_REASONS.gatewayGone,
      server: { ...gatewayLevel.server, health: RECOVERED_HEALTH.gatewayGone },
    };
    const slack = JSON.stringify(buildSlackGroupMessage(noticeGroup([deleted])));
    expect(slack).toContain('Backend servers: ended (gateway deleted)');
    expect(slack).not.toContain('not every backend pool down any more');
  });

  it('JSON and CloudEvents (alone and grouped): server.health of a decided recovered is never a bad value', () => {
    for (const notice of [gatewayLevel, emptied, notListed, gone, healthy]) {
      const event = JSON.parse(buildJsonPayload(notice).body) as { server: { health: string } };
      expect(event.server.health).not.toMatch(unhealthy);
      expect(schemaErrors(validateEventV1, event)).toEqual([]);
      const ce = JSON.parse(buildCloudEventsPayload(notice).body) as { data: typeof event };
      expect(ce.data.server.health).not.toMatch(unhealthy);
      const grouped = JSON.parse(buildJsonGroupPayload(noticeGroup([notice])).body) as {
        notices: Array<typeof event>;
      };
      expect(grouped.notices[0]?.server.health).not.toMatch(unhealthy);
      const ceg = JSON.parse(buildCloudEventsGroupPayload(noticeGroup([notice])).body) as {
        data: typeof grouped;
      };
      expect(ceg.data.notices[0]?.server.health).not.toMatch(unhealthy);
    }
  });
});

describe('a recovered says its severity is the episode’s, in one wording everywhere', () => {
  const recovered = recoveredNotice();
  it('labels: severity "the episode was critical"; health and severity "Healthy; the episode was critical"', () => {
    expect(severityLabel(recovered)).toBe('the episode was critical');
    expect(healthAndSeverity(recovered)).toBe('Healthy; the episode was critical');
    expect(healthAndSeverity(sampleNotice())).toBe('Unhealthy, critical');
  });
  it.each([
    ['Slack notification text', () => String(buildSlackMessage(recovered)['text'])],
    ['Slack grouped', () => JSON.stringify(buildSlackGroupMessage(noticeGroup([recovered])))],
    ['Teams grouped', () => JSON.stringify(buildTeamsGroupCard(noticeGroup([recovered])))],
  ])('%s: "the episode was critical", never a bare "was critical" beside a health', (_name, shown) => {
    const text = shown();
    expect(text).toContain('the episode was critical');
    expect(text.replace(/the episode was critical/g, '')).not.toMatch(/was critical/);
  });
  it('Slack notification text: "(Healthy; the episode was critical)"', () => {
    expect(String(buildSlackMessage(recovered)['text'])).toContain('(Healthy; the episode was critical)');
  });
});
