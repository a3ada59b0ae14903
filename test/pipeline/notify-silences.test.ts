import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/pipeline/logger';
import { runSucceeded, type RunReport } from '../../src/core/run-report';
import { notifyRun } from '../helpers/notify-run';
import { gateway, type ServerSpec } from '../helpers/scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * Silences end to end: emulator → notifyRun (a direct run) → a real receiver on loopback, the notify state in a temp
 * folder. A silence "in force" spans the run (an hour either side of now); one that "ended" ended an
 * hour ago: the windows themselves are pinned with fixed times in test/core/notice/silence.test.ts.
 */
const bad: ServerSpec = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
const good: ServerSpec = {
  address: '10.0.0.4',
  health: 'Healthy',
  healthProbeLog: 'Success. Received 200 status code',
};
const HOUR = 3_600_000;
const iso = (offsetInMs: number) => new Date(Date.now() + offsetInMs).toISOString();

describe('silences, end to end', () => {
  let ops: WebhookReceiver;
  let state: string;
  beforeEach(async () => {
    ops = await startWebhookReceiver();
    state = await mkdtemp(path.join(os.tmpdir(), 'appgw-silences-'));
  });
  afterEach(async () => {
    await ops.close();
    await rm(state, { recursive: true, force: true });
  });

  type Matchers = Record<string, unknown>;
  const inForce = (matchers: Matchers = { gateway: 'g*' }) => ({
    id: 'mw',
    matchers,
    startsAt: iso(-HOUR),
    endsAt: iso(HOUR),
  });
  const ended = () => ({
    id: 'mw',
    matchers: { gateway: 'g*' },
    startsAt: iso(-2 * HOUR),
    endsAt: iso(-HOUR),
  });

  /** One run of gateway `gw` holding `server` (`extra`: its tags, its faults) under `silences`. */
  async function run(
    server: ServerSpec,
    silences: unknown[],
    extra: Record<string, unknown> = {},
  ): Promise<RunReport> {
    const outcome = await notifyRun({
      scenario: { gateways: [gateway('gw', [server], extra)] },
      logger: silentLogger,
      config: {
        sinks: {
          dir: path.join(state, 'out'),
          webhooks: [
            { name: 'ops', url: ops.url('/ops'), format: 'json', grouping: 'server', maxAttempts: 1 },
          ],
        },
        notify: { silences },
        state: { dir: path.join(state, 'state') },
      },
    });
    return outcome.report;
  }

  const types = () => ops.requests.map((r) => (JSON.parse(r.body) as { type: string }).type);

  async function storedServers(): Promise<Record<string, { silenced?: unknown; notified?: unknown }>> {
    const dir = path.join(state, 'state');
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.json'));
    const servers = {};
    for (const file of files) {
      const doc = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as {
        servers?: object;
        outbox?: object;
      };
      if (doc.outbox) Object.assign(servers, doc.servers ?? {}); // notify state documents only
    }
    return servers;
  }

  it('silence start: nothing is sent; the held degraded is in the report and in the state', async () => {
    const silence = inForce();
    const report = await run(bad, [silence]);
    expect(runSucceeded(report)).toBe(true);
    expect(types()).toEqual([]);
    expect(report.notifications?.silenced).toEqual([
      expect.objectContaining({
        type: 'degraded',
        outcome: 'held',
        silenceIds: ['mw'],
        server: 'gw/pool-a/settings-a/10.0.0.4',
        // Until when it is held: the silence's end.
        until: new Date(silence.endsAt).toISOString(),
        severity: expect.stringMatching(/^(critical|warning)$/),
      }),
    ]);
    const records = Object.values(await storedServers());
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ silenced: { type: 'degraded', silenceIds: ['mw'] } });
    expect(records[0]!.notified).toBeUndefined();
  });

  it('silence end while still bad: degraded is sent once, on the first run after the end', async () => {
    await run(bad, [inForce()]);
    await run(bad, [inForce()]);
    expect(types()).toEqual([]);
    const after = await run(bad, [ended()]);
    expect(types()).toEqual(['degraded']);
    expect(after.notifications?.silenced).toEqual([]);
    await run(bad, [ended()]);
    expect(types()).toEqual(['degraded']);
  });

  it('recovered during the silence: neither degraded nor recovered is sent, and the report says so', async () => {
    await run(bad, [inForce()]);
    const recovered = await run(good, [inForce()]);
    expect(recovered.notifications?.silenced).toEqual([
      expect.objectContaining({ type: 'recovered', outcome: 'ended-silenced', silenceIds: ['mw'] }),
    ]);
    await run(good, [ended()]);
    expect(types()).toEqual([]);
    expect(await storedServers()).toEqual({});
  });

  it.each<[string, Matchers, string[]]>([
    ['by cause', { cause: 'tcp-connect' }, []],
    ['by another cause', { cause: 'probe-timeout' }, ['degraded']],
  ])('silence %s', async (_, matchers, sent) => {
    await run(bad, [inForce(matchers)]);
    expect(types()).toEqual(sent);
  });

  // Issue 16: tags, read with the configuration of a gateway that has a bad server (its ARM `tags`).
  describe('by tag', () => {
    const prod = { tags: { Env: 'prod', owner: 'web' } };
    const getRefused = { faults: [{ on: 'get' as const, status: 403 }] };

    it.each<[string, Matchers, string[]]>([
      ['a tag it has (names case-insensitive)', { tags: { env: 'prod' } }, []],
      ['every tag it has', { tags: { env: 'prod', OWNER: 'web' } }, []],
      ['a tag beside another matcher', { gateway: 'g*', tags: { env: 'prod' } }, []],
      ['another value (values exact)', { tags: { env: 'Prod' } }, ['degraded']],
      ['a tag it lacks', { tags: { env: 'prod', team: 'db' } }, ['degraded']],
    ])('holds or sends by %s', async (_, matchers, sent) => {
      const report = await run(bad, [inForce(matchers)], prod);
      expect(types()).toEqual(sent);
      expect(report.notifications?.silenced ?? []).toHaveLength(sent.length === 0 ? 1 : 0);
    });

    it('a gateway whose tags were never read (configuration GET refused) matches no tag silence: sent', async () => {
      await run(bad, [inForce({ tags: { env: 'prod' } })], { ...prod, ...getRefused });
      expect(types()).toEqual(['degraded']);
    });

    it('the tags a record keeps match on when a later GET fails, through the recovery', async () => {
      const silence = inForce({ tags: { env: 'prod' } });
      await run(bad, [silence], prod);
      await run(bad, [silence], { ...prod, ...getRefused });
      expect(types()).toEqual([]);
      const records = Object.values(await storedServers()) as Array<{ gateway?: { tags?: unknown } }>;
      expect(records.map((r) => r.gateway?.tags)).toEqual([{ Env: 'prod', owner: 'web' }]);
      const recovered = await run(good, [silence], prod);
      expect(types()).toEqual([]);
      expect(recovered.notifications?.silenced).toEqual([
        expect.objectContaining({ type: 'recovered', outcome: 'ended-silenced', silenceIds: ['mw'] }),
      ]);
    });

    // Issue 16's trial: a server first bad in the run whose GET failed was not held by the tag silence
    // that held its gateway's other server: it pages during the maintenance window.
    it("a server first bad in a run whose GET fails takes its gateway's last-known tags", async () => {
      const silence = inForce({ tags: { env: 'prod' } });
      await run(bad, [silence], prod);
      const second = { ...bad, address: '10.0.0.5' };
      const outcome = await notifyRun({
        scenario: { gateways: [gateway('gw', [bad, second], { ...prod, ...getRefused })] },
        logger: silentLogger,
        config: {
          sinks: {
            dir: path.join(state, 'out'),
            webhooks: [
              { name: 'ops', url: ops.url('/ops'), format: 'json', grouping: 'server', maxAttempts: 1 },
            ],
          },
          notify: { silences: [silence], inhibit: false },
          state: { dir: path.join(state, 'state') },
        },
      });
      expect(types()).toEqual([]);
      expect(outcome.report.notifications?.silenced?.map((s) => s.server).sort()).toEqual([
        'gw/pool-a/settings-a/10.0.0.4',
        'gw/pool-a/settings-a/10.0.0.5',
      ]);
    });

    it('tags changed on the gateway apply from the next run that reads them', async () => {
      const silence = inForce({ tags: { env: 'prod' } });
      await run(bad, [silence], prod);
      expect(types()).toEqual([]);
      await run(bad, [silence], { tags: { env: 'test' } });
      expect(types()).toEqual(['degraded']);
    });
  });
});
