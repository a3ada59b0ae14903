import { formatSummary } from '../../src/cli/summary';
import { exitCode } from '../../src/cli/verbs/run';
import { RunInterruptedError } from '../../src/errors';
import { terminalField, terminalLines } from '../../src/cli/terminal-text';
import { causeFor } from '../../src/core/causes';
import { buildRunReport } from '../../src/pipeline/build-run-report';

function report(probeLog: string, names: { gateway?: string; pool?: string; address?: string } = {}) {
  return buildRunReport({
    runId: 'r1',
    startedAt: new Date(0),
    finishedAt: new Date(0),
    targets: [],
    gateways: [
      {
        id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/g',
        name: names.gateway ?? 'appgw_prod-01',
        subscriptionId: 's',
        resourceGroup: 'rg-web (prod)',
        ok: true,
        error: null,
        durationInMs: 1,
        servers: 2,
        findings: [
          {
            backendPool: names.pool ?? 'pool_api',
            backendSettings: 'settings-https',
            address: names.address ?? '10.0.1.4',
            health: 'Unhealthy',
            state: 'unhealthy',
            probeLog,
            cause: causeFor('other', { probeLog }),
            insight: { markdown: 'insights/x.md', html: 'insights/x.html' },
          },
        ],
      },
    ],
  });
}

describe('the CLI summary', () => {
  it('shows names and the probe log as they are: a terminal reads no markup', () => {
    const log =
      "Received invalid status code: 401 in the backend server's HTTP response. *x* [y](z) <b> &amp;";
    const text = formatSummary(report(log), ['out/']);
    expect(text).toContain('! appgw_prod-01 (rg-web (prod))');
    expect(text).toContain('    pool_api / settings-https  10.0.1.4  Unhealthy');
    expect(text).toContain(`        ${log}`);
    expect(text).toContain('Insights and report: out/');
  });

  it('lets no value move the cursor, recolour, retitle or reorder the terminal', () => {
    const hostile = 'a\u001b[2J\u001b]0;owned\u0007b\u009b31mc\u202ed\u2066e\u0000f\r\ng';
    const text = formatSummary(report(hostile, { gateway: hostile, pool: hostile, address: hostile }), []);
    const hidden = [...text].filter((c) => {
      const code = c.codePointAt(0) ?? 0;
      return (
        (code < 0x20 && c !== '\n') ||
        (code >= 0x7f && code <= 0x9f) ||
        /[\u202a-\u202e\u2066-\u2069]/.test(c)
      );
    });
    expect(hidden).toEqual([]);
    expect(text).toContain('a [2J ]0;owned b 31mc d e f g');
  });

  it('cuts long values to one line of 160 characters, never inside a character', () => {
    expect([...terminalField('😀'.repeat(200))]).toHaveLength(160);
    expect(terminalField('😀'.repeat(200)).endsWith('😀…')).toBe(true);
    expect(terminalField('  a\n\tb  ')).toBe('a b');
  });

  it('log lines keep their line breaks, not terminal sequences', () => {
    expect(terminalLines('warning: gateway "a\u001b[31mb"\n\tnext')).toBe(
      'warning: gateway "a [31mb"\n  next',
    );
  });
});

describe('an interrupted run, in the summary and the exit code', () => {
  const gatewayOf = (name: string, rg = 'rg-web') =>
    `/subscriptions/s/resourceGroups/${rg}/providers/Microsoft.Network/applicationGateways/${name}`;
  const interrupted = (error: RunInterruptedError, notDone: string[]) => ({
    ...report('TCP connect error'),
    ok: false,
    interrupted: { ...error.stop, message: error.message, notDone },
  });

  it('says why and names the gateways not done (the first 10, then how many more)', () => {
    const notDone = Array.from({ length: 12 }, (_, i) => gatewayOf(`gw-${i}`));
    const text = formatSummary(
      interrupted(new RunInterruptedError({ by: 'signal', signal: 'SIGINT' }), notDone),
      [],
    );
    expect(text).toContain('✗ interrupted: The run was stopped by SIGINT before it was done');
    expect(text).toContain(
      `not done (12 gateway(s)): ${Array.from({ length: 10 }, (_, i) => `gw-${i} (rg-web)`).join(', ')}, and 2 more`,
    );
    // The finished gateway is still listed as checked.
    expect(text).toMatch(/^Checked 1 gateway\(s\)/);
  });

  it('names from the network are made safe for the terminal', () => {
    const text = formatSummary(
      interrupted(new RunInterruptedError({ by: 'signal', signal: 'SIGTERM' }), [
        gatewayOf('gw', 'rg\u001b[31m'),
      ]),
      [],
    );
    expect(text).not.toContain('\u001b');
  });

  it.each<[string, number, RunInterruptedError | undefined, boolean]>([
    ['done', 0, undefined, true],
    ['failed', 2, undefined, false],
    ['SIGINT', 130, new RunInterruptedError({ by: 'signal', signal: 'SIGINT' }), false],
    ['SIGTERM', 143, new RunInterruptedError({ by: 'signal', signal: 'SIGTERM' }), false],
    ['SIGHUP', 129, new RunInterruptedError({ by: 'signal', signal: 'SIGHUP' }), false],
    ['the deadline', 124, new RunInterruptedError({ by: 'deadline', deadlineInMs: 60_000 }), false],
  ])('%s: exit %i', (_, code, error, ok) => {
    const base = { ...report('x'), ok };
    expect(exitCode(error ? { ...interrupted(error, []), ok } : base)).toBe(code);
  });
});
