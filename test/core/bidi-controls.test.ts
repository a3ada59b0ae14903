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

  test.each([
    ['quote (core/json-describe: log and error quotations)', (s: string) => quote(s)],
    ['terminalSafe (core/input/json-text: bad-input messages)', terminalSafe],
    ['shellWord (core/shell-quote: the insight’s commands)', shellWord],
    ['plainText (webhooks: chat text)', plainText],
    ['singleLine (webhooks: chat facts)', singleLine],
    ['escapeMarkdownText (articles: markdown fields)', escapeMarkdownText],
    ['escapeHtml (insight pages)', escapeHtml],
    ['terminalField (CLI summary)', (s: string) => terminalField(s)],
    ['terminalSafeJson (CLI --json)', (s: string) => terminalSafeJson(JSON.stringify(s))],
  ])('%s', (_name, escape) => {
    for (const control of BIDI_CONTROLS) {
      const out = escape(`pool${control}evil`);
      expect([control.codePointAt(0)?.toString(16), out.includes(control)]).toEqual([
        control.codePointAt(0)?.toString(16),
        false,
      ]);
    }
  });
});
