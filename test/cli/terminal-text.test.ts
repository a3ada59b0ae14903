import fc from 'fast-check';
import {
  clipAtWord,
  terminalField,
  terminalJson,
  terminalJsonPieces,
  terminalLines,
} from '../../src/cli/terminal-text';

// eslint-disable-next-line no-control-regex -- what must never reach a terminal
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\p{Cf}]/u;

describe('terminalField: one safe, clipped line', () => {
  it.each([
    ['pool\u001b[2J\u001b[H', 'pool [2J [H'],
    ['\u001b]0;pwned\u0007title', ']0;pwned title'],
    // Format characters are shown as their escapes: neither reordering what follows nor hiding.
    ['gw-\u202eevil\u202c-name', 'gw-\\u202Eevil\\u202C-name'],
    ['\u2066isolated\u2069 \u200fmark', '\\u2066isolated\\u2069 \\u200Fmark'],
    ['csi \u009b2J c1', 'csi 2J c1'],
    ['line one\r\nline two\ttab', 'line one line two tab'],
    ['nul\u0000byte', 'nul byte'],
    // A break trial: zero-width characters hid in a name (`10.0.0.4\u200b` printed as `10.0.0.4`).
    ['gw\u200bprod\u200d-\ufeffa\u00adb\u2060c', 'gw\\u200Bprod\\u200D-\\uFEFFa\\u00ADb\\u2060c'],
    ['10.0.0.4\u200b', '10.0.0.4\\u200B'],
    ['tag\u{e0041}', 'tag\\u{E0041}'],
    [
      "Received invalid status code: 401 in the backend server's HTTP response.",
      "Received invalid status code: 401 in the backend server's HTTP response.",
    ],
  ])('%j → %j', (input, expected) => expect(terminalField(input)).toBe(expected));

  it('property: never a control or bidi character, never a line break, never over the limit', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 2, max: 200 }),
        (text, limit) => {
          const out = terminalField(text, limit);
          expect(out).not.toMatch(UNSAFE);
          expect(out).not.toMatch(/[\r\n]/);
          expect([...out].length).toBeLessThanOrEqual(limit);
        },
      ),
    );
  });
});

describe('clipAtWord', () => {
  it('cuts at a word boundary near the end, never mid-word when a space is close', () => {
    const text = 'The backend server certificate is not allow-listed with Application Gateway today';
    expect(clipAtWord(text, 40)).toBe('The backend server certificate is not…');
  });
  it('cuts a long token where it must', () => {
    expect(clipAtWord('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });
  it('leaves a short text alone and never splits a surrogate pair', () => {
    expect(clipAtWord('short', 10)).toBe('short');
    expect(clipAtWord('😀'.repeat(20), 5)).toBe('😀😀😀😀…');
  });
});

describe('terminalLines and terminalJson', () => {
  it('keeps line breaks of a multi-line message, cleans and clips each line', () => {
    expect(terminalLines('Invalid config:\n  - a\u001b[31m\n  - b', 100)).toBe(
      'Invalid config:\n  - a [31m\n  - b',
    );
    expect(terminalLines('y'.repeat(5000), 100)).toHaveLength(100);
  });

  it('property: the JSON is the same value, with no raw control or bidi character', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = terminalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(text.replace(/\n/g, '')).not.toMatch(UNSAFE);
      }),
    );
  });
});

describe('terminalJsonPieces', () => {
  it('joined, is terminalJson, whatever the piece size (the escaping is per character)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 64 }), (value, chunk) => {
        const text = [
          ...terminalJsonPieces({ v: value, c1: 'a\u009bb\u202ec', list: [value, value] }, chunk),
        ];
        expect(text.join('')).toBe(terminalJson({ v: value, c1: 'a\u009bb\u202ec', list: [value, value] }));
      }),
      { numRuns: 200 },
    );
  });
});
