/**
 * recheck's pool and setting by name (issue 17, item 2): pools whose names differ only in case, and a
 * setting name an HTTP and a TCP/TLS setting share; the exact spelling or the setting's id chooses.
 */
import type { GatewayConfig, HttpSettingsConfig } from '../../src/core/gateway-config';
import { recheckTarget } from '../../src/pipeline/recheck';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';
const settings = (name: string, collection: string, layer4: boolean): HttpSettingsConfig => ({
  name,
  id: `${GW}/${collection}/${name}`,
  ...(layer4 ? { layer4: true as const } : {}),
  pickHostNameFromBackendAddress: false,
  trustedRootCertificateNames: [],
  authenticationCertificateNames: [],
});
const http = settings('shared', 'backendHttpSettingsCollection', false);
const tls = settings('shared', 'backendSettingsCollection', true);
const config = (all: HttpSettingsConfig[], extra: Partial<GatewayConfig> = {}): GatewayConfig => ({
  generation: 'v2',
  settings: all,
  probes: [],
  pools: [{ name: 'pool-a', addresses: ['10.0.0.4'] }],
  ...extra,
});

describe('recheckTarget: names that do not decide', () => {
  it('recheck --pool: the exact spelling wins; otherwise ambiguous, listing both', () => {
    const cfg = config([http], {
      pools: [
        { name: 'web', addresses: [] },
        { name: 'WEB', addresses: [] },
      ],
    });
    const exact = recheckTarget(cfg, { backendPool: 'WEB', backendSettings: 'shared' });
    expect(typeof exact !== 'string' && exact.pool.name).toBe('WEB');
    expect(recheckTarget(cfg, { backendPool: 'Web', backendSettings: 'shared' })).toContain(
      '--pool: "Web" matches 2 backend pools that differ only in case ("web", "WEB")',
    );
  });

  it('recheck --settings: a name an HTTP and a TCP/TLS setting share is refused; its id chooses', () => {
    const cfg = config([http, tls]);
    expect(recheckTarget(cfg, { backendPool: 'pool-a', backendSettings: 'shared' })).toContain(
      '--settings: "shared" names 2 backend settings (HTTP "shared", TCP/TLS "shared"): give the setting\'s id instead',
    );
    const chosen = recheckTarget(cfg, { backendPool: 'pool-a', backendSettings: tls.id ?? '' });
    expect(typeof chosen !== 'string' && chosen.settings.layer4).toBe(true);
  });
});

// A new-user trial: `recheck --pool web` with one setting to choose was refused, "--settings is missing".
describe('recheckTarget: --settings left out', () => {
  const other = settings('other', 'backendHttpSettingsCollection', false);
  const pair = (pool: string, name: string) => ({ pool, settings: name });
  it.each<[string, GatewayConfig, string | undefined]>([
    [
      'the one setting the pool is paired with (twice, by two rules)',
      config([http, other], { pairs: [pair('pool-a', 'shared'), pair('POOL-A', 'Shared')] }),
      'shared',
    ],
    ["the gateway's one setting, no pairs known", config([other]), 'other'],
    [
      'two settings paired with the pool: refused, listing them',
      config([http, other], { pairs: [pair('pool-a', 'shared'), pair('pool-a', 'other')] }),
      undefined,
    ],
  ])('%s', (_, cfg, chosen) => {
    const target = recheckTarget(cfg, { backendPool: 'pool-a' });
    if (chosen === undefined)
      expect(target).toContain(
        '--settings is missing: say which backend setting to probe pool "pool-a" with',
      );
    else expect(typeof target !== 'string' && target.settings.name).toBe(chosen);
  });
});

// A final trial: a pool no rule routes to was told "--settings is missing", then every setting refused.
it('recheckTarget: a pool no routing rule routes to is refused naming the pool, whatever the setting', () => {
  const other = settings('other', 'backendHttpSettingsCollection', false);
  const cfg = config([http, other], {
    pools: [
      { name: 'pool-a', addresses: ['10.0.0.4'] },
      { name: 'legacy', addresses: ['10.0.0.9'] },
    ],
    pairs: [{ pool: 'pool-a', settings: 'shared' }],
  });
  for (const backendSettings of [undefined, 'shared', 'other'])
    expect(
      recheckTarget(cfg, { backendPool: 'legacy', ...(backendSettings ? { backendSettings } : {}) }),
    ).toBe(
      '--pool: no routing rule of the gateway sends traffic to pool "legacy", and ARM\'s on-demand probe takes only a pool a rule pairs with a backend setting (pools a rule routes to: "pool-a")',
    );
});
