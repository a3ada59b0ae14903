import { notifyListText } from '../../src/cli/notify-list-text';
import type { OutboxListing } from '../../src/pipeline/notify/dead-letters';
import type { ReportedError, UndeliveredNoticeReport } from '../../src/core/run-report';

const waiting: UndeliveredNoticeReport = {
  receiver: 'webhook[ops]',
  noticeId: 'appgw-1',
  type: 'degraded',
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
        'waiting     webhook[ops]  appgw-1  degraded gw/pool/settings/10.0.0.4  (since 2030-01-01T00:00:00.000Z, 1 failed run(s)): HTTP 503',
      ],
    ],
    [
      'two of three read, none in them, one not',
      listing({ read: 2, errors: [unreadable('state file /s/a.json')] }),
      [
        'No undelivered notices in the 2 notify state document(s) that could be read.',
        '1 notify state document(s) could not be read, so their undelivered notices are not known: state file /s/a.json (the errors say why).',
      ],
    ],
    [
      'the only document unreadable',
      listing({ read: 0, errors: [unreadable('blob c/notify/a.json'), unreadable('blob c/notify/b.json')] }),
      [
        '2 notify state document(s) could not be read, so their undelivered notices are not known: blob c/notify/a.json, blob c/notify/b.json (the errors say why).',
      ],
    ],
    [
      'a notice listed, and a document not read',
      listing({ read: 1, notices: [waiting], errors: [unreadable('state file /s/a.json')] }),
      [
        expect.stringMatching(/^waiting +webhook\[ops\] {2}appgw-1 /) as unknown as string,
        '1 notify state document(s) could not be read, so their undelivered notices are not known: state file /s/a.json (the errors say why).',
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
