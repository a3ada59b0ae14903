import fc from 'fast-check';
import { VALUE_CAPS, capText, cutMarker } from '../../src/core/caps';
import { QUOTED_LOG_LIMIT } from '../../src/core/causes';
import { classifyCause } from '../../src/core/classify';
import { evaluateBackendHealth, listServers } from '../../src/core/evaluate';
import type { BackendHealthBody, GatewayRef } from '../../src/core/model';
import { serverKey } from '../../src/core/notice/server-record';

const gateway: GatewayRef = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw',
  subscriptionId: 's',
  resourceGroup: 'rg',
  name: 'gw',
};

describe('capText', () => {
  it('keeps a value within its cap as it is', () => {
    expect(capText('Received invalid status code: 401', 100)).toBe('Received invalid status code: 401');
  });
  it('cuts a longer one with a marker that says how long it was', () => {
    expect(capText('x'.repeat(50), 10)).toBe(`${'x'.repeat(10)}${cutMarker(50)}`);
    expect(cutMarker(50)).toBe(' … [cut: 50 characters in all]');
  });
  it('never splits a surrogate pair', () => {
    const cut = capText(`${'x'.repeat(9)}😀tail`, 10);
    expect(cut.startsWith(`${'x'.repeat(9)} …`)).toBe(true);
  });
  it('property: bounded, a prefix of the value, marked exactly when cut', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.integer({ min: 1, max: 200 }),
        (value, limit) => {
          const cut = capText(value, limit);
          if (value.length <= limit) return expect(cut).toBe(value);
          const marker = cutMarker(value.length);
          expect(cut.endsWith(marker)).toBe(true);
          const kept = cut.slice(0, -marker.length);
          expect(value.startsWith(kept)).toBe(true);
          expect(kept.length).toBeLessThanOrEqual(limit);
        },
      ),
    );
  });
});

describe('evaluateBackendHealth caps every network value where it enters the core', () => {
  const huge = (c: string) => c.repeat(1_048_576);
  const body: BackendHealthBody = {
    backendAddressPools: [
      {
        backendAddressPool: { name: huge('p') },
        backendHttpSettingsCollection: [
          {
            backendHttpSettings: { name: huge('s') },
            servers: [
              {
                address: huge('a'),
                health: huge('U'),
                healthProbeLog: `Time taken by the backend to respond ${huge('x')}`,
                healthProbeErrorName: huge('E'),
              },
              { address: '10.0.0.5', health: 'Unhealthy', healthProbeLog: huge('y') },
            ],
          },
        ],
      },
    ],
  };
  const findings = evaluateBackendHealth(gateway, body, { unhealthyStates: ['Down', 'Unknown', 'Partial'] });

  it('four 1 MB values give bounded findings, each cut one marked', () => {
    expect(findings).toHaveLength(2);
    const [first] = findings;
    expect(first?.backendPool.length).toBeLessThan(VALUE_CAPS.name + 40);
    expect(first?.backendSettings.length).toBeLessThan(VALUE_CAPS.name + 40);
    expect(first?.address.length).toBeLessThan(VALUE_CAPS.address + 40);
    expect(first?.health.length).toBeLessThan(VALUE_CAPS.health + 40);
    expect(first?.probeLog.length).toBeLessThan(VALUE_CAPS.probeLog + 40);
    for (const value of [first?.backendPool, first?.address, first?.health, first?.probeLog]) {
      expect(value).toContain('[cut: ');
    }
    // A serialised finding (the report's, the notice's) stays small: steps never hold a megabyte.
    expect(JSON.stringify(findings).length).toBeLessThan(60_000);
  });

  it('the server keys of findings and of the listing agree on the cut values (recovery compares them)', () => {
    const listed = listServers(gateway, body);
    expect(listed.size).toBe(2);
    for (const f of findings) expect(listed.has(serverKey(f))).toBe(true);
    expect([...listed.keys()].join('').length).toBeLessThan(4_000);
  });
});

describe('steps quote the probe message only as far as it helps', () => {
  it.each(['unhealthy', 'unknown', 'draining'] as const)(
    '%s: a 4 KB message is quoted in at most QUOTED_LOG_LIMIT characters',
    (state) => {
      const log = `Something odd ${'x'.repeat(5000)}`;
      const capped = capText(log, VALUE_CAPS.probeLog);
      const cause = classifyCause({ state, probeLog: capped });
      const quoted = cause.steps.filter((step) => step.includes('Something odd'));
      expect(quoted).toHaveLength(1);
      expect(quoted[0]?.length).toBeLessThan(QUOTED_LOG_LIMIT + 100);
      expect(quoted[0]).toContain('[cut: ');
    },
  );
});
