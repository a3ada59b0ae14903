import { gatewayKey } from '../../src/core/arm-id';
import { StateUnavailableError, ThrottledError } from '../../src/errors';
import { checkGateway } from '../../src/pipeline/check-gateway';
import { processGateway, type ProcessGatewayOptions } from '../../src/pipeline/process-gateway';
import { gatewayNamed, memoryRun, refused, type MemoryRun } from '../helpers/memory';

const gw = gatewayNamed('gw-web');
const BAD = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
const GOOD = { address: '10.0.0.5', health: 'Healthy' };

/** A backend pool of `gw` as ARM's backend health lists it, with settings-a. */
const pool = (name: string, servers: unknown[]) => ({
  backendAddressPool: { id: `${gw.id}/backendAddressPools/${name}` },
  backendHttpSettingsCollection: [
    { backendHttpSettings: { id: `${gw.id}/backendHttpSettingsCollection/settings-a` }, servers },
  ],
});
const reading =
  (...pools: unknown[]) =>
  async () =>
    ({ backendAddressPools: pools }) as never;
function options(run: MemoryRun, runId = 'run-1'): ProcessGatewayOptions {
  return { ...run.deps, ...run.options, runId };
}
function withNotify() {
  const run = memoryRun({ gateways: [{ ref: gw, servers: [BAD, GOOD] }], withNotify: true });
  const notify = run.notify!;
  return { run, notify, receiver: notify.notifiers[0]! };
}

describe('processGateway: check one gateway, then notify on change', () => {
  it('without receivers: exactly the check, and no notify outcome', async () => {
    const run = memoryRun({ gateways: [{ ref: gw, servers: [BAD, GOOD] }] });
    const processed = await processGateway(gw, options(run));
    expect(processed).toEqual(await checkGateway(gw, options(run)));
    expect('notify' in processed).toBe(false);
  });

  it('a bad server: its insight, and a `degraded` notice sent to the receiver and recorded', async () => {
    const { run, notify, receiver } = withNotify();
    const processed = await processGateway(gw, options(run));
    expect(processed.report).toMatchObject({ ok: true, servers: 2 });
    expect(processed.insights).toHaveLength(1);
    expect(receiver.sent).toEqual([
      expect.objectContaining({ type: 'degraded', server: expect.objectContaining({ address: '10.0.0.4' }) }),
    ]);
    expect(processed.notify).toMatchObject({
      decided: 1,
      claimed: true,
      deliveries: [{ receiver: 'webhook[ops]', type: 'degraded', outcome: 'delivered' }],
      undelivered: [],
      stateErrors: [],
    });
    // One state document per gateway, under its key.
    expect([...notify.stores.documents.keys()]).toEqual([gatewayKey(gw.id)]);
  });

  it('a gateway that cannot be read: reported, and no server taken as recovered from it', async () => {
    const { run, receiver } = withNotify();
    await processGateway(gw, options(run, 'run-1'));
    run.reader.health.set(gw.id, new ThrottledError(gw.id, '429'));
    run.clock.advance(60_000);
    const processed = await processGateway(gw, options(run, 'run-2'));
    expect(processed.report).toMatchObject({ ok: false, error: { code: 'Throttled' } });
    expect(processed.notify).toMatchObject({ decided: 0, claimed: true, stateErrors: [] });
    expect(receiver.sent.map((n) => n.type)).toEqual(['degraded']);
  });

  it('a gateway that cannot be read still sends the notices waiting for it', async () => {
    const { run, receiver } = withNotify();
    receiver.answer = () => refused(true);
    const first = await processGateway(gw, options(run, 'run-1'));
    expect(first.notify?.undelivered).toEqual([
      expect.objectContaining({ status: 'waiting', type: 'degraded' }),
    ]);

    delete receiver.answer;
    run.reader.health.set(gw.id, new ThrottledError(gw.id, '429'));
    run.clock.advance(60_000);
    const second = await processGateway(gw, options(run, 'run-2'));
    expect(second.report.ok).toBe(false);
    expect(second.notify).toMatchObject({
      decided: 0,
      deliveries: [{ type: 'degraded', outcome: 'delivered' }],
      undelivered: [],
    });
    // The same notice both times: re-sent, not decided again.
    expect(receiver.sent).toHaveLength(2);
    expect(receiver.sent[1]?.id).toBe(receiver.sent[0]?.id);
  });

  it('a receiver that refuses: the gateway is still checked and reported; the notice waits', async () => {
    const { run, receiver } = withNotify();
    receiver.answer = () => refused(true);
    const processed = await processGateway(gw, options(run));
    expect(processed.report.ok).toBe(true);
    expect(processed.insights).toHaveLength(1);
    expect(processed.notify?.deliveries).toEqual([expect.objectContaining({ outcome: 'queued' })]);
    expect(processed.notify?.pending).toEqual({ 'webhook[ops]': 1 });
  });

  it.each([
    ['read', 'read'],
    ['written', 'write'],
  ] as const)(
    'a notify state that cannot be %s: a state error naming it; the check stands; nothing sent',
    async (_, op) => {
      const { run, notify, receiver } = withNotify();
      const document = `memory state ${gatewayKey(gw.id)}`;
      notify.stores.failures[op].set(
        gatewayKey(gw.id),
        new StateUnavailableError(document, 'the account is down', 'Check the account.', { retryable: true }),
      );
      const processed = await processGateway(gw, options(run));
      expect(processed.report.ok).toBe(true);
      expect(processed.insights).toHaveLength(1);
      expect(processed.notify).toMatchObject({
        claimed: false,
        decided: 0,
        stateErrors: [{ code: 'StateUnavailable', retryable: true, document }],
      });
      expect(receiver.sent).toEqual([]);
    },
  );

  it('a bug in notify on change (it threw): reported as a state error and logged, never thrown', async () => {
    const { run, notify, receiver } = withNotify();
    notify.stores.failures.forKey = new TypeError('stores.forKey is broken');
    const processed = await processGateway(gw, options(run));
    expect(processed.report.ok).toBe(true);
    expect(processed.insights).toHaveLength(1);
    expect(processed.notify).toMatchObject({
      claimed: false,
      decided: 0,
      deliveries: [],
      stateErrors: [{ code: 'Unexpected', message: 'stores.forKey is broken', retryable: true }],
    });
    expect(run.logger.at('error')).toEqual([`${gw.id}: notify on change failed: stores.forKey is broken`]);
    expect(receiver.sent).toEqual([]);
  });

  it('renders the insight the notice carries from the same check', async () => {
    const { run, receiver } = withNotify();
    const processed = await processGateway(gw, options(run));
    expect(receiver.sent[0]?.insight?.path).toBe(processed.insights[0]?.path);
  });
});

// A break trial: a told server's pool listed with no server, and a configuration GET that never
// answered: the coverage's GET waited 30 s, then notify's removal check asked it again, 30 s more.
it('the configuration GET this check made answers the removal check: asked once', async () => {
  const { run, receiver } = withNotify();
  run.reader.health.set(
    gw.id,
    async () => ({ backendAddressPools: [pool('pool-a', [BAD]), pool('pool-b', [GOOD])] }) as never,
  );
  await processGateway(gw, options(run, 'run-1'));
  expect(receiver.sent.map((n) => n.type)).toEqual(['degraded']);

  run.reader.health.set(
    gw.id,
    async () => ({ backendAddressPools: [pool('pool-a', []), pool('pool-b', [GOOD])] }) as never,
  );
  run.clock.advance(60_000);
  let asked = 0;
  const configReader = {
    getGatewayConfig: async () => {
      asked++;
      return { ok: false as const, kind: 'timeout' as const, detail: 'no answer within 30000 ms' };
    },
  };
  const processed = await processGateway(gw, { ...options(run, 'run-2'), configReader });
  expect(asked).toBe(1);
  expect(processed.report.poolsNotRead).toEqual(['pool-a']);
  expect(processed.notify?.unconfirmedRemovals).toEqual([
    expect.objectContaining({ reason: expect.stringContaining('no answer within 30000 ms') }),
  ]);
  expect(receiver.sent.map((n) => n.type)).toEqual(['degraded']);
});

// A break trial of the reuse above: the check's GET failed once with a final-looking answer (404, not a
// gateway), the removal check took it as "cannot be read for good" and let the reading's word stand: a
// false `recovered` for a server still configured, and `degraded` again the next run.
it.each<[string, Record<string, unknown>]>([
  ['404', { ok: false, kind: 'not-found', notFound: true, detail: 'ARM answered 404 ResourceNotFound' }],
  ['an answer that is not a gateway', { ok: false, kind: 'invalid', detail: 'properties is missing' }],
])('the check’s GET fails (%s): no recovered is sent, the episode is kept open', async (_, failure) => {
  const { run, receiver } = withNotify();
  run.reader.health.set(gw.id, reading(pool('pool-a', [BAD]), pool('pool-b', [GOOD])));
  await processGateway(gw, options(run, 'run-1'));
  // pool-a left out; a new bad server in pool-b makes the check read the configuration.
  run.reader.health.set(
    gw.id,
    reading(pool('pool-b', [GOOD, { address: '10.0.0.6', health: 'Unhealthy', healthProbeLog: 'x' }])),
  );
  run.clock.advance(60_000);
  let asked = 0;
  const configReader = {
    getGatewayConfig: async () => {
      asked++;
      return failure;
    },
  } as never;
  const processed = await processGateway(gw, { ...options(run, 'run-2'), configReader });
  expect(asked).toBe(1);
  expect(receiver.sent.map((n) => `${n.type} ${n.server.address}`)).toEqual([
    'degraded 10.0.0.4',
    'degraded 10.0.0.6',
  ]);
  expect(processed.notify?.unconfirmedRemovals).toEqual([
    expect.objectContaining({ server: expect.stringMatching(/10\.0\.0\.4$/) }),
  ]);
});

// A break trial: the run said pool-a was not read (listed with no server, the GET refused) and sent
// `recovered` for its told server, "removed from its backend pool", in the same run.
it('a server of a pool the reading did not read is never recovered from it, whatever the GET answers', async () => {
  const { run, receiver } = withNotify();
  run.reader.health.set(gw.id, reading(pool('pool-a', [BAD]), pool('pool-b', [GOOD])));
  await processGateway(gw, options(run, 'run-1'));
  run.reader.health.set(gw.id, reading(pool('pool-a', []), pool('pool-b', [GOOD])));
  run.clock.advance(60_000);
  const configReader = {
    getGatewayConfig: async () => ({ ok: false, kind: 'forbidden', detail: 'ARM answered 403' }),
  } as never;
  const processed = await processGateway(gw, { ...options(run, 'run-2'), configReader });
  expect(processed.report.poolsNotRead).toEqual(['pool-a']);
  expect(receiver.sent.map((n) => n.type)).toEqual(['degraded']);
  expect(processed.notify?.openEpisodes).toMatchObject({ told: 1 });
});

// A break trial: the told server's pool left out of the reading, and the identity may not read the
// configuration (a lasting 403): `recovered` "removed from its backend pool", in a green run, then
// `degraded` again the next run.
it.each<[string, string, RegExp]>([
  ['403', 'forbidden', /\(403\): grant it /],
  ['404', 'not-found', /could not be read this run/],
  ['401', 'unauthenticated', /could not be read this run/],
  ['an answer that is not a gateway', 'invalid', /could not be read this run/],
])(
  'a told server whose pool the reading leaves out, and a lasting %s to the GET: kept open, saying why',
  async (_, kind, why) => {
    const { run, receiver } = withNotify();
    run.reader.health.set(gw.id, reading(pool('pool-a', [BAD]), pool('pool-b', [GOOD])));
    await processGateway(gw, options(run, 'run-1'));
    run.reader.health.set(gw.id, reading(pool('pool-b', [GOOD])));
    run.clock.advance(60_000);
    const configReader = {
      getGatewayConfig: async () => ({ ok: false, kind, detail: `ARM answered ${kind}` }),
    } as never;
    const processed = await processGateway(gw, { ...options(run, 'run-2'), configReader });
    expect(receiver.sent.map((n) => n.type)).toEqual(['degraded']);
    expect(processed.notify?.unconfirmedRemovals).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(why) }),
    ]);
    expect(processed.report.poolsNotRead).toEqual(['pool-a']);
  },
);
