import { gatewayKey, type Target } from '../core/arm-id';
import { gatewayKeys, type GatewayKeys } from '../core/gateway-keys';
import type { GatewayRef } from '../core/model';
import { toError } from '../errors';
import type { GatewayDirectory, ListOptions, TargetListing } from '../ports';
import { mapBounded } from '../core/bounded';
import type { Logger } from './logger';
import type { TargetReport } from '../core/run-report';
import { reportedError } from '../core/reported-error';
import { withTimeout } from './timeout';
import { lastFailedAttempt, ownQuotaWaits, targetListTimedOut, type ThrottleMemory } from './timed-out';

export interface ExpandedTargets {
  readonly targets: TargetReport[];
  /** Each gateway once, though two targets may name it (its id and its resource group). */
  readonly gateways: GatewayRef[];
  /**
   * A gateway is gone when a successful listing shows its scope whole (TargetListing.shownScopes) and
   * no listing found it: one that the discovery filter left out is present, not gone.
   */
  readonly isGone: (gateway: GatewayRef) => boolean;
}

const NOTHING_LISTED: TargetListing = { gateways: [], present: [], shownScopes: [] };

export async function expandTargets(
  directory: GatewayDirectory,
  targets: readonly Target[],
  options: {
    timeoutInMs: number;
    logger: Logger;
    /** The run's interruption: a listing it cuts short is a target not listed (`RunInterrupted`). */
    stop?: AbortSignal;
    /** The run's pacer: a listing that ran out of time while its subscription was throttled says so. */
    pacer?: ThrottleMemory;
    /**
     * Given each list page's configurations as it is read (ListOptions.keepConfigurations): none is
     * held here. Must not throw (a throw would fail the target's listing). Absent: not asked for.
     */
    keepConfigurations?: ListOptions['keepConfigurations'];
    /**
     * Given each target's gateways as soon as its listing ends (in the order the listings end), less
     * those a target given before had: each gateway once. A run starts them there and then, so a target
     * whose listing hangs until its time-out holds back no other's. Must not throw. Absent: not told.
     */
    onListed?: (gateways: readonly GatewayRef[]) => void;
    /**
     * Where the keys of the gateways given to the run are kept (each once), so the run can take each
     * gateway's key from there (GatewayKeys.keyOf). Absent: kept here alone.
     */
    keys?: GatewayKeys;
  },
): Promise<ExpandedTargets> {
  // Each gateway's key once (a gateway id's, about 150 characters): handed on, then `isGone`'s.
  const given = options.keys ?? gatewayKeys();
  /** Whether `gateway` is new to the run; a target given before had the others. */
  const isNew = (gateway: GatewayRef): boolean => {
    const key = gatewayKey(gateway.id);
    if (given.has(key)) return false;
    given.add(key);
    return true;
  };
  // Every target listed at once: each listing's pages are paced by its subscription's reads bucket
  // (the pacer), so a bound saved nothing, and let listings that hang until their time-out hold back
  // the rest (a break trial: `concurrency: 1`, one hung resource group, the others 5 min late).
  const expanded = await mapBounded(targets, Math.max(1, targets.length), async (target) => {
    try {
      const keepConfigurations = options.keepConfigurations;
      const failed = lastFailedAttempt();
      const quota = ownQuotaWaits();
      const found = await withTimeout(
        options.timeoutInMs,
        (abortSignal) =>
          directory.listGateways(target, {
            abortSignal,
            onFailedAttempt: failed.tell,
            onQuotaWait: quota.tell,
            onTryOut: quota.tryOut,
            ...(keepConfigurations ? { keepConfigurations } : {}),
          }),
        (ms) => targetListTimedOut(target, ms, options.pacer, quota.waited(), failed.last()),
        options.stop,
      );
      const leftOut = found.present.length - found.gateways.length;
      // A listing that yields nothing to check is no failure, but never silent: a filter that matches
      // nothing (a tag's value misspelt) or an empty scope looks like "all healthy" otherwise.
      if (found.gateways.length === 0) options.logger.warn(nothingToCheck(target, leftOut));
      const fresh = found.gateways.filter(isNew);
      options.onListed?.(fresh);
      return {
        target,
        ok: true,
        report: {
          id: target.id,
          ok: true,
          error: null,
          gateways: found.gateways.length,
          ...(leftOut > 0 ? { leftOut } : {}),
        },
        found,
      };
    } catch (error) {
      const reported = reportedError(toError(error));
      options.logger.warn(`${target.id}: ${reported.message}`);
      return {
        target,
        ok: false,
        report: { id: target.id, ok: false, error: reported, gateways: 0 },
        found: NOTHING_LISTED,
      };
    }
  });
  const unique = new Map<string, GatewayRef>();
  for (const gateway of expanded.flatMap((e) => e.found.gateways)) {
    if (!unique.has(gatewayKey(gateway.id))) unique.set(gatewayKey(gateway.id), gateway);
  }
  // Every gateway to evaluate is present too (TargetListing): `isGone` keeps this set, not `unique`
  // and its gateways (held for the whole run: a few hundred bytes per gateway at 20 000). The keys
  // `given` holds already (each gateway of a listing that ended well), not another copy of each: a
  // heap snapshot of a run of 20 000 gateways held five copies of every id, 16.7 MiB (issue 14).
  const present = given;
  for (const e of expanded) for (const g of e.found.present) present.add(gatewayKey(g.id));
  // Scopes shown whole, as `<subscription>` and `<subscription>/<resource group>` (lower case): one
  // look-up per gateway asked about, however many scopes a management group's discovery shows.
  const shown = new Set(
    expanded
      .flatMap((e) => e.found.shownScopes)
      .map((scope) => scopeKey(scope.subscriptionId, scope.resourceGroup)),
  );
  const isGone = (gateway: GatewayRef) =>
    !present.has(gatewayKey(gateway.id)) &&
    (shown.has(scopeKey(gateway.subscriptionId)) ||
      shown.has(scopeKey(gateway.subscriptionId, gateway.resourceGroup)));
  return { targets: expanded.map((e) => e.report), gateways: [...unique.values()], isGone };
}

/** The warning for a target listed whole with no gateway to check, saying why and what to look at. */
export function nothingToCheck(target: Target, leftOut: number): string {
  return leftOut > 0
    ? `${target.id}: the discovery filter left out ${leftOut === 1 ? 'the 1 gateway' : `all ${leftOut} gateways`} found there, so none is checked; ` +
        'check discovery.tags, discovery.names and discovery.locations (APPGW_DISCOVERY_*)'
    : `${target.id}: no Application Gateway found there, so none is checked; check the target (targets, ` +
        'APPGW_TARGETS) and that the identity can read it (Reader)';
}

function scopeKey(subscriptionId: string, resourceGroup?: string): string {
  return (resourceGroup === undefined ? subscriptionId : `${subscriptionId}/${resourceGroup}`).toLowerCase();
}
