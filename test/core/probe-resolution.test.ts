import { DEFAULT_PROBE, isIpAddress, resolveProbe, statusAccepted } from '../../src/core/probe-resolution';
import { config, GW, probe, resolved, settings } from './config-fixtures';

describe('resolveProbe: what the probe of one server sends', () => {
  it("gives the default probe's documented values when the setting names no custom probe", () => {
    const p = resolved(settings({ protocol: 'Https', port: 8443 }));
    expect(p.probe).toBeUndefined();
    expect(p).toMatchObject({
      protocol: 'https',
      port: 8443,
      host: '127.0.0.1',
      hostSource: 'localhost',
      path: '/',
      intervalInS: DEFAULT_PROBE.intervalInS,
      timeoutInS: 30,
      unhealthyThreshold: 3,
      statusCodes: ['200-399'],
    });
    expect(p.sni).toBeUndefined(); // 127.0.0.1 is a Host header only
  });

  it.each([
    [
      'custom probe host',
      settings({ hostName: 'set.contoso.com' }),
      probe({ host: 'probe.contoso.com' }),
      'probe.contoso.com',
      'probe',
    ],
    [
      'probe picks the settings host name',
      settings({ hostName: 'set.contoso.com' }),
      probe({ host: undefined, pickHostNameFromBackendHttpSettings: true }),
      'set.contoso.com',
      'settings',
    ],
    [
      'probe picks settings that pick the address',
      settings({ pickHostNameFromBackendAddress: true }),
      probe({ host: undefined, pickHostNameFromBackendHttpSettings: true }),
      'app.contoso.internal',
      'address',
    ],
    [
      'probe picks settings that name none',
      settings(),
      probe({ host: undefined, pickHostNameFromBackendHttpSettings: true }),
      undefined,
      'none',
    ],
    [
      'default probe, settings host name',
      settings({ hostName: 'set.contoso.com' }),
      undefined,
      'set.contoso.com',
      'settings',
    ],
    [
      'default probe, pick from backend target',
      settings({ pickHostNameFromBackendAddress: true }),
      undefined,
      'app.contoso.internal',
      'address',
    ],
    ['default probe, nothing set', settings(), undefined, '127.0.0.1', 'localhost'],
  ] as const)('host name: %s', (_, s, p, host, source) => {
    const r = resolved(s, p, 'app.contoso.internal');
    expect(r.host).toBe(host);
    expect(r.hostSource).toBe(source);
  });

  it.each([
    [
      'v2 sends the probe host as SNI',
      'v2',
      settings({ protocol: 'Https' }),
      probe({ protocol: 'Https' }),
      '10.0.0.5',
      'www.contoso.com',
    ],
    [
      'v2 prefers the settings sniName',
      'v2',
      settings({ protocol: 'Https', sniName: 'sni.contoso.com' }),
      probe({ protocol: 'Https' }),
      '10.0.0.5',
      'sni.contoso.com',
    ],
    [
      'v2 never sends an IP host as SNI',
      'v2',
      settings({ protocol: 'Https' }),
      probe({ protocol: 'Https', host: '10.1.1.1' }),
      '10.0.0.5',
      undefined,
    ],
    [
      'v1 sends the pool FQDN',
      'v1',
      settings({ protocol: 'Https' }),
      probe({ protocol: 'Https' }),
      'app.contoso.internal',
      'app.contoso.internal',
    ],
    [
      'v1 sends nothing for an IP backend',
      'v1',
      settings({ protocol: 'Https' }),
      probe({ protocol: 'Https' }),
      '10.0.0.5',
      undefined,
    ],
    ['HTTP has no SNI', 'v2', settings(), probe(), '10.0.0.5', undefined],
  ] as const)('SNI: %s', (_, generation, s, p, address, sni) => {
    expect(resolved(s, p, address, generation).sni).toBe(sni);
  });

  it("takes the probe's own port (v2) over the setting's, and the setting's otherwise", () => {
    expect(resolved(settings({ port: 8080 }), probe({ port: 9090 })).port).toBe(9090);
    expect(resolved(settings({ port: 8080 }), probe()).port).toBe(8080);
    expect(resolved(settings({ port: undefined, protocol: 'Https' })).port).toBe(443);
  });

  it('says which setting or probe is missing instead of guessing', () => {
    expect(resolveProbe(config(settings()), GW, 'other-settings', '10.0.0.5')).toEqual({
      ok: false,
      reason: 'the backend setting "other-settings" is not in the gateway\'s configuration',
    });
    expect(resolveProbe(config(settings({ probeName: 'gone' })), GW, 'SETTINGS-A', '10.0.0.5')).toMatchObject(
      {
        ok: false,
        reason: expect.stringContaining('the probe "gone"'),
      },
    );
  });
});

describe('statusAccepted', () => {
  it.each([
    [['200-399'], 200, true],
    [['200-399'], 399, true],
    [['200-399'], 401, false],
    [['200-399', '401'], 401, true],
    [['200-202,204'], 204, true],
    [['200-202,204'], 203, false],
    [['garbage'], 200, false],
    [[], 200, false],
  ] as const)('%j accepts %i: %s', (codes, status, accepted) => {
    expect(statusAccepted(codes, status)).toBe(accepted);
  });
});

describe('isIpAddress', () => {
  it.each([
    ['10.0.0.5', true],
    ['255.255.255.255', true],
    ['256.1.1.1', false],
    ['::1', true],
    ['[2001:db8::1]', true],
    ['app.contoso.com', false],
    ['10.0.0.5.nip.io', false],
  ])('%s: %s', (value, ip) => {
    expect(isIpAddress(value)).toBe(ip);
  });
});

describe('resolveProbe: true to the SKU and the protocol', () => {
  it.each([
    ['v1 ignores the probe port (v2 only)', 'v1', 80],
    ['v2 uses the probe port', 'v2', 8080],
  ] as const)('%s', (_, generation, port) => {
    expect(resolved(settings({ port: 80 }), probe({ port: 8080 }), '10.2.0.4', generation).port).toBe(port);
  });

  it('a TLS probe sends the SNI of its setting; a TCP probe none', () => {
    const tls = settings({ protocol: 'Tls', port: 443, sniName: 'tls.contoso.com' });
    expect(resolved(tls, probe({ protocol: 'Tls' })).sni).toBe('tls.contoso.com');
    expect(
      resolved(settings({ protocol: 'Tcp', port: 8443 }), probe({ protocol: 'Tcp' })).sni,
    ).toBeUndefined();
  });
});
