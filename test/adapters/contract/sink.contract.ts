import { inspect } from 'node:util';
import { DeliveryError } from '../../../src/errors';
import { gatewayInsightFolder, gatewayResultPath } from '../../../src/insight/insight-path';
import { deliverToSinks } from '../../../src/pipeline/deliver-to-sinks';
import type { Delivery, InsightSink } from '../../../src/ports';
import type { GatewayRef } from '../../../src/core/model';
import type { GatewayReport } from '../../../src/core/run-report';
import { buildDelivery, gatewayRef } from '../../helpers/delivery-builder';
import { recordingLogger } from '../../helpers/notify-run';

/**
 * What every InsightSink does with a delivery, whatever it writes to (unstorage's idea, as
 * state-store.contract.ts for the state stores): the folder sink and the blob sink both pass it. It is
 * the README's "Where things are written" and src/adapters/storage/README.md's "latest/ semantics",
 * stated once:
 * - a sink has a root (the folder, or the container's prefix) and, within it, a current view (the
 *   folder's root; the blob sink's `latest/`) holding `report.json` and `insights/<sub>/<rg>/<gateway>/
 *   <stem>.md|.html`, exactly the run's report and insights, as UTF-8 text;
 * - an evaluated gateway's folder is replaced (a recovered server's insight goes), a failed one's is
 *   kept; replacing `gw` never touches `gw-2`;
 * - a `gateway` delivery (a direct run streaming each gateway as it is done; fan-out) writes that
 *   gateway's result at `runs/<runId>/gateways/<sub>/<rg>/<gateway>.json`, replaces its insights, and
 *   leaves the current `report.json` alone; the gateways of one run may be delivered at once (a direct
 *   run's concurrent gateways, one instance's concurrent queue invocations); a failed gateway's result
 *   never replaces a result of the same run that read it (core/kept-gateway-result.ts);
 * - a `report` delivery (a direct run's end) replaces the current `report.json` and touches no insight:
 *   a run streamed gateway by gateway, then its report, leaves the current view a `run` delivery of
 *   the same run would;
 * - the work is linear in the delivery: each insight is looked at a bounded number of times, however
 *   many gateways the delivery holds (no matching of every insight against every gateway);
 * - names from the network (gateways, resource groups, servers, run ids) never lead outside the root,
 *   and every file of a run lies in one `runs/<segment>/` folder;
 * - a sink that cannot write throws DeliveryError naming the sink (`sink`, `Delivery to <name> failed:
 *   …`), never a key or SAS; the run's other sinks still get it.
 * What differs between sinks stays in their own tests: the blob sink's history under `runs/<runId>/`
 * (the folder sink removes a direct run's `runs/<runId>/` once its report is written), content types,
 * cache control, the folder sink's atomic renames, the blob sink's storage calls per delivery.
 */

export interface SinkUnderTest {
  readonly sink: InsightSink;
  /**
   * Every file the sink's storage holds, also outside the sink's root (the temp folder around the sink's
   * folder; the whole container): path with `/` → UTF-8 text.
   */
  files(): Promise<Map<string, string>>;
  /** The sink's root among `files()`: `out/`, `pre/fix/`. */
  readonly root: string;
  /** The current view within the root: `` (folder) or `latest/` (blob). */
  readonly current: string;
}

export interface SinkContractSubject {
  /** A sink of this kind on fresh, empty storage. */
  make(): Promise<SinkUnderTest>;
  /** A sink of this kind whose storage cannot be written, and the secrets its errors must not show. */
  broken(): Promise<{ readonly sink: InsightSink; readonly secrets: readonly string[] }>;
  /** Secrets of working sinks (account keys): never in names, receipts or errors. */
  readonly secrets: readonly string[];
}

const gw = gatewayRef('gw');
const gw2 = gatewayRef('gw-2'); // its folder shares a name prefix with gw's
const gwC = gatewayRef('gw-c', 'rg-other');

/** `<insight path>.md|.html` → text, for each insight of the delivery. */
function insightFiles(delivery: Delivery): Map<string, string> {
  const files = new Map<string, string>();
  for (const insight of delivery.insights) {
    files.set(`${insight.path}.md`, insight.markdown);
    files.set(`${insight.path}.html`, insight.html);
  }
  return files;
}

const reportText = (delivery: Delivery) => `${JSON.stringify(delivery.report, null, 2)}\n`;

export function describeSinkContract(name: string, subject: SinkContractSubject): void {
  describe(`InsightSink contract: ${name}`, () => {
    /**
     * The current view (relative to it), without the fan-out results under `runs/` and the status
     * page's copies of the insights under `s/` (the folder sink's; the blob sink keeps them in the
     * status container: each sink's own tests).
     */
    async function currentView(under: SinkUnderTest): Promise<Map<string, string>> {
      const view = new Map<string, string>();
      for (const [file, text] of await under.files()) {
        if (!file.startsWith(under.root)) continue;
        const inRoot = file.slice(under.root.length);
        if (/^(runs|s)\//.test(inRoot) || !inRoot.startsWith(under.current)) continue;
        view.set(inRoot.slice(under.current.length), text);
      }
      return view;
    }
    const sorted = (map: Map<string, string>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b));

    test('is named for reports, without secrets', async () => {
      const { sink } = await subject.make();
      expect(sink.name).toMatch(/^\S+$/);
      for (const secret of subject.secrets) expect(sink.name).not.toContain(secret);
    });

    test('a run: the current view is exactly report.json and each insight’s .md and .html, as given', async () => {
      const under = await subject.make();
      const delivery = buildDelivery('r1', [
        { gateway: gw, unhealthy: ['10.0.0.4', '10.0.0.5'] },
        { gateway: gwC, unhealthy: ['10.0.2.4'] },
      ]);
      const receipt = await under.sink.deliver(delivery);
      const expected = insightFiles(delivery).set('report.json', reportText(delivery));
      expect(sorted(await currentView(under))).toEqual(sorted(expected));
      // The report's own paths resolve in the current view.
      const view = await currentView(under);
      for (const f of delivery.report.gateways.flatMap((g) => g.findings)) {
        expect(view.has(f.insight.markdown)).toBe(true);
        expect(view.has(f.insight.html)).toBe(true);
      }
      expect(receipt.locations.length).toBeGreaterThan(0);
      expect(receipt.locations.some((l) => l.endsWith('report.json'))).toBe(true);
      for (const secret of subject.secrets) expect(receipt.locations.join('\n')).not.toContain(secret);
    });

    test('the next run replaces what it re-checked: report, still-bad servers, recovered ones gone; a failed gateway keeps its last', async () => {
      const under = await subject.make();
      const first = buildDelivery('r1', [
        { gateway: gw, unhealthy: ['10.0.0.4', '10.0.0.5'] },
        { gateway: gw2, unhealthy: ['10.0.1.4'] },
        { gateway: gwC, unhealthy: ['10.0.2.4'] },
      ]);
      await under.sink.deliver(first);
      // gw: .4 recovered, .5 still bad, .6 new; gw-2 could not be read; gw-c is all healthy.
      const second = buildDelivery('r2', [
        { gateway: gw, unhealthy: ['10.0.0.5', '10.0.0.6'] },
        { gateway: gw2, ok: false },
        { gateway: gwC, unhealthy: [] },
      ]);
      await under.sink.deliver(second);
      const kept = [...insightFiles(first)].filter(([file]) =>
        file.startsWith(`${gatewayInsightFolder(gw2)}/`),
      );
      const expected = new Map([...insightFiles(second), ...kept]).set('report.json', reportText(second));
      expect(sorted(await currentView(under))).toEqual(sorted(expected));
    });

    test('a gateway that failed on its first run has no insights; the others do', async () => {
      const under = await subject.make();
      const delivery = buildDelivery('r1', [
        { gateway: gw, ok: false },
        { gateway: gw2, unhealthy: ['10.0.1.4'] },
      ]);
      await under.sink.deliver(delivery);
      const files = [...(await currentView(under)).keys()];
      expect(files.filter((f) => f.startsWith(`${gatewayInsightFolder(gw)}/`))).toEqual([]);
      expect(files.filter((f) => f.startsWith(`${gatewayInsightFolder(gw2)}/`))).toHaveLength(2);
    });

    test('a gateway delivery (fan-out): its result under the run, its insights replaced, report.json and other gateways untouched', async () => {
      const under = await subject.make();
      const run = buildDelivery('run-1', [
        { gateway: gw, unhealthy: ['10.0.0.4'] },
        { gateway: gw2, unhealthy: ['10.0.1.4'] },
      ]);
      await under.sink.deliver(run);
      const before = await currentView(under);
      const one = buildDelivery('run-1', [{ gateway: gw, unhealthy: ['10.0.0.5'] }], 'gateway');
      const receipt = await under.sink.deliver(one);
      await under.sink.deliver(one); // the host may deliver a message twice: the same result

      const view = await currentView(under);
      expect(view.get('report.json')).toBe(before.get('report.json'));
      const mine = (map: Map<string, string>, g = gw) =>
        sorted(new Map([...map].filter(([f]) => f.startsWith(`${gatewayInsightFolder(g)}/`))));
      expect(mine(view)).toEqual(sorted(insightFiles(one)));
      expect(mine(view, gw2)).toEqual(mine(before, gw2));

      const result = `${under.root}${gatewayResultPath('run-1', gw)}`;
      const text = (await under.files()).get(result);
      expect(text).toBeDefined();
      expect(JSON.parse(text ?? '')).toEqual({ ...one.report, gateways: [one.report.gateways[0]] });
      expect(receipt.locations.some((l) => l.endsWith(gatewayResultPath('run-1', gw)))).toBe(true);
    });

    test('tries of one run: a failure never replaces a result that read the gateway; the poison record over a try’s failure says both', async () => {
      const under = await subject.make();
      const stored = async (g: GatewayRef) =>
        JSON.parse((await under.files()).get(`${under.root}${gatewayResultPath('run-1', g)}`) ?? 'null') as {
          gateways: GatewayReport[];
        } | null;
      const withError = (delivery: Delivery, error: GatewayReport['error']): Delivery => ({
        ...delivery,
        report: { ...delivery.report, gateways: delivery.report.gateways.map((g) => ({ ...g, error })) },
      });
      const poisonOf = (g: GatewayRef) =>
        withError(buildDelivery('run-1', [{ gateway: g, ok: false }], 'gateway'), {
          code: 'Poisoned',
          message: `${g.id} could not be evaluated after the host's retries.`,
          retryable: false,
        });

      // gw: read by one copy of its message; another copy (or a later try) fails, then the poison queue.
      const read = buildDelivery('run-1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway');
      await under.sink.deliver(read);
      await under.sink.deliver(
        buildDelivery('run-1', [{ gateway: gw, ok: false, message: 'throttled' }], 'gateway'),
      );
      await under.sink.deliver(poisonOf(gw));
      expect((await stored(gw))?.gateways).toEqual(read.report.gateways);
      // Its insights are the reading's (a failure never touches them).
      expect(
        [...(await currentView(under)).keys()].filter((f) => f.startsWith(`${gatewayInsightFolder(gw)}/`)),
      ).toHaveLength(2);

      // gw-2: every try failed; the poison record keeps the try's fields and says its error.
      const failedTry = buildDelivery(
        'run-1',
        [{ gateway: gw2, ok: false, message: 'ARM answered 429' }],
        'gateway',
      );
      await under.sink.deliver(failedTry);
      await under.sink.deliver(poisonOf(gw2));
      await under.sink.deliver(poisonOf(gw2)); // the poison message tried again (another sink failed)
      const poisoned = (await stored(gw2))?.gateways[0];
      expect(poisoned).toMatchObject({ ok: false, error: { code: 'Poisoned', retryable: false } });
      expect(poisoned?.error?.message).toMatch(
        /after the host's retries\. Its last recorded try failed with BackendHealthUnavailable: ARM answered 429$/,
      );
      expect(poisoned?.durationInMs).toBe(failedTry.report.gateways[0]?.durationInMs);

      // A later reading of the run (a retry that read it) replaces any failure.
      const reread = buildDelivery('run-1', [{ gateway: gw2, unhealthy: ['10.0.1.9'] }], 'gateway');
      await under.sink.deliver(reread);
      expect((await stored(gw2))?.gateways).toEqual(reread.report.gateways);

      // gw-c: the poison record alone (no try recorded anything) is written as it is.
      await under.sink.deliver(poisonOf(gwC));
      expect((await stored(gwC))?.gateways[0]?.error?.message).toBe(
        `${gwC.id} could not be evaluated after the host's retries.`,
      );
    }, 90_000); // storage emulators are slow on a busy machine: a time-out, not a measurement

    // A break trial: a deleted gateway's `degraded` insights stayed in the current view for good (a
    // failed gateway keeps its last, and a deletion was taken as a failure).
    test.each(['run', 'gateway'] as const)(
      'a gateway ARM confirmed deleted has no current insights any more: read deleted (GatewayDeleted, %s delivery), or no target lists it (deletedUnlisted, report delivery)',
      async (scope) => {
        const under = await subject.make();
        await under.sink.deliver(
          buildDelivery('r1', [
            { gateway: gw, unhealthy: ['10.0.0.4'] },
            { gateway: gw2, unhealthy: ['10.0.1.4'] },
            { gateway: gwC, unhealthy: ['10.0.2.4'] },
          ]),
        );
        const read = buildDelivery(
          'r2',
          [
            { gateway: gw, ok: false },
            { gateway: gwC, unhealthy: ['10.0.2.4'] },
          ],
          scope,
        );
        const deleted: Delivery = {
          ...read,
          report: {
            ...read.report,
            gateways: read.report.gateways.map((g) =>
              g.id === gw.id
                ? { ...g, error: { code: 'GatewayDeleted', message: 'gone', retryable: false } }
                : g,
            ),
          },
        };
        await under.sink.deliver(deleted);
        const folders = async () => [
          ...new Set(
            [...(await currentView(under)).keys()]
              .filter((f) => f.startsWith('insights/'))
              .map((f) => f.split('/').slice(0, 4).join('/')),
          ),
        ];
        expect((await folders()).sort()).toEqual(
          [gatewayInsightFolder(gw2), gatewayInsightFolder(gwC)].sort(),
        );

        // gw-2, gone from its listing and confirmed deleted: the run's report delivery takes it out.
        const report = buildDelivery('r2', [{ gateway: gwC, unhealthy: ['10.0.2.4'] }], 'report');
        await under.sink.deliver({
          ...report,
          report: {
            ...report.report,
            deletedUnlisted: [
              {
                id: gw2.id,
                name: gw2.name,
                subscriptionId: gw2.subscriptionId,
                resourceGroup: gw2.resourceGroup,
              },
            ],
          },
        });
        expect(await folders()).toEqual([gatewayInsightFolder(gwC)]);
      },
      90_000, // storage emulators are slow on a busy machine: a time-out, not a measurement
    );

    // A break trial: run-old's late result replaced run-new's insights (and removed a page the status
    // page linked to).
    test('a reading older than one already taken (olderReading): its result under its run, the current view left as it was', async () => {
      const under = await subject.make();
      const newer = buildDelivery('run-new', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway');
      await under.sink.deliver(newer);
      const before = await currentView(under);
      const older = buildDelivery('run-old', [{ gateway: gw, unhealthy: ['10.0.0.9'] }], 'gateway');
      await under.sink.deliver({ ...older, olderReading: true });
      expect(sorted(await currentView(under))).toEqual(sorted(before));
      const files = await under.files();
      expect(
        (
          JSON.parse(files.get(`${under.root}${gatewayResultPath('run-old', gw)}`) ?? 'null') as {
            gateways: unknown;
          } | null
        )?.gateways,
      ).toEqual(older.report.gateways);
      // The status page's copies of the insights too (the folder sink's s/, the blob sink's status
      // container): nothing of run-old's server is current anywhere.
      expect([...files.keys()].filter((f) => f.includes('10.0.0.9') && !f.includes('run-old'))).toEqual([]);
    }, 90_000); // storage emulators are slow on a busy machine: a time-out, not a measurement

    test('tries of one run delivered at once: the reading stands, whichever finishes first', async () => {
      const under = await subject.make();
      const runs = ['run-a', 'run-b', 'run-c', 'run-d'];
      const reads = runs.map((run) =>
        buildDelivery(run, [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'),
      );
      const failures = runs.map((run) => buildDelivery(run, [{ gateway: gw, ok: false }], 'gateway'));
      // Each run: the failure sent first, the reading at once after it (its read of the stored result
      // may come before the reading's write).
      await Promise.all(
        runs.flatMap((_, i) => [
          under.sink.deliver(failures[i] as Delivery),
          under.sink.deliver(reads[i] as Delivery),
        ]),
      );
      const files = await under.files();
      for (const [i, run] of runs.entries()) {
        const text = files.get(`${under.root}${gatewayResultPath(run, gw)}`) ?? 'null';
        expect((JSON.parse(text) as { gateways: unknown } | null)?.gateways).toEqual(
          reads[i]?.report.gateways,
        );
      }
    }, 90_000); // storage emulators are slow on a busy machine: a time-out, not a measurement

    test('the gateways of one run delivered at once (concurrent queue invocations) all land', async () => {
      const under = await subject.make();
      const gateways = ['gw-1', 'gw-2', 'gw-3', 'gw-4'].map((n) => gatewayRef(n));
      // Different sizes, so that one delivery ends while the others are still writing.
      const deliveries = gateways.map((g, i) =>
        buildDelivery(
          'run-1',
          [{ gateway: g, unhealthy: Array.from({ length: 1 + 3 * i }, (_, j) => `10.0.${i}.${j}`) }],
          'gateway',
        ),
      );
      const outcomes = await Promise.allSettled(deliveries.map((d) => under.sink.deliver(d)));
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      const expected = new Map(deliveries.flatMap((d) => [...insightFiles(d)]));
      expect(sorted(await currentView(under))).toEqual(sorted(expected));
      const files = await under.files();
      for (const g of gateways) expect(files.has(`${under.root}${gatewayResultPath('run-1', g)}`)).toBe(true);
    }, 90_000); // storage emulators are slow on a busy machine: a time-out, not a measurement

    test('a run streamed gateway by gateway, then its report: the same current view as one run delivery', async () => {
      const specs = [
        { gateway: gw, unhealthy: ['10.0.0.5', '10.0.0.6'] },
        { gateway: gw2, ok: false },
        { gateway: gwC, unhealthy: [] },
      ];
      const first = buildDelivery('r1', [
        { gateway: gw, unhealthy: ['10.0.0.4', '10.0.0.5'] },
        { gateway: gw2, unhealthy: ['10.0.1.4'] },
        { gateway: gwC, unhealthy: ['10.0.2.4'] },
      ]);
      const [streamed, whole] = [await subject.make(), await subject.make()];
      for (const under of [streamed, whole]) await under.sink.deliver(first);

      // gw: .4 recovered, .6 new; gw-2 could not be read (keeps its last); gw-c all healthy.
      await Promise.all(specs.map((spec) => streamed.sink.deliver(buildDelivery('r2', [spec], 'gateway'))));
      const run = buildDelivery('r2', specs);
      const receipt = await streamed.sink.deliver({ scope: 'report', report: run.report, insights: [] });
      await whole.sink.deliver(run);

      expect(sorted(await currentView(streamed))).toEqual(sorted(await currentView(whole)));
      expect((await currentView(streamed)).get('report.json')).toBe(reportText(run));
      expect(receipt.locations.some((l) => l.endsWith('report.json'))).toBe(true);
    });

    test('a report delivery replaces report.json and touches no insight, whatever its gateways say', async () => {
      const under = await subject.make();
      const run = buildDelivery('r1', [
        { gateway: gw, unhealthy: ['10.0.0.4'] },
        { gateway: gwC, unhealthy: ['10.0.2.4'] },
      ]);
      await under.sink.deliver(run);
      const before = await currentView(under);
      // A report naming gw as evaluated and all healthy: its insights were delivered (or not) by its
      // own gateway delivery, never by the report.
      const next = buildDelivery('r2', [{ gateway: gw, unhealthy: [] }]);
      await under.sink.deliver({ scope: 'report', report: next.report, insights: [] });
      const after = await currentView(under);
      expect(after.get('report.json')).toBe(reportText(next));
      before.delete('report.json');
      after.delete('report.json');
      expect(sorted(after)).toEqual(sorted(before));
    });

    test.each(['run', 'gateway'] as const)(
      'linear work (%s delivery): each insight is looked at a bounded number of times, however many gateways',
      async (scope) => {
        const under = await subject.make();
        const gateways = Array.from({ length: 60 }, (_, i) => gatewayRef(`gw-${i}`));
        const delivery = buildDelivery(
          'r1',
          gateways.map((g, i) => ({ gateway: g, unhealthy: [`10.0.${i}.4`] })),
          scope,
        );
        // Every read of an insight's fields is counted: matching each insight against each gateway
        // reads `finding` 60 times per insight.
        let reads = 0;
        const counted = delivery.insights.map(
          (insight) =>
            new Proxy(insight, {
              get(target, property, receiver) {
                reads += 1;
                return Reflect.get(target, property, receiver) as unknown;
              },
            }),
        );
        await under.sink.deliver({ ...delivery, insights: counted });
        expect(reads).toBeGreaterThan(0);
        expect(reads / counted.length).toBeLessThanOrEqual(16);
      },
      90_000, // 60 gateways' folders on a busy machine: a time-out, not a measurement
    );

    describe('names from the network stay inside the root', () => {
      const hostile = [
        gatewayRef('../../escape', '..'),
        gatewayRef('gw.', 'RG (prod)/../../x'),
        gatewayRef('%2e%2e', 'rg\\..\\..'),
      ];
      const addresses = ['../../../etc/passwd', 'a/b\\c d', 'ÜNÏCØDE.example', '.hidden', ''];

      test.each(['run', 'gateway'] as const)(
        'hostile gateway, resource group and server names (%s delivery)',
        async (scope) => {
          const under = await subject.make();
          const delivery = buildDelivery(
            'run-1',
            hostile.map((gateway) => ({ gateway, unhealthy: addresses })),
            scope,
          );
          await under.sink.deliver(delivery);
          const files = [...(await under.files()).keys()];
          expect(files.filter((f) => !f.startsWith(under.root))).toEqual([]);
          for (const file of files)
            expect(file.split('/')).not.toContainEqual(expect.stringMatching(/^\.{1,2}$/));
          const view = await currentView(under);
          for (const [file, text] of insightFiles(delivery))
            expect([file, view.get(file)]).toEqual([file, text]);
        },
      );

      test('gateways whose names clean alike keep their own insights (rg(1) and rg_1_, one failed)', async () => {
        const under = await subject.make();
        const [a, b] = [gatewayRef('gw', 'rg(1)'), gatewayRef('gw', 'rg_1_')];
        const first = buildDelivery('r1', [
          { gateway: a, unhealthy: ['10.0.0.4'] },
          { gateway: b, unhealthy: ['10.0.0.4'] },
        ]);
        await under.sink.deliver(first);
        expect(sorted(await currentView(under))).toEqual(
          sorted(insightFiles(first).set('report.json', reportText(first))),
        );
        // a is all healthy now; b could not be read, so its insight stays.
        const second = buildDelivery('r2', [
          { gateway: a, unhealthy: [] },
          { gateway: b, ok: false },
        ]);
        await under.sink.deliver(second);
        const kept = [...insightFiles(first)].filter(([file]) =>
          file.startsWith(`${gatewayInsightFolder(b)}/`),
        );
        expect(kept).toHaveLength(2);
        expect(sorted(await currentView(under))).toEqual(
          sorted(new Map(kept).set('report.json', reportText(second))),
        );
      });

      test.each(['../x/y z', 'a/../../escape', '..', 'RUN-1', ''])(
        'the run id %j: the run’s files lie in one runs/<segment>/ folder inside the root',
        async (runId) => {
          const under = await subject.make();
          await under.sink.deliver(buildDelivery(runId, [{ gateway: gw, unhealthy: ['10.0.0.4'] }]));
          await under.sink.deliver(
            buildDelivery(runId, [{ gateway: gw2, unhealthy: ['10.0.1.4'] }], 'gateway'),
          );
          const files = [...(await under.files()).keys()];
          expect(files.filter((f) => !f.startsWith(under.root))).toEqual([]);
          const runs = files.filter((f) => f.startsWith(`${under.root}runs/`));
          const segments = new Set(runs.map((f) => f.slice(under.root.length).split('/')[1]));
          expect(runs.length).toBeGreaterThan(0);
          expect([...segments]).toHaveLength(1);
          expect([...segments][0]).toMatch(/^[^./\\][^/\\]*$/);
          expect(runs).toContain(`${under.root}${gatewayResultPath(runId, gw2)}`);
        },
      );
    });

    describe('failures', () => {
      test('a sink that cannot write throws DeliveryError naming it, never a secret', async () => {
        const { sink, secrets } = await subject.broken();
        const error = await sink
          .deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]))
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DeliveryError);
        expect(error).toMatchObject({
          code: 'DeliveryFailed',
          sink: sink.name,
          retryable: expect.any(Boolean),
        });
        expect((error as Error).message).toMatch(
          new RegExp(`^Delivery to ${escapeRegExp(sink.name)} failed: \\S`),
        );
        for (const secret of [...secrets, ...subject.secrets]) {
          expect((error as Error).message).not.toContain(secret);
          expect(inspect(error, { depth: 10 })).not.toContain(secret);
        }
      });

      test('one sink failing never stops another: the run reaches the working one, the failure is reported by name', async () => {
        const { sink: failing } = await subject.broken();
        const working = await subject.make();
        const delivery = buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]);
        const logger = recordingLogger();
        const result = await deliverToSinks([failing, working.sink], delivery, logger);
        expect(result.receipts.map((r) => r.sink)).toEqual([working.sink.name]);
        expect(result.errors).toEqual([
          expect.objectContaining({ code: 'DeliveryFailed', sink: failing.name }),
        ]);
        expect(logger.lines).toEqual([expect.stringMatching(/^error: Delivery to /)]);
        expect((await currentView(working)).get('report.json')).toBe(reportText(delivery));
      });
    });
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
