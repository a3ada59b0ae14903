import { toError } from '../errors';
import type { Scratch, ScratchFile, ScratchPlace } from '../ports';
import type { Logger } from './logger';

/** Where a spooled text is: its place in the run's scratch file, or the text itself when the file failed. */
export type SpoolEntry = ScratchPlace | { readonly text: string };

/**
 * Texts a run needs only at its end, kept in one file of its Scratch (ports.ts) instead of memory
 * (issue 14: memory). Nothing is lost when the file fails: from the first failure of any file of its
 * scratch (a full temp folder) the texts of every spool of it are kept in memory, said once in the
 * log. Reading a text back may throw the scratch's ScratchUnavailableError (a disk error).
 */
export interface Spool {
  add(text: string): Promise<SpoolEntry>;
  text(entry: SpoolEntry): Promise<string>;
  /** `text`, blocking (ScratchFile.readSync); throws as `text` does. */
  textSync(entry: SpoolEntry): string;
}

/**
 * Scratches one of whose files failed: from then on every spool of that scratch keeps its texts in
 * memory, and the first failure alone is said (a full or unusable temp folder is one cause, said once,
 * not once per kind of file a run keeps there). Per Scratch instance, so per run.
 */
const failedScratches = new WeakSet<Scratch>();

/** A spool on a new file of `scratch` (made on the first `add`); `what` names it in the log. */
export function createSpool(scratch: Scratch, logger: Logger, what: string): Spool {
  let file: Promise<ScratchFile> | undefined;
  // The file once made: every place was handed out after it was.
  let made: ScratchFile | undefined;
  return {
    async add(text) {
      if (!failedScratches.has(scratch)) {
        try {
          file ??= scratch.file();
          made = await file;
          return await made.append(text);
        } catch (error) {
          // Once per scratch: every later text of any of its spools goes to memory.
          if (!failedScratches.has(scratch))
            logger.warn(
              `${what}: ${toError(error).message} It, and everything else this run keeps in its ` +
                'temporary files, is kept in memory for the rest of this run instead.',
            );
          failedScratches.add(scratch);
        }
      }
      return { text };
    },
    async text(entry) {
      if ('text' in entry) return entry.text;
      // A place is only handed out once the file was made.
      return (await (file as Promise<ScratchFile>)).read(entry);
    },
    textSync(entry) {
      if ('text' in entry) return entry.text;
      return (made as ScratchFile).readSync(entry);
    },
  };
}
