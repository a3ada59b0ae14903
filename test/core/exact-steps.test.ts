import { gatewayRef } from '../../src/core/arm-id';
import { CAUSE_IDS, causeFor, type CauseId } from '../../src/core/causes';
import { observeConfiguration } from '../../src/core/config-observations';
import { exactCause, exactSteps } from '../../src/core/exact-steps';
import type { Finding, FindingConfiguration } from '../../src/core/model';
import type { ResolvedProbe } from '../../src/core/probe-resolution';
import { probe, resolved, settings } from './config-fixtures';

/**
 * Issue 17, "a step shows a placeholder for a value the product knows": every command of the cause
 * catalogue names the gateway's resource group and name (its ARM id), and, when its configuration was
 * read, the server, port, host name and probe; only what the reader alone knows stays a placeholder.
 */
const GATEWAY = gatewayRef('00000000-0000-0000-0000-000000000000', 'rg(prod)', 'appgw-shop');
const RG = "'rg(prod)'"; // a resource group name may hold parentheses: one shell word, quoted

const finding = (
  causeId: CauseId,
  configuration?: FindingConfiguration,
  receivedStatus?: number,
): Finding => ({
  gateway: GATEWAY,
  backendPool: 'pool-a',
  backendSettings: 'settings-a',
  address: '10.0.0.5',
  health: 'Unhealthy',
  state: 'unhealthy',
  probeLog: 'x',
  cause: causeFor(causeId, receivedStatus === undefined ? {} : { receivedStatus }),
  severity: 'warning',
  ...(configuration ? { configuration } : {}),
});
const read = (p: ResolvedProbe, causeId: CauseId): FindingConfiguration => ({
  read: true,
  probe: p,
  observations: observeConfiguration(p, { causeId }),
});

const HTTPS = resolved(
  settings({ protocol: 'Https', port: 8443 }),
  probe({ name: 'probe-tls', protocol: 'Https', host: 'shop.contoso.com', path: '/healthz' }),
);
const HTTPS_BY_NAME = resolved(
  settings({ protocol: 'Https', port: 443 }),
  probe({ name: 'probe-tls', protocol: 'Https', host: 'shop.contoso.com' }),
  'backend.contoso.net',
);
const DEFAULT_PROBE = resolved(settings({ port: 8080 }));

/** Placeholders only the reader can fill: a value they choose, a NIC, a new certificate's name, a text. */
const READERS_OWN = new Set(['<seconds>', '<name>', '<nic>', '<nic resource group>', '<text>']);
const placeholders = (steps: readonly string[]): string[] =>
  [...new Set(steps.join('\n').match(/<[a-z][a-z ]*>/g) ?? [])].sort();

describe('exactSteps: each command of the catalogue with the values known', () => {
  it.each<[string, CauseId, FindingConfiguration | undefined, number | undefined, string]>([
    // From the ARM id alone (the configuration not read): the resource group and the gateway.
    [
      'probe update, ARM id only',
      'probe-timeout',
      undefined,
      undefined,
      `\`az network application-gateway probe update -g ${RG} --gateway-name appgw-shop -n <probe> --timeout <seconds>\``,
    ],
    [
      'stop, then start',
      'dns-resolution',
      undefined,
      undefined,
      `\`az network application-gateway stop -g ${RG} -n appgw-shop\` then \`az network application-gateway start -g ${RG} -n appgw-shop\``,
    ],
    [
      'root-cert list',
      'cert-root-mismatch',
      undefined,
      undefined,
      `\`az network application-gateway root-cert list -g ${RG} --gateway-name appgw-shop\``,
    ],
    [
      "root-cert create (the new name is the reader's)",
      'cert-root-mismatch',
      undefined,
      undefined,
      `\`az network application-gateway root-cert create -g ${RG} --gateway-name appgw-shop -n <name> --cert-file root.cer\``,
    ],
    [
      'ssl-policy show',
      'cert-verify-failed',
      undefined,
      undefined,
      `\`az network application-gateway ssl-policy show -g ${RG} --gateway-name appgw-shop\``,
    ],
    [
      'probe update --match-status-codes',
      'status-code-mismatch',
      undefined,
      401,
      `\`az network application-gateway probe update -g ${RG} --gateway-name appgw-shop -n <probe> --match-status-codes 200-399 401\``,
    ],
    [
      'probe show --query match (2xx advice)',
      'status-code-mismatch',
      undefined,
      204,
      `\`az network application-gateway probe show -g ${RG} --gateway-name appgw-shop -n <probe> --query match\``,
    ],
    [
      'probe update --match-body',
      'body-mismatch',
      undefined,
      undefined,
      `\`az network application-gateway probe update -g ${RG} --gateway-name appgw-shop -n <probe> --match-body '<text>'\``,
    ],
    // With the configuration read: the probe, the server, its port and host name too.
    [
      'probe update names the custom probe',
      'probe-timeout',
      read(HTTPS, 'probe-timeout'),
      undefined,
      `\`az network application-gateway probe update -g ${RG} --gateway-name appgw-shop -n probe-tls --timeout <seconds>\``,
    ],
    [
      'probe show names the custom probe',
      'body-mismatch',
      read(HTTPS, 'body-mismatch'),
      undefined,
      `\`az network application-gateway probe show -g ${RG} --gateway-name appgw-shop -n probe-tls --query match\``,
    ],
    [
      'nc and Test-NetConnection: the server and the probe port',
      'tcp-connect',
      read(DEFAULT_PROBE, 'tcp-connect'),
      undefined,
      '`Test-NetConnection -ComputerName 10.0.0.5 -Port 8080` or `nc -vz 10.0.0.5 8080`',
    ],
    [
      'nslookup of a server by name',
      'dns-resolution',
      read(HTTPS_BY_NAME, 'dns-resolution'),
      undefined,
      '`nslookup backend.contoso.net`',
    ],
    [
      'openssl: address, the probe port and its server name',
      'cert-expired',
      read(HTTPS, 'cert-expired'),
      undefined,
      '`openssl s_client -connect 10.0.0.5:8443 -servername shop.contoso.com -showcerts </dev/null`',
    ],
    [
      'the general curl becomes the exact one, naming its probe',
      'status-code-mismatch',
      read(HTTPS, 'status-code-mismatch'),
      500,
      'Reproduce the probe from a VM in the gateway\'s virtual network (probe "probe-tls" of backend setting "settings-a"): `curl -i --max-time 10 --resolve shop.contoso.com:8443:10.0.0.5 https://shop.contoso.com:8443/healthz`.',
    ],
    [
      'the timing curl of a slow backend too, naming the default probe',
      'probe-timeout',
      read(DEFAULT_PROBE, 'probe-timeout'),
      undefined,
      'Reproduce the probe from a VM in the gateway\'s virtual network (the default probe of backend setting "settings-a"): `curl -i --max-time 30',
    ],
  ])('%s', (_, causeId, configuration, status, expected) => {
    const steps = exactSteps(
      finding(causeId, configuration, status).cause.steps,
      finding(causeId, configuration),
    );
    expect(steps.join('\n')).toContain(expected);
  });

  it('an HTTPS probe that sends no server name: openssl sends none either', () => {
    const ip = resolved(
      settings({ protocol: 'Https', port: 443 }),
      probe({ protocol: 'Https', host: '10.0.0.5' }),
    );
    expect(ip.sni).toBeUndefined();
    const steps = exactSteps(
      causeFor('cert-expired').steps,
      finding('cert-expired', read(ip, 'cert-expired')),
    );
    expect(steps.join('\n')).toContain('`openssl s_client -connect 10.0.0.5:443 -showcerts </dev/null`');
  });

  it('a value a code span cannot carry (a backtick) keeps its placeholder', () => {
    const odd = resolved(settings(), probe({ name: 'p`x' }));
    const steps = exactSteps(
      causeFor('probe-timeout').steps,
      finding('probe-timeout', read(odd, 'probe-timeout')),
    );
    expect(steps.join('\n')).toContain(`--gateway-name appgw-shop -n <probe> --timeout <seconds>`);
  });

  describe.each(CAUSE_IDS.map((id) => [id]))('%s', (id) => {
    const status = id === 'status-code-mismatch' ? 401 : undefined;
    it('ARM id only: no resource group or gateway placeholder left, the rest general', () => {
      const f = finding(id, { read: false, reason: 'ARM answered 403' }, status);
      const steps = exactCause(f).steps;
      expect(placeholders(steps)).not.toEqual(expect.arrayContaining(['<resource group>']));
      expect(placeholders(steps)).not.toEqual(expect.arrayContaining(['<gateway>']));
      // The configuration unread: a step with no gateway value is as classified.
      steps.forEach((step, i) => {
        if (!/<resource group>|<gateway>/.test(f.cause.steps[i] ?? '')) expect(step).toBe(f.cause.steps[i]);
      });
    });
    it.each<[string, ResolvedProbe, readonly string[]]>([
      // A server by IP address: the name it would have (nslookup's) is not known.
      ['an HTTPS custom probe, a server by IP', HTTPS, ['<fqdn>']],
      ['a server by name', HTTPS_BY_NAME, []],
    ])("configuration read (%s): only the reader's own placeholders left", (_, p, unknown) => {
      const steps = exactCause(finding(id, read(p, id), status)).steps;
      const left = placeholders(steps).filter((name) => !READERS_OWN.has(name) && !unknown.includes(name));
      expect(left).toEqual([]);
    });
  });

  it('nothing to fill: the same cause', () => {
    const f = finding('draining');
    expect(exactCause(f)).toBe(f.cause);
  });
});
