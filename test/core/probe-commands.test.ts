import { observeConfiguration } from '../../src/core/config-observations';
import { fixCommands, SITE_HOST_VARIABLE } from '../../src/core/probe-commands';
import type { ResolvedProbe } from '../../src/core/probe-resolution';
import { shellArgv } from '../helpers/shell-argv';
import { probe, resolved, settings } from './config-fixtures';

const argv = shellArgv;

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
