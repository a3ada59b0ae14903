import { gatewayKey } from '../arm-id';
import { causeFor, STATUS_NOT_STATED_STEP } from '../causes';
import { withoutServerPlaceholders } from '../exact-steps';
import type { Finding } from '../model';
import { isDraining, readHealth } from '../health';
import { decideNotices, type Decision, type NotifyPolicy, type Observation } from './decide';
import { silencedTogether, type SilencedTogether, type SilenceSubject } from './silence';
import { RECOVERED_HEALTH, RECOVERED_REASONS, type Notice } from './notice';
import {
  heldByConfirmation,
  isEpisode,
  noticeServerKey,
  serverKey,
  type ServerRecord,
} from './server-record';

/**
 * Inhibition (Alertmanager's inhibit rules, https://prometheus.io/docs/alerting/latest/configuration/#inhibit_rule:
 * a source alert mutes target alerts with equal labels): when every pool of a gateway is bad (every
 * server it lists is among this run's findings), one gateway-level notice replaces the per-server ones.
 * The gateway-level episode is a pseudo-server of the gateway (GATEWAY_SCOPE's pool, settings and
 * address), so it has what every episode has for free: `notify.for`, reminders, `recoverAfter`,
 * silences (a gateway or resource-group matcher), a stable id and a PagerDuty dedup key, and a
 * `recovered` when the gateway is no longer all bad (reason RECOVERED_REASONS.notEveryPoolBad) or gone.
 * While it is open, the per-server `degraded` and `still-degraded` of that gateway are held: their
 * records keep counting, but `notified` stays as it was, so when the gateway episode ends
 * - a server still bad that was never told gets its `degraded` then (nothing lost);
 * - a server told before the gateway went all bad gets its reminders and its `recovered` as always
 *   (its `recovered` is never held: it closes what receivers opened);
 * - a server that recovers while its `degraded` was held ends silently (no false `recovered`).
 * Pure.
 */

/** The pool, settings and address of a gateway-level notice (and of its record in the notify state). */
export const GATEWAY_SCOPE = {
  backendPool: '(every pool)',
  backendSettings: '(every setting)',
  address: '(every server)',
} as const;

/**
 * Fewest servers a gateway lists for its all-bad state to be one gateway-level notice: a gateway with
 * one server has nothing to replace, and its server's own notice says more (its address, its insight).
 */
export const MIN_SERVERS_TO_INHIBIT = 2;

/** decideNotices, with inhibition when `policy.inhibit` (`notify.inhibit`, default true in config). */
export function decideWithInhibition(
  previous: Readonly<Record<string, ServerRecord>>,
  observation: Observation,
  policy: NotifyPolicy,
): Decision {
  if (!policy.inhibit) return decideNotices(previous, observation, policy);
  // A server under the mark of a confirmed fix is not counted bad (its reading may be the gateway's lag).
  const incomplete = observation.incomplete ?? new Set<string>();
  const counted = observation.bad.filter(
    (b) => !heldByConfirmation(previous[serverKey(b.finding)], observation.now),
  );
  const pseudo = gatewayFindings({ ...observation, bad: counted }, previous).filter(
    (finding) => !incomplete.has(gatewayKey(finding.gateway.id)),
  );
  // A reading short of pools says nothing of "every pool bad": the gateway-level record stays as it was.
  // Nor does one whose servers are all bad or Draining: no server is serving, so "not every pool bad any
  // more" was false (a break trial: every server Down, then every one Draining, sent a ✅ to PagerDuty).
  const unserved = noServerServing(observation);
  const held = [...incomplete, ...unserved];
  const keptOpen =
    held.length > 0
      ? new Set([
          ...(observation.keptOpen ?? []),
          ...held.map((gateway) => serverKey({ gateway: { id: gateway }, ...GATEWAY_SCOPE })),
        ])
      : observation.keptOpen;
  const silencedTogether = silencedWhole(pseudo, counted, previous, policy, observation.now);
  const decided = decideNotices(
    previous,
    {
      ...observation,
      bad: [...observation.bad, ...pseudo.map((finding) => ({ finding }))],
      ...confirmedGateways(previous, observation),
      ...(keptOpen ? { keptOpen } : {}),
      ...(silencedTogether.size > 0 ? { silencedTogether } : {}),
    },
    policy,
  );
  const servers: Record<string, ServerRecord> = { ...decided.servers };
  // Held because nothing serves: a count of healthy runs toward notify.recoverAfter starts over, as
  // after a bad run ("1 of 2 healthy runs" was said of a gateway whose servers had all gone bad or
  // Draining again). A reading short of pools (incomplete) neither counts nor breaks it.
  for (const gateway of unserved) {
    const key = serverKey({ gateway: { id: gateway }, ...GATEWAY_SCOPE });
    const record = servers[key];
    if (record?.goodRuns === undefined) continue;
    const { goodRuns: _broken, ...rest } = record;
    servers[key] = rest;
  }
  // Inhibiting: gateways whose gateway-level episode is open after this run.
  const inhibiting = new Set(
    Object.values(servers)
      .filter((record) => isGatewayScope(record) && isEpisode(record))
      .map((record) => gatewayKey(record.gateway.id)),
  );
  const notices: Notice[] = [];
  for (const notice of decided.notices) {
    if (isGatewayScope({ ...notice, address: notice.server.address })) {
      notices.push(gatewayNotice(notice, gatewayServing(previous, observation, notice)));
      continue;
    }
    const key = noticeServerKey(notice);
    if (notice.type !== 'recovered' && inhibiting.has(gatewayKey(notice.gateway.id))) {
      // Held: as if not decided (the same transition is due again once the gateway episode ends).
      const { notified: _now, ...record } = servers[key] as ServerRecord;
      const before = previous[key]?.notified;
      servers[key] = before ? { ...record, notified: before } : record;
      continue;
    }
    notices.push(notice);
  }
  // A transition a silence holds is held by the gateway-level episode as well: said so on it.
  const silenced = decided.silenced.map((s) =>
    s.outcome === 'held' &&
    s.type !== 'recovered' &&
    inhibiting.has(gatewayKey(s.gateway)) &&
    s.serverKey !== serverKey({ gateway: { id: s.gateway }, ...GATEWAY_SCOPE })
      ? { ...s, inhibited: true as const }
      : s,
  );
  return { ...decided, notices, servers, silenced };
}

/**
 * The gateway-level episodes (serverKey → SilencedTogether) whose every server silences hold, though
 * none matches the episode itself: a silence of the gateway's only pool (`--pool`), or one per pool. A
 * break trial: with `pool-a`, the gateway's one pool, silenced for maintenance, its servers all going
 * down paged "every backend pool down" (a gateway-level subject has no pool to match), and one coming
 * back sent a ✅ while the other was still down under the silence. Held so, the episode's `degraded`
 * waits as a silenced server's does (sent after the silences if the gateway is still all bad), and ends
 * silently if the gateway recovers first. Each server is matched as its own transition would be: its
 * pool, its cause, its severity, its gateway's tags as its record last knew them.
 */
function silencedWhole(
  pseudo: readonly Finding[],
  bad: Observation['bad'],
  previous: Readonly<Record<string, ServerRecord>>,
  policy: NotifyPolicy,
  now: Date,
): Map<string, SilencedTogether> {
  const held = new Map<string, SilencedTogether>();
  const silences = policy.silences ?? [];
  if (silences.length === 0) return held;
  for (const gatewayFinding of pseudo) {
    const key = gatewayKey(gatewayFinding.gateway.id);
    const subjects = bad
      .filter(({ finding }) => gatewayKey(finding.gateway.id) === key)
      .map(({ finding }): SilenceSubject => {
        const known = previous[serverKey(finding)]?.gateway;
        return {
          gateway:
            finding.gateway.tags === undefined && known?.tags
              ? { ...finding.gateway, tags: known.tags }
              : finding.gateway,
          backendPool: finding.backendPool,
          causeId: finding.cause.id,
          severity: finding.severity,
        };
      });
    const together = silencedTogether(silences, subjects, now);
    if (together) held.set(serverKey(gatewayFinding), together);
  }
  return held;
}

/**
 * A server of a gateway confirmed healthy (recheck) means the gateway is not all bad: its open
 * gateway-level episode ends with it (reason notEveryPoolBad, gatewayNotice), and gets the mark too, so the
 * next lagging reading does not reopen it. Observation.confirmedHealthy with those gateway-level keys added.
 */
function confirmedGateways(
  previous: Readonly<Record<string, ServerRecord>>,
  observation: Observation,
): Pick<Observation, 'confirmedHealthy'> {
  const confirmed = observation.confirmedHealthy;
  if (!confirmed || confirmed.size === 0) return {};
  const all = new Map(confirmed);
  for (const server of confirmed.values()) {
    const scope = { gateway: server.gateway, ...GATEWAY_SCOPE };
    const key = serverKey(scope);
    const open = previous[key];
    if (!open || !isEpisode(open) || all.has(key)) continue;
    all.set(key, { ...server, ...GATEWAY_SCOPE, gateway: open.gateway });
  }
  return { confirmedHealthy: all };
}

/** Whether a record (or notice, with its address) is a gateway-level one. */
export function isGatewayScope(parts: {
  readonly backendPool: string;
  readonly backendSettings: string;
  readonly address: string;
}): boolean {
  return (
    parts.backendPool === GATEWAY_SCOPE.backendPool &&
    parts.backendSettings === GATEWAY_SCOPE.backendSettings &&
    parts.address === GATEWAY_SCOPE.address
  );
}

/** The gateway-level notice: `scope: "gateway"`; a `recovered` because the gateway is not all bad says so. */
function gatewayNotice(notice: Notice, serving: GatewayServing): Notice {
  if (notice.type === 'recovered' && notice.reason === RECOVERED_REASONS.notListed && serving !== 'some') {
    // Read, and no server listed, or none healthy (the others bad or in states not reported: Unknown
    // left out of unhealthyStates): "not every pool bad any more" was false of it (break trials).
    const emptied = serving === 'none listed';
    return {
      ...notice,
      scope: 'gateway',
      reason: emptied ? RECOVERED_REASONS.noServerListed : RECOVERED_REASONS.notReported,
      server: {
        ...notice.server,
        health: emptied ? RECOVERED_HEALTH.noServerListed : RECOVERED_HEALTH.noServerHealthy,
      },
    };
  }
  const reason =
    notice.reason === RECOVERED_REASONS.notListed || notice.reason === RECOVERED_REASONS.confirmedOnDemand
      ? RECOVERED_REASONS.notEveryPoolBad
      : notice.reason;
  if (reason !== RECOVERED_REASONS.notEveryPoolBad)
    return { ...notice, scope: 'gateway', ...(reason ? { reason } : {}) };
  // The pseudo-server is never listed: its recovered's health says why it ended, never the old (bad)
  // health of the episode, which would read as still unhealthy (that is `server.was`).
  return {
    ...notice,
    scope: 'gateway',
    reason,
    server: { ...notice.server, health: RECOVERED_HEALTH.notEveryPoolBad },
  };
}

/**
 * Whether `notice`'s gateway has a server serving as this run read it: `some` (one healthy, or under a
 * recheck's mark of a confirmed fix, or the gateway not read), `none healthy` (those listed bad or in
 * states not reported), `none listed`.
 */
type GatewayServing = 'some' | 'none healthy' | 'none listed';

function gatewayServing(
  previous: Readonly<Record<string, ServerRecord>>,
  observation: Observation,
  notice: Notice,
): GatewayServing {
  const listed = observation.evaluated.get(gatewayKey(notice.gateway.id));
  if (listed === undefined) return 'some';
  if (listed.size === 0) return 'none listed';
  const serving = [...listed].some(
    ([server, health]) =>
      readHealth(health) === 'healthy' ||
      heldByConfirmation(previous[server], observation.now) ||
      observation.confirmedHealthy?.has(server) === true,
  );
  return serving ? 'some' : 'none healthy';
}

/**
 * One pseudo-finding per evaluated gateway that lists at least MIN_SERVERS_TO_INHIBIT servers, every one
 * among this run's findings:
 * its health and cause the most common of its servers', its probe log a one-line summary.
 */
/**
 * Gateways (gatewayKey) this run read that list servers, every one bad (a finding) or Draining: none is
 * serving. Their gateway-level episode, when open, is kept as it is: "not every pool bad any more" was
 * false of every server Draining, and of one server left of two, still Down (break trials). A gateway
 * that lists no server is not held (a pool emptied on purpose would hold it for good).
 */
function noServerServing(observation: Observation): string[] {
  const bad = new Set(observation.bad.map(({ finding }) => serverKey(finding)));
  const held: string[] = [];
  for (const [gateway, listed] of observation.evaluated) {
    const serving = [...listed].some(([server, health]) => !bad.has(server) && !isDraining(health));
    if (listed.size > 0 && !serving) held.push(gateway);
  }
  return held;
}

function gatewayFindings(
  observation: Observation,
  previous: Readonly<Record<string, ServerRecord>>,
): Finding[] {
  const byGateway = new Map<string, Finding[]>();
  for (const { finding } of observation.bad) {
    const key = gatewayKey(finding.gateway.id);
    byGateway.set(key, [...(byGateway.get(key) ?? []), finding]);
  }
  const found: Finding[] = [];
  for (const [key, findings] of byGateway) {
    const listed = observation.evaluated.get(key);
    const first = findings[0];
    // Rows are at least servers: fewer rows than that is fewer servers.
    if (!listed || listed.size < MIN_SERVERS_TO_INHIBIT || !first) continue;
    const bad = new Set(findings.map((f) => serverKey(f)));
    if (![...listed.keys()].every((server) => bad.has(server))) continue;
    // Servers, not rows: one machine under two backend settings is one server (a break trial: "All 1
    // server in 1 backend pool are not healthy"). Every one listed is bad here: they are the findings'.
    const servers = new Set(findings.map((f) => f.address.toLowerCase())).size;
    if (servers < MIN_SERVERS_TO_INHIBIT) continue;
    // One cause for many servers: its steps that need one server's values are left out. Its servers
    // may say it differently (status-code-mismatch: 401 and 502): then the cause in general, not one
    // server's answer (a new-user trial: "HTTP 502 (backend error)" and the 502's steps, of 1 server in 6).
    // A tie keeps the cause the open episode has: servers coming and going flipped it, and each flip
    // sent a `degraded` again as a changed cause (a break trial).
    const open = previous[serverKey({ gateway: first.gateway, ...GATEWAY_SCOPE })];
    const { cause: common, servers: commonServers } = mostCommonCause(findings, open?.cause.id);
    const ofCommon = findings.filter((f) => f.cause.id === common.id);
    const cause = withoutServerPlaceholders(
      ofCommon.every((f) => f.cause.title === common.title) ? common : generalCause(ofCommon),
    );
    const health = mostCommon(
      findings.map((f) => f.health),
      (h) => h,
    );
    const pools = new Set(findings.map((f) => f.backendPool.toLowerCase())).size;
    found.push({
      gateway: first.gateway,
      ...GATEWAY_SCOPE,
      health,
      state: findings.find((f) => f.health === health)?.state ?? first.state,
      // How many servers it is the cause of: "most common" of six servers with six causes is one in six.
      probeLog: `All ${servers} server${servers === 1 ? '' : 's'} in ${pools} backend pool${pools === 1 ? '' : 's'} are not healthy. Most common cause (${commonServers} of ${servers} server${servers === 1 ? '' : 's'}): ${cause.title}`,
      cause,
      // The gravest of its servers': every server bad is every pool down, unless all are Unknown/Draining.
      severity: findings.some((f) => f.severity === 'critical') ? 'critical' : 'warning',
    });
  }
  return found;
}

/**
 * The cause of the most servers among `findings` (distinct addresses: one machine under two settings or
 * in two pools is one, a break trial's counted three times against two), and how many servers it is
 * the cause of. A tie goes to `current` (the open episode's cause) when it is among them, else to the
 * first met.
 */
function mostCommonCause(
  findings: readonly Finding[],
  current?: string,
): { readonly cause: Finding['cause']; readonly servers: number } {
  const servers = new Map<string, Set<string>>();
  for (const f of findings) {
    const of = servers.get(f.cause.id) ?? new Set<string>();
    of.add(f.address.toLowerCase());
    servers.set(f.cause.id, of);
  }
  let best = findings.find((f) => f.cause.id === current) ?? (findings[0] as Finding);
  for (const f of findings)
    if ((servers.get(f.cause.id)?.size ?? 0) > (servers.get(best.cause.id)?.size ?? 0)) best = f;
  return { cause: best.cause, servers: servers.get(best.cause.id)?.size ?? 0 };
}

/**
 * One cause its servers say differently (status-code-mismatch: 401 and 502), in general: the
 * catalogue's, its first step naming what each said rather than "the message doesn't say which status"
 * (a break trial: every message had said it).
 */
function generalCause(findings: readonly Finding[]): Finding['cause'] {
  const general = causeFor((findings[0] as Finding).cause.id);
  const statuses = [
    ...new Set(
      findings.flatMap((f) => (f.cause.receivedStatus !== undefined ? [f.cause.receivedStatus] : [])),
    ),
  ].sort((a, b) => a - b);
  if (statuses.length === 0) return general;
  // Some may not have said theirs (a break trial: "answered with HTTP 401" of two, one naming none).
  const unstated = new Set(
    findings.filter((f) => f.cause.receivedStatus === undefined).map((f) => f.address.toLowerCase()),
  ).size;
  const said =
    `Its servers answered the probe with HTTP ${statuses.join(', ')}` +
    (unstated > 0 ? `, and ${unstated} did not say which status` : '') +
    ": each server's own insight has the steps for its status.";
  return { ...general, steps: [said, ...general.steps.filter((step) => step !== STATUS_NOT_STATED_STEP)] };
}

function mostCommon<T>(values: readonly T[], key: (value: T) => string): T {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(key(value), (counts.get(key(value)) ?? 0) + 1);
  let best = values[0] as T;
  for (const value of values) if ((counts.get(key(value)) ?? 0) > (counts.get(key(best)) ?? 0)) best = value;
  return best;
}
