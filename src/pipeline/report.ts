import type { Cause } from '../core/causes';
import type { Finding, GatewayRef } from '../core/model';

/** The run report (`report.json`, `run --json`). Field names are a contract: add, never rename. */
export interface RunReport {
  readonly schemaVersion: 1;
  readonly runId: string;
  /**
   * `direct`: one process evaluated every gateway (CLI). `fan-out`: the timer listed the gateways and
   * queued one message each; this report lists the targets and queued gateways, and each gateway's
   * result is its own report under the run (scope `gateway`).
   */
  readonly mode: 'direct' | 'fan-out' | 'gateway';
  readonly startedAt: string;
  readonly finishedAt: string;
  /** True when every target was expanded and every gateway evaluated. */
  readonly ok: boolean;
  readonly summary: RunSummary;
  readonly targets: readonly TargetReport[];
  readonly gateways: readonly GatewayReport[];
  /** Notify on change: what was decided and what became of each delivery (absent without receivers). */
  readonly notifications?: NotificationsReport;
  /** Fan-out only: the gateways queued for the queue function (their results are reported one by one). */
  readonly queued?: readonly string[];
  /** Sinks that failed to take this run, by name (no secrets). */
  readonly deliveryErrors: readonly ReportedError[];
}

export interface RunSummary {
  readonly gateways: number;
  readonly failedGateways: number;
  readonly servers: number;
  readonly findings: number;
}

export interface ReportedError {
  readonly code: string;
  readonly message: string;
  /** Whether trying again later can help (throttling, time-outs, 5xx), from the error itself. */
  readonly retryable: boolean;
  readonly sink?: string;
}

export interface TargetReport {
  readonly id: string;
  readonly ok: boolean;
  readonly error: ReportedError | null;
  readonly gateways: number;
}

export interface GatewayReport {
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly ok: boolean;
  readonly error: ReportedError | null;
  readonly durationInMs: number;
  /** Servers the gateway listed, healthy or not. */
  readonly servers: number;
  readonly findings: readonly FindingReport[];
}

export interface FindingReport {
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly address: string;
  readonly health: string;
  readonly state: Finding['state'];
  readonly probeLog: string;
  /** Cause id (a contract), title, steps, guide link, and `receivedStatus` for status-code mismatches. */
  readonly cause: Cause;
  /** Paths of the insight files, relative to the sink's root (e.g. the folder sink's dir). */
  readonly insight: { readonly markdown: string; readonly html: string };
}

export function gatewayFields(gateway: GatewayRef) {
  return {
    id: gateway.id,
    name: gateway.name,
    subscriptionId: gateway.subscriptionId,
    resourceGroup: gateway.resourceGroup,
  };
}

export interface NotificationsReport {
  /** Notices decided by this run. */
  readonly decided: number;
  /** False when an overlapping run held the state: this run left the notices to it. */
  readonly claimed: boolean;
  /** Every delivery tried this run, old dead letters first, with each HTTP attempt. */
  readonly deliveries: readonly NoticeDeliveryReport[];
  /** Per receiver: notices still waiting (kept for the next run). */
  readonly pending: Readonly<Record<string, number>>;
}

export interface NoticeDeliveryReport {
  readonly receiver: string;
  readonly noticeId: string;
  readonly type: string;
  /** gateway/pool/settings/address */
  readonly server: string;
  /** `queued`: refused after retries, kept for the next run; `not-tried`: the receiver refused an earlier one. */
  readonly outcome: 'delivered' | 'queued' | 'not-tried';
  readonly attempts: readonly AttemptReport[];
  readonly error?: string;
}

export interface AttemptReport {
  readonly attempt: number;
  readonly status?: number;
  readonly error?: string;
  readonly durationInMs: number;
}

/**
 * Whether the run did everything it had to: every target and gateway evaluated, every sink written,
 * every notice accepted (one left queued for the next run counts as not done). `run` exits 2 otherwise.
 */
export function runSucceeded(report: RunReport): boolean {
  const undelivered = report.notifications?.deliveries.some((d) => d.outcome !== 'delivered') ?? false;
  return (
    report.ok && report.deliveryErrors.length === 0 && !undelivered && report.notifications?.claimed !== false
  );
}
