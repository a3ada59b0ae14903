/**
 * The exact commands an insight offers (pure): a `curl` that sends what the gateway's probe sends, and
 * the `az network application-gateway …` commands that change what the configuration shows is likely
 * wrong. Every value from ARM is one shell word (shell-quote.ts); a value we cannot know (the site's
 * real host name, a health path, how many seconds a probe should wait, a certificate file) is a shell
 * variable the reader sets (shell-variables.ts), never a `<placeholder>` a shell would read as a
 * redirection, and never given a plausible default: the insight sets it empty and each command reads it
 * as `"${NAME:?set NAME to …}"`, which bash and zsh refuse to run while it is empty (a pasted default
 * such as www.example.com, `--timeout 60` or `--cert-file backend.cer` would change a live gateway to
 * a made-up value). A new probe or certificate is named after its backend setting (`<setting>-probe`,
 * `<setting>-root`, `<setting>-auth`): a name must be given, and that one says what it is for.
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
import {
  hostNameBeforePort,
  isIpAddress,
  picksHostFromSettings,
  settingHostWithPort,
  type ResolvedProbe,
} from './probe-resolution';
import { fnv1a32 } from './hash';
import { shellWord } from './shell-quote';
import { HEALTH_PATH_VARIABLE, requiredVariable, SITE_HOST_VARIABLE } from './shell-variables';

const HOST_OBSERVATIONS: ReadonlySet<string> = new Set([
  'host-has-edge-space',
  'default-probe-localhost',
  'probe-picks-missing-host',
  'host-is-ip-address',
  'https-without-server-name',
]);

export interface FixFacts {
  readonly causeId: CauseId;
  readonly receivedStatus?: number;
}

/**
 * What an excluded status says is wrong (troubleshooting guide, "HTTP response status code mismatch"):
 * 401/403 a probe path that asks for credentials, which a probe may accept; a 2xx a success a narrow
 * match left out, which it may accept too; 404/410 or a redirect a path that is not the health page
 * (probe another path); 5xx the backend itself failing (fix it: accepting would mark a failing server
 * healthy); any other status nothing the match should change.
 */
export type StatusMeaning = 'credentials' | 'success' | 'wrong-path' | 'redirect' | 'backend-error' | 'other';

/** Whether a probe may be changed to accept a status of this meaning (never one that hides a failure). */
export function acceptable(meaning: StatusMeaning): boolean {
  return meaning === 'credentials' || meaning === 'success';
}

/** The meaning of `status` for a probe (see StatusMeaning). */
export function statusMeaning(status: number): StatusMeaning {
  if (status === 401 || status === 403) return 'credentials';
  if (status >= 200 && status <= 299) return 'success';
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

const AZ = 'az network application-gateway';

/** `-g <resource group> --gateway-name <gateway>`, each one shell word. */
function gatewayOptions(p: ResolvedProbe): string {
  return `-g ${shellWord(p.gateway.resourceGroup)} --gateway-name ${shellWord(p.gateway.name)}`;
}

/** `az … http-settings update` (or `settings update` for a TCP/TLS proxy setting) of `p`'s setting. */
function settingsUpdate(p: ResolvedProbe, options: string): string {
  // A TCP/TLS proxy setting is another resource with its own command group and option names.
  const group = p.settings.layer4 === true ? 'settings' : 'http-settings';
  return `${AZ} ${group} update ${gatewayOptions(p)} -n ${shellWord(p.settings.name)} ${options}`;
}

/** ARM's longest name for a gateway's child (a probe, a certificate). */
const CHILD_NAME_LIMIT = 80;

/**
 * A name for a new child of the gateway made for `p`'s setting: `<setting>-<suffix>` (probe, root,
 * auth), within ARM's 80 characters, and none the gateway's children of that kind already have
 * (ResolvedProbe.takenNames; ARM names compare case-insensitively): issue 17's fourth trial found
 * `probe create -n s-exists-probe` where the gateway had such a probe, serving other settings. A
 * setting name cut to fit keeps a short digest of the whole one, so two long settings that begin alike
 * get two names; a name taken gets `-2`, `-3` ….
 */
function childName(p: ResolvedProbe, suffix: 'probe' | 'root' | 'auth'): string {
  const taken = new Set(
    (suffix === 'probe'
      ? p.takenNames.probes
      : suffix === 'root'
        ? p.takenNames.trustedRootCertificates
        : p.takenNames.authenticationCertificates
    ).map((name) => name.toLowerCase()),
  );
  const whole = p.settings.name;
  for (let n = 1; ; n++) {
    const tail = `${n === 1 ? '' : `-${n}`}-${suffix}`;
    const room = CHILD_NAME_LIMIT - tail.length;
    const base = whole.length <= room ? whole : `${whole.slice(0, room - 9)}-${fnv1a32(whole)}`;
    const name = `${base}${tail}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}

/**
 * A change to the probe of `p`'s setting: what the `probe update` options would set. `timeout`,
 * `interval` and `path` are given apart because a new probe (replacing the default one) states them
 * anyway; `options` are the other `probe update` options, as they are written after them.
 */
export interface ProbeChange {
  readonly path?: string;
  readonly intervalInS?: string;
  readonly timeoutInS?: string;
  readonly options?: string;
}

/**
 * The commands that make `change` to the probe of `p`'s setting: `probe update` of its custom probe,
 * or, for the default probe (which cannot be edited: health monitoring overview, "Default health probe
 * settings"), a custom probe created with the default probe's values and the change (named
 * `<setting>-probe`), then attached to the setting. `hostFixed`: the setting's host name is being set
 * in the same change, so a new HTTP(S) probe takes its host from the setting. A longer timeout comes
 * with the interval (PROBE_INTERVAL_SECONDS) where the interval now is not above twice the timeout. Pure.
 */
export function probeChange(p: ResolvedProbe, asked: ProbeChange, hostFixed = false): string[] {
  const at = gatewayOptions(p);
  // A longer timeout must stay below the interval: where the interval now leaves no room (not above
  // twice the timeout), the reader sets it too.
  const change: ProbeChange =
    asked.timeoutInS !== undefined && asked.intervalInS === undefined && p.intervalInS <= p.timeoutInS * 2
      ? { ...asked, intervalInS: requiredVariable('PROBE_INTERVAL_SECONDS') }
      : asked;
  if (p.probe) {
    const options = [
      change.path !== undefined ? `--path ${change.path}` : '',
      change.timeoutInS !== undefined ? `--timeout ${change.timeoutInS}` : '',
      change.intervalInS !== undefined ? `--interval ${change.intervalInS}` : '',
      change.options ?? '',
    ].filter((o) => o !== '');
    return [`${AZ} probe update ${at} -n ${shellWord(p.probe.name)} ${options.join(' ')}`];
  }
  const name = shellWord(childName(p, 'probe'));
  const timing = `--interval ${change.intervalInS ?? p.intervalInS} --timeout ${change.timeoutInS ?? p.timeoutInS} --threshold ${p.unhealthyThreshold}`;
  if (p.protocol === 'tcp' || p.protocol === 'tls') {
    // A TCP or TLS probe only connects (or completes a handshake): no host, path or match to give.
    const protocol = p.protocol === 'tls' ? 'Tls' : 'Tcp';
    return [
      `${AZ} probe create ${at} -n ${name} --protocol ${protocol} ${timing}`,
      settingsUpdate(p, `--probe ${name}`),
    ];
  }
  // The host name is being fixed in the setting too: the new probe takes it from there.
  const host =
    picksHostFromSettings(p) || hostFixed
      ? '--host-name-from-http-settings true'
      : `--host ${shellWord(p.host ?? '127.0.0.1')}`;
  const protocol = p.protocol === 'https' ? 'Https' : 'Http';
  return [
    `${AZ} probe create ${at} -n ${name} --protocol ${protocol} ${host} --path ${change.path ?? shellWord(p.path)} ${timing}${change.options ? ` ${change.options}` : ''}`,
    settingsUpdate(p, `--probe ${name}`),
  ];
}

/**
 * Whether `observation` gets the host command. Not v1's missing server name: a v1 gateway sends the
 * backend address as SNI whatever the host name, so only the pool listing the server by its FQDN fixes
 * it (the observation says so), which no setting's command does.
 */
function fixesHostBy(p: ResolvedProbe, observation: string): boolean {
  return (
    HOST_OBSERVATIONS.has(observation) &&
    !(observation === 'https-without-server-name' && p.generation === 'v1')
  );
}

/** Whether `observations` get the host command (fixesHostBy): a new probe then takes its host from the setting. */
export function fixesHost(p: ResolvedProbe, observations: readonly Observation[]): boolean {
  return observations.some((o) => fixesHostBy(p, o.id));
}

/**
 * The commands that give the probe a site's host name (SITE_HOST_NAME): on its custom probe when the
 * probe sets its own host, else on the backend setting, turning "pick from the backend target" off
 * where it picked an address (the two exclude each other), or on where the server is listed by name.
 */
function hostFixCommands(p: ResolvedProbe): string[] {
  const pickFromPool =
    p.settings.layer4 === true ? '--backend-pool-host-name' : '--host-name-from-backend-pool';
  const siteHost = requiredVariable(SITE_HOST_VARIABLE);
  if (p.hostSource === 'probe') return probeChange(p, { options: `--host ${siteHost}` });
  if (p.hostSource === 'address') return [settingsUpdate(p, `--host-name ${siteHost} ${pickFromPool} false`)];
  if ((p.hostSource === 'none' || p.hostSource === 'localhost') && !isIpAddress(p.address))
    return [settingsUpdate(p, `${pickFromPool} true`)];
  return [settingsUpdate(p, `--host-name ${siteHost}`)];
}

/**
 * The commands that make `change` to `p`'s probe as the insight's own commands make it (fixCommands),
 * for a step of the catalogue that changes the probe: where the observations fix the host name too,
 * that fix first and a new probe taking its host from the setting (issue 17's third trial: a step
 * created a probe with `--host 127.0.0.1` where the insight's commands set the site's name); a longer
 * timeout with the setting's request timeout where that is not above the probe's now. Pure.
 */
export function probeChangeAsInsight(
  p: ResolvedProbe,
  change: ProbeChange,
  observations: readonly Observation[],
): string[] {
  const hostFixed = fixesHost(p, observations);
  const host = hostFixed ? hostFixCommands(p) : [];
  const timeout = change.timeoutInS === undefined ? [] : requestTimeoutChange(p, change.timeoutInS);
  return [...host, ...probeChange(p, change, hostFixed), ...timeout];
}

/**
 * The setting's request timeout raised with the probe's to `timeout`, where it is not above the
 * probe's timeout now (then it would be shorter than the new one, and users' requests to that backend
 * would time out the same way); none otherwise.
 */
function requestTimeoutChange(p: ResolvedProbe, timeout: string): string[] {
  return p.settings.requestTimeoutInS !== undefined && p.settings.requestTimeoutInS <= p.timeoutInS
    ? [settingsUpdate(p, `--timeout ${timeout}`)]
    : [];
}

/**
 * The Azure CLI commands that change what the observations say is likely wrong, in an order ARM
 * accepts (see `rank`), without duplicates; empty when the configuration shows nothing to change (the
 * cause lies outside it: the network, the backend, its certificate). Never a change that would hide a
 * failure: a match accepts only a status that can be right for a probe (401/403, a 2xx: acceptable),
 * and no body match is cleared (the probe may watch other servers whose body it still checks).
 *
 * Time-outs ("Troubleshoot backend health issues", "Request time-out"; health monitoring overview): a
 * backend slower than the probe's timeout gets a longer timeout, which only the reader can measure
 * (PROBE_TIMEOUT_SECONDS: the steps time the probe path first); the interval is set too where the
 * current one leaves no room (not above twice the timeout), and the setting's request timeout gets the
 * same value where it is not above the probe's timeout now (then it is shorter than the new one, and
 * users' requests to that backend would time out the same way).
 *
 * Certificates: a v1 setting with no authentication certificate gets one (the backend's own
 * certificate), a v2 setting with none trusted gets a trusted root (the root of the backend's chain);
 * each file is the reader's (AUTH_CERT_FILE, ROOT_CERT_FILE). A setting that already has the kind it
 * needs is left alone: `--auth-certs`/`--root-certs` replace the list, and which one is wrong only the
 * certificates can say (the cause's steps compare them).
 */
export function fixCommands(
  p: ResolvedProbe,
  facts: FixFacts,
  observations: readonly Observation[],
): string[] {
  const at = gatewayOptions(p);
  const layer4 = p.settings.layer4 === true;
  const hostFixed = fixesHost(p, observations);
  const onProbe = (change: ProbeChange): string[] => probeChange(p, change, hostFixed);
  const lines: string[] = [];
  // A Partial server: what the configuration shows is unlikely to be why alone (config-observations.ts);
  // a slow backend is still given a longer timeout (below).
  const partial = observations.some((o) => o.id === 'health-partial');
  for (const { id } of partial ? [] : observations) {
    switch (id) {
      case 'match-excludes-status': {
        // The status came from another port or protocol than the setting's (the probe's own): fix
        // that first and probe again; what the right port answers is not known yet (issue 17's
        // fourth trial: 401 from port 8081 was offered to be accepted with the port moved to 80).
        if (observations.some((o) => o.id === 'probe-port-differs' || o.id === 'probe-protocol-differs'))
          break;
        const status = facts.receivedStatus ?? 0;
        const meaning = statusMeaning(status);
        const bodyMatch = p.body !== undefined && p.body !== '';
        if (meaning === 'success' || (meaning === 'credentials' && !bodyMatch)) {
          const codes = `--match-status-codes ${[...p.statusCodes, String(status)].map(shellWord).join(' ')}`;
          lines.push(...onProbe({ options: codes }));
        } else if (meaning === 'credentials' && !hostFixed)
          // A body match would still fail a credentials answer, and clearing it would stop checking
          // the body of every server this probe watches (issue 17's trial: another server of the same
          // probe failed its body match, and clearing it would have marked that one healthy): a path
          // that answers without credentials instead (config-observations.ts, STATUS_ADVICE, says so).
          lines.push(...onProbe({ path: requiredVariable(HEALTH_PATH_VARIABLE) }));
        else if ((meaning === 'wrong-path' || meaning === 'redirect') && !hostFixed)
          lines.push(...onProbe({ path: requiredVariable(HEALTH_PATH_VARIABLE) }));
        break;
      }
      case 'default-probe-localhost':
      case 'probe-picks-missing-host':
      case 'host-is-ip-address':
      case 'https-without-server-name':
        if (fixesHostBy(p, id)) lines.push(...hostFixCommands(p));
        break;
      case 'timeout-not-below-interval':
        // A slow backend is the probe-timeout fix's (below); otherwise the interval goes above the timeout.
        if (facts.causeId !== 'probe-timeout')
          lines.push(...onProbe({ intervalInS: requiredVariable('PROBE_INTERVAL_SECONDS') }));
        break;
      case 'host-has-port': {
        // The name alone, known: no variable for the reader to fill.
        const name = p.host === undefined ? undefined : hostNameBeforePort(p.host);
        if (name === undefined) break;
        if (p.hostSource === 'probe') lines.push(...onProbe({ options: `--host ${shellWord(name)}` }));
        // The setting's own host name, when it has the port too (the probe's or its own source).
        const setting = p.hostSource === 'settings' ? name : settingHostWithPort(p);
        if (setting !== undefined && (p.hostSource === 'settings' || p.hostSource === 'probe'))
          lines.push(settingsUpdate(p, `--host-name ${shellWord(setting)}`));
        break;
      }
      case 'probe-port-differs':
        if (p.probe && p.generation === 'v2' && p.settings.port !== undefined)
          lines.push(...onProbe({ options: `--port ${p.settings.port}` }));
        break;
      case 'probe-protocol-differs':
        if (p.probe && p.settings.protocol !== undefined)
          lines.push(...onProbe({ options: `--protocol ${shellWord(p.settings.protocol)}` }));
        break;
      case 'v1-trusted-root-certificate':
      case 'v1-no-authentication-certificate': {
        // `settings update` has no --auth-certs (az network application-gateway settings update: its
        // options are --backend-pool-host-name --host-name --port --probe --protocol --root-certs
        // --timeout, learn.microsoft.com/cli/azure/network/application-gateway/settings): a TCP/TLS
        // setting trusts a backend by root only (the proxy is v2), so no command is offered.
        if (layer4 || p.settings.authenticationCertificateNames.length > 0) break;
        const name = shellWord(childName(p, 'auth'));
        lines.push(
          `${AZ} auth-cert create ${at} -n ${name} --cert-file ${requiredVariable('AUTH_CERT_FILE')}`,
          settingsUpdate(p, `--auth-certs ${name}`),
        );
        break;
      }
      case 'v2-authentication-certificate':
      case 'v2-no-trusted-root': {
        // An incomplete chain is fixed on the backend (it sends its intermediates), not by a root
        // (issue 17's trial: the root offered would also end well-known-CA trust for the setting).
        if (p.settings.trustedRootCertificateNames.length > 0 || facts.causeId === 'cert-chain-incomplete')
          break;
        const name = shellWord(childName(p, 'root'));
        lines.push(
          `${AZ} root-cert create ${at} -n ${name} --cert-file ${requiredVariable('ROOT_CERT_FILE')}`,
          settingsUpdate(p, `--root-certs ${name}`),
        );
        break;
      }
      default:
        break;
    }
  }
  if (facts.causeId === 'probe-timeout') {
    const timeout = requiredVariable('PROBE_TIMEOUT_SECONDS');
    lines.push(...onProbe({ timeoutInS: timeout }), ...requestTimeoutChange(p, timeout));
  }
  const unique = [...new Set(lines)];
  return unique
    .map((line, i) => ({ line, i }))
    .sort((a, b) => rank(a.line) - rank(b.line) || a.i - b.i)
    .map(({ line }) => line);
}
