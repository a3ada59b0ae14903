/**
 * One run's ARM clients share their connections (client.ts: one TLS settings object, so one keep-alive
 * agent in the SDK's HTTP client, and one SecureContext for the configured CA): a TLS handshake is paid
 * per connection, not per request or per subscription. Counted on the emulator's side (its accepted
 * TLS connections), through a whole direct run as `appgw-insights run` makes it; and however many
 * requests are in flight, the run opens at most its cap of connections (ARM_MAX_CONNECTIONS).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createArmClientFactory } from '../../../src/adapters/arm/client';
import { ARM_UNANSWERED_AFTER_IN_MS } from '../../../src/adapters/arm/answering-requests';
import { buildRunServices, withLogger } from '../../../src/app/run-services';
import { parseConfig } from '../../../src/config/load';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../../src/emulator';
import { runChecks } from '../../../src/pipeline/run-checks';
import { emulatorArm } from '../../helpers/emulator-settings';
import { recordingLogger } from '../../helpers/notify-run';
import { OTHER_SUB, SUB, gateway } from '../../helpers/scenario-builder';

const THIRD_SUB = '33333333-3333-3333-3333-333333333333';
const healthy = [
  { address: '10.0.0.4', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
];
const gateways = (sub: string, n: number) =>
  Array.from({ length: n }, (_, i) => gateway(`gw-${i}`, healthy, {}, 'rg-test', sub));

let tmp: string;
const running: RunningEmulator[] = [];
beforeAll(async () => {
  await import('@azure/arm-network'); // loaded once, before any run
  tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-arm-connections-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function runAgainst(scenario: ScenarioInput, targets: string[], concurrency: number) {
  const emulator = await startEmulator({ scenario: scenario as never });
  running.push(emulator);
  const dir = path.join(tmp, `run-${running.length}-${Date.now()}`);
  const config = parseConfig({
    targets,
    arm: emulatorArm(emulator),
    sinks: { dir },
    state: { dir: path.join(dir, 'state') },
    concurrency,
  });
  const services = await buildRunServices(config, process.env);
  const { deps, options } = withLogger(services, recordingLogger());
  const { report } = await runChecks(deps, options);
  return { emulator, report };
}

describe('ARM connections in one run', () => {
  it('30 gateways over 3 subscriptions, 2 at a time: at most 3 TLS connections for 93 requests', async () => {
    const { emulator, report } = await runAgainst(
      { gateways: [...gateways(SUB, 10), ...gateways(OTHER_SUB, 10), ...gateways(THIRD_SUB, 10)] },
      [`/subscriptions/${SUB}`, `/subscriptions/${OTHER_SUB}`, `/subscriptions/${THIRD_SUB}`],
      2,
    );

    expect(report.gateways.filter((g) => g.ok)).toHaveLength(30);
    // 3 list pages, and per gateway a POST and two polls (one `202`, then the body): each on a
    // connection kept alive and shared by the subscriptions' clients. A connection per request would
    // be 93; a connection pool per subscription's client, up to 2 × 3.
    expect(emulator.requests).toHaveLength(93);
    expect(emulator.tlsConnections()).toBeGreaterThan(0);
    expect(emulator.tlsConnections()).toBeLessThanOrEqual(3);
  });
});

describe('the cap on a run’s ARM connections', () => {
  it('12 lists at once over 3 subscriptions, at most 2 connections: 2 TLS handshakes, every list answered', async () => {
    const emulator = await startEmulator({
      scenario: {
        gateways: [...gateways(SUB, 4), ...gateways(OTHER_SUB, 4), ...gateways(THIRD_SUB, 4)],
      } as never,
    });
    running.push(emulator);
    const clientFor = createArmClientFactory({ ...emulatorArm(emulator), maxConnections: 2 });
    const listed = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const client = await clientFor([SUB, OTHER_SUB, THIRD_SUB][i % 3] as string);
        const names: string[] = [];
        for await (const gw of client.applicationGateways.listAll()) names.push(gw.name ?? '');
        return names.length;
      }),
    );

    expect(listed).toEqual(Array.from({ length: 12 }, () => 4));
    // Uncapped, the agent opens one connection per request in flight: 12 here.
    expect(emulator.tlsConnections()).toBeGreaterThan(0);
    expect(emulator.tlsConnections()).toBeLessThanOrEqual(2);
  });
});

// A break trial: more requests that ARM never answered than the run's connections (polls, POSTs and
// GETs together past 128) held every one, and healthy gateways failed at their time-out.
describe('requests that hang hold their place ARM_UNANSWERED_AFTER_IN_MS at most', () => {
  it('2 places and 3 GETs that hang: a list still goes out past them, and is answered', async () => {
    const hung = ['gw-0', 'gw-1', 'gw-2'].map((name) =>
      gateway(name, healthy, { faults: [{ on: 'get', connection: 'hang' }] }, 'rg-test', SUB),
    );
    const emulator = await startEmulator({ scenario: { gateways: hung } as never });
    running.push(emulator);
    const clientFor = createArmClientFactory({ ...emulatorArm(emulator), maxConnections: 2 });
    const client = await clientFor(SUB);
    const stop = new AbortController();
    const gets = hung.map((_, i) =>
      client.applicationGateways.get('rg-test', `gw-${i}`, { abortSignal: stop.signal }).then(
        () => 'answered',
        () => 'aborted',
      ),
    );
    try {
      const names: string[] = [];
      const startedAt = performance.now();
      for await (const gw of client.applicationGateways.listAll()) names.push(gw.name ?? '');
      expect(names.sort()).toEqual(['gw-0', 'gw-1', 'gw-2']);
      // It went once the hung ones had stopped holding their places, not before (the list was last).
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(ARM_UNANSWERED_AFTER_IN_MS - 50);
    } finally {
      stop.abort();
    }
    expect(await Promise.all(gets)).toEqual(['aborted', 'aborted', 'aborted']);
    // Their connections stay open beside the list's: 3 hung, and the list's own.
    expect(emulator.tlsConnections()).toBeLessThanOrEqual(4);
  }, 30_000);
});
