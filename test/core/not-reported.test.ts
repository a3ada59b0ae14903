import fc from 'fast-check';
import { CONFIGURABLE_STATES, DEFAULT_UNHEALTHY_STATES, isReported, readHealth } from '../../src/core/health';
import {
  addNotReported,
  countNotReported,
  notReportedText,
  notReportedTotal,
} from '../../src/core/not-reported';

describe('countNotReported: servers neither healthy nor reported, by state', () => {
  it.each([
    [
      'the default states, one server draining',
      ['Healthy', 'Draining', 'Unhealthy'],
      DEFAULT_UNHEALTHY_STATES,
      { draining: 1 },
    ],
    [
      'the spec vocabulary, any case',
      ['Up', 'DRAINING', 'draining', 'Down'],
      DEFAULT_UNHEALTHY_STATES,
      { draining: 2 },
    ],
    [
      'Unknown and Partial left out by the user',
      ['Unknown', 'Partial', 'Down', 'Up'],
      ['Down'],
      { partial: 1, unknown: 1 },
    ],
    ['Draining listed: reported, so not counted', ['Draining', 'Healthy'], ['Down', 'Draining'], undefined],
    ['a value we cannot read is always reported', ['Sick', '', 'Healthy'], ['Down'], undefined],
    ['all healthy', ['Healthy', 'Up'], DEFAULT_UNHEALTHY_STATES, undefined],
    ['nothing listed', [], DEFAULT_UNHEALTHY_STATES, undefined],
  ] as const)('%s', (_, healths, states, expected) => {
    expect(countNotReported(healths, states)).toEqual(expected);
  });

  it('counts exactly the servers that are not healthy and get no finding (property)', () => {
    const health = fc.constantFrom(
      'Healthy',
      'Up',
      'Unhealthy',
      'Down',
      'Unknown',
      'Partial',
      'Draining',
      'draining',
      'Sick',
    );
    fc.assert(
      fc.property(
        fc.array(health, { maxLength: 30 }),
        fc.subarray([...CONFIGURABLE_STATES], { minLength: 1 }),
        (healths, states) => {
          const counted = notReportedTotal(countNotReported(healths, states));
          const healthy = healths.filter((h) => readHealth(h) === 'healthy').length;
          const reported = healths.filter((h) => isReported(readHealth(h), states)).length;
          // Every server is exactly one of: healthy, reported (a finding), not reported.
          expect(healthy + reported + counted).toBe(healths.length);
        },
      ),
    );
  });
});

describe('addNotReported and notReportedText', () => {
  it('sums gateways by state, and is undefined when none has any', () => {
    expect(addNotReported([{ draining: 1 }, undefined, { draining: 2, unknown: 1 }])).toEqual({
      draining: 3,
      unknown: 1,
    });
    expect(addNotReported([undefined, {}])).toBeUndefined();
  });

  it.each([
    [{ draining: 1 }, '1 draining'],
    [{ unknown: 2, draining: 1 }, '1 draining, 2 unknown (not counted: unhealthyStates leaves Unknown out)'],
    [{ partial: 1, draining: 0 }, '1 partial (not counted: unhealthyStates leaves Partial out)'],
    [
      { partial: 1, unknown: 1, unhealthy: 2 },
      '1 partial, 2 unhealthy, 1 unknown (not counted: unhealthyStates leaves Partial, Down and Unknown out)',
    ],
    [undefined, ''],
  ] as const)('%j → %s', (counts, text) => {
    expect(notReportedText(counts)).toBe(text);
  });
});
