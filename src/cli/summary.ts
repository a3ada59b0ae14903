import path from 'node:path';
import { describeNotifyProblems } from '../pipeline/notify/undelivered-summary';
import { unreadWarning } from '../pipeline/notify/notify-gateways';
import { olderReadingText } from '../pipeline/notify/older-readings';
import type { ConfigSource } from '../core/follow-up-command';
import { gatewayKey, parseGatewayId } from '../core/arm-id';
import { counted, namedList } from '../core/counted';
import { GATEWAY_SCOPE } from '../core/notice/inhibit';
import { severityLabel, shownType, shownTypeWithWhy } from '../core/notice/notice-labels';
import {
  failedDeliveries,
  failedBesidesInterruption,
  notOkReasons,
  type FindingReport,
  type GatewayReport,
  type GroupedNoticeReport,
  type NotificationsReport,
  type RunInterruptionReport,
  type RunReport,
  type SilencedReport,
  type UnlistedDeletionReport,
} from '../core/run-report';
import { terminalField as field, terminalJsonPieces, terminalMessage as message } from './terminal-text';
import { writePieces } from './write-pieces';
import { GATEWAY_DELETED_CODE, RUN_INTERRUPTED_CODE } from '../errors';
import {
  notReportedEntries,
  notReportedText,
  notReportedTotal,
  type NotReportedCounts,
} from '../core/not-reported';
import { CONFIGURABLE_STATES, readHealth } from '../core/health';

/**
 * The short human summary: per gateway, each server that is not healthy with its health (as ARM
 * reported it, the state we read it as beside it: `Down (unhealthy)`), the likely cause's title, the
 * probe's message and where its insight is; per receiver, what was delivered; then where the files
 * are. Names and probe logs come from the network: shown as they are, made safe for a terminal and
 * clipped between words (terminal-text.ts). `config`: where the verb's configuration came from, as
 * the follow-up commands name it (re-send a dead letter; follow-up-command.ts); absent: `--config FILE`.
 */
export function formatSummary(
  report: RunReport,
  locations: readonly string[],
  config?: ConfigSource,
): string {
  return [...summaryLines(report, locations, config)].join('\n');
}

/**
 * formatSummary's lines, one gateway's block at a time: a run of 20 000 gateways is never its summary as
 * one string (several MB; issue 14: memory), and its report's entries are read back one at a time.
 */
export function* summaryLines(
  report: RunReport,
  locations: readonly string[],
  config?: ConfigSource,
): Generator<string> {
  const roots = insightRoots(locations);
  const s = report.summary;
  // "Checked 450 gateways … 450 gateways could not be checked" read as a contradiction (a new-user trial).
  // A gateway ARM confirmed deleted was checked: "could not be checked" of it misled (a new-user trial).
  const deleted = s.deletedGateways ?? 0;
  // An interrupted run's gateways not done are of the run's too: "Read 0 of 1 gateway" of two, one not
  // done (a break trial), and "Checked 1 gateway" of thirteen, read as all of them.
  const notDone = report.interrupted?.notDone.length ?? 0;
  const failedApart = [
    ...(s.failedGateways > deleted ? [`${s.failedGateways - deleted} could not be checked`] : []),
    // "Not found", not "deleted": an id with a typo in "targets" is answered the same (a new-user trial).
    ...(deleted ? [`${deleted} not found`] : []),
    ...(notDone ? [`${notDone} not done: the run was interrupted`] : []),
  ];
  // A target not listed holds gateways nobody read: "Checked 3 gateways … 0 not healthy." alone read as
  // all of them (a new-user trial). One cut by an interruption is said in the interruption's block.
  const notListed = report.targets.filter((t) => !t.ok && t.error?.code !== RUN_INTERRUPTED_CODE).length;
  const cutTargets = cutTargetsOf(report);
  // "Read 0 of 3 gateways …, 0 backend servers: 0 not healthy." read as all well of a run that read
  // nothing (a break trial), as did "Checked 0 gateways …" of one whose targets listed none.
  const noneRead = s.gateways === s.failedGateways;
  // Read whole, no backend server listed: said below it ("no backend server"), and counted here, as the
  // status page's title counts it (a break trial: the first line read as all well).
  const servingNothing = s.servingNothing ?? 0;
  const lines = [
    (failedApart.length
      ? `Read ${s.gateways - s.failedGateways} of ${counted(s.gateways + notDone, 'gateway')} (${failedApart.join(', ')})`
      : `Checked ${counted(s.gateways, 'gateway')}`) +
      (noneRead
        ? ': no backend server was read'
        : `, ${counted(s.servers, 'backend server')}: ${s.findings} not healthy${s.notReported ? `, ${notReportedText(s.notReported)}` : ''}`) +
      (servingNothing
        ? `; ${counted(servingNothing, 'gateway')} serving nothing (below): no backend server listed`
        : '') +
      (s.incompleteReadings
        ? `; ${counted(s.incompleteReadings, 'reading')} incomplete (below): not every server was read`
        : '') +
      (notListed
        ? `; ${counted(notListed, 'target')} not listed (below): ${notListed === 1 ? 'its' : 'their'} gateways were not read`
        : '') +
      // A stop while the targets were listed: "Checked 0 gateways: no backend server was read." said
      // nothing of it (a break trial).
      (cutTargets
        ? `; ${counted(cutTargets, 'target')} not listed before the stop (the run was interrupted): ${cutTargets === 1 ? 'its' : 'their'} gateways were not read`
        : '') +
      '.',
  ];
  // Once per run, at the top: insights that give the general steps, and what to grant or fix.
  if (report.configuration) lines.push('', ...configurationLines(report));
  if (report.interrupted) lines.push('', ...interruptedLines(report.interrupted));
  for (const target of report.targets.filter((t) => !t.ok)) {
    // Whole up to MESSAGE_SHOWN, as a delivery's: at 160 characters the middle, what was wrong, was cut
    // (a target is one line per run, not one per gateway).
    lines.push(
      '',
      `✗ target ${field(target.id, 400)}`,
      `    ${message(target.error?.message ?? '', MESSAGE_SHOWN)}`,
    );
  }
  for (const target of report.targets.filter((t) => t.ok && t.gateways === 0)) {
    lines.push(
      '',
      `! target ${field(target.id, 400)}: nothing to check` +
        (target.leftOut
          ? ` (the discovery filter left out ${target.leftOut === 1 ? 'the 1 gateway' : `all ${target.leftOut} gateways`} found)`
          : ' (no gateway found)'),
    );
  }
  yield* lines.splice(0);
  const collapsed = collapsedGateways();
  for (const gateway of report.gateways) {
    const held = heldLines(report.notifications, gateway, '    ');
    if (held.length === 0 && collapsed.takes(gateway)) continue;
    lines.push(
      '',
      `${gateway.ok ? (gateway.findings.length || gateway.poolsNotRead?.length || noneServing(gateway) ? '!' : '✓') : '✗'} ${gatewayName(gateway)}`,
    );
    // One ARM confirmed deleted was checked: its message says what it is (a new-user trial).
    if (!gateway.ok)
      lines.push(
        gateway.error?.code === GATEWAY_DELETED_CODE
          ? `    ${message(withoutOwnId(gateway.error.message, gateway.id), FAILURE_SHOWN)}`
          : `    could not be checked: ${message(withoutOwnId(gateway.error?.message ?? '', gateway.id), FAILURE_SHOWN)}`,
      );
    if (gateway.poolsNotRead?.length)
      lines.push(`    ${readingIncompleteText(gateway.poolsNotRead, gateway.configuration?.read !== false)}`);
    // "✓" alone read as every server healthy of a gateway with one draining (a break trial).
    if (gateway.notReported) lines.push(`    ${notReportedLine(gateway.notReported)}`);
    // Read, and no server listed (its configuration routes to no pool with members): "✓" read as all
    // well of a gateway that serves nothing (a break trial).
    if (gateway.ok && gateway.servers === 0 && !gateway.poolsNotRead?.length)
      lines.push('    no backend server: its routed backend pools have no members, so it serves nothing');
    // Its start only: what ARM refused, and why. What to grant or fix is the run's second block, once;
    // cut in the middle, the permission ran into the tail's "(the operation's polls)", another
    // permission (a new-user trial).
    if (gateway.configuration && !gateway.configuration.read)
      lines.push(
        `    configuration not read (${gateway.configuration.reason ?? 'unavailable'}): ${gateway.findings.length ? 'general steps only: ' : ''}${field(withoutOwnId(gateway.configuration.message ?? '', gateway.id), CONFIGURATION_SHOWN)}`,
      );
    // A sink that did not take them: its insight paths below may open nothing, or an earlier reading's
    // (a break trial: the paths were printed as written).
    // Of a gateway without findings too: the sink may still hold an earlier reading's insight pages of
    // servers since healthy (a second trial).
    const undelivered = gateway.undelivered ?? undeliveredTo(report.deliveryErrors, gateway.id);
    if (undelivered.length > 0)
      lines.push(
        `    not delivered to ${undelivered.map((sink) => field(sink, 80)).join(', ')}: its insight pages there may be missing, or an earlier reading's (of servers since healthy too) (the delivery errors below say why)`,
      );
    for (const f of gateway.findings.slice(0, FINDINGS_SHOWN)) {
      lines.push(
        `    ${field(f.backendPool, 80)} / ${field(f.backendSettings, 80)}  ${field(f.address, 253)}  ${healthText(f)}  ${f.severity}`,
      );
      lines.push(`        cause: ${field(f.cause.title)}`);
      lines.push(`        probe: ${field(f.probeLog) || '(no probe log)'}`);
      // The gateway's line already says a failed GET; a setting or probe not found is the finding's own.
      if (f.generalSteps && gateway.configuration?.read !== false)
        lines.push(`        general steps only: ${field(f.generalSteps.because)}`);
      for (const file of insightFiles(f, roots)) lines.push(`        insight: ${field(file, 2000)}`);
    }
    lines.push(...moreFindingsLines(gateway.findings.slice(FINDINGS_SHOWN)));
    // This gateway's held notices, in its own block (matched by id: never the block next to it).
    lines.push(...held);
    yield* lines.splice(0);
  }
  lines.push(...collapsed.lines());
  // Above the notifications, whose `recovered` they explain.
  lines.push(...unlistedDeletionLines(report.deletedUnlisted ?? []));
  if (report.notifications)
    lines.push(
      ...notificationLines(
        report.notifications,
        new Set(report.gateways.map((g) => gatewayKey(g.id))),
        config,
        report.targets.filter((t) => !t.ok).map((t) => t.id),
        (report.summary.notReported?.draining ?? 0) > 0,
      ),
    );
  lines.push(...deliveryErrorLines(report.deliveryErrors));
  if (locations.length)
    lines.push('', `Insights and report: ${locations.map((l) => field(l, 2000)).join(', ')}`);
  // Last, where the eye lands: why the run is not ok (run exits 2), each kind counted once.
  const reasons = notOkReasons(report);
  if (reasons.length) lines.push('', `The run is not ok: ${reasons.join('; ')}.`);
  // An interrupted run too (a new-user trial: its summary ended at "Insights and report"), said as the
  // top's "✗ interrupted" says it; what failed besides may be the stop's doing, so it stands alone.
  else if (report.interrupted) lines.push('', interruptedVerdict(report));
  yield* lines;
}

/**
 * A gateway's reading that lacked pools its configuration routes to (GatewayReport.poolsNotRead), in one
 * line: which, and what it means. The names are ARM's (escaped for the terminal by `field`).
 */
export function readingIncompleteText(pools: readonly string[], configurationRead = true): string {
  const names = namedList(
    pools.map((p) => field(p, 80)),
    5,
  );
  const one = pools.length === 1;
  // Without the configuration (its GET failed) the rules were not read: the pools may have members.
  const why = configurationRead
    ? 'which its rules route to'
    : `which may have members (the configuration could not be read to tell)`;
  return (
    `reading incomplete: ARM's backend health did not list ${one ? 'backend pool' : 'backend pools'} ${names} (or listed no server of ${one ? 'it' : 'them'}), ` +
    `${why}: ${one ? 'its servers were' : 'their servers were'} not read this run (the run is not ok; the next run reads the gateway again)`
  );
}

/**
 * The length a failed gateway's message is shown whole up to: our messages are 150 to 500 characters
 * with ARM's answer in their middle and what to do at their end. Cut at 160, a 404's lost what the GET
 * answered and what to grant ("… and its GET did… Check the gateway id"), and a 500's tail began in
 * its last sentence's middle ("… health and Activity log in the portal": new-user trials). Past this,
 * a flood from the network: its start and end.
 */
const FAILURE_SHOWN = 800;

/**
 * Whether a gateway read no healthy server: none listed, or all of them reported or in a state not
 * reported: "✓" of a gateway whose every server was draining, or that listed none, read as all well
 * (break trials).
 */
function noneServing(gateway: GatewayReport): boolean {
  return gateway.servers - gateway.findings.length - notReportedTotal(gateway.notReported) <= 0;
}

/**
 * `not reported: 1 draining (unhealthyStates leaves Draining out)`: servers neither healthy nor reported,
 * and the setting that would report them, each state as unhealthyStates spells it (`Down` for unhealthy).
 */
function notReportedLine(counts: NotReportedCounts): string {
  const entries = notReportedEntries(counts);
  const states = entries.map(([state]) => CONFIGURABLE_STATES.find((c) => readHealth(c) === state) ?? state);
  return `not reported: ${entries.map(([state, n]) => `${n} ${state}`).join(', ')} (unhealthyStates leaves ${states.join(' and ')} out)`;
}

/**
 * A gateway's servers not healthy shown one by one (4 lines each); those after them are counted by kind.
 * A break trial's gateway of 10 000 servers down printed 40 000 lines.
 */
export const FINDINGS_SHOWN = 20;
/** Kinds (pool, settings, health, severity, cause) of the servers past FINDINGS_SHOWN named, most first. */
const MORE_FINDING_KINDS_SHOWN = 5;

/**
 * The servers of a gateway past FINDINGS_SHOWN: how many, and how many of each kind (pool and settings,
 * health, severity, cause), the most common first; report.json lists each, with its insight.
 */
function moreFindingsLines(more: readonly FindingReport[]): string[] {
  if (more.length === 0) return [];
  const kinds = new Map<string, number>();
  for (const f of more) {
    const kind = `${field(f.backendPool, 80)} / ${field(f.backendSettings, 80)}  ${healthText(f)}  ${f.severity}  ${field(f.cause.title)}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const sorted = [...kinds.entries()].sort((a, b) => b[1] - a[1]);
  const rest = sorted.length - MORE_FINDING_KINDS_SHOWN;
  return [
    `    and ${counted(more.length, 'more server')} not healthy (report.json: gateways[].findings, each with its insight):`,
    ...sorted.slice(0, MORE_FINDING_KINDS_SHOWN).map(([kind, n]) => `        ${n} × ${kind}`),
    ...(rest > 0 ? [`        and ${counted(rest, 'more kind')}`] : []),
  ];
}

/** Gateways with every server healthy shown one by one; those after them are counted in one line. */
export const HEALTHY_SHOWN = 20;
/** Gateways that failed with one message shown one by one; those after them are one block. */
export const FAILED_ALIKE_SHOWN = 5;
/** Distinct failure messages tracked for collapsing (beyond: each further message's gateways shown). */
const MAX_ALIKE_KEYS = 1_000;

/**
 * The gateways the summary says in one block rather than one each: past the first HEALTHY_SHOWN with
 * every server healthy (`✓ 430 more gateways with every server healthy: …`), and past the first
 * FAILED_ALIKE_SHOWN that failed with the same message (`✗ 445 more gateways could not be checked, as
 * above: …`). A new-user trial: 450 gateways printed 1 500 lines, 300 of them `✓`, and a run where
 * every gateway timed out printed 450 copies of one message. A gateway with held notices keeps its own
 * block; report.json lists every gateway. `takes` is asked once per gateway, in report order, so the
 * gateways are still read and said one at a time.
 */
function collapsedGateways(): {
  takes(gateway: GatewayReport): boolean;
  lines(): string[];
} {
  const healthyKey = '\u0000healthy';
  const keyOf = (g: GatewayReport): string | undefined =>
    g.ok
      ? g.findings.length === 0 &&
        g.configuration?.read !== false &&
        !g.poolsNotRead?.length &&
        !g.notReported &&
        g.servers > 0
        ? healthyKey
        : undefined
      : alikeKey(withoutOwnId(g.error?.message ?? '', g.id));
  const seen = new Map<string, number>();
  const groups = new Map<
    string,
    { count: number; names: string[]; deleted: boolean; text: string; undelivered: number }
  >();
  return {
    takes(gateway) {
      const key = keyOf(gateway);
      if (key === undefined || (!seen.has(key) && seen.size >= MAX_ALIKE_KEYS)) return false;
      const before = seen.get(key) ?? 0;
      seen.set(key, before + 1);
      if (before < (key === healthyKey ? HEALTHY_SHOWN : FAILED_ALIKE_SHOWN)) return false;
      const group = groups.get(key) ?? {
        count: 0,
        names: [],
        deleted: !gateway.ok && gateway.error?.code === GATEWAY_DELETED_CODE,
        text: gateway.ok ? '' : withoutOwnId(gateway.error?.message ?? '', gateway.id),
        undelivered: 0,
      };
      group.count += 1;
      if (gateway.undelivered?.length) group.undelivered += 1;
      if (group.names.length < 5) group.names.push(gateway.name);
      groups.set(key, group);
      return true;
    },
    lines() {
      return [...groups].flatMap(([key, { count, names, deleted, text, undelivered }]) => {
        const some = `${names.map((n) => field(n, 80)).join(', ')}${count > names.length ? ` and ${count - names.length} more` : ''}`;
        // Those a sink did not take are counted, not each said: a store down for 20 000 gateways.
        const notDelivered = undelivered
          ? `; ${undelivered === count ? (count === 1 ? 'it was' : 'all were') : `${undelivered} of them ${undelivered === 1 ? 'was' : 'were'}`} not delivered to a sink (report.json: gateways[].undelivered)`
          : '';
        return key === healthyKey
          ? [
              '',
              `✓ ${counted(count, 'more gateway')} with every server healthy: ${some} (report.json lists each)${notDelivered}`,
            ]
          : deleted
            ? [
                '',
                `✗ ${counted(count, 'more gateway')} deleted, as above: ${some}`,
                `    ${message(text, FAILURE_SHOWN)}`,
              ]
            : [
                '',
                `✗ ${counted(count, 'more gateway')} could not be checked, as above: ${some}`,
                `    ${message(text, FAILURE_SHOWN)}`,
              ];
      });
    },
  };
}

/**
 * A failure message with what differs between gateways that failed alike blanked (`#`): GUIDs (ARM's
 * tracking and correlation ids), hex runs of 16 or more, ISO times and decimal numbers (seconds waited).
 * An outage's 5xx each carry a tracking id: 30 gateways printed 30 lines of 590 characters, never
 * "as above" (a break trial). Whole numbers (a status, a time-out's ms) are kept: 500 is not 503.
 */
export function alikeKey(text: string): string {
  return text
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '#')
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?/g, '#')
    .replace(/\b[0-9a-f]{16,}\b/gi, '#')
    .replace(/\b\d+\.\d+\b/g, '#');
}

/** Readings not counted because a newer one was, named one per line; the rest counted. */
const OLDER_READINGS_SHOWN = 5;

/**
 * What notify did, under the gateways' blocks (the run's summary, `recheck`'s): the notifications line
 * (delivered, not delivered, and when nothing was delivered, why: held for a group, silenced, already
 * told), each receiver, each problem (describeNotifyProblems), the held notices counted, and the held
 * notices of gateways with no block of their own (`shown`: gatewayKey of those that have one). Empty
 * when notify had nothing to do or say. `config` as formatSummary's; `targetsNotListed`: the ids of the
 * run's targets that could not be listed (unreadWarning's advice); `anyDraining`: the run read a server
 * Draining (the "already told" clause says what that holds).
 */
export function notificationLines(
  notifications: NotificationsReport,
  shown: ReadonlySet<string>,
  config?: ConfigSource,
  targetsNotListed: readonly string[] = [],
  anyDraining = false,
): string[] {
  const lines: string[] = [];
  // A reading not counted because a newer one was is no failure: said under the line, never a "✗" of
  // its own with "1 problem below" (a break trial).
  const problems = describeNotifyProblems({ ...notifications, olderReadings: [] }, config);
  const delivered = notifications.deliveries.filter((d) => d.outcome === 'delivered').length;
  const held = heldEntries(notifications);
  if (problems.length) {
    // An unreadable state document hides its notices: "0 not delivered" would be a false all-clear.
    // The stored silences fail open: their error hides no notice.
    const hiding = notifications.stateErrors.filter((e) => !e.failedOpen).length;
    const unknown = hiding
      ? ` (not counting the notices of ${counted(hiding, 'state document')} that failed, below)`
      : '';
    // A problem that holds no notice back (an absence not confirmed, a document another run held) read
    // as "✗ 0 delivered, 0 not delivered" with nothing wrong in it (a trial): the header points below.
    // A dropped notice is lost, not waiting: "0 not delivered" beside it read as nothing lost (a trial).
    const dropped = notifications.dropped.length ? `, ${notifications.dropped.length} dropped` : '';
    const below =
      notifications.undelivered.length === 0 && !unknown && !dropped
        ? `; ${counted(problems.length, 'problem')} below`
        : '';
    lines.push(
      '',
      `✗ notifications: ${delivered} delivered${perhapsTwice(notifications)}, ${notifications.undelivered.length} not delivered${dropped}${unknown}${below}`,
    );
    lines.push(...receiverLines(notifications));
    for (const problem of problems) lines.push(`    ${message(problem, 1000)}`);
  } else if (notifications.deliveries.length || held.length || notifications.openEpisodes) {
    const why = delivered === 0 ? nothingSentWhy(notifications, anyDraining) : '';
    lines.push(
      '',
      `✓ notifications: ${delivered} delivered${perhapsTwice(notifications)}${why}`,
      ...receiverLines(notifications),
    );
  }
  // Under the notifications line when there is one; else a block of its own, not indented under the
  // last gateway's (a trial: it read as that gateway's).
  if (notifications.unread?.length) {
    const unread = message(unreadWarning(notifications.unread, targetsNotListed), 1000);
    lines.push(...(lines.length ? [`  ! ${unread}`] : ['', `! ${unread}`]));
  }
  const older = notifications.olderReadings ?? [];
  for (const reading of older.slice(0, OLDER_READINGS_SHOWN)) {
    const said = message(olderReadingText(reading), 1000);
    lines.push(...(lines.length ? [`  ! ${said}`] : ['', `! ${said}`]));
  }
  if (older.length > OLDER_READINGS_SHOWN)
    lines.push(
      `  ! and ${counted(older.length - OLDER_READINGS_SHOWN, 'more reading')} older than one counted (report.json: notifications.olderReadings)`,
    );
  lines.push(...heldCountLines(notifications));
  // Held notices of gateways this report has no block for (gone, or not evaluated by this run).
  const others = [...new Set(held.map((n) => n.gateway).filter((id) => !shown.has(gatewayKey(id))))];
  for (const id of others) {
    lines.push(`  ${gatewayNameOf(id)}:`);
    lines.push(...heldLines(notifications, { id, name: parseGatewayId(id)?.name ?? '' }, '    '));
  }
  return lines;
}

/**
 * A gateway's error under its own heading, its ARM id (which the heading names) left out: the id took
 * the start of the clipped line, and ARM's status and code after it were cut (issue 15's trial).
 */
function withoutOwnId(text: string, id: string): string {
  return id === '' ? text : text.split(` for ${id}`).join('').split(id).join('the gateway');
}

/**
 * What notify held or did not send, each entry naming its gateway (heldLines shows them under it):
 * silenced, grouped, ended first, awaiting recovery, held by a recheck confirmation.
 */
function heldEntries(notifications: NotificationsReport): ReadonlyArray<{ readonly gateway: string }> {
  return [
    ...notifications.silenced,
    ...(notifications.grouped ?? []),
    ...(notifications.endedInGroup ?? []),
    ...(notifications.awaitingRecovery ?? []),
    ...(notifications.heldByConfirmation ?? []),
  ];
}

/**
 * What notify did for one gateway (`recheck`): its held notices (as under its block in a run's summary),
 * then notificationLines. Empty when notify had nothing to do or say.
 */
export function gatewayNotificationLines(
  notifications: NotificationsReport,
  gateway: { readonly id: string; readonly name: string },
  config?: ConfigSource,
): string[] {
  return [
    ...heldLines(notifications, gateway, '  '),
    ...notificationLines(notifications, new Set([gatewayKey(gateway.id)]), config),
  ];
}

/**
 * Of the notices delivered, those an earlier send may have reached already (NoticeDeliveryReport
 * .mayHaveReachedBefore), in one clause: ` (2 perhaps received before, same ids: …)`; empty when none. A
 * trial: the run after one whose state write a stop cut short sent its notices again and said "2
 * delivered", where the receiver had likely had them.
 */
function perhapsTwice(notifications: NotificationsReport): string {
  const twice = notifications.deliveries.filter(
    (d) => d.outcome === 'delivered' && d.mayHaveReachedBefore === true,
  ).length;
  return twice
    ? ` (${twice} perhaps received before, same ids: an earlier send may have reached the receiver without our knowing: it got no answer or a gateway's 502/504, or its run stopped before recording it)`
    : '';
}

/**
 * Why a run that delivered nothing sent nothing, in one clause: ` (nothing due: 2 notices held for their
 * group's next message, 1 open episode already told …)`; empty when there is nothing to say.
 */
function nothingSentWhy(notifications: NotificationsReport, anyDraining: boolean): string {
  // Every silenced notice (held, and ended while silenced): the count the line below gives
  // (heldCountLines), so the two never disagree ("1 notice silenced", then "2 notices silenced").
  const silenced = notifications.silenced.length;
  const grouped = (notifications.grouped ?? []).length;
  const ended = (notifications.endedInGroup ?? []).length;
  const awaiting = (notifications.awaitingRecovery ?? []).length;
  const confirmed = (notifications.heldByConfirmation ?? []).length;
  const { told = 0, notYetTold = 0, inhibited = 0, noReceiver = 0 } = notifications.openEpisodes ?? {};
  // Of noReceiver, those whose degraded went to receivers since renamed or removed (UnroutedReport.toldTo).
  const orphaned = (notifications.unrouted ?? []).filter((u) => u.toldTo).length;
  const parts = [
    grouped ? `${counted(grouped, 'notice')} held for the group's next message` : '',
    silenced ? `${counted(silenced, 'notice')} silenced` : '',
    ended ? `${counted(ended, 'notice')} whose episode ended first` : '',
    awaiting ? `${counted(awaiting, 'episode')} awaiting more runs not bad (notify.recoverAfter)` : '',
    told
      ? `${counted(told, 'open episode')} already told (reminded at most every notify.repeatInterval while still bad${
          // Only when the run saw a server draining: said of none, it read as a server draining (a new-user trial).
          anyDraining ? '; a server now Draining is held until healthy or gone' : ''
        })`
      : '',
    // Episodes, not "bad servers": one not yet told is held while its server drains (decide.ts).
    notYetTold ? `${counted(notYetTold, 'episode')} not told yet (notify.for)` : '',
    // Not notify.for: the gateway-level notice stands for them until its episode ends (inhibit.ts).
    inhibited
      ? `${counted(inhibited, 'episode')} held by the gateway-level episode (notify.inhibit: open until the gateway has not been all bad for notify.recoverAfter runs)`
      : '',
    noReceiver > orphaned ? `${counted(noReceiver - orphaned, 'bad server')} no receiver's match takes` : '',
    orphaned ? `${counted(orphaned, 'bad server')} told only to receivers no longer configured` : '',
    confirmed
      ? `${counted(confirmed, 'bad server')} held closed by a recheck confirmation (the gateway's reading may lag)`
      : '',
  ].filter(Boolean);
  return parts.length ? ` (nothing due: ${parts.join(', ')})` : '';
}

/** Gateways named under the run's configuration line; the rest are counted (report.json lists each). */
const UNREAD_SHOWN = 5;

/**
 * The run's configuration line (report `configuration.message`: how many insights give the general
 * steps, and what to grant), then the gateways whose configuration was not read, each with why.
 */
function configurationLines(report: RunReport): string[] {
  const configuration = report.configuration;
  if (!configuration) return [];
  const lines = [`! ${field(configuration.message, 2000)}`];
  const unread = report.gateways.filter((g) => g.configuration && !g.configuration.read);
  for (const gateway of unread.slice(0, UNREAD_SHOWN))
    lines.push(`    ${gatewayName(gateway)}: ${gateway.configuration?.reason ?? 'unavailable'}`);
  if (unread.length > UNREAD_SHOWN)
    lines.push(`    and ${unread.length - UNREAD_SHOWN} more (report.json: gateways[].configuration)`);
  return lines;
}

/** Held notices named per gateway and kind; the rest are counted (report.json lists every one). */
const HELD_SHOWN = 5;

/**
 * The notices of `gateway` this run held back, under its own block: those a silence holds (with
 * until when) or ended while silenced, and those waiting for their group's next message (with from
 * when). Each with its type and severity (a raise said so). Empty when none.
 */
function heldLines(
  notifications: NotificationsReport | undefined,
  gateway: { readonly id: string; readonly name: string },
  indent: string,
): string[] {
  if (!notifications) return [];
  const key = gatewayKey(gateway.id);
  const silenced = notifications.silenced.filter((s) => gatewayKey(s.gateway) === key);
  const grouped = (notifications.grouped ?? []).filter((g) => gatewayKey(g.gateway) === key);
  const ended = (notifications.endedInGroup ?? []).filter((g) => gatewayKey(g.gateway) === key);
  const awaiting = (notifications.awaitingRecovery ?? []).filter((a) => gatewayKey(a.gateway) === key);
  const confirmed = (notifications.heldByConfirmation ?? []).filter((c) => gatewayKey(c.gateway) === key);
  const unrouted = (notifications.unrouted ?? []).filter((u) => gatewayKey(u.gateway) === key);
  const lines: string[] = [];
  const server = (text: string) => {
    // The gateway-level episode (notify.inhibit) reads as the gateway, not as a server path.
    if (text.endsWith(GATEWAY_LEVEL_PATH)) return field(gatewayLevelName(text), 400);
    return field(
      gateway.name && text.startsWith(`${gateway.name}/`) ? text.slice(gateway.name.length + 1) : text,
      400,
    );
  };
  if (silenced.length) {
    lines.push(`${indent}silenced: ${counted(silenced.length, 'notice')} not sent`);
    for (const s of silenced.slice(0, HELD_SHOWN)) lines.push(`${indent}    ${silencedText(s, server)}`);
    if (silenced.length > HELD_SHOWN)
      lines.push(
        `${indent}    and ${silenced.length - HELD_SHOWN} more (report.json: notifications.silenced)`,
      );
  }
  // On time, not a problem: per receiver, how many wait, until when, and the setting that holds them;
  // and who sends them (recheck's trial: a recovered held for its group read as kept by recheck).
  for (const [receiver, notices] of byReceiver(grouped)) {
    const next = [...notices].sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
    lines.push(
      `${indent}${field(receiver, 80)}: ${counted(notices.length, 'notice')} held for the group's next message until ${field(next?.dueAt ?? '', 40)} (${dueByText(next?.dueBy)}): the first run after then sends it`,
    );
    for (const g of notices.slice(0, HELD_SHOWN)) lines.push(`${indent}    ${groupedText(g, server)}`);
    if (notices.length > HELD_SHOWN)
      lines.push(`${indent}    and ${notices.length - HELD_SHOWN} more (report.json: notifications.grouped)`);
  }
  if (ended.length) {
    // Not a problem either: the episode ended while its notices waited for the group, or before the
    // receiver took its first notice (grouping.ts, dropEndedEpisodes), or it waited for a receiver no
    // `recovered` goes to (dropOutlivedNotices); each line says which.
    lines.push(
      `${indent}${counted(ended.length, 'notice')} not sent: ${ended.length === 1 ? 'its episode' : 'their episodes'} ended first`,
    );
    for (const g of ended.slice(0, HELD_SHOWN))
      lines.push(
        `${indent}    ${field(shownType(g), 20)} (${noticeLabel(g)}) ${server(g.server)} to ${field(g.receiver, 80)}: ${field(g.reason, 200)}`,
      );
    if (ended.length > HELD_SHOWN)
      lines.push(
        `${indent}    and ${ended.length - HELD_SHOWN} more (report.json: notifications.endedInGroup)`,
      );
  }
  if (awaiting.length) {
    // Not bad now, but `recovered` waits for notify.recoverAfter such runs in a row (hysteresis). Not
    // "healthy again": a run without the server bad may find it in a state not reported (Unknown left
    // out of unhealthyStates), and "healthy again" was said of it (a break trial).
    // The gateway-level episode is not a server: it is no longer all bad, not healthy again.
    const servers = awaiting.filter((a) => !a.server.endsWith(GATEWAY_LEVEL_PATH)).length;
    const what = [
      awaiting.length > servers ? 'the gateway no longer all bad' : '',
      servers ? `${counted(servers, 'server')} no longer bad` : '',
    ].filter(Boolean);
    lines.push(
      `${indent}${what.join(', ')}, recovered not sent yet: awaiting more runs not bad (notify.recoverAfter)`,
    );
    for (const a of awaiting.slice(0, HELD_SHOWN))
      lines.push(
        `${indent}    ${server(a.server)}: ${a.goodRuns} of ${a.recoverAfter} runs not bad (degraded since ${field(a.degradedSince, 40)})`,
      );
    if (awaiting.length > HELD_SHOWN)
      lines.push(
        `${indent}    and ${awaiting.length - HELD_SHOWN} more (report.json: notifications.awaitingRecovery)`,
      );
  }
  // Told to nobody: every receiver's `match` refused the degraded (a gap in the routing, said per server
  // so it can be found: issue 16's trial), or it went only to receivers since renamed or removed.
  const unmatched = unrouted.filter((u) => !u.toldTo);
  const orphaned = unrouted.filter((u) => u.toldTo);
  const unroutedGroups: Array<[typeof unrouted, string]> = [
    [
      unmatched,
      `told to no receiver: no receiver's match takes ${unmatched.length === 1 ? 'its' : 'their'} degraded (sinks.webhooks[].match)`,
    ],
    [
      orphaned,
      `told to no receiver configured now: ${orphaned.length === 1 ? 'its' : 'their'} degraded went only to ${field([...new Set(orphaned.flatMap((u) => u.toldTo ?? []))].join(', '), 200)}, since renamed or removed (a receiver added or renamed hears of an open episode only from its next degraded)`,
    ],
  ];
  for (const [group, why] of unroutedGroups) {
    if (!group.length) continue;
    lines.push(`${indent}${counted(group.length, 'bad server')} ${why}`);
    for (const u of group.slice(0, HELD_SHOWN))
      lines.push(
        `${indent}    ${server(u.server)} (${field(u.severity, 20)}, degraded since ${field(u.degradedSince, 40)})`,
      );
    if (group.length > HELD_SHOWN)
      lines.push(`${indent}    and ${group.length - HELD_SHOWN} more (report.json: notifications.unrouted)`);
  }
  if (confirmed.length) {
    // Bad in this run, but a recheck confirmed them healthy moments ago: the gateway's reading lags.
    lines.push(
      `${indent}${counted(confirmed.length, 'server')} read bad, no notice: held closed by a recheck confirmation (the gateway's backend-health reading may lag)`,
    );
    for (const c of confirmed.slice(0, HELD_SHOWN))
      lines.push(
        `${indent}    ${server(c.server)}: confirmed healthy at ${field(c.confirmedAt, 40)}, held closed until ${field(c.until, 40)} (an episode opens if still bad then)`,
      );
    if (confirmed.length > HELD_SHOWN)
      lines.push(
        `${indent}    and ${confirmed.length - HELD_SHOWN} more (report.json: notifications.heldByConfirmation)`,
      );
  }
  return lines;
}

/** How a gateway-level record's server path ends (`gw/(every pool)/(every setting)/(every server)`). */
const GATEWAY_LEVEL_PATH = `/${GATEWAY_SCOPE.backendPool}/${GATEWAY_SCOPE.backendSettings}/${GATEWAY_SCOPE.address}`;

/** Grouped notices per receiver, in the order first met. */
function byReceiver(grouped: readonly GroupedNoticeReport[]): Map<string, GroupedNoticeReport[]> {
  const by = new Map<string, GroupedNoticeReport[]>();
  for (const g of grouped) by.set(g.receiver, [...(by.get(g.receiver) ?? []), g]);
  return by;
}

/** The setting that holds a group's next message, and from what it counts. */
function dueByText(dueBy: GroupedNoticeReport['dueBy']): string {
  if (dueBy === 'notify.groupWait') return "notify.groupWait, from the group's first notice";
  if (dueBy === 'notify.groupInterval') return "notify.groupInterval, from the group's last message";
  return 'notify.groupWait/groupInterval';
}

/** `degraded (critical, raised from warning) pool/settings/10.0.1.4: held by maint until …`. */
function silencedText(s: SilencedReport, server: (text: string) => string): string {
  const what = `${field(s.type, 20)} (${severityLabel({ ...s, type: s.outcome === 'held' ? s.type : 'recovered' })}) ${server(s.server)}`;
  const by = s.silenceIds.map((id) => field(id, 80)).join(', ');
  if (s.outcome === 'ended-silenced')
    return `${what}: recovered while silenced by ${by}: neither degraded nor recovered is sent`;
  // Held by the gateway-level episode too: the silence's end sends nothing (notify.inhibit).
  return `${what}: held by ${by}${s.until ? ` until ${field(s.until, 40)}` : ''}${
    s.inhibited
      ? ', and by the gateway-level episode (notify.inhibit): sent once that episode ends, if still bad'
      : ', then sent if still bad'
  }`;
}

/**
 * A notice's severity label (`critical, raised from warning`), and a changed cause after it (`cause
 * changed from probe-timeout`), as a raise is: the line is news, not a duplicate (issue 16's trial).
 */
function noticeLabel(
  n: Parameters<typeof severityLabel>[0] & { readonly causeChangedFrom?: string },
): string {
  return `${severityLabel(n)}${n.causeChangedFrom ? `, cause changed from ${field(n.causeChangedFrom, 60)}` : ''}`;
}

/** `degraded (critical) pool/settings/10.0.1.4 to webhook[ops] from …`. */
function groupedText(g: GroupedNoticeReport, server: (text: string) => string): string {
  return `${field(shownType(g), 20)} (${noticeLabel(g)}) ${server(g.server)} to ${field(g.receiver, 80)} from ${field(g.dueAt, 40)}${g.ended !== undefined ? ` (episode ended: ${field(g.ended, 200)})` : ''}`;
}

/** The run's held notices counted, under the notifications line: silenced (held, ended) and grouped. */
function heldCountLines(notifications: NotificationsReport): string[] {
  const lines: string[] = [];
  const held = notifications.silenced.filter((s) => s.outcome === 'held');
  if (notifications.silenced.length) {
    const ended = notifications.silenced.length - held.length;
    const until = held
      .map((s) => s.until ?? '')
      .filter(Boolean)
      .sort();
    lines.push(
      `  ${counted(notifications.silenced.length, 'notice')} silenced: ${held.length} held${until.length ? ` (the first until ${field(until[0] ?? '', 40)})` : ''}, ${ended} ended while silenced (each under its gateway)`,
    );
  }
  const grouped = notifications.grouped ?? [];
  if (grouped.length)
    lines.push(
      `  ${counted(grouped.length, 'notice')} held for the group's next message (the first goes at ${field(grouped.map((g) => g.dueAt).sort()[0] ?? '', 40)}; each under its gateway)`,
    );
  const ended = notifications.endedInGroup ?? [];
  if (ended.length)
    lines.push(
      `  ${counted(ended.length, 'notice')} not sent: ${ended.length === 1 ? 'its episode' : 'their episodes'} ended first (each under its gateway, with why)`,
    );
  const awaiting = notifications.awaitingRecovery ?? [];
  if (awaiting.length)
    lines.push(
      `  ${counted(awaiting.length, 'open episode')} awaiting more runs not bad before recovered (notify.recoverAfter; each under its gateway)`,
    );
  const confirmed = notifications.heldByConfirmation ?? [];
  if (confirmed.length)
    lines.push(
      `  ${counted(confirmed.length, 'server')} read bad but held closed by a recheck confirmation (the first until ${field(confirmed.map((c) => c.until).sort()[0] ?? '', 40)}; each under its gateway)`,
    );
  return lines;
}

/**
 * One vocabulary for health: the value as ARM (or the saved body) reported it, which is what the
 * portal, az and PowerShell show (`Down`, `Unhealthy`, `Partial`), and beside it the state it was read
 * as (src/core/health.ts: `Down` and `Unhealthy` are both `unhealthy`; a value we do not know is
 * `unrecognised`).
 */
export function healthText(finding: Pick<FindingReport, 'health' | 'state'>): string {
  const reported = field(finding.health, 40) || '(none)';
  return `${reported} (${finding.state})`;
}

/**
 * Where the sinks put insights, from their receipts' locations: the folder sink's `<dir>/insights`,
 * the blob sink's `<container URL>/<prefix>latest/insights/`. Each finding's `insight` path is
 * relative to the folder that holds `insights/`.
 */
function insightRoots(locations: readonly string[]): string[] {
  const roots = locations
    .map((l) => /^(.*?)insights[\\/]?$/.exec(l)?.[1])
    .filter((root): root is string => root !== undefined);
  return [...new Set(roots)];
}

/**
 * The sinks that did not take gateway `id`'s insights and result, for a report whose gateways do not
 * say it (GatewayReport.undelivered: a report of an earlier release): the deliveryErrors naming its
 * delivery (src/pipeline/deliver-run-report.ts deliveredWhat). Those past the listed ones (a closing
 * entry's `omitted`) are not known by gateway.
 */
function undeliveredTo(errors: RunReport['deliveryErrors'], id: string): string[] {
  const document = `insights and result of gateway ${id}`;
  return [...new Set(errors.filter((e) => e.document === document).map((e) => e.sink ?? 'a sink'))];
}

/** The insight page of a finding in each sink (its path relative to the sink when none is known). */
function insightFiles(finding: FindingReport, roots: readonly string[]): string[] {
  if (roots.length === 0) return [finding.insight.html];
  return roots.map((root) =>
    /^https?:\/\//i.test(root) ? `${root}${finding.insight.html}` : path.join(root, finding.insight.html),
  );
}

/**
 * A server path as the summary names it: the gateway-level episode's as `every-server-bad episode of
 * <gateway>`, what it is. "every server of <gateway>" read as all clear beside `recovered` while one of
 * them was still down (a new-user trial: "1 recovered …: every server of appgw-static").
 */
function gatewayLevelName(server: string): string {
  return server.endsWith(GATEWAY_LEVEL_PATH)
    ? `every-server-bad episode of ${server.slice(0, -GATEWAY_LEVEL_PATH.length)}`
    : server;
}

/** Most servers named per receiver; the rest are counted. */
const SERVERS_SHOWN = 5;

/**
 * Per receiver: how many notices it took, of which kind (`degraded`, `still-degraded`, `recovered`),
 * for which servers; and how many it did not (the lines of describeNotifyProblems say why).
 */
function receiverLines(notifications: NotificationsReport): string[] {
  const receivers = [
    ...new Set([...notifications.deliveries.map((d) => d.receiver), ...Object.keys(notifications.pending)]),
  ];
  return receivers.map((receiver) => {
    const taken = notifications.deliveries.filter(
      (d) => d.receiver === receiver && d.outcome === 'delivered',
    );
    const byType = new Map<string, number>();
    // By type and severity; a degraded sent again because the severity rose is counted apart.
    for (const d of taken) {
      // An episode ended without a recovery is never counted as "recovered" (deliveries[].ended).
      const type = shownTypeWithWhy(d);
      const kind = d.severity ? `${type} [${noticeLabel(d)}]` : type;
      byType.set(kind, (byType.get(kind) ?? 0) + 1);
    }
    const kinds = [...byType].map(([type, count]) => `${count} ${type}`).join(', ');
    const servers = [...new Set(taken.map((d) => gatewayLevelName(d.server)))];
    const named =
      servers.length > SERVERS_SHOWN
        ? `${servers.slice(0, SERVERS_SHOWN).join(', ')} and ${servers.length - SERVERS_SHOWN} more`
        : servers.join(', ');
    const pending = notifications.pending[receiver] ?? 0;
    const what = taken.length ? ` (${field(kinds, 480)}): ${field(named, 400)}` : '';
    const left = pending ? `; ${pending} not delivered` : '';
    return `    ${field(receiver, 80)}: ${taken.length} delivered${what}${left}`;
  });
}

/**
 * Characters shown of one delivery error: our messages are a few hundred characters with their advice
 * last (names in them are capped where they are made); only a message far longer is clipped.
 */
const MESSAGE_SHOWN = 2000;
/** A gateway's configuration failure, from its start: room for the action and the status ARM named. */
const CONFIGURATION_SHOWN = 240;

/** Errors shown per sink; the rest are counted (report.json's deliveryErrors lists more, each in the log). */
const ERRORS_SHOWN = 5;

/**
 * Per sink that failed (the folder, the blob container, the status page's histories): how many of its
 * deliveries failed (a closing entry's `omitted` counted in) and the first few, each naming its
 * document, so a run that exits 2 with every gateway checked says why on stdout, not only in stderr's
 * warnings.
 */
function deliveryErrorLines(errors: RunReport['deliveryErrors']): string[] {
  const bySink = new Map<string, RunReport['deliveryErrors'][number][]>();
  for (const error of errors) {
    const sink = error.sink ?? 'delivery';
    bySink.set(sink, [...(bySink.get(sink) ?? []), error]);
  }
  return [...bySink].flatMap(([sink, failures]) => {
    const named = failures.filter((f) => f.omitted === undefined);
    const total = failedDeliveries(failures);
    // The same failure of every gateway (a folder that cannot be written) is said once, counted.
    const distinct = new Map<string, number>();
    for (const f of named) {
      const text = `${namedIn(f)}${f.message}`;
      distinct.set(text, (distinct.get(text) ?? 0) + 1);
    }
    const shown = [...distinct].slice(0, ERRORS_SHOWN);
    const more = total - shown.reduce((sum, [, count]) => sum + count, 0);
    return [
      '',
      `✗ ${field(sink, 80)}: ${counted(total, 'failure')}`,
      // Whole up to MESSAGE_SHOWN: the advice closes each message, and clipping at 400 cut it off.
      ...shown.map(
        ([text, count]) => `    ${message(text, MESSAGE_SHOWN)}${count > 1 ? ` (${count} times)` : ''}`,
      ),
      ...(more > 0
        ? [
            `    and ${more} more (report.json: deliveryErrors${total > named.length ? ` lists ${named.length}` : ''}; each is in the log)`,
          ]
        : []),
    ];
  });
}

/** What failed, before a message that does not name it itself ("Delivery to blob failed: HTTP 503"). */
function namedIn(error: RunReport['deliveryErrors'][number]): string {
  return error.document && !error.message.includes(error.document) ? `${field(error.document, 200)}: ` : '';
}

/** Gateways named in the line of those no target lists any more that were deleted; the rest are counted. */
const UNLISTED_DELETIONS_SHOWN = 10;

/**
 * The gateways no target lists any more that ARM confirmed deleted this run (RunReport.deletedUnlisted),
 * in one block: which, and that their open episodes ended. Not read, they are in no gateway's block nor
 * the first line's count, and the run said of them only a `recovered` while the status page marked them
 * deleted (a new-user trial). Names are from ARM (via the notify state): made safe and clipped. Empty
 * when none.
 */
function unlistedDeletionLines(deleted: readonly UnlistedDeletionReport[]): string[] {
  if (deleted.length === 0) return [];
  const one = deleted.length === 1;
  const names = namedList(
    deleted.map(
      (g) => `${field(g.name, 80)} (${field(g.resourceGroup, 90)}, ${field(g.subscriptionId, 64)})`,
    ),
    UNLISTED_DELETIONS_SHOWN,
  );
  const more = deleted.length > UNLISTED_DELETIONS_SHOWN ? ' (report.json: deletedUnlisted)' : '';
  return [
    '',
    `${counted(deleted.length, 'gateway')} that no target lists any more ${one ? 'was' : 'were'} deleted (ARM confirmed ${one ? 'it' : 'each'}): ` +
      `${names}${more}; ${one ? 'its' : 'their'} open episodes ended.`,
  ];
}

/**
 * `The run was interrupted: 3 gateways not done (above), read by the next run; and 1 target not listed.`:
 * an interrupted run's last line (notOkReasons gives none for it): what the stop left undone, then what
 * failed besides (failedBesidesInterruption), which the next run does not mend by itself.
 */
function interruptedVerdict(report: RunReport): string {
  const interrupted = report.interrupted as RunInterruptionReport;
  const notDone = interrupted.notDone.length;
  const cutTargets = cutTargetsOf(report);
  // Stopped while its targets were listed: their gateways were not started either (a break trial read
  // "after its last gateway" of a run that had none; another left the target off beside gateways).
  const parts = [
    ...(notDone > 0 ? [`${counted(notDone, 'gateway')} not done`] : []),
    ...(cutTargets > 0 ? [`${counted(cutTargets, 'target')} not listed before the stop`] : []),
  ];
  const undone = parts.length > 0 ? `${parts.join(' and ')} (above), read by the next run` : undefined;
  const besides = failedBesidesInterruption(report);
  const also = besides.length ? `; and ${besides.join('; ')}` : '';
  return undone === undefined
    ? // A final break trial: the stop came during a notice's send whose try got its answer, and "what it
      // did not do is said above" pointed at nothing.
      `The run was interrupted after its last gateway was done: what the stop cut short, if anything, is said above and done by the next run${also}.`
    : `The run was interrupted: ${undone}${also}.`;
}

/** How many targets the run's interruption left unlisted (their error RunInterrupted). */
function cutTargetsOf(report: RunReport): number {
  return report.targets.filter((t) => t.error?.code === RUN_INTERRUPTED_CODE).length;
}

/** Names shown of the gateways an interrupted run did not do; the rest are counted (all are in report.json). */
const NOT_DONE_SHOWN = 10;

/** Why the run stopped, and the gateways it did not do (not failed: nothing was decided for them). */
function interruptedLines(interrupted: RunInterruptionReport): string[] {
  const lines = [`✗ interrupted: ${message(interrupted.message, 400)}`];
  const { notDone } = interrupted;
  if (notDone.length === 0) return lines;
  const names = notDone.slice(0, NOT_DONE_SHOWN).map(gatewayNameOf);
  const more = notDone.length > NOT_DONE_SHOWN ? `, and ${notDone.length - NOT_DONE_SHOWN} more` : '';
  lines.push(`    not done (${counted(notDone.length, 'gateway')}): ${names.join(', ')}${more}`);
  return lines;
}

/** `name (resource group)`: how the summary names a gateway, each part made safe and clipped. */
function gatewayName(gateway: { readonly name: string; readonly resourceGroup: string }): string {
  return `${field(gateway.name, 80)} (${field(gateway.resourceGroup, 90)})`;
}

/** The gateway of ARM id `id` as gatewayName names it; the id itself (clipped) when it is not one. */
function gatewayNameOf(id: string): string {
  const gateway = parseGatewayId(id);
  return gateway ? gatewayName(gateway) : field(id, 400);
}

/**
 * The report as JSON, or the human summary with where the sinks wrote. Resolves once stdout has taken
 * it (the JSON waits for a slow reader: write-pieces.ts).
 */
export async function printRun(
  report: RunReport,
  receipts: ReadonlyArray<{ receipt: { locations: readonly string[] } }>,
  asJson = false,
  config?: ConfigSource,
): Promise<void> {
  if (asJson) {
    // terminalJson's text, written in pieces as stdout takes them: a report of 20 000 gateways is never
    // one string, nor all queued at once in stdout's buffer (issue 14).
    await writePieces(process.stdout, terminalJsonPieces(report));
    process.stdout.write('\n');
    return;
  }
  // Written as stdout takes it, a gateway's block at a time, as --json is (issue 14).
  const lines = summaryLines(
    report,
    receipts.flatMap((r) => r.receipt.locations),
    config,
  );
  await writePieces(process.stdout, linesInPieces(lines));
}

/** `lines`, each ended by a line break, in pieces of about PIECE_CHARACTERS (few writes to stdout). */
function* linesInPieces(lines: Iterable<string>): Generator<string> {
  let piece = '';
  for (const line of lines) {
    piece += `${line}\n`;
    if (piece.length < PIECE_CHARACTERS) continue;
    yield piece;
    piece = '';
  }
  if (piece) yield piece;
}

const PIECE_CHARACTERS = 16 * 1024;
