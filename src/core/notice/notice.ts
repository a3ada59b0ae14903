import type { Cause } from '../causes';

/**
 * A notice: what operators are told about one backend server. Field names are a contract (webhook
 * consumers read them): add, never rename. `id` is stable, so a re-sent notice is recognisable.
 */
export type NoticeType = 'degraded' | 'still-degraded' | 'recovered';

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
  };
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly server: {
    readonly address: string;
    /** As the gateway reported it ("Unhealthy", "Down", …); for `recovered`, the current value if listed. */
    readonly health: string;
    readonly probeLog: string;
  };
  /** Why, and what to do (for `recovered`: the cause of the episode that ended). */
  readonly cause: Cause;
  /** `recovered` only: "healthy again", or why the server is gone (e.g. removed from the pool). */
  readonly reason?: string;
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
