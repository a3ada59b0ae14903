/**
 * The steps a receiver gets carry the gateway's own values (issue 17): a run against the emulator's
 * default scenario, the real ARM adapters (backend health, then the gateway's configuration), a JSON
 * receiver on loopback. The same commands the insight shows (check-gateway-configuration.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadDefaultScenario } from '../../../src/emulator';
import { notifyRun } from '../../helpers/notify-run';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver';

let receiver: WebhookReceiver;
let tmp: string;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-notice-steps-'));
});
afterAll(async () => {
  await receiver.close();
  await rm(tmp, { recursive: true, force: true });
});

interface JsonNotice {
  readonly backendSettings: string;
  readonly server: { readonly address: string };
  readonly cause: { readonly steps: readonly string[] };
}

it('each degraded notice of the default scenario reproduces its probe with the real values and names its recheck', async () => {
  const scenario = await loadDefaultScenario();
  await notifyRun({
    scenario: scenario as never,
    targets: ['/subscriptions/00000000-0000-0000-0000-000000000000'],
    config: {
      sinks: {
        dir: path.join(tmp, 'out'),
        webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server' }],
      },
      state: { dir: path.join(tmp, 'state') },
    },
  });
  const notices = receiver.requests.map((r) => JSON.parse(r.body) as JsonNotice);
  expect(notices.length).toBeGreaterThan(0);
  const steps = (settings: string, address: string) =>
    notices.find((n) => n.backendSettings === settings && n.server.address === address)?.cause.steps ?? [];
  expect(steps('MFPoolSettings', '10.220.1.5')).toEqual(
    expect.arrayContaining([
      expect.stringContaining(
        '`az network application-gateway probe update -g rg-prod-weu --gateway-name appgw-shop -n shop-probe --timeout "${PROBE_TIMEOUT_SECONDS:?',
      ),
      expect.stringContaining(
        '`curl -i --max-time 30 --resolve shop.contoso.com:80:10.220.1.5 http://shop.contoso.com:80/health`',
      ),
    ]),
  );
  for (const notice of notices) {
    const all = notice.cause.steps.join('\n');
    // No general form left: every command names this server.
    expect(all).not.toMatch(/curl[^`]*<address>/);
    // Nor any placeholder (issue 17): the configuration of each was read. (A `</dev/null` is no placeholder.)
    expect(all).not.toMatch(/<[a-z][a-z ]*>/);
    expect(notice.cause.steps.at(-1)).toMatch(
      new RegExp(
        `^Once fixed, confirm it at once with an on-demand probe: \`appgw-insights recheck --gateway .* --settings `,
      ),
    );
  }
});
