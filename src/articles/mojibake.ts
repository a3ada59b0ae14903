/**
 * Repairs double-encoded UTF-8 ("mojibake"): UTF-8 bytes that were once decoded as Windows-1252 (or
 * Latin-1), e.g. "Â\u00A0" → U+00A0, "â€™" → "’", "Ã©" → "é", "ðŸ˜€" → "😀".
 *
 * Only a run of characters that maps back to bytes forming one complete, valid UTF-8 multi-byte
 * sequence is replaced; anything else (é, ü, 日本, emoji, a lone "Â" before an ASCII letter) stays.
 */

/** Character → the single Windows-1252 (or Latin-1 C1) byte it decodes from. */
const BYTE_OF: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  for (let byte = 0x80; byte <= 0x9f; byte++) map.set(String.fromCharCode(byte), byte); // Latin-1 C1
  const cp1252 = new TextDecoder('windows-1252');
  for (let byte = 0x80; byte <= 0xff; byte++) map.set(cp1252.decode(Uint8Array.of(byte)), byte);
  return map;
})();

function byteAt(text: string, index: number): number | undefined {
  const ch = text[index];
  return ch === undefined ? undefined : BYTE_OF.get(ch);
}

/** How many continuation bytes a lead byte needs, and the allowed range of the first one. */
function leadInfo(lead: number): { count: number; min: number; max: number } | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return { count: 1, min: 0x80, max: 0xbf };
  if (lead === 0xe0) return { count: 2, min: 0xa0, max: 0xbf };
  if (lead === 0xed) return { count: 2, min: 0x80, max: 0x9f };
  if (lead >= 0xe1 && lead <= 0xef) return { count: 2, min: 0x80, max: 0xbf };
  if (lead === 0xf0) return { count: 3, min: 0x90, max: 0xbf };
  if (lead >= 0xf1 && lead <= 0xf3) return { count: 3, min: 0x80, max: 0xbf };
  if (lead === 0xf4) return { count: 3, min: 0x80, max: 0x8f };
  return undefined;
}

/** The code point of the valid sequence starting at `index`, and its length in characters. */
function sequenceAt(text: string, index: number): { char: string; length: number } | undefined {
  const lead = byteAt(text, index);
  const info = lead === undefined ? undefined : leadInfo(lead);
  if (lead === undefined || info === undefined) return undefined;
  let codePoint = lead & (0xff >> (info.count + 2));
  for (let k = 1; k <= info.count; k++) {
    const byte = byteAt(text, index + k);
    const min = k === 1 ? info.min : 0x80;
    const max = k === 1 ? info.max : 0xbf;
    if (byte === undefined || byte < min || byte > max) return undefined;
    codePoint = (codePoint << 6) | (byte & 0x3f);
  }
  return { char: String.fromCodePoint(codePoint), length: info.count + 1 };
}

export interface MojibakeRepair {
  /** The mojibake as found and what it became. */
  readonly from: string;
  readonly to: string;
  /** Offset of the repaired run in the text given to this pass. */
  readonly index: number;
}

function repairOnce(text: string): { text: string; repairs: MojibakeRepair[] } {
  const repairs: MojibakeRepair[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const seq = sequenceAt(text, i);
    if (seq === undefined) {
      out += text[i];
      i += 1;
    } else {
      repairs.push({ from: text.slice(i, i + seq.length), to: seq.char, index: i });
      out += seq.char;
      i += seq.length;
    }
  }
  return { text: out, repairs };
}

/**
 * Repairs mojibake; text encoded twice over is repaired again (at most three passes).
 * Returns the repairs of the first pass (offsets in the input) plus a count of later ones.
 */
export function repairMojibake(text: string): { text: string; repairs: MojibakeRepair[]; passes: number } {
  let current = text;
  let first: MojibakeRepair[] = [];
  let passes = 0;
  for (let pass = 0; pass < 3; pass++) {
    const result = repairOnce(current);
    if (result.repairs.length === 0) break;
    if (pass === 0) first = result.repairs;
    current = result.text;
    passes += 1;
  }
  return { text: current, repairs: first, passes };
}
