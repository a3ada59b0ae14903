import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { runOnce } from '../../src/app/run-once';
import { parseConfig } from '../../src/config/load';
import { emulatorArm } from '../helpers/emulator-settings';
import { startEmulator, type ScenarioInput } from '../../src/emulator';
import { silentLogger } from '../../src/pipeline/logger';
import { runSucceeded, type RunReport } from '../../src/core/run-report';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { notifyRun } from '../helpers/notify-run';
import { settledReport } from '../helpers/run-outcome';
import { SUB, gateway, type ServerSpec } from '../helpers/scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const SECRET = `whsec_${Buffer.from('appgw-insights-test-secret-32byt').toString('base64')}`;
const tcp = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
const dns = { address: 'api.contoso.internal', health: 'Down', healthProbeLog: 'DNS resolution error' };
const ok = (address: string): ServerSpec => ({
  address,
  health: 'Healthy',
  healthProbeLog: 'Success. Received 200 status code',
});

interface Event {
  id: string;
  type: string;
  server: { address: string };
}

/** Every event the receiver accepted (2xx), verified with the independent standardwebhooks package. */
function acceptedEvents(receiver: WebhookReceiver, from = 0): Event[] {
  const verifier = new Webhook(SECRET);
  return receiver.requests.slice(from).flatMap((request) => {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    return [verifier.verify(request.body, headers) as Event];
  });
}

/** gw's pool-a (as gateway() makes it) and another pool, pool-b with one healthy server, of gateway `id`. */
function withPoolB(id: string): { other: unknown; both: unknown[] } {
  const other = {
    backendAddressPool: { id: `${id}/backendAddressPools/pool-b` },
    backendHttpSettingsCollection: [
      {
        backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/settings-b` },
        servers: [ok('10.0.9.9')],
      },
    ],
  };
  const both = (gateway('gw', [tcp]).backendHealth as { backendAddressPools: unknown[] }).backendAddressPools;
  return { other, both };
}

describe('notify on change, end to end (emulator → runOnce → real webhook receiver)', () => {
  let receiver: WebhookReceiver;
  let state: string;
  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    state = await mkdtemp(path.join(os.tmpdir(), 'appgw-notify-'));
  });
  afterEach(async () => {
    await receiver.close();
    await rm(state, { recursive: true, force: true });
  });

  /** One run against a fresh emulator; `servers` is gw's, `more` adds other gateways to the scenario. */
  async function run(
    servers: ServerSpec[],
    stateDir: string,
    extra: Record<string, unknown> = {},
    more: ScenarioInput['gateways'] = [],
    gatewayExtra: Partial<ScenarioInput['gateways'][number]> = {},
  ): Promise<RunReport> {
    const outcome = await notifyRun({
      scenario: { gateways: [gateway('gw', servers, gatewayExtra), ...more] },
      logger: silentLogger,
      config: {
        sinks: {
          dir: path.join(stateDir, 'out'),
          webhooks: [
            {
              name: 'ops',
              url: receiver.url('/hooks/ops?token=s3cr3t'),
              format: 'json',
              grouping: 'server',
              secret: SECRET,
              maxAttempts: 3,
              timeoutInMs: 2000,
            },
          ],
        },
        state: { dir: stateDir },
        // Per-server notices are pinned here; a gateway whose every server is bad (inhibition) has its
        // own end-to-end tests (notify-grouping.test.ts).
        notify: { inhibit: false },
        ...extra,
      },
    });
    return outcome.report;
  }

  it('sends one degraded per bad server, nothing on an unchanged run, one recovered when healthy again', async () => {
    const first = await run([tcp, dns, ok('10.0.0.9')], state);
    expect(runSucceeded(first)).toBe(true);
    const degraded = acceptedEvents(receiver);
    expect(degraded.map((e) => `${e.type} ${e.server.address}`).sort()).toEqual([
      'degraded 10.0.0.4',
      'degraded api.contoso.internal',
    ]);

    await run([tcp, dns, ok('10.0.0.9')], state);
    expect(receiver.requests).toHaveLength(2);

    const third = await run([tcp, ok('api.contoso.internal'), ok('10.0.0.9')], state);
    expect(acceptedEvents(receiver, 2).map((e) => `${e.type} ${e.server.address}`)).toEqual([
      'recovered api.contoso.internal',
    ]);
    expect(third.notifications).toMatchObject({ decided: 1, pending: { 'webhook[ops]': 0 } });
  });

  it('a receiver that fails twice then accepts gets each notice once, with the same id on every attempt', async () => {
    receiver.failNext(2, 503);
    const report = await run([tcp], state);
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    expect(report.notifications?.deliveries).toEqual([
      expect.objectContaining({
        outcome: 'delivered',
        attempts: [
          expect.objectContaining({ status: 503 }),
          expect.objectContaining({ status: 503 }),
          expect.objectContaining({ status: 200 }),
        ],
      }),
    ]);
    expect(runSucceeded(report)).toBe(true);
  });

  it('a receiver that is down for a whole run gets the notice on the next run (same id), and the run says so', async () => {
    receiver.failNext(3, 503);
    const down = await run([tcp], state);
    expect(runSucceeded(down)).toBe(false);
    expect(down.notifications).toMatchObject({
      pending: { 'webhook[ops]': 1 },
      deliveries: [expect.objectContaining({ outcome: 'queued' })],
    });
    const refusedId = receiver.requests[0]?.headers['webhook-id'];

    // Next run: the server is still bad (nothing new to decide), the dead letter goes out first.
    const up = await run([tcp, dns], state);
    expect(runSucceeded(up)).toBe(true);
    const delivered = receiver.requests.slice(3);
    expect(delivered[0]?.headers['webhook-id']).toBe(refusedId);
    expect(acceptedEvents(receiver, 3).map((e) => `${e.type} ${e.server.address}`)).toEqual([
      'degraded 10.0.0.4',
      'degraded api.contoso.internal',
    ]);
  });

  it('one receiver that is down never holds up another: each has its own queue', async () => {
    const other = await startWebhookReceiver();
    try {
      other.setDefault({ status: 503 });
      const report = await run([tcp], state, {
        sinks: {
          dir: path.join(state, 'out'),
          webhooks: [
            { name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server', secret: SECRET },
            {
              name: 'pager',
              url: other.url('/hook'),
              format: 'cloudevents',
              grouping: 'server',
              maxAttempts: 2,
            },
          ],
        },
      });
      expect(acceptedEvents(receiver).map((e) => e.type)).toEqual(['degraded']);
      expect(other.requests).toHaveLength(2);
      expect(report.notifications?.pending).toEqual({ 'webhook[ops]': 0, 'webhook[pager]': 1 });
      expect(runSucceeded(report)).toBe(false);
    } finally {
      await other.close();
    }
  });

  // A break trial: each queued notice kept its whole rendered insight (its HTML twice, its finding):
  // about 31 KB a notice in every receiver's outbox, 66 MB of notify state for 1 000 servers going bad
  // behind a receiver that failed, past what its storage took.
  it("a receiver that fails: each notice waiting in its outbox takes a few KB of the gateway's notify state, not the whole insight", async () => {
    receiver.setDefault({ status: 503, body: 'down' });
    const servers = Array.from({ length: 40 }, (_, i) => ({ ...tcp, address: `10.0.1.${i + 1}` }));
    const report = await run([...servers, ok('10.0.0.9')], state);
    expect(report.notifications?.pending).toEqual({ 'webhook[ops]': 40 });
    const file = path.join(state, SUB, 'rg-test', 'gw.json');
    const doc = JSON.parse(await readFile(file, 'utf8')) as {
      outbox: Record<string, Array<{ notice: { insight?: object } }>>;
    };
    const waiting = doc.outbox['webhook[ops]'] ?? [];
    expect(waiting).toHaveLength(40);
    expect(Object.keys(waiting[0]?.notice.insight ?? {}).sort()).toEqual([
      'markdown',
      'path',
      'summary',
      'title',
    ]);
    expect((await stat(file)).size / waiting.length).toBeLessThan(12 * 1024);
  });

  it('a gateway deleted from the subscription recovers its servers, with the reason', async () => {
    await run([ok('10.0.0.9')], state, {}, [gateway('gw-old', [dns])]);
    expect(acceptedEvents(receiver).map((e) => `${e.type} ${e.server.address}`)).toEqual([
      'degraded api.contoso.internal',
    ]);

    const report = await run([ok('10.0.0.9')], state);
    const [recovered] = receiver.requests.slice(1).map((r) => JSON.parse(r.body));
    expect(recovered).toMatchObject({
      type: 'recovered',
      reason: 'the application gateway no longer exists',
      gateway: { name: 'gw-old' },
    });
    // The report (and the summary from it) says the episode ended, not that the server recovered.
    expect(report.notifications?.deliveries).toEqual([
      expect.objectContaining({ type: 'recovered', ended: 'gateway deleted', outcome: 'delivered' }),
    ]);
    expect(runSucceeded(report)).toBe(true);
    // Told once: a third run has nothing more to say.
    await run([ok('10.0.0.9')], state);
    expect(receiver.requests).toHaveLength(2);
  });

  // A break trial: with notify.recoverAfter 3, one 404 to the backend-health call and one to the GET, of
  // a gateway the same run's listing had just found, sent `recovered … no longer exists`, and the next run
  // a second `degraded` under a new episode id (a second incident).
  it("a listed gateway whose backend-health call and GET answer 404 once: no recovered; the episode stays open; the next run's listing decides", async () => {
    // Listed by its subscription (the helper names a gateway whose GET is broken by its id).
    const policy = { notify: { inhibit: false, recoverAfter: 3 }, targets: [`/subscriptions/${SUB}`] };
    const old = (extra: Partial<ScenarioInput['gateways'][number]> = {}) => [gateway('gw-old', [dns], extra)];
    await run([ok('10.0.0.9')], state, policy, old());
    const [told] = acceptedEvents(receiver) as Array<Event & { episodeId: string }>;
    expect(told).toMatchObject({ type: 'degraded', server: { address: 'api.contoso.internal' } });

    const blip = await run(
      [ok('10.0.0.9')],
      state,
      policy,
      old({
        faults: [
          { on: 'backendHealth', status: 404, code: 'ResourceNotFound', times: 1 },
          { on: 'get', status: 404, code: 'ResourceNotFound', times: 1 },
        ],
      }),
    );
    expect(receiver.requests).toHaveLength(1);
    expect(blip.gateways.find((g) => g.name === 'gw-old')?.error).toEqual({
      code: 'NotFoundSinceListed',
      retryable: false,
      message: expect.stringMatching(
        /gw-old answered 404 to its backend-health call and its GET, though this run's listing found it: deleted during the run, or ARM not yet agreeing with itself\. Its episodes stay open until the next run's listing tells\.$/,
      ),
    });
    expect(blip.notifications?.unconfirmedDeletions).toBeUndefined();
    // Said as a failure (exit 2): a gateway answering so on every run would otherwise be ok for good.
    expect(blip.ok).toBe(false);

    // Still bad: the same episode, nothing new.
    await run([ok('10.0.0.9')], state, policy, old());
    expect(receiver.requests).toHaveLength(1);
    // Deleted for real: the next listing lacks it, its GET answers 404: ended once, as a deletion.
    await run([ok('10.0.0.9')], state, policy);
    expect(acceptedEvents(receiver, 1)).toEqual([
      expect.objectContaining({
        type: 'recovered',
        reason: 'the application gateway no longer exists',
        episodeId: told!.episodeId,
      }),
    ]);
  });

  // A break trial: ARM answered backend health once with no pools (as a gateway under update may), and
  // every told server was sent as `recovered … no longer listed`, then as a new `degraded` a run later.
  it.each<[string, string]>([
    ['no pools at all', '{"backendAddressPools":[]}'],
    [
      'another pool only',
      JSON.stringify({
        backendAddressPools: [
          {
            backendAddressPool: { id: '/x/backendAddressPools/pool-other' },
            backendHttpSettingsCollection: [
              {
                backendHttpSettings: { id: '/x/backendHttpSettingsCollection/settings-a' },
                servers: [{ address: '10.0.0.8', health: 'Healthy' }],
              },
            ],
          },
        ],
      }),
    ],
  ])(
    'a reading with %s while the configuration still has the told server: no recovered, the run says why, the episode goes on',
    async (_, body) => {
      await run([tcp], state);
      expect(acceptedEvents(receiver).map((e) => e.type)).toEqual(['degraded']);

      const gatewayResourceId = gateway('gw', [tcp]).id;
      const short = await run([tcp], state, {}, [], {
        faults: [{ on: 'backendHealth', text: body.replaceAll('/x/', `${gatewayResourceId}/`), times: 5 }],
      });
      expect(receiver.requests).toHaveLength(1);
      expect(short.notifications?.unconfirmedRemovals).toEqual([
        {
          gateway: gatewayResourceId,
          server: 'gw/pool-a/settings-a/10.0.0.4',
          reason: expect.stringMatching(/configuration still has the server there/),
        },
      ]);
      expect(short.ok).toBe(false);
      // The gateway's own entry says its reading was short (not "✓, 0 servers").
      expect(short.gateways[0]?.poolsNotRead).toEqual(['pool-a']);

      // Read whole again, still bad: the same episode, nothing new to say.
      const after = await run([tcp], state);
      expect(receiver.requests).toHaveLength(1);
      expect(runSucceeded(after)).toBe(true);
    },
  );

  // A break trial: with the gateway named by id (no listing's configuration), notify kept the episode
  // open and said the reading was incomplete, while the gateway's own entry was green.
  it("a gateway named by id, read without its told server's pool: its entry names the pool as not read", async () => {
    const id = gateway('gw', [tcp]).id;
    const { other, both } = withPoolB(id);
    const byId = { targets: [id] };
    await run([tcp], state, byId, [], { backendHealth: { backendAddressPools: [...both, other] } } as never);
    const short = await run([tcp], state, byId, [], {
      backendHealth: { backendAddressPools: [...both, other] },
      faults: [{ on: 'backendHealth', text: JSON.stringify({ backendAddressPools: [other] }), times: 5 }],
    } as never);
    expect(short.gateways[0]).toMatchObject({ ok: true, poolsNotRead: ['pool-a'] });
    expect(short.notifications?.unconfirmedRemovals).toHaveLength(1);
    expect(short.summary.incompleteReadings).toBe(1);
    expect(acceptedEvents(receiver).map((e) => e.type)).toEqual(['degraded']);
  });

  // A new-user trial: with no episode open, such a reading was a silent success (exit 0, 0 servers).
  it('a reading with no pools, nothing told before: the run is not ok and names the pool it lacked; nothing is sent', async () => {
    const short = await run([tcp], state, {}, [], {
      faults: [{ on: 'backendHealth', text: '{"backendAddressPools":[]}', times: 5 }],
    });
    expect(short.gateways[0]).toMatchObject({ ok: true, servers: 0, poolsNotRead: ['pool-a'] });
    expect(short.summary.incompleteReadings).toBe(1);
    expect(short.ok).toBe(false);
    expect(receiver.requests).toHaveLength(0);
  });

  it('a told server removed from its pool (the configuration no longer has it) is recovered, as the gateway says', async () => {
    await run([tcp, ok('10.0.0.9')], state);
    // The scenario's configuration follows its body: 10.0.0.4 is gone from pool-a's addresses too.
    const report = await run([ok('10.0.0.9')], state);
    const [recovered] = receiver.requests.slice(1).map((r) => JSON.parse(r.body));
    expect(recovered).toMatchObject({
      type: 'recovered',
      reason: 'no longer listed by the gateway (removed from its backend pool or settings)',
      server: { address: '10.0.0.4' },
    });
    expect(report.notifications?.unconfirmedRemovals).toBeUndefined();
    expect(runSucceeded(report)).toBe(true);
  });

  // A break trial: beside a pool of 1 100 addresses (Azure allows 1 200), the configuration was refused
  // as unreadable, so the removal of another pool could never be confirmed: every run failed, for good.
  it('a told server whose pool was removed beside a pool of 1 100 addresses is recovered', async () => {
    const id = gateway('gw', [tcp]).id;
    const bigPool = {
      backendAddressPool: { id: `${id}/backendAddressPools/pool-big` },
      backendHttpSettingsCollection: [
        {
          backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/settings-a` },
          servers: Array.from({ length: 1_100 }, (_, i) => ok(`10.1.${Math.floor(i / 250)}.${i % 250}`)),
        },
      ],
    };
    const withPools = (pools: unknown[]) => ({ backendHealth: { backendAddressPools: pools } }) as never;
    const both = (gateway('gw', [tcp]).backendHealth as { backendAddressPools: unknown[] })
      .backendAddressPools;
    await run([tcp], state, {}, [], withPools([...both, bigPool]));
    const removed = await run([tcp], state, {}, [], withPools([bigPool]));
    expect(acceptedEvents(receiver).map((e) => `${e.type} ${e.server.address}`)).toEqual([
      'degraded 10.0.0.4',
      'recovered 10.0.0.4',
    ]);
    expect(runSucceeded(removed)).toBe(true);
  });

  it('a told server whose whole pool was removed (the configuration has no such pool) is recovered', async () => {
    const id = gateway('gw', [tcp]).id;
    const { other, both } = withPoolB(id);
    await run([tcp], state, {}, [], { backendHealth: { backendAddressPools: [...both, other] } } as never);
    const empty = await run([tcp], state, {}, [], {
      backendHealth: { backendAddressPools: [other] },
    } as never);
    expect(acceptedEvents(receiver).map((e) => `${e.type} ${e.server.address}`)).toEqual([
      'degraded 10.0.0.4',
      'recovered 10.0.0.4',
    ]);
    expect(runSucceeded(empty)).toBe(true);
  });

  // A new-user trial: with `targets` narrowed, the episodes of the gateways left out stayed open for
  // good, without a word (and their alerts were never closed).
  it('a gateway taken out of the targets: its open episodes stay open, no recovered, and the run names it', async () => {
    const other = gateway('gw-other', [dns]);
    await run([tcp], state, {}, [other]);
    expect(
      acceptedEvents(receiver)
        .map((e) => `${e.type} ${e.server.address}`)
        .sort(),
    ).toEqual(['degraded 10.0.0.4', 'degraded api.contoso.internal']);

    const narrowed = await run([tcp], state, { targets: [gateway('gw', [tcp]).id] }, [other]);
    expect(receiver.requests).toHaveLength(2);
    expect(narrowed.notifications?.unread).toEqual([{ gateway: other.id, openEpisodes: 1 }]);
    expect(runSucceeded(narrowed)).toBe(true);
  });

  // A new-user trial: a gateway named by id in the targets was deleted; its backend-health call answered
  // 404 on every run, and its episode never ended (nor after it left the targets, as the message advised).
  it('a gateway named by id in the targets, then deleted: its episodes are recovered ("no longer exists"), once, and the run still names the target', async () => {
    const old = gateway('gw-old', [dns]);
    const targets = { targets: [gateway('gw', [tcp]).id, old.id] };
    await run([ok('10.0.0.9')], state, targets, [old]);
    expect(acceptedEvents(receiver).map((e) => `${e.type} ${e.server.address}`)).toEqual([
      'degraded api.contoso.internal',
    ]);

    const deleted = await run([ok('10.0.0.9')], state, targets);
    expect(acceptedEvents(receiver, 1).map((e) => `${e.type} ${e.server.address}`)).toEqual([
      'recovered api.contoso.internal',
    ]);
    expect(JSON.parse(receiver.requests[1]?.body ?? '{}')).toMatchObject({
      reason: 'the application gateway no longer exists',
      gateway: { name: 'gw-old' },
    });
    // The target names a gateway that does not exist: still the run's failure, saying to remove it.
    expect(deleted.gateways.find((g) => g.name === 'gw-old')?.error).toMatchObject({
      code: 'GatewayDeleted',
      retryable: false,
      message: expect.stringMatching(
        /gw-old does not exist \(404 to its backend-health call and its GET\): any episode still open for it ends\. If "targets" \(APPGW_TARGETS\) names it by id, fix or remove that id\.$/,
      ),
    });
    expect(deleted.ok).toBe(false);

    await run([ok('10.0.0.9')], state, targets);
    expect(receiver.requests).toHaveLength(2);
    // Taken out of the targets as advised: nothing left open, nothing said of it.
    const narrowed = await run([ok('10.0.0.9')], state, { targets: targets.targets.slice(0, 1) });
    expect(narrowed.notifications?.unread).toBeUndefined();
    expect(runSucceeded(narrowed)).toBe(true);
  });

  // A new-user trial: the gateway's entry said it "does not exist" and the run's deletions that "ARM
  // still has it … or Resource Graph has not caught up" (no Resource Graph was asked).
  it('a gateway named by id whose backend-health call answers 404 while ARM still has it (its GET answers 200): a failed reading, never "does not exist", no recovered', async () => {
    const old = gateway('gw-old', [dns]);
    const targets = { targets: [gateway('gw', [tcp]).id, old.id] };
    await run([ok('10.0.0.9')], state, targets, [old]);
    const failing = await run([ok('10.0.0.9')], state, targets, [
      gateway('gw-old', [dns], {
        faults: [{ on: 'backendHealth', status: 404, code: 'ResourceNotFound', times: 9 }] as never,
      }),
    ]);
    const error = failing.gateways.find((g) => g.name === 'gw-old')?.error;
    expect(error).toMatchObject({
      code: 'BackendHealthUnavailable',
      retryable: true,
      message: expect.stringMatching(
        /its backend-health call: ARM answered 404 ResourceNotFound, yet its GET finds the gateway \(200\): it was not read, and is not taken as deleted\. .*arm\.endpoint/,
      ),
    });
    expect(error?.message).not.toMatch(/does not exist|Resource Graph/);
    expect(acceptedEvents(receiver).map((e) => e.type)).toEqual(['degraded']);
    expect(failing.notifications?.openEpisodes).toMatchObject({ told: 1 });
    expect(failing.notifications?.unconfirmedDeletions).toBeUndefined();
    expect(failing.ok).toBe(false);
  });

  it.each<[string, Record<string, unknown>[]]>([
    [
      'a host that is not ARM answers 404 with another code (InvalidResourceType to the call and the GET)',
      [
        { on: 'backendHealth', status: 404, code: 'InvalidResourceType', times: 9 },
        { on: 'get', status: 404, code: 'InvalidResourceType', times: 9 },
      ],
    ],
    [
      'ARM does not know its subscription (404 SubscriptionNotFound to the call and the GET)',
      [
        { on: 'backendHealth', status: 404, code: 'SubscriptionNotFound', times: 9 },
        { on: 'get', status: 404, code: 'SubscriptionNotFound', times: 9 },
      ],
    ],
  ])(
    'a gateway named by id whose backend-health call answers 404 while %s: no recovered, the episode stays open',
    async (_, faults) => {
      const old = gateway('gw-old', [dns]);
      const targets = { targets: [gateway('gw', [tcp]).id, old.id] };
      await run([ok('10.0.0.9')], state, targets, [old]);
      const failing = await run([ok('10.0.0.9')], state, targets, [
        gateway('gw-old', [dns], { faults: faults as never }),
      ]);
      const error = failing.gateways.find((g) => g.name === 'gw-old')?.error;
      expect(error?.code).toBe('ResourceNotFound');
      // What ARM's GET said, in the gateway's entry too; a 404 not ARM's own names arm.endpoint.
      expect(error?.message).toMatch(
        /^\/subscriptions\/.*\/gw-old was not found by its backend-health call \(ARM answered 404 \w+.*\), and its GET did not confirm a deletion: .*\. Check the gateway id in "targets" \(APPGW_TARGETS\)( and that arm\.endpoint \(APPGW_ARM_ENDPOINT\) is Azure Resource Manager)?\.$/,
      );
      expect(error?.message).not.toMatch(/does not exist/);
      expect(error?.message).toMatch(/arm\.endpoint|tenant/);
      expect(acceptedEvents(receiver).map((e) => e.type)).toEqual(['degraded']);
      expect(failing.notifications?.openEpisodes).toMatchObject({ told: 1 });
      // The second trial: the summary said "already told", nothing said why it stayed open.
      expect(failing.notifications?.unconfirmedDeletions).toEqual([
        {
          gateway: old.id,
          reason: expect.stringMatching(/^(ARM answered 404 InvalidResourceType|ARM does not know)/),
          document: expect.any(String),
          notFoundBy: 'backendHealth',
        },
      ]);
    },
  );

  // The same trial's other cases: a gateway deleted after it left the targets, and one deleted with its
  // resource group (the group's listing then answers 404 ResourceGroupNotFound, so no listing shows it gone).
  it('a gateway taken out of the targets, then deleted: its episodes are recovered, and it is no longer named unread', async () => {
    const other = gateway('gw-other', [dns]);
    const narrowedTo = { targets: [gateway('gw', [tcp]).id] };
    await run([tcp], state, {}, [other]);
    const unread = await run([tcp], state, narrowedTo, [other]);
    expect(unread.notifications?.unread).toEqual([{ gateway: other.id, openEpisodes: 1 }]);
    expect(receiver.requests).toHaveLength(2);

    const deleted = await run([tcp], state, narrowedTo);
    expect(acceptedEvents(receiver, 2).map((e) => `${e.type} ${e.server.address}`)).toEqual([
      'recovered api.contoso.internal',
    ]);
    expect(deleted.notifications?.unread).toBeUndefined();
    expect(runSucceeded(deleted)).toBe(true);
  });

  it('a gateway deleted with its resource group (a target): its episodes are recovered, and the target is still named', async () => {
    const old = gateway('gw-old', [dns], {}, 'rg-old');
    const targets = { targets: [gateway('gw', [tcp]).id, `/subscriptions/${SUB}/resourceGroups/rg-old`] };
    await run([ok('10.0.0.9')], state, targets, [old]);
    expect(acceptedEvents(receiver).map((e) => e.type)).toEqual(['degraded']);

    const deleted = await run([ok('10.0.0.9')], state, targets);
    expect(acceptedEvents(receiver, 1).map((e) => `${e.type} ${e.server.address}`)).toEqual([
      'recovered api.contoso.internal',
    ]);
    expect(deleted.targets.find((t) => !t.ok)?.error?.code).toBe('TargetNotFound');
    expect(deleted.notifications?.unread).toBeUndefined();
    expect(deleted.ok).toBe(false);
  });

  // A fan-out trial: Resource Graph answers only what the identity may read (Reader on one resource group
  // of the subscription): gw-old's group was not in the answer, the subscription seemed listed whole, and
  // gw-old's episode was sent as `recovered … no longer exists`. ARM's GET of it answers 200.
  it('a gateway a Resource Graph listing lacks but ARM still has: no recovered, and the run says why', async () => {
    await run([ok('10.0.0.9')], state, {}, [gateway('gw-old', [dns], {}, 'rg-other')]);
    expect(acceptedEvents(receiver).map((e) => e.type)).toEqual(['degraded']);
    const onlyGw = JSON.stringify({
      totalRecords: 1,
      count: 1,
      resultTruncated: 'false',
      facets: [],
      data: [
        {
          id: `/subscriptions/${SUB}/resourceGroups/rg-test/providers/Microsoft.Network/applicationGateways/gw`,
          name: 'gw',
          type: 'microsoft.network/applicationgateways',
          location: 'westeurope',
          subscriptionId: SUB,
          resourceGroup: 'rg-test',
          selected: true,
        },
      ],
    });
    const warnings: string[] = [];
    const outcome = await notifyRun({
      scenario: {
        gateways: [
          gateway('gw', [ok('10.0.0.9')]),
          gateway(
            'gw-old',
            [dns],
            { faults: [{ on: 'resourceGraph', text: onlyGw, times: 10 }] },
            'rg-other',
          ),
        ],
      },
      logger: { ...silentLogger, warn: (m: string) => void warnings.push(m) },
      config: {
        sinks: {
          dir: path.join(state, 'out'),
          webhooks: [
            {
              name: 'ops',
              url: receiver.url('/hooks/ops'),
              format: 'json',
              grouping: 'server',
              secret: SECRET,
            },
          ],
        },
        state: { dir: state },
        notify: { inhibit: false },
        discovery: { names: ['gw*'] },
      },
    });
    expect(outcome.report.gateways.map((g) => g.name)).toEqual(['gw']);
    expect(acceptedEvents(receiver).map((e) => e.type)).toEqual(['degraded']);
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /applicationGateways\/gw-old: not in the listing of its scope, but not known to be deleted: ARM still has it/,
      ),
    );
    // Nobody read gw-old this run: the report names it and the run is not whole.
    expect(outcome.report.notifications?.unconfirmedDeletions).toEqual([
      {
        gateway: expect.stringMatching(/\/applicationGateways\/gw-old$/),
        reason: expect.stringMatching(/^ARM still has it \(its GET answered 200\)/),
        document: expect.stringMatching(/^state file .*gw-old/i),
      },
    ]);
    expect(outcome.report.ok).toBe(false);
  });

  // Issue 11: a read that lists nothing is not a recovery. Each broken answer of the backend-health
  // operation fails the read (BackendHealthUnavailable): the open episode stays open, nothing is sent.
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['{}', { body: 'empty-object' }, {}],
    ['[]', { body: 'empty-array' }, {}],
    ['{"backendAddressPools":null}', { body: 'null-pools' }, {}],
    ['a pool without backendHttpSettingsCollection', { body: 'missing-settings' }, {}],
    ['settings without servers', { body: 'missing-servers' }, {}],
    ['malformed JSON', { body: 'malformed' }, {}],
    ['a body cut off mid-way', { body: 'truncated' }, {}],
    ['a body slower than the time-out', { body: 'slow', delayMs: 4000 }, { gatewayTimeoutInMs: 1000 }],
  ])(
    'ARM answering %s is a failed read: no recovered, the episode stays open',
    async (_name, fault, extra) => {
      await run([tcp, ok('10.0.0.9')], state);
      expect(acceptedEvents(receiver).map((e) => `${e.type} ${e.server.address}`)).toEqual([
        'degraded 10.0.0.4',
      ]);

      const broken = await run([tcp, ok('10.0.0.9')], state, extra, [], {
        faults: [{ on: 'backendHealth', ...fault } as never],
        lro: { polls: 1, retryAfterSeconds: 0, style: 'location' },
      });
      expect(broken.gateways).toEqual([
        expect.objectContaining({
          ok: false,
          servers: 0,
          error: expect.objectContaining({ code: 'BackendHealthUnavailable' }),
        }),
      ]);
      expect(runSucceeded(broken)).toBe(false);
      expect(receiver.requests).toHaveLength(1);

      // The episode is intact: when the server really recovers, that is said once.
      await run([ok('10.0.0.4'), ok('10.0.0.9')], state);
      expect(acceptedEvents(receiver, 1).map((e) => `${e.type} ${e.server.address}`)).toEqual([
        'recovered 10.0.0.4',
      ]);
    },
  );

  it('never puts the webhook URL token or the secret into the report', async () => {
    receiver.failNext(3, 500);
    const report = JSON.stringify(await run([tcp], state));
    expect(report).not.toContain('s3cr3t');
    expect(report).not.toContain(SECRET.slice(6));
    expect(report).not.toContain('/hooks/ops');
  });
});

describe('two overlapping runs racing for the same state blob (Azurite)', () => {
  let azurite: Azurite;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    [azurite, receiver] = await Promise.all([startAzurite(), startWebhookReceiver()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([azurite?.stop(), receiver?.close()]);
  });

  it('send exactly one notice per bad server between them, and both write their insights to blob storage', async () => {
    const scenario: ScenarioInput = { gateways: [gateway('gw', [tcp, dns, ok('10.0.0.9')])] };
    const emulator = await startEmulator({ scenario: scenario as never });
    try {
      const config = parseConfig({
        targets: [`/subscriptions/${SUB}`],
        arm: emulatorArm(emulator),
        sinks: {
          blob: { connectionString: azurite.connectionString, container: 'insights' },
          webhooks: [
            { name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server', secret: SECRET },
          ],
        },
        state: { blob: { connectionString: azurite.connectionString, container: 'appgw-state' } },
      });
      const reports = await Promise.all(
        [1, 2, 3].map(async () => {
          const outcome = await runOnce(config, { logger: silentLogger });
          return { receipts: outcome.receipts, report: await settledReport(outcome) };
        }),
      );
      expect(
        acceptedEvents(receiver)
          .map((e) => `${e.type} ${e.server.address}`)
          .sort(),
      ).toEqual(['degraded 10.0.0.4', 'degraded api.contoso.internal']);
      expect(reports.map((r) => r.report.notifications?.decided ?? 0).reduce((a, b) => a + b, 0)).toBe(2);
      for (const { report, receipts } of reports) {
        expect(report.deliveryErrors).toEqual([]);
        expect(receipts.map((r) => r.sink)).toEqual(['blob[insights]']);
      }
    } finally {
      await emulator.close();
    }
  });
});
