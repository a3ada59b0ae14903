import { ConfigError, DeliveryError, isConfigError, isScratchUnavailableError } from '../../errors';
import {
  gatewayInsightFolder,
  gatewayResultPath,
  runFolder,
  statusInsightFolder,
  statusInsightPath,
} from '../../insight/insight-path';
import type { Insight } from '../../insight/insight';
import { mapBounded } from '../../core/bounded';
import { storageNameProblem, storageNameRule } from '../../core/input/storage-names';
import type { GatewayReport, RunReport } from '../../core/run-report';
import { joinPieces, type PageText } from '../../core/piece-text';
import { jsonChunks } from '../../core/json-chunks';
import {
  currentViewReplaced,
  gatewayResultToWrite,
  resultTellsTheGateway,
} from '../../core/kept-gateway-result';
import { parseStoredGatewayResult } from './stored-gateway-result';
import type { Delivery, DeliveryReceipt, InsightSink } from '../../ports';
import {
  connectBlobService,
  describeStorageFailure,
  storageReachableAdvice,
  type StorageFailure,
  type BlobConnectionOptions,
} from '../storage/blob-client';
import { isLeaseRefusal } from '../storage/blob-lease';
import type { BlobContainer, BlobService } from '../storage/rest/blob-service';
import {
  createBlobBlockUploader,
  type BlobBlockUploader,
  type BlobTextHeaders,
  type TextPieces,
} from '../storage/blob-block-upload';

export type BlobSinkOptions = (
  | {
      readonly client: BlobService;
      /**
       * Writes the run's report.json and index.html in blocks, from their pieces. Without it (a client
       * given alone: tests that count or break the REST client's calls) each is joined and sent in one
       * Put Blob.
       */
      readonly blocks?: BlobBlockUploader;
    }
  | {
      readonly connection: BlobConnectionOptions;
      /**
       * Whether report.json and index.html over 1 Mi characters go in blocks from their pieces (through
       * @azure/storage-blob: blob-block-upload.ts) rather than joined into one Put Blob. Default true.
       */
      readonly inBlocks?: boolean;
    }
) & {
  /** Created when missing. */
  readonly container: string;
  /** Folder inside the container, e.g. `appgw-insights`; default: the container's root. */
  readonly prefix?: string;
  /** Uploads and deletes in flight at once. Default 8. */
  readonly concurrency?: number;
  /**
   * Where the status page goes (`statusPage.container`, e.g. `$web`, the account's static website):
   * `index.html` at its root and, beside it, `s/<gateway>/<server>.html` (statusInsightPath), the
   * current insight pages it links to
   * (relative links: the page and its insights must be served from one place). None: no status page.
   */
  readonly statusContainer?: string;
};

export const CONTENT_TYPES = {
  markdown: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
} as const;

/**
 * Writes a run to Blob Storage, with the folder sink's relative paths under two roots:
 *
 * - `<prefix>/runs/<runId>/report.json` and `runs/<runId>/insights/<sub>/<rg>/<gateway>/<stem>.md|.html`:
 *   history, written once per run and never changed;
 * - `<prefix>/latest/report.json` and `latest/insights/…`: the current view. An evaluated gateway's
 *   folder is replaced (new insights uploaded, then blobs of servers that recovered deleted); a gateway
 *   that failed keeps its last insights, as we could not re-check them. `latest/report.json` is written
 *   last, so it never names an insight that is not there yet.
 *
 * A report.json or index.html over 1 Mi characters goes in blocks from its pieces (BlobBlockUploader:
 * Put Block, then Put Block List), never one string or Buffer of tens of MB (issue 14: memory); readers
 * see the old blob or the new one. Smaller ones, and all without an uploader, are one Put Blob.
 *
 * Paths inside report.json (`insights/…`) are relative to `runs/<runId>/` and to `latest/` alike.
 * A `gateway` delivery (one gateway, as soon as it is done: a direct run streams each, the queue
 * function of a fan-out run) writes that gateway's insights under both roots and its result at
 * `runs/<runId>/gateways/…json`, and leaves both report.json files alone. A `report` delivery (a direct
 * run's end) writes `runs/<runId>/report.json`, then `latest/report.json`, and touches no insight.
 * With a `statusContainer`, the current insights' HTML pages are kept there too, at the status page's
 * short paths (`s/<gateway>/<server>.html`, statusInsightPath; the same replacement), and a delivery
 * with a status page writes it there as `index.html`, last (a `page` delivery only that).
 * Work is linear in the delivery: one listing per evaluated gateway folder (its own prefix), insights
 * grouped through sets, never matched against every gateway.
 *
 * The two containers fail apart: one that fails (or never answers) keeps no write of the other
 * unwritten, and one DeliveryError names every write that failed. What links to insights (a report.json,
 * index.html, a gateway's result) is written only once the insights it names were.
 */
export function createBlobSink(options: BlobSinkOptions): InsightSink {
  if (storageNameProblem(options.container)) {
    throw new ConfigError(
      [`"${options.container}" is not a container name: ${storageNameRule()}.`],
      'blob sink settings',
    );
  }
  const web = options.statusContainer;
  if (web !== undefined && web !== '$web' && storageNameProblem(web)) {
    throw new ConfigError(
      [`"${web}" is not a container name for the status page: "$web" or ${storageNameRule()}.`],
      'blob sink settings',
    );
  }
  const name = `blob[${options.container}]`;
  const prefix = normalisePrefix(options.prefix);
  const concurrency = Math.max(1, options.concurrency ?? 8);
  let service: BlobService | undefined;
  const blocks: BlobBlockUploader | undefined =
    'client' in options
      ? options.blocks
      : options.inBlocks === false
        ? undefined
        : createBlobBlockUploader(options.connection);
  const ensured = new Map<string, Promise<unknown>>();
  /** The account and the setting that names it, for the advice on a failure without an answer. */
  const where = (): Where => {
    const setting = 'connection' in options ? (options.connection.setting ?? 'sinks.blob') : 'sinks.blob';
    return service ? { text: `${service.url} (${setting})`, url: service.url } : { text: setting };
  };

  /** The container, created on first use (a failed creation is tried again on the next delivery). */
  const getContainer = async (containerName: string): Promise<BlobContainer> => {
    service ??= 'client' in options ? options.client : connectBlobService(options.connection);
    const client = service.container(containerName);
    let creating = ensured.get(containerName);
    if (!creating) {
      creating = client.createIfNotExists().catch((error: unknown) => {
        ensured.delete(containerName);
        throw error;
      });
      ensured.set(containerName, creating);
    }
    await creating;
    return client;
  };

  /**
   * A delivery; once more when a container it had made was deleted since (ContainerNotFound): made
   * again first. A break trial: a container deleted under a running app failed every delivery until the
   * instance restarted (the made containers are remembered), and each failure sent the queue message
   * back to ARM. The delivery's writes replace or write conditionally, so a second go is the same.
   */
  const deliver = async (delivery: Delivery): Promise<DeliveryReceipt> => {
    try {
      return await deliverOnce(delivery);
    } catch (error) {
      if (!containerMissing(error)) throw error;
      ensured.clear();
      return await deliverOnce(delivery);
    }
  };

  const deliverOnce = async ({
    scope,
    report,
    insights,
    statusPage,
    keepPublishedPage,
    olderReading,
  }: Delivery): Promise<DeliveryReceipt> => {
    /**
     * The writes that failed, each with its step. Writes that go on from one another (a container's
     * folders, in order) are one `part`, which stops at its first failure; the parts do not stop one
     * another, so one container's failure never keeps the other's writes unwritten (a trial: the
     * sink's container that never answered left the status page in `$web`, which did, unwritten).
     */
    const failed: { readonly step: string; readonly error: unknown }[] = [];
    /** `work`'s value, or undefined once it failed at its step (`at` moves to the next one). */
    const part = async <T>(
      step: string,
      work: (at: (next: string) => void) => Promise<T>,
    ): Promise<T | undefined> => {
      let current = step;
      try {
        return await work((next) => (current = next));
      } catch (error) {
        failed.push({ step: current, error });
        return undefined;
      }
    };
    const done = (locations: readonly string[]): DeliveryReceipt => {
      if (failed.length > 0) throw deliveryFailure(name, failed, where());
      return { locations };
    };
    /** The status page as index.html of its container: its URL; none without a page, when it failed, or when a published one was kept (keepPublishedPage). */
    const writePage = async (): Promise<string[]> => {
      const statusContainer = options.statusContainer;
      if (!statusContainer || statusPage === undefined) return [];
      const written = await part(`write index.html in container ${statusContainer}`, async () => {
        const web = await getContainer(statusContainer);
        if (keepPublishedPage !== true) await uploadPage(web, blocks, statusPage);
        else if (!(await uploadPageIfNone(web, statusPage))) return []; // the published page kept
        return [`${web.url}/index.html`];
      });
      return written ?? [];
    };

    // The status page alone, between a fan-out run's reports: its insights are there already.
    if (scope === 'page') return done(await writePage());
    const container = await part(`open container ${options.container}`, () =>
      getContainer(options.container),
    );
    const runRoot = `${prefix}${runFolder(report.runId)}/`;
    const latestRoot = `${prefix}latest/`;
    /** Whether every insight the report and the page name is where they link (their writes come last). */
    let linked = container !== undefined;
    let pageLinked = true;
    if (scope !== 'report') {
      // A gateway's insights (or a whole run's): history, then the current view folder by folder.
      const replaced = currentViewReplaced(report);
      const evaluated = new Set(replaced.map((g) => gatewayInsightFolder(g)));
      const current = insights.filter((i) => evaluated.has(gatewayInsightFolder(i.finding.gateway)));
      if (container) {
        linked =
          (await part(`write ${runRoot}`, async (at) => {
            await uploadInsights(container, runRoot, current, concurrency, false);
            // An older reading than one already taken: only the run's own history above; the current
            // view (latest/, the status page's copies) stays as the newer reading made it.
            if (olderReading === true) return true;
            at(`write ${latestRoot}insights`);
            await replaceCurrent(container, latestRoot, evaluated, current, concurrency, ['md', 'html']);
            return true;
          })) === true;
      }
      const statusContainer = options.statusContainer;
      if (olderReading !== true && statusContainer) {
        // The status page's links: the same current view, its HTML pages, beside index.html.
        pageLinked =
          (await part(`write the status page's insights in container ${statusContainer}`, async () => {
            const web = await getContainer(statusContainer);
            const gateways = replaced.map((g) => statusInsightFolder(g));
            await replaceStatusCopies(web, gateways, current, concurrency);
            return true;
          })) === true;
      }
      if (scope === 'gateway') {
        // One gateway: its result sits beside the run's report; latest/report.json is the run's. Only
        // once its insights are all written: a stored result tells a fan-out run the gateway is done.
        const results = report.gateways.map((g) => `${prefix}${gatewayResultPath(report.runId, g)}`);
        if (container && failed.length === 0) {
          await part(`write ${runRoot}gateways/`, () =>
            mapBounded(results, concurrency, (blobName, i) =>
              uploadGatewayResult(container, blobName, report, report.gateways[i] as GatewayReport),
            ),
          );
        }
        const base = container?.url ?? '';
        return done([...results.map((r) => `${base}/${r}`), `${base}/${latestRoot}insights/`]);
      }
    }
    // A direct run's gateways ARM confirmed deleted that no target lists any more: read by no gateway
    // delivery, their current insights go here, before latest/report.json (which names none of them).
    const deleted = scope === 'report' ? (report.deletedUnlisted ?? []) : [];
    if (deleted.length > 0) {
      const folders = new Set(deleted.map((g) => gatewayInsightFolder(g)));
      if (container)
        await part(`remove deleted gateways' insights from ${latestRoot}insights`, () =>
          replaceCurrent(container, latestRoot, folders, [], concurrency, ['md', 'html']),
        );
      const statusContainer = options.statusContainer;
      if (statusContainer)
        await part(`remove deleted gateways' insights from container ${statusContainer}`, async () =>
          replaceStatusCopies(
            await getContainer(statusContainer),
            deleted.map((g) => statusInsightFolder(g)),
            [],
            concurrency,
          ),
        );
    }
    // The run's report (a direct run's end, whose gateways were delivered one by one; a whole run).
    // Each of its writes on its own: one that fails (a refused blob, the report's entries that cannot
    // be read back from the run's temporary files) never keeps the others unwritten. Every failure
    // is said, each with its step (the run's temporary files' first, as the folder sink does).
    if (container && linked) {
      await part(`write ${runRoot}report.json`, () =>
        uploadReport(container, `${runRoot}report.json`, report, false, blocks),
      );
      await part(`write ${latestRoot}report.json`, () =>
        uploadReport(container, `${latestRoot}report.json`, report, true, blocks),
      );
    }
    // Last: every insight it links to is there by now.
    const page = pageLinked ? await writePage() : [];
    const base = container?.url ?? '';
    return done([
      `${base}/${latestRoot}report.json`,
      `${base}/${runRoot}report.json`,
      ...page,
      `${base}/${latestRoot}insights/`,
    ]);
  };

  return { name, deliver };
}

/**
 * What to check when a write got no answer at all (no HTTP status, worth trying again: a time-out, a
 * refused or reset connection, the container left alone after one), said once after the failures, in
 * the state's words (storageReachableAdvice). A trial's first blob-sink failure named neither the
 * account nor what to look at. Empty when every failure had an answer (its status says it).
 */
function noAnswerAdvice(failures: readonly StorageFailure[], where: Where): string {
  return failures.some((f) => f.statusCode === undefined && f.retryable)
    ? `; check that ${storageReachableAdvice(where.text, where.url)}`
    : '';
}

/** The sink's account as its failures name it (its endpoint and setting), and the endpoint alone. */
interface Where {
  readonly text: string;
  readonly url?: string;
}

/**
 * True when `error`, or an error it was caused by (any of them for several), is Blob Storage's 404
 * ContainerNotFound.
 */
function containerMissing(error: unknown, depth = 0): boolean {
  if (error === undefined || error === null || depth >= 5) return false;
  if (describeStorageFailure(error).code === 'ContainerNotFound') return true;
  if (error instanceof AggregateError && error.errors.some((e) => containerMissing(e, depth + 1)))
    return true;
  return containerMissing((error as { cause?: unknown }).cause, depth + 1);
}

/**
 * A delivery's failed writes as the one error it throws: the run's temporary files' own error first
 * (ports.ts Scratch: not the container's); an unusable connection as a DeliveryError that is not
 * retryable; a DeliveryError said already as it is; otherwise storageFailures.
 */
function deliveryFailure(
  sink: string,
  failed: ReadonlyArray<{ readonly step: string; readonly error: unknown }>,
  where: Where,
): Error {
  const scratch = failed.find(({ error }) => isScratchUnavailableError(error));
  if (scratch) return scratch.error as Error;
  const config = failed.find(({ error }) => isConfigError(error))?.error;
  if (isConfigError(config)) {
    return new DeliveryError(sink, config.issues.join(' ').replace(/\.$/, ''), {
      retryable: false,
      cause: config,
    });
  }
  const only = failed.length === 1 ? failed[0]?.error : undefined;
  if (only instanceof DeliveryError) return only;
  return storageFailures(sink, failed, where);
}

/**
 * The writes that failed, in one DeliveryError naming each step and why (never a secret:
 * describeStorageFailure): retryable when every one is, the first HTTP status among them; caused by
 * the failure, or by an AggregateError of them all.
 */
function storageFailures(
  sink: string,
  failed: ReadonlyArray<{ readonly step: string; readonly error: unknown }>,
  where: Where,
): DeliveryError {
  const described = failed.map(({ step, error }) => ({ step, ...describeStorageFailure(error) }));
  const status = described.find((d) => d.statusCode !== undefined)?.statusCode;
  const detail =
    described.map((d) => `cannot ${d.step}: ${d.detail}`).join('; ') + noAnswerAdvice(described, where);
  return new DeliveryError(sink, detail, {
    retryable: described.every((d) => d.retryable),
    ...(status !== undefined ? { status } : {}),
    cause: failed.length === 1 ? failed[0]?.error : new AggregateError(failed.map(({ error }) => error)),
  });
}

async function uploadInsights(
  container: BlobContainer,
  root: string,
  insights: readonly Insight[],
  concurrency: number,
  latest: boolean,
  kinds: ReadonlyArray<'md' | 'html'> = ['md', 'html'],
): Promise<void> {
  const files = insights.flatMap((i) => [
    ...(kinds.includes('md')
      ? [{ blobName: `${root}${i.path}.md`, text: i.markdown, contentType: CONTENT_TYPES.markdown }]
      : []),
    ...(kinds.includes('html')
      ? [{ blobName: `${root}${i.path}.html`, text: i.html, contentType: CONTENT_TYPES.html }]
      : []),
  ]);
  await mapBounded(files, concurrency, (file) =>
    uploadText(container, file.blobName, file.text, file.contentType, latest),
  );
}

/**
 * The current view under `root`: each evaluated gateway's folder gets this run's insights, then loses
 * every blob this run did not write (servers that recovered). A failed gateway's folder is left alone.
 */
async function replaceCurrent(
  container: BlobContainer,
  root: string,
  evaluated: ReadonlySet<string>,
  current: readonly Insight[],
  concurrency: number,
  kinds: ReadonlyArray<'md' | 'html'>,
): Promise<void> {
  await uploadInsights(container, root, current, concurrency, true, kinds);
  const keep = new Set(current.flatMap((i) => kinds.map((kind) => `${root}${i.path}.${kind}`)));
  for (const folder of evaluated) {
    const stale: string[] = [];
    for await (const blobName of container.listBlobNames({ prefix: `${root}${folder}/` })) {
      if (!keep.has(blobName)) stale.push(blobName);
    }
    await mapBounded(stale, concurrency, (blobName) => container.deleteBlob(blobName).catch(ignoreNotFound));
  }
}

/**
 * The status page's copies of the current insights' HTML (`s/<gateway>/<server>.html`): each evaluated
 * gateway's folder gets this run's pages, then loses every blob this run did not write (servers that
 * recovered). A failed gateway's copies are left alone, as its insights are.
 */
async function replaceStatusCopies(
  web: BlobContainer,
  folders: readonly string[],
  current: readonly Insight[],
  concurrency: number,
): Promise<void> {
  const copies = current.map((i) => ({ blobName: statusInsightPath(i.finding), text: i.html }));
  await mapBounded(copies, concurrency, (copy) =>
    uploadText(web, copy.blobName, copy.text, CONTENT_TYPES.html, true),
  );
  const keep = new Set(copies.map((copy) => copy.blobName));
  for (const folder of new Set(folders)) {
    const stale: string[] = [];
    for await (const blobName of web.listBlobNames({ prefix: `${folder}/` })) {
      if (!keep.has(blobName)) stale.push(blobName);
    }
    await mapBounded(stale, concurrency, (blobName) => web.deleteBlob(blobName).catch(ignoreNotFound));
  }
}

/**
 * `JSON.stringify(report, null, 2)` and a line break. With `blocks`, from the report's pieces
 * (core/json-chunks.ts): a run of 20 000 gateways never holds its report as one string or Buffer, each
 * entry being read back from the run's temporary file as it is written (issue 14: memory).
 */
async function uploadReport(
  container: BlobContainer,
  blobName: string,
  report: RunReport,
  latest: boolean,
  blocks?: BlobBlockUploader,
) {
  await uploadPieces(container, blocks, blobName, () => reportPieces(report), CONTENT_TYPES.json, latest);
}

/** Rounds of read, decide and conditional write before a result another writer keeps changing is given up. */
const RESULT_WRITE_ROUNDS = 3;

/**
 * `gateway`'s result of `report`'s run at `blobName`. A reading is written as is; a failure first reads
 * what another try of the run stored there (core/kept-gateway-result.ts: it never replaces a reading),
 * then writes only if that blob is still the one read (If-Match, or If-None-Match `*` when there was
 * none): two copies of a message finishing at once cannot both win on a stale read.
 *
 * @throws DeliveryError (retryable) when another writer changed the blob each round; a storage failure as it came.
 */
async function uploadGatewayResult(
  container: BlobContainer,
  blobName: string,
  report: RunReport,
  gateway: GatewayReport,
): Promise<void> {
  if (resultTellsTheGateway(gateway)) {
    await uploadReport(container, blobName, { ...report, gateways: [gateway] }, false);
    return;
  }
  for (let round = 1; ; round++) {
    const stored = await container.download(blobName).catch((error: unknown) => {
      ignoreNotFound(error);
      return undefined;
    });
    const written = gatewayResultToWrite(gateway, stored && parseStoredGatewayResult(stored.text));
    if (written === undefined) return;
    const text = [...reportPieces({ ...report, gateways: [written] })].join('');
    const condition = stored ? { ifMatch: stored.etag } : { ifNoneMatch: '*' as const };
    try {
      await container.upload(blobName, Buffer.from(text, 'utf8'), {
        ...blobHeaders(CONTENT_TYPES.json, false),
        ...condition,
      });
      return;
    } catch (error) {
      const failure = describeStorageFailure(error);
      const status = failure.statusCode;
      // Another holder's lease is no other writer: reading again never ends it.
      if ((status !== 412 && status !== 409) || isLeaseRefusal(failure)) throw error;
      // Others kept writing it: a contention that passes, so the delivery may be tried again.
      if (round >= RESULT_WRITE_ROUNDS)
        throw new DeliveryError(
          `blob[${container.name}]`,
          `another writer changed ${blobName} each of ${RESULT_WRITE_ROUNDS} times it was read; tried again with the next delivery`,
          { retryable: true, status, cause: error },
        );
    }
  }
}

function* reportPieces(report: RunReport): Generator<string> {
  yield* jsonChunks(report);
  yield '\n';
}

/** The status page as `index.html` of `web` (uploadPieces). */
async function uploadPage(web: BlobContainer, blocks: BlobBlockUploader | undefined, page: PageText) {
  // PieceText.pieces() reads the page again from its start at each call (a try again: BlobBlockUploader).
  const pieces = (): TextPieces => (typeof page === 'string' ? [page] : page.pieces());
  await uploadPieces(web, blocks, 'index.html', pieces, CONTENT_TYPES.html, true);
}

/**
 * The status page as `index.html` of `web` only if there is none (If-None-Match `*`: one Put Blob, a page
 * that shows no gateway is small): true when written, false when a page was there and is kept.
 */
async function uploadPageIfNone(web: BlobContainer, page: PageText): Promise<boolean> {
  try {
    await web.upload('index.html', Buffer.from(await joinPieces(page), 'utf8'), {
      ...blobHeaders(CONTENT_TYPES.html, true),
      ifNoneMatch: '*',
    });
    return true;
  } catch (error) {
    const failure = describeStorageFailure(error);
    // 409 BlobAlreadyExists (412 from some versions): a page is published; a lease's refusal is a failure.
    if ((failure.statusCode === 409 || failure.statusCode === 412) && !isLeaseRefusal(failure)) return false;
    throw error;
  }
}

/** Characters of a text sent in one Put Blob; a longer one goes in blocks. */
const ONE_REQUEST_CHARACTERS = 1024 * 1024;

/**
 * The text of `pieces()` as `blobName`: one that ends within ONE_REQUEST_CHARACTERS in one Put Blob (a
 * run of a few hundred gateways: one request, and the Storage SDK never loaded), a longer one in blocks
 * from its pieces, the part already read first (a try again reads a new `pieces()` from its start).
 * Without `blocks` (the Functions app, tests of the REST client alone), any text in one Put Blob.
 */
async function uploadPieces(
  container: BlobContainer,
  blocks: BlobBlockUploader | undefined,
  blobName: string,
  pieces: () => TextPieces,
  contentType: string,
  latest: boolean,
): Promise<void> {
  const iterator = toAsyncIterator(pieces());
  try {
    // Without an uploader the whole text is the head.
    const limit = blocks ? ONE_REQUEST_CHARACTERS : Infinity;
    let head = '';
    let done = false;
    while (!done && head.length <= limit) {
      const next = await iterator.next();
      if (next.done) done = true;
      else head += next.value;
    }
    if (done || !blocks) {
      await uploadText(container, blobName, head, contentType, latest);
      return;
    }
    const rest = async function* (): AsyncGenerator<string> {
      yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    };
    // The first try goes on from the part already read; a try again starts a new reading.
    let goingOn: AsyncGenerator<string> | undefined = rest();
    const tried = (): TextPieces => {
      const text = goingOn ?? pieces();
      goingOn = undefined;
      return text;
    };
    await blocks.upload(container.name, blobName, tried, blobHeaders(contentType, latest));
  } finally {
    // A text not read to its end (a refused block): its reader (a temporary file) is closed.
    await iterator.return?.().catch(() => undefined);
  }
}

function toAsyncIterator(pieces: TextPieces): AsyncIterator<string> {
  return Symbol.asyncIterator in pieces
    ? pieces[Symbol.asyncIterator]()
    : (async function* () {
        yield* pieces;
      })();
}

async function uploadText(
  container: BlobContainer,
  blobName: string,
  text: string,
  contentType: string,
  latest: boolean,
): Promise<void> {
  await container.upload(blobName, Buffer.from(text, 'utf8'), blobHeaders(contentType, latest));
}

/** A blob's headers: `latest/` and the status page change every run, so caches (static website, CDN) revalidate. */
function blobHeaders(contentType: string, latest: boolean): BlobTextHeaders {
  return { contentType, ...(latest ? { cacheControl: 'no-cache' } : {}) };
}

function ignoreNotFound(error: unknown): void {
  if (describeStorageFailure(error).statusCode !== 404) throw error;
}

/** `a/b/` for `a/b`, `/a/b/` or `a//b`; empty for none. */
function normalisePrefix(prefix: string | undefined): string {
  const segments = (prefix ?? '').split('/').filter((s) => s.length > 0);
  return segments.length > 0 ? `${segments.join('/')}/` : '';
}
