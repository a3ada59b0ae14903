import { failedEarlierReason } from '../../../src/core/notice/not-tried-reason';
import type {
  DroppedNoticeReport,
  ReportedError,
  UndeliveredNoticeReport,
} from '../../../src/core/run-report';
import {
  describeNotifyProblems,
  logNotifyProblems,
  resendHint,
} from '../../../src/pipeline/notify/undelivered-summary';
import { recordingLogger } from '../../helpers/notify-run';

const AT = '2030-01-01T00:00:00.000Z';

function undelivered(
  status: UndeliveredNoticeReport['status'],
  overrides: Partial<UndeliveredNoticeReport> = {},
): UndeliveredNoticeReport {
  return {
    receiver: 'webhook[ops]',
    noticeId: 'appgw-1',
    type: 'degraded',
    gateway: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw',
    server: 'gw/pool/settings/10.0.0.4',
    status,
    reason: 'HTTP 503',
    retry: status === 'waiting' ? 'next-run' : status === 'leased' ? 'after-lease' : 'by-hand',
    queuedAt: AT,
    failedRuns: 1,
    ...overrides,
  };
}

const nothing = { undelivered: [], dropped: [], stateErrors: [], contended: [] };

describe('describeNotifyProblems: one line per receiver and status, then dropped, state errors, overlaps', () => {
  it('everything delivered: no line', () => {
    expect(describeNotifyProblems(nothing)).toEqual([]);
  });

  it.each<[string, UndeliveredNoticeReport[], string]>([
    [
      'waiting',
      [undelivered('waiting'), undelivered('waiting', { noticeId: 'appgw-2' })],
      'webhook[ops]: 2 notices waiting, sent on the next run: HTTP 503',
    ],
    [
      'dead letters, with how to re-send them',
      [undelivered('dead-letter', { reason: 'HTTP 400 Bad Request' })],
      'webhook[ops]: 1 notice parked as a dead letter, not sent again until re-sent by hand (re-send: appgw-insights notify resend --config FILE --receiver ops): HTTP 400 Bad Request',
    ],
    [
      'leased: until the latest end, by whom, without a reason',
      [
        undelivered('leased', { leasedBy: 'run-a', leasedUntil: '2030-01-01T00:02:00.000Z' }),
        undelivered('leased', { leasedBy: 'run-b', leasedUntil: '2030-01-01T00:05:00.000Z' }),
        undelivered('leased', { leasedBy: 'run-a', leasedUntil: '2030-01-01T00:01:00.000Z' }),
      ],
      "webhook[ops]: 3 notices held by another run's lease (that run is sending them, or stopped before it recorded what it sent), sent again once the lease ends if still undelivered (until 2030-01-01T00:05:00.000Z, by run-a, run-b)",
    ],
    [
      'several reasons: the latest, and the others named, most recent first',
      [
        undelivered('waiting', { reason: 'HTTP 503' }),
        undelivered('waiting', { reason: 'HTTP 429' }),
        undelivered('waiting', { reason: 'HTTP 503' }),
        undelivered('waiting', { reason: 'no answer within 10000 ms' }),
      ],
      'webhook[ops]: 4 notices waiting, sent on the next run: no answer within 10000 ms (and 2 other reasons: "HTTP 429" and "HTTP 503")',
    ],
    [
      'two reasons: the other one named, in the singular',
      [undelivered('waiting', { reason: 'HTTP 503' }), undelivered('waiting', { reason: 'HTTP 429' })],
      'webhook[ops]: 2 notices waiting, sent on the next run: HTTP 429 (and 1 other reason: "HTTP 503")',
    ],
    [
      // A final break trial: "HTTP 503 … (and 1 other reason: …HTTP 503…)".
      'notices not tried after the receiver failed: its failure said once, not again as another reason',
      [
        undelivered('waiting', { reason: 'HTTP 503 Service Unavailable: down for maintenance' }),
        undelivered('waiting', {
          reason: failedEarlierReason('webhook[ops]', 'HTTP 503 Service Unavailable: down for maintenance'),
        }),
        undelivered('waiting', {
          reason: failedEarlierReason('webhook[ops]', 'HTTP 503 Service Unavailable: down for maintenance'),
        }),
      ],
      'webhook[ops]: 3 notices waiting, sent on the next run: HTTP 503 Service Unavailable: down for maintenance',
    ],
    [
      'a notice not tried after a failure this run, beside one that failed otherwise before: both failures, once each',
      [
        undelivered('waiting', { reason: 'HTTP 429' }),
        undelivered('waiting', {
          reason: failedEarlierReason('webhook[ops]', 'connect ECONNREFUSED (a (b))'),
        }),
      ],
      'webhook[ops]: 2 notices waiting, sent on the next run: connect ECONNREFUSED (a (b)) (and 1 other reason: "HTTP 429")',
    ],
    [
      // A break trial: sends in flight when the receiver began to fail each failed with its own text.
      "one failure whose texts differ by a request id, some as the send's own error: said once, by its latest text",
      [
        undelivered('waiting', {
          reason:
            'Delivery to webhook[ops] failed: HTTP 503 Service Unavailable: down now, request id 000017',
        }),
        undelivered('waiting', {
          reason:
            'Delivery to webhook[ops] failed: HTTP 503 Service Unavailable: down now, request id 000018',
        }),
        undelivered('waiting', { reason: 'HTTP 503 Service Unavailable: down now, request id 3f2a9c0e4b1d' }),
        undelivered('waiting', {
          reason: failedEarlierReason(
            'webhook[ops]',
            'HTTP 503 Service Unavailable: down now, request id 000019',
          ),
        }),
      ],
      'webhook[ops]: 4 notices waiting, sent on the next run: HTTP 503 Service Unavailable: down now, request id 000019',
    ],
    [
      // A second break trial: UUIDs and base64 trace ids were not taken for ids.
      'one failure whose texts differ by a UUID or a trace id: said once',
      [
        undelivered('dead-letter', {
          reason: 'HTTP 400 Bad Request: Bad payload. Request id: fc8143b4-4b7d-4c1e-9a0f-2d3e4f5a6b7c',
        }),
        undelivered('dead-letter', {
          reason: 'HTTP 400 Bad Request: Bad payload. Request id: 0a1b2c3d-aaaa-bbbb-cccc-dddddddddddd',
        }),
        undelivered('dead-letter', {
          reason: 'HTTP 400 Bad Request: Bad payload. Request id: Zm9vYmFyYmF6cXV4MTIz',
        }),
      ],
      'webhook[ops]: 3 notices parked as dead letters, not sent again until re-sent by hand (re-send: appgw-insights notify resend --config FILE --receiver ops): HTTP 400 Bad Request: Bad payload. Request id: Zm9vYmFyYmF6cXV4MTIz',
    ],
    [
      // A third break trial: a Teams connector's failures in a 200 body, "HTTP error 413" and "404", were one.
      'statuses inside a text are kinds of their own; so are versions',
      [
        undelivered('dead-letter', {
          reason:
            'HTTP 200 OK, but the receiver did not take the notice: returned HTTP error 413 with ContextId tcid=1234567',
        }),
        undelivered('dead-letter', {
          reason:
            'HTTP 200 OK, but the receiver did not take the notice: returned HTTP error 404 with ContextId tcid=7654321',
        }),
        undelivered('dead-letter', { reason: 'TLS 1.2 refused at 2026-12-05T10:00:01.123Z' }),
        undelivered('dead-letter', { reason: 'TLS 1.3 refused at 2026-12-05T10:05:00Z' }),
        undelivered('dead-letter', { reason: 'TLS 1.3 refused at 2026-12-05T11:00:00Z' }),
      ],
      'webhook[ops]: 5 notices parked as dead letters, not sent again until re-sent by hand (re-send: appgw-insights notify resend --config FILE --receiver ops): TLS 1.3 refused at 2026-12-05T11:00:00Z (and 3 other reasons: "TLS 1.2 refused at 2026-12-05T10:00:01.123Z", "HTTP 200 OK, but the receiver did not take the… HTTP error 404 with ContextId tcid=7654321" and "HTTP 200 OK, but the receiver did not take the… HTTP error 413 with ContextId tcid=1234567")',
    ],
    [
      'statuses are kinds of their own, numbers or not',
      [
        undelivered('waiting', { reason: 'HTTP 502 Bad Gateway' }),
        undelivered('waiting', { reason: 'HTTP 503 Service Unavailable' }),
        undelivered('waiting', { reason: 'no answer within 2000 ms' }),
        undelivered('waiting', { reason: 'no answer within 10000 ms' }),
      ],
      'webhook[ops]: 4 notices waiting, sent on the next run: no answer within 10000 ms (and 2 other reasons: "HTTP 503 Service Unavailable" and "HTTP 502 Bad Gateway")',
    ],
    [
      'many reasons: three named, the rest counted',
      ['HTTP 500', 'HTTP 502', 'HTTP 503', 'HTTP 504', 'HTTP 429', 'HTTP 408'].map((reason) =>
        undelivered('waiting', { reason }),
      ),
      'webhook[ops]: 6 notices waiting, sent on the next run: HTTP 408 (and 5 other reasons: "HTTP 429", "HTTP 504", "HTTP 503" and 2 more)',
    ],
    [
      'a long other reason: clipped between words in its middle (both ends kept), on one line',
      [
        undelivered('dead-letter', { reason: `HTTP 400:\n ${'Bad Request '.repeat(10)}` }),
        undelivered('dead-letter', { reason: 'HTTP 404' }),
      ],
      'webhook[ops]: 2 notices parked as dead letters, not sent again until re-sent by hand (re-send: appgw-insights notify resend --config FILE --receiver ops): HTTP 404 (and 1 other reason: "HTTP 400: Bad Request Bad Request Bad Request… Request Bad Request Bad Request Bad Request")',
    ],
    [
      'one leased notice: "it"',
      [undelivered('leased', { leasedBy: 'run-a', leasedUntil: '2030-01-01T00:02:00.000Z' })],
      "webhook[ops]: 1 notice held by another run's lease (that run is sending it, or stopped before it recorded what it sent), sent again once the lease ends if still undelivered (until 2030-01-01T00:02:00.000Z, by run-a)",
    ],
  ])('%s', (_label, notices, line) => {
    expect(describeNotifyProblems({ ...nothing, undelivered: notices })).toEqual([line]);
  });

  it('groups by receiver and status, in the order first met', () => {
    const lines = describeNotifyProblems({
      ...nothing,
      undelivered: [
        undelivered('waiting'),
        undelivered('dead-letter', { receiver: 'webhook[pager]' }),
        undelivered('dead-letter'),
        undelivered('waiting', { receiver: 'webhook[pager]' }),
      ],
    });
    expect(lines.map((l) => l.split(':')[0] + ' ' + (/waiting|dead letter/.exec(l)?.[0] ?? ''))).toEqual([
      'webhook[ops] waiting',
      'webhook[pager] dead letter',
      'webhook[ops] dead letter',
      'webhook[pager] waiting',
    ]);
  });

  it.each<[string, string, string]>([
    ['240 characters: kept whole', 'x'.repeat(240), 'x'.repeat(240)],
    ['241 characters: cut to 240, marked with …', 'x'.repeat(241), `${'x'.repeat(239)}…`],
    ['many lines: flattened', `HTTP 500:\n  body\r\n\tmore  `, 'HTTP 500: body more'],
    [
      'many lines and long: flattened, then cut after the last whole word (a word too long goes whole)',
      `HTTP 500:\n  ${'x'.repeat(400)}`,
      `HTTP 500:…`,
    ],
    [
      'long words: cut between them, never inside one',
      `HTTP 503: ${'Service Unavailable '.repeat(20)}`,
      `HTTP 503: ${'Service Unavailable '.repeat(11)}Service…`,
    ],
  ])('a reason of %s', (_label, reason, said) => {
    const [line] = describeNotifyProblems({ ...nothing, undelivered: [undelivered('waiting', { reason })] });
    expect(line).toBe(`webhook[ops]: 1 notice waiting, sent on the next run: ${said}`);
  });

  it('dropped notices, state errors and overlapped documents each get their line', () => {
    const dropped: DroppedNoticeReport = {
      receiver: 'webhook[old]',
      noticeId: 'appgw-9',
      type: 'recovered',
      gateway: '/subscriptions/s/…/gw',
      server: 'gw/pool/settings/10.0.0.9',
      reason: 'webhook[old] is no longer configured',
    };
    const ours: ReportedError = {
      code: 'StateUnavailable',
      message: 'The notify state in blob x is unavailable: down.',
      retryable: true,
    };
    const bug: ReportedError = {
      code: 'Unexpected',
      message: 'undefined is not a function',
      retryable: true,
    };
    expect(
      describeNotifyProblems({
        ...nothing,
        dropped: [dropped],
        stateErrors: [ours, bug],
        contended: ['blob y'],
      }),
    ).toEqual([
      'webhook[old]: notice appgw-9 (recovered gw/pool/settings/10.0.0.9) dropped undelivered: webhook[old] is no longer configured',
      'The notify state in blob x is unavailable: down.',
      'notify state: undefined is not a function',
      'The notify state in blob y kept changing under this run: overlapping runs wrote it first each time this run tried, so its notices were left to them',
    ]);
    // One that ended its episode without a recovery is said to be `ended`, as notify list says it.
    expect(
      describeNotifyProblems({ ...nothing, dropped: [{ ...dropped, ended: 'gateway deleted' }] }),
    ).toEqual([
      'webhook[old]: notice appgw-9 (ended gw/pool/settings/10.0.0.9) dropped undelivered: webhook[old] is no longer configured',
    ]);
  });
});

describe('describeNotifyProblems: gateways no listing showed that ARM did not confirm deleted', () => {
  const gateway = (n: number) =>
    `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw-${n}`;
  const unconfirmed = (count: number) =>
    Array.from({ length: count }, (_, i) => ({
      gateway: gateway(i + 1),
      reason: 'ARM still has it (its GET answered 200)',
      document: `state file /state/gw-${i + 1}.json`,
    }));

  it('each named with why, and that its episodes stay open', () => {
    expect(describeNotifyProblems({ ...nothing, unconfirmedDeletions: unconfirmed(1) })).toEqual([
      `${gateway(1)}: not in the listing of its scope, but not known to be deleted: ARM still has it (its GET answered 200); its open episodes stay open, none is sent as recovered`,
    ]);
  });

  // The second trial on deletions: a gateway named by id whose backend-health call answered 404 stayed
  // open with no word of why (the summary said "already told").
  it('one its backend-health call said not found says so, not "not in the listing"', () => {
    const [entry] = unconfirmed(1);
    expect(
      describeNotifyProblems({
        ...nothing,
        unconfirmedDeletions: [
          {
            ...entry!,
            reason: 'ARM refused to say whether it still exists (403 …)',
            notFoundBy: 'backendHealth',
          },
        ],
      }),
    ).toEqual([
      `${gateway(1)}: its backend-health call answered 404, but not known to be deleted: ARM refused to say whether it still exists (403 …); its open episodes stay open, none is sent as recovered`,
    ]);
  });

  // An identity with Reader on one resource group of a subscription with hundreds of gateways.
  it('the first 5 named, the rest counted, pointing at the report', () => {
    const lines = describeNotifyProblems({ ...nothing, unconfirmedDeletions: unconfirmed(300) });
    expect(lines).toHaveLength(6);
    expect(lines[4]).toMatch(/applicationGateways\/gw-5: not in the listing/);
    expect(lines[5]).toBe(
      'and 295 more gateways not in a listing, not known to be deleted (report.json: notifications.unconfirmedDeletions)',
    );
  });
});

describe('logNotifyProblems', () => {
  it('warns every line but the state errors (those were logged as errors where they happened)', () => {
    const logger = recordingLogger();
    logNotifyProblems(
      {
        undelivered: [undelivered('waiting')],
        dropped: [],
        stateErrors: [
          { code: 'StateInvalid', message: 'The notify state in x cannot be read', retryable: false },
        ],
        contended: ['blob y'],
      },
      logger,
    );
    expect(logger.lines).toEqual([
      'warning: webhook[ops]: 1 notice waiting, sent on the next run: HTTP 503',
      expect.stringMatching(/^warning: The notify state in blob y kept changing/),
    ]);
  });
});

describe('logNotifyProblems: nothing told twice', () => {
  it('a dropped notice is not warned again (notify-on-change warned it where it was dropped)', () => {
    const logger = recordingLogger();
    logNotifyProblems(
      {
        undelivered: [],
        dropped: [
          {
            receiver: 'webhook[bad]',
            noticeId: 'n-1',
            type: 'degraded',
            server: 'gw/pool/settings/10.0.0.4',
            reason: 'webhook[bad] is no longer configured',
          } as never,
        ],
        stateErrors: [],
        contended: [],
      },
      logger,
    );
    expect(logger.lines).toEqual([]);
  });
});

describe('resendHint', () => {
  it.each([
    ['webhook[ops]', '--receiver ops'],
    ['webhook[ops-2.eu_west]', '--receiver ops-2.eu_west'],
    ['folder', '--receiver folder'],
  ])('%s → %s', (receiver, flag) => {
    expect(resendHint(receiver)).toBe(`re-send: appgw-insights notify resend --config FILE ${flag}`);
  });

  it.each([
    ['the file the verb was given', 'conf/appgw.json', '--config conf/appgw.json'],
    ['one shell word, whatever its name', "my conf's.json", `--config 'my conf'\\''s.json'`],
  ])('names %s', (_, file, config) => {
    expect(resendHint('webhook[ops]', { file })).toBe(
      `re-send: appgw-insights notify resend ${config} --receiver ops`,
    );
    const [line] = describeNotifyProblems(
      { ...nothing, undelivered: [undelivered('dead-letter')] },
      { file },
    );
    expect(line).toContain(`(re-send: appgw-insights notify resend ${config} --receiver ops)`);
  });
});
