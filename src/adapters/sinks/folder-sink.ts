import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, rmdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryError, isScratchUnavailableError } from '../../errors';
import type { PageText } from '../../core/piece-text';
import { removeIfLeftOver } from '../files/left-over';
import { refuseForeignEntries } from './foreign-entries';
import { makeFolder } from '../files/make-folder';
import { SINK_ENTRIES } from './folder-entries';
import { describeRefusal } from './folder-refusal';
import { writeAll } from '../files/write-all';
import {
  INSIGHT_FILE_NAME,
  STATUS_COPY_FILE_NAME,
  gatewayInsightFolder,
  gatewayResultPath,
  runFolder,
  statusInsightFolder,
  statusInsightPath,
} from '../../insight/insight-path';
import type { Insight } from '../../insight/insight';
import type { Delivery, DeliveryReceipt, InsightSink } from '../../ports';
import { jsonChunks } from '../../core/json-chunks';
import type { GatewayReport } from '../../core/run-report';
import {
  currentViewReplaced,
  gatewayResultToWrite,
  resultTellsTheGateway,
} from '../../core/kept-gateway-result';
import { parseStoredGatewayResult } from './stored-gateway-result';

export interface FolderSinkOptions {
  readonly dir: string;
  /** What a user who cannot get the folder written can do; default FOLDER_SINK_ADVICE (the config's). */
  readonly advice?: FolderSinkAdvice;
}

/**
 * What a folder sink's failure advises, each one sentence without a full stop, worded for how the user
 * chose the folder (config/folder-origin.ts folderSinkAdvice: the config's `sinks.dir`, `--out`).
 */
export interface FolderSinkAdvice {
  /** Permission, read-only, and any refusal no other advice fits: who must be let write, or where else. */
  readonly access: string;
  /**
   * Something in the way (folder-refusal.ts kind `inTheWay`): a file, folder or link where the sink
   * writes, a link or mount to another file system (ENOTDIR, EEXIST, EISDIR, ELOOP, EXDEV, EBUSY, ENOENT
   * through a link to nothing): the message names it; moving it is what helps, not permissions (a trial
   * saw "let the account … write there" for a file called `runs`). No space and another run's write at
   * the same moment have advice of their own.
   */
  readonly inTheWay: string;
  /**
   * How to give the run another folder, lower case, no full stop ("give another folder with --out"): a
   * run refused because another one holds the folder (RunInProgressError). Absent: said in general.
   */
  readonly elsewhere?: string;
}

/** The default FolderSinkOptions.advice (run, the Functions app, from the APPGW_* settings). */
export const FOLDER_SINK_ADVICE: FolderSinkAdvice = {
  access:
    'Let the account that runs appgw-insights write there, or set sinks.dir (APPGW_SINKS_DIR) to another folder',
  inTheWay: `Move what is in the way out of that folder (appgw-insights writes ${SINK_ENTRIES} there), or set sinks.dir (APPGW_SINKS_DIR) to another folder`,
};

/** What a refusal for want of space advises: nothing the folder's settings change. */
const SPACE_ADVICE = 'Free some space on its file system; the next run writes it again';

/** What a refusal because another run wrote the same place at once advises. */
const AGAIN_ADVICE = 'The next run writes it again';

/**
 * Writes each insight as `.md` + standalone `.html` under `insights/`, and the run's `report.json`.
 * Each `.html` is also written at `s/<gateway>/<server>.html` (statusInsightPath), the short path the
 * status page links to, so its thousand links stay small.
 * A gateway that was evaluated gets its folders replaced (so a recovered server's insight disappears);
 * a gateway that failed keeps what the last good run wrote: we do not delete what we could not re-check.
 * A `gateway` delivery (one gateway, as soon as it is done) writes that gateway's insights and its
 * result at `runs/<runId>/gateways/…json`, and leaves `report.json` alone. A `report` delivery (a
 * direct run's end) writes `report.json`, then removes the run's `runs/<runId>/`: its gateway results
 * are in the report now (a run that died before its report leaves them, as the record of what it did).
 * A delivery with a `statusPage` (a run's end) also writes it as `index.html`, after `report.json`
 * (only where there is none with `keepPublishedPage`); a `page` delivery writes only that.
 * Work is linear in the delivery: insights are grouped by gateway folder once, never matched against
 * every gateway.
 */
export function createFolderSink(options: FolderSinkOptions): InsightSink {
  const root = path.resolve(options.dir);
  const advice = options.advice ?? FOLDER_SINK_ADVICE;
  let insightsMade: Promise<void> | undefined;
  /**
   * The result file being written, by file: a delivery of the same gateway and run waits for the one
   * before it, so a failure that read the file before a reading landed cannot rename its own over it.
   * (One process's deliveries; the blob sink, shared by instances, writes conditionally instead.)
   */
  const resultWrites = new Map<string, Promise<unknown>>();
  const inTurn = (file: string, write: () => Promise<void>): Promise<void> => {
    const done = (resultWrites.get(file) ?? Promise.resolve()).then(write, write);
    const settled = done.catch(() => undefined);
    resultWrites.set(file, settled);
    void settled.then(() => {
      if (resultWrites.get(file) === settled) resultWrites.delete(file);
    });
    return done;
  };
  /** One failure of this folder, saying which step met it (never a random staging name). */
  const failure = async (failed: ReadonlyArray<{ readonly step: string; readonly error: unknown }>) => {
    const refusals = await Promise.all(
      failed.map(async ({ step, error }) => ({ step, refusal: await describeRefusal(root, error) })),
    );
    const said = refusals.map(({ step, refusal }) => `${refusal.text} (${step})`);
    // Each kind of refusal its own advice, once (a folder in the way and a permission: both).
    const kinds = new Set(refusals.map(({ refusal }) => refusal.kind));
    const todo = [
      kinds.has('inTheWay') ? advice.inTheWay : undefined,
      kinds.has('space') ? SPACE_ADVICE : undefined,
      kinds.has('again') ? AGAIN_ADVICE : undefined,
      kinds.has('access') ? advice.access : undefined,
    ].filter((sentence) => sentence !== undefined);
    return new DeliveryError('folder', `cannot write to ${root}: ${said.join('; ')}. ${todo.join('. ')}`, {
      // Space freed or another run done, the next delivery may fare better; not a file in the way.
      retryable: [...kinds].every((kind) => kind === 'space' || kind === 'again'),
      cause: failed[0]?.error,
    });
  };
  /** `work`, its failure said as this folder's at `step`; the run's own temporary files aside (ports.ts Scratch). */
  const at = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (isScratchUnavailableError(error)) throw error;
      throw await failure([{ step, error }]);
    }
  };
  return {
    name: 'folder',
    async deliver({
      scope,
      report,
      insights,
      statusPage,
      keepPublishedPage,
      olderReading,
    }: Delivery): Promise<DeliveryReceipt> {
      /** index.html, unless a published one is kept (keepPublishedPage): whether it was written. */
      const page = (file: string, text: PageText): Promise<boolean> =>
        keepPublishedPage === true ? writePageIfNone(file, text) : writePage(file, text).then(() => true);
      if (scope === 'page') {
        // The status page alone, between a fan-out run's reports.
        const file = path.join(root, 'index.html');
        const written =
          statusPage !== undefined && (await at('writing index.html', () => page(file, statusPage)));
        return { locations: written ? [file] : [] };
      }
      // Named in every receipt below: there even when no gateway has insights (then none has a folder).
      // Made once per sink, not once per gateway; a failure is tried again by the next delivery.
      insightsMade ??= makeFolder(path.join(root, 'insights')).catch((error: unknown) => {
        insightsMade = undefined;
        throw error;
      });
      const insightsFolder = path.join(root, 'insights');
      if (scope !== 'report') {
        await at('making insights/', () => insightsMade as Promise<void>);
        const byFolder = insightsByFolder(insights);
        // An older reading than one already taken leaves the current insights as the newer one made them.
        if (olderReading !== true)
          await at("writing the gateway's insights", async () => {
            for (const gateway of currentViewReplaced(report))
              await replaceGatewayFolder(root, gateway, byFolder.get(gatewayInsightFolder(gateway)) ?? []);
          });
        if (scope === 'gateway') {
          const files = report.gateways.map((g) => path.join(root, gatewayResultPath(report.runId, g)));
          await at(`writing this run's gateway results (runs/${report.runId}/)`, async () => {
            for (const [i, file] of files.entries()) {
              // A failure never replaces a result of the run that read the gateway (another try's).
              await inTurn(file, async () => {
                const gateway = await resultToWrite(file, report.gateways[i] as GatewayReport);
                if (gateway) await writeJson(file, { ...report, gateways: [gateway] });
              });
            }
          });
          return { locations: [...files, insightsFolder] };
        }
      } else {
        // report.json and the status page do not need it: a file in its way never keeps them unwritten.
        await insightsMade.catch(() => undefined);
      }
      // Each step of the run's end on its own: a file in the way of one (runs/, report.json, index.html)
      // never keeps the others unwritten; every step that failed is named.
      const failed: Array<{ step: string; error: unknown }> = [];
      // The run's own temporary files failing (the report's gateway entries, the page's sections: read
      // back as they are written here) is no failure of this folder: the other steps still run, and the
      // scratch's own error, which names the file and what to do, is what this delivery throws.
      let scratchError: unknown;
      /** `work`; true when it was done. */
      const attempt = async (step: string, work: () => Promise<unknown>): Promise<boolean> => {
        try {
          await work();
          return true;
        } catch (error) {
          if (isScratchUnavailableError(error)) scratchError ??= error;
          else failed.push({ step, error });
          return false;
        }
      };
      // A direct run's gateways ARM confirmed deleted that no target lists any more: read by no gateway
      // delivery, their insights go here, before report.json (which names none of them).
      if (scope === 'report' && report.deletedUnlisted?.length)
        await attempt("removing deleted gateways' insights", async () => {
          for (const gateway of report.deletedUnlisted ?? []) await replaceGatewayFolder(root, gateway, []);
        });
      const reportFile = path.join(root, 'report.json');
      const reportWritten = await attempt('writing report.json', () => writeJson(reportFile, report));
      // A direct run's end: its gateways' results are in the report now. Only then: without report.json
      // they are the only record of what the run did.
      if (scope === 'report' && reportWritten)
        await attempt(`removing this run's gateway results (runs/${report.runId}/)`, () =>
          removeRunResults(root, report.runId),
        );
      // Without report.json, its folders that hold no result (a full disk refused every one) say
      // nothing: a trial found an empty runs/<runId>/gateways/ tree. Those with a result stay.
      else if (scope === 'report' && (await removeEmptyFolders(path.join(root, runFolder(report.runId)))))
        await rmdir(path.join(root, 'runs')).catch(() => undefined);
      // After the report: the page links to insights every gateway delivery has written by now.
      const pageFile = path.join(root, 'index.html');
      let pageWritten = false;
      if (statusPage !== undefined)
        await attempt('writing index.html', async () => (pageWritten = await page(pageFile, statusPage)));
      // Staging folders and temporary files a killed run left (a second signal, kill -9): tidied by a
      // later run's end.
      await removeLeftByKilledRuns(root);
      if (scratchError !== undefined) throw scratchError;
      if (failed.length > 0) throw await failure(failed);
      return { locations: [reportFile, ...(pageWritten ? [pageFile] : []), insightsFolder] };
    },
  };
}

/** Each gateway folder's insights, in one pass over them. */
function insightsByFolder(insights: readonly Insight[]): Map<string, Insight[]> {
  const byFolder = new Map<string, Insight[]>();
  for (const insight of insights) {
    const folder = gatewayInsightFolder(insight.finding.gateway);
    const mine = byFolder.get(folder);
    if (mine) mine.push(insight);
    else byFolder.set(folder, [insight]);
  }
  return byFolder;
}

/**
 * Stage the gateway's new insights, then swap the folder in, so readers never see half of it; then
 * the same for the status page's copies of their HTML (`s/<gateway>/`).
 */
async function replaceGatewayFolder(
  root: string,
  gateway: Pick<GatewayReport, 'subscriptionId' | 'resourceGroup' | 'name'>,
  insights: readonly Insight[],
) {
  const folder = gatewayInsightFolder(gateway);
  const copies = statusInsightFolder(gateway);
  // Both checked before either is replaced: a refusal of the copies after the insights were replaced
  // left the status page linking to pages that were gone, and said "not updated" of both (a trial).
  // Replaced whole, what the sink did not write there would be lost with them (a run's folder, notify
  // state: a break trial): such a folder is left as it is, and the delivery says what is in the way.
  await refuseForeignEntries(root, folder, INSIGHT_FILE_NAME);
  await refuseForeignEntries(root, copies, STATUS_COPY_FILE_NAME);
  await replaceFolder(
    root,
    folder,
    insights.flatMap((insight) => {
      const file = path.posix.relative(folder, insight.path);
      return [
        { file: `${file}.md`, text: insight.markdown },
        { file: `${file}.html`, text: insight.html },
      ];
    }),
  );
  await replaceFolder(
    root,
    copies,
    insights.map((insight) => ({
      file: path.posix.relative(copies, statusInsightPath(insight.finding)),
      text: insight.html,
    })),
  );
}

/**
 * `folder` (relative to `root`) made to hold `files` (paths relative to it) and nothing else (no
 * folder when there are none). Staged
 * as a folder of its own under the sink's root (`.staging-<uuid>`, one per gateway: the gateways of
 * one run may be delivered at once, by a direct run's concurrent gateways or a Function App
 * instance's queue invocations, and the run id comes from a queue message, so it never names a
 * folder), and renamed into place whole: no folders to make inside it, none left to remove. Made by
 * `mkdir`, not `mkdtemp`: the folder gets the umask's mode (mkdtemp's is 0700, which would hide the
 * insights from other readers).
 */
async function replaceFolder(
  root: string,
  folder: string,
  files: ReadonlyArray<{ readonly file: string; readonly text: string }>,
): Promise<void> {
  // Nothing to hold (a gateway without insights, most of them): the folder goes, and no empty one is
  // staged and renamed in its place, two of a healthy gateway's four file system calls (issue 14).
  // In turn with any swap of the same folder in this process (a review's: a removal between another
  // delivery's two renames could let an older run win).
  const target = path.join(root, folder);
  if (files.length === 0) return oneAtATime(target, () => rm(target, { recursive: true, force: true }));
  const staged = path.join(root, `.staging-${randomUUID()}`);
  await inFolder(root, () => mkdir(staged));
  try {
    for (const { file, text } of files) {
      const target = path.join(staged, file);
      if (path.dirname(target) !== staged) await makeFolder(path.dirname(target));
      await writeFile(target, text, 'utf8');
    }
    await swapIn(root, staged, target);
  } catch (error) {
    await rm(staged, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * `staged` renamed to `target`, what was at `target` moved aside first and removed only once the new
 * folder is in place: a rename that cannot be made (EXDEV: `insights/` a link or mount to another file
 * system) leaves the last good run's insights where they were (a trial's: they were removed first, and
 * the failed rename lost all 24 files). Another delivery of the same gateway that put its folder in
 * between (overlapping runs) is moved aside too: the last one wins, as before.
 */
async function swapIn(root: string, staged: string, target: string): Promise<void> {
  return oneAtATime(target, () => swapInNow(root, staged, target));
}

/** The swaps under way in this process, by target: two at once of one folder take turns. */
const swapping = new Map<string, Promise<void>>();

/** `work` after every earlier one of `key` in this process has ended (done or failed). */
async function oneAtATime(key: string, work: () => Promise<void>): Promise<void> {
  const mine = (swapping.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
  swapping.set(key, mine);
  try {
    await mine;
  } finally {
    if (swapping.get(key) === mine) swapping.delete(key);
  }
}

/** swapIn itself; another process's swap of the same folder in between is tried again, a few times. */
async function swapInNow(root: string, staged: string, target: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    // Beside the staging folder, under the root: a `.staging-<uuid>` a later run tidies if this one dies.
    const aside = path.join(root, `.staging-${randomUUID()}`);
    const moved = await rename(target, aside).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    // Dated now, not by the old folder's last change: another run's tidying (removeLeftByKilledRuns) takes
    // a `.staging-` folder for left over by its age, and the old folder may be hours old (a trial's).
    if (moved) await utimes(aside, new Date(), new Date()).catch(() => undefined);
    try {
      await inFolder(path.dirname(target), () => rename(staged, target));
    } catch (error) {
      if (moved) await moveBack(aside, target);
      // Only the rename's own "something is there now" is another process's folder: an EEXIST from
      // making the parents (a link to nothing on the path) would fail the same way each time.
      const { code, syscall } = error as NodeJS.ErrnoException;
      if (syscall === 'rename' && (code === 'ENOTEMPTY' || code === 'EEXIST') && attempt < 5) {
        await sleep(10 * attempt * (0.5 + Math.random())); // apart from the other process, not in step
        continue;
      }
      throw error;
    }
    // The new folder is in place: the old one's removal failing fails nothing (a later run tidies it).
    if (moved) await rm(aside, { recursive: true, force: true }).catch(() => undefined);
    return;
  }
}

/**
 * The old folder put back where it was. When another delivery's folder is there by now (overlapping
 * runs: the last one wins), the old one is removed, never left to a later tidying (a trial found 49
 * `.staging-` folders of old insights after four processes wrote one gateway).
 */
async function moveBack(aside: string, target: string): Promise<void> {
  try {
    await rename(aside, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST')
      await rm(aside, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The name replaceFolder gives a staging folder: `.staging-` and a random UUID. */
const STAGING_NAME = /^\.staging-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The name replaceFile gives the temporary file of `report.json` or `index.html` (under the root). */
const TEMPORARY_NAME = /^(?:report\.json|index\.html)\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes what a run killed in the middle of a write left under `root`, once it was last changed more
 * than LEFT_OVER_AGE_IN_MS ago (files/left-over.ts removeIfLeftOver): `.staging-<uuid>` folders (a gateway's folder being written) and the
 * temporary files of `report.json` and `index.html` (`report.json.<8 hex>.tmp`: a trial found one a
 * kill before the rename left, which nothing tidied). A younger one may be another run's, at work now,
 * and is left alone; so is anything not named and made as replaceFolder and replaceFile make them (a
 * user's file or folder: a trial's `.staging-oldfile` was deleted). Best effort: what it cannot read or
 * remove stays, and says nothing.
 */
async function removeLeftByKilledRuns(root: string): Promise<void> {
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    if (STAGING_NAME.test(name)) await removeIfLeftOver(path.join(root, name), 'folder');
    else if (TEMPORARY_NAME.test(name)) await removeIfLeftOver(path.join(root, name), 'file');
  }
}

/**
 * Removes `folder` and the folders under it when no file is anywhere in them (only empty folders);
 * true when `folder` is gone. Best effort: what it cannot read or remove stays, and says nothing.
 */
async function removeEmptyFolders(folder: string): Promise<boolean> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return false;
  let empty = true;
  for (const entry of entries)
    if (!entry.isDirectory() || !(await removeEmptyFolders(path.join(folder, entry.name)))) empty = false;
  if (!empty) return false;
  return rmdir(folder).then(
    () => true,
    () => false,
  );
}

/**
 * `runs/<runId>/`, then `runs/` if that left it empty (another run's results keep it). A file where
 * `runs` should be (ENOTDIR) means there are none: the gateway deliveries that could not write them
 * said so, and this says nothing more (a break trial: a second, misleading error).
 */
async function removeRunResults(root: string, runId: string): Promise<void> {
  try {
    await rm(path.join(root, runFolder(runId)), { recursive: true, force: true });
  } catch (error) {
    // A file or a link loop where runs/ should be: there are none (the gateway deliveries said why).
    if (['ENOTDIR', 'ELOOP'].includes((error as NodeJS.ErrnoException).code ?? '')) return;
    throw error;
  }
  await rmdir(path.join(root, 'runs')).catch(() => undefined);
}

/**
 * `file` replaced whole: `write` fills a temporary file of its own beside it (a name no other run
 * writes: two runs on one folder each rename a whole file into place, the last one wins, and neither
 * writes into or removes the other's), which is then renamed over `file`, so a reader (a script, a
 * browser on the status page) sees the old file or the new one. When writing or renaming fails (a full
 * disk, a folder in the way, a value that could not be read to the end), the temporary file is removed
 * and `file` stays as it was.
 */
async function replaceFile(file: string, write: (temporary: string) => Promise<void>): Promise<void> {
  const temporary = `${file}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await inFolder(path.dirname(file), () => write(temporary));
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * What to write at `file` for `gateway` (core/kept-gateway-result.ts), reading the result another try of
 * the run stored there only when `gateway` failed: a reading is written without a look. Undefined: keep
 * the stored one. A stored file that cannot be read is as none (a missing one is the usual case).
 */
async function resultToWrite(file: string, gateway: GatewayReport): Promise<GatewayReport | undefined> {
  if (resultTellsTheGateway(gateway)) return gateway;
  const stored = await readFile(file, 'utf8').then(parseStoredGatewayResult, () => undefined);
  return gatewayResultToWrite(gateway, stored);
}

/**
 * `JSON.stringify(value, null, 2)` and a line break, replacing `file` (replaceFile), written in pieces of
 * about WRITE_CHUNK characters (core/json-chunks.ts): a report of 20 000 gateways is never one string
 * (issue 14: memory).
 */
function writeJson(file: string, value: unknown): Promise<void> {
  return replaceFile(file, (temporary) => writePieces(temporary, jsonChunks(value)));
}

/** Characters written at once by writePieces. */
const WRITE_CHUNK = 64 * 1024;

/** `pieces`, then `end`, into `file` (made or emptied), in writes of about WRITE_CHUNK characters. */
async function writePieces(
  file: string,
  pieces: Iterable<string> | AsyncIterable<string>,
  end = '\n',
): Promise<void> {
  const handle = await open(file, 'w');
  try {
    let batch = '';
    for await (const piece of pieces) {
      batch += piece;
      if (batch.length >= WRITE_CHUNK) {
        await writeAll(handle, Buffer.from(batch, 'utf8'), null);
        batch = '';
      }
    }
    await writeAll(handle, Buffer.from(`${batch}${end}`, 'utf8'), null);
  } finally {
    await handle.close();
  }
}

/**
 * The status page replacing `file` (replaceFile). A page in pieces (a direct run's, read from its
 * temporary files) is written as they come, never one string.
 */
function writePage(file: string, text: PageText): Promise<void> {
  return replaceFile(file, (temporary) => writePageText(temporary, text));
}

function writePageText(file: string, text: PageText): Promise<void> {
  return typeof text === 'string' ? writeFile(file, text, 'utf8') : writePieces(file, text.pieces(), '');
}

/**
 * The page at `file` only if there is none (Delivery.keepPublishedPage): written whole to a temporary
 * file, then linked in, which fails (EEXIST) when a page is there, never half written, never replaced.
 * True when written, false when a page was there and is kept.
 */
async function writePageIfNone(file: string, text: PageText): Promise<boolean> {
  const temporary = `${file}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await inFolder(path.dirname(file), () => writePageText(temporary, text));
    await link(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

/**
 * `write` (which makes something in `dir`), with `dir` and its parents made first if they are not
 * there (ENOENT). Asked only then: making every folder before each write was most of a delivery's file
 * system calls, and a folder removed between deliveries (the sink's own, a gateway's parents) is made
 * again all the same.
 */
async function inFolder<T>(dir: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await makeFolder(dir);
    return write();
  }
}
