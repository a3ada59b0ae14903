import {
  CHAT_NOTICES_PER_GROUP_MESSAGE,
  groupMessages,
  noticeGroup,
  MAX_NOTICES_PER_GROUP_MESSAGE,
} from '../../../src/core/notice/grouping';
import { buildCloudEventsGroupPayload } from '../../../src/adapters/webhooks/cloudevents/cloudevents-payload';
import {
  buildJsonGroupPayload,
  GROUP_EVENT_MAX_BYTES,
} from '../../../src/adapters/webhooks/json/group-payload';
import {
  buildSlackGroupMessage,
  buildSlackGroupPayload,
} from '../../../src/adapters/webhooks/slack/slack-group';
import {
  buildTeamsGroupCard,
  buildTeamsGroupPayload,
  GROUP_ROWS,
} from '../../../src/adapters/webhooks/teams/teams-group';
import { TEAMS_MAX_BODY_BYTES } from '../../../src/adapters/webhooks/teams/teams-payload';
import { countsText, GROUP_PROBE_CHARS } from '../../../src/adapters/webhooks/group-text';
import { RECOVERED_REASONS, type Notice } from '../../../src/core/notice/notice';
import { recoveredNotice, sampleNotice } from './support/notices';
import { adaptiveCardProblems } from './support/validators';

/** The grouped payloads (core/notice/grouping.ts): caps, "and N more", escaping, sizes, ids. */

const many = (n: number, address = (i: number) => `10.0.${Math.floor(i / 250)}.${i % 250}`) =>
  Array.from({ length: n }, (_, i) =>
    sampleNotice({
      id: `appgw-${String(i).padStart(16, '0')}`,
      backendPool: i % 2 ? 'pool-b' : 'pool-a',
      server: { address: address(i), health: 'Unhealthy', probeLog: 'x' },
    }),
  );

describe('grouped payloads', () => {
  it.each<[string, Array<Partial<Notice>>, string]>([
    ['every pool down (one gateway-level notice)', [{ scope: 'gateway' }], 'every backend pool down'],
    ['still down', [{ scope: 'gateway', type: 'still-degraded' }], 'every backend pool still down'],
    [
      'released: the gateway-level recovered and the servers still bad',
      [{ scope: 'gateway', type: 'recovered' }, { id: 'a' }, { id: 'b' }],
      'not every backend pool down any more, 2 degraded',
    ],
    ['servers only', [{ id: 'a' }, { id: 'b', type: 'recovered' }], '1 degraded, 1 recovered'],
  ])('the headline says a gateway-level notice in words, never "1 degraded": %s', (_name, notices, words) => {
    // Each notice of another server (one server's notices are one row: below).
    const group = noticeGroup(
      notices.map((n, i) =>
        sampleNotice({ ...n, server: { address: `10.0.9.${i}`, health: 'Unhealthy', probeLog: 'x' } }),
      ),
    );
    expect(countsText(group)).toBe(words);
    expect(JSON.stringify(buildTeamsGroupCard(group))).toContain(`Backend servers: ${words}`);
    expect(JSON.stringify(buildSlackGroupMessage(group))).toContain(`Backend servers: ${words}`);
  });

  // Issues 16 and 17's fifth trials: a card listed one server two and three times (a recovered a
  // recheck confirmed and the next episode's degraded; reminders behind degraded notices the receiver
  // had not taken; a changed cause). One row per server, its last notice, the earlier ones said on it;
  // the json formats keep every notice with its id.
  it('one row per server: its last notice, the earlier ones in the message said on the row', () => {
    const server = { address: '10.0.1.4', health: 'Unhealthy', probeLog: 'x' };
    const confirmed = sampleNotice({
      id: 'appgw-1',
      type: 'recovered',
      server: { ...server, health: 'Healthy' },
      reason: 'confirmed by an on-demand probe',
    });
    const again = sampleNotice({ id: 'appgw-2', server });
    const other = sampleNotice({ id: 'appgw-3', server: { ...server, address: '10.0.1.5' } });
    const group = noticeGroup([confirmed, again, other]);
    expect(countsText(group)).toBe('2 degraded');
    const card = buildTeamsGroupCard(group);
    expect(adaptiveCardProblems(card)).toEqual([]);
    const teams = JSON.stringify(card);
    expect(teams.match(/10\.0\.1\.4/g)).toHaveLength(1);
    expect(teams).toContain('; earlier in this message: recovered (confirmed by an on-demand probe)');
    expect(teams).not.toContain('more server');
    const slack = JSON.stringify(buildSlackGroupMessage(group));
    expect(slack.match(/10\.0\.1\.4\*/g)).toHaveLength(1);
    expect(slack).toContain('earlier in this message: recovered (confirmed by an on-demand probe)');
    // Every notice stays in the json event, with its id.
    const event = JSON.parse(buildJsonGroupPayload(group).body) as { notices: Array<{ id: string }> };
    expect(event.notices.map((n) => n.id)).toEqual(['appgw-1', 'appgw-2', 'appgw-3']);
  });

  it('a reminder behind the degraded and the changed cause of one server: one row, the reminder last', () => {
    const first = sampleNotice({ id: 'appgw-1' });
    const changed = sampleNotice({ id: 'appgw-2', causeChangedFrom: 'status-code-mismatch' });
    const reminder = sampleNotice({ id: 'appgw-3', type: 'still-degraded' });
    const group = noticeGroup([first, changed, reminder]);
    expect(countsText(group)).toBe('1 still degraded');
    expect(JSON.stringify(buildTeamsGroupCard(group))).toContain(
      '; earlier in this message: degraded, degraded · cause changed from status-code-mismatch',
    );
  });

  // A new-user trial: the default grouped Teams and Slack messages gave each server a cause title only,
  // where the README promises the probe's own error.
  it("Teams and Slack: a server told bad carries its probe's own message, escaped and cut; a recovered does not", () => {
    const probeLog =
      'Time taken by the backend to respond to the probe is more than the timeout <!channel> *bold* [x](http://e) ' +
      'z'.repeat(400);
    const group = noticeGroup([
      sampleNotice({ id: 'a', server: { address: '10.0.2.1', health: 'Unhealthy', probeLog } }),
      sampleNotice({
        id: 'b',
        type: 'recovered',
        server: { address: '10.0.2.2', health: 'Healthy', probeLog: 'Success. Received 200 status code' },
      }),
    ]);
    const slack = JSON.stringify(buildSlackGroupMessage(group));
    expect(slack).toContain(
      'probe: _Time taken by the backend to respond to the probe is more than the timeout',
    );
    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toContain('z'.repeat(300));
    expect(slack).not.toContain('Success. Received 200');
    const card = buildTeamsGroupCard(group);
    const texts = JSON.stringify(card);
    expect(texts).toContain(
      'probe: Time taken by the backend to respond to the probe is more than the timeout',
    );
    // Shown as written, in a TextRun (which Teams renders without markdown), never in a TextBlock.
    const probeRuns = JSON.stringify(card).match(/"type":"TextBlock","text":"probe:/g);
    expect(probeRuns).toBeNull();
    expect(texts).not.toContain('z'.repeat(300));
    expect(texts).not.toContain('Success. Received 200');
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  // A trial: the 200 characters were counted escaped, so a probe message with a few tags showed 55.
  it('Slack: the probe line shows 200 characters of the message however many of them are escaped', () => {
    const probeLog = `${'<b>&amp;</b> '.repeat(30)}end`;
    const group = noticeGroup([
      sampleNotice({ server: { address: '10.0.2.1', health: 'Unhealthy', probeLog } }),
    ]);
    const line = /probe: _([^\n]*)_/.exec(
      (buildSlackGroupMessage(group).blocks as Array<{ text?: { text?: string } }>)
        .map((b) => b.text?.text ?? '')
        .join('\n'),
    )?.[1];
    const shown = (line ?? '').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
    expect(shown).toBe(`${probeLog.slice(0, GROUP_PROBE_CHARS - 1)}…`);
  });

  it('Teams: servers by pool, at most GROUP_ROWS, then "… and N more"; a valid card', () => {
    const card = buildTeamsGroupCard(noticeGroup(many(45)));
    const text = JSON.stringify(card);
    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(text.match(/🔴 /g)).toHaveLength(GROUP_ROWS + 1); // the rows and the header
    expect(text).toContain(`… and ${45 - GROUP_ROWS} more servers (the run's report lists every one)`);
    // Pools in the order they first appear: the 23 servers of pool-a fill the rows.
    expect([text.includes('pool-a'), text.includes('pool-b')]).toEqual([true, false]);
    const small = JSON.stringify(buildTeamsGroupCard(noticeGroup(many(4))));
    expect(small.indexOf('pool-a')).toBeLessThan(small.indexOf('pool-b'));
    expect(small).not.toContain('more server');
  });

  it('Teams: huge untrusted values still fit 28 KB; markdown in facts escaped, rows are TextRuns', () => {
    const notices = many(50, (i) => `${'<script>*'.repeat(2_000)}${i}`);
    const payload = buildTeamsGroupPayload(
      noticeGroup(notices.map((n) => ({ ...n, gateway: { ...n.gateway, name: '**bold** [x](http://e)' } }))),
    );
    expect(Buffer.byteLength(payload.body)).toBeLessThanOrEqual(TEAMS_MAX_BODY_BYTES);
    const card = JSON.parse(payload.body).attachments[0].content;
    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(card.body[1].facts[0].value).not.toContain('**bold**');
  });

  it('Slack: escaped, cut, "… and N more", within 50 blocks', () => {
    const message = buildSlackGroupMessage(noticeGroup(many(45, (i) => `<!channel> ${i}`)));
    const text = JSON.stringify(message);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain(`… and ${45 - 20} more servers`);
    expect((message['blocks'] as unknown[]).length).toBeLessThanOrEqual(50);
  });

  it('JSON and CloudEvents: every notice inside with its id, counts; past 1 MB the articles are left out and listed in truncated', () => {
    const notices = [...many(3), recoveredNotice()];
    const group = noticeGroup(notices);
    const json = JSON.parse(buildJsonGroupPayload(group).body);
    expect(json).toMatchObject({
      schemaVersion: 1,
      type: 'gateway.group.v1',
      id: group.id,
      counts: { degraded: 3, recovered: 1 },
    });
    expect(json.notices.map((n: { id: string }) => n.id)).toEqual(notices.map((n) => n.id));
    const ce = JSON.parse(buildCloudEventsGroupPayload(group).body);
    expect(ce).toMatchObject({ id: group.id, type: 'com.appgw-insights.gateway.group.v1', data: json });

    const big = many(40).map((n) => ({ ...n, insight: { ...n.insight!, markdown: 'm'.repeat(60_000) } }));
    const body = buildJsonGroupPayload(noticeGroup(big)).body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(GROUP_EVENT_MAX_BYTES);
    expect(JSON.parse(body).notices[0].truncated).toEqual(['/insight/markdown']);
  });

  // A break trial: a deleted gateway's grouped event said "recovered": 1 in its counts, which a receiver
  // reading counts alone took for a recovery.
  it('JSON: ended counts the recovered notices that ended their episode without a recovery; absent when none', () => {
    const deleted = { ...recoveredNotice(), id: 'appgw-deleted', reason: RECOVERED_REASONS.gatewayGone };
    const json = JSON.parse(
      buildJsonGroupPayload(noticeGroup([...many(1), recoveredNotice(), deleted])).body,
    );
    expect(json.counts).toMatchObject({ degraded: 1, recovered: 2 });
    expect(json.ended).toBe(1);
    expect(json.notices.map((n: { ended?: string }) => n.ended)).toEqual([
      undefined,
      undefined,
      'gateway deleted',
    ]);
    expect(JSON.parse(buildJsonGroupPayload(noticeGroup([recoveredNotice()])).body)).not.toHaveProperty(
      'ended',
    );
  });

  it('groupMessages: order kept, at most MAX_NOTICES_PER_GROUP_MESSAGE per message, stable ids', () => {
    const notices = many(MAX_NOTICES_PER_GROUP_MESSAGE + 7);
    const groups = groupMessages(notices);
    expect(groups.map((g) => g.notices.length)).toEqual([MAX_NOTICES_PER_GROUP_MESSAGE, 7]);
    expect(groups.flatMap((g) => g.notices)).toEqual(notices);
    expect(groupMessages(notices).map((g) => g.id)).toEqual(groups.map((g) => g.id));
    expect(new Set(groups.map((g) => g.id)).size).toBe(2);
  });
});

/**
 * A chat's grouped message lists its first servers and counts the rest, so one card says a whole
 * incident: a break trial's 300 servers of one pool down made 6 cards in a channel (50 notices each).
 */
describe('a chat takes up to CHAT_NOTICES_PER_GROUP_MESSAGE notices in one grouped message', () => {
  const spread = (n: number, pools: number) =>
    many(n).map((notice, i) => ({ ...notice, backendPool: `pool-${i % pools}` }));

  it.each([
    ['1 000 servers of 2 pools', 2],
    ['1 000 servers of 100 pools', 100],
  ])(
    '%s: one Teams card and one Slack message, each within its limits, counting every server',
    (_, pools) => {
      const group = noticeGroup(spread(CHAT_NOTICES_PER_GROUP_MESSAGE, pools));
      const teams = buildTeamsGroupPayload(group);
      expect(Buffer.byteLength(teams.body)).toBeLessThanOrEqual(TEAMS_MAX_BODY_BYTES);
      expect(teams.body).toContain('Backend servers: 1000 degraded');
      const slack = JSON.parse(buildSlackGroupPayload(group).body) as { blocks: unknown[] };
      expect(slack.blocks.length).toBeLessThanOrEqual(50);
      expect(JSON.stringify(slack)).toMatch(/1000 degraded/);
    },
  );

  it("groupMessages with a chat's bound: 300 notices of one gateway are one message; json's are six", () => {
    const notices = many(300);
    expect(groupMessages(notices, CHAT_NOTICES_PER_GROUP_MESSAGE).map((g) => g.notices.length)).toEqual([
      300,
    ]);
    expect(groupMessages(notices).map((g) => g.notices.length)).toEqual([50, 50, 50, 50, 50, 50]);
  });
});
