/**
 * Turns article bytes (or a string) into clean text: BOM stripped, UTF-8 or else Windows-1252,
 * mojibake repaired, line endings normalised to LF. Repairs are reported as warnings.
 */
import { repairMojibake } from './mojibake';

export interface DecodedSource {
  readonly text: string;
  readonly warnings: string[];
}

function decodeBytes(bytes: Uint8Array, warnings: string[]): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return decodeBytes(bytes.subarray(3), warnings);
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    warnings.push('The article is not valid UTF-8; it was read as Windows-1252.');
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

const visible = (s: string): string =>
  JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Decodes and cleans an article source. Never throws for any input. */
export function decodeArticleSource(input: string | Uint8Array): DecodedSource {
  const warnings: string[] = [];
  let text = typeof input === 'string' ? input : decodeBytes(input, warnings);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/\r\n?/g, '\n');
  const repaired = repairMojibake(text);
  if (repaired.repairs.length > 0) {
    const first = repaired.repairs[0];
    const where =
      first === undefined
        ? ''
        : ` (first at line ${lineOf(text, first.index)}: ${visible(first.from)} → ${visible(first.to)})`;
    const more =
      repaired.passes > 1
        ? `, then ${repaired.passes - 1} more pass(es) for text encoded more than twice`
        : '';
    warnings.push(`Repaired ${repaired.repairs.length} double-encoded UTF-8 sequence(s)${where}${more}.`);
  }
  return { text: repaired.text, warnings };
}
