/**
 * JSON input as Windows and Linux save it: UTF-8 with or without a byte-order mark, and UTF-16 LE/BE by
 * their BOM (what Windows PowerShell 5.1's `>` and `Out-File` write). Anything else is refused with one
 * line that says what to do, never echoing raw bytes, NULs or control characters to the terminal.
 *
 * Pure: bytes in, value or problem out. `src/adapters/files/json-file.ts` reads the bytes.
 */
import { jsonEscape } from '../json-describe';
import { clipText } from '../text-clip';

export type Decoded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const SAVE_AS_UTF8 = 'save it as UTF-8';

/** The byte-order marks we are asked about, longest first (UTF-32 LE starts with UTF-16 LE's). */
const BOMS: readonly { readonly bytes: readonly number[]; readonly encoding: string }[] = [
  { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: 'UTF-32 BE' },
  { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: 'UTF-32 LE' },
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

const hex = (byte: number | undefined): string =>
  `0x${(byte ?? 0).toString(16).toUpperCase().padStart(2, '0')}`;

/** Offset of the first byte where `bytes` stops being UTF-8 (a fatal decoder does not say where). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    if (length > 1) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + length));
      } catch {
        return i;
      }
    }
    i += length;
  }
  return -1;
}

/** "line 3" of the byte offset, counting LF bytes (valid for any ASCII-compatible text). */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line += 1;
  return line;
}

/**
 * Bytes → text. UTF-8 (BOM optional) or UTF-16 with its BOM; the BOM is dropped.
 * Refused, each with what to do: UTF-32, UTF-16 without a BOM (NUL bytes between ASCII), bytes that are
 * not UTF-8 (e.g. a Windows-1252 "ANSI" file), a broken UTF-16 file, and an empty file.
 */
export function decodeJsonBytes(bytes: Uint8Array): Decoded<string> {
  const bom = BOMS.find((candidate) => startsWith(bytes, candidate.bytes));
  if (bom && bom.encoding.startsWith('UTF-32')) {
    return { ok: false, problem: `is ${bom.encoding} text, which is not read here: ${SAVE_AS_UTF8}` };
  }
  const body = bom ? bytes.subarray(bom.bytes.length) : bytes;
  if (body.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d)) {
    return { ok: false, problem: 'is empty: expected a JSON document' };
  }
  if (bom && bom.encoding !== 'utf-8') {
    const name = bom.encoding === 'utf-16le' ? 'UTF-16 LE' : 'UTF-16 BE';
    const notUtf16: Decoded<string> = {
      ok: false,
      problem: `starts with a ${name} byte-order mark but is not ${name} text: ${SAVE_AS_UTF8}`,
    };
    let text: string;
    try {
      text = new TextDecoder(bom.encoding, { fatal: true }).decode(body);
    } catch {
      return notUtf16;
    }
    // JSON (and PEM) text starts with an ASCII character: 8-bit text behind a UTF-16 mark (a file
    // re-saved by an editor that kept the mark) decodes to CJK-looking characters instead.
    const first = /\S/.exec(text)?.[0] ?? '';
    return first.charCodeAt(0) < 0x80 ? { ok: true, value: text } : notUtf16;
  }
  const bad = firstInvalidUtf8(body);
  if (bad >= 0) {
    const at = bad + (bom?.bytes.length ?? 0);
    return {
      ok: false,
      problem: `is not UTF-8 text (byte ${hex(bytes[at])} at offset ${at}, line ${lineAt(bytes, at)}): ${SAVE_AS_UTF8}`,
    };
  }
  if (!bom && looksLikeUtf16WithoutBom(body)) {
    return { ok: false, problem: `looks like UTF-16 text without a byte-order mark: ${SAVE_AS_UTF8}` };
  }
  return { ok: true, value: new TextDecoder('utf-8').decode(body) };
}

/** ASCII JSON in UTF-16 without a BOM: a NUL byte beside every character of the first few. */
function looksLikeUtf16WithoutBom(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 64);
  let nuls = 0;
  for (const b of sample) if (b === 0) nuls += 1;
  return sample.length >= 2 && nuls * 3 >= sample.length;
}

/** Control characters and bidi overrides as `\uXXXX`: a message about bad input must not carry it raw. */
export function terminalSafe(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    /[\u0000-\u001f\u007f-\u009f\p{Cf}]/gu,
    jsonEscape,
  );
}

/**
 * Text → JSON value. A leading BOM character (text that was decoded elsewhere, e.g. an app setting)
 * is dropped. The parser's message keeps its position but loses its quotation of the input (which may
 * be long, binary, or a secret): "not valid JSON: Expected ',' or '}' after property value (line 3
 * column 5)".
 */
export function parseJsonText(text: string): Decoded<unknown> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    return { ok: false, problem: `is not valid JSON: ${jsonErrorReason(error)}` };
  }
}

/**
 * Value → JSON text, for a value read from outside (a queue message, a listing's entry): undefined when
 * JSON.stringify cannot write it (nested deeper than the stack reaches: a RangeError; a message of
 * 20 000 nested brackets made the queue handlers throw on every try, a break trial) or writes nothing
 * (undefined, a function). Never throws.
 */
export function writeJsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** V8's JSON.parse message without its quotation of the input, made terminal-safe and short. */
export function jsonErrorReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // V8 quotes the input after the token, whole or cut ("…"... or ..."…"...): never repeat it.
  const token = /^Unexpected token '([\s\S]+?)', [\s\S]* is not valid JSON$/.exec(message);
  const reason = token
    ? `Unexpected character ${JSON.stringify(token[1])}`
    : message.replace(/ in JSON at position \d+/, '').replace(/,? [\s\S]* is not valid JSON$/, '');
  const safe = terminalSafe(reason);
  return clipText(safe, 200);
}

/** Bytes → JSON value: decodeJsonBytes, then parseJsonText. */
export function parseJsonBytes(bytes: Uint8Array): Decoded<unknown> {
  const text = decodeJsonBytes(bytes);
  return text.ok ? parseJsonText(text.value) : text;
}
