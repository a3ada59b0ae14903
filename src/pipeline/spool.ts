import { toError } from '../errors';
import type { Scratch, ScratchFile, ScratchPlace } from '../ports';
import type { Logger } from './logger';

/** Where a spooled text is: its place in the run's scratch file, or the text itself when the file failed. */
export type SpoolEntry = ScratchPlace | { readonly text: string };

/**
 * Texts a run needs only at its end, kept in one file of its Scratch (ports.ts) instead of memory
 * (issue 14: memory). Nothing is lost when the file fails: from the first failure (a full temp folder)
 * the texts are kept in memory, said once in the log. Reading a text back may throw the scratch's
 * ScratchUnavailableError (the file removed under the run).
 */
export interface Spool {
  add(text: string): Promise<SpoolEntry>;
  text(entry: SpoolEntry): Promise<string>;
  /** `text`, blocking (ScratchFile.readSync); throws as `text` does. */
  textSync(entry: SpoolEntry): string;
}

/** A spool on a new file of `scratch` (made on the first `add`); `what` names it in the log. */
export function createSpool(scratch: Scratch, logger: Logger, what: string): Spool {
  let file: Promise<ScratchFile> | undefined;
  // The file once made: every place was handed out after it was.
  let made: ScratchFile | undefined;
  let failed = false;
  return {
    async add(text) {
      if (!failed) {
        try {
          file ??= scratch.file();
          made = await file;
          return await made.append(text);
        } catch (error) {
          // Once: every later text goes to memory, so no text is in a file that failed.
          if (!failed)
            logger.warn(
              `${what}: ${toError(error).message} It is kept in memory for the rest of this run instead.`,
            );
          failed = true;
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
