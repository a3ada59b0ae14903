import { gatewayKey } from '../../../src/core/arm-id';
import type { GatewayRef } from '../../../src/core/model';
import type { TargetReport } from '../../../src/core/run-report';
import { serverKey } from '../../../src/core/notice/server-record';
import type { GatewayOutcome } from '../../../src/pipeline/check-gateway';
import {
  mergeNotifyOutcomes,
  notifyGateway,
  notifyUnvisited,
  unreadWarning,
  type NotifyServices,
} from '../../../src/pipeline/notify/notify-gateways';
import { NOTHING_NOTIFIED, type NotifyOutcome } from '../../../src/pipeline/notify/notify-on-change';
import { createReceiverBreakers } from '../../../src/pipeline/notify/receiver-breaker';
import { confirmGoneWith, type GoneAnswer } from '../../../src/pipeline/notify/confirm-gone';
import type { GatewayConfigReading } from '../../../src/core/gateway-config';
import type { GatewayConfigReader } from '../../../src/ports';
import type { NotifyStateDocument } from '../../../src/pipeline/notify/state-document';
import { buildDelivery, finding, gatewayRef } from '../../helpers/delivery-builder';
import { createMemoryNotifier, type MemoryNotifier } from '../../helpers/memory-notifier';
import { createMemoryStateStores } from '../../helpers/memory-state';
import { fakeClock, recordingLogger } from '../../helpers/notify-run';
import { GW, GW2, KEY, MINUTE, POLICY, T0, told } from './support/notify-world';

/** What checkGateway gives for `gateway`: its report, an insight per bad server, every server listed. */
function checked(
  gateway: GatewayRef,
  servers: { bad?: string[]; healthy?: string[] } | 'failed',
): GatewayOutcome {
  const failed = servers === 'failed';
  const bad = failed ? [] : (servers.bad ?? []);
  const { report, insights } = buildDelivery('run', [{ gateway, ok: !failed, unhealthy: bad }]);
  const listed = new Map<string, string>();
  if (!failed) {
    for (const address of bad) listed.set(serverKey(finding(gateway, address)), 'Unhealthy');
    for (const address of servers.healthy ?? []) listed.set(serverKey(finding(gateway, address)), 'Healthy');
  }
  return { report: report.gateways[0]!, insights, ...(failed ? {} : { listed }) };
}

function setup(notifiers: MemoryNotifier[] = [createMemoryNotifier()]) {
  const stores = createMemoryStateStores<NotifyStateDocument>();
  const logger = recordingLogger();
  const services: NotifyServices = {
    stores,
    notifiers,
    logger,
    breakers: createReceiverBreakers(),
    outboxLimit: 100,
  };
  const clock = fakeClock(T0);
  const [ops] = notifiers as [MemoryNotifier];
  const gatewayRun = (runId: string, gateway: GatewayRef, outcome: GatewayOutcome) =>
    notifyGateway(services, outcome, gateway, clock, POLICY, runId);
  const unvisitedRun = (
    runId: string,
    visited: GatewayRef[],
    gone: (g: GatewayRef) => boolean = () => false,
  ) => notifyUnvisited(services, { gateways: visited, isGone: gone }, clock, POLICY, runId);
  return { stores, logger, services, clock, ops, gatewayRun, unvisitedRun };
}

describe('notifyGateway: one gateway this run looked at', () => {
  it('a bad server is told once, with its insight, in the document of its gateway (keyed case-insensitively)', async () => {
    const { stores, ops, gatewayRun, clock } = setup();
    await gatewayRun('r1', GW, checked(GW, { bad: ['10.0.0.4'] }));
    clock.advance(MINUTE);
    const shouting = { ...GW, id: GW.id.toUpperCase() };
    await gatewayRun('r2', shouting, checked(GW, { bad: ['10.0.0.4'] }));
    expect(told(ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
    expect(ops.accepted[0]?.insight).toMatchObject({
      title: 'Degraded backend 10.0.0.4 on gw',
      path: expect.stringMatching(/^insights\/.*\/gw\//),
    });
    expect(await stores.listKeys()).toEqual([KEY]);
  });

  // A new-user trial: a reading short of a healthy pool (poolsNotRead) with every listed server bad sent
  // "every server of the gateway" down (notify.inhibit), and `recovered` once the pool was read again.
  it('a reading short of pools (poolsNotRead) never opens the gateway-level episode', async () => {
    const { services, ops, clock } = setup();
    const short = checked(GW, { bad: ['10.0.0.4', '10.0.0.5'] });
    const outcome = { ...short, report: { ...short.report, poolsNotRead: ['pool-img'] } };
    await notifyGateway(services, outcome, GW, clock, { ...POLICY, inhibit: true }, 'r1');
    expect(told(ops.accepted)).toEqual([
      ['degraded', '10.0.0.4'],
      ['degraded', '10.0.0.5'],
    ]);
  });

  it('healthy again on a gateway that was read: recovered', async () => {
    const { ops, gatewayRun, clock } = setup();
    await gatewayRun('r1', GW, checked(GW, { bad: ['10.0.0.4'] }));
    clock.advance(MINUTE);
    await gatewayRun('r2', GW, checked(GW, { healthy: ['10.0.0.4'] }));
    expect(told(ops.accepted)).toEqual([
      ['degraded', '10.0.0.4'],
      ['recovered', '10.0.0.4'],
    ]);
  });

  it('a gateway that could not be read: no recovered is guessed, but its waiting notices are still sent', async () => {
    const { ops, gatewayRun, clock } = setup();
    ops.script({ fail: 'retryable' });
    await gatewayRun('r1', GW, checked(GW, { bad: ['10.0.0.4'] }));
    clock.advance(MINUTE);
    const outcome = await gatewayRun('r2', GW, checked(GW, 'failed'));
    expect(outcome.decided).toBe(0);
    expect(outcome.deliveries.map((d) => [d.outcome, d.type])).toEqual([['delivered', 'degraded']]);
    expect(told(ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
  });

  it('the gateways of one run share its receiver breaker; another run does not', async () => {
    const { ops, gatewayRun, clock } = setup();
    ops.answerWith({ fail: 'retryable' });
    await gatewayRun('r1', GW, checked(GW, { bad: ['10.0.0.4'] }));
    const second = await gatewayRun('r1', GW2, checked(GW2, { bad: ['10.0.0.4'] }));
    expect(second.deliveries.map((d) => d.outcome)).toEqual(['not-tried']);
    clock.advance(MINUTE);
    await gatewayRun('r2', GW2, checked(GW2, { bad: ['10.0.0.4'] }));
    expect(ops.calls.map((c) => c.notice.gateway.name)).toEqual(['gw', 'gw-2']);
  });
});

describe('notifyUnvisited: gateways with state that this run did not evaluate', () => {
  /** Leaves `gateway` with an announced episode for 10.0.0.4 (and, with `down`, its notice waiting). */
  async function announced(world: ReturnType<typeof setup>, gateway: GatewayRef, down = false) {
    if (down) world.ops.script({ fail: 'retryable' });
    await world.gatewayRun('r0', gateway, checked(gateway, { bad: ['10.0.0.4'] }));
    world.clock.advance(MINUTE);
  }

  // A break trial: a backup of a subscription's folder made inside the state folder listed its
  // documents as gateways of subscription "backup-2026-12-01"; a copy's waiting notice was its
  // gateway's, and sent from the copy too it went twice.
  it("a copy of a gateway's document made in the state folder is never used: its waiting notice goes once, from its own", async () => {
    const world = setup();
    await announced(world, GW, true);
    const stored = await world.stores.forKey(KEY).read();
    const copyKey = KEY.replace(/^\/subscriptions\/[^/]+/, '/subscriptions/backup-2026-12-01');
    await world.stores.forKey(copyKey).write(stored?.value as NotifyStateDocument, undefined);
    await world.gatewayRun('r1', GW, checked(GW, { bad: ['10.0.0.4'] }));
    const outcomes = await world.unvisitedRun('r1', [GW]);
    // Without the check: a second degraded, from the copy.
    expect(told(world.ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
    expect(outcomes).toEqual([]);
    expect(world.logger.lines).toContainEqual(
      expect.stringContaining(
        `holds the state of gateway ${GW.id}, not of the gateway its place in the state folder names: not used (a copy made in the state folder? move it out of there)`,
      ),
    );
  });

  it('without notify services there is nothing to do', async () => {
    const { clock } = setup();
    await expect(
      notifyUnvisited(undefined, { gateways: [], isGone: () => true }, clock, POLICY, 'r1'),
    ).resolves.toEqual([]);
  });

  it('a gateway gone from a good listing: its servers are sent as recovered, saying so', async () => {
    const world = setup();
    await announced(world, GW);
    const outcomes = await world.unvisitedRun('r1', [], (g) => g.name === 'gw');
    expect(outcomes).toHaveLength(1);
    expect(world.ops.accepted.map((n) => [n.type, n.reason])).toEqual([
      ['degraded', undefined],
      ['recovered', 'the application gateway no longer exists'],
    ]);
  });

  // A fan-out trial: Resource Graph answers only what the identity may read (a Reader on one resource group
  // of the subscription), and its copy may lag ARM's, so a listing's word alone sent an existing gateway's
  // episode as `recovered … no longer exists`. ARM's GET of the gateway confirms it (confirm-gone.ts).
  it.each<[string, GatewayConfigReading | Error, string[], RegExp | undefined]>([
    [
      'ARM answers 404',
      { ok: false, detail: 'ARM answered 404 ResourceNotFound', notFound: true, armCode: 'ResourceNotFound' },
      ['degraded', 'recovered'],
      undefined,
    ],
    // A break trial: a host that is not ARM (a wrong arm.endpoint) answered 404 to everything.
    [
      "a 404 that is not ARM's word on the gateway (no ARM error code)",
      { ok: false, detail: 'ARM answered 404', notFound: true },
      ['degraded'],
      /^ARM answered 404, not ARM's ResourceNotFound or ResourceGroupNotFound: check that arm\.endpoint/,
    ],
    [
      'ARM still has it (200)',
      { ok: true, config: { generation: 'v2', settings: [], probes: [], pools: [], pairs: [] } },
      ['degraded'],
      // Never Resource Graph's lag alone: a resource group's target is listed by ARM (a new-user trial).
      /^ARM still has it \(its GET answered 200\): the identity may read only part of the scope \(grant it Reader on the whole target\), or the listing has not caught up yet \(ARM's list of a resource group or subscription, or Resource Graph's/,
    ],
    [
      'ARM answers 403',
      {
        ok: false,
        detail: 'missing permission Microsoft.Network/applicationGateways/read',
        kind: 'forbidden',
      },
      ['degraded'],
      /^ARM refused to say whether it still exists \(403: the identity may not read it\): grant the identity Reader on it, or, if it was deleted .*, move its notify state document aside$/,
    ],
    ['the GET throws', new Error('socket hang up'), ['degraded'], /could not say .*socket hang up/],
  ])(
    'a gateway a listing took as deleted, and %s: sent as recovered only on a 404',
    async (_, answer, types, unconfirmed) => {
      const world = setup();
      await announced(world, GW);
      const asked: string[] = [];
      const reader: GatewayConfigReader = {
        getGatewayConfig: async (gateway) => {
          asked.push(gateway.name);
          if (answer instanceof Error) throw answer;
          return answer;
        },
      };
      /** A run that did not list gw (a listing took it as deleted), asking ARM through `reader`. */
      const unlisted = (runId: string) =>
        notifyUnvisited(
          world.services,
          { gateways: [], isGone: (g) => g.name === 'gw' },
          world.clock,
          POLICY,
          runId,
          confirmGoneWith(reader, 60_000),
        );
      const merged = mergeNotifyOutcomes(await unlisted('r1'));
      expect(asked).toEqual(['gw']);
      expect(world.ops.accepted.map((n) => n.type)).toEqual(types);
      // Not confirmed: named with why (the report's notifications.unconfirmedDeletions), never dropped.
      expect(merged.unconfirmedDeletions).toEqual(
        unconfirmed
          ? [
              {
                gateway: GW.id,
                reason: expect.stringMatching(unconfirmed),
                document: expect.stringContaining(KEY),
              },
            ]
          : [],
      );
      // Kept open: the next run asks again; ended: nothing left to ask about.
      world.clock.advance(MINUTE);
      await unlisted('r2');
      expect(asked).toHaveLength(unconfirmed ? 2 : 1);
    },
  );

  // A trial: the checks ran one after another, each up to gatewayTimeoutInMs (5 min), after every gateway
  // was done, so a few GETs that never answered held the run's report for minutes.
  it('gateways a listing took as deleted are asked about at once, not one after another', async () => {
    const world = setup();
    const gateways = [GW, GW2, gatewayRef('gw-3')];
    for (const gateway of gateways) await announced(world, gateway);
    let inFlight = 0;
    let most = 0;
    let allAsked: () => void = () => undefined;
    const everyoneAsked = new Promise<void>((resolve) => (allAsked = resolve));
    const reader: GatewayConfigReader = {
      getGatewayConfig: async () => {
        most = Math.max(most, ++inFlight);
        if (most === gateways.length) allAsked();
        // One after another, the third GET never starts while the first waits: the margin ends it.
        let margin: NodeJS.Timeout | undefined;
        await Promise.race([everyoneAsked, new Promise((resolve) => (margin = setTimeout(resolve, 2_000)))]);
        clearTimeout(margin);
        inFlight -= 1;
        return {
          ok: false,
          detail: 'ARM answered 404 ResourceNotFound',
          notFound: true,
          armCode: 'ResourceNotFound',
        };
      },
    };
    await notifyUnvisited(
      world.services,
      { gateways: [], isGone: () => true },
      world.clock,
      POLICY,
      'r1',
      confirmGoneWith(reader, 60_000),
    );
    expect(most).toBe(gateways.length);
    expect(told(world.ops.accepted).filter(([type]) => type === 'recovered')).toHaveLength(3);
  });

  it('a gateway not listed but not known to be gone (a listing that failed): nothing decided or sent, the record kept, the gateway named', async () => {
    const world = setup();
    await announced(world, GW);
    const before = world.stores.peek(KEY);
    const outcomes = await world.unvisitedRun('r1', []);
    expect(outcomes.map((o) => [o.decided, o.deliveries, o.unread])).toEqual([
      [0, [], [{ gateway: GW.id, openEpisodes: 1 }]],
    ]);
    expect(world.ops.calls).toHaveLength(1);
    expect(world.stores.peek(KEY)).toEqual(before);
    // Said once per run, by name, with what to do.
    expect(world.logger.lines).toEqual([
      'warning: 1 gateway with 1 open episode was not read by this run (outside its targets or left out by the discovery filter, or in a target that could not be listed): gw. Its episodes stay open, and nothing is sent for it, until a run reads it again: add it back to the targets (or the discovery filter), or, for a gateway no longer watched, move its notify state aside',
    ]);
  });

  // A new-user trial: a gateway whose target could not be listed was advised "add them back to the
  // targets", as if the config had lost it.
  it.each<[string, TargetReport[] | undefined, RegExp, RegExp | undefined]>([
    [
      'every target listed',
      [{ id: '/subscriptions/s1', ok: true, error: null, gateways: 1 }],
      /until a run reads it again: add it back to the targets \(or the discovery filter\), or, for a gateway no longer watched, move its notify state aside$/,
      /could not be listed this run/,
    ],
    [
      'targets not known',
      undefined,
      /until a run reads it again: add it back to the targets/,
      /could not be listed this run/,
    ],
    [
      'a target not listed',
      [
        { id: '/subscriptions/s1', ok: true, error: null, gateways: 1 },
        {
          id: '/subscriptions/s2',
          ok: false,
          error: { code: 'TargetListUnavailable', message: 'x', retryable: true },
          gateways: 0,
        },
      ],
      /until a run reads it again: 1 target could not be listed this run, and a gateway in one is read once it is listed again; one outside the targets needs adding back to them \(or to the discovery filter\), or, if no longer watched, its notify state moved aside$/,
      undefined,
    ],
  ])('a gateway not read, %s: the advice fits', async (_, targets, said, notSaid) => {
    const world = setup();
    await announced(world, GW);
    await notifyUnvisited(
      world.services,
      { gateways: [], isGone: () => false, ...(targets ? { targets } : {}) },
      world.clock,
      POLICY,
      'r1',
    );
    expect(world.logger.lines).toEqual([expect.stringMatching(said)]);
    if (notSaid) expect(world.logger.lines[0]).not.toMatch(notSaid);
  });

  /** A run that read no gateway and whose listings showed none gone, asking ARM through `reader`: merged. */
  const notReadRun = async (world: ReturnType<typeof setup>, reader: GatewayConfigReader) =>
    mergeNotifyOutcomes(
      await notifyUnvisited(
        world.services,
        { gateways: [], isGone: () => false },
        world.clock,
        POLICY,
        'r1',
        confirmGoneWith(reader, 60_000),
      ),
    );

  // A break trial: two deployments sharing one notify state, each with its own receiver: A's run asked
  // ARM about B's deleted gateway (not in A's targets), ended its episode and sent the `recovered` to no
  // one; B's run then had nothing to send, and B's incident stayed open.
  // The second trial: with a receiver both deployments have, A ended it and told only that one.
  it.each<[string, string[] | undefined, boolean]>([
    ["told to this run's receiver: ARM is asked, and a 404 ends it", undefined, true],
    [
      'told only to a receiver this run does not have: not asked, left for the run that has it',
      ['webhook[team-b]'],
      false,
    ],
    [
      "told to this run's receiver and one it does not have: not asked either",
      ['webhook[ops]', 'webhook[team-b]'],
      false,
    ],
  ])('a gateway not read, with an open episode %s', async (_, toldTo, ours) => {
    const expectedAsked = ours ? ['gw'] : [];
    const world = setup();
    await announced(world, GW);
    if (toldTo) {
      const stored = world.stores.peek(KEY) as NotifyStateDocument;
      const servers = Object.fromEntries(
        Object.entries(stored.servers).map(([key, record]) => [
          key,
          record.notified ? { ...record, notified: { ...record.notified, receivers: toldTo } } : record,
        ]),
      );
      world.stores.plant(KEY, { ...stored, servers });
    }
    const asked: string[] = [];
    const reader: GatewayConfigReader = {
      getGatewayConfig: async (gateway) => {
        asked.push(gateway.name);
        return {
          ok: false,
          detail: 'ARM answered 404 ResourceNotFound',
          notFound: true,
          armCode: 'ResourceNotFound',
        };
      },
    };
    const merged = await notReadRun(world, reader);
    expect(asked).toEqual(expectedAsked);
    // A new-user trial: with no `existenceUnknown`, the entry read as "ARM still has it".
    expect(merged.unread).toEqual(
      ours
        ? []
        : [
            {
              gateway: GW.id,
              openEpisodes: 1,
              notAsked: expect.stringMatching(
                /^not asked of ARM: its episodes were told to receiver "webhook\[team-b\]", which this run does not have, so their end is left for a run that has it \(another deployment sharing the state\); if it was renamed or removed, move .+ aside$/,
              ),
            },
          ],
    );
    expect(/\. It was not asked of ARM: .*webhook\[team-b\]/.test(unreadWarning(merged.unread ?? []))).toBe(
      !ours,
    );
    expect(world.ops.accepted.map((n) => n.type)).toEqual(ours ? ['degraded', 'recovered'] : ['degraded']);
  });

  // A new-user trial's ARM outage: the warning (about 900 characters) named every other reason a
  // gateway is not read, then ARM's error again as "whether it still exists is not known".
  describe('unreadWarning: gateways whose own targets could not be listed', () => {
    const id = (sub: string, name: string) =>
      `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/${name}`;
    const outage = 'ArmUnreachable: Azure Resource Manager at https://management.azure.com cannot be reached';
    const unread = (sub: string, name: string) => ({
      gateway: id(sub, name),
      openEpisodes: 1,
      existenceUnknown: outage,
    });

    it.each<[string, string[], string]>([
      [
        'one subscription',
        ['/subscriptions/s1'],
        '2 gateways with 2 open episodes were not read by this run: their target /subscriptions/s1 could not be listed (said above): gw-a and gw-b. Their episodes stay open, and nothing is sent for them, until a run reads them again.',
      ],
      [
        'a resource group',
        ['/subscriptions/s1/resourceGroups/RG'],
        '2 gateways with 2 open episodes were not read by this run: their target /subscriptions/s1/resourceGroups/RG could not be listed (said above): gw-a and gw-b. Their episodes stay open, and nothing is sent for them, until a run reads them again.',
      ],
    ])('%s: that alone is said, with the target', (_label, notListed, said) => {
      expect(unreadWarning([unread('s1', 'gw-a'), unread('s1', 'gw-b')], notListed)).toBe(said);
    });

    it('two targets, each holding one', () => {
      expect(
        unreadWarning(
          [unread('s1', 'gw-a'), unread('s2', 'gw-b')],
          ['/subscriptions/s2', '/subscriptions/s1'],
        ),
      ).toContain('their targets /subscriptions/s1 and /subscriptions/s2 could not be listed (said above)');
    });

    it.each<[string, string[]]>([
      ['one of them outside the targets not listed', ['/subscriptions/s1']],
      [
        'a management group (its gateways known only from its listing)',
        ['/providers/Microsoft.Management/managementGroups/mg'],
      ],
    ])('%s: every reason, and whether they exist', (_label, notListed) => {
      const said = unreadWarning([unread('s1', 'gw-a'), unread('s3', 'gw-c')], notListed);
      expect(said).toContain(
        '(outside its targets or left out by the discovery filter, or in a target that could not be listed)',
      );
      expect(said).toContain(
        `Whether 2 of them still exist is not known (a deleted gateway's episodes would end): ${outage}`,
      );
    });
  });

  // A break trial: 20 GETs that never answered held each run 94 s at the listing's 30 s bound; a gateway
  // not read is asked through its own, shorter check (run-checks.ts: UNREAD_CHECK_TIMEOUT_IN_MS).
  it('a gateway not read is asked through confirmUnread; one a listing took as deleted through confirmGone', async () => {
    const world = setup();
    await announced(world, GW);
    await announced(world, GW2);
    const calls: string[] = [];
    const check =
      (which: string) =>
      async (gateway: GatewayRef): Promise<GoneAnswer> => {
        calls.push(`${which} ${gateway.name}`);
        return { gone: false, reason: 'no answer within 10000 ms' };
      };
    await notifyUnvisited(
      world.services,
      { gateways: [], isGone: (g) => g.name === GW.name },
      world.clock,
      POLICY,
      'r1',
      check('confirmGone'),
      check('confirmUnread'),
    );
    expect(calls.sort()).toEqual([`confirmGone ${GW.name}`, `confirmUnread ${GW2.name}`]);
  });

  it('a gateway not read that ARM cannot say is gone or not: named unread, with why', async () => {
    const world = setup();
    await announced(world, GW);
    const reader: GatewayConfigReader = {
      getGatewayConfig: async () => ({ ok: false, detail: 'no answer within 10000 ms', kind: 'timeout' }),
    };
    const merged = await notReadRun(world, reader);
    expect(merged.unread).toEqual([
      {
        gateway: GW.id,
        openEpisodes: 1,
        existenceUnknown:
          'ARM could not say whether it still exists (no answer within 10000 ms); it is asked again on the next run',
      },
    ]);
    expect(world.logger.lines.at(-1)).toMatch(
      /\. Whether it still exists is not known \(a deleted gateway's episodes would end\): ARM could not say whether it still exists \(no answer within 10000 ms\)/,
    );
  });

  it('gateways this run evaluated are left to notifyGateway: their documents are not even read', async () => {
    const world = setup();
    await announced(world, GW, true);
    const reads = world.stores.calls.length;
    expect(await world.unvisitedRun('r1', [GW], () => true)).toEqual([]);
    expect(world.stores.calls.slice(reads)).toEqual([{ op: 'list' }]);
  });

  it('an unvisited gateway’s waiting notices are sent; its dead letters alone are reported without a send', async () => {
    const world = setup();
    await announced(world, GW, true);
    world.ops.script({ fail: 'permanent' });
    await world.gatewayRun('r0b', GW2, checked(GW2, { bad: ['10.0.0.9'] })); // r0's breaker is open
    const calls = world.stores.calls.length;
    const outcomes = await world.unvisitedRun('r1', []);
    // Reviewed, not claimed: the dead letters' document is read, never written.
    expect(world.stores.calls.slice(calls).filter((c) => c.key === gatewayKey(GW2.id))).toEqual([
      { op: 'read', key: gatewayKey(GW2.id) },
      { op: 'read', key: gatewayKey(GW2.id) },
    ]);
    expect(outcomes.map((o) => o.deliveries.map((d) => [d.outcome, d.server]))).toEqual([
      [['delivered', 'gw/pool-a/settings-a/10.0.0.4']],
      [],
    ]);
    expect(outcomes[1]?.undelivered).toEqual([
      expect.objectContaining({ status: 'dead-letter', server: 'gw-2/pool-a/settings-a/10.0.0.9' }),
    ]);
    expect(world.ops.calls.map((c) => c.notice.server.address)).toEqual(['10.0.0.4', '10.0.0.9', '10.0.0.4']);
  });

  it('a document it cannot read is reported, naming it; the other gateways go on', async () => {
    const world = setup();
    await announced(world, GW, true);
    const broken = gatewayKey(GW2.id);
    world.stores.plant(broken, { version: 2 });
    const outcomes = await world.unvisitedRun('r1', []);
    expect(outcomes.map((o) => o.stateErrors.map((e) => [e.code, e.document]))).toEqual([
      [],
      [['StateInvalid', `memory document ${broken}`]],
    ]);
    expect(told(world.ops.accepted)).toEqual([['degraded', '10.0.0.4']]);
    expect(world.stores.peek(broken)).toEqual({ version: 2 });
    expect(world.logger.lines).toEqual([
      expect.stringMatching(/^error: The notify state in memory document/),
      expect.stringMatching(/^warning: 1 gateway with 1 open episode was not read by this run/),
    ]);
  });

  it('documents that cannot be listed: one state error naming where they are, nothing else done', async () => {
    const world = setup();
    await announced(world, GW, true);
    world.stores.fail('list', { kind: 'unavailable' });
    const outcomes = await world.unvisitedRun('r1', [], () => true);
    expect(outcomes).toEqual([
      {
        ...NOTHING_NOTIFIED,
        stateErrors: [expect.objectContaining({ code: 'StateUnavailable', document: 'memory documents' })],
      },
    ]);
    expect(world.ops.calls).toHaveLength(1);
  });
});

describe('mergeNotifyOutcomes: many gateways as one', () => {
  const outcome = (overrides: Partial<NotifyOutcome>): NotifyOutcome => ({
    ...NOTHING_NOTIFIED,
    claimed: true,
    ...overrides,
  });
  const error = (document: string) => ({
    code: 'StateUnavailable',
    message: 'down',
    retryable: true,
    document,
  });

  it.each<[string, NotifyOutcome[], Partial<NotifyOutcome>]>([
    ['none: nothing decided, all claimed', [], { decided: 0, pending: {}, claimed: true, stateErrors: [] }],
    [
      'pending counts summed per receiver',
      [
        outcome({ pending: { 'webhook[ops]': 1, 'webhook[pager]': 0 } }),
        outcome({ pending: { 'webhook[ops]': 2 } }),
      ],
      { pending: { 'webhook[ops]': 3, 'webhook[pager]': 0 } },
    ],
    ['decided summed', [outcome({ decided: 2 }), outcome({ decided: 3 })], { decided: 5 }],
    ['claimed only when every one was', [outcome({}), outcome({ claimed: false })], { claimed: false }],
    [
      'errors and contended documents kept, in order',
      [outcome({ stateErrors: [error('a')], contended: ['c'] }), outcome({ stateErrors: [error('b')] })],
      { stateErrors: [error('a'), error('b')], contended: ['c'] },
    ],
    // Kept for the run report's `deletedUnlisted` (a new-user trial: merged away, the report lacked them).
    [
      'gateways ARM confirmed deleted kept, in order',
      [outcome({ deletedGateways: [GW] }), outcome({}), outcome({ deletedGateways: [GW2] })],
      { deletedGateways: [GW, GW2] },
    ],
  ])('%s', (_label, outcomes, expected) => {
    expect(mergeNotifyOutcomes(outcomes)).toMatchObject(expected);
  });
});
