import { causeFor } from '../causes';
import { hash64 } from '../hash';
import { noticeGroup, type NoticeGroup } from './grouping';
import type { Notice, NoticeType } from './notice';
import { RECOVERED_REASONS } from './notice';

/** What the id of every test notice, test episode and test group starts with (a run's start `appgw-`). */
const TEST_ID_PREFIX = 'appgw-test-';

/** What every test notice starts its texts with, so no reader takes it for a real incident. */
export const TEST_MARK = '[TEST]';

/**
 * The gateway a test notice names: no real one (an all-zero subscription id, a resource group and a
 * gateway named for the purpose), so a receiver that files notices by gateway files it apart.
 */
export const TEST_GATEWAY = {
  id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/appgw-insights-test/providers/Microsoft.Network/applicationGateways/test-notice',
  name: `${TEST_MARK} test-notice`,
  resourceGroup: 'appgw-insights-test',
  subscriptionId: '00000000-0000-0000-0000-000000000000',
} as const;

/**
 * A notice for `appgw-insights notify test`, clearly marked in every format: `[TEST]` opens the server,
 * gateway, probe log, cause title and insight title; the server is 192.0.2.10 (TEST-NET-1, RFC 5737:
 * never a real host); ids start `appgw-test-`, and its episode id (PagerDuty's `dedup_key`) is
 * `appgw-test-ep-` + 16 hex digits of `now` and `nonce`. `degraded` opens its test episode (`degradedSince` =
 * `now`), and `recovered` with the same `now` closes the same episode (same episode id: PagerDuty
 * resolves the alert the test triggered). Pure: `now` (ISO) and `nonce` make it unique per test.
 */
export function testNotice(
  type: Extract<NoticeType, 'degraded' | 'recovered'>,
  now: string,
  nonce: string,
): Notice {
  const probeLog = `${TEST_MARK} A test notice sent by \`appgw-insights notify test\`: no backend server is unhealthy, nothing needs doing.`;
  const cause = causeFor('other', { probeLog });
  const base = {
    id: `${TEST_ID_PREFIX}${hash64([type, now, nonce].join('|'))}`,
    // Its own episode, shared by its degraded and recovered, unique per test (the nonce), marked as a
    // test: PagerDuty's dedup_key (a derived one would be the same for every test run at one time).
    episodeId: testEpisodeId(now, nonce),
    type,
    occurredAt: now,
    degradedSince: now,
    gateway: { ...TEST_GATEWAY },
    backendPool: 'test-pool',
    backendSettings: 'test-settings',
    // Warning, the lesser: a test notice pages no one harder than it must (PagerDuty's payload.severity).
    severity: 'warning' as const,
    cause: {
      ...cause,
      title: `${TEST_MARK} Test notice from appgw-insights: nothing is wrong`,
      steps: ['Nothing to do: this notice only checks that this receiver gets what appgw-insights sends.'],
    },
  };
  if (type === 'recovered')
    return {
      ...base,
      server: { address: `${TEST_MARK} 192.0.2.10`, health: 'Healthy', probeLog },
      reason: RECOVERED_REASONS.healthy,
    };
  return {
    ...base,
    server: { address: `${TEST_MARK} 192.0.2.10`, health: 'Unhealthy', probeLog },
    insight: {
      title: `${TEST_MARK} Test notice`,
      summary: `${TEST_MARK} This is a test notice from \`appgw-insights notify test\`. No backend server is unhealthy.`,
      markdown: `# ${TEST_MARK} Test notice\n\nThis is a test notice from \`appgw-insights notify test\`. No backend server is unhealthy.\n`,
      path: 'insights/test-notice',
    },
  };
}

/**
 * `text` opened by `[TEST]` when `subject` (a notice, or a group of notices) comes from `notify test`
 * (ids `appgw-test-…`): the chat formats' headlines, which a reader sees first. Pure.
 */
export function testMarked(subject: { readonly id: string }, text: string): string {
  return subject.id.startsWith(TEST_ID_PREFIX) ? `${TEST_MARK} ${text}` : text;
}

/** `appgw-test-ep-` + 16 hex digits: the episode id of the test sent at `now` (ISO) with `nonce`. */
export function testEpisodeId(now: string, nonce: string): string {
  return `${TEST_ID_PREFIX}ep-${hash64(['episode', now, nonce].join('|'))}`;
}

/**
 * The grouped message of a test, for a receiver in `gateway` grouping: what a run sends it (one
 * message per gateway, core/notice/grouping.ts) with the one test notice inside, on the `[TEST]`
 * gateway. Its id is `appgw-test-grp-` + 16 hex digits of the notice's id (a run's is `appgw-grp-`), so
 * a receiver that files messages by id files it apart. Pure.
 */
export function testGroup(notice: Notice): NoticeGroup {
  // A run's group of the one notice, under a test id (its fields in the same order as a run's).
  const { occurredAt, gateway, notices } = noticeGroup([notice]);
  return {
    id: `${TEST_ID_PREFIX}grp-${hash64(['group', notice.id].join('|'))}`,
    occurredAt,
    gateway,
    notices,
  };
}
