import { observeConfiguration } from '../../src/core/config-observations';
import { fixCommands, reproduceProbe, SITE_HOST_VARIABLE } from '../../src/core/probe-commands';
import type { ResolvedProbe } from '../../src/core/probe-resolution';
import { shellArgv } from '../helpers/shell-argv';
import { probe, resolved, settings } from './config-fixtures';

const argv = shellArgv;

const curl = (p: ResolvedProbe) => {
  const r = reproduceProbe(p);
  if (!r) throw new Error('no curl');
  return r;
};

describe('reproduceProbe: the curl that sends what the probe sends', () => {
  it('resolves the probe host to the server address (IP) and keeps the path and time-out', () => {
    const r = curl(
      resolved(settings({ protocol: 'Https', port: 8443 }), probe({ protocol: 'Https', timeoutInS: 7 })),
    );
    expect(argv(r.command)).toEqual([
      '-i',
      '--max-time',
      '7',
      '--resolve',
      'www.contoso.com:8443:10.0.0.5',
      'https://www.contoso.com:8443/health',
    ]);
    expect(r.expects).toBe("A healthy answer has status 200-399, within 7 s (the probe's timeout).");
  });

  it('connects to an FQDN server with --connect-to', () => {
    const r = curl(resolved(settings(), probe(), 'app.contoso.internal'));
    expect(argv(r.command)).toContain('--connect-to');
    expect(argv(r.command)).toContain('www.contoso.com:80:app.contoso.internal:80');
  });

  it("sends the default probe's Host: 127.0.0.1 to the address", () => {
    expect(argv(curl(resolved(settings())).command)).toEqual([
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
      curl(resolved(settings({ pickHostNameFromBackendAddress: true }), undefined, 'app.contoso.internal'))
        .command,
    );
    expect(args.at(-1)).toBe('http://app.contoso.internal:80/');
    expect(args).not.toContain('-H');
  });

  it('brackets an IPv6 server address', () => {
    const args = argv(
      curl(resolved(settings({ protocol: 'Https', port: 443 }), probe({ protocol: 'Https' }), '2001:db8::5'))
        .command,
    );
    expect(args).toContain('www.contoso.com:443:[2001:db8::5]');
    expect(argv(curl(resolved(settings(), undefined, '2001:db8::5')).command).at(-1)).toBe(
      'http://[2001:db8::5]:80/',
    );
  });

  it('says which body the probe wants', () => {
    expect(curl(resolved(settings(), probe({ body: 'ok' }))).expects).toContain('a body that contains "ok"');
  });

  it('has no curl for a TCP/TLS probe', () => {
    expect(reproduceProbe(resolved(settings(), probe({ protocol: 'Tcp' })))).toBeUndefined();
  });

  it.each([
    ['host', probe({ host: "evil.com'; rm -rf / #" })],
    ['host with a line break', probe({ host: 'a.com\n$(id)' })],
    ['path', probe({ path: '/h?x=`id`&y=$(id) ; echo' })],
  ])('keeps a hostile %s inside its one argument', (_, p) => {
    const command = curl(resolved(settings(), p)).command;
    expect(command).not.toContain('\n');
    const args = argv(command);
    expect(args).toHaveLength(6);
    expect(args.join('\0')).toContain(p.path ?? '');
  });
});

describe('fixCommands: the az commands for what the configuration shows', () => {
  const fix = (
    p: ResolvedProbe,
    causeId: Parameters<typeof fixCommands>[1]['causeId'],
    receivedStatus?: number,
  ) => {
    const facts = { causeId, ...(receivedStatus !== undefined ? { receivedStatus } : {}) };
    return fixCommands(p, facts, observeConfiguration(p, facts));
  };

  it("adds the received status to a custom probe's match", () => {
    const [line, ...more] = fix(resolved(settings(), probe()), 'status-code-mismatch', 401);
    expect(more).toEqual([]);
    expect(argv(line ?? '')).toEqual([
      'network',
      'application-gateway',
      'probe',
      'update',
      '-g',
      'rg',
      '--gateway-name',
      'appgw',
      '-n',
      'probe-a',
      '--match-status-codes',
      '200-399',
      '401',
    ]);
  });

  it('replaces the default probe by a custom one that accepts it, and attaches it', () => {
    const lines = fix(resolved(settings({ hostName: 'www.contoso.com' })), 'status-code-mismatch', 401);
    expect(lines).toHaveLength(2);
    expect(argv(lines[0] ?? '')).toEqual(
      expect.arrayContaining([
        'probe',
        'create',
        '-n',
        'settings-a-probe',
        '--host-name-from-http-settings',
        'true',
        '--match-status-codes',
        '401',
      ]),
    );
    expect(argv(lines[1] ?? '')).toEqual(
      expect.arrayContaining(['http-settings', 'update', '-n', 'settings-a', '--probe', 'settings-a-probe']),
    );
  });

  it("sets the setting's host name from a variable the reader sets, never a <placeholder>", () => {
    const lines = fix(resolved(settings()), 'status-code-mismatch', 404);
    const hostLine = lines.find((l) => l.includes('--host-name '));
    expect(hostLine).toContain(`"$${SITE_HOST_VARIABLE}"`);
    expect(argv(hostLine ?? '', { [SITE_HOST_VARIABLE]: 'shop.contoso.com' })).toEqual(
      expect.arrayContaining(['--host-name', 'shop.contoso.com']),
    );
    expect(lines.join('\n')).not.toMatch(/[<>]/);
  });

  it('picks the host name from an FQDN backend pool instead', () => {
    expect(
      fix(resolved(settings(), undefined, 'app.contoso.internal'), 'status-code-mismatch', 404),
    ).toContainEqual(expect.stringContaining('--host-name-from-backend-pool true'));
  });

  it('raises the interval over the timeout, and the timeout of a slow backend', () => {
    expect(fix(resolved(settings(), probe({ timeoutInS: 30, intervalInS: 30 })), 'probe-timeout')).toEqual([
      expect.stringContaining('-n probe-a --interval 60'),
    ]);
    expect(fix(resolved(settings(), probe({ timeoutInS: 10, intervalInS: 30 })), 'probe-timeout')).toEqual([
      expect.stringContaining('-n probe-a --timeout 20'),
    ]);
  });

  it('uploads the right kind of certificate for the SKU', () => {
    expect(
      fix(
        resolved(
          settings({ protocol: 'Https', trustedRootCertificateNames: ['r'] }),
          undefined,
          '10.0.0.5',
          'v1',
        ),
        'cert-untrusted-ca',
      ).join('\n'),
    ).toContain('auth-cert create');
    expect(fix(resolved(settings({ protocol: 'Https' })), 'cert-untrusted-ca').join('\n')).toContain(
      'root-cert create',
    );
  });

  it('quotes hostile names of the resource group, gateway, probe and setting', () => {
    const p = resolved(settings({ name: "s'; id #" }), probe({ name: '$(id)' }));
    const hostile: ResolvedProbe = { ...p, gateway: { name: 'gw`id`', resourceGroup: 'rg;id' } };
    const [line] = fix(hostile, 'status-code-mismatch', 401);
    expect(argv(line ?? '')).toEqual(expect.arrayContaining(['rg;id', 'gw`id`', '$(id)']));
  });

  it('offers nothing when the configuration explains nothing', () => {
    expect(fix(resolved(settings({ hostName: 'www.contoso.com' }), probe()), 'dns-resolution')).toEqual([]);
  });
});
