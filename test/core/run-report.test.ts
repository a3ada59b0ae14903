/**
 * notOkReasons: every way a run is not ok (run exits 2) is said by the summary's closing line. A new-user
 * trial: a run whose only failures were deleted gateways exited 2 with "(7 deleted)" and no word of
 * failure.
 */
import { notOkReasons, runSucceeded, withDeliveryErrors, type RunReport } from '../../src/core/run-report';
import { buildRunReport } from '../../src/pipeline/build-run-report';
import type { NotifyOutcome } from '../../src/pipeline/notify/notify-on-change';
import { QUIET_NOTIFICATIONS } from '../helpers/quiet-notifications';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/g';
const gateway = (name: string, over: Record<string, unknown> = {}) => ({
  id: `${GW}${name}`,
  name,
  subscriptionId: 's',
  resourceGroup: 'rg',
  ok: true,
  error: null,
  durationInMs: 1,
  servers: 1,
  findings: [],
  ...over,
});
const failed = (name: string, code: string) =>
  gateway(name, { ok: false, servers: 0, error: { code, message: `${code} happened`, retryable: true } });

/** A notify outcome that did everything: `over` makes it fall short. */
const notify = (over: Partial<NotifyOutcome> = {}): NotifyOutcome =>
  ({ ...QUIET_NOTIFICATIONS, ...over }) as unknown as NotifyOutcome;

function run(parts: { targets?: unknown[]; gateways?: unknown[]; notify?: NotifyOutcome } = {}): RunReport {
  return buildRunReport({
    runId: 'r1',
    startedAt: new Date(0),
    finishedAt: new Date(0),
    targets: (parts.targets ?? [{ id: '/subscriptions/s', ok: true, gateways: 1 }]) as never,
    gateways: (parts.gateways ?? [gateway('a')]) as never,
    ...(parts.notify ? { notify: parts.notify } : {}),
  });
}

const one = [{}] as never[];

describe('notOkReasons', () => {
  it('a run that did everything: none', () => {
    expect(notOkReasons(run())).toEqual([]);
    expect(notOkReasons(run({ notify: notify() }))).toEqual([]);
  });

  it.each<[string, RunReport, RegExp]>([
    [
      'a target not listed',
      run({ targets: [{ id: '/subscriptions/s', ok: false, gateways: 0, error: {} }] }),
      /^1 target not listed$/,
    ],
    [
      'a gateway that failed',
      run({ gateways: [gateway('a'), failed('b', 'Throttled')] }),
      /^1 gateway could not be checked$/,
    ],
    [
      // Named by id: a listed gateway deleted since its listing does not fail the run (build-run-report).
      'only deleted gateways, named by id (the trial)',
      run({
        targets: [
          { id: `${GW}a`, ok: true, gateways: 1 },
          { id: `${GW}b`, ok: true, gateways: 1 },
        ],
        gateways: [failed('a', 'GatewayDeleted'), failed('b', 'GatewayDeleted')],
      }),
      /^2 gateways not found \(deleted; or, if "targets" names them by id, a wrong id: fix or remove those ids\)$/,
    ],
    [
      'an incomplete reading',
      run({ gateways: [gateway('a', { poolsNotRead: ['pool-b'] })] }),
      /^1 reading incomplete$/,
    ],
    [
      'a state document overlapping runs wrote first',
      run({ notify: notify({ claimed: false, contended: ['state file s/rg/g.json'] } as never) }),
      /^1 notify state document written first by another run each time this run tried \(its notices left to that run\)$/,
    ],
    [
      'notify not claimed, for no reason said',
      run({ notify: notify({ claimed: false }) }),
      /^notify on change not done$/,
    ],
    ['a notice not delivered', run({ notify: notify({ undelivered: one }) }), /^1 notice not delivered$/],
    ['a notice dropped', run({ notify: notify({ dropped: one }) }), /^1 notice dropped$/],
    [
      // A trial: a broken state file also said "another run holds its lease", and no other run existed.
      'a state document (not claimed because of it)',
      run({ notify: notify({ claimed: false, stateErrors: one }) }),
      /^1 notify state document not read or written$/,
    ],
    [
      'a deletion not confirmed',
      run({ notify: notify({ unconfirmedDeletions: one } as never) }),
      /^1 gateway not listed whose deletion ARM did not confirm$/,
    ],
    [
      'a removal not confirmed',
      run({ notify: notify({ unconfirmedRemovals: one } as never) }),
      /^1 server not listed whose removal the configuration did not confirm$/,
    ],
    [
      'a sink that failed',
      withDeliveryErrors(run(), [{ code: 'DeliveryFailed', message: 'x', retryable: true, omitted: 3 }]),
      /^3 deliveries to sinks failed$/,
    ],
    [
      // A trial: the state container's history reads were said as "5 deliveries to sinks failed".
      "the status page's histories not read",
      withDeliveryErrors(run(), [
        { code: 'StateUnavailable', message: 'x', retryable: true, sink: 'status page', omitted: 5 },
      ]),
      /^5 status page documents not read or written$/,
    ],
  ])('%s: said, and the run is not ok', (_, report, said) => {
    expect(runSucceeded(report)).toBe(false);
    const reasons = notOkReasons(report);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(said);
  });

  it("a sink's failures and the status page's own: each counted apart", () => {
    const report = withDeliveryErrors(run(), [
      { code: 'DeliveryFailed', message: 'x', retryable: true, sink: 'folder' },
      { code: 'DeliveryFailed', message: 'y', retryable: true, sink: 'blob[insights]', omitted: 2 },
      { code: 'StateUnavailable', message: 'z', retryable: true, sink: 'status page' },
    ]);
    expect(notOkReasons(report)).toEqual([
      '3 deliveries to sinks failed',
      '1 status page document not read or written',
    ]);
  });

  // A new-user trial: "not counting the notices of 3 state documents that failed" above "4 notify state
  // documents not read or written": the 4th was the stored silences, which hide no notice.
  it('the stored silences not read beside notify state documents: each said apart', () => {
    const error = (failedOpen?: boolean) => ({
      code: 'StateUnavailable',
      message: 'x',
      retryable: true,
      ...(failedOpen ? { failedOpen } : {}),
    });
    const report = run({
      notify: notify({ stateErrors: [error(), error(), error(), error(true)] } as never),
    });
    expect(notOkReasons(report)).toEqual([
      '3 notify state documents not read or written',
      "the stored silences not read (the run went on with the configuration's alone)",
    ]);
    expect(notOkReasons(run({ notify: notify({ stateErrors: [error(true)] } as never) }))).toEqual([
      "the stored silences not read (the run went on with the configuration's alone)",
    ]); // A break trial: one entry not valid was said as every stored silence not read.
    const invalid = { ...error(true), code: 'StoredSilenceInvalid' };
    expect(notOkReasons(run({ notify: notify({ stateErrors: [invalid] } as never) }))).toEqual([
      '1 stored silence not valid, not applied',
    ]);
  });

  it('a gateway deleted beside one that failed: each counted apart', () => {
    const report = run({
      gateways: [failed('a', 'GatewayDeleted'), failed('b', 'BackendHealthUnavailable')],
    });
    expect(notOkReasons(report)).toEqual([
      '1 gateway could not be checked',
      '1 gateway not found (deleted; or, if "targets" names it by id, a wrong id: fix or remove that id)',
    ]);
  });

  it('an interrupted run: none (its own block and exit code say it)', () => {
    const report = {
      ...run({ gateways: [failed('a', 'Throttled')] }),
      interrupted: { by: 'signal' },
    } as never;
    expect(notOkReasons(report)).toEqual([]);
  });

  it('a run not ok for a reason not named here: "see report.json", never silent', () => {
    expect(notOkReasons({ ...run(), ok: false })).toEqual(['see report.json']);
  });
});
