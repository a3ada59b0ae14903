import { gatewayRef } from '../../src/core/arm-id';
import { CAUSE_IDS, causeFor, type CauseId } from '../../src/core/causes';
import { observeConfiguration } from '../../src/core/config-observations';
import { exactCause, exactSteps, withoutServerPlaceholders } from '../../src/core/exact-steps';
import { noticeCause } from '../../src/core/notice/notice-cause';
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
      `\`az network application-gateway probe update -g ${RG} --gateway-name appgw-shop -n <probe> --timeout "\${PROBE_TIMEOUT_SECONDS:?set PROBE_TIMEOUT_SECONDS to `,
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
      "root-cert create (the new name and the file are the reader's)",
      'cert-root-mismatch',
      undefined,
      undefined,
      `\`az network application-gateway root-cert create -g ${RG} --gateway-name appgw-shop -n "\${ROOT_CERT_NAME:?set ROOT_CERT_NAME to a name for the trusted root certificate on the gateway}" --cert-file "\${ROOT_CERT_FILE:?set ROOT_CERT_FILE to `,
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
      `\`az network application-gateway probe update -g ${RG} --gateway-name appgw-shop -n <probe> --match-body "\${MATCH_BODY:?set MATCH_BODY to `,
    ],
    // With the configuration read: the probe, the server, its port and host name too.
    [
      'probe update names the custom probe',
      'probe-timeout',
      read(HTTPS, 'probe-timeout'),
      undefined,
      // (probe changes name the gateway of the probe's configuration: the fixture's is appgw in rg)
      `\`az network application-gateway probe update -g rg --gateway-name appgw -n probe-tls --timeout "\${PROBE_TIMEOUT_SECONDS:?`,
    ],
    [
      'probe show names the custom probe',
      'body-mismatch',
      // With a body match: a probe that has none would make the reading predate it (no match step).
      read(
        resolved(
          settings({ protocol: 'Https', port: 8443 }),
          probe({ name: 'probe-tls', protocol: 'Https', host: 'shop.contoso.com', body: 'ok' }),
        ),
        'body-mismatch',
      ),
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
    // OpenSSL 1.1.1+ would send the -connect host as one (issue 17's third trial).
    expect(steps.join('\n')).toContain(
      '`openssl s_client -connect 10.0.0.5:443 -noservername -showcerts </dev/null`',
    );
  });

  // Issue 17's third trial: `-servername <host>` (bash: "host: No such file or directory").
  it.each([
    [
      'a probe name',
      resolved(settings(), probe({ name: 'p`x' })),
      'probe-timeout',
      'the name of probe "p\\u0060x" of backend setting "settings-a"',
    ],
    [
      'a TLS server name',
      resolved(
        settings({ protocol: 'Https', port: 443 }),
        probe({ protocol: 'Https', host: 'a`id`.contoso.com' }),
      ),
      'cert-cn-mismatch',
      'the TLS server name that probe "probe-a" of backend setting "settings-a" sends',
    ],
    [
      "a server's address",
      resolved(
        settings({ protocol: 'Https', port: 443 }),
        probe({ protocol: 'Https', host: 'www.contoso.com' }),
        'a`id`b.example',
      ),
      'cert-cn-mismatch',
      `the server's address "a\\u0060id\\u0060b.example"`,
    ],
  ] as const)(
    'a value a code span cannot carry (a backtick, in %s): no command, and why',
    (_, p, cause, what) => {
      const steps = exactSteps(causeFor(cause).steps, finding(cause, read(p, cause)));
      for (const step of steps) expect(step).not.toMatch(/<(?:address|host|probe|fqdn)>/);
      expect(steps).toContainEqual(
        expect.stringContaining(`No command for this step here: ${what} holds a backtick`),
      );
    },
  );

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
      // Issue 17's trial: `-n <probe>` for a default probe, which has no name.
      ['the default probe', resolved(settings({ port: 8080 }), undefined, 'backend.contoso.net'), []],
    ])('configuration read (%s): no placeholder left', (_, p, unknown) => {
      const steps = exactCause(finding(id, read(p, id), status)).steps;
      const left = placeholders(steps).filter((name) => !unknown.includes(name));
      expect(left).toEqual([]);
    });
  });

  // Issue 17's trial: the default probe (no name, not editable) got `probe update -n <probe>`.
  it('the default probe: a change becomes a custom probe with its values and the change, attached', () => {
    const steps = exactSteps(
      causeFor('probe-timeout').steps,
      finding('probe-timeout', read(DEFAULT_PROBE, 'probe-timeout')),
    ).join('\n');
    expect(steps).toContain(
      // (the fixture's probe names gateway appgw in rg: probe-commands take the gateway from the probe)
      `\`az network application-gateway probe create -g rg --gateway-name appgw -n settings-a-probe --protocol Http --host 127.0.0.1 --path / --interval "\${PROBE_INTERVAL_SECONDS:?`,
    );
    expect(steps).toContain(`--timeout "\${PROBE_TIMEOUT_SECONDS:?`);
    expect(steps).toContain(
      `--threshold 3 && az network application-gateway http-settings update -g rg --gateway-name appgw -n settings-a --probe settings-a-probe\``,
    );
    expect(steps).not.toContain('<probe>');
    const accept = exactSteps(
      causeFor('status-code-mismatch', { receivedStatus: 401 }).steps,
      finding('status-code-mismatch', read(DEFAULT_PROBE, 'status-code-mismatch')),
    ).join('\n');
    expect(accept).toMatch(
      /probe create .* --match-status-codes 200-399 401 && az .* --probe settings-a-probe`/,
    );
  });

  // Issue 17's trial: a 503 was offered "accept 401" (accepting a 5xx would mark a failing server healthy).
  it.each<[number | undefined, string | undefined]>([
    [401, '--match-status-codes 200-399 401`'],
    [403, '--match-status-codes 200-399 403`'],
    [204, '--match-status-codes 200-399 204`'],
    [undefined, '--match-status-codes 200-399 "${ACCEPTED_STATUS:?'],
    [503, undefined],
    [500, undefined],
    [404, undefined],
    [302, undefined],
    [400, undefined],
  ])(
    'status %s: accepting it is offered only where it can be right, with that status',
    (status, expected) => {
      const steps = causeFor(
        'status-code-mismatch',
        status === undefined ? {} : { receivedStatus: status },
      ).steps;
      const accept = steps.filter((step) => step.includes('--match-status-codes'));
      if (expected === undefined) expect(accept).toEqual([]);
      else expect(accept).toEqual([expect.stringContaining(expected)]);
    },
  );

  it("a custom probe's own match is the one extended", () => {
    const narrow = resolved(settings(), probe({ statusCodes: ['200', '202'] }));
    const steps = exactSteps(
      causeFor('status-code-mismatch', { receivedStatus: 204 }).steps,
      finding('status-code-mismatch', read(narrow, 'status-code-mismatch'), 204),
    ).join('\n');
    expect(steps).toContain('-n probe-a --match-status-codes 200 202 204`');
  });

  // Issue 17's second trial: a v1 gateway was offered `root-cert create`, a v2-only command, and every
  // certificate insight gave both the v1 and the v2 steps though the SKU was read.
  it.each<['v1' | 'v2', RegExp, RegExp]>([
    ['v1', /^v1 SKU/m, /^v2 SKU|root-cert create/m],
    ['v2', /^v2 SKU/m, /^v1 SKU/m],
  ])('the SKU read (%s): only its own steps', (generation, has, hasNot) => {
    const p = resolved(settings({ protocol: 'Https', port: 443 }), undefined, '10.0.0.5', generation);
    for (const id of [
      'cert-root-mismatch',
      'cert-untrusted-ca',
      'cert-expired',
      'cert-cn-mismatch',
    ] as const) {
      const steps = exactSteps(causeFor(id).steps, finding(id, read(p, id))).join('\n');
      expect({ id, has: has.test(steps), hasNot: hasNot.test(steps) }).toEqual({
        id,
        has: true,
        hasNot: false,
      });
    }
    // Unread, both stay: the SKU is not known.
    const general = exactSteps(causeFor('cert-root-mismatch').steps, finding('cert-root-mismatch')).join(
      '\n',
    );
    expect(general).toMatch(/^v1 SKU/m);
    expect(general).toMatch(/root-cert create/);
  });

  // Issue 17's fifth trial: a match of 200-399, 404, 201 was told it leaves out 200, and offered
  // `--match-status-codes 200-399 404 201 200`; a 404 it accepts was told to probe a path that exists.
  it.each([200, 404, 201])(
    'a match that already accepts %s: no change to the match, no advice on the status, the recheck first',
    (status) => {
      const wide = resolved(settings(), probe({ statusCodes: ['200-399', '404', '201'] }));
      const observations = observeConfiguration(wide, {
        causeId: 'status-code-mismatch',
        receivedStatus: status,
      });
      const steps = exactSteps(causeFor('status-code-mismatch', { receivedStatus: status }).steps, {
        ...finding('status-code-mismatch', undefined, status),
        configuration: { read: true, probe: wide, observations },
      });
      const text = steps.join('\n');
      expect(text).not.toMatch(/--match-status-codes|--query match|^HTTP \d+:/m);
      expect(steps[0]).toBe(
        'Nothing in the match of probe "probe-a" of backend setting "settings-a" explains this reading: as configured now it accepts status "200-399, 404, 201", so the reading came before the probe was last changed (or the gateway has not applied the change yet). Run the recheck to see what the probe gets now, before changing anything.',
      );
      // The exact reproduction stays: it shows what the backend answers now.
      expect(text).toContain('curl -i');
    },
  );

  // Issue 17's fifth trial's check: the title said "not accepted"; a recheck told the reader to run the
  // recheck its own answer came from; a notice (its general reproduction taken out first) lost the step.
  describe('a contradicted reading, everywhere it is said', () => {
    const wide = resolved(settings(), probe({ statusCodes: ['200-399', '404', '201'] }));
    const cause = causeFor('status-code-mismatch', { receivedStatus: 200 });
    const known = (onDemand: boolean) => ({
      ...finding('status-code-mismatch', undefined, 200),
      configuration: {
        read: true as const,
        probe: wide,
        observations: observeConfiguration(wide, {
          causeId: 'status-code-mismatch',
          receivedStatus: 200,
          ...(onDemand ? { onDemand: true } : {}),
        }),
        ...(onDemand ? { onDemand: true as const } : {}),
      },
    });

    it('the title says the match accepts it, not "not accepted"', () => {
      expect(exactCause(known(false)).title).toBe(
        "The backend answers the probe with HTTP 200, a status the probe's match accepts",
      );
      expect(cause.title).toContain('not accepted'); // the catalogue's, before the configuration
      expect(noticeCause(known(false)).title).toBe(exactCause(known(false)).title);
    });

    it('a notice keeps the step, though its general reproduction was taken out before', () => {
      expect(noticeCause(known(false)).steps.join('\n')).toContain('Nothing in the match of probe "probe-a"');
    });

    // The final trial: "recheck first" pointed at a step worded "Once fixed, confirm it".
    it("a notice's recheck step is the first check, not a fix's confirmation", () => {
      const steps = noticeCause(known(false)).steps;
      expect(steps.at(-1)).toMatch(
        /^Before changing anything, send the on-demand probe now: `appgw-insights recheck /,
      );
      expect(steps.join('\n')).not.toContain('Once fixed');
      const plain = resolved(settings(), probe());
      const ordinary = noticeCause({
        ...finding('status-code-mismatch', undefined, 401),
        configuration: {
          read: true,
          probe: plain,
          observations: observeConfiguration(plain, { causeId: 'status-code-mismatch', receivedStatus: 401 }),
        },
      });
      expect(ordinary.steps.at(-1)).toMatch(/^Once fixed, confirm it at once with an on-demand probe: /);
    });

    it("a recheck's own answer is not said to predate the configuration, nor sent to a recheck below", () => {
      const observed = known(true)
        .configuration.observations.map((o) => o.text)
        .join('\n');
      expect(observed).toContain(
        'the on-demand probe, sent with the configuration just read, reports it refused',
      );
      expect(observed).not.toMatch(/came before|recheck below/);
      const steps = exactSteps(cause.steps, known(true));
      expect(steps[0]).toMatch(
        /^Nothing in the match of probe "probe-a" .* explains this answer: .* recheck again in a minute\.$/,
      );
      expect(steps.join('\n')).not.toMatch(/came before|Run the recheck/);
    });
  });

  it("untrusted CA, a setting that trusts a root already: the step replaces that root, not 'upload the root' as if none", () => {
    const rooted = resolved(
      settings({
        protocol: 'Https',
        port: 443,
        hostName: 'www.contoso.com',
        trustedRootCertificateNames: ['root-a'],
      }),
    );
    const steps = exactSteps(
      causeFor('cert-untrusted-ca').steps,
      finding('cert-untrusted-ca', read(rooted, 'cert-untrusted-ca')),
    );
    expect(steps.join('\n')).not.toContain("set 'Use well known CA certificate' to No");
    expect(steps).toContain(
      `v2 SKU: backend setting "settings-a" already trusts "root-a": upload the root CA certificate the backend's chain ends at (Base-64 X.509 .CER) as a trusted root certificate, and reference it from the setting in place of the one it does not reach.`,
    );
    // Without a root: the catalogue's step.
    const bare = resolved(settings({ protocol: 'Https', port: 443, hostName: 'www.contoso.com' }));
    expect(
      exactSteps(
        causeFor('cert-untrusted-ca').steps,
        finding('cert-untrusted-ca', read(bare, 'cert-untrusted-ca')),
      ).join('\n'),
    ).toContain("set 'Use well known CA certificate' to No");
  });

  it('a body mismatch for a probe that matches no body: no change to the match, the recheck first', () => {
    const plain = resolved(settings(), probe());
    const steps = exactSteps(
      causeFor('body-mismatch').steps,
      finding('body-mismatch', read(plain, 'body-mismatch')),
    );
    expect(steps[0]).toMatch(/^Nothing in the match of probe "probe-a" .* it matches no response body, so/);
    expect(steps.join('\n')).not.toMatch(/--match-body|the probe's body match/);
    expect(steps.join('\n')).toContain('curl -i');
  });

  it("a custom probe's accept step says nothing of the default probe", () => {
    const steps = exactSteps(
      causeFor('status-code-mismatch', { receivedStatus: 401 }).steps,
      finding('status-code-mismatch', read(resolved(settings(), probe()), 'status-code-mismatch'), 401),
    ).join('\n');
    expect(steps).toContain('--match-status-codes 200-399 401');
    expect(steps).not.toContain('The default probe can only be replaced');
    // The default probe's keeps it.
    const byDefault = exactSteps(
      causeFor('status-code-mismatch', { receivedStatus: 401 }).steps,
      finding('status-code-mismatch', read(resolved(settings()), 'status-code-mismatch'), 401),
    ).join('\n');
    expect(byDefault).toContain('The default probe can only be replaced by a custom one.');
  });

  it('a probe with a body match: the step that accepts the status is left out (the body would still fail)', () => {
    const bodied = resolved(settings(), probe({ body: 'healthy' }));
    const steps = exactSteps(
      causeFor('status-code-mismatch', { receivedStatus: 401 }).steps,
      finding('status-code-mismatch', read(bodied, 'status-code-mismatch'), 401),
    );
    expect(steps.join('\n')).not.toContain('--match-status-codes');
    expect(steps.join('\n')).toContain('HTTP 401');
  });

  // Issue 17's second trial: a probe no command can reproduce kept the general `curl …<probe path>`
  // step, placeholders and all, and its "The default probe asks for …" said of a custom probe.
  it('a probe no command reproduces: why, never the general step with its placeholders', () => {
    const odd = resolved(settings(), probe({ host: 'bad host\nname' }));
    const steps = exactSteps(
      causeFor('status-code-mismatch', { receivedStatus: 404 }).steps,
      finding('status-code-mismatch', read(odd, 'status-code-mismatch'), 404),
    );
    expect(steps.join('\n')).toMatch(/No command reproduces this probe/);
    expect(steps.join('\n')).not.toMatch(/<probe path>|<probe host>|<address>|The default probe asks/);
  });

  // Issue 17's second trial: a `recovered` and a gateway-level notice carried `curl … <address>` and
  // `-n <probe>`: they have no one server's configuration to make them exact.
  it.each(CAUSE_IDS.map((id) => [id]))(
    '%s: without the server placeholders, what is left holds none, and nothing else is dropped',
    (id) => {
      const cause = exactCause(finding(id, undefined, id === 'status-code-mismatch' ? 401 : undefined));
      const left = withoutServerPlaceholders(cause);
      expect(placeholders(left.steps)).toEqual([]);
      expect(left.steps).toEqual(cause.steps.filter((step) => placeholders([step]).length === 0));
    },
  );

  it('nothing to fill: the same cause', () => {
    const f = finding('draining');
    expect(exactCause(f)).toBe(f.cause);
  });
});

// Issue 17's third trial: a catalogue step and the insight's own commands must agree.
describe('exactSteps: a step that changes the probe agrees with the insight', () => {
  const readWith = (p: ResolvedProbe, causeId: CauseId, receivedStatus?: number): FindingConfiguration => ({
    read: true,
    probe: p,
    observations: observeConfiguration(p, {
      causeId,
      ...(receivedStatus !== undefined ? { receivedStatus } : {}),
    }),
  });

  it('v1, the default probe, 401: the host name fixed first, and the new probe takes it from the setting (not --host 127.0.0.1)', () => {
    const v1 = resolved(settings({ port: 80 }), undefined, '10.0.0.5', 'v1');
    const configuration = readWith(v1, 'status-code-mismatch', 401);
    expect(configuration.read && configuration.observations.map((o) => o.id)).toContain(
      'default-probe-localhost',
    );
    const steps = exactSteps(
      causeFor('status-code-mismatch', { receivedStatus: 401 }).steps,
      finding('status-code-mismatch', configuration, 401),
    ).join('\n');
    expect(steps).not.toContain('--host 127.0.0.1');
    expect(steps).toMatch(
      /http-settings update .*--host-name "\$\{SITE_HOST_NAME:\?[^`]*&& az network application-gateway probe create .*--host-name-from-http-settings true .*--match-status-codes 200-399 401/,
    );
  });

  it("the portal's example is the probe's own match, not 200-399", () => {
    const narrow = resolved(settings(), probe({ statusCodes: ['200'] }));
    const steps = exactSteps(
      causeFor('status-code-mismatch', { receivedStatus: 401 }).steps,
      finding('status-code-mismatch', readWith(narrow, 'status-code-mismatch', 401), 401),
    ).join('\n');
    expect(steps).toContain('(e.g. `200,401`)');
    expect(steps).not.toContain('200-399');
  });

  it("a longer timeout also raises the setting's request timeout where that is not above the probe's", () => {
    const short = resolved(settings({ requestTimeoutInS: 10 }), probe({ timeoutInS: 10, intervalInS: 60 }));
    const steps = exactSteps(
      causeFor('probe-timeout').steps,
      finding('probe-timeout', readWith(short, 'probe-timeout')),
    ).join('\n');
    expect(steps).toMatch(
      /probe update .*--timeout "\$\{PROBE_TIMEOUT_SECONDS:\?[^`]*&& az network application-gateway http-settings update .*--timeout "\$\{PROBE_TIMEOUT_SECONDS/,
    );
  });

  it('a body match with backticks reads whole in the step that reproduces the probe', () => {
    const odd = resolved(settings(), probe({ body: "it's `ok` $(id)" }));
    const steps = exactSteps(
      causeFor('body-mismatch').steps,
      finding('body-mismatch', readWith(odd, 'body-mismatch')),
    );
    const reproduce = steps.find((s) => s.startsWith('Reproduce the probe'));
    expect(reproduce).toContain('with a body that contains "it\'s \\u0060ok\\u0060 $(id)"');
    // Only the command's own pair of backticks: nothing of the value opens a code span.
    expect(reproduce?.split('`')).toHaveLength(3);
  });
});

describe('the catalogue: a redirect is never offered to be accepted', () => {
  it.each([301, 302, 307, 308])('%s', (status) => {
    const steps = causeFor('status-code-mismatch', { receivedStatus: status }).steps.join('\n');
    expect(steps).not.toMatch(new RegExp(`include ${status}|accept ${status}[^ ]* in|--match-status-codes`));
    expect(steps).toContain('stop the redirect');
  });
});
