import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
            {
              name: 'ops',
              url: receiver.url(`/hooks/${TOKEN}`),
              format: 'json',
              grouping: 'server',
              maxAttempts: 2,
            },
            { name: 'chat', url: receiver.url('/chat'), format: 'teams', grouping: 'server', maxAttempts: 1 },
            // No grouping of their own: notify.grouping's default, "gateway".
            { name: 'ops-grouped', url: receiver.url('/grouped'), format: 'json', maxAttempts: 1 },
            { name: 'events', url: receiver.url('/events'), format: 'cloudevents', maxAttempts: 1 },
            { name: 'teams-grouped', url: receiver.url('/teams'), format: 'teams', maxAttempts: 1 },
            { name: 'slack-grouped', url: receiver.url('/slack'), format: 'slack', maxAttempts: 1 },
            {
              name: 'quiet-grouped',
              url: receiver.url('/quiet'),
              format: 'json',
              sendResolved: false,
              maxAttempts: 1,
            },
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
              grouping: 'server',
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
      /^delivered: \[TEST\] degraded appgw-test-[0-9a-f]{16} to webhook\[ops\] \(json, http:\/\/127\.0\.0\.1:\d+\/\[redacted\]\) per-server \(grouping "server"\): HTTP 200 at attempt 1\n$/,
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

  /** The grouped event a json or cloudevents receiver got, or a chat card's body, by path. */
  const bodyAt = (pathname: string) =>
    receiver.requests.filter((r) => r.path === pathname).map((r) => r.body);

  it('a receiver that groups (notify.grouping "gateway", the default) gets what a run sends it: a [TEST] group with the one test notice inside', async () => {
    const { code, stdout, stderr } = await test('--receiver', 'ops-grouped');
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(
      /^delivered: \[TEST\] degraded appgw-test-[0-9a-f]{16} to webhook\[ops-grouped\] \(json, [^)]+\) in grouped message appgw-test-grp-[0-9a-f]{16} \(grouping "gateway"\): HTTP 200 at attempt 1\n$/,
    );
    const [body, ...more] = bodyAt('/grouped');
    expect(more).toEqual([]);
    const event = JSON.parse(body!) as { id: string; notices: Array<{ id: string }> };
    expect(event).toMatchObject({
      schemaVersion: 1,
      type: 'gateway.group.v1',
      id: expect.stringMatching(/^appgw-test-grp-[0-9a-f]{16}$/),
      gateway: { name: '[TEST] test-notice', subscriptionId: '00000000-0000-0000-0000-000000000000' },
      counts: { degraded: 1, 'still-degraded': 0, recovered: 0 },
      notices: [
        {
          type: 'degraded',
          id: expect.stringMatching(/^appgw-test-[0-9a-f]{16}$/),
          server: { address: '[TEST] 192.0.2.10' },
          cause: { title: expect.stringMatching(/^\[TEST\] /) },
        },
      ],
    });
    expect(receiver.requests[0]!.headers['webhook-id']).toBe(event.id);
    expect(stdout).toContain(event.id);
    expect(stdout).toContain(event.notices[0]!.id);
  });

  it('--json says the shape: group, its id per send; --resolve sends the recovered as a second test group of the same test episode', async () => {
    const { code, stdout } = await test('--receiver', 'ops-grouped', '--resolve', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      sends: Array<{ type: string; groupId: string; noticeId: string; episodeId: string }>;
    };
    expect(report).toMatchObject({ shape: 'group', grouping: 'gateway', delivered: true });
    expect(report).not.toHaveProperty('shapeNote');
    const events = bodyAt('/grouped').map(
      (b) =>
        JSON.parse(b) as { id: string; notices: Array<{ id: string; type: string; episodeId?: string }> },
    );
    expect(events.map((e) => e.notices.map((n) => n.type))).toEqual([['degraded'], ['recovered']]);
    expect(report.sends.map((s) => s.groupId)).toEqual(events.map((e) => e.id));
    expect(report.sends.map((s) => s.noticeId)).toEqual(events.map((e) => e.notices[0]!.id));
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
    expect(report.sends[0]!.episodeId).toMatch(/^appgw-test-ep-[0-9a-f]{16}$/);
    expect(report.sends[1]!.episodeId).toBe(report.sends[0]!.episodeId);
  });

  it('--resolve to a grouping receiver with sendResolved false: the degraded group only, and it says why', async () => {
    const { code, stdout } = await test('--receiver', 'quiet-grouped', '--resolve');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^delivered: \[TEST\] degraded .* in grouped message appgw-test-grp-/);
    expect(stdout).toMatch(
      /\nnot sent: \[TEST\] recovered appgw-test-\S+ to webhook\[quiet-grouped\] \([^)]+\): the receiver has sendResolved: false\n$/,
    );
    expect(bodyAt('/quiet')).toHaveLength(1);
  });

  it('cloudevents grouped: the grouped CloudEvent, its data the [TEST] group', async () => {
    expect((await test('--receiver', 'events')).code).toBe(0);
    const [body] = bodyAt('/events');
    const event = JSON.parse(body!) as { type: string; id: string; data: { id: string; notices: unknown[] } };
    expect(event.type).toBe('com.appgw-insights.gateway.group.v1');
    expect(event.data.id).toMatch(/^appgw-test-grp-[0-9a-f]{16}$/);
    expect(event.data.notices).toHaveLength(1);
    expect(body).toContain('[TEST] 192.0.2.10');
  });

  it('teams and slack grouped: the grouped card (headline of counts, servers by pool), marked [TEST] and naming the test group', async () => {
    for (const [name, pathname, headline] of [
      ['teams-grouped', '/teams', 'Backend servers: 1 degraded'],
      ['slack-grouped', '/slack', 'Backend servers: 1 degraded on [TEST] test-notice'],
    ] as const) {
      const { code, stdout } = await test('--receiver', name);
      expect(code).toBe(0);
      const [body] = bodyAt(pathname);
      expect(body).toContain(headline);
      expect(body).toContain('Pool test-pool · settings test-settings');
      expect(body).toContain('[TEST] 192.0.2.10');
      expect(body).toContain('[TEST] test-notice');
      const groupId = /appgw-test-grp-[0-9a-f]{16}/.exec(stdout)?.[0];
      expect(groupId).toBeDefined();
      expect(body).toContain(groupId);
    }
  });

  it('pagerduty in gateway grouping: per-server (it has no grouped message), and the report says so', async () => {
    receiver.setDefault({ status: 202, body: '{}' });
    const text = await test('--receiver', 'pager');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      'per-server (grouping "gateway", but its format has no grouped message: a run sends it each notice on its own)',
    );
    const json = await test('--receiver', 'pager', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      shape: 'server',
      grouping: 'gateway',
      shapeNote: expect.stringContaining('no grouped message'),
    });
    expect(
      receiver.requests.map((r) => (JSON.parse(r.body) as { event_action: string }).event_action),
    ).toEqual(['trigger', 'trigger']);
  });

  it('notify.grouping "server": a receiver without its own grouping gets the per-server notice; one with grouping "gateway" the group', async () => {
    const config = JSON.parse(await readFile(configFile, 'utf8')) as { notify?: unknown };
    await writeFile(configFile, JSON.stringify({ ...config, notify: { grouping: 'server' } }));
    const plain = await test('--receiver', 'ops-grouped', '--json');
    expect(JSON.parse(plain.stdout)).toMatchObject({ shape: 'server', grouping: 'server' });
    expect(JSON.parse(bodyAt('/grouped')[0]!)).toMatchObject({ type: 'degraded' });
    const config2 = JSON.parse(await readFile(configFile, 'utf8')) as {
      sinks: { webhooks: Array<{ name: string; grouping?: string }> };
    };
    for (const w of config2.sinks.webhooks) if (w.name === 'events') w.grouping = 'gateway';
    await writeFile(configFile, JSON.stringify(config2));
    const own = await test('--receiver', 'events', '--json');
    expect(JSON.parse(own.stdout)).toMatchObject({ shape: 'group', grouping: 'gateway' });
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
    expect(stderr).toMatch(/2 attempts: HTTP 503, HTTP 503/);
    expect(receiver.requests).toHaveLength(2);
  });

  it('a Teams connector answering 200 "Webhook message delivery failed …" (its way of saying 429): not delivered, exit 2, what Teams said on stderr', async () => {
    receiver.setDefault({
      status: 200,
      body: 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef.0.',
    });
    const { code, stdout, stderr } = await test('--receiver', 'chat');
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(/^error: not delivered: \[TEST\] degraded appgw-test-\S+ to webhook\[chat\] /);
    expect(stderr).toContain(
      'HTTP 200 OK, but the receiver did not take the notice: Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429',
    );
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
    expect(unknown.stderr).toContain(
      'sinks.webhooks has "ops", "chat", "ops-grouped", "events", "teams-grouped", "slack-grouped", "quiet-grouped", "pager", "quiet-pager", "routed"',
    );
    const missing = await runCli(['notify', 'test', '--config', configFile], tmp, env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--receiver NAME is required');
    expect(receiver.requests).toHaveLength(0);
  });

  it("every problem of the config at once: the schema's and the tested receiver's URL policy, in one run; nothing sent", async () => {
    const file = path.join(tmp, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        sinks: {
          webhooks: [
            { name: 'a', url: 'ftp://hooks.example/x', format: 'json' },
            { name: 'b', url: receiver.url('/b'), format: 'nope' },
          ],
        },
        notify: { groupWait: 'forever' },
      }),
    );
    const { code, stderr } = await runCli(['notify', 'test', '--config', file, '--receiver', 'a'], tmp, env);
    expect(code).toBe(2);
    expect(stderr).toMatch(/sinks\.webhooks\[0\]\.url: must use https:\/\//);
    expect(stderr).toMatch(/sinks\.webhooks\[1\]\.format: /);
    expect(stderr).toMatch(/notify\.groupWait: "forever"/);
    expect(receiver.requests).toHaveLength(0);
  });

  it("another receiver's secret that is not set is no reason to refuse testing this one; it is said, as run refuses the file for it", async () => {
    const { code, stderr } = await runCli(
      ['notify', 'test', '--config', configFile, '--receiver', 'ops'],
      tmp,
      {
        ...process.env,
        APPGW_TEST_PD_KEY: '',
      },
    );
    expect(code).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    expect(stderr).toMatch(
      /^warning: `run` refuses .* for its other receivers .*"APPGW_TEST_PD_KEY" is not set/m,
    );
  });

  // A new-user trial: `notify test` of a good receiver passed a file whose other receiver had a plain
  // http:// URL to a host not on loopback; the next run exited 2 with nothing checked.
  it("another receiver's URL that run refuses (plain http:// off loopback): this one is tested, and the warning names it", async () => {
    const file = path.join(tmp, 'other-http.json');
    await writeFile(
      file,
      JSON.stringify({
        sinks: {
          webhooks: [
            { name: 'ok', url: receiver.url('/ok'), format: 'json' },
            { name: 'pub', url: 'http://hooks.example.com/x', format: 'json' },
          ],
        },
      }),
    );
    const before = receiver.requests.length;
    const { code, stderr } = await runCli(['notify', 'test', '--config', file, '--receiver', 'ok'], tmp, env);
    expect(code).toBe(0);
    expect(receiver.requests.length).toBe(before + 1);
    expect(stderr).toMatch(
      /^warning: `run` refuses .*other-http\.json for its other receivers \(fix them before the next run\): receiver "pub": sinks\.webhooks\[1\]\.url: must use https:\/\//m,
    );
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
