/**
 * What the grouping and inhibition soak (group-soak.ts) asserts, from three independent records: the
 * truth (group-world.ts), what each receiver accepted (receiver.ts, grouped events split into their
 * notices) and what the product reported and left in its outboxes. Each violation says what went
 * wrong, where.
 */
import type { RunReport } from '../../src/core/run-report';
import type { OutboxListing } from '../../src/pipeline/notify/dead-letters';
import { GROUP_GATEWAYS, allBad, noneServing, type GroupSoakGateway } from './group-world';
import {
  checkExcusedRightly,
  checkReportsTellTheTruth,
  decidedThenDropped,
  describe,
  droppedUnrecorded,
  endedInReports,
  gatewayName,
  keyOf,
  label,
  lastDecided,
  untrueServerNotice,
  type ExcusedNotice,
} from './common';
import type { ReceivedRequest } from './receiver';
import { BAD_PROBE_LOGS, serverKey, type Truth } from './world';

export interface GroupRunRecord {
  readonly iteration: number;
  /** The fake clock's time of the run (its notices' `occurredAt`). */
  readonly at: string;
  readonly drain: boolean;
  readonly truth: ReadonlyMap<string, Truth>;
  readonly report: RunReport;
  readonly readOk: ReadonlySet<string>;
  /** Gateways read, with the state store up and their document untroubled: the run must record what it saw. */
  readonly clean: ReadonlySet<string>;
  /** Every outbox after the run (read past the storage proxy). */
  readonly listing: OutboxListing;
}

export type LedgerNotice = Omit<
  ReceivedRequest,
  'receiver' | 'iteration' | 'answer' | 'accepted' | 'signed' | 'message'
>;

export interface GroupCheckInput {
  readonly runs: readonly GroupRunRecord[];
  /** Every request of every receiver, in arrival order per receiver. */
  readonly requests: readonly ReceivedRequest[];
  readonly receivers: readonly string[];
  /** Per receiver, the notice ids that were dead letters before they were re-sent by hand. */
  readonly parked: ReadonlyMap<string, ReadonlySet<string>>;
  /** `receiver|id` pairs a run delivered but could not record: may arrive twice. */
  readonly mayRepeat: ReadonlySet<string>;
  /** Dead letters notify resend did not re-send, as their episode had ended. */
  readonly notResent: readonly ExcusedNotice[];
  readonly repeatIntervalInMs: number;
  /** The longest a notice may wait for its group's timer: max(groupWait, groupInterval). */
  readonly holdBoundInMs: number;
}

const GATEWAY_ADDRESS = '(every server)';
const NOT_EVERY_POOL_BAD = 'not every backend pool of the gateway is bad any more';

export function checkGroupSoak(input: GroupCheckInput): {
  ledger: ReadonlyMap<string, LedgerNotice>;
  violations: string[];
  checked: Record<string, number>;
} {
  const violations: string[] = [];
  const checked: Record<string, number> = {};
  const count = (name: string) => void (checked[name] = (checked[name] ?? 0) + 1);
  const gatewayOf = (id: string) => GROUP_GATEWAYS.find((g) => g.id.toLowerCase() === id.toLowerCase());
  const runAt = new Map(input.runs.map((r) => [r.at, r]));

  // Every notice once per id, as the receivers got it.
  const ledger = new Map<string, LedgerNotice>();
  for (const r of input.requests) {
    const { receiver: _r, iteration: _i, answer: _a, accepted: _c, signed: _s, message: _m, ...notice } = r;
    const known = ledger.get(r.id);
    if (!known) ledger.set(r.id, notice);
    else if (JSON.stringify(known) !== JSON.stringify(notice))
      violations.push(`notice ${r.id} arrived with different contents: ${JSON.stringify([known, notice])}`);
  }

  // 1. A group message holds at most 50 notices, all of its own gateway; signatures verify.
  for (const r of input.requests) {
    if (r.signed === false) violations.push(`${r.receiver}: notice ${r.id} arrived with a bad signature`);
    if (!r.message) {
      violations.push(
        `${r.receiver}: ${describe(r)} came alone, not in a group message (grouping is "gateway")`,
      );
      continue;
    }
    count('group message ≤ 50 notices, one gateway');
    if (r.message.size > 50)
      violations.push(`${r.receiver}: message ${r.message.id} holds ${r.message.size} notices`);
    if (r.message.gateway.toLowerCase() !== r.gateway.toLowerCase())
      violations.push(
        `${r.receiver}: message ${r.message.id} of ${gatewayName(r.message.gateway)} carries ${describe(r)}`,
      );
  }

  // Notices a receiver was rightly never sent: their episode ended while they waited for the group.
  const endedInGroup = [
    ...new Map(
      endedInReports(
        input.runs.map((run) => run.report),
        serverKey,
      ).map((e) => [`${e.receiver}|${e.noticeId}`, e] as const),
    ).values(),
  ];

  // Notices rightly never sent (checked in 2b): dropped as ended (a report's endedInGroup), dead
  // letters notify resend did not re-send, and what a run whose state write lost its answer may have
  // dropped unsaid.
  const excused: ExcusedNotice[] = [
    ...endedInGroup,
    ...input.notResent,
    ...droppedUnrecorded(
      input.runs.map((run) => ({ at: run.at, reports: [run.report] })),
      ledger,
      input.requests,
      input.receivers,
      (notice, index) => {
        const run = input.runs[index] as GroupRunRecord;
        const g = gatewayOf(notice.gateway);
        if (!g) return false;
        return notice.scope === 'gateway'
          ? !noneServing(run.truth, g)
          : run.truth.get(keyOf(notice))?.kind !== 'bad';
      },
    ),
  ];
  const excusedIds = new Set(excused.map((e) => `${e.receiver}|${e.noticeId}`));

  // 2. Exactly once per receiver: every decided notice accepted once (dead letters once re-sent),
  //    unless a report says its episode ended in the group's wait (checked in 2b).
  for (const receiver of input.receivers) {
    const accepted = new Map<string, number>();
    for (const r of input.requests)
      if (r.receiver === receiver && r.accepted) accepted.set(r.id, (accepted.get(r.id) ?? 0) + 1);
    for (const [id, notice] of ledger) {
      count('exactly once per receiver');
      const n = accepted.get(id) ?? 0;
      const ended = excusedIds.has(`${receiver}|${id}`);
      if (n === 0 && !ended) violations.push(`${receiver} never accepted ${describe(notice)}: lost`);
      // Dropped after a send the client gave up on (its time-out), which the receiver had accepted.
      if (n > 0 && ended && !input.mayRepeat.has(`${receiver}|${id}`))
        violations.push(`${receiver} accepted ${describe(notice)}, which a report says it dropped`);
      if (n > 1 && !input.mayRepeat.has(`${receiver}|${id}`))
        violations.push(
          `${receiver} accepted ${describe(notice)} ${n} times: in runs ${input.requests
            .filter((r) => r.receiver === receiver && r.accepted && r.id === id)
            .map((r) => `${r.iteration} (message ${r.message?.id} of ${r.message?.size})`)
            .join(', ')}; reported: ${JSON.stringify(
            input.runs.flatMap((run) =>
              (run.report.notifications?.deliveries ?? [])
                .filter((d) => d.receiver === receiver && d.noticeId === id)
                .map((d) => ({ run: run.iteration, outcome: d.outcome, attempts: d.attempts })),
            ),
          )}`,
        );
    }
  }

  // 2b. Never sent for an ended episode, rightly (common.ts, checkExcusedRightly): a degraded or
  //     reminder only when its server's episode did end, and a recovered only when that receiver had
  //     not accepted anything of the episode: a receiver that was told (or may have been: a time-out
  //     after its 2xx) always gets the recovered, never a stuck alert.
  violations.push(...checkExcusedRightly(excused, ledger, input.requests, count));

  // 3. Every notice true when decided: a per-server one says what the server was; a gateway-level
  //    `degraded`/`still-degraded` only while every listed server (2 or more) was bad, its `recovered`
  //    only once not. Never a `recovered` while the server (or the whole gateway) was still bad.
  for (const notice of ledger.values()) {
    count('no false notice');
    const run = runAt.get(notice.occurredAt);
    const g = gatewayOf(notice.gateway);
    if (!run || !g) {
      violations.push(`${describe(notice)} names no run or gateway of the soak`);
      continue;
    }
    const where = `run ${run.iteration}`;
    if (!run.readOk.has(g.id.toLowerCase()))
      violations.push(`${where}: ${describe(notice)} decided for a gateway whose read failed`);
    if (notice.scope === 'gateway') {
      // Kept open while no server serves, one listed or more (noneServing); opened only when allBad.
      const all = notice.type === 'degraded' ? allBad(run.truth, g) : noneServing(run.truth, g);
      if (notice.type === 'recovered' && all)
        violations.push(
          `${where}: false recovered, every server of ${g.name} was still bad: ${describe(notice)}`,
        );
      if (notice.type === 'recovered' && notice.reason !== NOT_EVERY_POOL_BAD)
        violations.push(`${where}: gateway-level recovered says "${notice.reason}"`);
      if (notice.type !== 'recovered' && !all)
        violations.push(`${where}: ${describe(notice)} but not every server of ${g.name} was bad`);
      continue;
    }
    const untrue = untrueServerNotice(notice, run.truth.get(keyOf(notice)));
    if (untrue) violations.push(`${where}: ${untrue}`);
    if (notice.type !== 'recovered') {
      if (allBad(run.truth, g))
        violations.push(`${where}: ${describe(notice)} while every server of ${g.name} was bad (inhibited)`);
    }
  }

  // 4. Per receiver, in the order it accepted them, each server's notices make a story: one
  //    `degraded` opens an episode (another only for a new cause or a severity raised to critical),
  //    reminders only within it, at most one `recovered`, and only after a `degraded` this receiver
  //    accepted. Servers with a dead letter re-sent by hand (out of order by design) are left out.
  for (const receiver of input.receivers) {
    const parked = input.parked.get(receiver) ?? new Set<string>();
    const skip = new Set([...parked].map((id) => keyOf(ledger.get(id))));
    const seen = new Set<string>();
    const state = new Map<string, { open: boolean; cause: string; critical: boolean }>();
    for (const r of input.requests) {
      if (r.receiver !== receiver || !r.accepted || seen.has(r.id)) continue;
      seen.add(r.id);
      const key = keyOf(r);
      if (skip.has(key)) continue;
      count('one episode, one degraded, one recovered');
      const s = state.get(key) ?? { open: false, cause: '', critical: false };
      // A degraded sent without an answer (the receiver may hold it), then dropped as its episode
      // ended (said in a report, or by a run whose state write lost its answer): its recovered goes, so
      // the receiver is never left with an open alert.
      const mayHaveBeenTold = excused.some(
        (e) =>
          e.receiver === receiver &&
          e.type !== 'recovered' &&
          e.key === key &&
          Date.parse(e.queuedAt) <= Date.parse(r.occurredAt),
      );
      const problem =
        r.type === 'recovered'
          ? s.open || mayHaveBeenTold
            ? undefined
            : 'a recovered without a degraded delivered first (or a second recovered)'
          : r.type === 'still-degraded'
            ? !s.open
              ? 'a reminder without an open episode'
              : causeOf(s.cause) !== causeOf(r.probeLog)
                ? 'a reminder for another cause than the one told'
                : undefined
            : s.open &&
                causeOf(s.cause) === causeOf(r.probeLog) &&
                !(r.severity === 'critical' && !s.critical)
              ? 'a second degraded in one episode, same cause, severity not raised'
              : undefined;
      if (problem) violations.push(`${receiver}, ${label(key)}: ${problem}: ${describe(r)}`);
      if (r.type === 'recovered') state.set(key, { open: false, cause: '', critical: false });
      else
        state.set(key, {
          open: true,
          cause: r.type === 'degraded' ? r.probeLog : s.cause || r.probeLog,
          critical: (s.open && s.critical) || r.severity === 'critical',
        });
    }
  }

  // 5. A gateway-level episode and its servers' own never claim a server at once: while it is open
  //    (from its degraded to its recovered, as decided), no server of the gateway gets a degraded or
  //    a reminder.
  const byGateway = new Map<string, LedgerNotice[]>();
  for (const n of ledger.values()) {
    const k = n.gateway.toLowerCase();
    byGateway.set(k, [...(byGateway.get(k) ?? []), n]);
  }
  // A gateway-level recovered decided but sent to no receiver (each was never told: 2b checks that)
  // still closes the episode when it was decided.
  const excusedClosesAt = (gatewayId: string) =>
    new Set(
      excused
        .filter((e) => e.type === 'recovered' && e.key === serverKey(gatewayId, GATEWAY_ADDRESS))
        .map((e) => Date.parse(e.queuedAt)),
    );
  for (const [gatewayId, notices] of byGateway) {
    const ordered = [...notices].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    const closedAt = excusedClosesAt(gatewayId);
    let openSince: string | undefined;
    const times = [...new Set([...ordered.map((n) => Date.parse(n.occurredAt)), ...closedAt])].sort(
      (a, b) => a - b,
    );
    for (const time of times) {
      const at = new Date(time).toISOString();
      const inRun = ordered.filter((n) => Date.parse(n.occurredAt) === time);
      const gw = inRun.filter((n) => n.scope === 'gateway');
      if (gw.length > 1) violations.push(`${describe(gw[0])}: ${gw.length} gateway-level notices in one run`);
      const opens = gw.find((n) => n.type !== 'recovered');
      const closes = gw.find((n) => n.type === 'recovered') ?? (closedAt.has(time) ? 'excused' : undefined);
      const open = opens !== undefined || (openSince !== undefined && closes === undefined);
      for (const n of inRun) {
        if (n.scope === 'gateway' || n.type === 'recovered') continue;
        count('gateway-level and per-server exclusive');
        if (open)
          violations.push(
            `${describe(n)} while the gateway-level episode (since ${openSince ?? at}) is open`,
          );
      }
      openSince = open ? (openSince ?? at) : undefined;
    }
  }

  // 6. Nothing missed: after each clean run of a gateway, what was decided matches the truth: an
  //    all-bad gateway has its gateway-level episode open; otherwise none, and each bad server its own.
  for (const run of input.runs) {
    const at = Date.parse(run.at);
    for (const g of GROUP_GATEWAYS) {
      if (!run.clean.has(g.id.toLowerCase())) continue;
      // The last notice decided for `key` by this run: a recovered sent to no receiver (2b) counts.
      const lastOf = (key: string): LedgerNotice | undefined =>
        lastDecided(ledger.values(), excused, key, keyOf, at);
      // Decided, then rightly sent to no receiver (2b checks that its episode did end): dropped as it
      // ended in the group's wait, or by a later run whose state write lost its answer. The run did
      // not miss it.
      const droppedSince = (key: string, last: LedgerNotice | undefined) =>
        decidedThenDropped(excused, key, last, at);
      const where = `run ${run.iteration} (clean), ${g.name}`;
      const gwLast = lastOf(serverKey(g.id, GATEWAY_ADDRESS));
      count('nothing missed');
      // Open and kept open while no server serves (noneServing): its servers are inhibited as when all bad.
      // Open means its last notice is not a recovered, or a degraded decided since that no receiver got
      // (held for the group's wait, dropped when the episode ended in it). Seed 1392001756: gw-pair all
      // bad at run 1 (its degraded held), a server gone from the reading at run 2 and the other still
      // Down; the product kept the episode open and the oracle, seeing no degraded received, called the
      // inhibited server's degraded missed.
      const gwKey = serverKey(g.id, GATEWAY_ADDRESS);
      const gwOpen = (gwLast !== undefined && gwLast.type !== 'recovered') || droppedSince(gwKey, gwLast);
      const keptOpen = gwOpen && noneServing(run.truth, g);
      if (allBad(run.truth, g) || keptOpen) {
        if (droppedSince(serverKey(g.id, GATEWAY_ADDRESS), gwLast))
          count('nothing missed, dropped as ended in group');
        else if (!gwLast || gwLast.type === 'recovered')
          violations.push(`${where}: every server bad, no gateway-level degraded`);
        continue;
      }
      if (gwLast && gwLast.type !== 'recovered')
        violations.push(`${where}: not every server bad, but the gateway-level episode is still open`);
      for (const address of g.addresses) {
        count('nothing missed');
        const key = serverKey(g.id, address);
        const truth = run.truth.get(key);
        const last = lastOf(key);
        if (truth?.kind === 'bad') {
          if (droppedSince(key, last)) count('nothing missed, dropped as ended in group');
          else if (!last || last.type === 'recovered')
            violations.push(`${where}/${address}: bad, but no degraded was decided`);
          else if (last.probeLog !== BAD_PROBE_LOGS[truth.log])
            violations.push(
              `${where}/${address}: the cause changed, no degraded was decided: last ${describe(last)}`,
            );
          else if (at - Date.parse(last.occurredAt) >= input.repeatIntervalInMs)
            violations.push(`${where}/${address}: a reminder was due: last ${describe(last)}`);
        }
      }
    }
  }

  // 7. Nothing stuck: after a clean run of a gateway, each notice still in its outbox is a dead letter,
  //    one this run tried and failed (reported undelivered, for the next run), or one waiting for its
  //    group's timer, reported with a dueAt in the future and no further than the longest timer.
  for (const run of input.runs) {
    const now = Date.parse(run.at);
    const grouped = new Map(
      (run.report.notifications?.grouped ?? []).map((g) => [`${g.receiver}|${g.noticeId}`, g]),
    );
    const undelivered = new Map(
      (run.report.notifications?.undelivered ?? []).map((u) => [`${u.receiver}|${u.noticeId}`, u]),
    );
    for (const n of run.listing.notices) {
      const g = gatewayOf(n.gateway);
      if (!g || !run.clean.has(g.id.toLowerCase()) || n.status === 'dead-letter') continue;
      count('nothing stuck');
      const where = `run ${run.iteration} at ${run.at}: ${n.receiver} ${n.type} ${n.server}`;
      const held = grouped.get(`${n.receiver}|${n.noticeId}`);
      const failed = undelivered.get(`${n.receiver}|${n.noticeId}`);
      if (held) {
        const due = Date.parse(held.dueAt);
        if (!(due > now))
          violations.push(`${where}: stuck, its group was due at ${held.dueAt} and nothing was sent`);
        else if (due - now > input.holdBoundInMs)
          violations.push(`${where}: held until ${held.dueAt}, past the longest group timer`);
      } else if (!failed)
        violations.push(`${where}: in the outbox, but the report neither holds nor lists it`);
      else if (failed.failedRuns === 0 && failed.reason === 'not sent yet')
        violations.push(`${where}: due, but this run did not try it`);
    }
  }

  // 8. The reports tell the truth: every notice a report says was delivered, the receiver accepted,
  //    and the other way round.
  const deliveredByReport = new Set<string>();
  for (const run of input.runs)
    for (const d of run.report.notifications?.deliveries ?? [])
      if (d.outcome === 'delivered') deliveredByReport.add(`${d.receiver}|${d.noticeId}`);
  violations.push(...checkReportsTellTheTruth(deliveredByReport, input.requests, count));

  return { ledger, violations, checked };
}

/**
 * What a notice says is the cause: its probe log, or for a gateway-level notice (inhibit.ts) the most
 * common cause of its summary, whose server counts change as servers come and go while the gateway
 * stays all bad (`All 3 servers in 2 backend pools … Most common cause (2 of 3 servers): …` then `All 2
 * servers … (2 of 2 servers): …`): one episode, one cause.
 */
const causeOf = (probeLog: string) =>
  /^All \d+ servers? in \d+ backend pools? are not healthy\. (Most common cause)(?: \(\d+ of \d+ servers?\))?(: .*)$/s
    .exec(probeLog)
    ?.slice(1, 3)
    .join('') ?? probeLog;

export type { GroupSoakGateway };
