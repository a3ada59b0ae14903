import fc from 'fast-check';
import { DEFAULT_UNHEALTHY_STATES, isReported, readHealth } from '../../src/core/health';

describe('readHealth', () => {
  it.each([
    ['Up', 'healthy'],
    ['Healthy', 'healthy'],
    ['HEALTHY', 'healthy'],
    [' up ', 'healthy'],
    ['Down', 'unhealthy'],
    ['Unhealthy', 'unhealthy'],
    ['unhealthy', 'unhealthy'],
    ['Unknown', 'unknown'],
    ['Partial', 'partial'],
    ['Draining', 'draining'],
    ['draining', 'draining'],
    ['Degraded', 'unrecognised'],
    ['', 'unrecognised'],
    // Names of Object.prototype's members (a value from the network): not a state.
    ['__proto__', 'unrecognised'],
    ['constructor', 'unrecognised'],
    ['toString', 'unrecognised'],
    ['hasOwnProperty', 'unrecognised'],
    [undefined, 'unrecognised'],
  ])('reads %p as %s', (health, expected) => {
    expect(readHealth(health)).toBe(expected);
  });
});

describe('isReported', () => {
  it.each([
    ['healthy', DEFAULT_UNHEALTHY_STATES, false],
    ['unhealthy', DEFAULT_UNHEALTHY_STATES, true],
    ['unknown', DEFAULT_UNHEALTHY_STATES, true],
    ['partial', DEFAULT_UNHEALTHY_STATES, true],
    ['draining', DEFAULT_UNHEALTHY_STATES, false],
    ['draining', [...DEFAULT_UNHEALTHY_STATES, 'Draining'], true],
    ['unknown', ['Down'], false],
    ['unrecognised', ['Down'], true],
  ] as const)('%s with %j → %s', (state, configured, expected) => {
    expect(isReported(state, configured)).toBe(expected);
  });

  it('never reports a healthy server and always reports a value it cannot read, whatever the case', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.subarray(['Down', 'Unknown', 'Partial', 'Draining'] as const),
        (health, states) => {
          const state = readHealth(health);
          if (['up', 'healthy'].includes(health.trim().toLowerCase()))
            expect(isReported(state, states)).toBe(false);
          if (state === 'unrecognised') expect(isReported(state, states)).toBe(true);
        },
      ),
    );
  });
});
