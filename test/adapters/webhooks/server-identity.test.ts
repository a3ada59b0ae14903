import { noticeGroup } from '../../../src/core/notice/grouping';
import type { Notice } from '../../../src/core/notice/notice';
import { toCloudEvent } from '../../../src/adapters/webhooks/cloudevents/cloudevents-payload';
import { toWebhookEvent } from '../../../src/adapters/webhooks/json/json-payload';
import { toPagerDutyEvent } from '../../../src/adapters/webhooks/pagerduty/pagerduty-payload';
import { buildSlackGroupMessage } from '../../../src/adapters/webhooks/slack/slack-group';
import { buildSlackMessage } from '../../../src/adapters/webhooks/slack/slack-payload';
import { buildTeamsGroupCard } from '../../../src/adapters/webhooks/teams/teams-group';
import { buildTeamsCard } from '../../../src/adapters/webhooks/teams/teams-payload';
import { serverIdentity } from '../../../src/adapters/webhooks/text';
import { recoveredNotice, sampleNotice } from './support/notices';

/**
 * The same address in one pool on two backend settings is two servers (two episodes): every format
 * names the settings wherever it names a server, so the two notices never read as a duplicate.
 */

const on = (notice: Notice, settings: string, id: string): Notice => ({
  ...notice,
  id,
  backendSettings: settings,
});
const types = [
  ['degraded', sampleNotice()],
  ['still-degraded', sampleNotice({ type: 'still-degraded' })],
  ['recovered', recoveredNotice()],
] as const;

/** What each per-server format shows as the server's heading or one-line text. */
const headings: ReadonlyArray<readonly [string, (n: Notice) => string]> = [
  [
    'teams heading',
    (n) => JSON.stringify((buildTeamsCard(n)['body'] as Array<{ items?: unknown }>)[0]?.items),
  ],
  [
    'slack header',
    (n) =>
      JSON.stringify(
        (buildSlackMessage(n)['blocks'] as Array<{ type: string }>).find((b) => b.type === 'header'),
      ),
  ],
  ['slack notification text', (n) => String(buildSlackMessage(n)['text'])],
  ['json', (n) => JSON.stringify(toWebhookEvent(n))],
  ['cloudevents', (n) => JSON.stringify(toCloudEvent(n))],
];

describe('a server is named with its backend settings in every format', () => {
  it('serverIdentity: address, pool, settings and gateway; a gateway-level notice its gateway', () => {
    expect(serverIdentity(sampleNotice({ backendSettings: 'MFSettings' }))).toBe(
      '10.0.1.4 in pool pool-api, settings MFSettings, of agw-prod',
    );
    expect(serverIdentity(sampleNotice({ scope: 'gateway' }))).toBe('agw-prod');
  });

  describe.each(types)('%s', (_type, notice) => {
    const a = on(notice, 'MFSettings-http', 'appgw-a');
    const b = on(notice, 'MFSettings-https', 'appgw-b');
    it.each(headings)('%s names the settings, so the two notices differ', (_name, shown) => {
      expect(shown(a)).toContain('MFSettings-http');
      expect(shown(b)).toContain('MFSettings-https');
      expect(shown(a).replace(/appgw-a/g, '')).not.toBe(shown(b).replace(/appgw-b/g, ''));
    });
  });

  it.each(types.filter(([type]) => type !== 'recovered'))(
    'pagerduty %s: the summary names the settings',
    (_type, notice) => {
      const event = toPagerDutyEvent(on(notice, 'MFSettings-http', 'appgw-a'), 'R'.repeat(32));
      expect(event.event_action === 'trigger' && event.payload.summary).toContain(
        '10.0.1.4 in pool pool-api, settings MFSettings-http, of agw-prod',
      );
    },
  );

  it.each([
    ['teams', (notices: Notice[]) => JSON.stringify(buildTeamsGroupCard(noticeGroup(notices)))],
    ['slack', (notices: Notice[]) => JSON.stringify(buildSlackGroupMessage(noticeGroup(notices)))],
  ] as const)('%s grouped: each settings is its own section, named', (_name, shown) => {
    const text = shown([
      on(sampleNotice(), 'MFSettings-http', 'appgw-a'),
      on(sampleNotice(), 'MFSettings-https', 'appgw-b'),
    ]);
    expect(text).toContain('settings MFSettings-http');
    expect(text).toContain('settings MFSettings-https');
  });
});
