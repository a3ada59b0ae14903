import type { Notice } from './notice';
import { noticeServerKey, type ServerRecord } from './server-record';
import { higherSeverity, severityRank, type Severity } from './severity';
import { silenceMatches, type SilenceMatchers } from './silence';

/**
 * What one receiver wants to be sent, per its config (`sinks.webhooks[]`). Kept apart from the notice
 * decision (decide.ts), which is per server and shared by every receiver: these rules pick from its
 * notices per receiver, before they join that receiver's outbox (routeNotices).
 */
export interface ReceiverRules {
  /**
   * Whether `recovered` notices are sent to this receiver (Alertmanager's `send_resolved`); default
   * true. False: it gets `degraded` and `still-degraded` only (a pager that closes incidents by hand,
   * a channel that wants no all-clear noise).
   */
  readonly sendResolved: boolean;
  /**
   * Routing (`match`): the notices of the servers this receiver is for. Any rule of the list matching
   * is enough (any-of); absent: every notice (the behaviour before routing). See routeMatches.
   */
  readonly match?: readonly RouteRule[];
}

/**
 * One routing matcher set: the silence matchers (silence.ts: subscription, resource group, gateway and
 * backend pool globs, cause id, tags; the same code matches both) plus the notice's `severity`
 * (severity.ts). Every matcher given must match (all-of), as in a silence and as Alertmanager's
 * `matchers` on a route (https://prometheus.io/docs/alerting/latest/configuration/#route).
 */
export type RouteMatchers = SilenceMatchers;

/**
 * A rule of `match`: its matchers all match, and none of those under `not` does. Each matcher under
 * `not` is negated on its own (`not: {gateway: "test-*", severity: "warning"}` = not a test gateway
 * and not a warning; each tag of `not.tags` too), as Alertmanager's `!=` matchers are: one matcher
 * each, all ANDed (https://prometheus.io/docs/alerting/latest/configuration/#matcher).
 */
export interface RouteRule extends RouteMatchers {
  readonly not?: RouteMatchers;
}

/** The rules of a receiver that says nothing: every notice. */
export const TAKE_EVERY_NOTICE: ReceiverRules = { sendResolved: true };

/** What a route is matched against: one notice (its gateway, pool, cause and severity). */
export type RouteSubject = Pick<Notice, 'gateway' | 'backendPool' | 'cause' | 'severity'>;

/**
 * Whether a receiver with `rules` takes a notice of this type: `recovered` only with `sendResolved`.
 * The type alone: `appgw-insights notify test` asks only this (a test notice ignores `match`, so a
 * receiver is tested whatever it routes).
 */
export function receiverTakes(rules: ReceiverRules, notice: Pick<Notice, 'type'>): boolean {
  return notice.type !== 'recovered' || rules.sendResolved;
}

/** Whether `rules.match` takes `notice`: no `match` takes every notice; otherwise any rule matching. */
export function routeMatches(rules: ReceiverRules, notice: RouteSubject): boolean {
  return rules.match === undefined || rules.match.some((rule) => ruleMatches(rule, notice));
}

/** Whether one rule matches `notice`: every positive matcher, and none of `not` (each alone). */
export function ruleMatches(rule: RouteRule, notice: RouteSubject): boolean {
  const { not, ...positive } = rule;
  // A gateway whose tags were never read (its configuration GET failed): a tag rule takes its notice,
  // and a negated tag rule does not exclude it. Sent to a receiver it may not be for, rather than
  // missed by the one it is for (issue 16's trial: a pager routed by `env: prod` missed a prod
  // incident, and a `not: {tags: {env: prod}}` receiver got it alone).
  if (!matchersMatch(positive, notice, true)) return false;
  return not === undefined || singleMatchers(not).every((one) => !matchersMatch(one, notice, false));
}

function matchersMatch(matchers: RouteMatchers, notice: RouteSubject, unknownTags: boolean): boolean {
  // silenceMatches is all-of over the keys given: the one matcher of silences and routes.
  return silenceMatches(
    matchers,
    {
      gateway: notice.gateway,
      backendPool: notice.backendPool,
      causeId: notice.cause.id,
      severity: notice.severity,
    },
    unknownTags,
  );
}

/** `matchers` as one matcher each (every tag of `tags` its own), so that each can be negated alone. */
function singleMatchers(matchers: RouteMatchers): RouteMatchers[] {
  return Object.entries(matchers).flatMap(([key, value]): RouteMatchers[] => {
    if (value === undefined) return [];
    if (key === 'tags')
      return Object.entries(value as Record<string, string>).map(([tag, v]) => ({ tags: { [tag]: v } }));
    return [{ [key]: value } as RouteMatchers];
  });
}

/** A receiver as routing sees it: its name (the outbox key, `webhook[ops]`) and its rules. */
export interface RoutedReceiver {
  readonly name: string;
  readonly rules?: ReceiverRules;
}

export interface Routing {
  /** Per receiver name, the notices it is sent, in the decision's order (every receiver has an entry). */
  readonly notices: ReadonlyMap<string, readonly Notice[]>;
  /** The decision's server records, each told episode with the receivers its `degraded` went to. */
  readonly servers: Readonly<Record<string, ServerRecord>>;
  /**
   * `recovered` notices of episodes told to receivers not among this run's (`receiver`: the name the
   * episode recorded), in the decision's order: a receiver renamed or removed, or another deployment's
   * sharing the state. Nobody here can tell them the episode ended (a break trial: it ended in silence);
   * the caller reports each as dropped.
   */
  readonly unrouted: ReadonlyArray<{ readonly receiver: string; readonly notice: Notice }>;
}

/**
 * Which receiver gets which of one decision's notices, and the record of it (pure):
 * - `degraded` (the first of an episode, and each one for a changed cause or a raised severity): every
 *   receiver whose `match` takes it (routeMatches). Their names join the episode's
 *   `notified.receivers`, kept in its server record until the episode ends;
 * - `still-degraded`: the receivers of the episode whose `match` still takes it (a reminder never
 *   reaches a receiver that was not told the server went bad);
 * - `recovered`: exactly the episode's receivers (and only those with `sendResolved`), whatever their
 *   `match` says now: a routing change between `degraded` and `recovered` neither sends a `recovered`
 *   to a receiver that got no `degraded` nor loses one (a PagerDuty alert it opened is resolved).
 *   Each receiver's copy carries the highest severity that receiver was sent in the episode
 *   (`notified.receiverSeverities`), not the episode's: a receiver routed `warning` only, or told
 *   before the episode was raised to `critical` and not routed the raise, hears `the episode was
 *   warning`, the severity it knew. Same notice id (the id never depended on the severity). A
 *   `degraded` for a raised severity is likewise a first `degraded` (no `raisedFrom`) to a receiver
 *   not told the episode before (asToldTo).
 * An episode told before routing was recorded (`notified` without `receivers`, from an earlier
 * release) went to every receiver: its notices go to every receiver whose rules take them, as before,
 * and its `recovered` carries the episode's severity, as does the copy for a receiver with no
 * severity recorded (told by a release that recorded receivers but not their severities).
 * `previous` is the records the decision started from (a `recovered` episode is gone from `servers`).
 */
export function routeNotices(
  decision: { readonly notices: readonly Notice[]; readonly servers: Readonly<Record<string, ServerRecord>> },
  previous: Readonly<Record<string, ServerRecord>>,
  receivers: readonly RoutedReceiver[],
): Routing {
  const notices = new Map<string, Notice[]>(receivers.map((r) => [r.name, []]));
  const servers: Record<string, ServerRecord> = { ...decision.servers };
  const here = new Set(receivers.map((r) => r.name));
  const unrouted: Array<{ receiver: string; notice: Notice }> = [];
  for (const notice of decision.notices) {
    const key = noticeServerKey(notice);
    const before = previous[key]?.notified;
    // Absent: told by a release that did not record receivers (every one), or not told before.
    const told = before ? before.receivers : [];
    const inEpisode = (name: string) => told === undefined || told.includes(name);
    const targets = receivers.filter((receiver) => {
      const rules = receiver.rules ?? TAKE_EVERY_NOTICE;
      if (!receiverTakes(rules, notice)) return false;
      if (notice.type === 'degraded') return routeMatches(rules, notice);
      if (notice.type === 'still-degraded') return inEpisode(receiver.name) && routeMatches(rules, notice);
      return told === undefined ? routeMatches(rules, notice) : told.includes(receiver.name);
    });
    for (const target of targets)
      notices.get(target.name)?.push(asToldTo(notice, target.name, told, before?.receiverSeverities));
    if (notice.type === 'recovered')
      for (const name of (told ?? []).filter((n) => !here.has(n)))
        unrouted.push({ receiver: name, notice: asToldTo(notice, name, told, before?.receiverSeverities) });
    const record = servers[key];
    if (notice.type !== 'recovered' && record?.notified && told !== undefined) {
      const names =
        notice.type === 'degraded' ? [...new Set([...told, ...targets.map((t) => t.name)])] : told;
      const severities: Record<string, Severity> = { ...(record.notified.receiverSeverities ?? {}) };
      for (const { name } of targets) {
        const known = severities[name];
        severities[name] = known ? higherSeverity(known, notice.severity) : notice.severity;
      }
      servers[key] = {
        ...record,
        notified: { ...record.notified, receivers: names, receiverSeverities: severities },
      };
    }
  }
  return { notices, servers, unrouted };
}

/**
 * A notice as one receiver (`name`) is sent it, in the terms of what it was told of the episode
 * (`told`: the episode's receivers, undefined for a record of a release before routing; `severities`:
 * the highest each was sent). The same object when nothing differs, so the id never changes:
 * - `recovered`: the highest severity this receiver was sent (as it is when none is recorded);
 * - `degraded` sent again because the severity rose (`raisedFrom`): to a receiver that was not told
 *   the episode (routed the critical only) it is a first `degraded`, so without `raisedFrom` (never
 *   "raised from warning" about a warning it never heard); to one told, raised from what it was sent;
 * - `degraded` sent again because the cause changed (`causeChangedFrom`): likewise without it to a
 *   receiver that was not told the episode (it never heard of the earlier cause).
 */
function asToldTo(
  notice: Notice,
  name: string,
  told: readonly string[] | undefined,
  severities: Readonly<Record<string, Severity>> | undefined,
): Notice {
  const known = severities?.[name];
  if (notice.type === 'recovered')
    return known === undefined || known === notice.severity ? notice : { ...notice, severity: known };
  if (notice.type !== 'degraded' || told === undefined) return notice;
  if (notice.raisedFrom === undefined && notice.causeChangedFrom === undefined) return notice;
  if (!told.includes(name)) {
    const { raisedFrom: _never, causeChangedFrom: _unknown, ...first } = notice;
    return first;
  }
  return notice.raisedFrom === undefined ||
    known === undefined ||
    known === notice.raisedFrom ||
    severityRank(known) >= severityRank(notice.severity)
    ? notice
    : { ...notice, raisedFrom: known };
}
