import fc from 'fast-check';
import {
  decodeJsonBytes,
  jsonErrorReason,
  parseJsonBytes,
  parseJsonText,
} from '../../../src/core/input/json-text';
import { SAVED_ENCODINGS, encodeAs } from '../../helpers/encodings';

const DOC = { targets: ['/subscriptions/s'], note: 'Zürich – ✓ 😀', nested: { list: [1, 2, 3] } };
const TEXT = `${JSON.stringify(DOC, null, 2)}\r\n`;

/** Controls, NUL, bidi overrides and replacement characters: what must never reach a terminal. */
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]/;

describe('decodeJsonBytes / parseJsonBytes: JSON as Windows and Linux save it', () => {
  it.each(SAVED_ENCODINGS)('reads %s', (encoding) => {
    const read = parseJsonBytes(encodeAs(TEXT, encoding));
    expect(read).toEqual({ ok: true, value: DOC });
  });

  it.each(SAVED_ENCODINGS)('property: any JSON value survives %s', (encoding) => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const read = parseJsonBytes(encodeAs(JSON.stringify(value), encoding));
        expect(read.ok).toBe(true);
        // JSON turns -0 into 0: compare what JSON itself gives back.
        if (read.ok) expect(read.value).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it.each([
    [
      'UTF-32 LE (BOM FF FE 00 00)',
      Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('{ }', 'utf16le')]),
      /UTF-32 LE.*save it as UTF-8/,
    ],
    [
      'UTF-32 BE (BOM 00 00 FE FF)',
      Buffer.from([0, 0, 0xfe, 0xff, 0, 0, 0, 0x7b]),
      /UTF-32 BE.*save it as UTF-8/,
    ],
    [
      'UTF-16 LE without a BOM',
      Buffer.from('{"targets": []}', 'utf16le'),
      /UTF-16 text without a byte-order mark: save it as UTF-8/,
    ],
    [
      'UTF-16 BE without a BOM',
      Buffer.from('{"targets": []}', 'utf16le').swap16(),
      /UTF-16 text without a byte-order mark: save it as UTF-8/,
    ],
    [
      'Windows-1252 ("ANSI")',
      Buffer.from('{"city": "Z\xfcrich"}', 'latin1'),
      /not UTF-8 text \(byte 0xFC at offset 11, line 1\): save it as UTF-8/,
    ],
    [
      'Windows-1252 on line 3',
      Buffer.from('{\n "a": 1,\n "b": "\x93q\x94"\n}', 'latin1'),
      /byte 0x93 at offset 18, line 3/,
    ],
    [
      'a UTF-8 BOM before Windows-1252 bytes',
      Buffer.from('\xef\xbb\xbf{"a":"\xe9"}', 'latin1'),
      /byte 0xE9 at offset 9/,
    ],
    [
      'a truncated UTF-8 sequence',
      Buffer.from([0x7b, 0x22, 0xe2, 0x82, 0x22, 0x7d]),
      /not UTF-8 text \(byte 0xE2 at offset 2/,
    ],
    [
      'an overlong UTF-8 encoding',
      Buffer.from([0x22, 0xc0, 0xaf, 0x22]),
      /not UTF-8 text \(byte 0xC0 at offset 1/,
    ],
    [
      'UTF-16 LE with an odd byte count',
      Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d]),
      /UTF-16 LE byte-order mark but is not UTF-16 LE text/,
    ],
    [
      'UTF-16 LE with a lone surrogate',
      Buffer.from([0xff, 0xfe, 0x22, 0, 0x00, 0xd8, 0x22, 0]),
      /not UTF-16 LE text/,
    ],
    [
      'a UTF-16 LE mark before UTF-8 text',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"targets": ["/subscriptions/s"]}')]),
      /UTF-16 LE byte-order mark but is not UTF-16 LE text: save it as UTF-8/,
    ],
    [
      'a UTF-16 BE mark before UTF-8 text',
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('{"a": 1}')]),
      /UTF-16 BE byte-order mark but is not UTF-16 BE text/,
    ],
    ['an empty file', Buffer.alloc(0), /is empty/],
    ['only white space', Buffer.from(' \r\n\t'), /is empty/],
    ['only a UTF-8 BOM', Buffer.from([0xef, 0xbb, 0xbf]), /is empty/],
    ['only a UTF-16 BOM', Buffer.from([0xff, 0xfe]), /is empty/],
  ])('refuses %s with one line that says what to do', (_, bytes, expected) => {
    const read = decodeJsonBytes(bytes);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problem).toMatch(expected);
    expect(read.problem).not.toMatch(UNSAFE);
    expect(read.problem).not.toContain('\n');
  });

  it('property: whatever the bytes, a problem is one terminal-safe line and a success is text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const read = parseJsonBytes(bytes);
        if (!read.ok) {
          expect(read.problem).not.toMatch(UNSAFE);
          expect(read.problem).not.toMatch(/[\r\n]/);
          expect(read.problem.length).toBeLessThan(300);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseJsonText: the parser says where, never what (the input may be binary or a secret)', () => {
  it.each([
    ['\u0000\u0000', /Unexpected character "\\u0000"/],
    [
      '{"url": "https://hooks.example/T0/abc", oops}',
      /^is not valid JSON: Expected double-quoted property name \(line 1 column 41\)$/,
    ],
    ['{"a": x}', /^is not valid JSON: Unexpected character "x"$/],
    ['{\n"a":1\n"b":2}', /\(line 3 column 1\)/],
    ['[1,2', /Expected ',' or '\]' after array element/],
    ['', /Unexpected end of JSON input/],
    ['{"a":"b\u0001c"}', /Bad control character in string literal/],
    ['{"a": "\u202eevil"} x', /^is not valid JSON: Unexpected non-whitespace character after JSON/],
    // Longer inputs: V8 quotes a cut snippet ("…"... or ..."…"...), here holding a webhook secret.
    [
      '[{"name":"ops","url":"https://hooks.example/x","format":"json","secret":whsec_c2VjcmV0c2VjcmV0c2VjcmV0}]',
      /^is not valid JSON: Unexpected character "w"$/,
    ],
    ['x'.repeat(100), /^is not valid JSON: Unexpected character "x"$/],
    ['\u202e{}', /^is not valid JSON: Unexpected character "\\u202e"$/],
    ['\u0000{"secret": "whsec_c2VjcmV0"}', /^is not valid JSON: Unexpected character "\\u0000"$/],
  ])('%j', (text, expected) => {
    const read = parseJsonText(text);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problem).toMatch(expected);
    expect(read.problem).not.toContain('hooks.example');
    expect(read.problem).not.toMatch(/whsec|c2Vj|xxxx|secret/);
    expect(read.problem).not.toMatch(UNSAFE);
  });

  it('drops a leading BOM character (text decoded elsewhere, e.g. an app setting)', () => {
    expect(parseJsonText('\ufeff[1]')).toEqual({ ok: true, value: [1] });
  });

  it('caps a long reason', () => {
    expect(jsonErrorReason(new SyntaxError('x'.repeat(1000))).length).toBeLessThanOrEqual(200);
  });
});
