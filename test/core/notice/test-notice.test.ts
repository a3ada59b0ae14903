import {
  buildCloudEventsGroupPayload,
  buildCloudEventsPayload,
} from '../../../src/adapters/webhooks/cloudevents/cloudevents-payload';
import { buildJsonGroupPayload } from '../../../src/adapters/webhooks/json/group-payload';
import { buildJsonPayload } from '../../../src/adapters/webhooks/json/json-payload';
import { toPagerDutyEvent } from '../../../src/adapters/webhooks/pagerduty/pagerduty-payload';
import { buildSlackGroupPayload } from '../../../src/adapters/webhooks/slack/slack-group';
import { buildSlackPayload } from '../../../src/adapters/webhooks/slack/slack-payload';
import { buildTeamsGroupPayload } from '../../../src/adapters/webhooks/teams/teams-group';
import { buildTeamsPayload } from '../../../src/adapters/webhooks/teams/teams-payload';
import { episodeId } from '../../../src/core/notice/episode';
import { noticeGroup } from '../../../src/core/notice/grouping';
import { testGroup, testNotice } from '../../../src/core/notice/test-notice';

/**
 * The ids a test notice (`appgw-insights notify test`) carries in every format: real (a whole hash, never
 * a bare prefix), clearly a test (`appgw-test-…`), and unique per test, even two tests at one instant.
 */
const NOW = '2026-11-30T12:00:00.000Z';
const degraded = testNotice('degraded', NOW, 'nonce-1');
const recovered = testNotice('recovered', NOW, 'nonce-1');
const other = testNotice('degraded', NOW, 'nonce-2');

describe('test notice ids', () => {
  it('the notice ids: appgw-test- and 16 hex digits, one per type and per test', () => {
    for (const n of [degraded, recovered, other]) expect(n.id).toMatch(/^appgw-test-[0-9a-f]{16}$/);
    expect(new Set([degraded.id, recovered.id, other.id]).size).toBe(3);
  });

  it('the episode id (PagerDuty dedup_key): appgw-test-ep-, shared by degraded and recovered, unique per test', () => {
    expect(episodeId(degraded)).toMatch(/^appgw-test-ep-[0-9a-f]{16}$/);
    expect(episodeId(recovered)).toBe(episodeId(degraded));
    expect(episodeId(other)).not.toBe(episodeId(degraded));
    const trigger = toPagerDutyEvent(degraded, 'k');
    const resolve = toPagerDutyEvent(recovered, 'k');
    expect(trigger.dedup_key).toBe(episodeId(degraded));
    expect(resolve.dedup_key).toBe(trigger.dedup_key);
    expect(toPagerDutyEvent(other, 'k').dedup_key).not.toBe(trigger.dedup_key);
    expect('payload' in trigger && trigger.payload.custom_details['episodeId']).toBe(trigger.dedup_key);
  });

  it('json: webhook-id and id are the test notice id; cloudevents: id is it too', () => {
    const json = buildJsonPayload(degraded);
    expect(json.headers['webhook-id']).toBe(degraded.id);
    expect((JSON.parse(json.body) as { id: string }).id).toBe(degraded.id);
    expect((JSON.parse(buildCloudEventsPayload(degraded).body) as { id: string }).id).toBe(degraded.id);
  });

  it('teams and slack show the whole test notice id in their footer', () => {
    for (const body of [buildTeamsPayload(degraded).body, buildSlackPayload(degraded).body])
      expect(body).toContain(degraded.id);
  });

  it('grouped formats: a real group id (appgw-grp- and 16 hex digits), the test notice id inside', () => {
    const group = noticeGroup([degraded]);
    expect(group.id).toMatch(/^appgw-grp-[0-9a-f]{16}$/);
    for (const payload of [
      buildJsonGroupPayload(group),
      buildCloudEventsGroupPayload(group),
      buildTeamsGroupPayload(group),
      buildSlackGroupPayload(group),
    ]) {
      expect(payload.body).toContain(group.id);
    }
    expect(buildJsonGroupPayload(group).body).toContain(degraded.id);
  });

  it('the test group (notify test to a grouping receiver): appgw-test-grp- and 16 hex digits, one per notice, marked in every grouped format', () => {
    const groups = [degraded, recovered, other].map((n) => testGroup(n));
    for (const group of groups) expect(group.id).toMatch(/^appgw-test-grp-[0-9a-f]{16}$/);
    expect(new Set(groups.map((g) => g.id)).size).toBe(3);
    // The same notice, the same message id (a retry of it is the same message).
    expect(testGroup(degraded).id).toBe(groups[0]!.id);
    const group = groups[0]!;
    expect(group).toMatchObject({ occurredAt: NOW, gateway: degraded.gateway, notices: [degraded] });
    for (const payload of [
      buildJsonGroupPayload(group),
      buildCloudEventsGroupPayload(group),
      buildTeamsGroupPayload(group),
      buildSlackGroupPayload(group),
    ]) {
      expect(payload.body).toContain(group.id);
      expect(payload.body).toContain('[TEST] test-notice');
      expect(payload.body).toContain('[TEST] 192.0.2.10');
    }
    // The machine formats carry the notice, with its own id, inside.
    for (const payload of [buildJsonGroupPayload(group), buildCloudEventsGroupPayload(group)])
      expect(payload.body).toContain(degraded.id);
  });
});

describe('the [TEST] mark on the chat headlines, the first thing a reader sees', () => {
  const headlineOf = (body: string, pick: (parsed: unknown) => unknown): string =>
    String(pick(JSON.parse(body)));
  const teamsHead = (parsed: unknown) =>
    (parsed as { attachments: [{ content: { body: [{ items: [{ text: string }] }] } }] }).attachments[0]
      .content.body[0].items[0].text;
  const slackHead = (parsed: unknown) =>
    (parsed as { blocks: [{ text: { text: string } }] }).blocks[0].text.text;

  it.each([
    ['Teams, one notice', () => headlineOf(buildTeamsPayload(degraded).body, teamsHead)],
    ['Teams, its recovered', () => headlineOf(buildTeamsPayload(recovered).body, teamsHead)],
    ['Teams, the test group', () => headlineOf(buildTeamsGroupPayload(testGroup(degraded)).body, teamsHead)],
    ['Slack, one notice', () => headlineOf(buildSlackPayload(degraded).body, slackHead)],
    ['Slack, the test group', () => headlineOf(buildSlackGroupPayload(testGroup(degraded)).body, slackHead)],
  ])('%s: the headline opens with [TEST]', (_name, headline) => {
    expect(headline()).toMatch(/^\[TEST\] /);
  });

  it('a real notice and a real group have no mark', () => {
    const real = { ...degraded, id: 'appgw-0123456789abcdef' };
    expect(headlineOf(buildTeamsPayload(real).body, teamsHead)).not.toContain('[TEST]');
    expect(headlineOf(buildTeamsGroupPayload(noticeGroup([real])).body, teamsHead)).not.toContain('[TEST]');
  });
});
