/**
 * A run's one copy of each gateway's key (src/core/gateway-keys.ts): what the listings add is what the
 * run's maps by gateway hold, not another copy of the id in lowercase.
 */
import { gatewayKey } from '../../src/core/arm-id';
import { gatewayKeys } from '../../src/core/gateway-keys';
import { retainedBytes } from '../helpers/retained-bytes';

const idOf = (i: number) =>
  `/subscriptions/00000000-0000-4000-8000-${String(i).padStart(12, '0')}/resourceGroups/rg-${i % 97}` +
  `/providers/Microsoft.Network/applicationGateways/appgw-${i}`;

describe('gatewayKeys', () => {
  it('has what was added, in any case of the id; keyOf is the gateway key', () => {
    const keys = gatewayKeys();
    expect(keys.has(gatewayKey(idOf(1)))).toBe(false);
    keys.add(gatewayKey(idOf(1)));
    keys.add(gatewayKey(idOf(1).toUpperCase()));
    expect(keys.has(gatewayKey(idOf(1)))).toBe(true);
    expect(keys.has(gatewayKey(idOf(2)))).toBe(false);
    expect(keys.keyOf({ id: idOf(1).toUpperCase() })).toBe(gatewayKey(idOf(1)));
    expect(keys.keyOf({ id: idOf(2) })).toBe(gatewayKey(idOf(2))); // not added: a key all the same
    expect(keys.has(gatewayKey(idOf(2)))).toBe(false); // and keyOf adds nothing
  });

  // A heap snapshot of a run of 20 000 gateways held two copies of every key (3.4 MiB): the listing's,
  // and the one the run made again for its results.
  it("keyOf of an added gateway is the copy kept: a map of the run's results by it holds no other copy", () => {
    const N = 5_000;
    const ids = Array.from({ length: N }, (_, i) => idOf(i));
    const keys = gatewayKeys();
    for (const id of ids) keys.add(gatewayKey(id));
    const copies = retainedBytes(() => ids.map((id) => gatewayKey(id))) / N;
    const kept = retainedBytes(() => ids.map((id) => keys.keyOf({ id }))) / N;
    // Measured (Node 22): a key 166 bytes; the array's slot alone, 8.6.
    expect(copies).toBeGreaterThan(100); // what a copy costs: the measure sees it
    expect(kept).toBeLessThan(40);
  });
});
