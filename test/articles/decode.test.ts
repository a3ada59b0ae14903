import { decodeArticleSource, parseArticle, renderArticle } from '../../src/articles';
import { mojibake, SEED, windows1252 } from './helpers';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('decodeArticleSource: bytes', () => {
  test.each([
    ['UTF-8', utf8('a\u00e9b\n'), 'a\u00e9b\n'],
    ['UTF-8 with BOM', concat(Uint8Array.of(0xef, 0xbb, 0xbf), utf8('<x>\n')), '<x>\n'],
    ['UTF-16LE with BOM', Uint8Array.of(0xff, 0xfe, 0x41, 0x00, 0x0a, 0x00), 'A\n'],
    ['UTF-16BE with BOM', Uint8Array.of(0xfe, 0xff, 0x00, 0x41, 0x00, 0x0a), 'A\n'],
    [
      'Windows-1252 (NBSP, curly apostrophe)',
      Uint8Array.of(0x49, 0x92, 0x6d, 0xa0, 0x6f, 0x6b),
      'I\u2019m\u00a0ok',
    ],
    ['CRLF', utf8('a\r\nb\r\n'), 'a\nb\n'],
    ['lone CR', utf8('a\rb\r'), 'a\nb\n'],
    ['mixed line ends', utf8('a\r\nb\nc\rd'), 'a\nb\nc\nd'],
  ])('%s', (_label, bytes, text) => {
    expect(decodeArticleSource(bytes).text).toBe(text);
  });

  test('a string input loses its BOM and CRs too', () => {
    expect(decodeArticleSource('\ufeffa\r\nb').text).toBe('a\nb');
  });

  test('Windows-1252 reading is reported', () => {
    expect(decodeArticleSource(Uint8Array.of(0x92)).warnings.join()).toMatch(/not valid UTF-8.*Windows-1252/);
    expect(decodeArticleSource(utf8('ok')).warnings).toEqual([]);
  });
});

describe('decodeArticleSource: mojibake', () => {
  test.each([
    ['Â + NBSP (the seed)', 'x\u00c2\u00a0y', 'x\u00a0y'],
    ['right single quote', 'it\u00e2\u20ac\u2122s', 'it\u2019s'],
    ['e acute', 'caf\u00c3\u00a9', 'caf\u00e9'],
    ['u umlaut', mojibake('Gr\u00fc\u00dfe'), 'Gr\u00fc\u00dfe'],
    ['em dash', mojibake('a \u2014 b'), 'a \u2014 b'],
    ['CJK', mojibake('\u65e5\u672c'), '\u65e5\u672c'],
    ['emoji (4 bytes)', mojibake('\u{1f600}'), '\u{1f600}'],
    ['encoded twice over', mojibake(mojibake('caf\u00e9')), 'caf\u00e9'],
  ])('repairs %s', (_label, broken, repaired) => {
    const result = decodeArticleSource(broken);
    expect(result.text).toBe(repaired);
    expect(result.warnings.join()).toMatch(/Repaired \d+ double-encoded/);
  });

  test.each([
    ['real accents', 'caf\u00e9, na\u00efve, \u00fcber, \u00c5ngstr\u00f6m, \u00e7a'],
    ['Japanese', '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8'],
    ['emoji', 'ok \u{1f600} \u{1f44d}\u{1f3fd}'],
    ['a lone Â in a word', '\u00c2me, \u00c2ge, PR\u00c2T'],
    ['Â before a space', 'A\u00c2 b'],
    ['Ã before a letter', '\u00c3o Paulo'],
    ['curly quotes and dashes', '\u2018a\u2019 \u201cb\u201d \u2013 \u2014 \u2026 \u20ac'],
    ['NBSP alone', 'a\u00a0b'],
  ])('keeps %s', (_label, text) => {
    const result = decodeArticleSource(text);
    expect(result.text).toBe(text);
    expect(result.warnings).toEqual([]);
  });

  test('repairs only the broken part of mixed text, and names the line', () => {
    const result = decodeArticleSource(`caf\u00e9\nit${mojibake('\u2019')}s \u65e5\u672c`);
    expect(result.text).toBe('caf\u00e9\nit\u2019s \u65e5\u672c');
    expect(result.warnings.join()).toMatch(/line 2/);
  });

  test('Windows-1252 bytes that spell mojibake are repaired after decoding', () => {
    // "Ã©" written as two Windows-1252 bytes, next to a lone 0x92 apostrophe: not UTF-8 at all.
    const result = decodeArticleSource(windows1252('caf\u00c3\u00a9 I\u2019m'));
    expect(result.text).toBe('caf\u00e9 I\u2019m');
  });
});

describe('the seed article loads in every encoding', () => {
  const text = new TextDecoder().decode(SEED);
  const expected = parseArticle(SEED);
  const withoutMojibake = text.replace('\u00c2\u00a0', '\u00a0');

  test.each([
    ['as bytes', SEED],
    ['as a string', text],
    ['with a BOM', concat(Uint8Array.of(0xef, 0xbb, 0xbf), SEED)],
    ['with CRLF', utf8(text.replace(/\n/g, '\r\n'))],
    ['with CR', utf8(text.replace(/\n/g, '\r'))],
    ['as Windows-1252', windows1252(withoutMojibake)],
    // A curly apostrophe (0x92) makes the bytes invalid UTF-8; the C2 A0 pair then reads as "Â" + NBSP.
    [
      'as Windows-1252 with CRLF, keeping its mojibake',
      windows1252(`${text.replace(/\n/g, '\r\n')}It\u2019s.\r\n`),
    ],
  ])('%s', (_label, source) => {
    const article = parseArticle(source);
    expect(article.metadata).toEqual(expected.metadata);
    expect(article.placeholders).toEqual(expected.placeholders);
    expect(article.occurrences).toEqual(expected.occurrences);
    const html = renderArticle(source, { GatewayName: 'gw' }).html;
    expect(html).not.toContain('\u00c2');
    expect(html).toContain('\u00a0');
  });
});
