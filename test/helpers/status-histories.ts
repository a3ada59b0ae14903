import fc from 'fast-check';
import type { CauseId } from '../../src/core/causes';
import { readHealth } from '../../src/core/health';
import { gatewayKey } from '../../src/core/arm-id';
import { serverKey } from '../../src/core/notice/server-record';
import { addReading, type GatewayReading, type HistoryDocument } from '../../src/core/status/history';
import { gatewayRef } from './delivery-builder';

const MINUTE = 60_000;
export const DAY = 86_400_000;
export const WEEK = 7 * DAY;
/** The page's time in these histories. */
export const PAGE_AT = Date.parse('2026-11-30T06:00:00.000Z');

const HEALTH = ['Healthy', 'Unhealthy', 'Down', 'Partial', 'Draining', 'Unknown', 'Weird', ''];
const CAUSES: ReadonlyArray<CauseId | null> = [null, 'probe-timeout', 'tcp-connect', 'cert-expired'];

/** A gateway's history: readings at minutes before (or after: not real yet) the page's time. */
const historyArb = fc
  .record({
    name: fc.oneof(fc.constantFrom('gw-a', 'GW-a', 'gw-b', 'shop', 'é-gw', 'gw-10', 'gw-9'), fc.string()),
    resourceGroup: fc.constantFrom('rg-web', 'rg-api', 'RG-web'),
    subscriptionId: fc.constantFrom(
      '00000000-0000-0000-0000-000000000000',
      '11111111-1111-1111-1111-111111111111',
    ),
    readings: fc.array(
      fc.record({
        minutesBefore: fc.integer({ min: -30, max: 2 * 7 * 24 * 60 }),
        ok: fc.boolean(),
        servers: fc.array(
          fc.record({
            address: fc.oneof(fc.constantFrom('10.0.0.1', '10.0.0.10', '10.0.0.2', 'b.example'), fc.string()),
            pool: fc.constantFrom('pool-a', 'pool-b'),
            health: fc.constantFrom(...HEALTH),
            cause: fc.constantFrom(...CAUSES),
          }),
          { maxLength: 4 },
        ),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ name, resourceGroup, subscriptionId, readings }) => {
    const gateway = gatewayRef(name, resourceGroup, subscriptionId);
    const doc = readings.reduce<HistoryDocument | undefined>((d, r) => {
      const at = new Date(PAGE_AT - r.minutesBefore * MINUTE);
      const reading: GatewayReading = r.ok
        ? {
            at,
            ok: true,
            servers: r.servers.map((s) => ({
              key: serverKey({ gateway, backendPool: s.pool, backendSettings: 'set', address: s.address }),
              backendPool: s.pool,
              backendSettings: 'set',
              address: s.address,
              health: s.health,
              state: readHealth(s.health),
              cause: s.cause,
            })),
          }
        : { at, ok: false, error: { code: 'BackendHealthUnavailable', message: 'ARM answered 503 <b>' } };
      return addReading(d, gateway, reading, WEEK, new Date(PAGE_AT + 60 * MINUTE));
    }, undefined) as HistoryDocument;
    return doc;
  });

/** Histories of distinct gateways (by key, as a run has them). */
export const historiesArb = fc.uniqueArray(historyArb, {
  maxLength: 12,
  selector: (doc) => gatewayKey(doc.gateway.id),
});
