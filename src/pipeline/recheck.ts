import type { ConfigSource } from '../core/follow-up-command';
import { gatewayKey } from '../core/arm-id';
import { confirmationHoldInMs, type ConfirmedServer, type NotifyPolicy } from '../core/notice/decide';
import { isEpisode, type ServerRecord } from '../core/notice/server-record';
import { serverConfiguration } from '../core/finding-configuration';
import type { FindingConfiguration, GatewayRef } from '../core/model';
import { onDemandProbeRequest, type OnDemandServer } from '../core/on-demand-probe';
import { findSettings, pickByName, resolveProbe } from '../core/probe-resolution';
import type { GatewayConfig, HttpSettingsConfig, PoolConfig } from '../core/gateway-config';
import {
  isGatewayNotFoundError,
  isOnDemandProbeRefusedError,
  RecheckGatewayNotFoundError,
  RecheckTargetError,
} from '../errors';
import type { CallOptions, Clock, GatewayConfigReader, OnDemandProber } from '../ports';
import type { Logger } from './logger';
import {
  episodesReported,
  notifyOnChange,
  NOTHING_NOTIFIED,
  type NotifyOutcome,
} from './notify/notify-on-change';
import type { NotifyServices } from './notify/notify-gateways';
import { typedStateStore } from './notify/typed-stores';
import { logNotifyProblems } from './notify/undelivered-summary';
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
  /**
   * A server still bad: the configuration behind its probe, as a finding carries it
   * (finding-configuration.ts), so its cause's steps are the exact ones (exact-steps.ts).
   */
  readonly configuration?: FindingConfiguration;
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
 * Throws RecheckGatewayNotFoundError (ARM has no such gateway: 404 to the configuration GET or the probe,
 * naming the input that named it, `options.inputs`, default the CLI's flags); RecheckTargetError (nothing
 * probed) when the configuration cannot be read, or the request names no pool or setting the gateway has
 * or probes (recheckTarget), or ARM refused the probe's pool or setting (400 InvalidResourceReference:
 * the message names which and lists the gateway's); and what else OnDemandProber throws.
 */
export async function recheck(
  deps: RecheckDependencies,
  gateway: GatewayRef,
  asked: RecheckAsked,
  policy: NotifyPolicy,
  runId: string,
  options: CallOptions & {
    readonly inputs?: RecheckInputs;
    /** Where the configuration came from, for the follow-up commands of the warnings logged. */
    readonly configSource?: ConfigSource;
  } = {},
): Promise<RecheckResult> {
  const inputs = options.inputs ?? CLI_INPUTS;
  const reading = await deps.configReader.getGatewayConfig(gateway, options);
  if (!reading.ok) {
    if (reading.notFound) throw new RecheckGatewayNotFoundError(gateway.id, inputs.gateway, reading.detail);
    throw new RecheckTargetError(gateway.id, `its configuration could not be read (${reading.detail})`);
  }
  const { config } = reading;
  const target = recheckTarget(config, asked, inputs);
  if (typeof target === 'string') throw new RecheckTargetError(gateway.id, target);
  const { pool, settings } = target;
  // By the chosen setting's own id: an HTTP and a TCP/TLS setting may share its name.
  const resolved = resolveProbe(config, gateway, settingsRef(gateway, settings), pool.addresses[0] ?? '');
  if (!resolved.ok) throw new RecheckTargetError(gateway.id, resolved.reason);

  const names = { backendPool: pool.name, backendSettings: settings.name };
  // A server still bad gets the configuration behind its own probe (its address), as a finding does.
  const withConfiguration = <S extends OnDemandServer>(s: S): S & { configuration?: FindingConfiguration } =>
    s.cause
      ? {
          ...s,
          configuration: serverConfiguration(
            config,
            gateway,
            settingsRef(gateway, settings),
            s.address,
            s.cause,
            s.state,
            true,
          ),
        }
      : s;
  const servers = await deps.prober
    .probeOnDemand(gateway, onDemandProbeRequest(gateway, pool.name, resolved.probe), names, options)
    .catch((error: unknown) => {
      throw recheckFailure(error, gateway, config, asked, inputs);
    });
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
  const key = gatewayKey(gateway.id);
  if (!deps.notify || confirmed.size === 0) {
    // Nothing to decide; with a state, what it holds of this pool's episodes is said as a run says it
    // (read only: a state that cannot be read is the next run's to report).
    const store = deps.notify ? typedStateStore(deps.notify.stores.forKey(key)) : undefined;
    const episodes = store
      ? await store
          .read()
          .then((stored) =>
            stored === undefined
              ? {}
              : episodesReported(
                  parseStateDocument(stored.value, store.name),
                  new Set(servers.map((s) => s.key)),
                  policy,
                  deps.clock.now(),
                  new Set(deps.notify?.notifiers.map((n) => n.name)),
                ),
          )
          .catch(() => ({}))
      : {};
    return {
      gateway,
      ...names,
      servers: servers.map((s) => withConfiguration({ ...s, episodeClosed: false })),
      notify: { ...NOTHING_NOTIFIED, ...episodes },
    };
  }
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
      // What it reports of other episodes: this pool's servers only.
      scope: new Set(servers.map((s) => s.key)),
    },
    policy,
    runId,
  );
  // As a run logs them: stderr for the CLI, Application Insights for the HTTP endpoint.
  logNotifyProblems(notify, deps.logger, options.configSource);
  return {
    gateway,
    ...names,
    servers: servers.map((s) =>
      withConfiguration({
        ...s,
        episodeClosed: notify.claimed && confirmed.has(s.key) && isEpisodeRecord(before[s.key]),
      }),
    ),
    notify,
  };
}

function isEpisodeRecord(record: ServerRecord | undefined): boolean {
  return record !== undefined && isEpisode(record);
}

/** The pool and setting a recheck names; `backendSettings` absent when the request left it out. */
export interface RecheckAsked {
  readonly backendPool: string;
  readonly backendSettings?: string;
}

/** How the request named the gateway, the pool and the setting, for messages (the CLI's flags, the HTTP body's fields). */
export interface RecheckInputs {
  readonly gateway: string;
  readonly pool: string;
  readonly settings: string;
}

/** The CLI's: `--gateway`, `--pool`, `--settings`. */
export const CLI_INPUTS: RecheckInputs = { gateway: '--gateway', pool: '--pool', settings: '--settings' };

/** The HTTP endpoint's: the route's gateway, the body's `"pool"` and `"settings"`. */
export const HTTP_INPUTS: RecheckInputs = {
  gateway: "the URL's {subscription}/{resourceGroup}/{name}",
  pool: 'the body\'s "pool"',
  settings: 'the body\'s "settings"',
};

/**
 * The pool and setting of the configuration the request names (case-insensitive, as ARM's names), or
 * what is wrong, naming the input and listing what the gateway has: an unknown pool (its pools), a
 * setting unknown, or left out where the pool's rules pair it with none or several (the settings they
 * pair with the pool, then every setting; with one, a setting left out is that one), a pair
 * no routing rule uses (ARM probes only those: it would answer InvalidResourceReference).
 */
export function recheckTarget(
  config: GatewayConfig,
  asked: RecheckAsked,
  inputs: RecheckInputs = CLI_INPUTS,
): { pool: PoolConfig; settings: HttpSettingsConfig } | string {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const pools = config.pools.filter((p) => same(p.name, asked.backendPool));
  const pool = pickByName(pools, asked.backendPool);
  if (!pool && pools.length > 1)
    return `${inputs.pool}: ${JSON.stringify(asked.backendPool)} matches ${pools.length} backend pools that differ only in case (${namesOf(pools)}): give the name exactly as the gateway spells it`;
  if (!pool)
    return `${inputs.pool}: the gateway has no backend pool ${JSON.stringify(asked.backendPool)} (its pools: ${namesOf(config.pools)})`;
  const paired = pairedSettings(config, pool.name);
  const choices = `the settings its rules pair with pool ${JSON.stringify(pool.name)}: ${paired.length ? paired.map((n) => JSON.stringify(n)).join(', ') : 'none'}; every setting: ${namesOf(config.settings)}`;
  // Left out, the one setting the pool's rules pair it with is the one (a new-user trial: the usage's
  // `[--settings NAME]` read as optional, and was refused with one choice to make).
  // No rule routes to the pool: no setting can be given that ARM would probe it with (a final trial:
  // "--settings is missing", then every setting given refused).
  if (config.pairs && config.pairs.length > 0 && paired.length === 0)
    return `${inputs.pool}: no routing rule of the gateway sends traffic to pool ${JSON.stringify(pool.name)}, and ARM's on-demand probe takes only a pool a rule pairs with a backend setting (pools a rule routes to: ${namesOf(config.pools.filter((p) => config.pairs?.some((r) => same(r.pool, p.name))))})`;
  const one = new Set(paired.map((name) => name.toLowerCase())).size === 1 ? paired[0] : undefined;
  const wanted = asked.backendSettings ?? one;
  if (wanted === undefined)
    return `${inputs.settings} is missing: say which backend setting to probe pool ${JSON.stringify(pool.name)} with (${choices})`;
  // A setting's id (…/backendHttpSettingsCollection/NAME, …/backendSettingsCollection/NAME) says which
  // of an HTTP and a TCP/TLS setting of one name is meant; a name alone may not.
  const byId = wanted.includes('/');
  const found = findSettings(
    config,
    byId ? { name: wanted.split('/').pop() ?? wanted, id: wanted } : { name: wanted },
  );
  if (!found.ok) {
    const candidates = config.settings.filter((s) => same(s.name, wanted.split('/').pop() ?? wanted));
    if (candidates.length > 1)
      return (
        `${inputs.settings}: ${JSON.stringify(wanted)} names ${candidates.length} backend settings (${candidates.map((s) => `${s.layer4 ? 'TCP/TLS' : 'HTTP'} ${JSON.stringify(s.name)}`).join(', ')}): ` +
        `give the setting's id instead, ${gatewayChild('backendHttpSettingsCollection')} for the HTTP one or ${gatewayChild('backendSettingsCollection')} for the TCP/TLS one`
      );
    return `${inputs.settings}: the gateway has no backend setting ${JSON.stringify(wanted)} (${choices})`;
  }
  const settings = found.settings;
  if (config.pairs && config.pairs.length > 0 && !paired.some((n) => same(n, settings.name)))
    return (
      `${inputs.settings}: no routing rule sends pool ${JSON.stringify(pool.name)} to backend setting ` +
      `${JSON.stringify(settings.name)}, and the gateway probes only the pairs its rules use (${choices})`
    );
  return { pool, settings };
}

/** How a setting's id looks, for messages (the gateway's id is long: its place is said, not spelled). */
function gatewayChild(collection: string): string {
  return `<gateway id>/${collection}/<name>`;
}

/** The setting as a finding would name it: its own id, else the id its collection gives it under the gateway. */
function settingsRef(gateway: GatewayRef, settings: HttpSettingsConfig): { name: string; id: string } {
  const collection = settings.layer4 ? 'backendSettingsCollection' : 'backendHttpSettingsCollection';
  return { name: settings.name, id: settings.id ?? `${gateway.id}/${collection}/${settings.name}` };
}

/** The settings names a rule pairs with `pool` (RoutedPair); every setting's when the rules were not read. */
function pairedSettings(config: GatewayConfig, pool: string): string[] {
  if (!config.pairs || config.pairs.length === 0) return config.settings.map((s) => s.name);
  return config.pairs.filter((p) => p.pool.toLowerCase() === pool.toLowerCase()).map((p) => p.settings);
}

/**
 * What the on-demand probe's failure means for the request: ARM's 400 (it refused the pool or setting:
 * InvalidResourceReference names the id) → RecheckTargetError naming the wrong name and listing the
 * gateway's; a 404 → RecheckGatewayNotFoundError naming the input; anything else as it was thrown.
 */
function recheckFailure(
  error: unknown,
  gateway: GatewayRef,
  config: GatewayConfig,
  asked: RecheckAsked,
  inputs: RecheckInputs,
): unknown {
  if (isGatewayNotFoundError(error))
    return new RecheckGatewayNotFoundError(
      gateway.id,
      inputs.gateway,
      'ARM answered 404 to the on-demand probe',
    );
  if (!isOnDemandProbeRefusedError(error)) return error;
  const named =
    /\/(backendAddressPools|backendHttpSettingsCollection|backendSettingsCollection)\/([^/\s'"]+)/i.exec(
      error.armMessage,
    );
  const which = named
    ? named[1]?.toLowerCase() === 'backendaddresspools'
      ? `${inputs.pool} ${JSON.stringify(named[2])}`
      : `${inputs.settings} ${JSON.stringify(named[2])}`
    : `${inputs.pool} ${JSON.stringify(asked.backendPool)} or ${inputs.settings} ${JSON.stringify(asked.backendSettings ?? '')}`;
  return new RecheckTargetError(
    gateway.id,
    `ARM refused the on-demand probe (400${error.armCode ? ` ${error.armCode}` : ''}: ${error.armMessage.replace(/[.\s]+$/, '')}): ` +
      `the wrong name is ${which}. The gateway's pools: ${namesOf(config.pools)}; its settings: ${namesOf(config.settings)}`,
  );
}

function namesOf(entries: ReadonlyArray<{ readonly name: string }>): string {
  return entries.length === 0 ? 'none' : entries.map((e) => JSON.stringify(e.name)).join(', ');
}
