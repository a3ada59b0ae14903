/**
 * Every `az network application-gateway … update` line an insight offers uses options its command group
 * has (issue 17, item 3): an HTTP setting is changed by `http-settings update`, a TCP/TLS proxy setting
 * by `settings update`, whose options differ (`--backend-pool-host-name`, not
 * `--host-name-from-backend-pool`; no `--auth-certs`). Every observation and every cause is run through
 * fixCommands, on each kind of setting, generation and probe, so a new branch is checked too.
 *
 * The option lists, from the Azure CLI reference (learn.microsoft.com/cli/azure/network/application-gateway/
 * http-settings and …/application-gateway/settings, "update"; the `settings update` options also as the
 * Azure/azure-cli help lists them: `--backend-pool-host-name`, `--host-name`, `--port`, `--probe`,
 * `--protocol`, `--root-certs`, `--timeout`). Only the options our commands may use are listed.
 */
import { CAUSE_IDS } from '../../src/core/causes';
import { OBSERVATION_IDS } from '../../src/core/config-observations';
import { fixCommands } from '../../src/core/probe-commands';
import { probe, resolved, settings } from './config-fixtures';

const COMMON = ['-g', '--gateway-name', '-n'];
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'http-settings update': [
    ...COMMON,
    '--host-name',
    '--host-name-from-backend-pool',
    '--probe',
    '--root-certs',
    '--auth-certs',
    '--timeout',
    '--port',
    '--protocol',
  ],
  'settings update': [
    ...COMMON,
    '--host-name',
    '--backend-pool-host-name',
    '--probe',
    '--root-certs',
    '--timeout',
    '--port',
    '--protocol',
  ],
  'probe create': [
    ...COMMON,
    '--protocol',
    '--host',
    '--host-name-from-http-settings',
    '--path',
    '--interval',
    '--timeout',
    '--threshold',
    '--port',
    '--match-status-codes',
    '--match-body',
  ],
  'probe update': [
    ...COMMON,
    '--protocol',
    '--host',
    '--host-name-from-http-settings',
    '--path',
    '--interval',
    '--timeout',
    '--threshold',
    '--port',
    '--match-status-codes',
    '--match-body',
  ],
  'root-cert create': [...COMMON, '--cert-file'],
  'auth-cert create': [...COMMON, '--cert-file'],
};

const CASES = [
  ['an HTTP setting, default probe, v2', settings({ protocol: 'Https', port: 443 }), undefined, 'v2'],
  [
    'an HTTP setting, custom probe, v1',
    settings({ protocol: 'Https', port: 443 }),
    probe({ protocol: 'Https', port: 8443 }),
    'v1',
  ],
  [
    'a TCP/TLS setting (Tls), default probe, v2',
    settings({ protocol: 'Tls', port: 6380, layer4: true }),
    undefined,
    'v2',
  ],
  [
    'a TCP/TLS setting (Tcp), custom probe, v2',
    settings({ protocol: 'Tcp', port: 5432, layer4: true, requestTimeoutInS: 5 }),
    probe({ protocol: 'Tcp', port: 5433 }),
    'v2',
  ],
  // Not a gateway ARM would hold (the TCP/TLS proxy is v2 only), but a SKU read wrong must not make a command that fails.
  [
    'a TCP/TLS setting on what reads as v1',
    settings({ protocol: 'Tls', port: 6380, layer4: true }),
    undefined,
    'v1',
  ],
] as const;

describe.each(CASES)('%s', (_, s, p, generation) => {
  const all = OBSERVATION_IDS.map((id) => ({ id, text: '' }));
  const lines = CAUSE_IDS.flatMap((causeId) =>
    fixCommands(resolved(s, p, '10.0.0.5', generation), { causeId, receivedStatus: 401 }, all),
  );

  it('every command is one of a known group, with only that group’s options', () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const group = Object.keys(ALLOWED).find((g) => line.startsWith(`az network application-gateway ${g} `));
      expect({ line, group }).toEqual({ line, group: expect.any(String) });
      const options = line.split(' ').filter((word) => /^--?[a-z]/.test(word));
      const unknown = options.filter((o) => !(ALLOWED[group ?? ''] ?? []).includes(o));
      expect({ line, unknown }).toEqual({ line, unknown: [] });
    }
  });

  it('the setting is changed by its own group', () => {
    const wrong = s.layer4 ? ' http-settings ' : ' settings ';
    expect(lines.filter((l) => l.includes(wrong))).toEqual([]);
  });
});
