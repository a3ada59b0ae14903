import { quote } from '../../src/core/json-describe';
import { terminalSafe } from '../../src/core/input/json-text';
import { shellWord } from '../../src/core/shell-quote';
import { plainText, singleLine } from '../../src/adapters/webhooks/text';
import { escapeMarkdownText } from '../../src/articles';
import { escapeHtml } from '../../src/insight/html-page';
import { terminalField, terminalSafeJson } from '../../src/cli/terminal-text';

/**
 * Every one of Unicode's bidi controls (the Bidi_Control property: U+061C ARABIC LETTER MARK, U+200E,
 * U+200F, U+202A–U+202E, U+2066–U+2069) reorders what a reader sees, so no escaper of untrusted text
 * lets one through raw. A break trial: U+061C went raw through the chat formats, a log quotation and a
 * bad-input message, whose lists named the others.
 */
const BIDI_CONTROLS = [...Array.from({ length: 0x30000 }, (_, i) => String.fromCodePoint(i))].filter((c) =>
  /\p{Bidi_Control}/u.test(c),
);

/** Every escaper of untrusted text, each with where it is used. */
const ESCAPERS: ReadonlyArray<readonly [string, (s: string) => string]> = [
  ['quote (core/json-describe: log and error quotations)', (s) => quote(s)],
  ['terminalSafe (core/input/json-text: bad-input messages)', terminalSafe],
  ['shellWord (core/shell-quote: the insight’s commands)', shellWord],
  ['plainText (webhooks: chat text)', plainText],
  ['singleLine (webhooks: chat facts)', singleLine],
  ['escapeMarkdownText (articles: markdown fields)', escapeMarkdownText],
  ['escapeHtml (insight pages)', escapeHtml],
  ['terminalField (CLI summary)', (s) => terminalField(s)],
  ['terminalSafeJson (CLI --json)', (s) => terminalSafeJson(JSON.stringify(s))],
];

describe('no escaper of untrusted text lets a bidi control through raw', () => {
  test('the list is Unicode’s (12 code points, U+061C among them)', () => {
    expect(BIDI_CONTROLS.map((c) => c.codePointAt(0)?.toString(16))).toEqual([
      '61c',
      '200e',
      '200f',
      '202a',
      '202b',
      '202c',
      '202d',
      '202e',
      '2066',
      '2067',
      '2068',
      '2069',
    ]);
  });

  test.each(ESCAPERS)('%s', (_name, escape) => {
    for (const control of BIDI_CONTROLS) {
      const out = escape(`pool${control}evil`);
      expect([control.codePointAt(0)?.toString(16), out.includes(control)]).toEqual([
        control.codePointAt(0)?.toString(16),
        false,
      ]);
    }
  });
});

/**
 * Nor the other format characters (Unicode's Cf): zero-width spaces and joiners, the word joiner and
 * invisible operators, the BOM, the soft hyphen, the Mongolian vowel separator, interlinear annotation
 * marks, and the astral tag characters. A break trial: `10.0.0.4\u200b` was printed, sent to Teams and
 * rendered as `10.0.0.4`, another server's address to the eye.
 */
const HIDDEN = [
  '\u00ad',
  '\u180e',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\u2062',
  '\ufeff',
  '\ufff9',
  '\u{e0041}',
];

describe('no escaper of untrusted text lets a zero-width or other format character through raw', () => {
  test('each is a format character (Cf)', () => {
    for (const c of HIDDEN)
      expect([c.codePointAt(0)?.toString(16), /\p{Cf}/u.test(c)]).toEqual([
        c.codePointAt(0)?.toString(16),
        true,
      ]);
  });

  test.each(ESCAPERS)('%s', (_name, escape) => {
    for (const hidden of HIDDEN) {
      const out = escape(`10.0.0.4${hidden}x`);
      expect([hidden.codePointAt(0)?.toString(16), out.includes(hidden)]).toEqual([
        hidden.codePointAt(0)?.toString(16),
        false,
      ]);
    }
  });

  test('what JSON escapes reads back as the same text (an astral one as its surrogate pair)', () => {
    const value = `a\u200bb\u{e0041}c\u202ed`;
    expect(JSON.parse(terminalSafeJson(JSON.stringify(value)))).toBe(value);
    expect(JSON.parse(quote(value))).toBe(value);
  });
});

// A break trial: `10.0.9.4` + U+200B, made a space and trimmed, read as the healthy `10.0.9.4` in the
// summary, Teams, Slack, PagerDuty's summary and the insight. Shown as its escape, it reads as itself.
describe('a format character at the edge of a value is shown, so the value never reads as another one', () => {
  test.each<[string, (s: string) => string]>([
    ['terminalField (CLI summary)', (s) => terminalField(s)],
    ['plainText (webhooks: chat text)', plainText],
    ['singleLine (webhooks: chat facts)', singleLine],
    ['escapeMarkdownText (articles: markdown fields)', escapeMarkdownText],
  ])('%s', (_name, escape) => {
    expect(escape('10.0.9.4\u200b')).not.toBe(escape('10.0.9.4'));
    expect(escape('10.0.9.4\u200b')).toMatch(/10\.0\.9\.4\\+u200B/);
    expect(escape('\u202eevil.com')).toMatch(/^\\+u202Eevil\\?\.com$/);
  });
});
