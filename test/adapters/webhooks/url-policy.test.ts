import fc from 'fast-check';
import { scrubUrl } from '../../../src/adapters/webhooks/url-policy';

/**
 * A receiver's error answer may echo the URL it was sent to in any of the ways a server writes a URL:
 * as sent, decoded by a URL library (`+` a space) or by decodeURIComponent (`+` kept), encoded again,
 * with lower-case escapes. None of them may reach a log, report or state document (a break trial: the
 * value as written, `S3CR3T+ab/cd%3D%3D`, was kept whole).
 */
describe('scrubUrl: every way a receiver may echo a secret of its URL', () => {
  const url = 'https://hooks.example.com/plus?sig=S3CR3T+ab/cd%3D%3D&tenant=contoso';
  it.each([
    ['as written', 'S3CR3T+ab/cd%3D%3D'],
    ['decoded, + kept (decodeURIComponent)', 'S3CR3T+ab/cd=='],
    ['decoded as a form (+ a space)', 'S3CR3T ab/cd=='],
    ['encoded again (encodeURIComponent)', 'S3CR3T%20ab%2Fcd%3D%3D'],
    ['encoded again as a form', 'S3CR3T+ab%2Fcd%3D%3D'],
    ['with lower-case escapes', 'S3CR3T+ab/cd%3d%3d'],
    ['the whole query', 'sig=S3CR3T+ab/cd%3D%3D&tenant=contoso'],
  ])('%s', (_, echoed) => {
    const out = scrubUrl(`403: signature ${echoed} is not valid`, url);
    expect(out).not.toContain('S3CR3T');
    expect(out).toBe('403: signature [redacted] is not valid');
  });

  it('a path token with an escape, echoed with lower-case or decoded', () => {
    const tokenUrl = 'https://hooks.example.com/services/T0K%2FEN42xyz';
    for (const echoed of ['T0K%2FEN42xyz', 'T0K%2fEN42xyz', 'T0K/EN42xyz'])
      expect(scrubUrl(`bad ${echoed}`, tokenUrl)).toBe('bad [redacted]');
  });

  it('a short decoded value does not redact every word it matches', () => {
    expect(scrubUrl('AB tested', 'https://hooks.example.com/h?k=%41%42%20')).toBe('AB tested');
  });

  it('property: any query value of 4+ characters, echoed as written or decoded, is gone', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 4, maxLength: 24 }).filter((v) => v.trim().length >= 4),
        (value) => {
          const written = encodeURIComponent(value).replace(/%20/g, '+');
          const secretUrl = `https://hooks.example.com/h?token=${written}`;
          for (const echoed of [written, value, decodeURIComponent(written)]) {
            const out = scrubUrl(`<${echoed}>`, secretUrl);
            expect(out).toBe('<[redacted]>');
          }
        },
      ),
    );
  });
});
