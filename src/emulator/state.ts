/**
 * What the emulator remembers while it runs a scenario: the scenario's gateways indexed by ARM id, how many
 * of each injected fault are left, the long-running operations started by backendhealth POSTs, and
 * Resource Graph's quota window. (ARM's request buckets, and the clock, belong to the running emulator:
 * `limiter`.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type GatewayIdParts, key, parseGatewayId } from './arm-id';
import { type Clock, QueryQuota, type SubscriptionLimiter } from './limits';
import type {
  BodyFault,
  ConnectionFault,
  FaultTarget,
  Scenario,
  ScenarioFault,
  ScenarioGateway,
  StatusFault,
  TextFault,
} from './scenario';

export interface GatewayEntry {
  readonly gateway: ScenarioGateway;
  readonly parts: GatewayIdParts;
}

export interface Operation {
  readonly id: string;
  readonly entry: GatewayEntry;
  /** Keep the caller's api-version in the URLs we hand out, as ARM does. */
  readonly apiVersion: string;
  /** `$expand=backendhealth/applicationgatewayresource` was asked for: fill in pool/settings names. */
  readonly expand: boolean;
  /** Polls answered so far, counted per URL kind (faulted polls do not count). */
  statusPolls: number;
  resultPolls: number;
  /** When the POST started it (the emulator's clock, ms): `lro.runsForMs` counts from here. */
  readonly startedAtMs: number;
  /** An on-demand probe's operation: the pool and settings it probed (its result is routes/on-demand.ts's). */
  readonly onDemand?: { readonly poolId: string; readonly settingsId: string };
}

const isStatus = (f: ScenarioFault): f is StatusFault => 'status' in f && f.status !== undefined;
const isBody = (f: ScenarioFault): f is BodyFault => 'body' in f && f.body !== undefined;
const isConnection = (f: ScenarioFault): f is ConnectionFault =>
  'connection' in f && f.connection !== undefined;
const isText = (f: ScenarioFault): f is TextFault => 'text' in f && f.text !== undefined;

/**
 * The gateways of one list scope (a subscription, or one of its resource groups), worked out once per
 * scenario so a list page costs its own gateways, not the scenario's: 20 000 gateways in one
 * subscription are 400 pages, and scanning every gateway for each page took seconds.
 */
export interface ListScope {
  /** In scenario order. */
  readonly entries: readonly GatewayEntry[];
  /** The largest `delayMs` among them (the slowest gateway sets a list's pace). */
  readonly delayMs: number;
  /** Those with a `"list"` fault, in scenario order: the only ones a page must check. */
  readonly withListFaults: readonly GatewayEntry[];
}

const EMPTY_SCOPE: ListScope = { entries: [], delayMs: 0, withListFaults: [] };

export class EmulatorState {
  readonly entries: readonly GatewayEntry[];
  readonly operations = new Map<string, Operation>();
  private readonly byId = new Map<string, GatewayEntry>();
  /** List scopes by `key(subscription)` and `key(subscription)/key(resource group)`. */
  private readonly scopes = new Map<string, ListScope>();
  private readonly faultsLeft = new Map<ScenarioFault, number>();
  private readonly closing = new AbortController();

  /** What `lro.runsForMs` and the Resource Graph quota's window are measured by: the emulator's clock. */
  readonly clock: Clock;
  /** Resource Graph's query quota (routes/resource-graph.ts): a scenario served next starts a new window. */
  readonly graphQuota: QueryQuota;

  /**
   * `limiter` holds ARM's request buckets and the emulator's clock; it outlives this state (the running
   * emulator owns it), so a scenario served next draws on the same buckets.
   */
  constructor(
    readonly scenario: Scenario,
    readonly limiter: SubscriptionLimiter,
    /**
     * Every subscription and resource group (scopeKey) a scenario this emulator served held a gateway
     * in: they still exist when a scenario served next holds none there (its gateways deleted), as in
     * Azure. Owned by the running emulator, shared by the states it serves; absent: this scenario's only.
     */
    private readonly known: Set<string> = new Set(),
  ) {
    this.clock = limiter.clock;
    this.graphQuota = new QueryQuota(scenario.resourceGraph, this.clock);
    this.entries = scenario.gateways.map((gateway) => {
      const parts = parseGatewayId(gateway.id);
      if (!parts) throw new Error(`not a gateway id: ${gateway.id}`); // parseScenario already rejected these
      return { gateway, parts };
    });
    const scopes = new Map<string, GatewayEntry[]>();
    const add = (scope: string, e: GatewayEntry) => {
      const list = scopes.get(scope);
      if (list) list.push(e);
      else scopes.set(scope, [e]);
    };
    for (const e of this.entries) {
      this.byId.set(key(e.gateway.id), e);
      for (const f of e.gateway.faults) this.faultsLeft.set(f, f.times);
      add(scopeKey(e.parts.subscriptionId), e);
      add(scopeKey(e.parts.subscriptionId, e.parts.resourceGroup), e);
      known.add(scopeKey(e.parts.subscriptionId));
      known.add(scopeKey(e.parts.subscriptionId, e.parts.resourceGroup));
    }
    for (const [scope, entries] of scopes) {
      this.scopes.set(scope, {
        entries,
        delayMs: entries.reduce((most, e) => Math.max(most, e.gateway.delayMs), 0),
        withListFaults: entries.filter((e) => e.gateway.faults.some((f) => f.on === 'list')),
      });
    }
  }

  find(subscriptionId: string, resourceGroup: string, name: string): GatewayEntry | undefined {
    const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/applicationGateways/${name}`;
    return this.byId.get(key(id));
  }

  /**
   * Whether the subscription (or its resource group) exists: a scenario this emulator served held a
   * gateway there. ARM answers SubscriptionNotFound or ResourceGroupNotFound for a scope that does not,
   * and ResourceNotFound (a deletion) only for a gateway missing from one that does: an emulator asked of
   * another scenario's gateway answered ResourceNotFound, and a run sent a false `recovered` (a break trial).
   */
  scopeExists(subscriptionId: string, resourceGroup?: string): boolean {
    return this.known.has(scopeKey(subscriptionId, resourceGroup));
  }

  /** Gateways in a subscription, or in one of its resource groups, in scenario order. */
  inScope(subscriptionId: string, resourceGroup?: string): readonly GatewayEntry[] {
    return this.listScope(subscriptionId, resourceGroup).entries;
  }

  /** A subscription's, or one of its resource groups', list scope (compared case-insensitively); empty when it holds no gateway. */
  listScope(subscriptionId: string, resourceGroup?: string): ListScope {
    return this.scopes.get(scopeKey(subscriptionId, resourceGroup)) ?? EMPTY_SCOPE;
  }

  /**
   * Consumes one use of the first fault for `on` that answers instead of the route (an error answer,
   * `status`, or no answer, `connection`) and has uses left, if any: such faults are used in order.
   */
  takeFault(
    entry: GatewayEntry,
    on: Exclude<FaultTarget, 'list'>,
  ): StatusFault | ConnectionFault | undefined {
    return this.take(
      entry,
      (f): f is StatusFault | ConnectionFault => f.on === on && (isStatus(f) || isConnection(f)),
    );
  }

  /**
   * Consumes one use of the gateway's first `get` fault with uses left, of any kind: an error answer,
   * no answer, or the text of its 200 answer (a gateway resource ARM never sends).
   */
  takeGetFault(entry: GatewayEntry): StatusFault | ConnectionFault | TextFault | undefined {
    return this.take(
      entry,
      (f): f is StatusFault | ConnectionFault | TextFault =>
        f.on === 'get' && (isStatus(f) || isConnection(f) || isText(f)),
    );
  }

  /**
   * Consumes one use of the first list fault (`on`: an ARM list, or a Resource Graph query; an error
   * answer, no answer, or a page's text) that has uses left and applies to page `page` (1-based; a fault without `page` applies to every page), if any.
   */
  takeListFault(
    entry: GatewayEntry,
    page: number,
    on: 'list' | 'resourceGraph' = 'list',
  ): StatusFault | ConnectionFault | TextFault | undefined {
    return this.take(
      entry,
      (f): f is StatusFault | ConnectionFault | TextFault =>
        f.on === on &&
        (isStatus(f) || isConnection(f) || isText(f)) &&
        (f.page === undefined || f.page === page),
    );
  }

  /** Consumes one use of the first fault of the operation's final 200 answer (`body` or `text`), if any. */
  takeBodyFault(entry: GatewayEntry): BodyFault | TextFault | undefined {
    return this.take(
      entry,
      (f): f is BodyFault | TextFault => f.on === 'backendHealth' && (isBody(f) || isText(f)),
    );
  }

  private take<F extends ScenarioFault>(
    entry: GatewayEntry,
    matches: (f: ScenarioFault) => f is F,
  ): F | undefined {
    for (const f of entry.gateway.faults) {
      const left = this.faultsLeft.get(f) ?? 0;
      if (matches(f) && left > 0) {
        this.faultsLeft.set(f, left - 1);
        return f;
      }
    }
    return undefined;
  }

  /** Waits `ms`; rejects when the emulator closes so a slow scenario never holds up close(). */
  async delay(ms: number): Promise<void> {
    if (ms > 0) await sleep(ms, undefined, { signal: this.closing.signal });
  }

  get isClosing(): boolean {
    return this.closing.signal.aborted;
  }

  close(): void {
    this.closing.abort();
  }
}

/** `sub` or `sub/rg`, lower-cased (ARM compares ids case-insensitively); `/` is in neither name. */
const scopeKey = (subscriptionId: string, resourceGroup?: string): string =>
  resourceGroup === undefined ? key(subscriptionId) : `${key(subscriptionId)}/${key(resourceGroup)}`;
