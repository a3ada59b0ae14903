import { mutedAtSend, mutedTransition } from '../../../src/core/notice/mute';
import type { Silence } from '../../../src/core/notice/silence';
import { sampleNotice } from '../../adapters/webhooks/support/notices';
import { gatewayKey } from '../../../src/core/arm-id';
import { decideWithInhibition } from '../../../src/core/notice/inhibit';
import { serverKey } from '../../../src/core/notice/server-record';
import { finding, gatewayRef } from '../../helpers/delivery-builder';

const NOW = new Date('2030-01-01T10:00:00.000Z');
const window = (id: string, matchers: Silence['matchers'], extra: Partial<Silence> = {}): Silence => ({
  id,
  matchers,
  startsAt: '2030-01-01T09:00:00.000Z',
  endsAt: '2030-01-01T12:00:00.000Z',
  ...extra,
});

describe('mutedAtSend: a waiting notice a silence in force holds at its send', () => {
  const degraded = sampleNotice({ id: 'd' });
  const gateway = degraded.gateway.name;
  it.each<[string, Silence[], string, string[] | undefined]>([
    ['a degraded its gateway is silenced for', [window('mw', { gateway })], 'degraded', ['mw']],
    ['a reminder (still-degraded)', [window('mw', { gateway })], 'still-degraded', ['mw']],
    ['never a recovered: it closes what was told', [window('mw', { gateway })], 'recovered', undefined],
    ['a silence of another gateway', [window('mw', { gateway: 'other-*' })], 'degraded', undefined],
    [
      'a silence not in force yet',
      [window('mw', { gateway }, { startsAt: '2030-01-01T11:00:00.000Z' })],
      'degraded',
      undefined,
    ],
    [
      'a silence expired by hand',
      [window('mw', { gateway }, { expiredAt: '2030-01-01T09:30:00.000Z' })],
      'degraded',
      undefined,
    ],
    [
      'every silence that holds it',
      [window('a', { gateway }), window('b', { backendPool: degraded.backendPool })],
      'degraded',
      ['a', 'b'],
    ],
  ])('%s', (_, silences, type, ids) => {
    const notice = { ...degraded, type: type as typeof degraded.type };
    expect(mutedAtSend([{ notice }], silences, NOW).get('d')?.silenceIds).toEqual(ids);
  });

  // A break trial: notice by notice, a cause silence held an episode's first degraded and let its newer
  // "cause changed" one go first. The episode's newest notice decides for all of its notices.
  it('by episode: its newest notice decides for every notice of it', () => {
    const first = sampleNotice({ id: 'first' });
    const changed = {
      ...first,
      id: 'changed',
      cause: { ...first.cause, id: 'probe-timeout' as const },
    };
    const silence = [window('c8', { cause: first.cause.id })];
    expect([...mutedAtSend([{ notice: first }, { notice: changed }], silence, NOW).keys()]).toEqual([]);
    expect([...mutedAtSend([{ notice: changed }, { notice: first }], silence, NOW).keys()]).toEqual([
      'changed',
      'first',
    ]);
    // Another episode of the server (another degradedSince) is its own.
    const later = { ...first, id: 'later', degradedSince: '2030-01-01T09:59:00.000Z' };
    expect([
      ...mutedAtSend([{ notice: first }, { notice: changed }, { notice: later }], silence, NOW).keys(),
    ]).toEqual(['later']);
  });

  it('says until when, and the held notice as a held transition of the run report', () => {
    const held = mutedAtSend([{ notice: degraded }], [window('mw', { gateway })], NOW).get('d');
    expect(held).toEqual({ silenceIds: ['mw'], until: '2030-01-01T12:00:00.000Z' });
    expect(mutedTransition(degraded, held!)).toMatchObject({
      gateway: degraded.gateway.id,
      type: 'degraded',
      outcome: 'held',
      silenceIds: ['mw'],
      until: '2030-01-01T12:00:00.000Z',
      severity: degraded.severity,
    });
  });
});

// A break trial: a silence of the gateway's only pool did not hold its gateway-level notice ("every
// backend pool down"), whose subject names no pool. Added after the decision, while the notice waits
// for its group, it holds it at its send as it would have at its decision (inhibit.ts).
describe('mutedAtSend: a gateway-level notice whose every server silences hold', () => {
  const gw = gatewayRef('gw');
  const observation = {
    now: NOW,
    evaluated: new Map([
      [
        gatewayKey(gw.id),
        new Map([
          [serverKey(finding(gw, '10.0.0.4', 'pool-a')), 'Unhealthy'],
          [serverKey(finding(gw, '10.0.0.5', 'pool-b')), 'Unhealthy'],
        ]),
      ],
    ]),
    bad: [{ finding: finding(gw, '10.0.0.4', 'pool-a') }, { finding: finding(gw, '10.0.0.5', 'pool-b') }],
    isGone: () => false,
  };
  const decided = decideWithInhibition({}, observation, {
    for: 1,
    repeatIntervalInMs: 3_600_000,
    inhibit: true,
  });
  const [notice] = decided.notices;

  it.each<[string, Silence[], string[] | undefined, string | undefined]>([
    [
      'one silence of both pools',
      [window('mw', { backendPool: 'pool-*' })],
      ['mw'],
      '2030-01-01T12:00:00.000Z',
    ],
    [
      'a silence per pool: until the first ends',
      [
        window('a', { backendPool: 'pool-a' }),
        window('b', { backendPool: 'pool-b' }, { endsAt: '2030-01-01T11:00:00.000Z' }),
      ],
      ['a', 'b'],
      '2030-01-01T11:00:00.000Z',
    ],
    ['one pool silenced only: it goes', [window('a', { backendPool: 'pool-a' })], undefined, undefined],
  ])('%s', (_, silences, ids, until) => {
    expect(notice).toMatchObject({ type: 'degraded', scope: 'gateway' });
    const muted = mutedAtSend([{ notice: notice! }], silences, NOW, decided.servers).get(notice!.id);
    expect(muted?.silenceIds).toEqual(ids);
    expect(muted?.until).toEqual(until);
  });
});
