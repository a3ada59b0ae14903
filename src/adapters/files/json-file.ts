import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { decodeJsonBytes, parseJsonBytes, type Decoded } from '../../core/input/json-text';

/**
 * Reads a JSON input file (config, scenario, `render --values`, a saved backend-health body) as Windows
 * and Linux save it (see src/core/input/json-text.ts). `-` reads standard input. Never throws: the problem is one line
 * that says what to do ("the file is not UTF-8 text (byte 0xE9 at offset 3, line 1): save it as UTF-8");
 * callers name the file.
 */
export async function readJsonFile(file: string): Promise<Decoded<unknown>> {
  const bytes = await readInputBytes(file);
  return withSubject(file, bytes.ok ? parseJsonBytes(bytes.value) : bytes);
}

/** Reads a text file (e.g. a PEM certificate) with the same decoding as JSON inputs. Never throws. */
export async function readTextFile(file: string): Promise<Decoded<string>> {
  const bytes = await readInputBytes(file);
  return withSubject(file, bytes.ok ? decodeJsonBytes(bytes.value) : bytes);
}

/** "the file is not UTF-8 text …", "standard input is empty …": the caller's message names the file. */
function withSubject<T>(file: string, result: Decoded<T>): Decoded<T> {
  if (result.ok) return result;
  return { ok: false, problem: `${file === '-' ? 'standard input' : 'the file'} ${result.problem}` };
}

async function readInputBytes(file: string): Promise<Decoded<Uint8Array>> {
  try {
    return { ok: true, value: file === '-' ? await readStdin() : await readFile(file) };
  } catch (error) {
    return { ok: false, problem: readProblem(error) };
  }
}

/**
 * `readTextFile` for loaders that cannot wait (app settings are read synchronously): for small files
 * such as a PEM certificate. Never throws.
 */
export function readTextFileSync(file: string): Decoded<string> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    return withSubject(file, { ok: false, problem: readProblem(error) });
  }
  return withSubject(file, decodeJsonBytes(bytes));
}

/** Why a file could not be read, in words ("does not exist (ENOENT)", "is a folder, not a file"). */
function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'does not exist (ENOENT)'
    : code === 'EISDIR'
      ? 'is a folder, not a file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'cannot be read (permission denied)'
        : `cannot be read (${code ?? (error as Error).message})`;
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
