import { RECOVERED_REASONS } from '../../../src/core/notice/notice';
import type { DeadLetter } from '../../../src/core/notice/outbox';
import { deadLetterEntry, noticeEntryFields } from '../../../src/pipeline/notify/notice-entries';
import { GATEWAY_ID, recoveredNotice, sampleNotice } from '../../adapters/webhooks/support/notices';

describe('the report’s entries about notices', () => {
  it('name the receiver, the notice, its type, its gateway’s id and the server as gateway/pool/settings/address', () => {
    expect(noticeEntryFields('webhook[ops]', { notice: recoveredNotice() })).toEqual({
      receiver: 'webhook[ops]',
      noticeId: 'appgw-fedcba9876543210',
      type: 'recovered',
      severity: 'critical',
      gateway: GATEWAY_ID,
      server: 'agw-prod/pool-api/settings-https/10.0.1.4',
    });
  });

  it.each([
    ['its gateway deleted', RECOVERED_REASONS.gatewayGone, 'gateway deleted'],
    [
      'no longer listed',
      RECOVERED_REASONS.notListed,
      'the server is no longer listed by the gateway (removed from its backend pool or settings)',
    ],
    ['healthy again', RECOVERED_REASONS.healthy, undefined],
  ])(
    'a recovered whose episode ended so (%s): ended says why, or nothing for a recovery',
    (_, reason, ended) => {
      const entry = noticeEntryFields('webhook[ops]', { notice: { ...recoveredNotice(), reason } });
      expect(entry.ended).toBe(ended);
      expect('ended' in entry).toBe(ended !== undefined);
    },
  );

  it('a dead letter: status dead-letter, re-sent by hand, with why, when it was queued and parked, and how often it failed', () => {
    const letter: DeadLetter = {
      notice: sampleNotice(),
      queuedAt: '2030-01-01T00:00:00.000Z',
      failedRuns: 3,
      parkedAt: '2030-01-01T02:00:00.000Z',
      reason: 'HTTP 410 Gone',
    };
    expect(deadLetterEntry('webhook[ops]', letter)).toEqual({
      receiver: 'webhook[ops]',
      noticeId: 'appgw-0123456789abcdef',
      type: 'degraded',
      severity: 'critical',
      gateway: GATEWAY_ID,
      server: 'agw-prod/pool-api/settings-https/10.0.1.4',
      status: 'dead-letter',
      reason: 'HTTP 410 Gone',
      retry: 'by-hand',
      queuedAt: '2030-01-01T00:00:00.000Z',
      failedRuns: 3,
      parkedAt: '2030-01-01T02:00:00.000Z',
    });
  });
});
