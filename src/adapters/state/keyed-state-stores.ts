import type { Dirent } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { SUBSCRIPTION_GUID } from '../../core/arm-id';
import type { StateStores } from '../../ports';
import { blobStateError, createBlobStateStore, isNotThere } from './blob-state-store';
import { removeIfLeftOver } from '../files/left-over';
import type { BlobService } from '../storage/rest/blob-service';
import {
  createFileStateStore,
  documentLeftBehind,
  namedFileStateError,
  type StateFolderAdvice,
} from './file-state-store';

/**
 * Keys are gateway keys (lower-case ARM ids): `/subscriptions/s/resourcegroups/rg/providers/…/gw`.
 * They become document names by dropping the fixed parts, so a human can find a gateway's state:
 * `s/rg/gw.json`. Other characters (and a leading dot) are percent-encoded, so the mapping is reversible and safe.
 */
export function documentName(key: string): string {
  const parts = key.split('/').filter(Boolean);
  const kept = parts.length === 8 ? [parts[1], parts[3], parts[7]] : parts;
  return `${kept.map((part) => encodeSegment(part ?? '')).join('/')}.json`;
}

/** Percent-encodes all but [a-z0-9_-] and inner dots, so no segment is `.` or `..` or holds a separator. */
function encodeSegment(part: string): string {
  return noLeadingDot(percentEncoded(part));
}

/** `text` percent-encoded but for [A-Za-z0-9_.-]. */
function percentEncoded(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
}

/** A leading dot encoded, so no name is `.`, `..` or hidden. */
function noLeadingDot(name: string): string {
  return name.replace(/^\./, '%2e');
}

/**
 * The longest name of one folder or file on the file systems a state folder lives on (ext4, XFS,
 * Btrfs: 255 bytes; APFS, NTFS: 255 characters).
 */
const MAX_NAME_BYTES = 255;

/**
 * What a document's file name holds beside its gateway's name: `.json`, and the longest name made from
 * it, its lock's temporary file `.lock.<pid>.<uuid>.tmp` (a pid of up to 7 digits; file-state-store.ts).
 */
const DOCUMENT_NAME_EXTRA_BYTES = '.json'.length + '.lock.'.length + 7 + 1 + 36 + '.tmp'.length;

/**
 * documentName for a state folder: the same name wherever each of its folder and file names fits
 * MAX_NAME_BYTES (every name documentName has ever given a file that could be written). A name that
 * does not (a resource group named with 28 or more CJK letters is 9 bytes a letter percent-encoded; a
 * break trial found its gateways' notify state and history refused on every run, ENAMETOOLONG, so
 * none of their notices ever went out) keeps its non-ASCII letters, digits and marks as they are (3
 * bytes a CJK letter). keyOfDocument reads both. A name too long even so (ARM's 90 characters, every
 * one 3 bytes or more) is refused by the file system, and the state file's error says what to do
 * (file-state-store.ts, ENAMETOOLONG). Blob names (documentName) may be 1 024 characters long: they
 * keep the percent-encoded form, so no document already written moves.
 */
export function fileDocumentName(key: string): string {
  const parts = key.split('/').filter(Boolean);
  const kept = parts.length === 8 ? [parts[1], parts[3], parts[7]] : parts;
  const names = kept.map((part, i) =>
    fileSegment(part ?? '', MAX_NAME_BYTES - (i === kept.length - 1 ? DOCUMENT_NAME_EXTRA_BYTES : 0)),
  );
  return `${names.join('/')}.json`;
}

/** encodeSegment, or, past `maxBytes`, the same with non-ASCII letters, digits and marks as they are. */
function fileSegment(part: string, maxBytes: number): string {
  const encoded = encodeSegment(part);
  if (encoded.length <= maxBytes) return encoded;
  const letters = /^[\p{L}\p{N}\p{M}]$/u;
  return noLeadingDot([...part].map((c) => (c > '\x7f' && letters.test(c) ? c : percentEncoded(c))).join(''));
}

/** The key a document name stands for; undefined for a name `documentName` cannot have made (a foreign file). */
export function keyOfDocument(name: string): string | undefined {
  let parts: string[];
  try {
    parts = name
      .replace(/\.json$/, '')
      .split('/')
      .map(decodeURIComponent);
  } catch {
    return undefined; // a malformed %-escape: not ours
  }
  if (parts.length !== 3 || parts.some((part) => part === '')) return undefined;
  const [sub, rg, gw] = parts;
  return `/subscriptions/${sub}/resourcegroups/${rg}/providers/microsoft.network/applicationgateways/${gw}`;
}

/** One JSON file per key under `dir` (see createFileStateStore for the locking). */
export function createFileStateStores<T>(options: {
  dir: string;
  /** What the failures advise (default: the config's state.dir). */
  advice?: StateFolderAdvice;
}): StateStores<T> {
  const root = path.resolve(options.dir);
  const name = `state folder ${root}`;
  return {
    name,
    forKey: (key) =>
      createFileStateStore<T>({
        file: path.join(root, fileDocumentName(key)),
        ...(options.advice ? { advice: options.advice } : {}),
      }),
    async listKeys() {
      let entries: StateEntry[];
      try {
        entries = await entriesUnder(root);
      } catch (error) {
        const { code, path: at } = error as NodeJS.ErrnoException;
        // No state folder yet: no state yet. A link to nothing there is no such folder (a break trial: a
        // history folder linked to a disk not mounted listed no history, and the status page went empty).
        if (code === 'ENOENT' && at === root && !(await isLink(root))) return [];
        // What could not be read or followed is named along its own path (a link to nothing under it).
        throw await namedFileStateError(name, 'list', error, options.advice, at ?? root);
      }
      // Only what lies in the state folder itself: a link may lead anywhere (a trial's tidying reached a
      // folder elsewhere).
      await removeLeftTemporaries(
        root,
        entries.filter((entry) => !entry.throughLink).map((entry) => entry.path),
      );
      return entries
        .map((entry) => entry.path.split(path.sep).join('/'))
        .filter((entry) => entry.endsWith('.json'))
        .flatMap((entry) => keyOfDocument(entry) ?? []);
    },
  };
}

/** Whether `at` is a symbolic link (its target there or not); false when nothing is at `at`. */
async function isLink(at: string): Promise<boolean> {
  return lstat(at).then(
    (stats) => stats.isSymbolicLink(),
    () => false,
  );
}

/** A key's document is three names deep: `<sub>/<rg>/<gateway>.json` (documentName). */
const DOCUMENT_DEPTH = 3;

/**
 * Whether a link at `at` (relative to the state folder) is followed as a folder of the state: one above
 * the documents (a subscription's or a resource group's, kept on another disk), not one named as a
 * document, its lock or a killed write's file at the top (`silences.json.lock`). A link where a
 * document's lock should be was followed: one to nothing failed the whole listing (every gateway's
 * notices unknown, nothing tidied), one to `/usr` walked `/usr` on every run (a break trial). Not
 * followed, it is an entry like a file: a document's own read says what is wrong with it.
 */
function mayBeAFolderOfTheState(at: string): boolean {
  const parts = at.split(path.sep);
  const name = parts[parts.length - 1] ?? '';
  if (parts.length >= DOCUMENT_DEPTH) return false;
  return parts.length > 1 || !(/\.json(?:\.lock)?$/.test(name) || documentLeftBehind(name) !== undefined);
}

/**
 * Whether a file (or a link to one) at `at` (relative to the state folder) stands where a subscription's
 * folder of documents is: a GUID at the top (ARM's subscription ids are GUIDs: arm-id.ts). Skipped, it hid
 * every document of that subscription: a break trial's history listed none of it, and a published status
 * page went empty. Nowhere deeper: a resource group may be named like any file (`README.md`, `Thumbs.db`,
 * `desktop.ini` are valid names), and a file a user or a file browser left in a subscription's folder
 * failed every run (a break trial), so a file there is listed past, as at the top one not named by a GUID.
 */
function standsForAFolderOfTheState(at: string): boolean {
  return !at.includes(path.sep) && SUBSCRIPTION_GUID.test(at);
}

/** The listing's refusal of a file where a folder of the state should be, as readdir would give it. */
function notAFolder(at: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOTDIR: not a directory, scandir '${at}'`), {
    code: 'ENOTDIR',
    syscall: 'scandir',
    path: at,
  });
}

/** An entry under the state folder: its path relative to it, and whether a link led to it. */
interface StateEntry {
  readonly path: string;
  /** Reached through a link to a folder: listed as the state's, but never tidied (it may be elsewhere). */
  readonly throughLink: boolean;
}

/**
 * The entries under `root` (files, folders, links; paths relative to it, with the platform's
 * separator), at any depth. A link to a folder is followed (a user may keep part of the state on
 * another disk: its notices must be listed) where a folder of the state can be (mayBeAFolderOfTheState),
 * unless it leads into the state folder itself, which is read
 * anyway, or to a folder read already: two links to `.` no longer made the listing (and every run's
 * end) endless, as Node's `readdir(root, { recursive: true })` did (a break trial). Only a link costs a
 * look where it leads (realpath); a real folder under `root` is reached once, by its one path. Throws as
 * readdir does for `root` (ENOENT, ENOTDIR …), and as realpath or readdir do for a folder or link under
 * it that cannot be read or followed (a link to nothing, a loop); one that vanished meanwhile is
 * skipped. Entries of a `root` that is itself a link all count as reached through a link.
 */
async function entriesUnder(root: string): Promise<StateEntry[]> {
  const found: StateEntry[] = [];
  const entriesOf = (relative: string) => readdir(path.join(root, relative), { withFileTypes: true });
  const top = await entriesOf('');
  const rootReal = await realpath(root);
  // The state folder itself a link (`history` on another disk): everything in it lies behind that link.
  const rootIsLink = (await lstat(root)).isSymbolicLink();
  /** A folder gone between its listing and its reading: nothing to list. */
  const vanished = (error: NodeJS.ErrnoException): Dirent[] => {
    if (error.code === 'ENOENT') return [];
    throw error;
  };
  const followed = new Set<string>();
  const walk = async (relative: string, throughLink: boolean, entries: Dirent[]): Promise<void> => {
    for (const entry of entries) {
      const at = relative === '' ? entry.name : path.join(relative, entry.name);
      // Every entry, as readdir lists them: a folder or link named like a document is one that
      // cannot be read, and the listing's reader says so (notify list: "could not be read").
      found.push({ path: at, throughLink });
      if (entry.isFile() && standsForAFolderOfTheState(at)) throw notAFolder(path.join(root, at));
      if (entry.isDirectory()) await walk(at, throughLink, await entriesOf(at).catch(vanished));
      else if (entry.isSymbolicLink() && mayBeAFolderOfTheState(at)) {
        // A link that leads nowhere (a disk not mounted) or never ends hides every document behind it:
        // said, not skipped (a trial's notify list said "No undelivered notices." over 12 waiting).
        const target = await realpath(path.join(root, at));
        const inside = target === rootReal || target.startsWith(`${rootReal}${path.sep}`);
        if (inside || followed.has(target)) continue;
        followed.add(target);
        const behind = await entriesOf(at).catch((error: NodeJS.ErrnoException) => {
          // A link to a file: an entry, not a folder; unless it stands where a subscription's folder
          // is, hiding what that folder held.
          if (error.code === 'ENOTDIR' && !standsForAFolderOfTheState(at)) return [];
          throw error;
        });
        await walk(at, true, behind);
      }
    }
  };
  await walk('', rootIsLink, top);
  return found;
}

/**
 * Removes the files among `entries` (paths under `root`, as listed) that a killed write of a key's
 * document left (documentLeftBehind) where such documents are, `<sub>/<rg>/`, and that were last
 * changed more than LEFT_OVER_AGE_IN_MS ago (files/left-over.ts). Nowhere else: a user's
 * `backup/silences.json.lock.stale-<uuid>` or `notes.json.1.<uuid>.tmp` at the top was removed (a break
 * trial); the silences' own are tidied by their writes (file-state-store.ts tidiesAfterWrite). A stale
 * lock moved aside keeps the old lock's date: one may be taken from under the process breaking it,
 * which is fine (file-state-store.ts breakIfStale: gone is broken); a fresh lock moved aside by mistake
 * is young, and kept. Run where the folder is listed anyway (every run's end, for the gateways it did
 * not visit), so it costs no listing of its own.
 */
async function removeLeftTemporaries(root: string, entries: readonly string[]): Promise<void> {
  for (const entry of entries) {
    const parts = entry.split(path.sep);
    if (parts.length === DOCUMENT_DEPTH && documentLeftBehind(parts[DOCUMENT_DEPTH - 1] ?? '') !== undefined)
      await removeIfLeftOver(path.join(root, entry), 'file');
  }
}

/** One blob per key under `prefix` in `container` (see createBlobStateStore for the ETag conditions). */
export function createBlobStateStores<T>(options: {
  client: BlobService;
  container: string;
  prefix?: string;
}): StateStores<T> {
  const prefix = options.prefix ?? 'notify/';
  const name = `container ${options.container} (blobs under ${prefix})`;
  return {
    name,
    forKey: (key) =>
      createBlobStateStore<T>({
        client: options.client,
        container: options.container,
        blobName: `${prefix}${documentName(key)}`,
      }),
    async listKeys() {
      const keys: string[] = [];
      try {
        for await (const blobName of options.client.container(options.container).listBlobNames({ prefix })) {
          const key = keyOfDocument(blobName.slice(prefix.length));
          if (key) keys.push(key);
        }
      } catch (error) {
        if (isNotThere(error)) return []; // no container yet: no state yet
        throw blobStateError(name, 'list', error, options.client.url);
      }
      return keys;
    },
  };
}
