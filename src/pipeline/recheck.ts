import { gatewayKey } from '../core/arm-id';
import { confirmationHoldInMs, type ConfirmedServer, type NotifyPolicy } from '../core/notice/decide';
import { isEpisode, type ServerRecord } from '../core/notice/server-record';
import type { GatewayRef } from '../core/model';
import { onDemandProbeRequest, type OnDemandServer } from '../core/on-demand-probe';
import { resolveProbe } from '../core/probe-resolution';
import { RecheckTargetError } from '../errors';
import type { CallOptions, Clock, GatewayConfigReader, OnDemandProber } from '../ports';
import type { Logger } from './logger';
import { notifyOnChange, NOTHING_NOTIFIED, type NotifyOutcome } from './notify/notify-on-change';
import type { NotifyServices } from './notify/notify-gateways';
import { typedStateStore } from './notify/typed-stores';
import { parseStateDocument } from './notify/state-document';

export interface RecheckDependencies {
  readonly configReader: GatewayConfigReader;
  readonly prober: OnDemandProber;
  /** Absent: no receivers and no state configured (the servers are reported, no episode is kept). */
  readonly notify?: NotifyServices;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** One server of the recheck: as the on-demand probe found it, and whether its open episode ended. */
export interface RecheckedServer extends OnDemandServer {
  /** True when the server was healthy and this recheck ended its open episode (`recovered` decided). */
  readonly episodeClosed: boolean;
}

export interface RecheckResult {
  readonly gateway: GatewayRef;
  /** The pool and setting as the configuration names them. */
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly servers: readonly RecheckedServer[];
  /** What notify did with the servers found healthy (nothing when none was, or no notify is configured). */
  readonly notify: NotifyOutcome;
}

/**
 * `recheck`: ARM's on-demand probe of one pool under one backend setting, with the probe the gateway
 * itself sends (from its configuration: resolveProbe), then the notify pipeline told which servers it
 * found healthy (`confirmedHealthy`): each one's open episode ends at once and `recovered` goes out with
 * the reason "confirmed by an on-demand probe", whatever `notify.recoverAfter` (the person who fixed the
 * backend asked for the confirmation the count of runs waits for). A server still not healthy changes
 * nothing: its probe message and cause are reported. The state document is the gateway's own, written
 * with its etag as a run writes it (notify-on-change.ts), so a run at the same time is not overwritten.
 *
 * Throws RecheckTargetError (nothing probed) when the configuration cannot be read or names no such
 * pool or setting (the message lists the names it has), and what OnDemandProber throws.
 */
export async function recheck(
  deps: RecheckDependencies,
  gateway: GatewayRef,
  asked: { readonly backendPool: string; readonly backendSettings: string },
  policy: NotifyPolicy,
  runId: string,
  options: CallOptions = {},
): Promise<RecheckResult> {
  const reading = await deps.configReader.getGatewayConfig(gateway, options);
  if (!reading.ok)
    throw new RecheckTargetError(gateway.id, `its configuration could not be read (${reading.detail})`);
  const { config } = reading;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const pool = config.pools.find((p) => same(p.name, asked.backendPool));
  const settings = config.settings.find((s) => same(s.name, asked.backendSettings));
  const problems = [
    ...(pool ? [] : [`no backend pool "${asked.backendPool}" (it has: ${namesOf(config.pools)})`]),
    ...(settings
      ? []
      : [`no backend setting "${asked.backendSettings}" (it has: ${namesOf(config.settings)})`]),
  ];
  if (!pool || !settings) throw new RecheckTargetError(gateway.id, problems.join('; '));
  const resolved = resolveProbe(config, gateway, settings.name, pool.addresses[0] ?? '');
  if (!resolved.ok) throw new RecheckTargetError(gateway.id, resolved.reason);

  const names = { backendPool: pool.name, backendSettings: settings.name };
  const servers = await deps.prober.probeOnDemand(
    gateway,
    onDemandProbeRequest(gateway, pool.name, resolved.probe),
    names,
    options,
  );
  // The gateway's own readings may show these servers bad for up to its probe's interval × threshold.
  const holdInMs = confirmationHoldInMs(resolved.probe);
  const confirmed = new Map<string, ConfirmedServer>(
    servers
      .filter((s) => s.state === 'healthy')
      .map((s) => [
        s.key,
        {
          gateway,
          backendPool: s.backendPool,
          backendSettings: s.backendSettings,
          address: s.address,
          health: s.health,
          probeLog: s.probeLog,
          holdInMs,
        },
      ]),
  );
  if (!deps.notify || confirmed.size === 0) {
    return {
      gateway,
      ...names,
      servers: servers.map((s) => ({ ...s, episodeClosed: false })),
      notify: NOTHING_NOTIFIED,
    };
  }
  const key = gatewayKey(gateway.id);
  const store = typedStateStore(deps.notify.stores.forKey(key));
  // Which confirmed servers had an open episode (read first: the decision itself reports only notices,
  // and an episode never told ends silently).
  const before = await store
    .read()
    .then((stored) => parseStateDocument(stored?.value, store.name).servers)
    .catch((): Readonly<Record<string, ServerRecord>> => ({})); // notifyOnChange reads it again and reports what is wrong with it
  const notify = await notifyOnChange(
    {
      store,
      notifiers: deps.notify.notifiers,
      logger: deps.logger,
      clock: deps.clock,
      breaker: deps.notify.breakers.forRun(runId),
      outboxLimit: deps.notify.outboxLimit,
    },
    {
      now: deps.clock.now(),
      evaluated: new Map(),
      bad: [],
      isGone: () => false,
      confirmedHealthy: confirmed,
    },
    policy,
    runId,
  );
  return {
    gateway,
    ...names,
    servers: servers.map((s) => ({
      ...s,
      episodeClosed: notify.claimed && confirmed.has(s.key) && isEpisodeRecord(before[s.key]),
    })),
    notify,
  };
}

function isEpisodeRecord(record: ServerRecord | undefined): boolean {
  return record !== undefined && isEpisode(record);
}

function namesOf(entries: ReadonlyArray<{ readonly name: string }>): string {
  return entries.length === 0 ? 'none' : entries.map((e) => JSON.stringify(e.name)).join(', ');
}
