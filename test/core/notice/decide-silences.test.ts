import { gatewayKey } from '../../../src/core/arm-id';
import { decideNotices, type NotifyPolicy, type Observation } from '../../../src/core/notice/decide';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import type { Silence } from '../../../src/core/notice/silence';
import { parseStateDocument } from '../../../src/pipeline/notify/state-document';
import { finding, GW as gw } from './fixtures';

/**
 * Silences in the decision. Runs are one letter each: `B` bad, `G` healthy; every run is 10 minutes
 * after the one before, from T0. The silence covers runs 1..3 (T0+10m to T0+40m, end exclusive).
 */
const T0 = Date.parse('2026-12-01T22:00:00Z');
const MINUTE = 60_000;
const KEY = serverKey(finding());
const silence: Silence = {
  id: 'mw',
  matchers: { gateway: 'g*' },
  startsAt: new Date(T0 + 10 * MINUTE).toISOString(),
  endsAt: new Date(T0 + 40 * MINUTE).toISOString(),
};

function observation(letter: string, at: number): Observation {
  const now = new Date(at);
  const health = letter === 'B' ? 'Unhealthy' : 'Healthy';
  return {
    now,
    evaluated: new Map([[gatewayKey(gw.id), new Map([[KEY, health]])]]),
    bad: letter === 'B' ? [{ finding: finding() }] : [],
    isGone: () => false,
  };
}

/** Each run's notice types and silenced outcomes, the record round-tripped through the state schema. */
function play(sequence: string, policy: Partial<NotifyPolicy> = {}) {
  let servers: Record<string, ServerRecord> = {};
  return [...sequence].map((letter, i) => {
    const decision = decideNotices(servers, observation(letter, T0 + i * 10 * MINUTE), {
      for: 1,
      repeatIntervalInMs: 4 * 60 * MINUTE,
      silences: [silence],
      ...policy,
    });
    servers = { ...parseStateDocument({ version: 1, servers: decision.servers }, 'test').servers };
    return {
      sent: decision.notices.map((n) => n.type).join(','),
      silenced: decision.silenced.map((s) => `${s.type}:${s.outcome}`).join(','),
      record: servers[KEY],
    };
  });
}

describe('silences hold transitions back and record them', () => {
  it('silence start: the degraded due is not sent, and is recorded in the decision and the record', () => {
    const runs = play('GB');
    expect(runs[1]!.sent).toBe('');
    expect(runs[1]!.silenced).toBe('degraded:held');
    expect(runs[1]!.record?.silenced).toMatchObject({ silenceIds: ['mw'], type: 'degraded' });
    expect(runs[1]!.record?.notified).toBeUndefined();
  });

  it('silence end while still bad: degraded is sent once, on the first run after the end', () => {
    const runs = play('GBBBBB');
    expect(runs.map((r) => r.sent)).toEqual(['', '', '', '', 'degraded', '']);
    expect(runs.map((r) => r.silenced)).toEqual([
      '',
      'degraded:held',
      'degraded:held',
      'degraded:held',
      '',
      '',
    ]);
    expect(runs[4]!.record?.silenced).toBeUndefined();
    // The episode began in the silence: its degradedSince says so.
    expect(runs[4]!.record?.degradedSince).toBe(new Date(T0 + 10 * MINUTE).toISOString());
  });

  it('recovered during the silence: neither degraded nor recovered is ever sent', () => {
    const runs = play('GBGGGG');
    expect(runs.map((r) => r.sent).join('')).toBe('');
    expect(runs[2]!.silenced).toBe('recovered:ended-silenced');
    expect(runs[2]!.record).toBeUndefined();
  });

  it('an episode told before the silence: reminders are held, recovered in the silence is sent', () => {
    const runs = play('BBG', { repeatIntervalInMs: 10 * MINUTE });
    expect(runs.map((r) => r.sent)).toEqual(['degraded', '', 'recovered']);
    expect(runs[1]!.silenced).toBe('still-degraded:held');
  });

  it('a cause change in the silence is held, and sent after it', () => {
    let servers: Record<string, ServerRecord> = {};
    const types: string[] = [];
    const logs = [
      'TCP connect error',
      'TCP connect error',
      'Time taken by the backend to respond to application gateway probe is more than the time-out threshold',
      'Time taken by the backend to respond to application gateway probe is more than the time-out threshold',
      'Time taken by the backend to respond to application gateway probe is more than the time-out threshold',
    ];
    expect(finding({ probeLog: logs[0] }).cause.id).not.toBe(finding({ probeLog: logs[2] }).cause.id);
    logs.forEach((log, i) => {
      const decision = decideNotices(
        servers,
        { ...observation('B', T0 + i * 10 * MINUTE), bad: [{ finding: finding({ probeLog: log }) }] },
        { for: 1, repeatIntervalInMs: 4 * 60 * MINUTE, silences: [silence] },
      );
      servers = { ...decision.servers };
      types.push(
        decision.notices.map((n) => n.type).join(',') ||
          decision.silenced.map((s) => `${s.type}:${s.outcome}`).join(','),
      );
    });
    expect(types).toEqual(['degraded', '', 'degraded:held', 'degraded:held', 'degraded']);
  });

  it.each<[string, Silence['matchers'], string]>([
    ['by cause', { cause: finding().cause.id }, ''],
    ['by another cause', { cause: 'cert-expired' }, 'degraded'],
    ['by tag: the run knows no gateway tags, so it does not match', { tags: { env: 'prod' } }, 'degraded'],
    ['by pool', { backendPool: 'po*' }, ''],
    ['by resource group and subscription', { resourceGroup: 'RG', subscription: 'SUB' }, ''],
  ])('silence %s', (_, matchers, sent) => {
    const runs = play('GB', { silences: [{ ...silence, matchers }] });
    expect(runs[1]!.sent).toBe(sent);
  });

  it('an expired silence holds nothing', () => {
    const runs = play('GB', { silences: [{ ...silence, expiredAt: new Date(T0).toISOString() }] });
    expect(runs[1]!.sent).toBe('degraded');
  });
});
