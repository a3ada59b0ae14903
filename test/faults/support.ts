/**
 * Shared by the fault-matrix tests (README "Fault matrix"): two gateways whose one server each has an
 * open `degraded` episode, then one run in which both servers are healthy again and one gateway's ARM
 * calls fail as a row says. Whatever the fault, the product must report it where the user looks, and
 * must not guess a recovery from a failed read; the other gateway recovers as usual.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ScenarioInput } from '../../src/emulator';
import type { RunReport } from '../../src/core/run-report';
import { notifyRun } from '../helpers/notify-run';
import { OTHER_SUB, SUB, gateway, gatewayId, type ServerSpec } from '../helpers/scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

export type GatewayInput = ScenarioInput['gateways'][number];

/** The gateway whose calls fail (subscription SUB) and the one that does not (OTHER_SUB). */
export const FAULTY = gatewayId('gw-faulty');
export const OTHER = gatewayId('gw-other', 'rg-test', OTHER_SUB);
export const TARGETS = [`/subscriptions/${SUB}`, `/subscriptions/${OTHER_SUB}`];

const unhealthy = (address: string): ServerSpec => ({
  address,
  health: 'Unhealthy',
  healthProbeLog: 'TCP connect error',
});
const healthy = (address: string): ServerSpec => ({
  address,
  health: 'Healthy',
  healthProbeLog: 'Success. Received 200 status code',
});

/** The notices a receiver got, as the json format sends them. */
export interface ReceivedNotice {
  readonly id: string;
  readonly type: string;
  readonly gateway: string;
  readonly address: string;
  readonly reason?: string;
}

export interface FaultRun {
  readonly report: RunReport;
  /** What the receiver got during this run. */
  readonly notices: readonly ReceivedNotice[];
  /** The faulty gateway's notify state after the run. */
  readonly faultyState: { servers: Record<string, { address: string; notified?: unknown }> };
}

/**
 * One loopback receiver and a state folder holding open episodes for both gateways (made by a real
 * run); `run` copies that state and runs once with the faulty gateway's `extra` (faults, lro…).
 */
export function useOpenEpisodes() {
  let receiver: WebhookReceiver;
  let tmp: string;
  let n = 0;
  const baseline = () => path.join(tmp, 'baseline');

  beforeAll(async () => {
    // The ARM SDK is loaded before any run is timed (a busy machine's loading is no gateway's).
    await import('@azure/arm-network');
    receiver = await startWebhookReceiver();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-faults-'));
    const { report } = await notifyRun({
      scenario: {
        gateways: [
          gateway('gw-faulty', [unhealthy('10.0.0.4')]),
          gateway('gw-other', [unhealthy('10.0.1.4')], {}, 'rg-test', OTHER_SUB),
        ],
      },
      targets: TARGETS,
      config: config(baseline()),
    });
    if (!report.ok || receiver.requests.length !== 2) {
      throw new Error(`the baseline run did not open both episodes: ${JSON.stringify(report)}`);
    }
  }, 60_000);
  afterAll(async () => {
    await receiver?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  function config(stateDir: string) {
    return {
      sinks: {
        dir: path.join(stateDir, '..', `out-${path.basename(stateDir)}`),
        webhooks: [
          { name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server', maxAttempts: 1 },
        ],
      },
      state: { dir: stateDir },
    };
  }

  return async function run(
    extra: Partial<GatewayInput>,
    options: { arm?: Record<string, unknown>; gatewayTimeoutInMs?: number } = {},
  ): Promise<FaultRun> {
    const stateDir = path.join(tmp, `state-${++n}`);
    await cp(baseline(), stateDir, { recursive: true });
    const from = receiver.requests.length;
    const { report } = await notifyRun({
      scenario: {
        gateways: [
          gateway('gw-faulty', [healthy('10.0.0.4')], extra),
          gateway('gw-other', [healthy('10.0.1.4')], {}, 'rg-test', OTHER_SUB),
        ],
      },
      targets: TARGETS,
      config: {
        ...config(stateDir),
        ...(options.gatewayTimeoutInMs ? { gatewayTimeoutInMs: options.gatewayTimeoutInMs } : {}),
      },
      ...(options.arm ? { arm: options.arm } : {}),
    });
    const notices = receiver.requests.slice(from).map((r) => {
      const body = JSON.parse(r.body) as {
        id: string;
        type: string;
        gateway: { id: string };
        server: { address: string };
        reason?: string;
      };
      return {
        id: body.id,
        type: body.type,
        gateway: body.gateway.id,
        address: body.server.address,
        ...(body.reason ? { reason: body.reason } : {}),
      };
    });
    const faultyState = JSON.parse(
      await readFile(path.join(stateDir, SUB, 'rg-test', 'gw-faulty.json'), 'utf8'),
    ) as FaultRun['faultyState'];
    return { report, notices, faultyState };
  };
}

/** The faulty gateway's episode is still open: its server record kept, and no notice about it. */
export function expectEpisodeUntouched(run: FaultRun): void {
  expect(run.notices.filter((n) => n.gateway === FAULTY)).toEqual([]);
  expect(Object.values(run.faultyState.servers)).toEqual([
    expect.objectContaining({ address: '10.0.0.4', notified: expect.anything() }),
  ]);
}

/** The faulty gateway was read after all: its server recovered, with one notice. */
export function expectRecovered(run: FaultRun, id = FAULTY, address = '10.0.0.4'): void {
  expect(run.report.gateways.find((g) => g.id === id)).toMatchObject({ ok: true, error: null });
  expect(run.notices.filter((n) => n.gateway === id)).toEqual([
    expect.objectContaining({ type: 'recovered', address, reason: 'healthy again' }),
  ]);
}
