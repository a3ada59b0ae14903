/**
 * Text as Windows and Linux save it: what PowerShell 5.1's `>` writes (UTF-16 LE with a BOM), `Out-File
 * -Encoding BigEndianUnicode` (UTF-16 BE), Notepad's "UTF-8 with BOM", and plain UTF-8.
 */
export const SAVED_ENCODINGS = ['utf-8', 'utf-8 with BOM', 'utf-16le with BOM', 'utf-16be with BOM'] as const;
export type SavedEncoding = (typeof SAVED_ENCODINGS)[number];

export function encodeAs(text: string, encoding: SavedEncoding): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8 with BOM':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf-16le with BOM':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf-16be with BOM':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
  }
}
