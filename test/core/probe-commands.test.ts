import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { observeConfiguration } from '../../src/core/config-observations';
import fc from 'fast-check';
import { CAUSE_IDS, type CauseId } from '../../src/core/causes';
import { fixCommands } from '../../src/core/probe-commands';
import { readGatewayConfig } from '../../src/core/gateway-config';
import {
  HEALTH_PATH_VARIABLE,
  requiredVariable,
  SITE_HOST_VARIABLE,
  variableLine,
  variablesRead,
  type ShellVariable,
} from '../../src/core/shell-variables';
import type { ResolvedProbe } from '../../src/core/probe-resolution';
import { shellArgv } from '../helpers/shell-argv';
import { probe, resolved, settings } from './config-fixtures';

const argv = shellArgv;
const usesSiteHost = (lines: readonly string[]) => variablesRead(lines).includes(SITE_HOST_VARIABLE);
const usesHealthPath = (lines: readonly string[]) => variablesRead(lines).includes(HEALTH_PATH_VARIABLE);

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

  // Issue 17's fifth trial: a host with a port; the name alone is known, so no variable is read.
  const SETTING_HOST_NAME_ALONE = [
    'http-settings',
    'update',
    '-g',
    'rg',
    '--gateway-name',
    'appgw',
    '-n',
    'settings-a',
    '--host-name',
    'shop.example.com',
  ];
  it.each([
    [
      "the probe's host",
      resolved(settings(), probe({ host: 'shop.example.com:8443' })),
      [
        'probe',
        'update',
        '-g',
        'rg',
        '--gateway-name',
        'appgw',
        '-n',
        'probe-a',
        '--host',
        'shop.example.com',
      ],
    ],
    [
      "the setting's host name",
      resolved(settings({ hostName: 'shop.example.com:80' })),
      SETTING_HOST_NAME_ALONE,
    ],
    [
      "the probe's host, and the setting's host name with the port too",
      resolved(settings({ hostName: 'shop.example.com:8443' }), probe({ host: 'shop.example.com:8443' })),
      SETTING_HOST_NAME_ALONE,
    ],
  ])('a host name with a port (%s): set to the name alone', (_, p, words) => {
    const lines = fix(p, 'status-code-mismatch', 400);
    expect(lines.map((l) => argv(l).slice(2))).toContainEqual(words);
    expect(usesSiteHost(lines)).toBe(false);
  });

  // Issue 17's second trial: clearing the body match to accept a 401 (`--match-body ''`) would have
  // marked healthy another server of the same probe that failed the body match for its own reason.
  it('a probe with a body match: no status accepted and no match cleared; a path that answers without credentials instead', () => {
    const p = resolved(settings({ hostName: 'www.contoso.com' }), probe({ body: 'OK' }));
    const facts = { causeId: 'status-code-mismatch' as const, receivedStatus: 401 };
    const observations = observeConfiguration(p, facts);
    expect(observations.map((o) => o.text).join(' ')).toMatch(
      /body match "OK" still applies.*rather than accept 401 and clear the match.*probe a path that answers without credentials/,
    );
    const lines = fixCommands(p, facts, observations);
    expect(lines).toEqual([
      expect.stringContaining(`-n probe-a --path ${requiredVariable(HEALTH_PATH_VARIABLE)}`),
    ]);
    expect(lines.join('\n')).not.toMatch(/--match-body|--match-status-codes/);
    // Without a body match, the 401 is accepted, and nothing is cleared.
    const plain = fix(resolved(settings(), probe()), 'status-code-mismatch', 401).join('\n');
    expect(plain).toContain('--match-status-codes 200-399 401');
    expect(plain).not.toContain('--match-body');
  });

  it('a 2xx a narrow match leaves out is accepted (a success), into the match as it is', () => {
    const lines = fix(resolved(settings(), probe({ statusCodes: ['200'] })), 'status-code-mismatch', 204);
    expect(lines).toEqual([expect.stringContaining('-n probe-a --match-status-codes 200 204')]);
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
    expect(hostLine).toContain(`"\${${SITE_HOST_VARIABLE}:?set ${SITE_HOST_VARIABLE} to `);
    expect(argv(hostLine ?? '', { [SITE_HOST_VARIABLE]: 'shop.contoso.com' })).toEqual(
      expect.arrayContaining(['--host-name', 'shop.contoso.com']),
    );
    expect(lines.join('\n')).not.toMatch(/[<>]/);
  });

  // F3: a pasted default (www.example.com) changed a live gateway to a made-up value.
  it.each([
    ['the site host name', SITE_HOST_VARIABLE, fix(resolved(settings()), 'status-code-mismatch', 404)],
    [
      'a health path',
      HEALTH_PATH_VARIABLE,
      fix(resolved(settings({ hostName: 'www.contoso.com' }), probe()), 'status-code-mismatch', 404),
    ],
    [
      "the probe's new timeout",
      'PROBE_TIMEOUT_SECONDS',
      fix(resolved(settings(), probe({ timeoutInS: 30, intervalInS: 30 })), 'probe-timeout'),
    ],
    [
      "the probe's new interval",
      'PROBE_INTERVAL_SECONDS',
      fix(resolved(settings(), probe({ timeoutInS: 30, intervalInS: 30 })), 'other'),
    ],
    [
      "a v1 backend's certificate file",
      'AUTH_CERT_FILE',
      fix(
        resolved(
          settings({ protocol: 'Https', trustedRootCertificateNames: ['r'] }),
          undefined,
          '10.0.0.5',
          'v1',
        ),
        'cert-untrusted-ca',
      ),
    ],
    [
      "a v2 backend's root certificate file",
      'ROOT_CERT_FILE',
      fix(resolved(settings({ protocol: 'Https' })), 'cert-untrusted-ca'),
    ],
  ])(
    '%s: the shell refuses the command while the variable is unset or empty, naming it',
    (_n, name, lines) => {
      const line = lines.find((l) => l.includes(`\${${name}:?`)) ?? '';
      expect(line).not.toBe('');
      for (const env of [{}, { [name]: '' }])
        expect(() => argv(line, env)).toThrow(new RegExp(`${name}: set ${name} to `));
      // The line that introduces it sets it empty, saying what to put there: no plausible default.
      expect(variableLine(name)).toMatch(
        new RegExp(
          `^${name}=''; : 'set ${name} to [^']+ refuse to run while it is empty, we cannot know it'$`,
        ),
      );
    },
  );

  // Issue 17's second trial: interactive zsh (macOS's shell) takes no `#` comment, so a pasted
  // `NAME=''  # … (…)` failed to parse, the variable kept a value from an earlier paste, and the
  // command ran with it. Pasted as a block after a stale value, in bash and in interactive zsh: refused.
  it.each([
    ['bash', ['--norc', '--noprofile', '-i']],
    ['zsh', ['-f', '-i']],
  ])(
    'pasted into %s after an earlier value: the block empties it and the command is refused',
    (shell, args) => {
      const lines = fix(resolved(settings()), 'status-code-mismatch', 404);
      const command = lines.find((l) => l.includes(SITE_HOST_VARIABLE)) ?? '';
      const pasted = [
        `${SITE_HOST_VARIABLE}=stale.example.com`,
        variableLine(SITE_HOST_VARIABLE),
        command.replace(/^az /, "printf 'RAN %s\\n' "),
        '',
      ].join('\n');
      const result = spawnSync(shell, args, {
        input: pasted,
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '', HOME: os.tmpdir(), TERM: 'dumb' },
      });
      expect(result.error).toBeUndefined();
      expect(result.stdout + result.stderr).not.toContain('RAN');
      expect(result.stderr).toContain(`${SITE_HOST_VARIABLE}: set ${SITE_HOST_VARIABLE} to `);
    },
  );

  it('every variable a command uses is the refusing form, and has its introducing line', () => {
    const names: ShellVariable[] = [
      SITE_HOST_VARIABLE,
      HEALTH_PATH_VARIABLE,
      'PROBE_TIMEOUT_SECONDS',
      'PROBE_INTERVAL_SECONDS',
      'AUTH_CERT_FILE',
      'ROOT_CERT_FILE',
      'ROOT_CERT_NAME',
      'MATCH_BODY',
      'ACCEPTED_STATUS',
      'NIC_NAME',
      'NIC_RESOURCE_GROUP',
    ];
    for (const name of names) {
      expect(requiredVariable(name)).toMatch(new RegExp(`^"\\$\\{${name}:\\?set ${name} to [^"}$\`]+\\}"$`));
      expect(variableLine(name)).not.toMatch(/example|\/health/);
    }
  });

  it('503 from the backend (the demo appgw-edge insight): no host name change, the backend is what to fix', () => {
    const edge = resolved(
      settings({ name: 'edge-tls-settings', protocol: 'Https', port: 443, hostName: '10.1.0.4' }),
    );
    const lines = fix(edge, 'status-code-mismatch', 503);
    expect(lines.join('\n')).not.toMatch(/--host(?:-name)? |--host-name-from-backend-pool /);
    expect(usesSiteHost(lines)).toBe(false);
    // The same configuration under a 404 still gets it (the host can explain a missing page).
    expect(usesSiteHost(fix(edge, 'status-code-mismatch', 404))).toBe(true);
  });

  it('v1, HTTPS to an IP address in the pool, CN mismatch: no host name command (v1 sends the address as SNI)', () => {
    for (const s of [
      settings({ protocol: 'Https', port: 443 }),
      settings({ protocol: 'Https', port: 443, hostName: '10.9.9.9' }),
      settings({ protocol: 'Https', port: 443, pickHostNameFromBackendAddress: true }),
    ]) {
      const p = resolved(s, undefined, '10.0.0.5', 'v1');
      const seen = observeConfiguration(p, { causeId: 'cert-cn-mismatch' });
      expect(seen.map((o) => o.id)).toContain('https-without-server-name');
      const lines = fixCommands(p, { causeId: 'cert-cn-mismatch' }, seen);
      expect(lines.join('\n')).not.toMatch(/--host(?:-name)? |--host-name-from-backend-pool /);
      // On v2 the same setting's host name is what the probe sends as SNI: the command is offered.
      const v2 = resolved(s, undefined, '10.0.0.5', 'v2');
      expect(
        usesSiteHost(
          fixCommands(
            v2,
            { causeId: 'cert-cn-mismatch' },
            observeConfiguration(v2, { causeId: 'cert-cn-mismatch' }),
          ),
        ),
      ).toBe(true);
    }
  });

  it('picks the host name from an FQDN backend pool instead', () => {
    expect(
      fix(resolved(settings(), undefined, 'app.contoso.internal'), 'status-code-mismatch', 404),
    ).toContainEqual(expect.stringContaining('--host-name-from-backend-pool true'));
  });

  // Issue 17's trial: `--timeout 60 --interval 120` (twice the probe's) was a number we made up; how long
  // the backend takes only the reader can measure (the steps time the probe path first).
  it('raises the timeout of a slow backend to what the reader measured, the interval only when it leaves no room', () => {
    const timeout = requiredVariable('PROBE_TIMEOUT_SECONDS');
    const interval = requiredVariable('PROBE_INTERVAL_SECONDS');
    expect(fix(resolved(settings(), probe({ timeoutInS: 30, intervalInS: 30 })), 'probe-timeout')).toEqual([
      expect.stringContaining(`-n probe-a --timeout ${timeout} --interval ${interval}`),
    ]);
    expect(fix(resolved(settings(), probe({ timeoutInS: 10, intervalInS: 30 })), 'probe-timeout')).toEqual([
      expect.stringMatching(new RegExp(`-n probe-a --timeout \\S+SECONDS:\\?[^"]+"$`)),
    ]);
    // The default probe (30 s, every 30 s) is replaced by one with the reader's timeout and interval.
    const byDefault = fix(resolved(settings({ hostName: 'www.contoso.com' })), 'probe-timeout');
    expect(byDefault[0]).toContain(`probe create -g rg --gateway-name appgw -n settings-a-probe`);
    expect(byDefault[0]).toContain(`--interval ${interval} --timeout ${timeout} --threshold 3`);
    expect(byDefault[1]).toContain('--probe settings-a-probe');
    const run = argv(byDefault[0] ?? '', { PROBE_TIMEOUT_SECONDS: '75', PROBE_INTERVAL_SECONDS: '90' });
    expect(run).toEqual(expect.arrayContaining(['--interval', '90', '--timeout', '75']));
  });

  // Issue 17's trial: `-n backend-cert --cert-file backend.cer` named a file nobody has.
  it('uploads the right kind of certificate for the SKU, from the file the reader names, named after the setting', () => {
    const v1 = fix(
      resolved(
        settings({ protocol: 'Https', trustedRootCertificateNames: ['r'] }),
        undefined,
        '10.0.0.5',
        'v1',
      ),
      'cert-untrusted-ca',
    );
    expect(v1).toEqual([
      `az network application-gateway auth-cert create -g rg --gateway-name appgw -n settings-a-auth --cert-file ${requiredVariable('AUTH_CERT_FILE')}`,
      'az network application-gateway http-settings update -g rg --gateway-name appgw -n settings-a --auth-certs settings-a-auth',
    ]);
    const v2 = fix(resolved(settings({ protocol: 'Https' })), 'cert-untrusted-ca');
    expect(v2).toEqual([
      `az network application-gateway root-cert create -g rg --gateway-name appgw -n settings-a-root --cert-file ${requiredVariable('ROOT_CERT_FILE')}`,
      'az network application-gateway http-settings update -g rg --gateway-name appgw -n settings-a --root-certs settings-a-root',
    ]);
    // A long setting name still gives a name ARM takes (80 characters at most).
    const long = fix(resolved(settings({ protocol: 'Https', name: 'x'.repeat(80) })), 'cert-untrusted-ca');
    // (cut, with a digest of the whole name, so two long settings that begin alike differ).
    expect(argv(long[0] ?? '', { ROOT_CERT_FILE: 'r.cer' })[9]).toMatch(
      new RegExp(`^${'x'.repeat(66)}-[0-9a-f]{8}-root$`),
    );
  });

  it('leaves a setting that already has the kind of certificate it needs alone (the list would be replaced)', () => {
    const v1 = resolved(
      settings({
        protocol: 'Https',
        trustedRootCertificateNames: ['r'],
        authenticationCertificateNames: ['a'],
      }),
      undefined,
      '10.0.0.5',
      'v1',
    );
    expect(fix(v1, 'cert-root-mismatch').join('\n')).not.toMatch(/auth-cert|--auth-certs/);
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

describe('fixCommands: never a change that hides a failure, in an order ARM accepts', () => {
  const fix = (p: ResolvedProbe, causeId: CauseId, receivedStatus?: number) => {
    const facts = { causeId, ...(receivedStatus !== undefined ? { receivedStatus } : {}) };
    return {
      lines: fixCommands(p, facts, observeConfiguration(p, facts)),
      seen: observeConfiguration(p, facts),
    };
  };
  const named = settings({ hostName: 'www.contoso.com' });

  it.each([500, 502, 503, 504])(
    '%i: fix the backend, no match change (custom and default probe)',
    (status) => {
      for (const p of [resolved(named, probe()), resolved(named)]) {
        const { lines, seen } = fix(p, 'status-code-mismatch', status);
        expect(lines.join('\n')).not.toContain('--match-status-codes');
        const text = seen.find((o) => o.id === 'match-excludes-status')?.text ?? '';
        expect(text).toContain('fix the backend');
        expect(text).not.toMatch(/can accept/);
      }
    },
  );

  it.each([404, 410, 301, 302])('%i: probe another path, no match change', (status) => {
    const custom = fix(resolved(named, probe({ statusCodes: ['200'] })), 'status-code-mismatch', status);
    expect(custom.lines).toEqual([
      expect.stringContaining(`-n probe-a --path ${requiredVariable(HEALTH_PATH_VARIABLE)}`),
    ]);
    expect(usesHealthPath(custom.lines)).toBe(true);
    const byDefault = fix(
      resolved(named),
      'status-code-mismatch',
      status === 301 || status === 302 ? 404 : status,
    );
    expect(byDefault.lines[0]).toContain(`probe create`);
    expect(byDefault.lines[0]).toContain(`--path ${requiredVariable(HEALTH_PATH_VARIABLE)}`);
    expect(byDefault.lines.join('\n')).not.toContain('--match-status-codes');
  });

  it('404 with a wrong Host: the host is fixed, not the path', () => {
    const { lines } = fix(resolved(settings()), 'status-code-mismatch', 404);
    expect(lines.join('\n')).not.toContain(HEALTH_PATH_VARIABLE);
    expect(lines.join('\n')).toContain('--host-name');
  });

  it.each([401, 403])('%i: accepting is offered, and a body match is said to still apply', (status) => {
    const plain = fix(resolved(named, probe()), 'status-code-mismatch', status);
    expect(plain.lines).toEqual([expect.stringContaining(`--match-status-codes 200-399 ${status}`)]);
    const withBody = fix(resolved(named, probe({ body: 'healthy' })), 'status-code-mismatch', status);
    expect(withBody.seen.find((o) => o.id === 'match-excludes-status')?.text).toContain(
      'body match "healthy" still applies',
    );
  });

  it.each([400, 405, 429])('%i: no match change', (status) => {
    expect(fix(resolved(named, probe()), 'status-code-mismatch', status).lines).toEqual([]);
  });

  it('sets the host name on the setting before a new probe picks it from there, and attaches the probe last', () => {
    const { lines } = fix(resolved(settings()), 'status-code-mismatch', 401);
    expect(
      lines.map((l) =>
        argv(l, { [SITE_HOST_VARIABLE]: 'shop.contoso.com' })
          .slice(2, 4)
          .join(' '),
      ),
    ).toEqual(['http-settings update', 'probe create', 'http-settings update']);
    expect(lines[0]).toContain(`--host-name ${requiredVariable(SITE_HOST_VARIABLE)}`);
    expect(lines[1]).toContain('--host-name-from-http-settings true');
    expect(lines[2]).toContain('--probe settings-a-probe');
  });

  it('turns "pick host name from backend target" off when it overrides the host name', () => {
    const { lines } = fix(
      resolved(settings({ pickHostNameFromBackendAddress: true })),
      'status-code-mismatch',
      404,
    );
    expect(lines).toEqual([expect.stringContaining('--host-name-from-backend-pool false')]);
  });

  it.each([
    [
      'interval more than twice the timeout: the timeout alone',
      probe({ timeoutInS: 10, intervalInS: 30 }),
      ['--timeout "${PROBE_TIMEOUT_SECONDS:?'],
      ['--interval'],
    ],
    [
      'interval not above twice the timeout: the interval too, above the new timeout',
      probe({ timeoutInS: 20, intervalInS: 30 }),
      ['--timeout "${PROBE_TIMEOUT_SECONDS:?', '--interval "${PROBE_INTERVAL_SECONDS:?'],
      [],
    ],
  ])('probe-timeout: %s', (_, pr, has, hasNot) => {
    const { lines } = fix(resolved(named, pr), 'probe-timeout');
    for (const h of has) expect(lines.join('\n')).toContain(h);
    for (const h of hasNot) expect(lines.join('\n')).not.toContain(h);
  });

  it("probe-timeout: the setting's request timeout, if not above the probe's now, gets the new timeout too; a longer one is left", () => {
    const short = fix(
      resolved(settings({ hostName: 'w.c', requestTimeoutInS: 10 }), probe({ timeoutInS: 10 })),
      'probe-timeout',
    );
    expect(short.lines).toContainEqual(
      expect.stringMatching(/http-settings update .* --timeout "\$\{PROBE_TIMEOUT_SECONDS:\?[^"]+"$/),
    );
    const long = fix(
      resolved(settings({ hostName: 'w.c', requestTimeoutInS: 15 }), probe({ timeoutInS: 10 })),
      'probe-timeout',
    );
    expect(long.lines.join('\n')).not.toContain('http-settings update');
  });

  it('timeout not below the interval under another cause: the interval goes above it', () => {
    expect(fix(resolved(named, probe({ timeoutInS: 30, intervalInS: 30 })), 'other').lines).toEqual([
      expect.stringContaining(`-n probe-a --interval ${requiredVariable('PROBE_INTERVAL_SECONDS')}`),
    ]);
  });

  it('any probe, cause and status: dependencies first, no status of a failing backend accepted', () => {
    const names = fc.constantFrom<string | undefined>(undefined, 'www.contoso.com', '10.9.9.9');
    fc.assert(
      fc.property(
        fc.record({
          hostName: names,
          pick: fc.boolean(),
          protocol: fc.constantFrom('Http', 'Https'),
          trusted: fc.boolean(),
          auth: fc.boolean(),
          requestTimeoutInS: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
        }),
        fc.option(
          fc.record({
            host: names,
            pick: fc.boolean(),
            timeoutInS: fc.integer({ min: 1, max: 90 }),
            intervalInS: fc.integer({ min: 1, max: 90 }),
            port: fc.option(fc.constantFrom(81, 8443), { nil: undefined }),
          }),
          { nil: undefined },
        ),
        fc.constantFrom('10.0.0.5', 'app.internal'),
        fc.constantFrom<'v1' | 'v2'>('v1', 'v2'),
        fc.constantFrom<CauseId>(...CAUSE_IDS),
        fc.integer({ min: 100, max: 599 }),
        (s, pr, address, generation, causeId, status) => {
          const st = settings({
            protocol: s.protocol,
            pickHostNameFromBackendAddress: s.pick,
            trustedRootCertificateNames: s.trusted ? ['r'] : [],
            authenticationCertificateNames: s.auth ? ['a'] : [],
            ...(s.hostName !== undefined ? { hostName: s.hostName } : {}),
            ...(s.requestTimeoutInS !== undefined ? { requestTimeoutInS: s.requestTimeoutInS } : {}),
          });
          const p = resolved(
            st,
            pr
              ? probe({
                  protocol: s.protocol,
                  host: pr.host,
                  pickHostNameFromBackendHttpSettings: pr.pick,
                  timeoutInS: pr.timeoutInS,
                  intervalInS: pr.intervalInS,
                  ...(pr.port !== undefined ? { port: pr.port } : {}),
                })
              : undefined,
            address,
            generation,
          );
          const { lines } = fix(p, causeId, status);
          const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
          const last = (re: RegExp) => lines.map((l) => re.test(l)).lastIndexOf(true);
          const settingsHost = last(/http-settings update .*--host-name/);
          const picksFromSettings = at(/--host-name-from-http-settings true/);
          if (settingsHost >= 0 && picksFromSettings >= 0)
            expect(settingsHost).toBeLessThan(picksFromSettings);
          const created = at(/ probe create /);
          const attached = at(/ --probe /);
          if (attached >= 0) expect(created).toBeLessThan(attached);
          for (const kind of ['root', 'auth'] as const) {
            const cert = at(new RegExp(` ${kind}-cert create `));
            const uses = at(new RegExp(`--${kind}-certs `));
            if (uses >= 0) expect(cert).toBeLessThan(uses);
          }
          if (lines.some((l) => l.includes('--match-status-codes')))
            expect(status === 401 || status === 403 || (status >= 200 && status <= 299)).toBe(true);
          // No body match is ever cleared: the probe may watch servers whose body it still checks.
          for (const l of lines) expect(l).not.toContain('--match-body');
          const hostChange = /--host(?:-name)? |--host-name-from-backend-pool /;
          // A backend's own error (5xx) is fixed at the backend; v1 sends the address as SNI.
          if (causeId === 'status-code-mismatch' && status >= 500)
            expect(lines.join('\n')).not.toMatch(hostChange);
          if (generation === 'v1' && causeId.startsWith('cert-'))
            expect(lines.join('\n')).not.toMatch(hostChange);
          // Every variable the reader sets is read in the form the shell refuses while it is empty.
          for (const l of lines) {
            const read = [...l.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]);
            expect(read.filter((name) => !variablesRead([l]).includes(name as ShellVariable))).toEqual([]);
            expect(l).not.toMatch(/\$(?!\{[A-Z_]+:\?)/);
          }
          // No value we made up: a number is the probe's own (a new probe copies the default one's),
          // a changed one is the reader's; a certificate file is always the reader's.
          for (const l of lines) {
            for (const [, flag, value] of l.matchAll(/ --(timeout|interval) (\d+)/g))
              expect({ l, value: Number(value) }).toEqual({
                l,
                value: flag === 'timeout' ? p.timeoutInS : p.intervalInS,
              });
            if (/ --(timeout|interval) \d/.test(l)) expect(l).toContain(' probe create ');
            if (l.includes('--cert-file')) expect(l).toMatch(/--cert-file "\$\{(?:AUTH|ROOT)_CERT_FILE:\?/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// Issue 17's third trial: a Partial server (health "Partial") was offered a host name change.
describe('fixCommands: a Partial server', () => {
  it('gets no change of what the configuration shows, but a time-out still its longer timeout', () => {
    const p = resolved(settings());
    const facts = { causeId: 'status-code-mismatch', receivedStatus: 400 } as const;
    expect(fixCommands(p, facts, observeConfiguration(p, facts)).join('\n')).toContain('--host-name');
    const partial = observeConfiguration(p, { ...facts, partial: true });
    expect(partial.map((o) => o.id)).toContain('health-partial');
    expect(fixCommands(p, facts, partial)).toEqual([]);
    const slow = { causeId: 'probe-timeout' } as const;
    expect(fixCommands(p, slow, observeConfiguration(p, { ...slow, partial: true })).join('\n')).toContain(
      'PROBE_TIMEOUT_SECONDS',
    );
  });
});

// Issue 17's fourth trial: `probe create -n s-exists-probe` where the gateway had such a probe (serving
// other settings), and two long settings that begin alike given one new probe name.
describe('fixCommands: a new probe or certificate never takes a name the gateway has', () => {
  const withTaken = (p: ResolvedProbe, taken: Partial<ResolvedProbe['takenNames']>): ResolvedProbe => ({
    ...p,
    takenNames: { ...p.takenNames, ...taken },
  });
  const accept401 = { causeId: 'status-code-mismatch', receivedStatus: 401 } as const;
  const created = (p: ResolvedProbe, facts: Parameters<typeof fixCommands>[1]): string[] =>
    fixCommands(p, facts, observeConfiguration(p, facts)).flatMap(
      (c) => /(?:probe|root-cert|auth-cert) create .* -n (\S+)/.exec(c)?.[1] ?? [],
    );

  it.each([
    ['free', [], 'settings-a-probe'],
    ['taken', ['settings-a-probe'], 'settings-a-2-probe'],
    ['taken in another case, and its next', ['SETTINGS-A-PROBE', 'settings-a-2-probe'], 'settings-a-3-probe'],
  ])('a probe: %s', (_, probes, name) => {
    const p = withTaken(resolved(settings({ hostName: 'www.contoso.com' })), { probes });
    expect(created(p, accept401)).toEqual([name]);
  });

  it('a root certificate whose name is taken', () => {
    const p = withTaken(resolved(settings({ protocol: 'Https', port: 443 })), {
      trustedRootCertificates: ['settings-a-root'],
    });
    expect(created(p, { causeId: 'cert-untrusted-ca' })).toEqual(['settings-a-2-root']);
  });

  it('two long settings that begin alike get two names, each within 80 characters', () => {
    const long = (end: string) =>
      resolved(settings({ name: `${'s'.repeat(78)}${end}`, hostName: 'www.contoso.com' }));
    const [a] = created(long('-a'), accept401);
    const [b] = created(long('-b'), accept401);
    expect(a).not.toEqual(b);
    for (const name of [a, b]) expect(name?.length).toBeLessThanOrEqual(80);
  });

  it("read from the configuration GET: the gateway's probes and certificates", () => {
    const reading = readGatewayConfig({
      properties: {
        sku: { name: 'Standard_v2', tier: 'Standard_v2' },
        probes: [
          {
            name: 'p1',
            properties: {
              protocol: 'Http',
              host: 'h',
              path: '/',
              interval: 30,
              timeout: 30,
              unhealthyThreshold: 3,
            },
          },
        ],
        trustedRootCertificates: [{ name: 'root-1', properties: {} }],
        authenticationCertificates: [{ name: 'auth-1', properties: {} }],
      },
    });
    expect(reading.ok && reading.config.certificateNames).toEqual({
      trustedRoot: ['root-1'],
      authentication: ['auth-1'],
    });
  });
});

// Issue 17's fourth trial: a 401 the probe got from port 8081 was offered to be accepted, beside the
// change that moves the probe to the setting's port 80, whose answer is not known yet.
describe("fixCommands: a status from another port than the setting's", () => {
  it('the port is fixed first; nothing is accepted or re-pathed on that answer', () => {
    const p = resolved(settings({ port: 80 }), probe({ port: 8081 }));
    const facts = { causeId: 'status-code-mismatch', receivedStatus: 401 } as const;
    const observations = observeConfiguration(p, facts);
    expect(observations.map((o) => o.id)).toEqual(
      expect.arrayContaining(['match-excludes-status', 'probe-port-differs']),
    );
    const commands = fixCommands(p, facts, observations).join('\n');
    expect(commands).toContain('--port 80');
    expect(commands).not.toMatch(/--match-status-codes|--path/);
  });
});
