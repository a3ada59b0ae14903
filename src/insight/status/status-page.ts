import { capText } from '../../core/caps';
import { fnv1a32 } from '../../core/hash';
import { clipMessage } from '../../core/text-clip';

/**
 * Longest error message of a gateway's read a page shows, in code points: its start (what failed, after
 * the gateway's ARM id of up to ~200 characters) and its end (what to do), the cut marker between
 * (core/text-clip.ts clipMessage). A target's failure (a short id) keeps 300.
 */
const ERROR_MESSAGE_CHARS = 600;
import type { CauseId } from '../../core/causes';
import type { HealthState } from '../../core/model';
import { DELIVERY_NOT_KNOWN, type UndeliveredSink } from '../../core/status/history';
import { notReportedText, type NotReportedCounts } from '../../core/not-reported';
import { escapeHtml } from '../html-page';
import { formatUtc } from '../values';
import {
  TIMELINE_SLOTS,
  type GatewayStatus,
  type ServerStatus,
  type SlotState,
  type StatusFrame,
  type StatusView,
  compareNames,
} from './status-view';
import { ERROR_CODES } from '../../core/error-codes';

/**
 * The status page (`index.html`): every gateway → pool (and HTTP settings) → server with its health,
 * the likely cause linking to its insight, and a timeline over the retained history; the page's time
 * and each gateway's last successful read, stale ones said so in words.
 *
 * One standalone HTML file: inline CSS and SVG, no external asset, no request; readable without
 * JavaScript (a small inline script only adds a filter); state always in words and symbols beside the
 * colour, and the timeline's states differ by bar height too. Every value (names, addresses, error
 * messages: untrusted) is HTML-escaped. Compact on purpose, as a thousand servers are mostly rows:
 * about 60 bytes a healthy row, 150 one not healthy (its link, `s/<gateway>/<server>.html`, and cause),
 * 100 more for a timeline that changed (optional end tags left out, plain attribute values unquoted,
 * steady timelines a CSS bar named by a shared label), so 100 gateways of 10 servers with 20-character
 * names stay under 200 000 bytes however many are not healthy (test/insight/status/status-page.test.ts).
 */
export function renderStatusPage(view: StatusView): string {
  const tally = emptyPageTally();
  for (const gateway of view.gateways) addToPageTally(tally, gateway);
  return `${statusPageHead(view, tally)}${view.gateways.map(gatewaySection).join('\n')}${statusPageTail()}`;
}

/**
 * What the page's top counts of its gateways (statusPageHead), added up one gateway at a time
 * (addToPageTally), so a page can be written without holding every gateway's status.
 */
/**
 * Whether a page of `tally` shows no reading of any server: no gateway read by this run, and no server
 * of a stale or deleted gateway as last read (their histories' readings). Such a page, made when the
 * histories could not be listed or read, holds nothing the published page did not (Delivery
 * .keepPublishedPage; a break trial: 15 stale gateways, "no server of them ever read", replaced a page
 * of 37 servers not healthy).
 */
export function showsNoReading(tally: Pick<PageTally, 'fresh' | 'staleServers' | 'deletedServers'>): boolean {
  return tally.fresh === 0 && tally.staleServers === 0 && tally.deletedServers === 0;
}

export interface PageTally {
  /** Gateways read by this run (not stale). */
  fresh: number;
  /** Their servers: reported (with a cause), healthy, and each other state. */
  servers: number;
  reported: number;
  healthy: number;
  readonly others: Map<HealthState, number>;
  /** Stale gateways, and their servers (as last read, not counted above). */
  stale: number;
  staleServers: number;
  /** Of `stale`, those no read of which ever succeeded (none kept): "their N servers as last read" is not theirs. */
  staleNeverRead: number;
  /**
   * Of staleServers, those not healthy when last read (reported, with a cause) of gateways the run
   * meant to read (stillWatched).
   */
  staleReported: number;
  /**
   * Gateways with servers not healthy: read by this run (reported), or stale but still watched with
   * servers not healthy as last read (staleReported: the title counts those, and a lead that did not
   * name them left a title's count with no gateway to it, a new-user trial), the first BAD_GATEWAYS_NAMED in
   * page order (compareNames, whatever order they are added in), each with its count, named at the top
   * with a link to its section; `badGateways` counts all of them.
   */
  readonly badNamed: Array<{
    readonly gateway: GatewayStatus['gateway'];
    readonly reported: number;
    /** A stale gateway's, as last read (the title counts them: the lead must name them too). */
    readonly asLastRead?: boolean;
  }>;
  badGateways: number;
  /**
   * Gateways read by this run whose reading lacked pools their configuration routes to
   * (GatewayStatus.poolsNotRead): their servers were not read, so the counts above leave them out.
   */
  incomplete: number;
  /**
   * Servers of those gateways' pools the reading lacked, shown as last read before it
   * (ServerStatus.asReadAt), not counted in `servers`; `incompleteReported`: of them, those not healthy
   * then (reported, with a cause).
   */
  incompleteServers: number;
  incompleteReported: number;
  /**
   * Gateways ARM confirmed deleted (confirmedDeleted): shown as last read, marked so, counted nowhere
   * else (a new-user trial: the title said "1 stale gateway" of a deleted one for the whole retention).
   */
  deleted: number;
  /** Their servers as last read: none when no read of them ever succeeded (a gateway named by id, never there). */
  deletedServers: number;
  /**
   * Gateways read by this run, whole, that listed no backend server (servesNothing): every routed pool
   * emptied. "0 not healthy" alone read as all well of a gateway that serves nothing (a break trial).
   */
  unserved: number;
  /**
   * Gateways (not deleted) whose last successful reading's insights and result did not reach a sink
   * (GatewayStatus.undelivered): their cause links may open nothing there, or an earlier reading's
   * page. The page said nothing of it (a break trial).
   */
  undelivered: number;
}

export function emptyPageTally(): PageTally {
  return {
    fresh: 0,
    servers: 0,
    reported: 0,
    healthy: 0,
    others: new Map(),
    stale: 0,
    staleServers: 0,
    staleNeverRead: 0,
    staleReported: 0,
    badNamed: [],
    badGateways: 0,
    incomplete: 0,
    incompleteServers: 0,
    incompleteReported: 0,
    deleted: 0,
    deletedServers: 0,
    unserved: 0,
    undelivered: 0,
  };
}

/**
 * Whether this run read `status`'s gateway whole and it listed no backend server: its routed pools
 * have no members, so it serves nothing (the CLI summary marks it `!` too).
 */
export function servesNothing(status: GatewayStatus): boolean {
  return (
    !status.stale && !status.poolsNotRead?.length && status.pools.every((pool) => pool.servers.length === 0)
  );
}

/** Gateways with servers not healthy named at the page's top; the rest are counted. */
const BAD_GATEWAYS_NAMED = 10;

/**
 * The servers of `status` not healthy (reported, with a cause) as the title counts them: this run's, or
 * a stale gateway's as last read while still watched (stillWatched); 0 for a stale gateway no longer
 * watched.
 */
function reportedServers(status: GatewayStatus): number {
  if (status.stale && !stillWatched(status)) return 0;
  return status.pools.reduce((n, pool) => n + pool.servers.filter((s) => s.cause !== null).length, 0);
}

/**
 * Whether a stale gateway is one the run meant to read: its read failed, the run was interrupted before
 * it, or its target could not be listed. One outside the run's targets (narrowed, deleted, moved to
 * another resource group) is shown as last read, but its servers are not counted in the title: a
 * deleted gateway's down server was counted for the whole retention (a break trial).
 */
function stillWatched(status: GatewayStatus): boolean {
  if (confirmedDeleted(status)) return false;
  return status.stale === 'failed' || (status.notRead !== undefined && status.notRead.by !== 'listing');
}

/**
 * Whether ARM confirmed the gateway deleted at its last read (its history's `lastError`, kept only while
 * later than its last successful read): shown as last read, never counted as down (a new-user trial: a
 * deleted gateway named in the targets kept its down servers in the title).
 */
function confirmedDeleted(status: GatewayStatus): boolean {
  return status.stale !== undefined && status.lastError?.code === ERROR_CODES.gatewayDeleted;
}

/**
 * Counts `status` in `tally` (changed in place) as the page's top counts it: a stale gateway's servers
 * are as last read, not this run's, so they are told apart rather than added in.
 */
export function addToPageTally(tally: PageTally, status: GatewayStatus): void {
  if (confirmedDeleted(status)) {
    tally.deleted++;
    // Counted nowhere else, as its servers are not; its section still says it.
    for (const pool of status.pools) tally.deletedServers += pool.servers.length;
    return;
  }
  for (const pool of status.pools) {
    for (const server of pool.servers) {
      if (status.stale) {
        tally.staleServers++;
        if (server.cause !== null && stillWatched(status)) tally.staleReported++;
        continue;
      }
      if (server.asReadAt) {
        tally.incompleteServers++;
        if (server.cause !== null) tally.incompleteReported++;
        continue;
      }
      tally.servers++;
      if (server.cause !== null) tally.reported++;
      else if (server.state === 'healthy') tally.healthy++;
      else tally.others.set(server.state, (tally.others.get(server.state) ?? 0) + 1);
    }
  }
  if (status.stale) {
    tally.stale++;
    if (!status.lastReadAt) tally.staleNeverRead++;
  } else tally.fresh++;
  if (!status.stale && status.poolsNotRead?.length) tally.incomplete++;
  if (servesNothing(status)) tally.unserved++;
  // As its servers are counted: not for a gateway no longer in the targets, which no run clears (a
  // break trial: the title said "1 delivery failed" for the whole retention).
  if (status.undelivered?.length && (!status.stale || stillWatched(status))) tally.undelivered++;
  const reported = reportedServers(status);
  if (reported > 0) {
    tally.badGateways++;
    tally.badNamed.push({
      gateway: status.gateway,
      reported,
      ...(status.stale ? { asLastRead: true } : {}),
    });
    tally.badNamed.sort((a, b) => compareNames(a.gateway, b.gateway));
    if (tally.badNamed.length > BAD_GATEWAYS_NAMED) tally.badNamed.pop();
  }
}

/**
 * The page's top line that leads with what is wrong (issue 15's trial: the one gateway with a server
 * down was the 40th section, sections being sorted by name): each gateway with servers not healthy,
 * linked to its section, with how many; empty when there is none.
 */
function badGatewaysNote(tally: PageTally): string {
  if (tally.badGateways === 0) return '';
  const named = tally.badNamed
    .map(
      ({ gateway, reported, asLastRead }) =>
        `<a href=#${sectionId(gateway)}>${escapeHtml(gateway.name)}</a> (${reported}${asLastRead ? ' as last read' : ''})`,
    )
    .join(', ');
  const more =
    tally.badGateways > tally.badNamed.length ? ` and ${tally.badGateways - tally.badNamed.length} more` : '';
  return `\n<p class=lead><strong>Not healthy:</strong> ${named}${more}</p>`;
}

/**
 * The id of a gateway's section, for the top's links: from its ARM id (32 bits, in base 36 to keep a
 * page of a thousand servers small), so two gateways of a page practically never share one.
 */
function sectionId(gateway: GatewayStatus['gateway']): string {
  return `g${Number.parseInt(fnv1a32(gateway.id.toLowerCase()), 16).toString(36)}`;
}

/**
 * The page's title (a browser tab, a wallboard): the servers not healthy, counting a stale gateway's as
 * last read and saying how many those are. An interrupted run's page was titled "0 not healthy, 60
 * stale gateways" while 21 servers were down at their last reading (a new-user trial). Servers this run
 * read in a state not reported follow by state (`, 2 draining`).
 * `targetsNotListed`: the run's targets that could not be listed (0: none), said last; `historiesMissing`
 * what of the stored histories could not be read (StatusFrame.historyProblems), after them: the
 * gateways this run did not read are then missing from the counts (a break trial: a run stopped after
 * one gateway, its state unanswered, titled its page "1 not healthy" while ten were down as last read).
 */
export function pageTitle(
  tally: Pick<PageTally, 'fresh' | 'reported' | 'stale' | 'staleReported'> &
    Partial<Pick<PageTally, 'incomplete' | 'incompleteReported' | 'others' | 'unserved' | 'undelivered'>>,
  targetsNotListed = 0,
  historiesMissing: Partial<Pick<StatusFrame['historyProblems'], 'unreadable' | 'unlisted'>> = {},
): string {
  // Servers in a state not reported: "0 not healthy" alone read as all well of a gateway whose every
  // server was draining (a break trial). Counted by state, as the lead counts them.
  const others = tally.others?.size ? `, ${notReportedText(othersOf(tally.others))}` : '';
  // A reading that lacked routed pools read as all well, "0 not healthy", with a server of them down
  // (a new-user trial): the title says so, and counts that server as last read. So does a target not
  // listed, whose gateways no run read (a new-user trial: the tab said nothing of it).
  const incomplete =
    others +
    (tally.unserved ? `, ${count(tally.unserved, 'gateway')} serving nothing` : '') +
    (tally.incomplete ? `, ${count(tally.incomplete, 'reading')} incomplete` : '') +
    // A sink that did not take a gateway's insights: its links may open nothing (a break trial).
    (tally.undelivered ? `, ${count(tally.undelivered, 'gateway')} not delivered` : '') +
    (targetsNotListed > 0 ? `, ${count(targetsNotListed, 'target')} not listed` : '') +
    (historiesMissing.unlisted !== undefined
      ? ', unread gateways not shown (history not listed)'
      : (historiesMissing.unreadable?.length ?? 0) > 0
        ? `, ${count(historiesMissing.unreadable?.length ?? 0, 'gateway')} not shown (history unreadable)`
        : '');
  const lastRead = tally.staleReported + (tally.incompleteReported ?? 0);
  const total = tally.reported + lastRead;
  // "0 not healthy" of a page no run read anything of this time (every gateway failed, on its first run
  // or not, or was deleted) read as all well (a break trial). A stale gateway's servers down as last
  // read are still counted below.
  if (tally.fresh === 0 && lastRead === 0)
    return `Backend health: no gateway read${tally.stale > 0 ? ` (${count(tally.stale, 'stale gateway')})` : ''}${incomplete}`;
  if (tally.stale === 0)
    return `Backend health: ${total} not healthy${lastRead > 0 ? ` (${lastRead} as last read)` : ''}${incomplete}`;
  // "N as last read: M stale gateways" says the N are theirs; some from an incomplete reading are not
  // (a new-user trial read "1 as last read: 1 stale gateway" of another gateway's unread pool).
  const asLastRead =
    lastRead > 0 ? `${lastRead} as last read${(tally.incompleteReported ?? 0) > 0 ? '; ' : ': '}` : '';
  return `Backend health: ${total} not healthy (${asLastRead}${count(tally.stale, 'stale gateway')})${incomplete}`;
}

/**
 * The page up to its first gateway's section: the head, the top (the run's time and the counts of
 * `tally`, the notes), the legend and the timelines' shared labels. Then come the sections
 * (gatewaySection, one line break between two), then statusPageTail().
 */
export function statusPageHead(frame: StatusFrame, tally: PageTally): string {
  const { fresh, servers, stale, staleServers } = tally;
  const summary =
    // "0 gateways read · 0 servers: 0 not healthy, 0 healthy" of a run that read nothing (a break trial).
    (fresh === 0
      ? '<strong>No gateway read by this run</strong>'
      : `${fresh} gateway${plural(fresh)} read · ${servers} server${plural(servers)}: ${serverCounts(tally)}`) +
    (stale > 0
      ? ` · <strong>${stale} stale gateway${plural(stale)}</strong>: ${
          staleServers === 0
            ? // Issue 15's trial: "their 0 servers as last read"; then "1 stale gateway: … of them".
              `no server of ${stale === 1 ? 'it' : 'them'} ever read`
            : tally.staleNeverRead > 0
              ? // A trial: "their 3 servers as last read" of two stale gateways, one of them never read.
                `${staleServers} server${plural(staleServers)} as last read, not counted above (${tally.staleNeverRead} of ${stale === 1 ? 'it' : 'them'} never read)`
              : `${stale === 1 ? 'its' : 'their'} ${staleServers} server${plural(staleServers)} as last read, not counted above`
        }`
      : '') +
    (tally.deleted > 0
      ? ` · <strong>${tally.deleted} deleted gateway${plural(tally.deleted)}</strong>: ${
          // A trial: "as last read" of a gateway named by id that never existed.
          tally.deletedServers === 0
            ? `no server of ${tally.deleted === 1 ? 'it' : 'them'} ever read`
            : 'as last read, not counted'
        }`
      : '') +
    (tally.unserved > 0
      ? ` · <strong>${tally.unserved} gateway${plural(tally.unserved)} serving nothing</strong>: no backend server listed`
      : '') +
    (tally.undelivered > 0
      ? ` · <strong>${count(tally.undelivered, 'gateway')} not delivered</strong>: ${tally.undelivered === 1 ? 'its insights and result' : 'their insights and results'} did not reach a sink (said below)`
      : '') +
    (tally.incompleteServers > 0
      ? ` · <strong>${tally.incompleteServers} server${plural(tally.incompleteServers)} not read</strong> (${tally.incomplete === 1 ? 'a reading' : 'readings'} short of ${tally.incompleteServers === 1 ? 'its pool' : 'their pools'}): as last read, not counted above`
      : '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${pageTitle(tally, frame.failedTargets?.length, frame.historyProblems)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Backend health</h1>
<p>Run at ${time(frame.now)} · ${summary}</p>${badGatewaysNote(tally)}${historyNote(frame)}${targetsNote(frame)}${frame.interrupted ? `\n<p class="note"><strong>⚠ Interrupted:</strong> ${escapeHtml(clipMessage(frame.interrupted, 500))}</p>` : ''}
<p class="legend">History from ${time(frame.windowStart)} to the run, in ${TIMELINE_SLOTS} slots, each showing the worst state read in it: ${legendItem('up', 'healthy (low bar)')} ${legendItem('warn', 'unknown, partial or draining (half bar)')} ${legendItem('down', 'unhealthy (full bar)')} ${legendItem('none', 'not read (dotted line)')}</p>
</header>
<main>
${STEADY_LABELS}
`;
}

/** The page after its last gateway's section. */
export function statusPageTail(): string {
  return `
</main>
<script>${FILTER_SCRIPT}</script>
</body>
</html>
`;
}

/**
 * The page's top note when targets could not be listed: each one's id and error, once (issue 15's
 * trial: each of 50 stale gateways repeated its target's id and error, and the page passed 200 KB);
 * the stale gateways' notes refer to it. Empty when every target was listed.
 */
function targetsNote(frame: StatusFrame): string {
  const failed = frame.failedTargets ?? [];
  if (failed.length === 0) return '';
  const shown = failed
    .slice(0, NAMES_SHOWN)
    .map(
      (t) =>
        `${escapeHtml(capText(t.id, 300))} (${escapeHtml(t.error.code)}: ${escapeHtml(clipMessage(t.error.message, 300))})`,
    )
    .join('; ');
  const more = failed.length > NAMES_SHOWN ? ` and ${failed.length - NAMES_SHOWN} more` : '';
  return `\n<p class="note"><strong>⚠ Not listed:</strong> ${count(failed.length, 'target')} could not be listed, so this run did not read ${failed.length === 1 ? 'its' : 'their'} gateways: ${shown}${more}.</p>`;
}

/** Names shown in the history note; the rest are counted. */
const NAMES_SHOWN = 10;

/**
 * The page's top note when histories failed: which gateways are shown from this run's reading alone
 * (their timelines lack history), which documents could not be read (their gateways are not shown),
 * whether the store could not be listed. Empty when every history was read and written.
 */
function historyNote(frame: StatusFrame): string {
  const { withoutHistory, unreadable, unlisted } = frame.historyProblems;
  const parts: string[] = [];
  if (withoutHistory.length > 0)
    parts.push(
      `the history of ${count(withoutHistory.length, 'gateway')} this run checked could not be read or written (${names(withoutHistory)}): ${withoutHistory.length === 1 ? 'it is' : 'they are'} shown from this run's reading alone, and ${withoutHistory.length === 1 ? 'its timeline lacks' : 'their timelines lack'} history`,
    );
  if (unreadable.length > 0)
    parts.push(
      `${count(unreadable.length, 'history document')} of gateways this run did not read could not be read (${names(unreadable)}): ${unreadable.length === 1 ? 'its gateway is' : 'their gateways are'} not shown`,
    );
  if (unlisted !== undefined)
    parts.push(
      `the history store ${escapeHtml(capText(unlisted, 300))} could not be listed: gateways this run did not read are not shown`,
    );
  if (parts.length === 0) return '';
  return `\n<p class="note"><strong>⚠ History missing:</strong> ${parts.join('; ')}. See the run's report (deliveryErrors, sink "status page") and its log.</p>`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${plural(n)}`;
}

function names(list: readonly string[]): string {
  const shown = list.slice(0, NAMES_SHOWN).map((n) => escapeHtml(capText(n, 300)));
  return list.length > NAMES_SHOWN
    ? `${shown.join(', ')} and ${list.length - NAMES_SHOWN} more`
    : shown.join(', ');
}

/**
 * `12 not healthy, 7 healthy, 1 draining`: "not healthy" as the run's summary counts it (the servers
 * reported, each with its cause and insight: the states in `unhealthyStates`), then healthy ones, then
 * each other state (draining; a state left out of `unhealthyStates`) by name (notReportedText), so the
 * page, the CLI's `Checked …: 12 not healthy, 1 draining` and the HTTP insight agree.
 */
function serverCounts(tally: PageTally): string {
  return [
    `${tally.reported} not healthy`,
    `${tally.healthy} healthy`,
    ...(tally.others.size ? [notReportedText(othersOf(tally.others))] : []),
  ].join(', ');
}

/** The tally's servers in a state not reported, as core/not-reported.ts counts them (title and lead alike). */
function othersOf(others: ReadonlyMap<HealthState, number>): NotReportedCounts {
  return Object.fromEntries(others) as NotReportedCounts;
}

/** One gateway's section of the page: its heading, last read, stale note and servers' table. */
export function gatewaySection(status: GatewayStatus): string {
  const g = status.gateway;
  // The id on the heading's last part, so a link from the top (badGatewaysNote) lands on the heading.
  // Only a gateway the top may link to (with servers not healthy) needs one.
  const bad = reportedServers(status) > 0;
  const heading = `<h2>${escapeHtml(g.name)}${status.stale ? ` <span class="stale-tag">(${confirmedDeleted(status) ? 'deleted' : 'stale'})</span>` : ''} <small${bad ? ` id=${sectionId(g)}` : ''}>${escapeHtml(g.resourceGroup)} · ${escapeHtml(g.subscriptionId)}</small></h2>`;
  const lines: string[] = [heading];
  const lastRead = status.lastReadAt ? `${formatUtc(new Date(status.lastReadAt))} UTC` : 'none kept';
  lines.push(`<p>Last successful read: ${lastRead}</p>`);
  if (status.stale) lines.push(staleNote(status));
  if (status.poolsNotRead?.length)
    lines.push(incompleteNote(status.poolsNotRead, status.stale !== undefined));
  if (servesNothing(status))
    lines.push(
      '<p class="note"><strong>⚠ No backend server:</strong> this run read no server in its routed backend pools: they have no members, so it serves nothing.</p>',
    );
  if (status.undelivered?.length) lines.push(undeliveredNote(status.undelivered, status.stale !== undefined));
  const rows = status.pools.map((pool) => {
    const head = `<tbody><tr><th colspan=4 scope=rowgroup>Pool ${escapeHtml(pool.backendPool)} · settings ${escapeHtml(pool.backendSettings)}`;
    return `${head}\n${pool.servers.map(serverRow).join('\n')}`;
  });
  if (rows.length > 0) {
    lines.push(
      `<table><thead><tr><th>Server<th>Health<th>Likely cause<th>History</thead>\n${rows.join('\n')}\n</table>`,
    );
  }
  // No <section>: the heading is what one navigates by, and an unnamed section is no landmark.
  return lines.join('\n');
}

/**
 * A gateway's note when its last successful reading lacked pools its rules route to
 * (GatewayStatus.poolsNotRead); `stale`: that reading is not this run's.
 */
function incompleteNote(pools: readonly string[], stale: boolean): string {
  const one = pools.length === 1;
  // Beside "Stale" it is the last successful reading's, not this run's (a trial read it as this run's).
  return `<p class="note"><strong>⚠ Reading incomplete:</strong> ${stale ? 'at its last successful read, ' : ''}ARM's backend health did not list ${one ? 'backend pool' : 'backend pools'} ${names(pools)}, or listed no server of ${one ? 'it' : 'them'}: ${one ? 'its servers were' : 'their servers were'} not read, and are shown as last read.</p>`;
}

/**
 * A gateway's note when its last successful reading's insights and result did not reach a sink
 * (GatewayStatus.undelivered): which sinks; `stale`: that reading is not this run's. Their failures'
 * messages are left to the run's report: they name local folders and a user's files, and the page may
 * be a public static website (a break trial).
 */
function undeliveredNote(sinks: readonly UndeliveredSink[], stale: boolean): string {
  const known = sinks.filter(({ sink }) => sink !== DELIVERY_NOT_KNOWN);
  const names = known.map(({ sink }) => escapeHtml(capText(sink, 100))).join(', ');
  const what =
    known.length === 0
      ? "this reading's delivery is not known: every try of its queue message stopped before it was done"
      : `this reading's insights and result did not reach ${known.length === 1 ? 'sink' : 'sinks'} ${names}`;
  return `<p class="note"><strong>⚠ Not delivered:</strong> ${stale ? 'at its last successful read, ' : ''}${what}: there, this gateway's insight pages may be missing, or an earlier reading's. The run's report and log say why (deliveryErrors).</p>`;
}

function staleNote(status: GatewayStatus): string {
  const error = status.lastError
    ? ` (${escapeHtml(status.lastError.code)}: ${escapeHtml(clipMessage(status.lastError.message, ERROR_MESSAGE_CHARS))})`
    : '';
  const what = status.lastReadAt ? 'the servers below are as last read' : 'no successful read is kept';
  if (confirmedDeleted(status) && status.lastError) {
    return `<p class="note"><strong>⚠ Deleted:</strong> ARM confirmed at ${time(new Date(status.lastError.at))} that this gateway does not exist (ARM answered 404 for it); its open episodes, if any, ended as its deletion. ${status.stale === 'failed' ? `If the targets name it by id, fix or remove that id; ${what}` : `${what.charAt(0).toUpperCase()}${what.slice(1)}`}, not counted above.</p>`;
  }
  if (status.stale === 'failed' && status.lastError) {
    return `<p class="note"><strong>⚠ Stale:</strong> this run's read failed at ${time(new Date(status.lastError.at))}${error}; ${what}.</p>`;
  }
  const why =
    status.notRead?.by === 'interrupted'
      ? 'the run was interrupted before it (see above)'
      : status.notRead?.by === 'targets'
        ? status.notRead.targets.length === 1
          ? `its target ${escapeHtml(capText(status.notRead.targets[0]?.id ?? '', 300))} could not be listed (see above)`
          : 'one of the targets above could not be listed'
        : status.notRead?.by === 'listing'
          ? `the listing of its target ${escapeHtml(capText(status.notRead.target, 300))} did not have it (deleted or moved since, or out of the identity's reach: grant it Reader on the whole target)`
          : "it is not in the run's targets";
  const last = status.lastError
    ? `; its last read failed at ${time(new Date(status.lastError.at))}${error}`
    : '';
  return `<p class="note"><strong>⚠ Stale:</strong> this run did not read this gateway: ${why}${last}; ${what}.</p>`;
}

function serverRow(server: ServerStatus): string {
  const health = healthText(server.health, server.state);
  const cause = server.cause
    ? server.insightHref
      ? `<a href=${server.insightHref}>${CAUSE_LABELS[server.cause]}</a>`
      : CAUSE_LABELS[server.cause]
    : '';
  // Optional end tags (</td>, </tr>) are left out and plain attribute values unquoted: a page of a
  // thousand servers is mostly rows.
  // The row's class (none when healthy) colours its health and its steady timeline's bar (CSS).
  const state = SLOT_CLASS[server.state];
  const asRead = server.asReadAt
    ? ` <small>(not read in the last reading; as read ${time(new Date(server.asReadAt))})</small>`
    : '';
  return `<tr${state ? ` class=${state}` : ''}><td>${escapeHtml(server.address)}<td>${SYMBOLS[server.state]} ${health}${asRead}<td>${cause}<td>${timelineSvg(server, state)}`;
}

/** The value as reported, with the normalised state beside it when they are not the same word. */
function healthText(health: string, state: HealthState): string {
  const shown = health === '' ? '(not reported)' : health;
  return shown.toLowerCase() === state ? escapeHtml(shown) : `${escapeHtml(shown)} <small>(${state})</small>`;
}

const SYMBOLS: Readonly<Record<HealthState, string>> = {
  healthy: '✓',
  unhealthy: '✕',
  unrecognised: '✕',
  unknown: '?',
  partial: '◐',
  draining: '↧',
};

/** Each slot state's class (short: it is on every row and bar; a healthy server's cell has none). */
const CLASS: Readonly<Record<SlotState, string>> = { up: 'u', warn: 'w', down: 'd', none: 'n' };

const SLOT_CLASS: Readonly<Record<HealthState, string>> = {
  healthy: '',
  partial: CLASS.warn,
  draining: CLASS.warn,
  unknown: CLASS.warn,
  unhealthy: CLASS.down,
  unrecognised: CLASS.down,
};

/** Short names of the causes for the table (the insight holds the full title and steps). */
const CAUSE_LABELS: Readonly<Record<CauseId, string>> = {
  'probe-timeout': 'Probe timeout',
  'dns-resolution': 'DNS resolution error',
  'tcp-connect': 'TCP connect error',
  'status-code-mismatch': 'Status code mismatch',
  'body-mismatch': 'Body mismatch',
  'cert-cn-mismatch': 'Certificate name mismatch',
  'cert-expired': 'Certificate expired',
  'cert-chain-incomplete': 'Incomplete certificate chain',
  // A non-breaking hyphen (U+2011): a narrow column broke the word after "well-" at 320 px.
  'cert-untrusted-ca': 'Certificate not from a well\u2011known CA',
  'cert-root-mismatch': 'Trusted root mismatch',
  'cert-verify-failed': 'Certificate not verified',
  'proxy-protocol': 'PROXY protocol',
  'health-unknown': 'Health unknown',
  draining: 'Draining',
  // `other` is both a message we do not recognise and no message at all (the history keeps the cause
  // id, not the message): a label true of both (issue 15's trial: "Unrecognised probe message" stood
  // beside a server whose gateway gave none).
  other: 'Cause not recognised',
};

/**
 * Where each slot state's bar sits (y of its centre line) and how thick it is, in viewBox units (4
 * high, 48 wide: the CSS keeps that ratio). `none` is no bar: the dotted baseline (CSS) shows through.
 */
const BAR: Readonly<Record<Exclude<SlotState, 'none'>, { y: number; height: number }>> = {
  up: { y: 3.5, height: 1 },
  warn: { y: 3, height: 2 },
  down: { y: 2, height: 4 },
};

/**
 * Most segments a timeline is drawn with. A server that flaps from slot to slot would take 48 (about
 * 300 bytes, a page of such servers 300 KB): past this many, the timeline is drawn at half the
 * resolution, each bar the worst of two slots (as a slot is the worst of its readings), again until it
 * fits. Its accessible name keeps the exact shares.
 */
export const MAX_TIMELINE_SEGMENTS = 12;

/**
 * The server's timeline; its accessible name says the same in words: the share of readings in each
 * state. Drawn with as few bytes as a page of a thousand servers needs:
 * - one state all along (most servers): no path, the svg's CSS background is the bar, in the row's
 *   colour (`tr.w`, `tr.d`, none: healthy) or in its own class when the bar is another state (`u`,
 *   `w`, `d`: a slot shows the worst state read in it), `n` when not read all along (the dotted
 *   baseline alone). Self-closing: an HTML parser closes an svg (foreign content) written `<svg …/>`.
 * - otherwise the healthy bar is the background and one path per other state is drawn over it, each
 *   run of equal slots one segment (later ones relative to the one before: `m<gap> 0h<length>`); with
 *   a slot not read (class `n`: no background, which the dotted baseline must show through) the
 *   healthy runs are a path too.
 */
function timelineSvg(server: ServerStatus, rowClass: string): string {
  const [first, second] = server.counts;
  // Slots with no reading (a server new to the window, the first runs): said in the name too, which
  // otherwise read "healthy 100%" under a line drawn mostly "not read" (issue 15's trial).
  const unreadSlots = server.timeline.filter((slot) => slot === 'none').length;
  // One state all the readings long, every slot read: its name is one of the page's STEADY_LABELS.
  const label =
    first && !second && unreadSlots === 0
      ? `role=img aria-labelledby=${STEADY_LABEL_IDS[first[0]]} `
      : `role=img aria-label="${escapeHtml(shares(server.counts))}${unreadSlots > 0 ? `; not read in ${unreadSlots} of ${server.timeline.length} slots` : ''}"`;
  const runs = segments(server.timeline);
  const only = runs.length === 1 ? runs[0]?.state : undefined;
  if (only !== undefined) {
    const own = only === 'none' ? 'n' : CLASS[only] === (rowClass || CLASS.up) ? '' : CLASS[only];
    return `<svg${own ? ` class=${own}` : ''} ${label}/>`;
  }
  const unread = runs.some((run) => run.state === 'none');
  const drawn = unread ? (['up', 'warn', 'down'] as const) : (['warn', 'down'] as const);
  const paths = drawn.flatMap((state) => {
    let end = 0;
    const d = runs
      .filter((run) => run.state === state)
      .map((run, i) => {
        const step = i === 0 ? `M${run.start} ${BAR[state].y}` : `m${run.start - end} 0`;
        end = run.start + run.length;
        return `${step}h${run.length}`;
      })
      .join('');
    return d === '' ? [] : [`<path class=${CLASS[state]} d="${d}"/>`];
  });
  return `<svg${unread ? ' class=n' : ''} viewBox="0 0 ${TIMELINE_SLOTS} 4" ${label}>${paths.join('')}</svg>`;
}

/** The timeline as runs of equal slots (in slots), at most MAX_TIMELINE_SEGMENTS of them. */
function segments(
  timeline: readonly SlotState[],
): Array<{ state: SlotState; start: number; length: number }> {
  let slots = timeline;
  let width = 1;
  for (;;) {
    const runs: Array<{ state: SlotState; start: number; length: number }> = [];
    slots.forEach((state, i) => {
      const last = runs.at(-1);
      if (last?.state === state) last.length += width;
      else runs.push({ state, start: i * width, length: width });
    });
    if (runs.length <= MAX_TIMELINE_SEGMENTS || slots.length <= 1) return runs;
    slots = Array.from({ length: Math.ceil(slots.length / 2) }, (_, i) =>
      worst(slots[2 * i] as SlotState, slots[2 * i + 1] ?? 'none'),
    );
    width *= 2;
  }
}

const SEVERITY: Readonly<Record<SlotState, number>> = { none: 0, up: 1, warn: 2, down: 3 };
function worst(a: SlotState, b: SlotState): SlotState {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/**
 * The accessible names of timelines read in one state all along (most of a page), given once: each
 * such timeline refers to one by id (`aria-labelledby`; a hidden element still names what refers to
 * it, WAI-ARIA 1.2 accessible name computation, step 2B) instead of repeating the words.
 */
const STEADY_LABEL_IDS: Readonly<Record<HealthState | 'not read', string>> = {
  healthy: 'lh',
  unhealthy: 'lu',
  unrecognised: 'lr',
  unknown: 'lk',
  partial: 'lp',
  draining: 'ld',
  'not read': 'ln',
};
const STEADY_LABELS = `<p hidden>${Object.entries(STEADY_LABEL_IDS)
  .map(([state, id]) => `<span id=${id}>${state} 100%</span>`)
  .join('')}</p>`;

/**
 * `healthy 97%, unhealthy 3%`: each state's share of the readings, whole percents that add up to 100
 * (largest remainder: rounding each alone gave 34% + 33% + 34% = 101% for three equal states); a share
 * rounded to 0 is `<1%`, and a share rounded to 100 beside another state is `>99%`, so no state that
 * was seen reads as absent and none reads as all.
 */
export function shares(counts: ServerStatus['counts']): string {
  const total = counts.reduce((n, [, count]) => n + count, 0);
  if (total === 0) return '';
  const exact = counts.map(([, count]) => (100 * count) / total);
  const whole = exact.map(Math.floor);
  let left = 100 - whole.reduce((n, p) => n + p, 0);
  // Stable order: the larger remainder first, then the state listed first.
  const byRemainder = exact
    .map((p, i) => ({ i, rest: p - Math.floor(p) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    whole[i] = (whole[i] as number) + 1;
    left -= 1;
  }
  const seen = counts.filter(([, count]) => count > 0).length;
  return counts
    .map(([state, count], i) => {
      const percent = whole[i] as number;
      const text = count > 0 && percent === 0 ? '<1' : percent === 100 && seen > 1 ? '>99' : String(percent);
      return `${state} ${text}%`;
    })
    .join(', ');
}

function legendItem(state: SlotState, text: string): string {
  const bar = state === 'none' ? '' : `<path class=${CLASS[state]} d="M0 ${BAR[state].y}h6"/>`;
  return `<span class=key><svg class="mini n" viewBox="0 0 6 4" aria-hidden=true>${bar}</svg> ${text}</span>`;
}

function time(at: Date): string {
  return `<time datetime="${at.toISOString()}">${formatUtc(at)} UTC</time>`;
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

/**
 * Contrast: each colour is at least 4.5:1 on its background in both schemes (text in the health
 * column uses them), bars at least 3:1 (WCAG 1.4.11, non-text contrast).
 */
const STYLE = `
:root{color-scheme:light dark;--base:repeating-linear-gradient(90deg,var(--muted) 0 1px,transparent 1px 3px) bottom/100% 1px no-repeat;--fg:#1b1b1b;--muted:#595959;--bg:#fff;--panel:#f4f6f8;--line:#c9d0d8;--up:#067647;--warn:#a15c07;--down:#b42318;--link:#175cd3}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--muted:#b0b0b0;--bg:#141414;--panel:#1f2328;--line:#3d444d;--up:#47cd89;--warn:#fdb022;--down:#ff8a80;--link:#84adff}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:72rem;padding:1rem;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.6rem 0 .25rem;overflow-wrap:break-word}h2 small{font-weight:400;color:var(--muted)}
header p,main>p{margin:.25rem 0;overflow-wrap:break-word}.legend{color:var(--muted);font-size:.9rem}.key{white-space:nowrap}
table{border-collapse:collapse;width:100%;margin:.4rem 0;table-layout:fixed}thead th:nth-child(1),thead th:nth-child(3){width:30%}thead th:nth-child(2){width:20%}th,td{text-align:left;padding:.2rem .5rem;border-bottom:1px solid var(--line);vertical-align:middle;overflow-wrap:break-word}
thead th{font-size:.85rem;color:var(--muted)}tbody th{background:var(--panel);font-weight:600}
td{color:var(--fg)}td:nth-child(2){color:var(--up)}.w td:nth-child(2){color:var(--warn)}.d td:nth-child(2){color:var(--down);font-weight:600}small{color:var(--muted)}
a{color:var(--link)}svg{display:block;width:12rem;max-width:100%;aspect-ratio:12;height:auto;background:var(--base)}svg.mini{display:inline;width:1.2rem;aspect-ratio:1.5;vertical-align:middle}
svg:not(.n){background:linear-gradient(var(--up),var(--up)) bottom/100% 25% no-repeat,var(--base)}tr.w svg:empty:not([class]),svg.w:empty{background:linear-gradient(var(--warn),var(--warn)) bottom/100% 50% no-repeat,var(--base)}tr.d svg:empty:not([class]),svg.d:empty{background:linear-gradient(var(--down),var(--down)) bottom/100% 100% no-repeat}svg{-webkit-print-color-adjust:exact;print-color-adjust:exact}
path{fill:none}path.u{stroke:var(--up);stroke-width:1}path.w{stroke:var(--warn);stroke-width:2}path.d{stroke:var(--down);stroke-width:4}
.note{background:var(--panel);border-left:4px solid var(--warn);padding:.4rem .6rem}.stale-tag{color:var(--warn)}
.only-bad tbody tr:not(.w,.d,:has(th)){display:none}
td:first-child,tbody th{overflow-wrap:anywhere}
@media (max-width:40rem){body{padding:.5rem}th,td{padding:.2rem;font-size:.85rem}table{table-layout:auto}thead th:nth-child(n){width:auto}thead th:first-child{width:38%}}
`;

/** Adds a "not healthy only" filter; the page is whole without it. */
const FILTER_SCRIPT = `(function(){var h=document.querySelector('header');var l=document.createElement('label');var c=document.createElement('input');c.type='checkbox';c.addEventListener('change',function(){document.body.classList.toggle('only-bad',c.checked)});l.append(c,' Show only servers that are not healthy');var p=document.createElement('p');p.append(l);h.append(p)})();`;
