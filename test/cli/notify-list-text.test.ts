import { notifyListText, REASON_LIMIT, resendLines } from '../../src/cli/notify-list-text';
import { RECOVERED_REASONS } from '../../src/core/notice/notice';
import type { DeadLetter } from '../../src/core/notice/outbox';
import { recoveredNotice, sampleNotice } from '../adapters/webhooks/support/notices';
import type { OutboxListing } from '../../src/pipeline/notify/dead-letters';
import type { ReportedError, UndeliveredNoticeReport } from '../../src/core/run-report';

const waiting: UndeliveredNoticeReport = {
  receiver: 'webhook[ops]',
  noticeId: 'appgw-1',
  type: 'degraded',
  severity: 'critical',
  gateway: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw',
  server: 'gw/pool/settings/10.0.0.4',
  status: 'waiting',
  reason: 'HTTP 503',
  retry: 'next-run',
  queuedAt: '2030-01-01T00:00:00.000Z',
  failedRuns: 1,
};
const unreadable = (document: string): ReportedError => ({
  code: 'StateInvalid',
  message: `The notify state in ${document} cannot be read by this version: …`,
  retryable: false,
  document,
});
const listing = (extra: Partial<OutboxListing>): OutboxListing => ({
  notices: [],
  errors: [],
  read: 0,
  listed: true,
  ...extra,
});

describe('notify list as text: "No undelivered notices." only when every document was read', () => {
  it.each<[string, OutboxListing, string[]]>([
    ['every document read, none holds any', listing({ read: 3 }), ['No undelivered notices.']],
    ['no document yet', listing({}), ['No undelivered notices.']],
    [
      'every document read, one notice',
      listing({ read: 3, notices: [waiting] }),
      [
        'waiting  webhook[ops]  appgw-1  degraded  (critical)  gw/pool/settings/10.0.0.4  (since 2030-01-01T00:00:00.000Z, 1 failed run): HTTP 503',
      ],
    ],
    [
      'two of three read, none in them, one not',
      listing({ read: 2, errors: [unreadable('state file /s/a.json')] }),
      [
        'No undelivered notices in the 2 notify state documents that could be read.',
        '1 notify state document could not be read, so its undelivered notices are not known: state file /s/a.json (the error says why).',
      ],
    ],
    [
      'the only document unreadable',
      listing({ read: 0, errors: [unreadable('blob c/notify/a.json'), unreadable('blob c/notify/b.json')] }),
      [
        '2 notify state documents could not be read, so their undelivered notices are not known: blob c/notify/a.json, blob c/notify/b.json (the errors say why).',
      ],
    ],
    [
      'a notice listed, and a document not read',
      listing({ read: 1, notices: [waiting], errors: [unreadable('state file /s/a.json')] }),
      [
        expect.stringMatching(/^waiting +webhook\[ops\] {2}appgw-1 /) as unknown as string,
        '1 notify state document could not be read, so its undelivered notices are not known: state file /s/a.json (the error says why).',
      ],
    ],
    [
      'the documents could not be listed',
      listing({ listed: false, errors: [unreadable('container c (blobs under notify/)')] }),
      [
        'The notify state could not be listed (container c (blobs under notify/)): its undelivered notices are not known (the error says why).',
      ],
    ],
  ])('%s', (_label, given, expected) => {
    expect(notifyListText(given)).toEqual(expected);
  });

  it('names and reasons from the network reach the terminal without control characters', () => {
    const [line] = notifyListText(
      listing({ read: 1, notices: [{ ...waiting, reason: 'bad\u001b[31m\u202e' }] }),
    );
    expect(line).not.toContain('\u001b');
    expect(line).not.toContain('\u202e');
  });
});

describe('notify list as text: long answers clipped between words, escapes kept whole', () => {
  const line = (reason: string) =>
    notifyListText(listing({ notices: [{ ...waiting, reason }], read: 1 }))[0] ?? '';
  const shownReason = (reason: string) => line(reason).replace(/^.*failed runs?\): /, '');

  it('a short reason is shown whole; control characters escaped, not acted on', () => {
    expect(shownReason('HTTP 400 Bad Request: \u001b[31mred\u009b')).toBe(
      'HTTP 400 Bad Request: \\u001b[31mred\\u009b',
    );
  });

  // Issue 15's trial: the receiver's answer lost its tail, where it says what was wrong. Its start
  // and its end are kept (clipMiddle), as every error message on the terminal.
  it.each<[string, string, string, string]>([
    [
      'words',
      `HTTP 503: ${'Service Unavailable '.repeat(30)}then: retry later`,
      'HTTP 503: Service',
      'then: retry later',
    ],
    [
      'the advice at the end',
      `HTTP 400: ${'field x is wrong, '.repeat(30)}Fix: send a routingKey.`,
      'HTTP 400: field',
      'Fix: send a routingKey.',
    ],
    [
      'multi-byte words',
      `Ошибка: ${'сервер недоступен 😀 '.repeat(30)}конец`,
      'Ошибка: сервер',
      'недоступен 😀 конец',
    ],
  ])('%s: its start and its end', (_name, reason, head, tail) => {
    const out = shownReason(reason);
    expect(out.startsWith(head)).toBe(true);
    expect(out.endsWith(tail)).toBe(true);
    expect(out).toContain('… ');
    expect([...out].length).toBeLessThanOrEqual(REASON_LIMIT);
  });

  it('a body of one long token: its start', () => {
    expect(shownReason(`HTTP 500: ${'x'.repeat(500)}`)).toBe('HTTP 500:…');
  });

  it('control characters at a cut: escaped after clipping, so each escape is whole', () => {
    const out = shownReason(`HTTP 400: ${'abcd '.repeat(57)}\u001b\u009b zzzzzzzzzz ${'efgh '.repeat(40)}`);
    expect(out).not.toMatch(/\\u[0-9a-f]{0,3}(…|$| )/);
    // eslint-disable-next-line no-control-regex -- the point: no raw control character reaches the terminal
    expect(out).not.toMatch(/[\u001b\u009b]/);
  });
});

describe('notify list as text: severity of each notice, a raise and a recovered said so', () => {
  it.each<[string, Partial<UndeliveredNoticeReport>, string]>([
    ['degraded', {}, '  degraded  (critical)  gw/pool/'],
    ['a raise', { raisedFrom: 'warning' }, '  degraded  (critical, raised from warning)  gw/pool/'],
    [
      'recovered: the episode',
      { type: 'recovered', severity: 'warning' },
      '  recovered  (the episode was warning)  gw/pool/',
    ],
    // A trial: the waiting notice of a deleted gateway read `recovered`, where Slack said it ended.
    [
      'an episode ended without a recovery: ended, and why',
      { type: 'recovered', severity: 'critical', ended: 'gateway deleted' },
      '  ended  (the episode was critical)  gw/pool/settings/10.0.0.4  (since 2030-01-01T00:00:00.000Z, 1 failed run): episode ended: gateway deleted; HTTP 503',
    ],
  ])('%s', (_label, change, shown) => {
    const [line] = notifyListText(listing({ read: 1, notices: [{ ...waiting, ...change }] }));
    expect(line).toContain(shown);
  });
});

// A new-user trial: with still-degraded, (warning) and (critical), webhook[ops] and webhook[chat] in one
// listing, the servers began at a different place on every line.
it('notify list as text: the leading columns line up over the notices listed, whatever their widths', () => {
  const lines = notifyListText(
    listing({
      read: 1,
      notices: [
        waiting,
        {
          ...waiting,
          receiver: 'webhook[chat]',
          type: 'still-degraded',
          severity: 'warning',
          status: 'dead-letter',
        },
        { ...waiting, type: 'recovered', severity: 'warning', noticeId: 'appgw-22' },
      ],
    }),
  );
  const at = lines.map((line) => line.indexOf('gw/pool/settings/10.0.0.4'));
  expect(new Set(at).size).toBe(1);
  expect(lines[0]).toMatch(/^waiting {6}webhook\[ops\] {3}appgw-1 {3}degraded {8}\(critical\) {17}gw\//);
});

describe('notify resend as text', () => {
  const letter = (notice: DeadLetter['notice'], reason = 'HTTP 400 Bad Request'): DeadLetter => ({
    notice,
    queuedAt: '2030-01-01T00:00:00.000Z',
    failedRuns: 1,
    parkedAt: '2030-01-01T01:00:00.000Z',
    reason,
  });

  // A trial: `notify list` said `ended` of a deleted gateway's dead letter, `notify resend` `recovered`.
  it('a recovered that ended its episode without a recovery: ended, with why; a recovery: recovered', () => {
    const deleted = { ...recoveredNotice(), reason: RECOVERED_REASONS.gatewayGone };
    const lines = resendLines({
      requeued: [
        { receiver: 'webhook[ops]', letter: letter(deleted) },
        { receiver: 'webhook[ops]', letter: letter(recoveredNotice()) },
      ],
      notResent: [],
    });
    expect(lines).toEqual([
      `re-queued webhook[ops]  ${deleted.id}  ended (gateway deleted) (was: HTTP 400 Bad Request)`,
      `re-queued webhook[ops]  ${deleted.id}  recovered (was: HTTP 400 Bad Request)`,
    ]);
  });

  it("a receiver's answer is one terminal-safe line", () => {
    const [line] = resendLines({
      requeued: [],
      notResent: [
        {
          receiver: 'webhook[ops]',
          letter: letter(sampleNotice(), 'bad\u001b[2J\nrequest'),
          reason: 'its episode has ended',
        },
      ],
    });
    expect(line).toMatch(/^not re-sent webhook\[ops\] {2}\S+ {2}degraded: its episode has ended \(was: bad/);
    expect(line).not.toContain('\u001b');
    expect(line).not.toContain('\n');
  });
});
