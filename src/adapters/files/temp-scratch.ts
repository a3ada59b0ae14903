import { Buffer } from 'node:buffer';
import { readSync } from 'node:fs';
import { mkdtemp, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { ScratchUnavailableError } from '../../errors';
import type { Scratch, ScratchFile, ScratchPlace } from '../../ports';
import { errnoText } from './errno-text';
import { removeIfLeftOver } from './left-over';
import { processIsGone } from './process-gone';
import { obstacleText } from './first-obstacle';
import { removeOnExit } from './remove-on-exit';
import { writeAll } from './write-all';

/**
 * A run's temporary files (ports.ts Scratch) in a folder of its own under `parent` (default the OS temp
 * folder: TMPDIR), `appgw-insights-run-<pid>-XXXXXX`, made on the first `file()`. Texts are appended as UTF-8
 * at the end of the file (the place is taken before the write, so appends from concurrent gateways never
 * overlap: positional writes) and read back by place. `dispose()` closes the files and removes the
 * folder; the folder is also removed when the process exits any other way (a second stop signal's
 * `process.exit`, an uncaught error: removeOnExit), though not on SIGKILL: the folder of a run killed
 * so (its process gone, nothing in the folder changed for LEFT_OVER_AGE_IN_MS) is removed by the next
 * run that makes its own in the same place (removeFoldersOfKilledRuns).
 */
export function createTempScratch(options: { readonly parent?: string } = {}): Scratch {
  let folder: Promise<string> | undefined;
  let stopWatching: (() => void) | undefined;
  const handles: FileHandle[] = [];
  let files = 0;
  const parent = options.parent ?? os.tmpdir();
  const made = (): Promise<string> =>
    (folder ??= mkdtemp(path.join(parent, `${RUN_FOLDER_PREFIX}${process.pid}-`)).then(async (dir) => {
      stopWatching = removeOnExit(dir);
      await removeFoldersOfKilledRuns(parent);
      return dir;
    }));
  return {
    async file(): Promise<ScratchFile> {
      let name = path.join(parent, 'appgw-insights-run-…');
      try {
        name = path.join(await made(), `${files++}.txt`);
        const handle = await open(name, 'w+');
        handles.push(handle);
        return scratchFile(name, handle);
      } catch (error) {
        const why = (await obstacleText(path.dirname(name), error)) ?? errnoText(error);
        throw new ScratchUnavailableError(name, `cannot make it: ${why}`, { cause: error });
      }
    },
    async dispose(): Promise<void> {
      await Promise.all(handles.splice(0).map((handle) => handle.close().catch(() => undefined)));
      const dir = await folder?.catch(() => undefined);
      if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      stopWatching?.();
      folder = undefined;
    },
  };
}

const RUN_FOLDER_PREFIX = 'appgw-insights-run-';
/** A run's folder as createTempScratch names it: the prefix, its process id, mkdtemp's six characters. */
const RUN_FOLDER = /^appgw-insights-run-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * Removes the folders under `parent` that runs killed with SIGKILL left (a run's status page material,
 * report entries and listed configurations: megabytes at thousands of gateways): named as a run's, of
 * a process that no longer exists here (`kill(pid, 0)` answers ESRCH; another user's answers EPERM, and
 * is left), neither the folder nor a file in it changed for LEFT_OVER_AGE_IN_MS. A live run writes its
 * files as its gateways are done, so the age also keeps the folder of a process this one cannot see (a
 * container sharing the TMPDIR, another machine on a shared disk) while that run writes; one that writes
 * nothing for an hour there may lose it, and then keeps what it has open (the files stay readable) and
 * the rest in memory. Best effort: never throws, says nothing.
 */
export async function removeFoldersOfKilledRuns(parent: string): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const pid = RUN_FOLDER.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || !processIsGone(Number(pid))) continue;
    // Judged by its files' changes too (removeIfLeftOver): a live run writes them as gateways are done.
    await removeIfLeftOver(path.join(parent, name), 'folder');
  }
}

function scratchFile(name: string, handle: FileHandle): ScratchFile {
  let size = 0;
  const readPlace = (place: ScratchPlace): string => {
    const bytes = Buffer.alloc(place.length);
    try {
      for (let read = 0; read < place.length;) {
        const bytesRead = readSync(handle.fd, bytes, read, place.length - read, place.offset + read);
        if (bytesRead === 0)
          throw new Error(
            `it is shorter than the run wrote (it ends before byte ${place.offset + place.length}): something else truncated it`,
          );
        read += bytesRead;
      }
    } catch (error) {
      throw new ScratchUnavailableError(name, `cannot read it: ${errnoText(error)}`, {
        cause: error,
        reading: true,
      });
    }
    // Another process truncated or wrote into the file (zeros where a truncation left a hole): refused
    // here, with what to do, rather than failing as the run's own JSON that does not parse.
    if (place.crc32 !== undefined && crc32(bytes) !== place.crc32)
      throw new ScratchUnavailableError(
        name,
        `what it holds at bytes ${place.offset}–${place.offset + place.length - 1} is not what the run wrote there (something else changed the file)`,
        { reading: true },
      );
    return bytes.toString('utf8');
  };
  return {
    async append(text: string): Promise<ScratchPlace> {
      const bytes = Buffer.from(text, 'utf8');
      const offset = size;
      size += bytes.length;
      try {
        await writeAll(handle, bytes, offset);
      } catch (error) {
        throw new ScratchUnavailableError(name, `cannot write it: ${errnoText(error)}`, { cause: error });
      }
      return { offset, length: bytes.length, crc32: crc32(bytes) };
    },
    // One way to read a place back, blocking: what a run reads is a few KB it wrote moments ago (in the
    // page cache), and the report's entries must be read at once (ScratchFile.readSync).
    async read(place: ScratchPlace): Promise<string> {
      return readPlace(place);
    },
    readSync: readPlace,
  };
}
