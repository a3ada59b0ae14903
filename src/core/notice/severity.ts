import type { HealthState } from '../model';

/**
 * How bad one reported server is for its gateway's traffic, derived from its pool (issue 16, "Routing
 * and severity"). Put on every finding (evaluate.ts), notice, run report and `notify list`; receivers
 * may route by it (`match[].severity`, receiver-rules.ts).
 */
export const SEVERITIES = ['critical', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Whether `value` is one of SEVERITIES (exact, lower case: the value notices carry). */
export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** `critical` ranks above `warning`. */
export function severityRank(severity: Severity): number {
  return severity === 'critical' ? 2 : 1;
}

/** The higher of two severities. */
export function higherSeverity(a: Severity, b: Severity): Severity {
  return severityRank(b) > severityRank(a) ? b : a;
}

/**
 * States in which a server is known to be taking some of the pool's traffic: `healthy`, and `partial`
 * (some probes pass). `unknown` is not among them: the gateway could not tell (often its probe is
 * blocked while the server serves), so an `Unknown` sibling does not make a down server's pool "may be
 * serving" when every server whose state is known is down (see serverSeverity). `unhealthy`,
 * `draining` (takes no new connections) and `unrecognised` (a value we cannot read is not one we may
 * call serving) are not either.
 */
const KNOWN_SERVING: ReadonlySet<HealthState> = new Set<HealthState>(['healthy', 'partial']);

/**
 * States whose own severity is never `critical`: `unknown` (the rule: the gateway does not know
 * the server is down), `partial` (some probes pass) and `draining` (taken out on purpose, by connection
 * draining: someone is working on it). `healthy` is never reported, and never critical either.
 */
const AT_MOST_WARNING: ReadonlySet<HealthState> = new Set<HealthState>([
  'healthy',
  'unknown',
  'partial',
  'draining',
]);

/**
 * The severity of a reported server in `state`, given the states of every server of its pool as the
 * gateway probes it through the same backend setting (`poolStates`, the server itself included; the
 * backend-health body lists servers per pool and per setting, and a rule's traffic to that pool goes
 * through one setting):
 * - `critical`: the server is down (`unhealthy`, or a value we cannot read) and no server of that pool
 *   is known to be serving (KNOWN_SERVING: `Healthy` or `Partial`). `Unknown` siblings do not save the
 *   pool: when every server whose state is known is down, an on-call expects the page (a pool of
 *   `Unhealthy` + `Unknown` answers with 502s as surely as an all-`Unhealthy` one, as far as anyone can
 *   tell), so a critical-only pager is paged. A server alone in its pool is critical when it is down;
 * - `warning`: some server of the pool is `Healthy` or `Partial`, or the server's own state is
 *   `unknown`, `partial` or `draining` (AT_MOST_WARNING), whatever its pool: a pool of only `Unknown`
 *   servers stays `warning` (no server is known to be down).
 * Pure; `poolStates` empty counts as the server alone.
 */
export function serverSeverity(state: HealthState, poolStates: Iterable<HealthState>): Severity {
  if (AT_MOST_WARNING.has(state)) return 'warning';
  for (const other of poolStates) if (KNOWN_SERVING.has(other)) return 'warning';
  return 'critical';
}
