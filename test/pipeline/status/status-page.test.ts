import { gatewayKey, parseTarget, type Target } from '../../../src/core/arm-id';
import { addReading, type HistoryDocument } from '../../../src/core/status/history';
import {
  ArmUnreachableError,
  BackendHealthUnavailableError,
  StateUnavailableError,
} from '../../../src/errors';
import { statusInsightPath } from '../../../src/insight/insight-path';
import { runChecks } from '../../../src/pipeline/run-checks';
import { recordHistory } from '../../../src/pipeline/status/record-history';
import {
  HISTORY_LOSS,
  type HistorySituation,
  type StatusServices,
} from '../../../src/pipeline/status/status-services';
import type { StateStores } from '../../../src/ports';
import { refusingSink, type MemorySink } from '../../helpers/memory/sink';
import { healthOf } from '../../helpers/memory/run-dependencies';
import { gatewayNamed, memoryLogger, memoryRun, type MemoryRun } from '../../helpers/memory';
import { memoryStateForRuns, type MemoryStateForRuns } from '../../helpers/memory/state-for-runs';

const gwA = gatewayNamed('gw-a', 'rg-web');
const gwB = gatewayNamed('gw-b', 'rg-web');
const BAD = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
const GOOD = { address: '10.0.0.5', health: 'Healthy' };
const WEEK = 7 * 86_400_000;

interface StatusRun extends MemoryRun {
  readonly history: MemoryStateForRuns<HistoryDocument>;
}

function statusRun(history = memoryStateForRuns<HistoryDocument>('memory history')): StatusRun {
  const r = memoryRun({
    gateways: [
      { ref: gwA, servers: [BAD, GOOD] },
      { ref: gwB, servers: [GOOD] },
    ],
  });
  const status: StatusServices = { history, retentionInMs: WEEK, logger: r.logger };
  return { ...r, history, deps: { ...r.deps, status } };
}
const run = (r: MemoryRun, runId: string) => runChecks(r.deps, { ...r.options, runId });
const pageOf = (r: MemoryRun) => {
  const delivery = r.sinks[0]?.deliveries.find((d) => d.scope === 'report');
  return delivery?.statusPage ?? '';
};
const stored = (r: StatusRun, gateway = gwA) =>
  JSON.parse(r.history.documents.get(gatewayKey(gateway.id))?.text ?? 'null') as HistoryDocument | null;

describe('status page in a direct run', () => {
  it("adds each gateway's reading to its history and gives every sink the page with the report", async () => {
    const r = statusRun();
    const outcome = await run(r, 'run-1');
    expect(outcome.report.deliveryErrors).toEqual([]);
    expect(stored(r)?.readings).toHaveLength(1);
    expect(stored(r, gwB)?.readings).toHaveLength(1);
    for (const sink of r.sinks) {
      const page = sink.deliveries.find((d) => d.scope === 'report')?.statusPage ?? '';
      expect(page).toContain('<h2>gw-a ');
      expect(page).toContain('<h2>gw-b ');
      expect(page).toContain('10.0.0.5'); // healthy servers too
      expect(page).toMatch(
        /<tr class=d><td>10\.0\.0\.4<td>✕ Unhealthy<td><a href=s\/[0-9a-z/]+\.html>TCP connect error<\/a>/,
      );
      // The page goes with the report only, never with a gateway's delivery.
      expect(sink.deliveries.filter((d) => d.statusPage !== undefined).map((d) => d.scope)).toEqual([
        'report',
      ]);
    }
    // The link: where the sinks copy that finding's insight page.
    const reported = outcome.report.gateways[0]?.findings[0];
    expect(reported && statusInsightPath({ gateway: gwA, ...reported })).toBe(
      /href=(s\/\S+\.html)>/.exec(pageOf(r))?.[1],
    );
  });

  it('keeps one reading per run, so the page has history', async () => {
    const r = statusRun();
    for (const runId of ['run-1', 'run-2', 'run-3']) {
      await run(r, runId);
      r.clock.advance(300_000);
    }
    expect(stored(r)?.readings).toHaveLength(3);
    const page = r.sinks[0]?.deliveries.filter((d) => d.scope === 'report').at(-1)?.statusPage;
    // Down in all three readings: named "unhealthy 100%" (one of the page's labels, by id).
    expect(page).toMatch(/<tr class=d><td>10\.0\.0\.4[^\n]*<svg role=img aria-labelledby=lu \/>/);
    expect(page).toContain('<span id=lu>unhealthy 100%</span>');
  });

  it('shows a gateway whose read failed this run as stale, with its last known servers and the error', async () => {
    const r = statusRun();
    await run(r, 'run-1');
    r.clock.advance(300_000);
    r.reader.health.set(gwA.id, new BackendHealthUnavailableError(gwA.id, 'ARM answered 503'));
    for (const sink of r.sinks) sink.deliveries.length = 0;
    await run(r, 'run-2');
    const page = pageOf(r);
    expect(page).toContain('gw-a <span class="stale-tag">(stale)</span>');
    expect(page).toMatch(/this run's read failed at .*BackendHealthUnavailable: .*ARM answered 503/);
    expect(page).toContain('10.0.0.4'); // the last known state
    expect(page).toContain('Last successful read: 2026-01-05 10:00:');
    expect(stored(r)?.outcomes).toBe('+!');
  });

  it("ARM unreachable while the targets were listed: the page's stale gateways name that target and its error", async () => {
    const r = statusRun();
    await run(r, 'run-1');
    r.clock.advance(300_000);
    const subscription = `/subscriptions/${gwA.subscriptionId}`;
    r.directory.answers.set(
      subscription,
      new ArmUnreachableError('https://management.azure.com', 'connect ECONNREFUSED', 'Check arm.endpoint.'),
    );
    for (const sink of r.sinks) sink.deliveries.length = 0;
    const outcome = await run(r, 'run-2');
    expect(outcome.report.targets[0]?.error?.code).toBe('ArmUnreachable');
    const page = pageOf(r);
    // The target and its error once, at the top; each stale gateway names the target and refers to it.
    expect(page).toMatch(
      new RegExp(
        `⚠ Not listed:</strong> 1 target could not be listed, so this run did not read its gateways: ${subscription} \\(ArmUnreachable: Azure Resource Manager at https://management\\.azure\\.com cannot be reached`,
      ),
    );
    for (const name of ['gw-a', 'gw-b']) {
      expect(page).toMatch(
        new RegExp(
          `<h2>${name} <span class="stale-tag">\\(stale\\)</span>[^\\n]*\\n[^\\n]*\\n<p class="note">.*its target ${subscription} could not be listed \\(see above\\)`,
        ),
      );
    }
    expect(page).not.toContain('not in the run');
  });

  it('shows a gateway this run did not read (its history is there) as stale', async () => {
    const r = statusRun();
    const other = gatewayNamed('gw-elsewhere', 'rg-old');
    r.history.documents.set(gatewayKey(other.id), {
      text: JSON.stringify(
        addReading(
          undefined,
          other,
          { at: new Date(r.clock.now().getTime() - 3_600_000), ok: true, servers: [] },
          WEEK,
        ),
      ),
      etag: '"planted"',
    });
    await run(r, 'run-1');
    expect(pageOf(r)).toMatch(
      /gw-elsewhere <span class="stale-tag">\(stale\)<\/span>[\s\S]*this run did not read this gateway/,
    );
  });

  it.each([
    [
      'cannot be written',
      (h: MemoryStateForRuns<HistoryDocument>) =>
        h.failures.write.set(
          gatewayKey(gwA.id),
          new StateUnavailableError('memory history gw-a', 'the disk is full', 'Free some space.', {
            retryable: true,
          }),
        ),
    ],
    [
      'cannot be read',
      (h: MemoryStateForRuns<HistoryDocument>) =>
        h.failures.read.set(
          gatewayKey(gwA.id),
          new StateUnavailableError('memory history gw-a', 'no answer', 'Try again.', { retryable: true }),
        ),
    ],
    [
      'is not a history this version reads',
      (h: MemoryStateForRuns<HistoryDocument>) =>
        h.documents.set(gatewayKey(gwA.id), { text: '{"version":9}', etag: '"x"' }),
    ],
    [
      'fails without saying why (a bug in the store)',
      (h: MemoryStateForRuns<HistoryDocument>) =>
        h.failures.read.set(gatewayKey(gwA.id), new TypeError('boom')),
    ],
  ])(
    'a history that %s stops nothing else: reported under "status page", naming it; the page is still made',
    async (_, spoil) => {
      const r = statusRun();
      spoil(r.history);
      const before = r.history.documents.get(gatewayKey(gwA.id));
      const outcome = await run(r, 'run-1');
      expect(outcome.report.gateways.map((g) => g.ok)).toEqual([true, true]);
      expect(outcome.report.deliveryErrors).toEqual([
        expect.objectContaining({ sink: 'status page', document: expect.stringContaining('gw-a') }),
      ]);
      expect(outcome.report.deliveryErrors[0]?.code).toMatch(/^StatusHistory(Unavailable|Invalid)$/);
      // The history's own words: notices are not touched, and no notify-state recovery is advised.
      expect(outcome.report.deliveryErrors[0]?.message).toMatch(
        /^The status page's history in .*Notices are not affected|notices are not affected/,
      );
      expect(outcome.report.deliveryErrors[0]?.message).not.toMatch(
        /notify state|nothing is decided or sent/,
      );
      expect(stored(r, gwB)?.readings).toHaveLength(1);
      expect(pageOf(r)).toContain('<h2>gw-b ');
      // Every sink still got every gateway's insights and the report.
      expect(r.sinks[0]?.deliveries.map((d) => d.scope)).toEqual(['gateway', 'gateway', 'report']);
      // A document it could not read is never written over.
      expect(r.history.documents.get(gatewayKey(gwA.id))).toEqual(before);
      // Said once, not again when the page is built (it does not read that history a second time).
      expect(r.logger.at('warn').filter((l) => l.startsWith('status page:'))).toHaveLength(1);
      // The gateway is still on the page from this run's reading, and the page says its history is missing.
      const page = pageOf(r);
      expect(page).toContain('<h2>gw-a ');
      expect(page).toMatch(/<tr class=d><td>10\.0\.0\.4<td>✕ Unhealthy/);
      expect(page).toContain('2 gateways read · 3 servers: 1 not healthy, 2 healthy');
      expect(page).toMatch(
        /⚠ History missing:<\/strong> the history of 1 gateway this run checked could not be read or written \(gw-a\): it is shown from this run's reading alone, and its timeline lacks history/,
      );
    },
  );

  // Issue 15 trial: every history failure said "the status page lacks this gateway's latest reading",
  // though the page shows the gateway from this run's reading, and a listing failure has no one gateway.
  const unavailable = (name: string) =>
    new StateUnavailableError(name, 'no answer', 'Try again.', { retryable: true });
  const elsewhere = gatewayNamed('gw-elsewhere', 'rg-old');
  it.each<
    [string, HistorySituation, 'unavailable' | 'invalid', (h: MemoryStateForRuns<HistoryDocument>) => void]
  >([
    [
      "this run's gateway: its history cannot be read",
      'read',
      'unavailable',
      (h) => h.failures.read.set(gatewayKey(gwA.id), unavailable('h gw-a')),
    ],
    [
      "this run's gateway: its history cannot be written",
      'written',
      'unavailable',
      (h) => h.failures.write.set(gatewayKey(gwA.id), unavailable('h gw-a')),
    ],
    [
      "this run's gateway: its history is not valid",
      'read',
      'invalid',
      (h) => h.documents.set(gatewayKey(gwA.id), { text: '[]', etag: '"x"' }),
    ],
    [
      'a gateway this run did not read: its history cannot be read',
      'other',
      'unavailable',
      (h) => {
        h.documents.set(gatewayKey(elsewhere.id), { text: '{}', etag: '"x"' });
        h.failures.read.set(gatewayKey(elsewhere.id), unavailable('h gw-elsewhere'));
      },
    ],
    [
      'a gateway this run did not read: its history is not valid',
      'other',
      'invalid',
      (h) => h.documents.set(gatewayKey(elsewhere.id), { text: '[]', etag: '"x"' }),
    ],
    [
      'the histories cannot be listed',
      'listed',
      'unavailable',
      (h) => {
        h.failures.list = unavailable('memory history');
      },
    ],
  ])(
    '%s: the message says what the page lacks in that situation, and what to do',
    async (_, situation, kind, spoil) => {
      const r = statusRun();
      spoil(r.history);
      const outcome = await run(r, 'run-1');
      expect(outcome.report.deliveryErrors).toHaveLength(1);
      const message = outcome.report.deliveryErrors[0]?.message ?? '';
      expect(message).toContain(HISTORY_LOSS[situation][kind]);
      expect(message).toMatch(kind === 'invalid' ? /To recover: .*move it aside/ : /Try again\.$/);
      expect(message).not.toMatch(/lacks this gateway's latest reading/);
      // The page says the same as the message.
      const page = pageOf(r);
      if (situation === 'other') expect(page).not.toContain('<h2>gw-elsewhere');
      if (situation === 'read' || situation === 'written') expect(page).toContain('<h2>gw-a ');
    },
  );

  it('every history unwritable (state.dir under a file): every gateway still shown, each named once', async () => {
    const refs = Array.from({ length: 12 }, (_, i) => gatewayNamed(`gw-${String(i).padStart(2, '0')}`, 'rg'));
    const r = memoryRun({ gateways: refs.map((ref) => ({ ref, servers: [BAD] })) });
    const history = memoryStateForRuns<HistoryDocument>('memory history');
    for (const ref of refs)
      history.failures.write.set(
        gatewayKey(ref.id),
        new StateUnavailableError(`history ${ref.name}`, 'not a directory', 'Fix state.dir.', {
          retryable: false,
        }),
      );
    const status: StatusServices = { history, retentionInMs: WEEK, logger: r.logger };
    const outcome = await runChecks({ ...r.deps, status }, { ...r.options, runId: 'run-1' });
    expect(outcome.report.summary.findings).toBe(12);
    const page = pageOf(r);
    expect(page).toContain('12 gateways read · 12 servers: 12 not healthy, 0 healthy');
    expect(page).toContain('<title>Backend health: 12 not healthy</title>');
    expect(page).toContain(
      'the history of 12 gateways this run checked could not be read or written (gw-00, gw-01, gw-02, gw-03, gw-04, gw-05, gw-06, gw-07, gw-08, gw-09 and 2 more): they are shown from this run',
    );
    expect(r.logger.at('warn').filter((l) => l.startsWith('status page:'))).toHaveLength(12);
  });

  it('an invalid history of a gateway this run did not read: named at the top, warned once', async () => {
    const r = statusRun();
    const other = gatewayNamed('gw-elsewhere', 'rg-old');
    r.history.documents.set(gatewayKey(other.id), { text: '{"version":1,"readings":7}', etag: '"x"' });
    const outcome = await run(r, 'run-1');
    expect(outcome.report.deliveryErrors).toEqual([
      expect.objectContaining({ sink: 'status page', code: 'StatusHistoryInvalid' }),
    ]);
    expect(r.logger.at('warn').filter((l) => l.startsWith('status page:'))).toHaveLength(1);
    expect(pageOf(r)).toMatch(
      /⚠ History missing:<\/strong> 1 history document of gateways this run did not read could not be read \([^)]*\): its gateway is not shown/,
    );
    expect(pageOf(r)).not.toContain('the history of 1 gateway');
  });

  it('a reading hand-dated in 2030: discarded with one warning naming the document; older readings and this run stay', async () => {
    const r = statusRun();
    const past = addReading(
      undefined,
      gwA,
      { at: new Date(r.clock.now().getTime() - 3_600_000), ok: true, servers: [] },
      WEEK,
    );
    const future = addReading(
      past,
      gwA,
      { at: new Date('2030-01-01T00:00:00.000Z'), ok: true, servers: [] },
      10 * 52 * WEEK, // as an editor leaves it: every reading there

      new Date('2030-01-02T00:00:00.000Z'),
    );
    r.history.documents.set(gatewayKey(gwA.id), { text: JSON.stringify(future), etag: '"edited"' });
    await run(r, 'run-1');
    expect(stored(r)?.readings).toEqual([past.readings[0], expect.any(String)]);
    expect(stored(r)?.readings.some((t) => t.startsWith('2030'))).toBe(false);
    const warned = r.logger.at('warn').filter((l) => l.includes('2030-01-01T00:00:00.000Z'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('discarded');
    expect(pageOf(r)).toMatch(/<tr class=d><td>10\.0\.0\.4<td>✕ Unhealthy/);
  });

  it('every history read and written: no note', async () => {
    const r = statusRun();
    await run(r, 'run-1');
    expect(pageOf(r)).not.toContain('History missing');
  });

  it('the histories cannot be listed: the page shows the gateways this run read, and says what failed', async () => {
    const r = statusRun();
    r.history.failures.list = new StateUnavailableError('memory history', 'no answer', 'Try again.', {
      retryable: true,
    });
    const outcome = await run(r, 'run-1');
    expect(outcome.report.deliveryErrors).toEqual([
      expect.objectContaining({ sink: 'status page', code: 'StatusHistoryUnavailable' }),
    ]);
    expect(pageOf(r)).toContain('<h2>gw-a ');
    expect(pageOf(r)).toContain('the history store memory history could not be listed');
    // The title too (a wallboard): the counts lack the gateways this run did not read (a break trial:
    // "1 not healthy" of a run stopped after one gateway, ten down as last read).
    expect(pageOf(r)).toContain(
      '<title>Backend health: 1 not healthy, unread gateways not shown (history not listed)</title>',
    );
    // It shows what this run read: it replaces the published page.
    expect(r.sinks[0]?.deliveries.find((d) => d.scope === 'report')?.keepPublishedPage).toBeUndefined();
  });

  /** A run 5 minutes on with ARM out (its one target not listed: no gateway read), the sinks emptied first. */
  async function runWithArmOut(r: StatusRun, runId: string): Promise<void> {
    r.clock.advance(300_000);
    r.directory.answers.set(
      `/subscriptions/${gwA.subscriptionId}`,
      new ArmUnreachableError('https://management.azure.com', 'connect ECONNREFUSED', 'Check arm.endpoint.'),
    );
    for (const sink of r.sinks) sink.deliveries.length = 0;
    await run(r, runId);
  }
  const unanswered = () =>
    new StateUnavailableError('memory history', 'no answer', 'Try again.', { retryable: true });

  // A break trial: a run stopped before it read a gateway, its state unanswered, replaced a page of 26
  // gateways with an empty one until the next run. ARM and storage both out (a network outage) is the
  // same page: nothing read, nothing listed.
  it('the histories cannot be listed and the run read no gateway: the page goes only where none is published', async () => {
    const r = statusRun();
    await run(r, 'run-1');
    r.history.failures.list = unanswered();
    await runWithArmOut(r, 'run-2');
    for (const sink of r.sinks) {
      const delivery = sink.deliveries.find((d) => d.scope === 'report');
      expect(delivery?.statusPage).toContain('No gateway read by this run');
      expect(delivery?.keepPublishedPage).toBe(true);
    }
    expect(r.logger.at('warn')).toContainEqual(
      expect.stringContaining(
        "status page: it shows no server's reading, as the stored histories could not be listed and this run read no gateway: index.html is written only where there is none; a page published before is kept",
      ),
    );
  });

  // A break trial: every gateway's read failed (ARM answered 500), the history store failing whole: 15
  // stale gateways, "no server of them ever read", replaced a page of 37 servers not healthy.
  it('the history store failing and every read failed: its gateways are shown with no server, so the page goes only where none is published', async () => {
    const r = statusRun();
    await run(r, 'run-1');
    r.clock.advance(300_000);
    for (const gateway of [gwA, gwB]) {
      r.reader.health.set(gateway.id, new BackendHealthUnavailableError(gateway.id, 'ARM answered 500'));
      r.history.failures.read.set(gatewayKey(gateway.id), unanswered());
    }
    r.history.failures.list = unanswered();
    for (const sink of r.sinks) sink.deliveries.length = 0;
    await run(r, 'run-2');
    const delivery = r.sinks[0]?.deliveries.find((d) => d.scope === 'report');
    expect(delivery?.statusPage).toContain('no server of them ever read');
    expect(delivery?.keepPublishedPage).toBe(true);
    // One of them read: the page shows it, and replaces the published one.
    r.clock.advance(300_000);
    r.reader.health.set(gwA.id, healthOf(gwA, [BAD, GOOD]));
    for (const sink of r.sinks) sink.deliveries.length = 0;
    await run(r, 'run-3');
    expect(r.sinks[0]?.deliveries.find((d) => d.scope === 'report')?.keepPublishedPage).toBeUndefined();
  });

  it('every stored history unreadable and the run read no gateway: the page goes only where none is published', async () => {
    const r = statusRun();
    await run(r, 'run-1');
    for (const gateway of [gwA, gwB]) r.history.failures.read.set(gatewayKey(gateway.id), unanswered());
    await runWithArmOut(r, 'run-2');
    expect(r.sinks[0]?.deliveries.find((d) => d.scope === 'report')?.keepPublishedPage).toBe(true);
    expect(r.logger.at('warn')).toContainEqual(
      expect.stringContaining(
        'as the stored histories could not be read and this run read no gateway: index.html is written only where',
      ),
    );
    expect(pageOf(r)).toContain(
      '<title>Backend health: no gateway read, 1 target not listed, 2 gateways not shown (history unreadable)</title>',
    );
  });

  // A break trial: a subscription's history folder copied inside it (`<guid>.bak/`) showed each gateway
  // twice, the copy "stale" with a false reason ("the listing of its target did not have it").
  it("a copy of a gateway's history made in the state folder is not shown: its gateway once, the copy named", async () => {
    const r = statusRun();
    await run(r, 'run-1');
    const key = gatewayKey(gwA.id);
    const copy = key.replace(/^\/subscriptions\/([^/]+)/, '/subscriptions/$1.bak');
    r.history.documents.set(copy, { ...r.history.documents.get(key)! });
    r.clock.advance(300_000);
    for (const sink of r.sinks) sink.deliveries.length = 0;
    await run(r, 'run-2');
    expect(pageOf(r).match(/<h2>gw-a /g)).toHaveLength(1);
    expect(pageOf(r)).not.toContain('⚠ Stale:');
    expect(r.logger.at('warn')).toContainEqual(
      expect.stringContaining(
        "status page: a history document holds another gateway's history, not the one its place in the state folder names: not shown (a copy made in the state folder? move it out of there): memory history",
      ),
    );
  });

  // A break trial: the history folder's disk not mounted (its mount point empty: every history listed,
  // none there) and ARM out replaced a page of 13 servers not healthy with an empty one.
  it('no gateway read and no history stored (every history listed: there are none): the page goes only where none is published', async () => {
    const r = statusRun();
    await run(r, 'run-1');
    r.history.documents.clear();
    await runWithArmOut(r, 'run-2');
    const delivery = r.sinks[0]?.deliveries.find((d) => d.scope === 'report');
    expect(delivery?.statusPage).toContain('No gateway read by this run');
    expect(delivery?.keepPublishedPage).toBe(true);
    expect(r.logger.at('warn')).toContainEqual(
      expect.stringContaining(
        "status page: it shows no server's reading, as no stored history holds a reading (memory history) and this run read no gateway: index.html is written only where there is none; a page published before is kept",
      ),
    );
  });
});

describe("status page: a gateway's insights a sink did not take", () => {
  /** The run with its `folder` sink refusing the deliveries of `gateway`'s insights and result, until healed. */
  function refusingFolder(r: StatusRun, gateway = gwA) {
    const { sink: refusing, refusal } = refusingSink(r.sinks[0] as MemorySink, gateway.id);
    return { refusal, run: { ...r, deps: { ...r.deps, sinks: [refusing, ...r.sinks.slice(1)] } } };
  }

  it("says so in the gateway's section, the top and the title, until a run delivers it", async () => {
    const r = statusRun();
    const { refusal, run: refused } = refusingFolder(r);
    const outcome = await run(refused, 'run-1');
    expect(outcome.report.deliveryErrors).toEqual([expect.objectContaining({ sink: 'folder' })]);
    // Its report entry names the sink too (the summary's "not delivered to", past 10 listed failures).
    expect([...outcome.report.gateways].map((g) => [g.name, g.undelivered])).toEqual([
      ['gw-a', ['folder']],
      ['gw-b', undefined],
    ]);
    const page = pageOf(r);
    expect(page).toContain('<title>Backend health: 1 not healthy, 1 gateway not delivered</title>');
    expect(page).toContain('<strong>1 gateway not delivered</strong>');
    // In gw-a's section, before its table, naming the sink and its failure; not in gw-b's.
    const [sectionA = '', sectionB = ''] = page.split('<h2>').slice(1);
    expect(sectionA).toMatch(
      /<p class="note"><strong>⚠ Not delivered:<\/strong> this reading's insights and result did not reach sink folder: there, this gateway's insight pages may be missing, or an earlier reading's\. The run's report and log say why \(deliveryErrors\)\.<\/p>/,
    );
    expect(sectionA.indexOf('Not delivered')).toBeLessThan(sectionA.indexOf('<table>'));
    expect(sectionB).not.toContain('Not delivered');
    expect(stored(r)?.undelivered?.sinks).toEqual([
      { sink: 'folder', message: expect.stringContaining('runbook.md') },
    ]);
    expect(stored(r, gwB)?.undelivered).toBeUndefined();

    // Its read fails next run: stale, and the note says it is of its last successful read.
    r.clock.advance(300_000);
    r.reader.health.set(gwA.id, new BackendHealthUnavailableError(gwA.id, 'ARM answered 503'));
    for (const sink of r.sinks) sink.deliveries.length = 0;
    await run(refused, 'run-2');
    expect(pageOf(r)).toContain('⚠ Not delivered:</strong> at its last successful read, ');

    // Read and delivered: no note, nothing in the title.
    r.clock.advance(300_000);
    r.reader.health.set(gwA.id, healthOf(gwA, [BAD, GOOD]));
    refusal.on = false;
    for (const sink of r.sinks) sink.deliveries.length = 0;
    await run(refused, 'run-3');
    expect(pageOf(r)).not.toContain('Not delivered');
    expect(pageOf(r)).not.toContain('not delivered');
    expect(stored(r)?.undelivered).toBeUndefined();
  });

  it("a history that fails is not taken for a sink's failure", async () => {
    const r = statusRun();
    r.history.failures.write.set(
      gatewayKey(gwA.id),
      new StateUnavailableError('memory history', 'no answer', 'Try again.', { retryable: true }),
    );
    await run(r, 'run-1');
    expect(pageOf(r)).not.toContain('Not delivered');
    expect(pageOf(r)).toContain('History missing');
  });
});

describe('recordHistory: overlapping runs', () => {
  it("a run that loses the race reads again and adds its reading to the other run's: neither is lost", async () => {
    const history = memoryStateForRuns<HistoryDocument>('memory history');
    const key = gatewayKey(gwA.id);
    let raced = false;
    // Another run writes its reading between this run's read and its write.
    const racing: StateStores<HistoryDocument> = {
      ...history,
      forKey: (k) => {
        const store = history.forKey(k);
        return {
          ...store,
          async write(value, etag) {
            if (!raced) {
              raced = true;
              const other = addReading(
                undefined,
                gwA,
                { at: new Date('2026-01-05T10:00:01.000Z'), ok: true, servers: [] },
                WEEK,
              );
              await history.forKey(k).write(other, undefined);
            }
            return store.write(value, etag);
          },
        };
      },
    };
    const outcome = {
      report: { ok: true } as never,
      insights: [],
      listed: new Map(),
      servers: [],
    };
    const recorded = await recordHistory(
      { history: racing, retentionInMs: WEEK, logger: memoryLogger() },
      gwA,
      outcome,
      new Date('2026-01-05T10:00:00.000Z'),
    );
    expect(recorded.error).toBeUndefined();
    expect(JSON.parse(history.documents.get(key)?.text ?? '{}').readings).toEqual([
      '2026-01-05T10:00:00.000Z',
      '2026-01-05T10:00:01.000Z',
    ]);
  });
});

// A new-user trial: a gateway left out of the targets, then deleted, got its `recovered` ("no longer
// exists"), while the page kept it "(stale)" with its down server.
it('a gateway no target holds, confirmed deleted by ARM: its section says deleted, counted nowhere', async () => {
  const history = memoryStateForRuns<HistoryDocument>('memory history');
  const base = memoryRun({
    gateways: [
      { ref: gwA, servers: [GOOD] },
      { ref: gwB, servers: [BAD] },
    ],
    withNotify: true,
  });
  const status: StatusServices = { history, retentionInMs: WEEK, logger: base.logger };
  const r: StatusRun = { ...base, history, deps: { ...base.deps, status } };
  await run(r, 'run-1');
  expect(pageOf(r)).toContain('<title>Backend health: 1 not healthy</title>');
  // gw-b leaves the targets, and ARM no longer has it.
  const configReader = {
    getGatewayConfig: async () => ({
      ok: false as const,
      notFound: true,
      armCode: 'ResourceNotFound',
      detail: 'ARM answered 404 ResourceNotFound',
      kind: 'not-found' as const,
    }),
  };
  r.clock.advance(300_000);
  r.sinks.forEach((sink) => sink.deliveries.splice(0));
  const outcome = await runChecks(
    { ...r.deps, configReader },
    { ...r.options, targets: [parseTarget(gwA.id) as Target], runId: 'run-2' },
  );
  expect(r.notify!.notifiers[0]!.sent.map((n) => n.type)).toEqual(['degraded', 'recovered']);
  expect(outcome.report.notifications?.unread).toBeUndefined();
  const page = pageOf(r);
  expect(page).toContain('gw-b <span class="stale-tag">(deleted)</span>');
  expect(page).toContain('<title>Backend health: 0 not healthy</title>');
  expect(stored(r, gwB)?.lastError?.code).toBe('GatewayDeleted');
});
