/**
 * Bodies as real tools print them, in a scenario: the emulator takes each one and serves it back in
 * ARM's camelCase (unknown fields kept), as the real SDK reads it.
 */
import { NetworkManagementClient } from '@azure/arm-network';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readBackendHealthBody } from '../../src/core/backend-health-body';
import { parseGatewayId } from '../../src/core/arm-id';
import type { RunningEmulator } from '../../src/emulator';
import { useEmulators } from './helpers';

const FIXTURES = path.join(__dirname, '../fixtures/backend-health');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

const SHOP =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shop/providers/Microsoft.Network/applicationGateways/appgw-shop';
const TROUBLESHOOTING =
  '/subscriptions/536d30b8-665b-40fc-bd7e-68c65f816365/resourceGroups/rgOne/providers/Microsoft.Network/applicationGateways/appgw1';
const SPEC_EXAMPLE =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Network/applicationGateways/appgw';

/** The initial POST answers 200 at once (polls: 0), so the SDK's onResponse sees the body as served. */
async function served(emulator: RunningEmulator, gatewayId: string) {
  const gw = parseGatewayId(gatewayId)!;
  const credential = { getToken: async () => ({ token: 'dev', expiresOnTimestamp: Date.now() + 3600_000 }) };
  const client = new NetworkManagementClient(credential, gw.subscriptionId, {
    endpoint: emulator.url,
    tlsOptions: { ca: emulator.caCertPem },
  });
  let raw: unknown;
  const result = await client.applicationGateways.backendHealth(gw.resourceGroup, gw.name, {
    onResponse: (response) => {
      raw = JSON.parse(response.bodyAsText ?? 'null');
    },
  });
  return { raw, result };
}

/** Every key of a JSON tree. */
function keys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keys);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)]);
}
const MODELLED = [
  'backendAddressPools',
  'backendAddressPool',
  'backendHttpSettingsCollection',
  'backendHttpSettings',
  'servers',
  'address',
  'health',
  'healthProbeLog',
  'healthProbeErrorName',
  'ipConfiguration',
  'id',
  'name',
];

describe('the emulator takes a body as real tools print it and serves it back as ARM would', () => {
  const start = useEmulators();

  it.each<[string, unknown, string]>([
    [
      'PowerShell 7 ConvertTo-Json -Depth 10 (PascalCase, nulls)',
      fixture('ps7-convertto-json-depth10.json'),
      SHOP,
    ],
    [
      'Windows PowerShell 5.1 ConvertTo-Json at its default depth (*Text copies)',
      fixture('ps51-convertto-json-default-depth.json'),
      SHOP,
    ],
    ['az CLI with every attribute null', fixture('az-cli-null-fields.json'), SHOP],
    [
      'az CLI entries without backendAddressPool / backendHttpSettings',
      fixture('az-cli-spring-apps-docs.json'),
      SHOP,
    ],
    [
      "the troubleshooting guide's BackendAddressPoolsText, wrapped",
      { BackendAddressPools: fixture('ps-troubleshooting-guide-pools-text.json') },
      TROUBLESHOOTING,
    ],
    ['the REST spec example file', fixture('rest-spec-example-2026-01-01.json'), SPEC_EXAMPLE],
    ['Invoke-AzRestMethod output (healthProbeErrorName)', fixture('invoke-azrestmethod-response.json'), SHOP],
  ])('%s', async (_name, backendHealth, id) => {
    const emulator = await start({ gateways: [{ id, backendHealth, lro: { polls: 0 } }] });
    const { raw, result } = await served(emulator, id);

    const expected = readBackendHealthBody(backendHealth);
    if (!expected.ok) throw new Error('fixture not readable');
    // Served: the reader's body, in ARM's camelCase for every field we model, other fields as given.
    expect(raw).toEqual(JSON.parse(JSON.stringify(expected.body)));
    expect(
      keys(raw).filter(
        (k) => MODELLED.some((m) => m.toLowerCase() === k.toLowerCase()) && !MODELLED.includes(k),
      ),
    ).toEqual([]);
    // The real SDK reads the same servers from it.
    const sdkServers = (result.backendAddressPools ?? []).flatMap((p) =>
      (p.backendHttpSettingsCollection ?? []).flatMap((s) =>
        (s.servers ?? []).map((v) => `${v.address} ${v.health}`),
      ),
    );
    const ourServers = (expected.body.backendAddressPools ?? []).flatMap((p) =>
      (p.backendHttpSettingsCollection ?? []).flatMap((s) =>
        (s.servers ?? []).map((v) => `${v.address} ${v.health}`),
      ),
    );
    expect(sdkServers).toEqual(ourServers);
    expect(sdkServers.length).toBeGreaterThan(0);
  });

  it("keeps fields it does not model and serves them back (PowerShell's Etag, az's resourceGroup)", async () => {
    const emulator = await start({
      gateways: [{ id: SHOP, backendHealth: fixture('ps7-convertto-json-depth10.json'), lro: { polls: 0 } }],
    });
    const { raw } = await served(emulator, SHOP);
    expect(raw).toMatchObject({
      backendAddressPools: [
        {
          backendAddressPool: {
            id: `${SHOP}/backendAddressPools/web-pool`,
            BackendAddresses: [],
            Etag: null,
          },
        },
        expect.anything(),
      ],
    });
  });

  it('refuses what ARM never sends, saying where, what was found and what is expected', async () => {
    await expect(
      start({ gateways: [{ id: SHOP, backendHealth: fixture('ps7-convertto-json-default-depth.json') }] }),
    ).rejects.toThrow(
      /gateways\[0\]\.backendHealth\.BackendAddressPools\[0\]\.BackendAddressPool: expected an object .*re-run with ConvertTo-Json -Depth 10/,
    );
    await expect(
      start({ gateways: [{ id: SHOP, backendHealth: [{ address: '10.0.0.4', health: 'Down' }] }] }),
    ).rejects.toThrow(
      /gateways\[0\]\.backendHealth: expected the backend-health body, .*found a bare array of 1 servers/,
    );
    await expect(
      start({
        gateways: [{ id: TROUBLESHOOTING, backendHealth: fixture('ps7-convertto-json-depth10.json') }],
      }),
    ).rejects.toThrow(
      /gateways\[0\]\.backendHealth\.BackendAddressPools\[0\]\.BackendAddressPool\.Id: expected "\/subscriptions\/536d30b8/,
    );
  });
});
