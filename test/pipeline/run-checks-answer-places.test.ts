/**
 * Issue 14 (bounded memory at any concurrency): a direct run reads an operation's answer only when the
 * gateway has a place to render it (run-checks.ts RUN_RENDERING_GATEWAYS), so the bodies of many
 * operations ending together wait at ARM, not in the process; the wait for a place is not the gateway's
 * time (gatewayTimeoutInMs), and no gateway is lost. Real SDK, emulator, folder sink.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { parseConfig } from '../../src/config/load';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { silentLogger } from '../../src/pipeline/logger';
import { RUN_RENDERING_GATEWAYS, runChecks } from '../../src/pipeline/run-checks';
import { PLACE_KEPT_THROUGH_A_WAIT_IN_MS } from '../../src/core/place-kept';
import type { InsightSink } from '../../src/ports';
import { emulatorArm } from '../helpers/emulator-settings';
import { holdingSink } from '../helpers/memory';
import { SUB, gateway, type ServerSpec } from '../helpers/scenario-builder';

const down = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };

let dir: string;
let emulator: RunningEmulator | undefined;
beforeEach(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-places-'))));
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** The operation's answers that brought a body (its polls answered 200). */
const bodiesRead = (e: RunningEmulator) => e.requestCounts()['operationResult']?.['200'] ?? 0;

type ScenarioGateway = ReturnType<typeof gateway>;

/**
 * A direct run, as `run` makes it, against an emulator serving `gateways` (kept in `emulator` for the
 * test to read), every gateway in flight at once, a temp folder sink and state, and `extra` sinks.
 */
async function runWith(
  gateways: ScenarioGateway[],
  settings: Record<string, unknown>,
  extra: InsightSink[] = [],
) {
  emulator = await startEmulator({ scenario: { gateways } as never });
  const config = parseConfig({
    targets: [`/subscriptions/${SUB}`],
    arm: emulatorArm(emulator),
    concurrency: gateways.length,
    sinks: { dir: path.join(dir, 'out') },
    state: { dir: path.join(dir, 'state') },
    ...settings,
  });
  const { deps, options } = withLogger(await buildRunServices(config, process.env), silentLogger);
  return runChecks({ ...deps, sinks: [...deps.sinks, ...extra] }, options);
}

/**
 * Hung gateways (`fault`), then 10 healthy ones whose operations end a second later, when every place
 * is held by a hung one; the run stops at the deadline: held for the hung ones' time-out, the healthy
 * ones would not be done.
 */
async function hungThenHealthy(
  fault: Record<string, unknown>,
  healthyServer: ServerSpec,
  targets?: (gateways: ScenarioGateway[]) => string[],
) {
  const hung = Array.from({ length: RUN_RENDERING_GATEWAYS }, (_, i) => `hung-${i}`);
  const healthy = Array.from({ length: 10 }, (_, i) => `ok-${i}`);
  const gateways = [
    ...hung.map((name) =>
      gateway(name, [down], {
        lro: { polls: 1, retryAfterSeconds: 0, style: 'location' },
        faults: [{ ...fault, connection: 'hang', times: 100 }] as never,
      }),
    ),
    ...healthy.map((name) =>
      gateway(name, [healthyServer], { lro: { polls: 1, retryAfterSeconds: 1, style: 'location' } }),
    ),
  ];
  const outcome = await runWith(gateways, {
    ...(targets ? { targets: targets(gateways) } : {}),
    gatewayTimeoutInMs: 60_000,
    runDeadlineInMs: PLACE_KEPT_THROUGH_A_WAIT_IN_MS + 9_000,
  });
  try {
    expect(outcome.report.gateways.map((g) => g.name).sort()).toEqual([...healthy].sort());
    expect(outcome.report.interrupted?.notDone).toHaveLength(hung.length);
  } finally {
    await outcome.dispose();
  }
}

describe('a direct run reads an answer only with a place to render it', () => {
  it('operations ending together: at most RUN_RENDERING_GATEWAYS answers read; the rest wait at ARM, beyond their time-out, and none is lost', async () => {
    const count = RUN_RENDERING_GATEWAYS + 8;
    const names = Array.from({ length: count }, (_, i) => `gw-${String(i).padStart(3, '0')}`);
    // Long enough for 72 POSTs and polls on a busy machine; a place is waited for twice as long.
    const gatewayTimeoutInMs = 5_000;
    // A sink that holds every gateway's delivery (and so its place) for twice the time-out.
    let readWhileHeld: number | undefined;
    const holding = holdingSink();
    const timer = setTimeout(() => {
      readWhileHeld = bodiesRead(emulator!);
      holding.release();
    }, 2 * gatewayTimeoutInMs);
    try {
      const outcome = await runWith(
        names.map((name) =>
          gateway(name, [down], { lro: { polls: 1, retryAfterSeconds: 0, style: 'location' } }),
        ),
        { gatewayTimeoutInMs },
        [holding],
      );
      try {
        expect(outcome.report.gateways.filter((g) => !g.ok).map((g) => [g.name, g.error])).toEqual([]);
        expect(readWhileHeld).toBe(RUN_RENDERING_GATEWAYS);
        // The 8 that waited longer than gatewayTimeoutInMs for a place were read, not timed out.
        expect(outcome.report.summary).toMatchObject({ gateways: count, failedGateways: 0, findings: count });
        expect(outcome.report.gateways.every((g) => g.durationInMs < gatewayTimeoutInMs)).toBe(true);
        expect(bodiesRead(emulator!)).toBe(count);
      } finally {
        await outcome.dispose();
      }
    } finally {
      clearTimeout(timer);
      holding.release();
    }
  }, 30_000);

  it('RUN_RENDERING_GATEWAYS polls that hang hold up the others only PLACE_KEPT_THROUGH_A_WAIT_IN_MS, not their time-out', async () => {
    await hungThenHealthy({ on: 'poll' }, down);
  }, 30_000);

  it('RUN_RENDERING_GATEWAYS configuration GETs that hang hold up the others only PLACE_KEPT_THROUGH_A_WAIT_IN_MS', async () => {
    // A finding each, and no listing to explain it (named by id): each reads its configuration.
    const up = {
      address: '10.0.0.5',
      health: 'Healthy',
      healthProbeLog: 'Success. Received 200 status code',
    };
    await hungThenHealthy({ on: 'get' }, up, (gateways) => gateways.map((g) => g.id));
  }, 30_000);
});
