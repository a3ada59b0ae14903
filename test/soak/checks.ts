/**
 * What the soak asserts once its faults have stopped and clean runs have drained the outboxes, from
 * three independent records: the truth (world.ts), what each receiver received and accepted
 * (receiver.ts), and what the product reported. Each check returns the violations it found, worded
 * so a failing soak says what went wrong, where.
 */
import type { RunReport } from '../../src/core/run-report';
import {
  checkExcusedRightly,
  checkReportsTellTheTruth,
  decidedThenDropped,
  describe,
  droppedUnrecorded,
  endedInReports,
  keyOf,
  label,
  lastDecided,
  untrueServerNotice,
  type ExcusedNotice,
} from './common';
import type { ReceivedRequest } from './receiver';
import { BAD_PROBE_LOGS, GATEWAYS, serverKey, type Truth } from './world';

/** One run of the soak (a direct run, two racing ones, or a fan-out: timer plus queue invocations). */
export interface RunRecord {
  readonly iteration: number;
  readonly mode: 'direct' | 'racing' | 'fan-out' | 'drain';
  /** The fake clock's time of this run (every notice it decides says `occurredAt` = this). */
  readonly at: string;
  readonly truth: ReadonlyMap<string, Truth>;
  readonly reports: readonly RunReport[];
  /** Gateways this run's reports show read successfully. */
  readonly readOk: ReadonlySet<string>;
  /**
   * Gateways for which the run was clean: no ARM fault on the gateway or its listing, the state store
   * up and its document valid, no other run at the same time, and the read succeeded. Such a run must
   * record what it saw.
   */
  readonly clean: ReadonlySet<string>;
}

/** A notice as a receiver got it (the first copy of each id). */
export type LedgerNotice = Omit<ReceivedRequest, 'receiver' | 'iteration' | 'answer' | 'accepted' | 'signed'>;

export interface CheckInput {
  readonly runs: readonly RunRecord[];
  readonly requests: readonly ReceivedRequest[];
  readonly receivers: readonly string[];
  /** Per receiver, the notice ids that were dead letters before they were re-sent by hand. */
  readonly parked: ReadonlyMap<string, ReadonlySet<string>>;
  /** `receiver|id` pairs a run delivered but could not record (its settle failed): may arrive twice. */
  readonly mayRepeat: ReadonlySet<string>;
  /** Dead letters notify resend did not re-send, as their episode had ended (checked, as the reports' endedInGroup). */
  readonly notResent: readonly ExcusedNotice[];
  readonly repeatIntervalInMs: number;
}

export interface CheckResult {
  readonly ledger: ReadonlyMap<string, LedgerNotice>;
  readonly violations: string[];
  /** How many times each check ran (for the figures). */
  readonly checked: Record<string, number>;
}

export function checkSoak(input: CheckInput): CheckResult {
  const violations: string[] = [];
  const checked: Record<string, number> = {};
  const count = (name: string, n = 1) => void (checked[name] = (checked[name] ?? 0) + n);

  // Every notice any receiver got, once per id (the decisions that reached an outbox).
  const ledger = new Map<string, LedgerNotice>();
  for (const r of input.requests) {
    const known = ledger.get(r.id);
    const notice: LedgerNotice = {
      id: r.id,
      type: r.type,
      gateway: r.gateway,
      address: r.address,
      probeLog: r.probeLog,
      severity: r.severity,
      occurredAt: r.occurredAt,
      ...(r.reason ? { reason: r.reason } : {}),
    };
    if (!known) ledger.set(r.id, notice);
    else if (JSON.stringify(known) !== JSON.stringify(notice))
      violations.push(`notice ${r.id} arrived with different contents: ${JSON.stringify([known, notice])}`);
  }
  const runAt = new Map<string, RunRecord>();
  for (const run of input.runs) runAt.set(run.at, run);

  // Notices a receiver was rightly never sent (checked in 1b): their episode ended before the receiver
  // was told of it (its first notice refused or never taken), or a dead letter of an ended episode.
  const excused = [
    ...endedInReports(
      input.runs.flatMap((run) => run.reports),
      serverKey,
    ),
    ...input.notResent,
    // What a run whose state write lost its answer may have dropped unsaid.
    ...droppedUnrecorded(input.runs, ledger, input.requests, input.receivers, (notice, index) => {
      const run = input.runs[index] as RunRecord;
      return run.truth.get(keyOf(notice))?.kind !== 'bad';
    }),
  ];
  const excusedIds = new Set(excused.map((e) => `${e.receiver}|${e.noticeId}`));

  // 1. Exactly once per receiver: every decided notice accepted once by every receiver (dead letters
  //    included, once re-sent by hand), never twice unless a run could not record that it delivered it;
  //    none, rightly, when a report says its episode ended before it was sent (1b).
  for (const receiver of input.receivers) {
    const accepted = new Map<string, number>();
    for (const r of input.requests)
      if (r.receiver === receiver && r.accepted) accepted.set(r.id, (accepted.get(r.id) ?? 0) + 1);
    for (const id of ledger.keys()) {
      count('exactly once per receiver');
      const n = accepted.get(id) ?? 0;
      const ended = excusedIds.has(`${receiver}|${id}`);
      if (n === 0 && !ended)
        violations.push(`${receiver} never accepted notice ${id} (${describe(ledger.get(id))}): lost`);
      if (n > 0 && ended && !input.mayRepeat.has(`${receiver}|${id}`))
        violations.push(
          `${receiver} accepted notice ${id} (${describe(ledger.get(id))}), which a report says it dropped`,
        );
      if (n > 1 && !input.mayRepeat.has(`${receiver}|${id}`))
        violations.push(`${receiver} accepted notice ${id} ${n} times (${describe(ledger.get(id))})`);
    }
    for (const r of input.requests) {
      if (r.receiver === receiver && r.signed === false)
        violations.push(`${receiver}: notice ${r.id} arrived with a signature that does not verify`);
    }
  }

  // 1b. Never sent for an ended episode, rightly (common.ts): a recovered only to a receiver never told.
  violations.push(...checkExcusedRightly(excused, ledger, input.requests, count));

  // 2. Every notice is true: it was decided in a run that read its gateway, and says what was so then.
  for (const notice of ledger.values()) {
    count('no false notice');
    const run = runAt.get(notice.occurredAt);
    if (!run) {
      violations.push(`notice ${notice.id} (${describe(notice)}) names no run of the soak`);
      continue;
    }
    const where = `run ${run.iteration} (${run.mode})`;
    if (!run.readOk.has(notice.gateway.toLowerCase()))
      violations.push(`${where}: ${describe(notice)} decided for a gateway whose read failed`);
    const untrue = untrueServerNotice(notice, run.truth.get(keyOf(notice)));
    if (untrue) violations.push(`${where}: ${untrue}`);
  }

  // 3. Each server's notices make a story: degraded → (still-degraded | degraded on a new cause)* →
  //    recovered → degraded …, one notice per run at most, reminders no sooner than the interval.
  const byServer = new Map<string, LedgerNotice[]>();
  for (const notice of ledger.values()) {
    const key = keyOf(notice);
    byServer.set(key, [...(byServer.get(key) ?? []), notice]);
  }
  for (const [key, notices] of byServer) {
    notices.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    let previous: LedgerNotice | undefined;
    // Whether the open episode was told `critical` yet: a rise to it is a new degraded (decide.ts).
    let toldCritical = false;
    for (const notice of notices) {
      count('one transition, one notice');
      const open = previous !== undefined && previous.type !== 'recovered';
      if (!open) toldCritical = false;
      const raised = notice.type === 'degraded' && notice.severity === 'critical' && !toldCritical;
      const since = previous ? Date.parse(notice.occurredAt) - Date.parse(previous.occurredAt) : Infinity;
      const problem =
        previous && since === 0
          ? 'two notices in one run'
          : notice.type === 'recovered'
            ? open
              ? undefined
              : 'recovered without an open episode'
            : notice.type === 'still-degraded'
              ? !open
                ? 'a reminder without an open episode'
                : previous?.probeLog !== notice.probeLog
                  ? 'a reminder for a changed cause (a degraded was due)'
                  : since < input.repeatIntervalInMs
                    ? `a reminder after ${since / 60_000} min, before the interval`
                    : undefined
              : open && previous?.probeLog === notice.probeLog && !raised
                ? 'degraded twice for one cause in one episode (its severity not raised)'
                : undefined;
      if (notice.type !== 'recovered' && notice.severity === 'critical') toldCritical = true;
      if (problem)
        violations.push(`${label(key)}: ${problem}: ${describe(previous)} then ${describe(notice)}`);
      previous = notice;
    }
  }

  // 4. Nothing missed: after every clean run of a gateway, its servers' last notices match the truth.
  for (const run of input.runs) {
    const at = Date.parse(run.at);
    for (const gateway of GATEWAYS) {
      if (!run.clean.has(gateway.id.toLowerCase())) continue;
      for (const address of gateway.addresses) {
        count('nothing missed');
        const key = serverKey(gateway.id, address);
        const truth = run.truth.get(key);
        // A recovered decided but rightly sent to no receiver (1b) closes the episode too.
        const last = lastDecided(byServer.get(key) ?? [], excused, key, keyOf, at);
        const where = `run ${run.iteration} (${run.mode}, clean), ${label(key)}`;
        if (truth?.kind === 'bad') {
          if (decidedThenDropped(excused, key, last, at)) count('nothing missed, dropped as ended');
          else if (!last || last.type === 'recovered')
            violations.push(`${where}: bad (${truth.health}) but no degraded was decided`);
          else if (last.probeLog !== BAD_PROBE_LOGS[truth.log])
            violations.push(
              `${where}: the cause changed but no degraded was decided: last ${describe(last)}`,
            );
          else if (at - Date.parse(last.occurredAt) >= input.repeatIntervalInMs)
            violations.push(`${where}: a reminder was due: last ${describe(last)}`);
        } else if (last && last.type !== 'recovered') {
          violations.push(
            `${where}: ${truth?.kind ?? 'unknown'} but no recovered was decided: last ${describe(last)}`,
          );
        }
      }
    }
  }

  // 5. Outboxes keep their order: each receiver first accepted a server's notices oldest first
  //    (dead letters, re-sent by hand at the end, aside).
  for (const receiver of input.receivers) {
    const parked = input.parked.get(receiver) ?? new Set<string>();
    const seen = new Set<string>();
    const lastAt = new Map<string, number>();
    for (const r of input.requests) {
      if (r.receiver !== receiver || !r.accepted || seen.has(r.id) || parked.has(r.id)) continue;
      seen.add(r.id);
      count('in order');
      const key = keyOf(r);
      const at = Date.parse(r.occurredAt);
      if (at < (lastAt.get(key) ?? -Infinity))
        violations.push(`${receiver}: ${describe(r)} accepted after a newer notice of the same server`);
      lastAt.set(key, at);
    }
  }

  // 6. What the reports say was delivered, the receivers accepted, and the other way round.
  const deliveredByReport = new Set<string>();
  for (const run of input.runs) {
    for (const report of run.reports) {
      for (const d of report.notifications?.deliveries ?? []) {
        if (d.outcome === 'delivered') deliveredByReport.add(`${d.receiver}|${d.noticeId}`);
      }
      count('nothing dropped');
      for (const d of report.notifications?.dropped ?? [])
        violations.push(`run ${run.iteration}: notice ${d.noticeId} dropped: ${d.reason}`);
    }
  }
  violations.push(...checkReportsTellTheTruth(deliveredByReport, input.requests, count));

  return { ledger, violations, checked };
}
