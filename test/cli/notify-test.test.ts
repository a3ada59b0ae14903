import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, runCli } from '../helpers/cli';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

beforeAll(assertBuilt);

const ROUTING_KEY = 'R01234567890abcdefABCDEF98765432';
const TOKEN = 'ops-token-1234567890abcdef';

/** `appgw-insights notify test`, the built CLI as a user runs it, against loopback receivers. */
describe('appgw-insights notify test', () => {
  let receiver: WebhookReceiver;
  let tmp: string;
  let configFile: string;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-cli-notify-test-'));
    configFile = path.join(tmp, 'config.json');
    await writeFile(
      configFile,
      JSON.stringify({
        targets: ['/subscriptions/00000000-0000-0000-0000-000000000001'],
        sinks: {
          dir: 'out',
          webhooks: [
            { name: 'ops', url: receiver.url(`/hooks/${TOKEN}`), format: 'json', maxAttempts: 2 },
            { name: 'chat', url: receiver.url('/chat'), format: 'teams', maxAttempts: 1 },
            {
              name: 'pager',
              url: receiver.url('/v2/enqueue'),
              format: 'pagerduty',
              routingKey: { fromEnv: 'APPGW_TEST_PD_KEY' },
              maxAttempts: 1,
            },
            {
              name: 'quiet-pager',
              url: receiver.url('/v2/enqueue'),
              format: 'pagerduty',
              routingKey: ROUTING_KEY,
              sendResolved: false,
              maxAttempts: 1,
            },
            {
              // Routes only what a test notice is not: the test must go anyway.
              name: 'routed',
              url: receiver.url('/routed'),
              format: 'json',
              match: [{ severity: 'critical', gateway: 'agw-prod-*' }],
              maxAttempts: 1,
            },
          ],
        },
        state: { dir: 'state' },
      }),
    );
  });
  afterEach(async () => {
    await receiver.close();
    await rm(tmp, { recursive: true, force: true });
  });
  const env = { ...process.env, APPGW_TEST_PD_KEY: ROUTING_KEY };
  const test = (...args: string[]) => runCli(['notify', 'test', '--config', configFile, ...args], tmp, env);

  it('delivered: exit 0, what the receiver answered, a notice marked [TEST] in its format; no notify state is touched', async () => {
    await mkdir(path.join(tmp, 'state'));
    const { code, stdout, stderr } = await test('--receiver', 'ops');
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(
      /^delivered: \[TEST\] degraded appgw-test-[0-9a-f]{16} to webhook\[ops\] \(json, http:\/\/127\.0\.0\.1:\d+\/\[redacted\]\): HTTP 200 at attempt 1\n$/,
    );
    expect(stdout).not.toContain(TOKEN);
    expect(receiver.requests).toHaveLength(1);
    const event = JSON.parse(receiver.requests[0]!.body) as unknown;
    expect(event).toMatchObject({
      type: 'degraded',
      id: expect.stringMatching(/^appgw-test-/),
      gateway: { name: '[TEST] test-notice', subscriptionId: '00000000-0000-0000-0000-000000000000' },
      server: { address: '[TEST] 192.0.2.10' },
      cause: { title: expect.stringMatching(/^\[TEST\] /) },
    });
    // The state folder is as it was: empty (no episode, outbox or dead letter), and nothing else written.
    expect(await readdir(path.join(tmp, 'state'))).toEqual([]);
    expect(existsSync(path.join(tmp, 'out'))).toBe(false);
  });

  it('a chat format shows the mark where people read first (a Teams card)', async () => {
    const { code } = await test('--receiver', 'webhook[chat]');
    expect(code).toBe(0);
    const body = receiver.requests[0]!.body;
    expect(body).toContain('[TEST] 192.0.2.10');
    expect(body).toContain('[TEST] Test notice from appgw-insights: nothing is wrong');
  });

  it('refused (400): exit 2, the answer clipped and scrubbed of the URL token, on stderr; not retried', async () => {
    receiver.script({
      status: 400,
      body: `bad request for /hooks/${TOKEN}: ${'x'.repeat(5000)}`,
    });
    const { code, stdout, stderr } = await test('--receiver', 'ops');
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(/^error: not delivered: \[TEST\] degraded appgw-test-\S+ to webhook\[ops\] /);
    expect(stderr).toContain('HTTP 400');
    expect(stderr).toContain('bad request for');
    expect(stderr).not.toContain(TOKEN);
    expect(stderr.length).toBeLessThan(1500);
    expect(receiver.requests).toHaveLength(1);
  });

  it('unavailable (503 on every attempt): exit 2, each attempt said', async () => {
    receiver.setDefault({ status: 503, body: 'down for maintenance' });
    const { code, stderr } = await test('--receiver', 'ops');
    expect(code).toBe(2);
    expect(stderr).toContain('down for maintenance');
    expect(stderr).toMatch(/2 attempt\(s\): HTTP 503, HTTP 503/);
    expect(receiver.requests).toHaveLength(2);
  });

  it('pagerduty --resolve: a trigger, then the resolve of the same dedup_key; the routing key never printed', async () => {
    receiver.setDefault({ status: 202, body: '{"status":"success","message":"Event processed"}' });
    const { code, stdout, stderr } = await test('--receiver', 'pager', '--resolve', '--json');
    expect([code, stderr]).toEqual([0, '']);
    const report = JSON.parse(stdout) as { delivered: boolean; sends: Array<{ type: string }> };
    expect(report).toMatchObject({ receiver: 'webhook[pager]', format: 'pagerduty', delivered: true });
    expect(report.sends.map((s) => s.type)).toEqual(['degraded', 'recovered']);
    const [trigger, resolve] = receiver.requests.map(
      (r) => JSON.parse(r.body) as { dedup_key?: string; payload?: { summary?: string } },
    );
    expect(trigger).toMatchObject({ event_action: 'trigger', routing_key: ROUTING_KEY });
    expect(trigger?.payload?.summary).toMatch(/^\[TEST\] /);
    // A real, clearly-test dedup key: never the bare `appgw-ep-` of an empty hash.
    expect(trigger?.dedup_key).toMatch(/^appgw-test-ep-[0-9a-f]{16}$/);
    expect(
      (report as unknown as { sends: Array<{ episodeId: string }> }).sends.map((s) => s.episodeId),
    ).toEqual([trigger?.dedup_key, trigger?.dedup_key]);
    expect(resolve).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: trigger?.dedup_key,
    });
    expect(stdout).not.toContain(ROUTING_KEY);
  });

  it('--resolve to a receiver with sendResolved false: the trigger only, and it says why', async () => {
    receiver.setDefault({ status: 202, body: '{}' });
    const { code, stdout } = await test('--receiver', 'quiet-pager', '--resolve');
    expect(code).toBe(0);
    expect(stdout).toMatch(/\nnot sent: \[TEST\] recovered .*sendResolved: false\n$/);
    expect(receiver.requests).toHaveLength(1);
  });

  it("a receiver's match is ignored: the test notice (warning, [TEST] gateway) and its recovered go all the same", async () => {
    const { code } = await test('--receiver', 'routed', '--resolve');
    expect(code).toBe(0);
    const events = receiver.requests.map((r) => JSON.parse(r.body) as { type: string; severity: string });
    expect(events.map((e) => `${e.type} ${e.severity}`)).toEqual(['degraded warning', 'recovered warning']);
  });

  it('a receiver the config does not have, or no --receiver: exit 2 naming the ones it has', async () => {
    const unknown = await test('--receiver', 'opz');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no receiver named "opz"');
    expect(unknown.stderr).toContain('sinks.webhooks has "ops", "chat", "pager", "quiet-pager", "routed"');
    const missing = await runCli(['notify', 'test', '--config', configFile], tmp, env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--receiver NAME is required');
    expect(receiver.requests).toHaveLength(0);
  });

  it('a routing key from a setting that is not set: exit 2 naming the setting, nothing sent', async () => {
    const { code, stderr } = await runCli(
      ['notify', 'test', '--config', configFile, '--receiver', 'pager'],
      tmp,
      { ...process.env, APPGW_TEST_PD_KEY: '' },
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/routingKey: .*"APPGW_TEST_PD_KEY" is not set/);
    expect(receiver.requests).toHaveLength(0);
  });
});
