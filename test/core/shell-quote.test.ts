import fc from 'fast-check';
import { shellWord } from '../../src/core/shell-quote';
import { shellArgv } from '../helpers/shell-argv';

/** What bash makes of `words`: the arguments it passes (shellArgv runs printf in place of the first word). */
const bashArgs = (words: string): string[] => shellArgv(`printf ${words}`);

// The values a gateway's host name, probe path or name could hold if ARM let anything through.
const HOSTILE = [
  '$(echo pwned)',
  '`id`',
  "it's; rm -rf ~",
  'a b\tc',
  'line\nbreak',
  "quote'\nand newline",
  '$HOME ${PATH} ~root *.* ?',
  'x\u001b[31mred',
  'bidi\u202Eevil',
  'zero\u200Bwidth',
  '\\back\\slash\\',
  '!history',
  '',
  '-n',
  'ünïcødé/路径',
];

describe('shellWord', () => {
  it.each(HOSTILE)('bash reads %j back as exactly one argument, itself', (value) => {
    expect(bashArgs(shellWord(value))).toEqual([value]);
  });

  it('leaves plain values unquoted, so commands stay readable', () => {
    expect(shellWord('10.0.0.5')).toBe('10.0.0.5');
    expect(shellWord('appgw-shop')).toBe('appgw-shop');
    expect(shellWord('/health')).toBe('/health');
    expect(shellWord('api.contoso.com:443:10.0.0.5')).toBe('api.contoso.com:443:10.0.0.5');
  });

  it('never puts a line break or control character into the command', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        // eslint-disable-next-line no-control-regex -- the point
        expect(shellWord(value)).not.toMatch(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/);
      }),
    );
  });

  it('any string without NUL (bash cannot hold one) round-trips through bash', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'binary' }).map((s) => s.replace(/\0/g, '')),
          { minLength: 1, maxLength: 8 },
        ),
        (values) => {
          expect(bashArgs(values.map(shellWord).join(' '))).toEqual(values);
        },
      ),
      { numRuns: 60 },
    );
  });
});
