import { formatSummary } from '../../src/cli/summary';
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
