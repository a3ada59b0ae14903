import { recheckReport } from '../../src/app/recheck-gateway';
import { NOTHING_NOTIFIED, type NotifyOutcome } from '../../src/pipeline/notify/notify-on-change';
import type { RecheckResult } from '../../src/pipeline/recheck';
import { SUB, gatewayId } from '../helpers/scenario-builder';

/**
 * The recheck's JSON (CLI `--json`, the HTTP endpoint's 200 answer): what notify did, as a run's
 * report.json says it, whatever held the notices back.
 */
const GW = gatewayId('gw');
const entry = {
  receiver: 'webhook[ops]',
  noticeId: 'appgw-1',
  type: 'recovered',
  severity: 'critical' as const,
  gateway: GW,
  server: 'gw/pool-a/settings-a/10.0.0.4',
  queuedAt: '2030-01-01T00:00:00.000Z',
};
const result = (notify: NotifyOutcome): RecheckResult => ({
  gateway: { id: GW, name: 'gw', subscriptionId: SUB, resourceGroup: 'rg-test' },
  backendPool: 'pool-a',
  backendSettings: 'settings-a',
  servers: [],
  notify,
});
const claimed = { ...NOTHING_NOTIFIED, claimed: true, decided: 1 };

describe('recheckReport: notify as a run reports it', () => {
  it.each<[string, NotifyOutcome, Record<string, unknown>]>([
    [
      'held for the group: decided 1, sent 0, the grouped notice with when and which setting',
      {
        ...claimed,
        pending: { 'webhook[ops]': 0 },
        grouped: [{ ...entry, dueAt: '2030-01-01T00:04:00.000Z', dueBy: 'notify.groupInterval' }],
      },
      {
        decided: 1,
        sent: 0,
        grouped: [
          expect.objectContaining({ dueAt: '2030-01-01T00:04:00.000Z', dueBy: 'notify.groupInterval' }),
        ],
      },
    ],
    [
      'not delivered: the undelivered notice with why, and the receiver pending',
      {
        ...claimed,
        pending: { 'webhook[ops]': 1 },
        undelivered: [
          { ...entry, failedRuns: 1, status: 'dead-letter', reason: 'HTTP 400', retry: 'by-hand' } as never,
        ],
      },
      {
        decided: 1,
        sent: 0,
        pending: { 'webhook[ops]': 1 },
        undelivered: [expect.objectContaining({ status: 'dead-letter', reason: 'HTTP 400' })],
      },
    ],
    [
      'silenced: the held transition',
      {
        ...claimed,
        decided: 0,
        silenced: [
          {
            gateway: GW,
            server: entry.server,
            serverKey: 'k',
            type: 'recovered',
            outcome: 'ended-silenced',
            silenceIds: ['maint'],
            causeId: 'tcp-connect',
          } as never,
        ],
      },
      {
        decided: 0,
        sent: 0,
        silenced: [expect.objectContaining({ outcome: 'ended-silenced', silenceIds: ['maint'] })],
      },
    ],
    [
      "sent: counted, each delivery in the recheck's shape",
      {
        ...claimed,
        deliveries: [
          {
            receiver: 'webhook[ops]',
            noticeId: 'appgw-1',
            type: 'recovered',
            server: entry.server,
            outcome: 'delivered',
          } as never,
        ],
      },
      {
        decided: 1,
        sent: 1,
        deliveries: [
          {
            receiver: 'webhook[ops]',
            noticeId: 'appgw-1',
            type: 'recovered',
            server: entry.server,
            outcome: 'delivered',
          },
        ],
      },
    ],
  ])('%s', (_label, notify, expected) => {
    const report = recheckReport(result(notify)) as { notify: Record<string, unknown> };
    expect(report.notify).toMatchObject({ stateErrors: [], contended: [], dropped: [], ...expected });
  });

  it('a silenced transition says no serverKey (an internal key), as report.json', () => {
    const report = recheckReport(
      result({
        ...claimed,
        silenced: [
          {
            gateway: GW,
            server: entry.server,
            serverKey: 'k',
            type: 'degraded',
            outcome: 'held',
            silenceIds: ['m'],
            causeId: 'x',
          } as never,
        ],
      }),
    ) as { notify: { silenced: Array<Record<string, unknown>> } };
    expect(report.notify.silenced[0]).not.toHaveProperty('serverKey');
  });
});
