import {
  FAILED_ALIKE_SHOWN,
  FINDINGS_SHOWN,
  formatSummary,
  HEALTHY_SHOWN,
  healthText,
  printRun,
  summaryLines,
} from '../../src/cli/summary';
import { buildDelivery, gatewayRef } from '../helpers/delivery-builder';
import { spooledArray } from '../../src/pipeline/report-entries';
import type { GatewayReport, NotificationsReport, RunReport } from '../../src/core/run-report';
import { exitCode } from '../../src/cli/verbs/run';
import {
  ArmUnreachableError,
  BackendHealthUnavailableError,
  GatewayDeletedError,
  GatewayNotFoundError,
  MissingPermissionError,
  RunInterruptedError,
  ThrottledError,
} from '../../src/errors';
import { terminalField, terminalLines } from '../../src/cli/terminal-text';
import { causeFor } from '../../src/core/causes';
import { buildRunReport } from '../../src/pipeline/build-run-report';
import { QUIET_NOTIFICATIONS } from '../helpers/quiet-notifications';

/** A run's notifications: nothing decided, sent or wrong, but for `parts`. */
const notifications = (parts: Partial<NotificationsReport>): NotificationsReport => ({
  ...QUIET_NOTIFICATIONS,
  ...parts,
});

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
            severity: 'critical',
            insight: { markdown: 'insights/x.md', html: 'insights/x.html' },
          },
        ],
      },
    ],
  });
}

/** A run of `gateways` at the epoch, with no target: the summary's gateway blocks alone. */
const runOf = (gateways: GatewayReport[]) =>
  buildRunReport({ runId: 'r', startedAt: new Date(0), finishedAt: new Date(0), targets: [], gateways });

/** `n` copies of gateway `one`, each its own id and name (`<prefix>-00` …), changed by `extra(i)`. */
const copiesOf = (
  one: GatewayReport,
  n: number,
  prefix: string,
  extra: (i: number) => Partial<GatewayReport>,
): GatewayReport[] =>
  Array.from({ length: n }, (_, i) => ({
    ...one,
    id: `${one.id}-${i}`,
    name: `${prefix}-${String(i).padStart(2, '0')}`,
    ...extra(i),
  }));

describe('the CLI summary', () => {
  it('shows names and the probe log as they are: a terminal reads no markup', () => {
    const log =
      "Received invalid status code: 401 in the backend server's HTTP response. *x* [y](z) <b> &amp;";
    const text = formatSummary(report(log), ['out/']);
    expect(text).toContain('! appgw_prod-01 (rg-web (prod))');
    expect(text).toContain('    pool_api / settings-https  10.0.1.4  Unhealthy (unhealthy)');
    expect(text).toContain(`        probe: ${log}`);
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
    expect(text).toContain('a [2J ]0;owned b 31mc\\u202Ed\\u2066e f g');
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

/**
 * A gateway with hundreds of servers down (a scale set, an AKS cluster's pods) printed four lines for
 * each: a break trial's 10 000 made 40 000 lines. Past FINDINGS_SHOWN they are counted, by kind.
 */
describe('a gateway with many servers not healthy, in the summary', () => {
  const one = report('TCP connect error');
  const base = one.gateways[0] as GatewayReport;
  const finding = base.findings[0] as GatewayReport['findings'][number];
  const many = (n: number, pool: (i: number) => string = (i) => (i % 3 === 0 ? 'pool-web' : 'pool-aks')) =>
    runOf([
      {
        ...base,
        servers: n,
        findings: Array.from({ length: n }, (_, i) => ({
          ...finding,
          backendPool: pool(i),
          address: `10.9.0.${i}`,
        })),
      },
    ]);

  it('shows the first FINDINGS_SHOWN one by one; the rest are counted, by pool, settings, health, severity and cause', () => {
    const text = formatSummary(many(FINDINGS_SHOWN + 280), []);
    expect(text.match(/^ {4}pool-\w+ \/ settings-https {2}10\.9\.0\.\d+ /gm)).toHaveLength(FINDINGS_SHOWN);
    expect(text).toContain(
      `    pool-aks / settings-https  10.9.0.${FINDINGS_SHOWN - 1}  Unhealthy (unhealthy)  critical`,
    );
    expect(text).not.toContain(`10.9.0.${FINDINGS_SHOWN}  `);
    expect(text).toContain(
      '    and 280 more servers not healthy (report.json: gateways[].findings, each with its insight):\n' +
        `        187 × pool-aks / settings-https  Unhealthy (unhealthy)  critical  ${finding.cause.title}\n` +
        `        93 × pool-web / settings-https  Unhealthy (unhealthy)  critical  ${finding.cause.title}`,
    );
  });

  it('no count line at FINDINGS_SHOWN or fewer; past five kinds, the rest of the kinds are counted', () => {
    expect(formatSummary(many(FINDINGS_SHOWN), [])).not.toContain('more server');
    const text = formatSummary(
      many(FINDINGS_SHOWN + 14, (i) => `pool-${i}`),
      [],
    );
    expect(text).toContain('    and 14 more servers not healthy');
    expect(text.match(/^ {8}1 × pool-\d+ /gm)).toHaveLength(5);
    expect(text.endsWith('        and 9 more kinds')).toBe(true);
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
      `not done (12 gateways): ${Array.from({ length: 10 }, (_, i) => `gw-${i} (rg-web)`).join(', ')}, and 2 more`,
    );
    // The finished gateway is still listed as read, of all the run's gateways (a break trial: "Checked
    // 1 gateway" of thirteen).
    expect(text).toMatch(
      /^Read 1 of 13 gateways \(12 not done: the run was interrupted\), 2 backend servers:/,
    );
    // Its last line says so, where a failed run's "The run is not ok" would be (a new-user trial: it
    // ended at "Insights and report").
    expect(text).toMatch(
      /\n\nThe run was interrupted: 12 gateways not done \(above\), read by the next run\.$/,
    );
    expect(text).not.toContain('The run is not ok');
  });

  // A second break trial: a target not listed and a wrong gateway id were left off the last line of a
  // run stopped by its deadline; a run stopped while its targets were listed was said to have stopped
  // "after its last gateway".
  it('its last line adds what failed besides the stop; a stop during the listing says so', () => {
    const base = interrupted(new RunInterruptedError({ by: 'deadline', deadlineInMs: 4000 }), [
      gatewayOf('gw-1'),
    ]);
    const failedTarget = {
      id: '/subscriptions/t',
      ok: false,
      error: { code: 'TargetListUnavailable', message: 'ARM answered 503', retryable: true },
      gateways: 0,
    };
    const cutTarget = {
      id: '/subscriptions/u',
      ok: false,
      error: { code: 'RunInterrupted', message: 'stopped', retryable: true },
      gateways: 0,
    };
    expect(formatSummary({ ...base, targets: [...base.targets, failedTarget, cutTarget] }, [])).toMatch(
      /\n\nThe run was interrupted: 1 gateway not done and 1 target not listed before the stop \(above\), read by the next run; and 1 target not listed\.$/,
    );
    const duringListing = {
      ...interrupted(new RunInterruptedError({ by: 'signal', signal: 'SIGINT' }), []),
      targets: [cutTarget],
    };
    expect(formatSummary(duringListing, [])).toMatch(
      /\n\nThe run was interrupted: 1 target not listed before the stop \(above\), read by the next run\.$/,
    );
    // Its first line says so too (a break trial: "Checked 0 gateways: no backend server was read.").
    const { report: none } = buildDelivery('run', []);
    expect(
      formatSummary({ ...none, interrupted: duringListing.interrupted, targets: [cutTarget] }, []).split(
        '\n',
      )[0],
    ).toBe(
      'Checked 0 gateways: no backend server was read; 1 target not listed before the stop (the run was interrupted): its gateways were not read.',
    );
    // A final break trial: stopped during a notice's send whose try got its answer, the last line said
    // "what it did not do is said above" of nothing.
    const afterLast = interrupted(new RunInterruptedError({ by: 'signal', signal: 'SIGTERM' }), []);
    const text = formatSummary(afterLast, []);
    expect(text).toMatch(/^Checked 1 gateway,/);
    expect(text).toMatch(
      /\n\nThe run was interrupted after its last gateway was done: what the stop cut short, if anything, is said above and done by the next run\.$/,
    );
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

describe('per server: health in one vocabulary, the cause, the probe and the insight', () => {
  it.each<[string, string, string]>([
    ['Down', 'unhealthy', 'Down (unhealthy)'],
    ['Unhealthy', 'unhealthy', 'Unhealthy (unhealthy)'],
    ['Draining', 'draining', 'Draining (draining)'],
    ['PARTIAL', 'partial', 'PARTIAL (partial)'],
    ['Unknown', 'unknown', 'Unknown (unknown)'],
    ['Sick', 'unrecognised', 'Sick (unrecognised)'],
    ['', 'unrecognised', '(none) (unrecognised)'],
    ['Down\u001b[2J', 'unrecognised', 'Down [2J (unrecognised)'],
  ])('%j (read as %s): %s', (health, state, shown) => {
    expect(healthText({ health, state: state as never })).toBe(shown);
  });

  it("shows the cause's title and the insight page in the folder sink", () => {
    const text = formatSummary(report('TCP connect error'), ['/srv/out/report.json', '/srv/out/insights']);
    expect(text).toContain('        cause: The gateway reports a probe message we do not recognise');
    expect(text).toContain('        insight: /srv/out/insights/x.html');
  });

  it('…in the blob sink (its URL), in both when both took the run, and relative when no sink said where', () => {
    const blob = 'https://acct.blob.core.windows.net/insights/prefix/latest/';
    const both = formatSummary(report('x'), [
      `${blob}report.json`,
      `${blob}insights/`,
      '/srv/out/report.json',
      '/srv/out/insights',
    ]);
    expect(both).toContain(
      `        insight: ${blob}insights/x.html\n        insight: /srv/out/insights/x.html`,
    );
    expect(formatSummary(report('x'), [])).toContain('        insight: insights/x.html');
  });

  // A break trial: a refused delivery's insight paths were printed as if written.
  it("says which sinks did not take a gateway's insights, above their paths; not of another gateway's failure", () => {
    const base = report('TCP connect error');
    const id = base.gateways[0]?.id ?? '';
    const refused = (document: string) =>
      formatSummary(
        {
          ...base,
          deliveryErrors: [
            {
              code: 'DeliveryFailed',
              message: 'Delivery to folder failed: runbook.md is in the way.',
              retryable: false,
              sink: 'folder',
              document,
            },
          ],
        },
        ['/srv/out/report.json', '/srv/out/insights'],
      );
    expect(refused(`insights and result of gateway ${id}`)).toContain(
      "    not delivered to folder: its insight pages there may be missing, or an earlier reading's (of servers since healthy too) (the delivery errors below say why)\n    pool_api / settings-https",
    );
    expect(refused(`insights and result of gateway ${id}-other`)).not.toContain('not delivered to');
    expect(refused('report.json')).not.toContain('not delivered to');
  });

  // A break trial: past the 10 failures report.json lists per sink, the gateways after them had their
  // insight paths printed as written.
  it('says it of every gateway whose entry names the sink, past the failures listed', () => {
    const gateways = copiesOf(report('TCP connect error').gateways[0]!, 13, 'gw', () => ({
      undelivered: ['blob[insights]'],
    }));
    const listed = gateways.slice(0, 10).map((g) => ({
      code: 'DeliveryFailed',
      message: 'Delivery to blob[insights] failed: connect ECONNREFUSED.',
      retryable: true,
      sink: 'blob[insights]',
      document: `insights and result of gateway ${g.id}`,
    }));
    const text = formatSummary(
      {
        ...runOf(gateways),
        deliveryErrors: [
          ...listed,
          { ...listed[0]!, document: undefined, message: 'and 3 more', omitted: 3 },
        ],
      },
      [],
    );
    expect(text.match(/^ {4}not delivered to blob\[insights\]: /gm)).toHaveLength(13);
  });

  // A second trial: a healthy gateway's folder kept an earlier reading's pages of servers then Down, and
  // the summary said only "✓"; past the first 20, a store down for every gateway is counted, not said each time.
  it('says it of a gateway without findings too; past the healthy ones shown, counts them', () => {
    const healthy = copiesOf(report('x').gateways[0]!, 23, 'ok', (i) => ({
      findings: [],
      undelivered: i === 0 || i >= 21 ? ['folder'] : undefined,
    }));
    const text = formatSummary(runOf(healthy), []);
    expect(text).toContain('✓ ok-00 (rg-web (prod))\n    not delivered to folder: ');
    expect(text).toContain(
      '✓ 3 more gateways with every server healthy: ok-20, ok-21, ok-22 (report.json lists each); 2 of them were not delivered to a sink (report.json: gateways[].undelivered)',
    );
    // One of them: "was" (a new-user trial read "1 of them were").
    const single = formatSummary(
      runOf(healthy.map((g, i) => (i === 22 ? g : { ...g, undelivered: i === 0 ? ['folder'] : undefined }))),
      [],
    );
    expect(single).toContain('; 1 of them was not delivered to a sink');
  });

  it('clips a long probe message after a whole word, with whole characters', () => {
    const words = 'Zeitüberschreitung beim Verbinden mit dem Backend 😀 10.0.1.45 '.repeat(10);
    const text = formatSummary(report(words), []);
    const probe = /^ {8}probe: (.*)$/m.exec(text)?.[1] ?? '';
    expect(probe.endsWith('…')).toBe(true);
    expect([...probe].length).toBeLessThanOrEqual(160);
    expect(words.startsWith(probe.slice(0, -1))).toBe(true);
    expect(words.charAt(probe.length - 1)).toBe(' '); // the next character of the message is a space
  });
});

describe('per receiver: what was delivered', () => {
  const delivery = (receiver: string, type: string, server: string, outcome = 'delivered') => ({
    receiver,
    noticeId: `${receiver}-${server}`,
    type,
    server,
    outcome: outcome as 'delivered',
    attempts: [],
  });
  const withNotifications = (parts: Partial<NotificationsReport>): RunReport => ({
    ...report('x'),
    notifications: notifications(parts),
  });

  // A break trial: a reading not counted because a newer one was read "✗ notifications: 0 delivered,
  // 0 not delivered; 1 problem below", as if something had failed.
  it('a reading older than one counted is said under the notifications, never as a failed notification', () => {
    const older = (n: number) => ({
      gateway: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw-${n}`,
      readAt: '2026-12-03T10:00:00.000Z',
      countedAt: '2026-12-03T10:05:00.000Z',
    });
    const alone = formatSummary(withNotifications({ olderReadings: [older(1)] }), []);
    expect(alone).not.toContain('✗ notifications');
    expect(alone).not.toContain('problem');
    expect(alone).toContain(
      '\n\n! reading of /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw-1 from 2026-12-03T10:00:00.000Z is older than the one counted at 2026-12-03T10:05:00.000Z: not counted for notifications',
    );
    const withDelivery = formatSummary(
      withNotifications({
        olderReadings: [1, 2, 3, 4, 5, 6, 7].map(older),
        deliveries: [delivery('webhook[ops]', 'degraded', 'g/p/s/10.0.1.4')],
      }),
      [],
    );
    expect(withDelivery).toMatch(/✓ notifications: 1 delivered\n[^]*\n {2}! reading of \S+gw-1 from/);
    expect(withDelivery.match(/^ {2}! reading of /gm)).toHaveLength(5);
    expect(withDelivery).toContain(
      '  ! and 2 more readings older than one counted (report.json: notifications.olderReadings)',
    );
  });

  it('names each receiver with how many notices of which kind, for which servers', () => {
    const text = formatSummary(
      withNotifications({
        deliveries: [
          delivery('webhook[ops]', 'degraded', 'g/p/s/10.0.1.4'),
          delivery('webhook[ops]', 'recovered', 'g/p/s/10.0.1.5'),
          delivery('webhook[pager]', 'degraded', 'g/p/s/10.0.1.4'),
        ],
      }),
      [],
    );
    expect(text).toContain(
      [
        '✓ notifications: 3 delivered',
        '    webhook[ops]: 2 delivered (1 degraded, 1 recovered): g/p/s/10.0.1.4, g/p/s/10.0.1.5',
        '    webhook[pager]: 1 delivered (1 degraded): g/p/s/10.0.1.4',
      ].join('\n'),
    );
  });

  it('a receiver that took none is named with what it did not take', () => {
    const text = formatSummary(
      withNotifications({
        deliveries: [delivery('webhook[ops]', 'degraded', 'g/p/s/a', 'queued')],
        pending: { 'webhook[ops]': 1 },
        undelivered: [
          {
            receiver: 'webhook[ops]',
            noticeId: 'n',
            type: 'degraded',
            gateway: '/subscriptions/s',
            server: 'g/p/s/a',
            status: 'waiting',
            reason: 'HTTP 503',
            retry: 'next-run',
            queuedAt: '2030-01-01T00:00:00.000Z',
            failedRuns: 1,
          },
        ],
      }),
      [],
    );
    expect(text).toContain(
      '✗ notifications: 0 delivered, 1 not delivered\n    webhook[ops]: 0 delivered; 1 not delivered',
    );
  });

  it('a dropped notice is counted as dropped beside "not delivered" (it read as nothing lost)', () => {
    const text = formatSummary(
      withNotifications({
        dropped: [
          {
            receiver: 'webhook[old]',
            noticeId: 'n',
            type: 'recovered',
            gateway: '/subscriptions/s',
            server: 'g/p/s/a',
            reason: 'webhook[old] is no longer configured (renamed or removed)',
          },
        ],
      }),
      [],
    );
    expect(text).toContain('✗ notifications: 0 delivered, 0 not delivered, 1 dropped\n');
    expect(text).toContain('no longer configured');
  });

  it('an unreadable state document is no "0 not delivered": its notices are said to be uncounted', () => {
    const text = formatSummary(
      withNotifications({
        claimed: false,
        stateErrors: [
          { code: 'StateInvalid', message: 'notify state file s.json is not valid', retryable: false },
        ],
      }),
      [],
    );
    expect(text).toContain(
      '✗ notifications: 0 delivered, 0 not delivered (not counting the notices of 1 state document that failed, below)',
    );
    expect(text).toContain('    notify state file s.json is not valid');
  });

  it('the stored silences failed open: their error is shown, but hides no notice', () => {
    const text = formatSummary(
      withNotifications({
        stateErrors: [
          {
            code: 'StateInvalid',
            message: 'The stored silences in state file silences.json cannot be read',
            retryable: false,
            failedOpen: true,
          },
        ],
      }),
      [],
    );
    expect(text).toContain('✗ notifications: 0 delivered, 0 not delivered; 1 problem below\n');
    expect(text).toContain(
      '    notify state: The stored silences in state file silences.json cannot be read',
    );
  });

  // A trial: with nothing else to say of notify, the unread line was indented under the last gateway.
  it('gateways not read, with nothing else of notify to say: a block of its own, not under the last gateway', () => {
    const unread = [
      {
        gateway: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw-c',
        openEpisodes: 1,
      },
    ];
    const text = formatSummary(withNotifications({ unread }), []);
    expect(text).toMatch(/\n\n! 1 gateway with 1 open episode was not read by this run .*: gw-c\./);
    expect(text).toContain('add it back to the targets');
    // A new-user trial: its target could not be listed, and the advice was to add it back to the targets.
    const unlisted = withNotifications({ unread });
    const notListed = (id: string) =>
      formatSummary(
        {
          ...unlisted,
          targets: [
            {
              id,
              ok: false,
              error: { code: 'TargetListUnavailable', message: 'ARM answered 503', retryable: true },
              gateways: 0,
            },
          ],
        },
        [],
      );
    // Another target not listed: the gateway may be in it, or outside the targets.
    expect(notListed('/subscriptions/s2')).toContain(
      '1 target could not be listed this run, and a gateway in one is read once it is listed again',
    );
    // Its own target not listed (a new-user trial's ARM outage: about 900 characters of every other
    // reason, and ARM's error again): that alone is said.
    expect(notListed('/subscriptions/s')).toContain(
      '! 1 gateway with 1 open episode was not read by this run: its target /subscriptions/s could not be listed (said above): gw-c. Its episodes stay open, and nothing is sent for it, until a run reads it again.',
    );
    const withDeliveries = formatSummary(
      withNotifications({ unread, deliveries: [delivery('webhook[ops]', 'degraded', 'g/p/s/10.0.1.4')] }),
      [],
    );
    expect(withDeliveries).toMatch(
      /\n {4}webhook\[ops\]: 1 delivered.*\n {2}! 1 gateway with 1 open episode/,
    );
  });

  it('names five servers per receiver and counts the rest', () => {
    const deliveries = Array.from({ length: 8 }, (_, i) =>
      delivery('webhook[ops]', 'degraded', `g/p/s/10.0.0.${i}`),
    );
    const text = formatSummary(withNotifications({ deliveries }), []);
    expect(text).toContain(
      '    webhook[ops]: 8 delivered (8 degraded): g/p/s/10.0.0.0, g/p/s/10.0.0.1, g/p/s/10.0.0.2, g/p/s/10.0.0.3, g/p/s/10.0.0.4 and 3 more',
    );
  });
});

/** The summary's "could not be checked" line of report('x')'s gateway failed with `error`. */
function couldNotBeChecked(error: { code: string; message: string; retryable: boolean }): string {
  const failed: RunReport = {
    ...report('x'),
    gateways: [{ ...report('x').gateways[0]!, ok: false, findings: [], error }],
  };
  // The line under the gateway's `✗` heading ("could not be checked: " but for one ARM confirmed deleted).
  return /^✗ .*\n {4}(?:could not be checked: )?(.*)$/m.exec(formatSummary(failed, []))?.[1] ?? '';
}

describe('a gateway that could not be checked: a flood of an error clipped to its start and end, escapes in it kept whole', () => {
  it.each([0, 1, 2, 3, 4, 5, 6])('an escaped value %i character(s) before the cut', (shift) => {
    // A message of one long word (a URL, a body) holding escapes (core/json-describe.ts quotes values
    // JSON-escaped): the only kind cut inside a word, so the only one where an escape can meet the cut.
    const message = `${'x'.repeat(790 + shift)}\\u001b\\u009b\\u001b more text after it`;
    const line = couldNotBeChecked({ code: 'BackendHealthUnavailable', message, retryable: false });
    expect([...line].length).toBeLessThanOrEqual(800);
    // Its start and its end (where our messages say what to do): `head… tail`.
    const [head = '', tail] = line.split('…');
    expect(message.startsWith(head)).toBe(true);
    expect(head).not.toMatch(/\\(u[0-9a-f]{0,3})?$/);
    expect(tail).toBe(' more text after it');
  });
});

// A new-user trial: a 500's line, cut at 160 characters, ended in its last sentence's middle ("… health
// and Activity log in the portal"); each kind of failure a gateway can have is said whole.
describe('a gateway that could not be checked: its error said whole, what ARM answered and what to do', () => {
  const id = report('x').gateways[0]!.id;
  const detail = `ARM answered 500 InternalServerError: ${'an upstream dependency of the resource provider failed '.repeat(3).trim()}`;
  it.each<[string, Error & { code: string }]>([
    ['ARM failed the call (500)', new BackendHealthUnavailableError(id, detail)],
    [
      'no answer in time',
      new BackendHealthUnavailableError(id, 'no answer within 30000 ms (gatewayTimeoutInMs)', {
        timedOut: true,
      }),
    ],
    [
      "an answer not ARM's shape",
      new BackendHealthUnavailableError(id, 'ARM answered 200 with a body that is not backend health', {
        unreadableAnswer: true,
      }),
    ],
    ['throttled', new ThrottledError(id, 'ARM answered 429 after 3 retries; Retry-After 17 s')],
    [
      'refused (403)',
      new MissingPermissionError(
        id,
        'Microsoft.Network/applicationGateways/backendhealth/action',
        'ARM answered 403 AuthorizationFailed',
      ),
    ],
    [
      'ARM not reached',
      new ArmUnreachableError(
        'https://management.azure.com',
        'nothing answers at management.azure.com:443 (ECONNREFUSED)',
        "Check arm.endpoint (APPGW_ARM_ENDPOINT): in Azure leave it unset (https://management.azure.com); locally it is the emulator's URL, which changes each time the emulator starts.",
      ),
    ],
  ])('%s', (_, error) => {
    const line = couldNotBeChecked({ code: error.code, message: error.message, retryable: true });
    expect(error.message.length).toBeGreaterThan(160);
    expect(line).not.toContain('…');
    // All after the gateway's id (left out of the line: its heading names it), to the last word.
    const at = error.message.lastIndexOf(id);
    expect(line.endsWith(at < 0 ? error.message : error.message.slice(at + id.length))).toBe(true);
  });
});

// Issue 15's trial: the line spent its start on the gateway's ARM id, which its heading names, and
// the clip cut ARM's status and code after it.
it("a gateway that could not be checked: its ARM id left out of its line, so ARM's status and code show", () => {
  const base = report('x').gateways[0]!;
  const message = `Backend health for ${base.id} is unavailable: ARM answered 500 InternalServerError: upstream failed. No server is counted as recovered from it; it is tried again on the next run. Check the gateway's Resource health and Activity log in the portal, and Azure status for the region.`;
  const line = couldNotBeChecked({ code: 'BackendHealthUnavailable', message, retryable: true });
  expect(line).toMatch(/^Backend health is unavailable: ARM answered 500 InternalServerError/);
  expect(line).not.toContain(base.id);
});

// A new-user trial: the line of a gateway whose backend-health call answered 404 was cut before "if the
// gateway was deleted …", so it read "… Check the gateway id in "targets"; if the… move its notify state
// document aside" (the GET's reason joined to the 404's advice).
describe('a gateway whose backend-health call answered 404: its line keeps what was found and what to do', () => {
  const id = report('x').gateways[0]!.id;
  it.each<[string, Error, RegExp, RegExp]>([
    [
      'confirmed deleted',
      new GatewayDeletedError(id),
      /^the gateway does not exist \(404 to its backend-health call and its GET\): any episode still open for it ends\. If/,
      /If "targets" \(APPGW_TARGETS\) names it by id, fix or remove that id\.$/,
    ],
    [
      'not confirmed (403 to its GET)',
      new GatewayNotFoundError(id, 'ARM answered 404 ResourceNotFound', {
        unconfirmed:
          'ARM refused to say whether it still exists (403: the identity may not read it): grant the identity Reader on it, or, if it was deleted (with the role assignment that let the identity read it), move its notify state document aside',
      }),
      /^the gateway was not found by its backend-health call \(ARM answered 404 ResourceNotFound\), and its GET/,
      /Check the gateway id in "targets" \(APPGW_TARGETS\)\.$/,
    ],
    [
      "not confirmed, a 404 not ARM's",
      new GatewayNotFoundError(id, 'ARM answered 404 NotFound', {
        unconfirmed:
          "ARM answered 404 NotFound, not ARM's ResourceNotFound or ResourceGroupNotFound: check that arm.endpoint (APPGW_ARM_ENDPOINT) is Azure Resource Manager; it is asked again on the next run",
      }),
      /^the gateway was not found by its backend-health call \(ARM answered 404 NotFound\)/,
      /and that arm\.endpoint \(APPGW_ARM_ENDPOINT\) is Azure Resource Manager\.$/,
    ],
  ])('%s', (_, error, start, end) => {
    const line = couldNotBeChecked({
      code: (error as GatewayDeletedError).code,
      message: error.message,
      retryable: false,
    });
    expect(line).toMatch(start);
    expect(line).toMatch(end);
    expect(line).not.toMatch(/if the…/);
    // Whole: what the GET answered and what to do are in its middle (a new-user trial: "its GET did… Check the gateway id").
    expect(line).not.toContain('…');
    expect(line).toBe(error.message.replace(id, 'the gateway'));
  });

  it('one ARM confirmed deleted is not said to be one that "could not be checked"', () => {
    const failed: RunReport = {
      ...report('x'),
      gateways: [
        {
          ...report('x').gateways[0]!,
          ok: false,
          findings: [],
          error: { code: 'GatewayDeleted', message: new GatewayDeletedError(id).message, retryable: false },
        },
      ],
    };
    expect(formatSummary(failed, [])).toMatch(/^ {4}the gateway does not exist \(404/m);
    expect(formatSummary(failed, [])).not.toMatch(/could not be checked: the gateway does not exist/);
  });
});

// A new-user trial: a run whose one failure was a gateway ARM confirmed deleted said "(1 could not be
// checked)" on its first line, and the gateway's line was cut in its middle.
it('gateways ARM confirmed deleted: counted apart on the first line, each line whole, past FAILED_ALIKE_SHOWN one "deleted" block', () => {
  const base = report('x').gateways[0]!;
  const at = (name: string) => base.id.replace(/[^/]+$/, name);
  const gone = Array.from({ length: FAILED_ALIKE_SHOWN + 2 }, (_, i) => ({
    ...base,
    id: at(`gone-${i}`),
    name: `gone-${i}`,
    ok: false,
    servers: 0,
    findings: [],
    error: {
      code: 'GatewayDeleted',
      message: new GatewayDeletedError(at(`gone-${i}`)).message,
      retryable: false,
    },
  }));
  const down = {
    ...base,
    id: at('down'),
    name: 'down',
    ok: false,
    servers: 0,
    findings: [],
    error: { code: 'BackendHealthUnavailable', message: 'Backend health is unavailable.', retryable: true },
  };
  const run = buildRunReport({
    runId: 'r1',
    startedAt: new Date(0),
    finishedAt: new Date(0),
    targets: [],
    gateways: [base, down, ...gone],
  });
  expect(run.summary).toMatchObject({ gateways: 9, failedGateways: 8, deletedGateways: 7 });
  const text = formatSummary(run, []);
  expect(text.split('\n')[0]).toMatch(/^Read 1 of 9 gateways \(1 could not be checked, 7 not found\), /);
  expect(text).toContain('✗ 2 more gateways deleted, as above: gone-5, gone-6\n');
  expect(text).not.toMatch(/could not be checked, as above/);
  const whole = new GatewayDeletedError(base.id).message.replace(base.id, 'the gateway');
  expect(text.split('\n').filter((l) => l === `    ${whole}`)).toHaveLength(FAILED_ALIKE_SHOWN + 1);
  // Only deleted ones: no "could not be checked" at all; none: no count.
  const onlyGone = buildRunReport({
    runId: 'r1',
    startedAt: new Date(0),
    finishedAt: new Date(0),
    targets: [],
    gateways: [base, gone[0]!],
  });
  expect(formatSummary(onlyGone, []).split('\n')[0]).toMatch(/^Read 1 of 2 gateways \(1 not found\), /);
  expect(report('x').summary.deletedGateways).toBeUndefined();
  // The trial: a run whose only failures were deletions exited 2 with no word of failure; the last line
  // says why the run is not ok (core/run-report.ts notOkReasons).
  expect(formatSummary(onlyGone, []).split('\n').at(-1)).toBe(
    'The run is not ok: 1 gateway not found (deleted; or, if "targets" names it by id, a wrong id: fix or remove that id).',
  );
  expect(formatSummary(run, []).split('\n').at(-1)).toBe(
    'The run is not ok: 1 gateway could not be checked; 7 gateways not found (deleted; or, if "targets" names them by id, a wrong id: fix or remove those ids).',
  );
  expect(formatSummary(report('x'), [])).not.toMatch(/not ok/);
});

// A new-user trial: a gateway gone from its subscription's listing that ARM confirmed deleted was said
// only as a `recovered` ("Read 1 of 2 gateways (1 deleted)"), while the status page counted 2 deleted.
describe('gateways no target lists any more that ARM confirmed deleted (deletedUnlisted)', () => {
  const unlisted = (name: string, resourceGroup = 'rg-old') => {
    const ref = gatewayRef(name, resourceGroup);
    return { id: ref.id, name, subscriptionId: ref.subscriptionId, resourceGroup };
  };
  const withDeleted = (deletedUnlisted: ReturnType<typeof unlisted>[]): RunReport => ({
    ...report('x'),
    deletedUnlisted,
    summary: { ...report('x').summary, deletedUnlisted: deletedUnlisted.length },
  });

  it('one: named with its resource group and subscription, in a line of its own; the run stays ok', () => {
    const one = unlisted('gw-b');
    const text = formatSummary(withDeleted([one]), []);
    // A block of its own (here the last: the report has no notifications or failures).
    expect(text.split('\n').slice(-2)).toEqual([
      '',
      `1 gateway that no target lists any more was deleted (ARM confirmed it): gw-b (rg-old, ${one.subscriptionId}); its open episodes ended.`,
    ]);
    expect(text.split('\n')[0]).toMatch(/^Checked 1 gateway, /);
    expect(text).not.toMatch(/not ok/);
    // None: no line.
    expect(formatSummary(report('x'), [])).not.toMatch(/no target lists/);
  });

  it('many: the first 10 named, the rest counted; names from ARM made safe for a terminal', () => {
    const many = [
      unlisted('gw-\u001b[31mred', 'rg-\u001b]0;owned\u0007x'),
      ...Array.from({ length: 11 }, (_, i) => unlisted(`gw-${i}`)),
    ];
    const text = formatSummary(withDeleted(many), []);
    const line = text.split('\n').find((l) => l.startsWith('12 gateways that no target lists'));
    expect(line).toMatch(
      /^12 gateways that no target lists any more were deleted \(ARM confirmed each\): gw-.*red \(rg-/,
    );
    expect(line).toMatch(
      /gw-8 \(rg-old, [^)]+\) and 2 more \(report\.json: deletedUnlisted\); their open episodes ended\.$/,
    );
    expect(line).not.toContain('gw-9 ');
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
  });
});

describe('a failed sink says so: the exit is 2 with every gateway checked, and stdout says why', () => {
  const failure = (sink: string, i: number) => ({
    code: 'StatusHistoryUnavailable',
    message: `history/s/rg/gw-${i}.json could not be written: \u001b[31mdisk full`,
    retryable: true,
    sink,
  });

  it('names each failed sink with its count and first messages, made safe for a terminal', () => {
    const failed: RunReport = {
      ...report('x'),
      deliveryErrors: [failure('status page', 1), failure('folder', 2), failure('status page', 3)],
    };
    const text = formatSummary(failed, []);
    expect(exitCode(failed)).toBe(2);
    expect(text).toContain('✗ status page: 2 failures\n    history/s/rg/gw-1.json could not be written');
    expect(text).toContain('✗ folder: 1 failure\n    history/s/rg/gw-2.json');
    expect(text).not.toContain('\u001b');
  });

  it('shows five messages per sink and counts the rest', () => {
    const failed: RunReport = {
      ...report('x'),
      deliveryErrors: Array.from({ length: 8 }, (_, i) => failure('blob', i)),
    };
    const text = formatSummary(failed, []);
    expect(text.match(/could not be written/g)).toHaveLength(5);
    expect(text).toContain('    and 3 more (report.json: deliveryErrors; each is in the log)');
  });

  it('counts the failures a closing entry stands for (a sink with thousands), and names what each did not deliver', () => {
    const listed = Array.from({ length: 10 }, (_, i) => ({
      code: 'DeliveryFailed',
      message: 'Delivery to blob failed: HTTP 503.',
      retryable: true,
      sink: 'blob',
      document: `insights and result of gateway gw-${i}`,
    }));
    const failed: RunReport = {
      ...report('x'),
      deliveryErrors: [
        ...listed,
        { ...listed[0]!, document: undefined, message: 'and 4990 more failed deliveries …', omitted: 4990 },
      ] as RunReport['deliveryErrors'],
    };
    const text = formatSummary(failed, []);
    expect(text).toContain('✗ blob: 5000 failures');
    expect(text).toContain('    insights and result of gateway gw-0: Delivery to blob failed: HTTP 503.');
    expect(text).toContain('    and 4995 more (report.json: deliveryErrors lists 10; each is in the log)');
  });

  it('keeps a long message whole with its advice at the end (the trial: cut just before "Move away the file in the way")', () => {
    const advice =
      'Move away the file in the way (the demo keeps its history in the folder /tmp/x/.appgw-state), or choose another folder with --out.';
    const message = `The status page's history of gateway gw-1 ${'could not be written because '.repeat(18)}ENOTDIR. ${advice}`;
    expect(message.length).toBeGreaterThan(600);
    const failed: RunReport = {
      ...report('x'),
      deliveryErrors: [1, 2].map((i) => ({ ...failure('status page', i), message: `${message} ${i}` })),
    };
    const text = formatSummary(failed, []);
    expect(text).toContain(`${advice} 1`);
    expect(text).toContain(`${advice} 2`);
  });

  it('says the same failure of many gateways once, with how many times', () => {
    const same = (i: number) => ({
      code: 'DeliveryFailed',
      message:
        'Delivery to folder failed: cannot write to /x/F: a file is where a folder should be (ENOTDIR). Choose another folder with --out.',
      retryable: false,
      sink: 'folder',
      document: `insights and result of gateway gw-${i}`,
    });
    const failed: RunReport = {
      ...report('x'),
      deliveryErrors: [
        ...Array.from({ length: 6 }, (_, i) => ({ ...same(i), document: undefined })),
        same(7),
      ] as RunReport['deliveryErrors'],
    };
    const text = formatSummary(failed, []);
    expect(text).toContain('✗ folder: 7 failures');
    expect(text.match(/Choose another folder with --out\./g)).toHaveLength(2);
    expect(text).toContain('with --out. (6 times)');
    expect(text).not.toContain('more (report.json');
  });

  it('says nothing of sinks when none failed', () => {
    expect(formatSummary(report('x'), [])).not.toMatch(/: \d+ failures?$/m);
  });
});

describe('held notices (grouped, silenced) under their own gateway', () => {
  const id = (name: string) =>
    `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/${name}`;
  const gateway = (name: string): RunReport['gateways'][number] => ({
    ...report('x').gateways[0]!,
    id: id(name),
    name,
    resourceGroup: 'rg',
  });
  const grouped = (name: string, address: string) => ({
    receiver: 'webhook[ops]',
    noticeId: `n-${name}-${address}`,
    type: 'degraded',
    severity: 'critical' as const,
    gateway: id(name).toUpperCase(), // ARM ids compare case-insensitively
    server: `${name}/pool/settings/${address}`,
    queuedAt: '2030-01-01T00:00:00.000Z',
    dueAt: '2030-01-01T00:04:00.000Z',
  });
  const silenced = (name: string, outcome: 'held' | 'ended-silenced') => ({
    gateway: id(name),
    server: `${name}/pool/settings/10.0.0.9`,
    type: 'degraded' as const,
    outcome,
    silenceIds: ['maint-1'],
    causeId: 'tcp-connect',
    severity: 'critical' as const,
    ...(outcome === 'held' ? { raisedFrom: 'warning' as const, until: '2030-01-01T06:00:00.000Z' } : {}),
  });
  /** The lines of one gateway's block: from its header to the next blank line. */
  const block = (text: string, name: string): string[] => {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith(`! ${name} (`));
    expect(start).toBeGreaterThanOrEqual(0);
    const end = lines.findIndex((l, i) => i > start && l === '');
    return lines.slice(start, end < 0 ? undefined : end);
  };

  it.each([
    ['the gateway with waiting notices first', ['gw-a', 'gw-b']],
    ['the gateway with waiting notices last', ['gw-b', 'gw-a']],
    ['between two without', ['gw-c', 'gw-a', 'gw-b']],
  ])('"waiting for their group" is in its own gateway block: %s', (_label, order) => {
    const text = formatSummary(
      {
        ...report('x'),
        gateways: order.map(gateway),
        notifications: notifications({ grouped: [grouped('gw-a', '10.0.0.4'), grouped('gw-a', '10.0.0.5')] }),
      },
      [],
    );
    const mine = block(text, 'gw-a').join('\n');
    expect(mine).toContain(
      "    webhook[ops]: 2 notices held for the group's next message until 2030-01-01T00:04:00.000Z (notify.groupWait/groupInterval): the first run after then sends it",
    );
    expect(mine).toContain(
      '        degraded (critical) pool/settings/10.0.0.4 to webhook[ops] from 2030-01-01T00:04:00.000Z',
    );
    for (const other of order.filter((n) => n !== 'gw-a'))
      expect(block(text, other).join('\n')).not.toMatch(/waiting|10\.0\.0\.[45]/);
    // Counted under the notifications line, which is always there when something is held.
    expect(text).toContain(
      "✓ notifications: 0 delivered (nothing due: 2 notices held for the group's next message)\n  2 notices held for the group's next message (the first goes at 2030-01-01T00:04:00.000Z; each under its gateway)",
    );
  });

  it.each<[string, Array<Record<string, unknown>>, string[]]>([
    [
      'one notice held by notify.groupInterval',
      [{ dueBy: 'notify.groupInterval' }],
      [
        "    webhook[ops]: 1 notice held for the group's next message until 2030-01-01T00:04:00.000Z (notify.groupInterval, from the group's last message): the first run after then sends it",
      ],
    ],
    [
      'two notices held by notify.groupWait',
      [{ dueBy: 'notify.groupWait' }, { dueBy: 'notify.groupWait', noticeId: 'n-2' }],
      [
        "    webhook[ops]: 2 notices held for the group's next message until 2030-01-01T00:04:00.000Z (notify.groupWait, from the group's first notice): the first run after then sends it",
      ],
    ],
    [
      'two receivers: a line each, with its own count, time and setting',
      [
        { dueBy: 'notify.groupInterval' },
        { receiver: 'webhook[pager]', dueBy: 'notify.groupWait', dueAt: '2030-01-01T00:00:30.000Z' },
      ],
      [
        "    webhook[ops]: 1 notice held for the group's next message until 2030-01-01T00:04:00.000Z (notify.groupInterval, from the group's last message): the first run after then sends it",
        "    webhook[pager]: 1 notice held for the group's next message until 2030-01-01T00:00:30.000Z (notify.groupWait, from the group's first notice): the first run after then sends it",
      ],
    ],
  ])('the wait line says the receiver, how many, until when and the setting: %s', (_label, parts, lines) => {
    const text = formatSummary(
      {
        ...report('x'),
        gateways: [gateway('gw-a')],
        notifications: notifications({
          grouped: parts.map((p) => ({ ...grouped('gw-a', '10.0.0.4'), ...p })),
        }),
      },
      [],
    );
    const mine = block(text, 'gw-a');
    expect(mine.filter((l) => l.includes('held for the group'))).toEqual(lines);
  });

  it.each<[string, Partial<NotificationsReport>, string]>([
    [
      'silenced',
      { silenced: [silenced('gw-a', 'held')] },
      '✓ notifications: 0 delivered (nothing due: 1 notice silenced)',
    ],
    [
      'silenced, held and ended: the count the line below gives',
      { silenced: [silenced('gw-a', 'held'), silenced('gw-a', 'ended-silenced')] },
      '✓ notifications: 0 delivered (nothing due: 2 notices silenced)',
    ],
    [
      'told, and not told yet',
      { openEpisodes: { told: 2, notYetTold: 1 } },
      '✓ notifications: 0 delivered (nothing due: 2 open episodes already told (reminded at most every notify.repeatInterval while still bad), 1 episode not told yet (notify.for))',
    ],
    [
      'held for the group and awaiting more runs not bad',
      {
        grouped: [grouped('gw-a', '10.0.0.4')],
        awaitingRecovery: [
          {
            gateway: id('gw-a'),
            server: 'gw-a/pool/settings/10.0.0.5',
            goodRuns: 1,
            recoverAfter: 3,
            degradedSince: '2030-01-01T00:00:00.000Z',
          },
        ],
      },
      "✓ notifications: 0 delivered (nothing due: 1 notice held for the group's next message, 1 episode awaiting more runs not bad (notify.recoverAfter))",
    ],
  ])('a run that delivered nothing says why in its notifications line: %s', (_label, parts, line) => {
    const text = formatSummary(
      { ...report('x'), gateways: [gateway('gw-a')], notifications: notifications(parts) },
      [],
    );
    expect(text.split('\n')).toContain(line);
  });

  // A new-user trial: the clause about a server draining was said in every run, none draining.
  it('the already-told clause names a server Draining only when the run read one', () => {
    const parts = { openEpisodes: { told: 1, notYetTold: 0 } };
    const base = report('x');
    const draining = formatSummary(
      {
        ...base,
        summary: { ...base.summary, notReported: { draining: 1 } },
        gateways: [gateway('gw-a')],
        notifications: notifications(parts),
      },
      [],
    );
    expect(draining).toContain(
      '(nothing due: 1 open episode already told (reminded at most every notify.repeatInterval while still bad; a server now Draining is held until healthy or gone))',
    );
    const none = formatSummary(
      { ...base, gateways: [gateway('gw-a')], notifications: notifications(parts) },
      [],
    );
    expect(none).not.toContain('Draining');
  });

  // Every reason a bad server gets no notice, each named in the notifications line and, where it is
  // about servers, under the gateway's block (trial F8, F13).
  const GATEWAY_LEVEL = 'gw-a/(every pool)/(every setting)/(every server)';
  it.each<[string, Partial<NotificationsReport>, string, string[]]>([
    [
      'silenced',
      { silenced: [silenced('gw-a', 'held')] },
      '✓ notifications: 0 delivered (nothing due: 1 notice silenced)',
      [
        '    silenced: 1 notice not sent',
        '        degraded (critical, raised from warning) pool/settings/10.0.0.9: held by maint-1 until 2030-01-01T06:00:00.000Z, then sent if still bad',
      ],
    ],
    [
      'silenced, and held by the gateway-level episode too (issue 16 trial)',
      { silenced: [{ ...silenced('gw-a', 'held'), inhibited: true }] },
      '✓ notifications: 0 delivered (nothing due: 1 notice silenced)',
      [
        '        degraded (critical, raised from warning) pool/settings/10.0.0.9: held by maint-1 until 2030-01-01T06:00:00.000Z, and by the gateway-level episode (notify.inhibit): sent once that episode ends, if still bad',
      ],
    ],
    [
      'held for the group (notify.grouping)',
      { grouped: [grouped('gw-a', '10.0.0.4')] },
      "✓ notifications: 0 delivered (nothing due: 1 notice held for the group's next message)",
      [
        "    webhook[ops]: 1 notice held for the group's next message until 2030-01-01T00:04:00.000Z (notify.groupWait/groupInterval): the first run after then sends it",
      ],
    ],
    [
      // Issue 16's trial: a held cause change read as a plain degraded, a duplicate.
      'a changed cause held for the group: labelled as one',
      { grouped: [{ ...grouped('gw-a', '10.0.0.4'), causeChangedFrom: 'probe-timeout' }] },
      "✓ notifications: 0 delivered (nothing due: 1 notice held for the group's next message)",
      [
        '        degraded (critical, cause changed from probe-timeout) pool/settings/10.0.0.4 to webhook[ops] from 2030-01-01T00:04:00.000Z',
      ],
    ],
    [
      'short of notify.for',
      { openEpisodes: { told: 0, notYetTold: 2 } },
      '✓ notifications: 0 delivered (nothing due: 2 episodes not told yet (notify.for))',
      [],
    ],
    [
      'already told (notify.repeatInterval)',
      { openEpisodes: { told: 1, notYetTold: 0 } },
      '✓ notifications: 0 delivered (nothing due: 1 open episode already told (reminded at most every notify.repeatInterval while still bad))',
      [],
    ],
    [
      'a server awaiting notify.recoverAfter',
      {
        awaitingRecovery: [
          {
            gateway: id('gw-a'),
            server: 'gw-a/pool/settings/10.0.0.5',
            goodRuns: 1,
            recoverAfter: 2,
            degradedSince: '2030-01-01T00:00:00.000Z',
          },
        ],
      },
      '✓ notifications: 0 delivered (nothing due: 1 episode awaiting more runs not bad (notify.recoverAfter))',
      [
        '    1 server no longer bad, recovered not sent yet: awaiting more runs not bad (notify.recoverAfter)',
        '        pool/settings/10.0.0.5: 1 of 2 runs not bad (degraded since 2030-01-01T00:00:00.000Z)',
      ],
    ],
    [
      'held by the gateway-level episode awaiting notify.recoverAfter (notify.inhibit; F8): not notify.for, and the gateway reads as the gateway',
      {
        openEpisodes: { told: 0, notYetTold: 0, inhibited: 2 },
        awaitingRecovery: [
          {
            gateway: id('gw-a'),
            server: GATEWAY_LEVEL,
            goodRuns: 1,
            recoverAfter: 2,
            degradedSince: '2030-01-01T00:00:00.000Z',
          },
        ],
      },
      '✓ notifications: 0 delivered (nothing due: 1 episode awaiting more runs not bad (notify.recoverAfter), 2 episodes held by the gateway-level episode (notify.inhibit: open until the gateway has not been all bad for notify.recoverAfter runs))',
      [
        '    the gateway no longer all bad, recovered not sent yet: awaiting more runs not bad (notify.recoverAfter)',
        '        every-server-bad episode of gw-a: 1 of 2 runs not bad (degraded since 2030-01-01T00:00:00.000Z)',
      ],
    ],
    [
      'held closed by a recheck confirmation (F13)',
      {
        heldByConfirmation: [
          {
            gateway: id('gw-a'),
            server: 'gw-a/pool/settings/10.0.0.4',
            confirmedAt: '2030-01-01T00:00:00.000Z',
            until: '2030-01-01T00:01:30.000Z',
          },
        ],
      },
      "✓ notifications: 0 delivered (nothing due: 1 bad server held closed by a recheck confirmation (the gateway's reading may lag))",
      [
        "    1 server read bad, no notice: held closed by a recheck confirmation (the gateway's backend-health reading may lag)",
        '        pool/settings/10.0.0.4: confirmed healthy at 2030-01-01T00:00:00.000Z, held closed until 2030-01-01T00:01:30.000Z (an episode opens if still bad then)',
      ],
    ],
    [
      "no receiver's match takes it",
      {
        openEpisodes: { told: 0, notYetTold: 0, noReceiver: 1 },
        unrouted: [
          {
            gateway: id('gw-a'),
            server: 'gw-a/pool/settings/10.0.0.4',
            severity: 'warning',
            degradedSince: '2030-01-01T00:00:00.000Z',
          },
        ],
      },
      "✓ notifications: 0 delivered (nothing due: 1 bad server no receiver's match takes)",
      // Which server, not only how many (issue 16's trial).
      [
        "    1 bad server told to no receiver: no receiver's match takes its degraded (sinks.webhooks[].match)",
        '        pool/settings/10.0.0.4 (warning, degraded since 2030-01-01T00:00:00.000Z)',
      ],
    ],
  ])('every reason a bad server gets no notice is named: %s', (_label, parts, line, blockLines) => {
    const text = formatSummary(
      { ...report('x'), gateways: [gateway('gw-a')], notifications: notifications(parts) },
      [],
    );
    expect(text.split('\n')).toContain(line);
    const mine = block(text, 'gw-a');
    for (const l of blockLines) expect(mine).toContain(l);
    expect(text).not.toContain('(every pool)');
  });

  it('a gateway-level notice delivered is named as the gateway in its receiver line', () => {
    const text = formatSummary(
      {
        ...report('x'),
        gateways: [gateway('gw-a')],
        notifications: notifications({
          deliveries: [
            {
              receiver: 'webhook[ops]',
              noticeId: 'n',
              type: 'degraded',
              server: GATEWAY_LEVEL,
              outcome: 'delivered',
              attempts: [],
            },
          ],
        }),
      },
      [],
    );
    expect(text).toContain('    webhook[ops]: 1 delivered (1 degraded): every-server-bad episode of gw-a');
  });

  it('a run that delivered something gives no "nothing due"', () => {
    const text = formatSummary(
      {
        ...report('x'),
        gateways: [gateway('gw-a')],
        notifications: notifications({
          openEpisodes: { told: 1, notYetTold: 0 },
          deliveries: [
            {
              receiver: 'webhook[ops]',
              noticeId: 'n',
              type: 'degraded',
              server: 'gw-a/p/s/10.0.0.4',
              outcome: 'delivered',
              attempts: [],
            },
          ],
        }),
      },
      [],
    );
    expect(text).toContain('✓ notifications: 1 delivered\n');
    expect(text).not.toContain('nothing due');
  });

  // A trial: the run after one whose state write a stop cut short sent its notices again (same ids)
  // and said "2 delivered", where the receiver had likely had them.
  it.each([
    [
      1,
      0,
      "✓ notifications: 1 delivered (1 perhaps received before, same ids: an earlier send may have reached the receiver without our knowing: it got no answer or a gateway's 502/504, or its run stopped before recording it)\n",
    ],
    [
      2,
      1,
      "✓ notifications: 3 delivered (2 perhaps received before, same ids: an earlier send may have reached the receiver without our knowing: it got no answer or a gateway's 502/504, or its run stopped before recording it)\n",
    ],
    [0, 2, '✓ notifications: 2 delivered\n'],
  ])('%s of the delivered notices perhaps received before, %s not: said on the line', (before, not, line) => {
    const delivery = (i: number, mayHaveReachedBefore: boolean) => ({
      receiver: 'webhook[ops]',
      noticeId: `n-${i}`,
      type: 'degraded',
      server: `gw-a/p/s/10.0.0.${i}`,
      outcome: 'delivered' as const,
      attempts: [],
      ...(mayHaveReachedBefore ? { mayHaveReachedBefore: true as const } : {}),
    });
    const text = formatSummary(
      {
        ...report('x'),
        gateways: [gateway('gw-a')],
        notifications: notifications({
          openEpisodes: { told: 1, notYetTold: 0 },
          deliveries: [
            ...Array.from({ length: before }, (_, i) => delivery(i, true)),
            ...Array.from({ length: not }, (_, i) => delivery(before + i, false)),
          ],
        }),
      },
      [],
    );
    expect(text).toContain(line);
  });

  it('notices whose episode ended before their group was sent: counted, and each under its own gateway with why', () => {
    const ended = (name: string, address: string, type: string) => ({
      receiver: 'webhook[ops]',
      noticeId: `n-${name}-${address}-${type}`,
      type,
      severity: 'warning' as const,
      gateway: id(name),
      server: `${name}/pool/settings/${address}`,
      queuedAt: '2030-01-01T00:00:00.000Z',
      reason: 'ended before its group was sent: the episode is over',
    });
    const text = formatSummary(
      {
        ...report('x'),
        gateways: ['gw-b', 'gw-a'].map(gateway),
        notifications: notifications({
          endedInGroup: [ended('gw-a', '10.0.0.4', 'degraded'), ended('gw-a', '10.0.0.4', 'recovered')],
        }),
      },
      [],
    );
    const mine = block(text, 'gw-a').join('\n');
    expect(mine).toContain('    2 notices not sent: their episodes ended first');
    expect(mine).toContain(
      '        degraded (warning) pool/settings/10.0.0.4 to webhook[ops]: ended before its group was sent: the episode is over',
    );
    expect(block(text, 'gw-b').join('\n')).not.toContain('10.0.0.4');
    expect(text).toContain(
      '✓ notifications: 0 delivered (nothing due: 2 notices whose episode ended first)\n  2 notices not sent: their episodes ended first (each under its gateway, with why)',
    );
  });

  it('silenced notices: counted, and each held one under its gateway with until when (a raise said so)', () => {
    const text = formatSummary(
      {
        ...report('x'),
        gateways: ['gw-b', 'gw-a'].map(gateway),
        notifications: notifications({
          silenced: [silenced('gw-a', 'held'), silenced('gw-a', 'ended-silenced')],
        }),
      },
      [],
    );
    const mine = block(text, 'gw-a').join('\n');
    expect(mine).toContain('    silenced: 2 notices not sent');
    expect(mine).toContain(
      '        degraded (critical, raised from warning) pool/settings/10.0.0.9: held by maint-1 until 2030-01-01T06:00:00.000Z, then sent if still bad',
    );
    expect(mine).toContain(
      '        degraded (the episode was critical) pool/settings/10.0.0.9: recovered while silenced by maint-1: neither degraded nor recovered is sent',
    );
    expect(block(text, 'gw-b').join('\n')).not.toMatch(/silenced/);
    expect(text).toContain(
      '  2 notices silenced: 1 held (the first until 2030-01-01T06:00:00.000Z), 1 ended while silenced (each under its gateway)',
    );
  });

  it('held notices of a gateway the run has no block for are named under the notifications', () => {
    const text = formatSummary(
      { ...report('x'), notifications: notifications({ silenced: [silenced('gw-gone', 'held')] }) },
      [],
    );
    expect(text).toContain('  gw-gone (rg):\n    silenced: 1 notice not sent');
  });

  it('a receiver line counts a raise apart, with the severity of each kind', () => {
    const text = formatSummary(
      {
        ...report('x'),
        notifications: notifications({
          deliveries: [
            {
              receiver: 'webhook[ops]',
              noticeId: 'a',
              type: 'degraded',
              severity: 'critical',
              raisedFrom: 'warning',
              server: 'g/p/s/1',
              outcome: 'delivered',
              attempts: [],
            },
            {
              receiver: 'webhook[ops]',
              noticeId: 'b',
              type: 'degraded',
              severity: 'critical',
              server: 'g/p/s/2',
              outcome: 'delivered',
              attempts: [],
            },
            {
              receiver: 'webhook[ops]',
              noticeId: 'c',
              type: 'recovered',
              severity: 'warning',
              server: 'g/p/s/3',
              outcome: 'delivered',
              attempts: [],
            },
          ],
        }),
      },
      [],
    );
    expect(text).toContain(
      '    webhook[ops]: 3 delivered (1 degraded [critical, raised from warning], 1 degraded [critical], 1 recovered [the episode was warning]): g/p/s/1, g/p/s/2, g/p/s/3',
    );
  });

  // A break trial: a gateway whose pools were emptied, and a deleted one, were "1 recovered" here while
  // Slack said "Episode ended".
  it('a receiver line counts an episode ended without a recovery as ended, with why, never as recovered', () => {
    const delivery = (noticeId: string, server: string, ended?: string) => ({
      receiver: 'webhook[ops]',
      noticeId,
      type: 'recovered',
      severity: 'critical' as const,
      ...(ended ? { ended } : {}),
      server,
      outcome: 'delivered' as const,
      attempts: [],
    });
    const text = formatSummary(
      {
        ...report('x'),
        notifications: notifications({
          deliveries: [
            delivery('a', 'g/(every server)', 'the gateway lists no backend server any more'),
            delivery('b', 'g/p/s/1'),
            delivery('c', 'h/p/s/2', 'gateway deleted'),
          ],
        }),
      },
      [],
    );
    expect(text).toContain(
      '    webhook[ops]: 3 delivered (1 ended (the gateway lists no backend server any more) [the episode was critical], 1 recovered [the episode was critical], 1 ended (gateway deleted) [the episode was critical])',
    );
  });

  it('each finding line shows its severity', () => {
    expect(formatSummary(report('x'), [])).toContain(
      '    pool_api / settings-https  10.0.1.4  Unhealthy (unhealthy)  critical',
    );
  });
});

describe('insights with the general steps (issue 17, item 1)', () => {
  const configuration = {
    unreadGateways: 1,
    generalSteps: 1,
    message: 'Remediation steps are the general ones for 1 finding(s) on 1 gateway(s), …',
  };
  it.each([
    ['nothing else failed: 3', { ok: true, deliveryErrors: [] }, 3],
    ['a gateway failed too: 2 outranks it', { ok: false, deliveryErrors: [] }, 2],
    [
      'a sink failed too: 2',
      { ok: true, deliveryErrors: [{ code: 'DeliveryFailed', message: 'x', retryable: true }] },
      2,
    ],
  ] as const)('%s', (_, parts, code) => {
    expect(exitCode({ ...report('x'), ...parts, configuration })).toBe(code);
  });

  it('without it, a clean run exits 0 (the case that does not trigger)', () => {
    expect(report('x').configuration).toBeUndefined();
    expect(exitCode(report('x'))).toBe(0);
  });

  it('the message is the second block, once; a gateway not read says why under its name', () => {
    const base = report('x');
    const [gateway] = base.gateways;
    const text = formatSummary(
      {
        ...base,
        configuration,
        gateways: [
          {
            ...gateway!,
            configuration: {
              read: false,
              reason: 'forbidden',
              message: 'The identity lacks permission',
              retryable: false,
              generalSteps: 1,
            },
          },
        ],
      },
      [],
    );
    const lines = text.split('\n');
    expect(lines[2]).toBe(`! ${configuration.message}`);
    expect(lines[3]).toBe('    appgw_prod-01 (rg-web (prod)): forbidden');
    expect(text).toContain(
      'configuration not read (forbidden): general steps only: The identity lacks permission',
    );
  });
});

// A new-user trial: cut in the middle, "…/read" ran into the tail's "(the operation's polls)", another
// permission, as if that were the one to grant.
it("a gateway's configuration not read (403): its line keeps the permission ARM refused and why, never the tail's other permission", () => {
  const base = report('x');
  const [gateway] = base.gateways;
  const refused = new MissingPermissionError(
    gateway!.id,
    'Microsoft.Network/applicationGateways/read',
    'ARM answered 403 AuthorizationFailed',
  ).message;
  const text = formatSummary(
    {
      ...base,
      gateways: [
        {
          ...gateway!,
          configuration: {
            read: false,
            reason: 'forbidden',
            message: refused,
            retryable: false,
            generalSteps: 1,
          },
        },
      ],
    },
    [],
  );
  const line = /configuration not read.*$/m.exec(text)?.[0] ?? '';
  expect(line).toContain(
    'general steps only: The identity lacks permission "Microsoft.Network/applicationGateways/read" on the gateway (ARM answered 403 AuthorizationFailed).',
  );
  expect(line).not.toContain("the operation's polls");
});

describe('a target that could not be listed', () => {
  it('is said whole: what was wrong (the middle of the message) and what to do (its end)', () => {
    const what =
      'data[2].tags ("/subscriptions/s/…/applicationGateways/g"): expected the gateway\'s tags, an object of text values or null, found string "env=prod"';
    const text =
      `Target /subscriptions/s could not be listed: Resource Graph answered 200, but ${what}. ` +
      "No gateway is taken as deleted for missing from it (only ARM's 404 to a gateway's own GET is); it is tried again on the next run. If it persists, check that arm.endpoint (APPGW_ARM_ENDPOINT) is Azure Resource Manager (or the emulator) and that no proxy in between rewrites its answers.";
    const failed = {
      ...report('x'),
      targets: [
        {
          id: '/subscriptions/s',
          ok: false,
          error: { code: 'TargetListUnavailable', message: text, retryable: true },
          gateways: 0,
        },
      ],
    };
    const out = formatSummary(failed, []);
    expect(out).toContain('✗ target /subscriptions/s');
    expect(out).toContain(what);
    expect(out).toContain('no proxy in between rewrites its answers.');
  });

  // A new-user trial: the first line said "Checked 1 gateway … 0 not healthy." of a run that could not
  // list one of its targets; the last line alone said it.
  it.each<[string, string[], RegExp]>([
    [
      'one not listed',
      ['TargetListUnavailable'],
      /; 1 target not listed \(below\): its gateways were not read\.$/,
    ],
    [
      'two not listed',
      ['TargetListUnavailable', 'Throttled'],
      /; 2 targets not listed \(below\): their gateways were not read\.$/,
    ],
    // Said apart from the targets that failed (a break trial: a stop during the listing read as nothing
    // wrong on the first line).
    [
      'one cut by an interruption',
      ['RunInterrupted'],
      /: \d+ not healthy; 1 target not listed before the stop \(the run was interrupted\): its gateways were not read\.$/,
    ],
  ])('%s: the first line says so', (_, codes, first) => {
    const failed = {
      ...report('x'),
      targets: codes.map((code, i) => ({
        id: `/subscriptions/s${i}`,
        ok: false,
        error: { code, message: 'm', retryable: true },
        gateways: 0,
      })),
    };
    expect(formatSummary(failed, []).split('\n')[0]).toMatch(first);
  });
});

describe('the summary of a large run: a gateway’s block at a time (issue 14: memory)', () => {
  /** A report of `n` gateways whose entries are read as a run's end reads them (spooledArray), each read logged. */
  function readLogged(n: number) {
    const whole = report('Connection refused');
    const entries = Array.from({ length: n }, (_, i) => ({
      ...whole.gateways[0]!,
      id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/g${i}`,
      name: `gw-${i}`,
    }));
    const read: string[] = [];
    const gateways = spooledArray(entries, (entry) => (read.push(entry.name), { ...entry }));
    return { report: { ...whole, gateways }, entries, read };
  }

  it('yields each gateway’s block having read no entry past it', () => {
    const { report: large, read } = readLogged(50);
    const lines = summaryLines(large, ['/out/latest']);
    const seen: string[] = [];
    for (const line of lines) {
      seen.push(line);
      if (line.includes('gw-2 ')) break;
    }
    // Up to gw-2's own line: gw-0 and gw-1's blocks were yielded as they were read; nothing past gw-2.
    expect(read).toEqual(['gw-0', 'gw-1', 'gw-2']);
    expect(seen.some((l) => l.includes('gw-1 '))).toBe(true);
  });

  it('prints the same text as formatSummary, a line break after each line', async () => {
    const { report: large, entries } = readLogged(400);
    const plain = { ...large, gateways: entries };
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await printRun(large, [{ receipt: { locations: ['/out/latest'] } }]);
    } finally {
      write.mockRestore();
    }
    expect(written.join('')).toBe(`${formatSummary(plain, ['/out/latest'])}\n`);
    // In pieces, not one write of the whole text.
    expect(written.length).toBeGreaterThan(1);
  });
});

// A new-user trial: 450 gateways printed 1 500 lines (300 of them a `✓` block), and a run where every
// gateway timed out printed 450 copies of one message.
describe('the summary of many gateways alike', () => {
  const gateways = (prefix: string, n: number, ok: boolean) =>
    Array.from({ length: n }, (_, i) => ({
      gateway: gatewayRef(`${prefix}-${String(i).padStart(3, '0')}`),
      ok,
    }));

  it('past the first 20 healthy and the first 5 failing alike, each kind is one block; the others keep theirs', () => {
    const { report } = buildDelivery('run', [
      ...gateways('fine', 300, true),
      ...gateways('down', 150, false),
      { gateway: gatewayRef('sick'), unhealthy: ['10.0.0.4'] },
    ]);
    const text = formatSummary(report, []);
    expect(text.match(/^✓ /gm)).toHaveLength(HEALTHY_SHOWN + 1);
    expect(text).toContain(
      '✓ 280 more gateways with every server healthy: fine-020, fine-021, fine-022, fine-023, fine-024 and 275 more (report.json lists each)',
    );
    expect(text.match(/^✗ /gm)).toHaveLength(FAILED_ALIKE_SHOWN + 1);
    expect(text).toContain(
      '✗ 145 more gateways could not be checked, as above: down-005, down-006, down-007, down-008, down-009 and 140 more\n    Backend health is unavailable.',
    );
    expect(text).toMatch(/^! sick \(/m);
    expect(text.split('\n').length).toBeLessThan(80);
  });

  // A break trial: an outage's 5xx each carried a tracking id, so 30 gateways printed 30 whole lines.
  it('failures that differ only in ids, times and seconds waited are alike; another status is not', () => {
    const id = (i: number) =>
      `0f3c${String(i).padStart(4, '0')}-1a2b-4c3d-8e9f-00112233${String(i).padStart(4, '0')}`;
    const failed = (name: string, message: string) => ({ gateway: gatewayRef(name), ok: false, message });
    const { report } = buildDelivery('run', [
      ...Array.from({ length: 30 }, (_, i) =>
        failed(
          `out-${String(i).padStart(2, '0')}`,
          `Backend health is unavailable: ARM answered 500 InternalServerError: Tracking ID: ${id(i)}; at 2026-12-03T15:0${i % 10}:00.123Z after ${i}.5 s.`,
        ),
      ),
      failed(
        'other',
        'Backend health is unavailable: ARM answered 503 ServiceUnavailable: Tracking ID: ' + id(99) + '.',
      ),
    ]);
    const text = formatSummary(report, []);
    expect(text).toContain(
      '✗ 25 more gateways could not be checked, as above: out-05, out-06, out-07, out-08, out-09 and 20 more\n    Backend health is unavailable: ARM answered 500 InternalServerError: Tracking ID: ' +
        id(5),
    );
    expect(text.match(/^✗ /gm)).toHaveLength(FAILED_ALIKE_SHOWN + 2);
    expect(text).toMatch(/^✗ other \(/m);
  });

  it('20 healthy gateways or fewer, and 5 failing alike or fewer, are each shown as before', () => {
    const { report } = buildDelivery('run', [...gateways('fine', 20, true), ...gateways('down', 5, false)]);
    const text = formatSummary(report, []);
    expect(text.match(/^✓ /gm)).toHaveLength(20);
    expect(text.match(/^✗ /gm)).toHaveLength(5);
    expect(text).not.toContain('more gateway');
  });
});

it('the first line says how many gateways were read of how many, never "Checked" gateways it could not check', () => {
  const { report } = buildDelivery('run', [
    { gateway: gatewayRef('fine') },
    { gateway: gatewayRef('down-1'), ok: false },
    { gateway: gatewayRef('down-2'), ok: false },
  ]);
  expect(formatSummary(report, []).split('\n')[0]).toBe(
    'Read 1 of 3 gateways (2 could not be checked), 3 backend servers: 0 not healthy.',
  );
  const { report: all } = buildDelivery('run', [{ gateway: gatewayRef('fine') }]);
  expect(formatSummary(all, []).split('\n')[0]).toBe('Checked 1 gateway, 1 backend server: 0 not healthy.');
});

// A break trial: "Read 0 of 2 gateways (2 could not be checked), 0 backend servers: 0 not healthy." read
// as all well of a run that read nothing.
it('a run that read no gateway says no server was read, never "0 not healthy"', () => {
  const { report } = buildDelivery('run', [
    { gateway: gatewayRef('down-1'), ok: false },
    { gateway: gatewayRef('down-2'), ok: false },
  ]);
  const first = formatSummary(report, []).split('\n')[0];
  expect(first).toBe('Read 0 of 2 gateways (2 could not be checked): no backend server was read.');
  // A break trial: "Read 0 of 1 gateway (1 could not be checked)" of a run stopped with the other not done.
  const { report: one } = buildDelivery('run', [{ gateway: gatewayRef('down-1'), ok: false }]);
  const stopped = {
    ...one,
    interrupted: {
      by: 'signal' as const,
      signal: 'SIGINT',
      message: 'stopped',
      notDone: [gatewayRef('later').id],
    },
  };
  expect(formatSummary(stopped, []).split('\n')[0]).toBe(
    'Read 0 of 2 gateways (1 could not be checked, 1 not done: the run was interrupted): no backend server was read.',
  );
  expect(first).not.toMatch(/not healthy/);
  // Nor a run whose only target could not be listed (no gateway at all).
  const { report: none } = buildDelivery('run', []);
  const unlisted = formatSummary(
    {
      ...none,
      targets: [
        {
          id: '/subscriptions/s',
          ok: false,
          error: { code: 'TargetNotFound', message: 'ARM answered 404', retryable: false },
          gateways: 0,
        },
      ],
    },
    [],
  ).split('\n')[0];
  expect(unlisted).toBe(
    'Checked 0 gateways: no backend server was read; 1 target not listed (below): its gateways were not read.',
  );
});

// A new-user trial: a reading that lacked a routed pool (ARM answered `{"backendAddressPools":[]}`) was
// a green ✓ with 0 servers, and exit 0.
describe('a reading short of the pools its configuration routes to', () => {
  const shortReading = (pools: string[], extra = 0) =>
    buildRunReport({
      runId: 'r1',
      startedAt: new Date(0),
      finishedAt: new Date(0),
      targets: [],
      gateways: [
        ...Array.from({ length: 25 + extra }, (_, i) => ({
          ...gatewayRef(`fine-${String(i).padStart(2, '0')}`),
          ok: true,
          error: null,
          durationInMs: 1,
          servers: 1,
          findings: [],
        })),
        {
          ...gatewayRef('gw-b'),
          ok: true,
          error: null,
          durationInMs: 1,
          servers: 0,
          findings: [],
          poolsNotRead: pools,
        },
      ],
    });

  it('is said on the first line and under its gateway (never collapsed among the healthy), and the run is not ok', () => {
    const report = shortReading(['pb1', 'pb2\u001b[31m']);
    const text = formatSummary(report, []);
    expect(text.split('\n')[0]).toBe(
      'Checked 26 gateways, 25 backend servers: 0 not healthy; 1 reading incomplete (below): not every server was read.',
    );
    expect(text).toMatch(
      /^! gw-b \(.*\)\n {4}reading incomplete: ARM's backend health did not list backend pools pb1 and pb2.* \(or listed no server of them\), which its rules route to: their servers were not read this run/m,
    );
    // ARM's names reach the terminal escaped.
    expect(text).not.toContain('\u001b');
    expect(report.ok).toBe(false);
    expect(report.summary.incompleteReadings).toBe(1);
    expect(exitCode(report)).toBe(2);
  });

  // Break and new-user trials: with the configuration's GET failed, the line said "which its rules route
  // to" (the rules were not read), and "general steps only" with no finding to give steps for.
  it('with the configuration not read: says the pools may have members, and no "general steps"', () => {
    const base = shortReading(['pb1']);
    const report: RunReport = {
      ...base,
      gateways: base.gateways.map((g) =>
        g.poolsNotRead
          ? {
              ...g,
              configuration: {
                read: false,
                reason: 'unavailable',
                message: 'ARM answered 500',
                retryable: true,
                generalSteps: 0,
              },
            }
          : g,
      ),
    };
    const text = formatSummary(report, []);
    expect(text).toContain(
      'did not list backend pool pb1 (or listed no server of it), which may have members (the configuration could not be read to tell): its servers were not read this run',
    );
    expect(text).toContain('    configuration not read (unavailable): ARM answered 500');
    expect(text).not.toMatch(/rules route|general steps/);
  });

  it('a run whose readings were whole says nothing of it', () => {
    const { report } = buildDelivery('run', [{ gateway: gatewayRef('fine') }]);
    expect(report.summary.incompleteReadings).toBeUndefined();
    expect(formatSummary(report, [])).not.toContain('incomplete');
  });
});

// A break trial: a gateway with a server draining (Draining is left out of unhealthyStates by default)
// was "✓", counted among those "with every server healthy", and the first line said "0 not healthy".
describe('servers neither healthy nor reported (GatewayReport.notReported)', () => {
  const base = report('x').gateways[0]!;
  const at = (name: string) => base.id.replace(/[^/]+$/, name);
  const healthy = (i: number) => ({ ...base, id: at(`ok-${i}`), name: `ok-${i}`, findings: [] });
  const draining = {
    ...base,
    id: at('drain'),
    name: 'drain',
    servers: 3,
    findings: [],
    notReported: { draining: 1, unknown: 1 },
  };
  const run = buildRunReport({
    runId: 'r1',
    startedAt: new Date(0),
    finishedAt: new Date(0),
    targets: [],
    gateways: [...Array.from({ length: HEALTHY_SHOWN + 2 }, (_, i) => healthy(i)), draining, base],
  });

  it('are counted on the first line by state, and in the summary', () => {
    expect(run.summary.notReported).toEqual({ draining: 1, unknown: 1 });
    expect(formatSummary(run, []).split('\n')[0]).toMatch(
      /backend servers: 1 not healthy, 1 draining, 1 unknown \(not counted: unhealthyStates leaves Unknown out\)\.$/,
    );
    expect(report('x').summary.notReported).toBeUndefined();
    expect(formatSummary(report('x'), []).split('\n')[0]).toMatch(/: 1 not healthy\.$/);
  });

  it('are said under their gateway, with the setting that would report them, never among "every server healthy"', () => {
    const text = formatSummary(run, []);
    expect(text).toContain(
      '✓ drain (rg-web (prod))\n    not reported: 1 draining, 1 unknown (unhealthyStates leaves Draining and Unknown out)\n',
    );
    // None serving (every server draining, or left out under another name): "!", not "✓" (a break trial).
    const alone = (notReported: Record<string, number>) =>
      formatSummary(
        buildRunReport({
          runId: 'r1',
          startedAt: new Date(0),
          finishedAt: new Date(0),
          targets: [],
          gateways: [{ ...draining, servers: 2, notReported }],
        }),
        [],
      );
    expect(alone({ draining: 2 })).toContain(
      '! drain (rg-web (prod))\n    not reported: 2 draining (unhealthyStates leaves Draining out)',
    );
    expect(alone({ unhealthy: 2 })).toContain(
      '! drain (rg-web (prod))\n    not reported: 2 unhealthy (unhealthyStates leaves Down out)',
    );
    const collapsed = text.split('\n').find((l) => l.includes('with every server healthy')) ?? '';
    expect(collapsed).toMatch(/^✓ 2 more gateways with every server healthy: ok-\d+, ok-\d+ /);
    expect(collapsed).not.toContain('drain');
  });
});

// A break trial: a gateway read with no server listed (its configuration routes to no pool with
// members) was "✓", as all well, though it serves nothing.
it('a gateway read with no server listed: "!" with a line that says it serves nothing, never collapsed as healthy', () => {
  const base = report('x').gateways[0]!;
  const empty = { ...base, id: base.id.replace(/[^/]+$/, 'empty'), name: 'empty', servers: 0, findings: [] };
  const healthy = Array.from({ length: 12 }, (_, i) => ({
    ...base,
    id: base.id.replace(/[^/]+$/, `ok-${String(i).padStart(2, '0')}`),
    name: `ok-${String(i).padStart(2, '0')}`,
    servers: 1,
    findings: [],
  }));
  const run = buildRunReport({
    runId: 'r1',
    startedAt: new Date(0),
    finishedAt: new Date(0),
    targets: [],
    gateways: [...healthy, empty],
  });
  const text = formatSummary(run, []);
  expect(text).toMatch(/^! empty/m);
  expect(text).toContain(
    '    no backend server: its routed backend pools have no members, so it serves nothing',
  );
  expect(text).not.toMatch(/^✓ empty/m);
  // Counted on the first line too, as the status page's title counts it.
  expect(text.split('\n')[0]).toBe(
    'Checked 13 gateways, 12 backend servers: 0 not healthy; 1 gateway serving nothing (below): no backend server listed.',
  );
  const whole = formatSummary(
    buildRunReport({
      runId: 'r1',
      startedAt: new Date(0),
      finishedAt: new Date(0),
      targets: [],
      gateways: healthy,
    }),
    [],
  );
  expect(whole.split('\n')[0]).not.toContain('serving nothing');
});
