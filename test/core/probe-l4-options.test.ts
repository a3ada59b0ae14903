import { gatewayRef } from '../../src/core/arm-id';
import { onDemandProbeRequest } from '../../src/core/on-demand-probe';
import { PROXY_NOTE, reproduceProbe } from '../../src/core/probe-reproduction';
import { markdownToText } from '../../src/articles';
import { configurationMarkdown } from '../../src/insight/cause-section';
import { causeFor } from '../../src/core/causes';
import { observeConfiguration } from '../../src/core/config-observations';
import type { ResolvedProbe } from '../../src/core/probe-resolution';
import { shellArgv } from '../helpers/shell-argv';
import { probe, resolved, settings } from './config-fixtures';

/**
 * The probe's `enableProbeProxyProtocolHeader` (TCP/TLS) and `pickHostNameFromBackendSettings` (a TLS
 * probe's SNI from the backend setting), as the REST spec's ApplicationGatewayProbePropertiesFormat names
 * them: each changes what the insight says the probe sends, the reproducing command or the on-demand
 * probe. A case that triggers each, and one that does not.
 */
const https = { protocol: 'Https', port: 443 } as const;
const tls = (over: Parameters<typeof probe>[0] = {}) =>
  resolved(
    settings({ ...https, hostName: 'tls.contoso.com' }),
    probe({ name: 'l4', protocol: 'Tls', host: undefined, ...over }),
  );
const tcp = (over: Parameters<typeof probe>[0] = {}) =>
  resolved(settings({ port: 8443 }), probe({ name: 't4', protocol: 'Tcp', host: undefined, ...over }));
const cause = causeFor('proxy-protocol');
const text = (p: ResolvedProbe) =>
  markdownToText(
    configurationMarkdown(cause, {
      read: true,
      probe: p,
      observations: observeConfiguration(p, { causeId: cause.id }),
    }),
  );

describe('enableProbeProxyProtocolHeader', () => {
  it.each([
    ['TCP', tcp({ proxyProtocolHeader: true }), 'nc'],
    ['TLS', tls({ proxyProtocolHeader: true }), 'timeout'],
  ])(
    '%s probe that sends it: the command notes the header beside it (a comment: still the same argv), the text says so',
    (_n, p, first) => {
      const r = reproduceProbe(p);
      if (r.command === undefined) throw new Error(r.why);
      expect(r.command.startsWith(`${first} `)).toBe(true);
      expect(r.command.endsWith(`  ${PROXY_NOTE}`)).toBe(true);
      expect(r.expects).toContain('PROXY protocol header first');
      const without = r.command.slice(0, -`  ${PROXY_NOTE}`.length);
      if (first === 'nc') expect(shellArgv(r.command)).toEqual(shellArgv(without));
      expect(text(p)).toContain('Sends a PROXY protocol header first');
      expect(
        onDemandProbeRequest(gatewayRef('s', 'rg', 'gw'), 'pool', p).enableProbeProxyProtocolHeader,
      ).toBe(true);
    },
  );

  it.each([
    ['TCP without it', tcp()],
    ['TLS without it', tls({ proxyProtocolHeader: false })],
    [
      'an HTTPS probe (the flag is for TCP and TLS)',
      resolved(settings(https), probe({ protocol: 'Https', proxyProtocolHeader: true })),
    ],
  ])('%s: no note, no statement, not in the on-demand request', (_n, p) => {
    const r = reproduceProbe(p);
    expect(r.command ?? '').not.toContain('PROXY');
    expect(text(p)).not.toContain('PROXY protocol header first');
    expect(onDemandProbeRequest(gatewayRef('s', 'rg', 'gw'), 'pool', p)).not.toHaveProperty(
      'enableProbeProxyProtocolHeader',
    );
  });
});

describe("pickHostNameFromBackendSettings (a TLS probe's server name)", () => {
  it("on: the SNI is the backend setting's host name, in the handshake command and the text", () => {
    const p = tls({ pickHostNameFromBackendSettings: true });
    expect(p.sni).toBe('tls.contoso.com');
    expect(reproduceProbe(p).command).toContain('-servername tls.contoso.com');
    expect(text(p)).toContain('TLS server name tls.contoso.com');
  });

  it("on, the setting picking the host from the backend target: the server's FQDN", () => {
    const p = resolved(
      settings({ ...https, pickHostNameFromBackendAddress: true }),
      probe({ name: 'l4', protocol: 'Tls', host: undefined, pickHostNameFromBackendSettings: true }),
      'be1.contoso.com',
    );
    expect(p.sni).toBe('be1.contoso.com');
  });

  it("on, the probe also naming a host of its own: the setting's name wins (the flag says where SNI comes from)", () => {
    const p = tls({ host: 'own.contoso.com', pickHostNameFromBackendSettings: true });
    expect(p.sni).toBe('tls.contoso.com');
    expect(reproduceProbe(p).command).toContain('-servername tls.contoso.com');
  });

  it('off, the probe naming a host: its own host is the SNI (pickHostNameFromBackendHttpSettings does not apply to TLS)', () => {
    const p = tls({
      host: 'own.contoso.com',
      pickHostNameFromBackendSettings: false,
      pickHostNameFromBackendHttpSettings: true,
    });
    expect(p.sni).toBe('own.contoso.com');
    expect(reproduceProbe(p).command).toContain('-servername own.contoso.com');
  });

  it('an HTTPS probe ignores it (its host comes from pickHostNameFromBackendHttpSettings)', () => {
    const p = resolved(
      settings({ ...https, hostName: 'www.contoso.com' }),
      probe({ protocol: 'Https', host: 'own.contoso.com', pickHostNameFromBackendSettings: true }),
    );
    expect(p.host).toBe('own.contoso.com');
    expect(reproduceProbe(p).command).toContain('https://own.contoso.com:443/');
  });
});
