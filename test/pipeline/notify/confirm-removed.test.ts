import type { GatewayConfigReading } from '../../../src/core/gateway-config';
import type { ServerRecord } from '../../../src/core/notice/server-record';
import { confirmRemovedWith } from '../../../src/pipeline/notify/confirm-removed';
import type { GatewayConfigReader } from '../../../src/ports';
import { GW } from './support/notify-world';

const record = {
  gateway: GW,
  backendPool: 'pool-a',
  backendSettings: 'settings-a',
  address: '10.0.0.4',
} as unknown as ServerRecord;

const config = (addresses: string[]): GatewayConfigReading => ({
  ok: true,
  config: {
    generation: 'v2',
    settings: [
      {
        name: 'settings-a',
        pickHostNameFromBackendAddress: false,
        trustedRootCertificateNames: [],
        authenticationCertificateNames: [],
      },
    ],
    probes: [],
    pools: [{ name: 'pool-a', addresses }],
    pairs: [{ pool: 'pool-a', settings: 'settings-a' }],
  },
});
/** config(addresses) with its pool's `extra` (NICs, members not said). */
const withPool = (addresses: string[], extra: Record<string, unknown>): GatewayConfigReading => {
  const read = config(addresses);
  if (!read.ok) return read;
  return { ok: true, config: { ...read.config, pools: [{ name: 'pool-a', addresses, ...extra }] } };
};
const failed = (kind: Extract<GatewayConfigReading, { ok: false }>['kind']): GatewayConfigReading => ({
  ok: false,
  detail: `it failed (${kind})`,
  ...(kind ? { kind } : {}),
});

describe('confirmRemovedWith: what the configuration says of a server the reading lacks with its pool and settings', () => {
  it.each<[string, GatewayConfigReading | Error, RegExp | undefined]>([
    // A trial: a pair listed with `servers: []` was said to be lacked; the reading listed no server of it.
    [
      'still has it: kept open',
      config(['10.0.0.4']),
      /^the reading listed no server of its pool and settings, but the gateway's configuration still has the server there/,
    ],
    ['no longer has it: removed', config(['10.0.0.9']), undefined],
    // A break trial: a pool whose members the configuration does not say was "still has the server there".
    ...(
      [
        ['a pool of NICs', { hasIpConfigurations: true }],
        ['a pool whose members it does not say', { membersUnknown: true }],
      ] as const
    ).map(([what, pool]): [string, GatewayConfigReading, RegExp] => [
      `${what}, without the server's address: kept open, saying the configuration cannot confirm it`,
      withPool(['10.0.0.9'], pool),
      /gives no address for some of the pool's members \(scale-set or VM NICs, or members it does not say\), so it cannot confirm the server was removed/,
    ]),
    [
      "a pool of NICs that gives the server's address too: still has it",
      withPool(['10.0.0.4'], { hasIpConfigurations: true }),
      /the gateway's configuration still has the server there/,
    ],
    // A break trial: a permanent failure kept the episode open and every run failing, for good.
    // A later one: a 403 taken so sent a false `recovered` in a green run; a 403 is a grant to fix.
    [
      '403 (no read permission): kept open, saying which grant',
      failed('forbidden'),
      /may not read the gateway's configuration to confirm it was removed \(403\): grant it "Microsoft\.Network\/applicationGateways\/read"/,
    ],
    // A later trial: taking the reading's word on these sent a false `recovered` too (a gateway deleted
    // meanwhile ends its episodes by the deletion check).
    ['a resource it cannot take: kept open', failed('invalid'), /could not be read this run/],
    ['404: kept open', failed('not-found'), /could not be read this run/],
    ['401: kept open', failed('unauthenticated'), /could not be read this run/],
    [
      'throttled: kept open this run, asked again',
      failed('throttled'),
      /could not be read this run .*asked again on the next run/,
    ],
    ['5xx: kept open this run', failed('unavailable'), /could not be read this run/],
    ['no answer: kept open this run', failed('timeout'), /could not be read this run/],
    ['a failure of no known kind: kept open this run', failed(undefined), /could not be read this run/],
    ['the GET throws: kept open this run', new Error('socket hang up'), /socket hang up/],
  ])('%s', async (_, answer, kept) => {
    const reader: GatewayConfigReader = {
      getGatewayConfig: async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
    const unconfirmed = await confirmRemovedWith(reader, 60_000)(GW, [record]);
    expect(unconfirmed).toEqual(kept ? [{ record, reason: expect.stringMatching(kept) }] : []);
  });

  it('nothing absent: ARM is not asked', async () => {
    const reader = { getGatewayConfig: jest.fn() };
    await expect(confirmRemovedWith(reader, 60_000)(GW, [])).resolves.toEqual([]);
    expect(reader.getGatewayConfig).not.toHaveBeenCalled();
  });
});
