/**
 * The exact commands an insight offers (pure): a `curl` that sends what the gateway's probe sends, and
 * the `az network application-gateway …` commands that change what the configuration shows is likely
 * wrong. Every value from ARM is one shell word (shell-quote.ts); a value we cannot know (the site's
 * real host name, a health path) is a shell variable the reader sets, never a `<placeholder>` a shell
 * would read as a redirection, and never given a plausible default: the insight sets it empty and each
 * command reads it as `"${NAME:?set NAME to …}"`, which bash and zsh refuse to run while it is empty
 * (a pasted default such as www.example.com would change a live gateway to a made-up value).
 *
 * Options of the Azure CLI used (learn.microsoft.com/cli/azure/network/application-gateway, and its
 * http-settings and settings pages; test/core/probe-command-flags.test.ts checks every line): `probe
 * create|update` `--protocol --host --host-name-from-http-settings --path --interval --timeout
 * --threshold --port --match-status-codes`; `http-settings update` `--host-name
 * --host-name-from-backend-pool --probe --root-certs --auth-certs`; `root-cert create` and `auth-cert
 * create` `--cert-file`. A TCP/TLS proxy setting (gateway-config.ts `layer4`: `backendSettingsCollection`)
 * is changed by the `settings` group instead, `settings update` `--host-name --backend-pool-host-name
 * --probe --root-certs --timeout` (Azure/azure-cli `network application-gateway settings`: its help's
 * examples `settings update … --backend-pool-host-name true … --probe MyNewProbe`), and its custom probe
 * is a Tcp or Tls probe: no host, path or status match (health monitoring overview: TCP and TLS probes).
 */
import type { CauseId } from './causes';
import type { Observation } from './config-observations';
import { isIpAddress, picksHostFromSettings, type ResolvedProbe } from './probe-resolution';
import { shellWord } from './shell-quote';

const HOST_OBSERVATIONS: ReadonlySet<string> = new Set([
  'default-probe-localhost',
  'probe-picks-missing-host',
  'host-is-ip-address',
  'https-without-server-name',
]);

/** The variable a command uses for the name the site answers to (the reader sets it first). */
export const SITE_HOST_VARIABLE = 'SITE_HOST_NAME';

/** What each reader-set variable must hold, as its comment and its refusal message say it. */
const VARIABLE_MEANING: Readonly<Record<string, string>> = {
  SITE_HOST_NAME: 'the name the site answers to, on its certificate',
  HEALTH_PATH: 'a path the backend answers 200 on',
};

/**
 * The expansion `${NAME:?set NAME to <meaning>}`, which the shell (bash, zsh) refuses with that message
 * while NAME is unset or empty, so nothing runs with a value the reader did not give. Unquoted: the
 * caller puts it inside double quotes (alone, or in a longer word such as a URL). `meaning` defaults to
 * the variable's entry in VARIABLE_MEANING.
 */
export function requiredExpansion(name: string, meaning = VARIABLE_MEANING[name] ?? 'its value'): string {
  return `\${${name}:?set ${name} to ${meaning}}`;
}

/** `name` as a command reads it: `"${NAME:?set NAME to …}"` (requiredExpansion, one quoted word). */
export function requiredVariable(name: string): string {
  return `"${requiredExpansion(name)}"`;
}

/**
 * The line that introduces `name` above the commands: set empty on purpose, with a comment saying what
 * to put there and that the commands refuse to run until it is set (no default: we cannot know it).
 */
export function variableLine(name: string): string {
  return `${name}=''  # set it: ${VARIABLE_MEANING[name] ?? 'its value'} (the commands refuse to run while it is empty; we cannot know it)`;
}

export interface FixFacts {
  readonly causeId: CauseId;
  readonly receivedStatus?: number;
}

/** The variable a command uses for a path the backend answers healthy on (the reader sets it first). */
export const HEALTH_PATH_VARIABLE = 'HEALTH_PATH';

/**
 * What an excluded status says is wrong (troubleshooting guide, "HTTP response status code mismatch"):
 * 401/403 a probe path that asks for credentials, which a probe may accept; 404/410 or a redirect a
 * path that is not the health page (probe another path); 5xx the backend itself failing (fix it:
 * accepting would mark a failing server healthy); any other status nothing the match should change.
 */
export type StatusMeaning = 'credentials' | 'wrong-path' | 'redirect' | 'backend-error' | 'other';

/** The meaning of `status` for a probe (see StatusMeaning). */
export function statusMeaning(status: number): StatusMeaning {
  if (status === 401 || status === 403) return 'credentials';
  if (status === 404 || status === 410) return 'wrong-path';
  if (status >= 300 && status <= 399) return 'redirect';
  if (status >= 500 && status <= 599) return 'backend-error';
  return 'other';
}

/**
 * The order ARM accepts, lowest first (stable within a rank): certificates before a setting names them;
 * a setting's host name before a probe that picks it from the setting (ARM refuses
 * `pickHostNameFromBackendHttpSettings` "unless Backend Http Settings defines the 'HostName' property or
 * sets 'PickHostNameFromBackendAddress'"); a probe before a setting names it (`--probe`).
 */
function rank(line: string): number {
  if (/ (?:root-cert|auth-cert) create /.test(line)) return 0;
  if (/ (?:http-)?settings update /.test(line) && !/ --probe /.test(line)) return 1;
  if (/ probe (?:create|update) /.test(line)) return 2;
  return 3;
}

/**
 * The Azure CLI commands that change what the observations say is likely wrong, in an order ARM
 * accepts (see `rank`), without duplicates; empty when the configuration shows nothing to change (the
 * cause lies outside it: the network, the backend, its certificate). Never a change that would hide a
 * failure: a match accepts only a status that can be right for a probe (401/403, statusMeaning).
 *
 * Time-outs ("Troubleshoot backend health issues", "Request time-out"; health monitoring overview): a
 * backend slower than the probe's timeout gets a longer timeout, kept below the interval (the interval
 * raised only when it must be), and the setting's request timeout raised with it where it is shorter
 * (users' requests to that backend would time out the same way).
 */
export function fixCommands(
  p: ResolvedProbe,
  facts: FixFacts,
  observations: readonly Observation[],
): string[] {
  const base = `az network application-gateway`;
  const at = `-g ${shellWord(p.gateway.resourceGroup)} --gateway-name ${shellWord(p.gateway.name)}`;
  // A TCP/TLS proxy setting is another resource with its own command group and option names.
  const layer4 = p.settings.layer4 === true;
  const settingsUpdate = (options: string) =>
    `${base} ${layer4 ? 'settings' : 'http-settings'} update ${at} -n ${shellWord(p.settings.name)} ${options}`;
  const pickFromPool = layer4 ? '--backend-pool-host-name' : '--host-name-from-backend-pool';
  const siteHost = requiredVariable(SITE_HOST_VARIABLE);
  const newProbeName = `${p.settings.name}-probe`.slice(0, 80);
  // Whether an observation gets the host command. Not v1's missing server name: a v1 gateway sends the
  // backend address as SNI whatever the host name, so only the pool listing the server by its FQDN fixes
  // it (the observation says so), which no setting's command does.
  const fixesHost = (id: string): boolean =>
    HOST_OBSERVATIONS.has(id) && !(id === 'https-without-server-name' && p.generation === 'v1');
  const hostFixed = observations.some((o) => fixesHost(o.id));
  /** The default probe cannot be edited: a custom probe with its values and these, attached. */
  const customProbe = (over: {
    readonly path?: string;
    readonly interval?: number;
    readonly timeout?: number;
    readonly options?: string;
  }): string[] => {
    if (p.protocol === 'tcp' || p.protocol === 'tls') {
      // A TCP or TLS probe only connects (or completes a handshake): no host, path or match to give.
      const protocol = p.protocol === 'tls' ? 'Tls' : 'Tcp';
      return [
        `${base} probe create ${at} -n ${shellWord(newProbeName)} --protocol ${protocol} --interval ${over.interval ?? p.intervalInS} --timeout ${over.timeout ?? p.timeoutInS} --threshold ${p.unhealthyThreshold}`,
        settingsUpdate(`--probe ${shellWord(newProbeName)}`),
      ];
    }
    // The host name is being fixed in the setting too: the new probe takes it from there.
    const host =
      picksHostFromSettings(p) || hostFixed
        ? '--host-name-from-http-settings true'
        : `--host ${shellWord(p.host ?? '127.0.0.1')}`;
    const protocol = p.protocol === 'https' ? 'Https' : 'Http';
    return [
      `${base} probe create ${at} -n ${shellWord(newProbeName)} --protocol ${protocol} ${host} --path ${over.path ?? shellWord(p.path)} --interval ${over.interval ?? p.intervalInS} --timeout ${over.timeout ?? p.timeoutInS} --threshold ${p.unhealthyThreshold}${over.options ? ` ${over.options}` : ''}`,
      settingsUpdate(`--probe ${shellWord(newProbeName)}`),
    ];
  };
  /** `options` on the custom probe, or on a new one replacing the default probe. */
  const onProbe = (options: string, over: Parameters<typeof customProbe>[0] = { options }): string[] =>
    p.probe ? [`${base} probe update ${at} -n ${shellWord(p.probe.name)} ${options}`] : customProbe(over);
  const hostFix = (): string[] => {
    if (p.hostSource === 'probe') return onProbe(`--host ${siteHost}`);
    if (p.hostSource === 'address')
      // The override and "pick from backend target" exclude each other: turn the pick off.
      return [settingsUpdate(`--host-name ${siteHost} ${pickFromPool} false`)];
    if ((p.hostSource === 'none' || p.hostSource === 'localhost') && !isIpAddress(p.address))
      return [settingsUpdate(`${pickFromPool} true`)];
    return [settingsUpdate(`--host-name ${siteHost}`)];
  };
  const cap = (seconds: number) => Math.min(seconds, 86_400);
  const lines: string[] = [];
  for (const { id } of observations) {
    switch (id) {
      case 'match-excludes-status': {
        const status = facts.receivedStatus ?? 0;
        const meaning = statusMeaning(status);
        if (meaning === 'credentials') {
          const codes = `--match-status-codes ${[...p.statusCodes, String(status)].map(shellWord).join(' ')}`;
          // A body match would still fail a credentials answer: the same command clears it, as the
          // observation says (config-observations.ts, STATUS_ADVICE).
          lines.push(...onProbe(p.body !== undefined && p.body !== '' ? `${codes} --match-body ''` : codes));
        } else if ((meaning === 'wrong-path' || meaning === 'redirect') && !hostFixed) {
          const path = requiredVariable(HEALTH_PATH_VARIABLE);
          lines.push(...onProbe(`--path ${path}`, { path }));
        }
        break;
      }
      case 'default-probe-localhost':
      case 'probe-picks-missing-host':
      case 'host-is-ip-address':
      case 'https-without-server-name':
        if (fixesHost(id)) lines.push(...hostFix());
        break;
      case 'timeout-not-below-interval':
        // A slow backend is the probe-timeout fix's (below); otherwise the interval goes above the timeout.
        if (facts.causeId !== 'probe-timeout') lines.push(...onProbe(`--interval ${cap(p.timeoutInS * 2)}`));
        break;
      case 'probe-port-differs':
        if (p.probe && p.generation === 'v2' && p.settings.port !== undefined)
          lines.push(...onProbe(`--port ${p.settings.port}`));
        break;
      case 'probe-protocol-differs':
        if (p.probe && p.settings.protocol !== undefined)
          lines.push(...onProbe(`--protocol ${shellWord(p.settings.protocol)}`));
        break;
      case 'v1-trusted-root-certificate':
        // `settings update` has no --auth-certs (az network application-gateway settings update: its
        // options are --backend-pool-host-name --host-name --port --probe --protocol --root-certs
        // --timeout, learn.microsoft.com/cli/azure/network/application-gateway/settings): a TCP/TLS
        // setting trusts a backend by root only (the proxy is v2), so no command is offered.
        if (layer4) break;
        lines.push(
          `${base} auth-cert create ${at} -n backend-cert --cert-file backend.cer`,
          settingsUpdate('--auth-certs backend-cert'),
        );
        break;
      case 'v2-authentication-certificate':
      case 'v2-no-trusted-root':
        lines.push(
          `${base} root-cert create ${at} -n backend-root --cert-file root.cer`,
          settingsUpdate('--root-certs backend-root'),
        );
        break;
      default:
        break;
    }
  }
  if (facts.causeId === 'probe-timeout') {
    const timeout = cap(p.timeoutInS * 2);
    const interval = p.intervalInS > timeout ? undefined : cap(timeout * 2);
    lines.push(
      ...onProbe(`--timeout ${timeout}${interval !== undefined ? ` --interval ${interval}` : ''}`, {
        timeout,
        ...(interval !== undefined ? { interval } : {}),
      }),
    );
    if (p.settings.requestTimeoutInS !== undefined && p.settings.requestTimeoutInS < timeout)
      lines.push(settingsUpdate(`--timeout ${timeout}`));
  }
  const unique = [...new Set(lines)];
  return unique
    .map((line, i) => ({ line, i }))
    .sort((a, b) => rank(a.line) - rank(b.line) || a.i - b.i)
    .map(({ line }) => line);
}

/** Whether a command line uses the site-host variable (the insight then says how to set it). */
export function usesSiteHost(lines: readonly string[]): boolean {
  return lines.some((line) => line.includes(`\${${SITE_HOST_VARIABLE}:?`));
}

/** Whether a command line uses the health-path variable (the insight then says how to set it). */
export function usesHealthPath(lines: readonly string[]): boolean {
  return lines.some((line) => line.includes(`\${${HEALTH_PATH_VARIABLE}:?`));
}
