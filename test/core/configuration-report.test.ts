import { runConfigurationReport } from '../../src/core/configuration-report';

describe('runConfigurationReport', () => {
  it('a configuration read only for a reading\'s coverage, and not read: says so, with no "general steps for 0 findings"', () => {
    const report = runConfigurationReport([
      {
        configuration: { read: false, reason: 'unavailable', message: 'x', retryable: true, generalSteps: 0 },
      },
    ]);
    expect(report?.message).toBe(
      'The configuration of 1 gateway(s) could not be read (gateways[].configuration says why).',
    );
    expect(report?.generalSteps).toBe(0);
  });

  it('findings given the general steps: the message starts with them', () => {
    const report = runConfigurationReport([
      {
        configuration: { read: false, reason: 'forbidden', message: 'x', retryable: false, generalSteps: 2 },
      },
    ]);
    expect(report?.message).toMatch(
      /^Remediation steps are the general ones for 2 finding\(s\) on 1 gateway\(s\), .* grant it/,
    );
  });

  it('nothing unread and no general steps: nothing to say', () => {
    expect(runConfigurationReport([{ configuration: { read: true, generalSteps: 0 } }, {}])).toBeUndefined();
  });
});
