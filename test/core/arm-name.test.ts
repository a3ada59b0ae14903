import fc from 'fast-check';
import { GATEWAY_CHILD_NAME, gatewayChildNameProblem } from '../../src/core/arm-name';

/** The one name check of recheck's pool and setting (CLI and HTTP): Azure's application gateway naming rule. */
describe('gatewayChildNameProblem', () => {
  it.each([
    ['one letter', 'a'],
    ['letters, digits, hyphen', 'pool-a1'],
    ['underscore at the end', 'settings_'],
    ['periods and underscores inside', 'app.gw_pool-1'],
    ['80 characters', `a${'b'.repeat(78)}c`],
  ])('accepts %s', (_n, name) => {
    expect(gatewayChildNameProblem('--pool', name)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['a tab', 'set\ttab'],
    ['a shell substitution with spaces', 'set $(touch pwned1)'],
    ['a slash', 'a/b'],
    ['a leading hyphen', '-pool'],
    ['a leading underscore', '_pool'],
    ['a trailing period', 'pool.'],
    ['a trailing hyphen', 'pool-'],
    ['81 characters', 'a'.repeat(81)],
    ['a non-ASCII letter', 'pööl'],
    ['a newline', 'pool\nx'],
  ])('refuses %s, naming the input, quoting the value escaped and saying what a name may be', (_n, name) => {
    const problem = gatewayChildNameProblem('--settings', name);
    expect(problem).toContain(`--settings ${JSON.stringify(name).slice(0, 20)}`);
    expect(problem).toContain('1 to 80 characters: letters, digits, underscores, periods and hyphens');
    expect(problem).toContain('resource-name-rules');
    expect(problem).not.toMatch(/[\t\n]/);
  });

  it('property: accepted exactly when the rule holds (length, characters, first and last)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '.', '-', ' ', '$', '/'), maxLength: 90 }),
        (name) => {
          const rule =
            name.length >= 1 &&
            name.length <= 80 &&
            /^[A-Za-z0-9_.-]+$/.test(name) &&
            /^[A-Za-z0-9]/.test(name) &&
            /[A-Za-z0-9_]$/.test(name);
          expect(GATEWAY_CHILD_NAME.test(name)).toBe(rule);
          expect(gatewayChildNameProblem('--pool', name) === undefined).toBe(rule);
        },
      ),
    );
  });
});
