import fc from 'fast-check';
import { markdownToText } from '../../src/articles';
import { causeFor } from '../../src/core/causes';
import { observeConfiguration } from '../../src/core/config-observations';
import type { GatewayConfig, HttpSettingsConfig, ProbeConfig } from '../../src/core/gateway-config';
import { hostHeaderValue, probeWire, reproduceProbe, urlPath } from '../../src/core/probe-reproduction';
import { isIpAddress, resolveProbe, type ResolvedProbe } from '../../src/core/probe-resolution';
import { configurationMarkdown } from '../../src/insight/cause-section';
import { shellArgv } from '../helpers/shell-argv';
import { config, GW, probe, resolved, settings } from './config-fixtures';

const command = (p: ResolvedProbe): string => {
  const r = reproduceProbe(p);
  if (r.command === undefined) throw new Error(r.why);
  return r.command;
};
const argv = (p: ResolvedProbe): string[] => shellArgv(command(p));

/** What curl puts on the wire for `args` (its argv after `curl`), read as curl reads its options. */
function curlWire(args: readonly string[]) {
  let connect: string | undefined;
  let host: string | undefined;
  let url: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i] ?? '';
    if (a === '--max-time') i += 1;
    else if (a === '--resolve' || a === '--connect-to') {
      const v = args[(i += 1)] ?? '';
      // host:port:address (resolve) or host:port:address:port (connect-to); an IPv6 in brackets.
      const m = /^(\[[^\]]+\]|[^:]+):(\d+):(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(v);
      connect = m?.[3]?.replace(/^\[|\]$/g, '');
    } else if (a === '-H') host = (args[(i += 1)] ?? '').replace(/^Host: /, '');
    else if (!a.startsWith('-')) url = a;
  }
  const u = /^(https?):\/\/(\[[^\]]+\]|[^:/]+):(\d+)(\/.*)$/.exec(url ?? '');
  if (!u) throw new Error(`no URL in ${args.join(' ')}`);
  const urlHost = (u[2] ?? '').replace(/^\[|\]$/g, '');
  return {
    protocol: u[1],
    address: connect ?? urlHost,
    port: Number(u[3]),
    path: u[4],
    host: host ?? urlHost,
    sni: u[1] === 'https' && !isIpAddress(urlHost) ? urlHost : undefined,
  };
}

describe('reproduceProbe: the command that sends what the probe sends', () => {
  it('resolves the probe host to the server address (IP) and keeps the path and time-out', () => {
    const p = resolved(
      settings({ protocol: 'Https', port: 8443 }),
      probe({ protocol: 'Https', timeoutInS: 7 }),
    );
    expect(argv(p)).toEqual([
      '-i',
      '--max-time',
      '7',
      '--resolve',
      'www.contoso.com:8443:10.0.0.5',
      'https://www.contoso.com:8443/health',
    ]);
    expect(reproduceProbe(p)).toMatchObject({
      expects: "A healthy answer has status 200-399, within 7 s (the probe's timeout).",
    });
  });

  it('connects to an FQDN server with --connect-to', () => {
    expect(argv(resolved(settings(), probe(), 'app.contoso.internal'))).toEqual(
      expect.arrayContaining(['--connect-to', 'www.contoso.com:80:app.contoso.internal:80']),
    );
  });

  it("sends the default probe's Host: 127.0.0.1 to the address", () => {
    expect(argv(resolved(settings()))).toEqual([
      '-i',
      '--max-time',
      '30',
      '-H',
      'Host: 127.0.0.1',
      'http://10.0.0.5:80/',
    ]);
  });

  it('asks for the address itself when the probe picks it as host name', () => {
    const args = argv(
      resolved(settings({ pickHostNameFromBackendAddress: true }), undefined, 'app.contoso.internal'),
    );
    expect(args.at(-1)).toBe('http://app.contoso.internal:80/');
    expect(args).not.toContain('-H');
  });

  it('brackets an IPv6 server address, and nothing else', () => {
    const https = settings({ protocol: 'Https', port: 443 });
    expect(argv(resolved(https, probe({ protocol: 'Https' }), '2001:db8::5'))).toContain(
      'www.contoso.com:443:[2001:db8::5]',
    );
    expect(argv(resolved(settings(), undefined, '2001:db8::5')).at(-1)).toBe('http://[2001:db8::5]:80/');
    expect(command(resolved(settings(), probe({ host: 'a.contoso.com' })))).not.toContain('[');
  });

  it('sends the SNI the setting names, and the Host header the probe sends, when they differ', () => {
    const p = resolved(
      settings({ protocol: 'Https', port: 443, hostName: 'a.contoso.com', sniName: 'b.contoso.com' }),
      undefined,
      '10.5.0.11',
    );
    expect(p.sni).toBe('b.contoso.com');
    const args = argv(p);
    expect(args).toEqual(
      expect.arrayContaining(['--resolve', 'b.contoso.com:443:10.5.0.11', '-H', 'Host: a.contoso.com']),
    );
    expect(args.at(-1)).toBe('https://b.contoso.com:443/');
  });

  it('a v1 gateway sends the FQDN address as SNI, whatever the host name', () => {
    const p = resolved(
      settings({ protocol: 'Https', port: 443, hostName: 'www.contoso.com' }),
      undefined,
      'app.internal',
      'v1',
    );
    expect(curlWire(argv(p))).toMatchObject({
      sni: 'app.internal',
      host: 'www.contoso.com',
      address: 'app.internal',
    });
  });

  it('an HTTPS probe without SNI to an FQDN server has no curl (curl would send one), and says why', () => {
    const p = resolved(settings({ protocol: 'Https', hostName: '10.9.9.9' }), undefined, 'app.internal');
    expect(p.sni).toBeUndefined();
    const r = reproduceProbe(p);
    expect(r.command).toBeUndefined();
    expect(r).toMatchObject({ why: expect.stringContaining('no TLS server name') });
  });

  it.each([
    ['/health check', '/health%20check'],
    ['/a%zz', '/a%25zz'],
    ['/a%2Fb', '/a%2Fb'],
    ['/é', '/%C3%A9'],
    ['/x#frag', '/x%23frag'],
    ['/q?a=1&b=2', '/q?a=1&b=2'],
    ['health', '/health'],
    ['/a"b<c>', '/a%22b%3Cc%3E'],
  ])('percent-encodes the path %s as %s', (path, sent) => {
    expect(urlPath(path)).toBe(sent);
    expect(argv(resolved(settings(), probe({ path }))).at(-1)).toBe(`http://www.contoso.com:80${sent}`);
  });

  it.each([
    ['a host name with CRLF', probe({ host: 'a.contoso.com\r\nX-Injected: 1' })],
    ['a path with a line break', probe({ path: '/h\nx' })],
    ['a path with a tab', probe({ path: '/h\tx' })],
  ])('gives no command for %s, and says why', (_, pr) => {
    const r = reproduceProbe(resolved(settings(), pr));
    expect(r.command).toBeUndefined();
    expect(r).toMatchObject({ why: expect.stringContaining('control character') });
  });

  it('an HTTP Host header no URL can hold goes in -H to the address', () => {
    const args = argv(resolved(settings(), probe({ host: 'a b.contoso.com' })));
    expect(args).toEqual(expect.arrayContaining(['-H', 'Host: a b.contoso.com']));
    expect(args.at(-1)).toBe('http://10.0.0.5:80/health');
  });

  it('a TCP probe is a connection: nc to the address and port, no HTTP', () => {
    const p = resolved(
      settings({ protocol: 'Tcp', port: 8443 }),
      probe({ protocol: 'Tcp', port: 8443, timeoutInS: 5 }),
      '10.1.0.4',
    );
    expect(shellArgv(command(p))).toEqual(['-vz', '-w', '5', '10.1.0.4', '8443']);
    expect(command(p).startsWith('nc ')).toBe(true);
  });

  it('a TLS probe is a handshake with its server name: openssl s_client, no request', () => {
    const p = resolved(
      settings({ protocol: 'Tls', port: 443, hostName: 'tls.contoso.com' }),
      probe({ protocol: 'Tls', host: undefined, pickHostNameFromBackendHttpSettings: true }),
      '10.1.0.6',
    );
    // It checks what the gateway checks: the chain, and the name it sends (issue 17's second trial).
    expect(command(p)).toBe(
      'timeout 10 openssl s_client -connect 10.1.0.6:443 -servername tls.contoso.com -verify_return_error -verify_hostname tls.contoso.com </dev/null',
    );
    const ipv6 = resolved(
      settings({ protocol: 'Tls', port: 443 }),
      probe({ protocol: 'Tls', host: undefined }),
      'fd00::5',
    );
    // No server name: openssl must not send the -connect host as one (issue 17's third trial).
    expect(command(ipv6)).toBe(
      "timeout 10 openssl s_client -connect '[fd00::5]:443' -noservername -verify_return_error </dev/null",
    );
    const fqdn = resolved(
      settings({ protocol: 'Tls', port: 8443 }),
      probe({ protocol: 'Tls', host: undefined }),
      'tls.internal.contoso.com',
    );
    expect(fqdn.sni).toBeUndefined();
    expect(command(fqdn)).toBe(
      'timeout 10 openssl s_client -connect tls.internal.contoso.com:8443 -noservername -verify_return_error </dev/null',
    );
    const said = reproduceProbe(fqdn);
    expect('expects' in said && said.expects).toContain('this command sends and checks none');
  });

  // Issue 17's second trial: with trusted roots the gateway trusts those, and the VM's CA store does not.
  it("a v2 setting that names trusted roots: curl and openssl check against the reader's copy of one", () => {
    const rooted = { trustedRootCertificateNames: ['contoso-root'] };
    const https = resolved(
      settings({ protocol: 'Https', port: 443, hostName: 'shop.contoso.com', ...rooted }),
    );
    expect(command(https)).toContain(' --cacert "${TRUSTED_ROOT_FILE:?set TRUSTED_ROOT_FILE to ');
    expect(shellArgv(command(https), { TRUSTED_ROOT_FILE: '/tmp/root.cer' })).toEqual(
      expect.arrayContaining(['--cacert', '/tmp/root.cer']),
    );
    const tls = resolved(settings({ protocol: 'Tls', port: 443, hostName: 'tls.contoso.com', ...rooted }));
    expect(command(tls)).toContain(' -CAfile "${TRUSTED_ROOT_FILE:?');
    // Well-known CAs (no roots named), or v1 (authentication certificates): the VM's store, nothing added.
    for (const p of [
      resolved(settings({ protocol: 'Https', port: 443, hostName: 'shop.contoso.com' })),
      resolved(
        settings({ protocol: 'Https', port: 443, hostName: 'shop.contoso.com', ...rooted }),
        undefined,
        '10.0.0.5',
        'v1',
      ),
    ])
      expect(command(p)).not.toMatch(/--cacert|-CAfile/);
  });

  it('an IPv6 host name: the Host header carries it in brackets, as every client sends it', () => {
    const v6 = resolved(settings({ pickHostNameFromBackendAddress: true }), undefined, 'fd00::7');
    expect(argv(v6)).toContain('Host: [fd00::7]');
    expect(hostHeaderValue('fd00::7')).toBe('[fd00::7]');
    expect(hostHeaderValue('[fd00::7]')).toBe('[fd00::7]');
    expect(hostHeaderValue('10.0.0.7')).toBe('10.0.0.7');
    expect(hostHeaderValue('www.contoso.com')).toBe('www.contoso.com');
  });

  it('keeps hostile values inside their one argument', () => {
    for (const pr of [
      probe({ host: "evil.com'; rm -rf / #" }),
      probe({ path: '/h?x=`id`&y=$(id) ; echo' }),
    ]) {
      const args = argv(resolved(settings(), pr));
      expect(command(resolved(settings(), pr))).not.toContain('\n');
      expect(args.length).toBeLessThanOrEqual(8);
    }
  });
});

describe('the insight\'s "Sends" lines and the command agree, for any resolved probe', () => {
  const names = fc.constantFrom(
    'www.contoso.com',
    'b.contoso.com',
    '10.7.0.9',
    '127.0.0.1',
    'fd00::9',
    'a b.com',
  );
  const addresses = fc.constantFrom('10.0.0.5', 'fd00::5', 'app.contoso.internal');
  const paths = fc.constantFrom('/', '/health', '/a b', '/é?x=1', 'noslash', '/50%', '/x#y');
  const arbSettings: fc.Arbitrary<HttpSettingsConfig> = fc
    .record({
      protocol: fc.constantFrom('Http', 'Https', 'Tcp', 'Tls'),
      port: fc.constantFrom(80, 443, 8080),
      hostName: fc.option(names, { nil: undefined }),
      sniName: fc.option(names, { nil: undefined }),
      pick: fc.boolean(),
    })
    .map(({ protocol, port, hostName, sniName, pick }) =>
      settings({
        protocol,
        port,
        pickHostNameFromBackendAddress: pick,
        ...(hostName !== undefined ? { hostName } : {}),
        ...(sniName !== undefined ? { sniName } : {}),
      }),
    );
  const arbProbe: fc.Arbitrary<ProbeConfig | undefined> = fc.option(
    fc
      .record({
        host: fc.option(names, { nil: undefined }),
        pick: fc.boolean(),
        port: fc.option(fc.constantFrom(81, 8443), { nil: undefined }),
        path: paths,
        protocol: fc.constantFrom('Http', 'Https', 'Tcp', 'Tls'),
      })
      .map(({ host, pick, port, path, protocol }) =>
        probe({
          host,
          pickHostNameFromBackendHttpSettings: pick,
          path,
          protocol,
          ...(port !== undefined ? { port } : {}),
        }),
      ),
    { nil: undefined },
  );
  const cause = causeFor('status-code-mismatch', { receivedStatus: 404 });

  it('port, host, SNI, path and protocol', () => {
    fc.assert(
      fc.property(
        arbSettings,
        arbProbe,
        addresses,
        fc.constantFrom<GatewayConfig['generation']>('v1', 'v2'),
        (s, pr, address, generation) => {
          const withProbe = pr ? { ...s, probeName: pr.name } : s;
          const r = resolveProbe(config(withProbe, pr ? [pr] : [], generation), GW, s.name, address);
          if (!r.ok) throw new Error(r.reason);
          const p = r.probe;
          if (generation === 'v1') expect(p.port).toBe(s.port);
          const text = markdownToText(
            configurationMarkdown(cause, {
              read: true,
              probe: p,
              observations: observeConfiguration(p, { causeId: cause.id, receivedStatus: 404 }),
            }),
          ).replace(/\s+/g, ' ');
          const wire = probeWire(p);
          const rep = reproduceProbe(p);
          if ('why' in wire || rep.command === undefined) {
            expect(text).toContain('No command reproduces this probe');
            return;
          }
          const words = shellArgv(rep.command);
          if (wire.kind === 'tcp') {
            expect(rep.command.startsWith('nc ')).toBe(true);
            expect(words.slice(-2)).toEqual([address, String(p.port)]);
            expect(text).toContain(`Opens a TCP connection to ${address} port ${p.port}`);
            expect(text).not.toContain('Healthy: status');
            return;
          }
          if (wire.kind === 'tls') {
            const sni = words.includes('-servername') ? words[words.indexOf('-servername') + 1] : undefined;
            expect(sni).toBe(p.sni);
            expect(words[words.indexOf('-connect') + 1]).toBe(
              address.includes(':') ? `[${address}]:${p.port}` : `${address}:${p.port}`,
            );
            expect(text).toContain(
              `TLS handshake with ${address} port ${p.port}, ${p.sni ? `TLS server name ${p.sni}` : 'no TLS server name'}`,
            );
            expect(text).not.toContain('Healthy: status');
            return;
          }
          const sent = curlWire(words);
          expect(sent).toEqual({
            protocol: p.protocol,
            address,
            port: p.port,
            path: wire.path,
            // An IPv6 literal in brackets, as a Host header carries it (issue 17's fifth trial).
            host: hostHeaderValue(p.host ?? address),
            sni: p.protocol === 'https' ? p.sni : undefined,
          });
          expect(text).toContain(
            `Sends GET ${sent.path} over ${p.protocol.toUpperCase()} to ${address} port ${p.port}`,
          );
          expect(text).toContain(`With Host: ${sent.host}`);
          if (p.protocol === 'https')
            expect(text).toContain(
              sent.sni !== undefined ? `TLS server name ${sent.sni}` : 'no TLS server name',
            );
        },
      ),
      { numRuns: 60 },
    );
  });
});
