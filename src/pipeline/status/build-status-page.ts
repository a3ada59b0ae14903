import { gatewayKey } from '../../core/arm-id';
import { mapBounded } from '../../core/bounded';
import { toError } from '../../errors';
import { joinPieces, type PieceText } from '../../core/piece-text';
import { reportedError } from '../../core/reported-error';
import type { ReportedError } from '../../core/run-report';
import type { GatewayRef } from '../../core/model';
import type { HistoryDocument } from '../../core/status/history';
import {
  addToPageTally,
  emptyPageTally,
  gatewaySection,
  showsNoReading,
  type PageTally,
  statusPageHead,
  statusPageTail,
} from '../../insight/status/status-page';
import {
  compareNames,
  firstReadingMs,
  gatewayStatusAt,
  statusAt,
  statusFrame,
  type StatusRunContext,
} from '../../insight/status/status-view';
import type { Scratch } from '../../ports';
import { memoryScratch } from '../memory-scratch';
import { typedStateStores } from '../notify/typed-stores';
import { createSpool, type Spool, type SpoolEntry } from '../spool';
import { readStored } from './record-history';
import { STATUS_PAGE_SINK } from '../../core/run-report';
import { historyError, type HistorySituation, type StatusServices } from './status-services';

/** Histories read at once while the page is built. */
const READ_CONCURRENCY = 8;

export interface StatusPage {
  /**
   * index.html, for the sinks (Delivery.statusPage), in pieces read from the run's scratch: valid until
   * the scratch is disposed. Absent when the scratch could not be read back (in `errors`).
   */
  readonly page?: PieceText;
  /**
   * The page shows no server's reading (showsNoReading: this run read no gateway, and no stored history
   * gave one: none could be listed or read, or none is stored): it tells nothing a published page does
   * not, so it goes only where no page is yet (Delivery.keepPublishedPage).
   */
  readonly keepPublished?: boolean;
  /**
   * Histories that could not be listed or read (sink "status page"): gateways this run did not read are
   * then not on the page (it names their documents at the top).
   */
  readonly errors: readonly ReportedError[];
}

/**
 * The history documents a run wrote, for its status page, kept as JSON in a file of its scratch (a
 * Spool: in memory if the file fails), not in memory: 2.4 KB per gateway at one reading, up to ~100 KB
 * with weeks of readings (issue 14: memory). In memory: each gateway's key and where its document is.
 */
export interface WrittenHistories {
  /** Keeps `doc` (the document of the gateway of `key`) for the page. */
  add(key: string, doc: HistoryDocument): Promise<void>;
  has(key: string): boolean;
  readonly spool: Spool;
  readonly entries: readonly SpoolEntry[];
}

export function writtenHistories(spool: Spool): WrittenHistories {
  const keys = new Set<string>();
  const entries: SpoolEntry[] = [];
  return {
    spool,
    entries,
    has: (key) => keys.has(key),
    async add(key, doc) {
      keys.add(key);
      entries.push(await spool.add(JSON.stringify(doc)));
    },
  };
}

/**
 * The status page at the end of a run: every gateway with a history document (this run's, from
 * `written`, the rest read from the store: gateways this run did not read are shown stale with their
 * last known state), rendered at `now` (src/insight/status/). Every gateway of `written` is shown, even
 * one whose history failed (`withoutHistory`: its reading alone). A stored history that cannot be listed
 * or read leaves its gateway (not read by this run) off the page, is reported, and is named at the
 * page's top, as are the gateways without history; the page is still made. Never throws: when the
 * scratch's file cannot be read back (ScratchUnavailableError), there is no page, and that is reported
 * (sink "status page", document index.html).
 *
 * Memory (issue 14): the page is made one gateway at a time. The documents are read back from the
 * scratch twice (the timeline's window needs the oldest reading of all, before any gateway's section),
 * each gateway's section is written to `scratch` as it is made, and only what orders the sections (each
 * gateway's name, resource group, subscription and id, and where its section is) and the page's counts
 * (src/insight/status/status-page.ts PageTally) stay in memory; the page's pieces read the sections
 * back in order. The same bytes as renderStatusPage(statusView(…)) of every document at once.
 */
export async function buildStatusPage(
  services: StatusServices,
  options: {
    readonly now: Date;
    readonly runStartedAt: Date;
    /** This run's documents, as it wrote them (not read again from the store). */
    readonly written: WrittenHistories;
    /** Where the page's sections are kept until it is written. */
    readonly scratch: Scratch;
    /**
     * Names of gateways of `written` whose history could not be read or written: their document is
     * this run's reading alone (the page says their timelines lack history).
     */
    readonly withoutHistory?: readonly string[];
    /** Why gateways with a history were not read: the run's interruption, its failed targets. */
    readonly run?: StatusRunContext;
  },
): Promise<StatusPage> {
  const stores = typedStateStores(services.history);
  const { written } = options;
  const errors: ReportedError[] = [];
  // Documents of gateways this run did not read that could not be read (named on the page), and
  // whether the list of histories itself failed (then no gateway this run did not read is shown).
  const unreadable: string[] = [];
  const copies: string[] = [];
  let unlisted: string | undefined;
  const fail = (error: unknown, document: string, situation: HistorySituation) => {
    const reported = reportedError(historyError(error, situation), STATUS_PAGE_SINK);
    services.logger.warn(`status page: ${reported.message}`);
    errors.push({ ...reported, document: reported.document ?? document });
  };
  let others: string[] = [];
  try {
    others = (await stores.listKeys()).filter((key) => !written.has(key));
  } catch (error) {
    fail(error, stores.name, 'listed');
    unlisted = stores.name;
  }
  // The other gateways' documents go where this run's are, as they are read.
  const read = await mapBounded(others, READ_CONCURRENCY, async (key) => {
    const store = stores.forKey(key);
    let doc: HistoryDocument | undefined;
    try {
      const stored = await store.read();
      doc = stored ? readStored(store, stored.value) : undefined;
    } catch (error) {
      fail(error, store.name, 'other');
      unreadable.push(store.name);
    }
    // A copy of another gateway's history (a backup made in the state folder) showed that gateway
    // twice, the copy "stale" with a false reason (a break trial): its own document is the one shown.
    if (doc && gatewayKey(doc.gateway.id) !== key) {
      copies.push(store.name);
      return [];
    }
    return doc ? [await written.spool.add(JSON.stringify(doc))] : [];
  });
  if (copies.length > 0)
    services.logger.warn(
      `status page: ${copies.length === 1 ? 'a history document holds' : `${copies.length} history documents hold`} another gateway's history, not the one ${copies.length === 1 ? 'its place' : 'their places'} in the state folder ${copies.length === 1 ? 'names' : 'name'}: not shown (a copy made in the state folder? move it out of there): ${copies.slice(0, 3).join(', ')}${copies.length > 3 ? `, and ${copies.length - 3} more` : ''}`,
    );
  const entries = [...written.entries, ...read.flat()];
  try {
    const { page, tally } = await pageFrom(entries, written.spool, services, {
      ...options,
      unreadable,
      unlisted,
    });
    // Also when every history was listed and there is none: a history folder whose disk is not mounted
    // (its mount point left empty) lists none, and with ARM out a page of 13 servers not healthy went
    // blank (a break trial). A page of no reading tells nothing the published one does not: its readings
    // are older, and dated. Where none is published yet, it is written.
    const keepPublished = showsNoReading(tally);
    if (keepPublished)
      services.logger.warn(
        `status page: it shows no server's reading, as ${noReadingCause(unlisted, unreadable, stores.name)} and this run read no gateway: index.html is written only where there is none; a page published before is kept`,
      );
    return { page, errors, ...(keepPublished ? { keepPublished } : {}) };
  } catch (error) {
    const reported = reportedError(toError(error), STATUS_PAGE_SINK);
    services.logger.error(`status page: ${reported.message}`);
    return { errors: [...errors, { ...reported, document: reported.document ?? 'index.html' }] };
  }
}

/** Why a page shows no stored reading (showsNoReading): its histories' failure, or none stored. */
function noReadingCause(unlisted: string | undefined, unreadable: readonly string[], store: string): string {
  if (unlisted !== undefined) return 'the stored histories could not be listed';
  if (unreadable.length > 0) return 'the stored histories could not be read';
  return `no stored history holds a reading (${store})`;
}

/**
 * How many of the page's sections are being written to the scratch at once: one at a time, each
 * waited for, a page of 5 000 gateways spent about 0.5 s of a run's last second waiting on the file
 * system's round trips with nothing else to do (bench:scale's profile). Each write holds its section
 * (a few KB) until it is done.
 */
export const SECTION_WRITES_AT_ONCE = 32;

/**
 * The page from the documents at `entries` (buildStatusPage's passes), and its counts; throws the
 * scratch's errors.
 */
async function pageFrom(
  entries: readonly SpoolEntry[],
  spool: Spool,
  services: StatusServices,
  options: Parameters<typeof buildStatusPage>[1] & {
    readonly unreadable: readonly string[];
    readonly unlisted: string | undefined;
  },
): Promise<{ readonly page: PieceText; readonly tally: PageTally }> {
  const { unreadable, unlisted } = options;
  const docAt = async (entry: SpoolEntry) => JSON.parse(await spool.text(entry)) as HistoryDocument;

  const nowMs = options.now.getTime();
  let oldestKept = nowMs;
  for (const entry of entries)
    oldestKept = Math.min(oldestKept, firstReadingMs(await docAt(entry), nowMs) ?? nowMs);
  const at = statusAt({ ...options, retentionInMs: services.retentionInMs }, oldestKept);
  const sections = createSpool(options.scratch, services.logger, "status page's sections");
  const tally = emptyPageTally();
  // The sections' writes overlap: each waits for the one SECTION_WRITES_AT_ONCE before it (a spool's
  // `add` never rejects), and the page's pieces wait for each as they read it back.
  const shown: Array<{ readonly gateway: GatewayRef; readonly section: Promise<SpoolEntry> }> = [];
  for (const entry of entries) {
    const status = gatewayStatusAt(await docAt(entry), at);
    if (!status) continue;
    addToPageTally(tally, status);
    await shown[shown.length - SECTION_WRITES_AT_ONCE]?.section;
    shown.push({ gateway: status.gateway, section: sections.add(gatewaySection(status)) });
  }
  await Promise.all(shown.map((s) => s.section));
  shown.sort((a, b) => compareNames(a.gateway, b.gateway));
  const head = statusPageHead(
    statusFrame(options.now, at, options.run, {
      withoutHistory: options.withoutHistory ?? [],
      unreadable,
      ...(unlisted !== undefined ? { unlisted } : {}),
    }),
    tally,
  );
  const page: PieceText = {
    async *pieces() {
      yield head;
      for (const [i, { section }] of shown.entries())
        yield `${i === 0 ? '' : '\n'}${await sections.text(await section)}`;
      yield statusPageTail();
    },
  };
  return { page, tally };
}

/**
 * buildStatusPage for a page made from a few documents in memory (the Functions app's, whose
 * invocations handle one gateway each), as one string.
 */
export async function buildStatusPageText(
  services: StatusServices,
  options: Omit<Parameters<typeof buildStatusPage>[1], 'written' | 'scratch'> & {
    readonly written: ReadonlyMap<string, HistoryDocument>;
  },
): Promise<StatusPageText> {
  const scratch = memoryScratch();
  const written = writtenHistories(createSpool(scratch, services.logger, 'status page histories'));
  for (const [key, doc] of options.written) await written.add(key, doc);
  const page = await buildStatusPage(services, { ...options, written, scratch });
  // A memory scratch is always read back: never without a page.
  if (!page.page) throw new Error('status page: no page from a memory scratch');
  return {
    html: await joinPieces(page.page),
    errors: page.errors,
    ...(page.keepPublished === true ? { keepPublished: true } : {}),
  };
}

/** buildStatusPageText's page: as StatusPage, the page one string. */
export interface StatusPageText {
  readonly html: string;
  readonly errors: readonly ReportedError[];
  readonly keepPublished?: boolean;
}
