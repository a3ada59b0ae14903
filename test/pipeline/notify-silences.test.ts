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

  async function run(server: ServerSpec, silences: unknown[]): Promise<RunReport> {
    const outcome = await notifyRun({
      scenario: { gateways: [gateway('gw', [server])] },
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

  it('a silence by tag is refused (runs read no gateway tags: it would silence nothing), nothing sent', async () => {
    await expect(run(bad, [inForce({ tags: { env: 'prod' } })])).rejects.toThrow(
      /notify\.silences\[0\]\.matchers\.tags: tags are not matched yet/,
    );
    expect(ops.requests).toEqual([]);
  });
});
