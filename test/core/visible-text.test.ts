import fc from 'fast-check';
import { INVISIBLE } from '../../src/core/shell-quote';
import { quoted, visible } from '../../src/core/visible-text';

describe('visible: values from ARM shown as text, every invisible character as its escape', () => {
  it.each([
    ['a plain value, unchanged', '/health', '/health'],
    ['non-ASCII letters, unchanged', 'pöol-ü', 'pöol-ü'],
    ['a newline', 'healthy\nok', 'healthy\\nok'],
    ['CR LF', 'a\r\nb', 'a\\r\\nb'],
    ['a tab', 'a\tb', 'a\\tb'],
    ['ESC', 'a\u001b[31mb', 'a\\u001B[31mb'],
    ['DEL and a C1 control', 'a\u007fb\u0085', 'a\\u007Fb\\u0085'],
    ['a right-to-left override', 'abc\u202Edcba', 'abc\\u202Edcba'],
    ['a zero-width space', 'a\u200Bb', 'a\\u200Bb'],
    ['a backslash (so an escape cannot be faked)', 'a\\nb', 'a\\\\nb'],
  ])('%s', (_n, value, shown) => {
    expect(visible(value)).toBe(shown);
  });

  it('quoted: in double quotes, a quote inside shown once, as itself (no JSON escape for a medium to escape again)', () => {
    expect(quoted('say "hi"\n')).toBe('"say "hi"\\n"');
    expect(quoted(`it's "ok"`)).toBe(`"it's "ok""`);
  });

  it('property: the text holds no invisible character and no line break, and tells values apart', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.string({ unit: 'binary', maxLength: 30 }),
        (a, b) => {
          const shown = visible(a);
          expect([...shown].some((ch) => INVISIBLE.test(ch))).toBe(false);
          if (a !== b) expect(visible(a)).not.toBe(visible(b));
        },
      ),
    );
  });
});
