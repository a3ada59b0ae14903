/**
 * How error messages quote a JSON value read from the network or a file: short, escaped, and saying
 * what kind of value it was ("found an empty object {}", "found null"). Pure.
 */
import { clipText } from './text-clip';

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Terminal- and log-safe quotation of an input value: JSON-escaped, bidi controls escaped, cut to `max`
 * characters (ARM ids run to a few hundred; anything else we quote is shown short).
 */
export function quote(value: string, max = 80): string {
  const cut = clipText(value, max);
  return JSON.stringify(cut).replace(
    // Unicode's own sets, not a list (one list lacked U+061C: a break trial): the format characters
    // (Cf: bidi controls, zero-width spaces and joiners, the BOM) and the line separators.
    /[\u007f-\u009f\p{Cf}\u2028\u2029]/gu,
    jsonEscape,
  );
}

/**
 * `\uXXXX` for each UTF-16 unit of `c` (one code point; an astral one as its surrogate pair): the form
 * JSON reads back as the same character.
 */
export function jsonEscape(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** What a value is, for "found …": `nothing`, `null`, `an empty array`, `number 2`, `string "…"`, an object's first keys. */
export function describe(value: Json): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  if (isObject(value)) {
    const keys = Object.keys(value);
    return keys.length === 0
      ? 'an empty object {}'
      : `an object with ${keys
          .slice(0, 4)
          .map((k) => quote(k))
          .join(', ')}${keys.length > 4 ? ', …' : ''}`;
  }
  if (typeof value === 'string') return `string ${quote(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
