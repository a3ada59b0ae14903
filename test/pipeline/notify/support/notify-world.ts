import { gatewayKey } from '../../../../src/core/arm-id';
import { causeFor, type CauseId } from '../../../../src/core/causes';
import type { Finding, GatewayRef } from '../../../../src/core/model';
import type { NotifyPolicy, Observation } from '../../../../src/core/notice/decide';
import { serverKey } from '../../../../src/core/notice/server-record';
import type { Logger } from '../../../../src/pipeline/logger';
import {
  notifyOnChange,
  type NotifyDependencies,
  type NotifyOutcome,
} from '../../../../src/pipeline/notify/notify-on-change';
import {
  createReceiverBreakers,
  type ReceiverBreakers,
} from '../../../../src/pipeline/notify/receiver-breaker';
import type { NotifyStateDocument } from '../../../../src/pipeline/notify/state-document';
import type { Notifier } from '../../../../src/ports';
import { finding, gatewayRef } from '../../../helpers/delivery-builder';
import { createMemoryStateStores, type MemoryStateStores } from '../../../helpers/memory-state';
import { fakeClock, recordingLogger, type RecordingLogger } from '../../../helpers/notify-run';

/** Shared by the unit tests of src/pipeline/notify: a gateway, its servers, and one run's observation. */

export const T0 = Date.parse('2030-01-01T00:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const GW = gatewayRef('gw');
export const GW2 = gatewayRef('gw-2');
/** The state document key of `GW` (its ARM id, lower case). */
export const KEY = gatewayKey(GW.id);

export const POLICY: NotifyPolicy = { for: 1, repeatIntervalInMs: 4 * HOUR };

/** A server of `gateway` found bad (pool-a/settings-a), with `cause` (default probe-timeout). */
export function bad(gateway: GatewayRef, address: string, cause?: CauseId): Finding {
  const found = finding(gateway, address);
  return cause ? { ...found, cause: causeFor(cause) } : found;
}

export interface Servers {
  /** Addresses (probe-timeout) or findings of servers found bad. */
  readonly bad?: ReadonlyArray<string | Finding>;
  /** Addresses of servers listed healthy. */
  readonly healthy?: readonly string[];
  /** Addresses listed with another health value (e.g. `Draining`), not reported. */
  readonly other?: Readonly<Record<string, string>>;
}

/** What a run saw of `gateway` at `at` (ms): every server listed, the bad ones as findings. */
export function observe(at: number, gateway: GatewayRef, servers: Servers): Observation {
  const findings = (servers.bad ?? []).map((s) => (typeof s === 'string' ? bad(gateway, s) : s));
  const listed = new Map<string, string>();
  for (const f of findings) listed.set(serverKey(f), f.health);
  for (const address of servers.healthy ?? []) listed.set(serverKey(finding(gateway, address)), 'Healthy');
  for (const [address, health] of Object.entries(servers.other ?? {}))
    listed.set(serverKey(finding(gateway, address)), health);
  return {
    now: new Date(at),
    evaluated: new Map([[gatewayKey(gateway.id), listed]]),
    bad: findings.map((f) => ({ finding: f })),
    isGone: () => false,
  };
}

/** A run that could not read `gateway` (or did not look at it): nothing evaluated. */
export function notEvaluated(at: number, gone = false): Observation {
  return { now: new Date(at), evaluated: new Map(), bad: [], isGone: () => gone };
}

export interface NotifyWorld {
  readonly stores: MemoryStateStores<NotifyStateDocument>;
  readonly clock: ReturnType<typeof fakeClock>;
  readonly logger: RecordingLogger;
  readonly breakers: ReceiverBreakers;
  /** notifyOnChange's dependencies for `key`'s document in run `runId` (the run's own breaker). */
  deps(runId: string, key?: string): NotifyDependencies;
  /** One run of notify on change for `GW` (or `key`), at the clock's time unless the observation says. */
  run(runId: string, observation: Observation, key?: string): Promise<NotifyOutcome>;
  /** The stored document of `key` (default `GW`'s). */
  document(key?: string): NotifyStateDocument | undefined;
}

export interface WorldOptions {
  readonly notifiers: readonly Notifier[];
  readonly outboxLimit?: number;
  readonly policy?: NotifyPolicy;
  readonly logger?: Logger;
}

/** Memory stores, a fake clock at T0, real per-run breakers, the given notifiers. */
export function notifyWorld(options: WorldOptions): NotifyWorld {
  const stores = createMemoryStateStores<NotifyStateDocument>();
  const clock = fakeClock(T0);
  const logger = recordingLogger();
  const breakers = createReceiverBreakers();
  const deps = (runId: string, key = KEY): NotifyDependencies => ({
    store: stores.forKey(key),
    notifiers: options.notifiers,
    logger: options.logger ?? logger,
    clock,
    breaker: breakers.forRun(runId),
    outboxLimit: options.outboxLimit ?? 100,
  });
  return {
    stores,
    clock,
    logger,
    breakers,
    deps,
    run: (runId, observation, key) =>
      notifyOnChange(deps(runId, key), observation, options.policy ?? POLICY, runId),
    document: (key = KEY) => stores.peek(key) as NotifyStateDocument | undefined,
  };
}

/** `[type, address]` of each notice, for compact assertions. */
export function told(notices: ReadonlyArray<{ type: string; server: { address: string } }>): string[][] {
  return notices.map((n) => [n.type, n.server.address]);
}
