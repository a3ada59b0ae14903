import type { Cause } from '../causes';
import type { Severity } from './severity';

/**
 * A notice: what operators are told about one backend server. Field names are a contract (webhook
 * consumers read them): add, never rename. `id` is stable, so a re-sent notice is recognisable.
 */
export type NoticeType = 'degraded' | 'still-degraded' | 'recovered';

/**
 * Why a `recovered` notice was sent: every reason decideNotices (decide.ts) gives, and nothing else.
 * The JSON event's schema lists the same values (src/adapters/webhooks/json/event-v1.schema.json,
 * `properties.reason.enum`; test/adapters/webhooks/json.test.ts checks that they match). The texts are
 * a contract (webhook consumers may match them): add a reason, never reword one.
 */
export const RECOVERED_REASONS = {
  /** Listed again, and healthy. */
  healthy: 'healthy again',
  /** Its gateway was read, and the server was not in it. */
  notListed: 'no longer listed by the gateway (removed from its backend pool or settings)',
  /** A successful listing of the gateway's subscription or resource group lacked the gateway. */
  gatewayGone: 'the application gateway no longer exists',
  /**
   * Listed again in a state the config does not report (`unhealthyStates`, e.g. Unknown): see
   * `server.health`. Of a gateway-level notice (`scope: "gateway"`): no server of the gateway is healthy,
   * and those not bad are in such states.
   */
  notReported: 'now in a state that is not reported (unhealthyStates)',
  /** `recheck`: ARM's on-demand probe found it healthy (closes the episode at once, whatever `recoverAfter`). */
  confirmedOnDemand: 'confirmed by an on-demand probe',
  /** A gateway-level notice (`scope: "gateway"`): some server of the gateway is not bad any more (inhibit.ts). */
  notEveryPoolBad: 'not every backend pool of the gateway is bad any more',
  /**
   * A gateway-level notice whose gateway, read, lists no backend server at all (every pool emptied, or
   * removed): nothing serves, so "not every pool bad" would be false (a break trial); nor can it be
   * held, or a gateway emptied on purpose would keep it open for good.
   */
  noServerListed: 'the gateway lists no backend server any more',
} as const;

/**
 * `server.health` of a `recovered` whose server has no current reading, by why: written like the
 * gateway-level placeholders (inhibit.ts GATEWAY_SCOPE), so no reader takes them for a health the
 * gateway reported, and none reads as unhealthy. A contract, like RECOVERED_REASONS.
 */
export const RECOVERED_HEALTH = {
  /** Its gateway was read and did not list it. */
  notListed: '(not listed)',
  /** Its gateway no longer exists. */
  gatewayGone: '(gateway gone)',
  /** A gateway-level notice (`scope: "gateway"`): some server of the gateway is not bad any more. */
  notEveryPoolBad: '(not every pool bad)',
  /** A gateway-level notice whose gateway lists no backend server any more. */
  noServerListed: '(no server listed)',
  /**
   * A gateway-level notice whose gateway lists servers, none healthy: the others in states not reported
   * (reason `notReported`).
   */
  noServerHealthy: '(no server healthy)',
} as const;

export type RecoveredReason = (typeof RECOVERED_REASONS)[keyof typeof RECOVERED_REASONS];

const REASONS: ReadonlySet<string> = new Set(Object.values(RECOVERED_REASONS));

/** Whether `value` is one of RECOVERED_REASONS. */
export function isRecoveredReason(value: unknown): value is RecoveredReason {
  return typeof value === 'string' && REASONS.has(value);
}

export interface Notice {
  /** Idempotency key: the same notice re-sent (retry, dead letter, overlapping run) keeps its id. */
  readonly id: string;
  readonly type: NoticeType;
  /** ISO 8601 UTC: when the run that decided this notice observed the server. */
  readonly occurredAt: string;
  /** ISO 8601 UTC: when this episode of bad health was first seen. */
  readonly degradedSince: string;
  readonly gateway: {
    readonly id: string;
    readonly name: string;
    readonly resourceGroup: string;
    readonly subscriptionId: string;
    /**
     * The gateway's ARM tags as last known (GatewayRef.tags), for routing: a receiver's `match` may
     * name tags. No format sends them (each payload names the gateway's fields one by one).
     */
    readonly tags?: Readonly<Record<string, string>>;
  };
  readonly backendPool: string;
  readonly backendSettings: string;
  /**
   * The server now. `degraded`/`still-degraded`: its bad health and the probe's message. `recovered`:
   * its current state, never the failure: `health` as read now ("Healthy", "Draining"), else one of
   * RECOVERED_HEALTH saying why there is no reading (not listed, gateway gone, not every pool bad), `probeLog` the current probe message when one was read
   * (recheck: the on-demand probe's; empty otherwise), and `was` the failure it recovered from.
   */
  readonly server: {
    readonly address: string;
    readonly health: string;
    readonly probeLog: string;
    /**
     * `recovered` only: the failure the episode ended from, as last seen (its health and probe message).
     * Every format shows it labelled as the past ("was: …").
     */
    readonly was?: { readonly health: string; readonly probeLog: string };
  };
  /** Why, and what to do (for `recovered`: the cause of the episode that ended). */
  readonly cause: Cause;
  /**
   * `critical` (no server of its pool is known to be serving: `Unknown` ones do not count) or `warning` (severity.ts). `degraded` and
   * `still-degraded`: as of this run; `recovered`: the episode's, the highest it was told with.
   */
  readonly severity: Severity;
  /**
   * `degraded` only, sent again within its episode because its severity rose (decide.ts): the highest
   * severity the episode was told with before (`warning` when `severity` is `critical`). Every format
   * says so ("critical, raised from warning"), so the new `degraded` does not read as a duplicate.
   * Absent on a first `degraded` and on one for a changed cause at the same severity.
   */
  readonly raisedFrom?: Severity;
  /**
   * `degraded` only, sent again within its episode because its cause changed (decide.ts: the cause
   * told last differs from the one read now): the cause id told before (`status-code-mismatch` when
   * `cause.id` is now `probe-timeout`). Every format says so ("cause changed from …"), so the new
   * `degraded` does not read as a duplicate. Absent on a first `degraded`, and to a receiver that was
   * not told the episode before (receiver-rules.ts: for it this is the first `degraded`).
   */
  readonly causeChangedFrom?: string;
  /** `recovered` only: "healthy again", or why the server is gone (one of RECOVERED_REASONS). */
  readonly reason?: RecoveredReason;
  /**
   * `gateway`: every pool of the gateway is bad, and this one notice stands for all its servers
   * (inhibition, inhibit.ts): pool, settings and address are then `(every pool)`, `(every setting)`,
   * `(every server)`, the probe log a summary, the cause the most common. Absent: one server.
   */
  readonly scope?: 'gateway';
  /**
   * The id of the episode this notice belongs to, when it is not derived from its server (episode.ts):
   * set only on test notices (test-notice.ts, `appgw-test-ep-` + 16 hex digits, unique per test), whose
   * server and time are the same for every test. Absent on every real notice.
   */
  readonly episodeId?: string;
  /** The filled insight (degraded and still-degraded). */
  readonly insight?: {
    readonly title: string;
    /** The article's filled issue description: one paragraph, markdown. */
    readonly summary: string;
    readonly markdown: string;
    /** Relative path of the insight files in the folder/blob sinks, without extension. */
    readonly path: string;
  };
}
