import { receiverTakes, TAKE_EVERY_NOTICE } from '../../../src/core/notice/receiver-rules';
import type { NoticeType } from '../../../src/core/notice/notice';

describe('receiverTakes (sendResolved)', () => {
  it.each<[NoticeType, boolean, boolean]>([
    ['degraded', true, true],
    ['still-degraded', true, true],
    ['recovered', true, true],
    ['degraded', false, true],
    ['still-degraded', false, true],
    ['recovered', false, false],
  ])('%s to a receiver with sendResolved %s: %s', (type, sendResolved, expected) => {
    expect(receiverTakes({ sendResolved }, { type })).toBe(expected);
  });

  it('a receiver that says nothing takes every notice', () => {
    for (const type of ['degraded', 'still-degraded', 'recovered'] as const)
      expect(receiverTakes(TAKE_EVERY_NOTICE, { type })).toBe(true);
  });
});
