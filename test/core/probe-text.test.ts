import fc from 'fast-check';
import { MAX_MATCHED_LENGTH, normaliseProbeLog } from '../../src/core/probe-text';

describe('normaliseProbeLog', () => {
  it('normalises quotes, escapes, bold and whitespace', () => {
    expect(normaliseProbeLog('  Gateway\\\u2019s **Server   certificate**\n is ')).toBe(
      "gateway's server certificate is",
    );
  });

  it.each([
    ["isn't", 'is not'],
    ['isn\u2019t', 'is not'],
    ['isn\u02bct', 'is not'],
    ['isnt', 'is not'],
    ["doesn't", 'does not'],
    ["couldn't", 'could not'],
    ["can't", 'cannot'],
    ['can not', 'cannot'],
    ["wasn't", 'was not'],
    ['whitelisted', 'allowlisted'],
    ['white-listed', 'allowlisted'],
    ['white listed', 'allowlisted'],
    ['allow-listed', 'allowlisted'],
    ['allow listed', 'allowlisted'],
    ['Whitelist', 'allowlist'],
    ['whitelisting', 'allowlisting'],
    ['allow-list', 'allowlist'],
    ['time-out', 'timeout'],
    ['time out', 'timeout'],
    ['back-end', 'backend'],
    ['well known', 'well-known'],
    ['Open SSL', 'openssl'],
    ['Invalid certificate \u2013 Invalid CN', 'invalid certificate - invalid cn'],
  ])('%j → %j', (raw, canonical) => {
    expect(normaliseProbeLog(raw)).toBe(canonical);
  });

  it('leaves words that only look like contractions alone', () => {
    expect(normaliseProbeLog('parent transparent constant')).toBe('parent transparent constant');
  });

  it('reads at most MAX_MATCHED_LENGTH characters and never throws', () => {
    expect(normaliseProbeLog('a'.repeat(MAX_MATCHED_LENGTH * 2)).length).toBe(MAX_MATCHED_LENGTH);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const once = normaliseProbeLog(text);
        expect(normaliseProbeLog(once)).toBe(once);
      }),
    );
  });
});
