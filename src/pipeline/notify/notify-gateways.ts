import { gatewayKey } from '../../core/arm-id';
import type { NotifyPolicy } from '../../core/notice/decide';
import type { GatewayRef } from '../../core/model';
import type { Notifier, StateStores } from '../../ports';
import type { GatewayOutcome } from '../evaluate-gateway';
import type { ExpandedTargets } from '../expand-targets';
import type { Logger } from '../logger';
import { notifyOnChange, type NotifyOutcome } from './notify-stage';
import { readStateDocument, type NotifyStateDocument } from './state-document';

export interface NotifyServices {
  /** One state document per gateway: gateways evaluated in parallel never contend. */
  readonly stores: StateStores<NotifyStateDocument>;
  readonly notifiers: readonly Notifier[];
  readonly logger: Logger;
}

/**
 * Notify on change for one gateway this run looked at. A gateway that could not be evaluated changes
 * no episode, but its undelivered notices are still sent: a failing gateway never strands them.
 */
export function notifyGateway(
  services: NotifyServices,
  outcome: GatewayOutcome,
  gateway: GatewayRef,
  now: Date,
  policy: NotifyPolicy,
  runId: string,
): Promise<NotifyOutcome> {
  const key = gatewayKey(gateway.id);
  return notifyOnChange(
    { store: services.stores.forKey(key), notifiers: services.notifiers, logger: services.logger },
    {
      now,
      evaluated: outcome.listed ? new Map([[key, outcome.listed]]) : new Map(),
      bad: outcome.insights.map((insight) => ({ finding: insight.finding, insight })),
      isGone: () => false,
    },
    policy,
    runId,
  );
}

/**
 * Gateways with notify state that this run did not evaluate: those a successful listing shows to be
 * deleted get `recovered` for their open episodes; the rest only have their outbox sent. Nothing to do
 * without notify services.
 */
export async function notifyUnvisited(
  services: NotifyServices | undefined,
  expanded: Pick<ExpandedTargets, 'gateways' | 'isGone'>,
  now: Date,
  policy: NotifyPolicy,
  runId: string,
): Promise<NotifyOutcome[]> {
  if (!services) return [];
  const visited = new Set(expanded.gateways.map((g) => gatewayKey(g.id)));
  const isGone = expanded.isGone;
  const keys = (await services.stores.listKeys()).filter((key) => !visited.has(key));
  const outcomes: NotifyOutcome[] = [];
  for (const key of keys) {
    const store = services.stores.forKey(key);
    const doc = readStateDocument((await store.read())?.value);
    const gateway = Object.values(doc.servers)[0]?.gateway;
    const gone = gateway !== undefined && isGone(gateway);
    const pending = Object.values(doc.outbox).some((queue) => queue.length > 0);
    if (!gone && !pending) continue;
    outcomes.push(
      await notifyOnChange(
        { store, notifiers: services.notifiers, logger: services.logger },
        { now, evaluated: new Map(), bad: [], isGone: () => gone },
        policy,
        runId,
      ),
    );
  }
  return outcomes;
}

/** Many gateways' outcomes as one, for the run report. */
export function mergeNotifyOutcomes(outcomes: readonly NotifyOutcome[]): NotifyOutcome {
  const pending: Record<string, number> = {};
  for (const outcome of outcomes) {
    for (const [receiver, count] of Object.entries(outcome.pending))
      pending[receiver] = (pending[receiver] ?? 0) + count;
  }
  return {
    decided: outcomes.reduce((n, o) => n + o.decided, 0),
    deliveries: outcomes.flatMap((o) => o.deliveries),
    pending,
    claimed: outcomes.every((o) => o.claimed),
  };
}
