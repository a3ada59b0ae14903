/**
 * The exact commands an insight offers (pure): a `curl` that sends what the gateway's probe sends, and
 * the `az network application-gateway …` commands that change what the configuration shows is likely
 * wrong. Every value from ARM is one shell word (shell-quote.ts); a value we cannot know (the site's
 * real host name, a certificate file) is a shell variable the reader sets, never a `<placeholder>` a
 * shell would read as a redirection.
 *
 * Options of the Azure CLI used (learn.microsoft.com/cli/azure/network/application-gateway): `probe
 * create|update` `--protocol --host --host-name-from-http-settings --path --interval --timeout
 * --threshold --port --match-status-codes`; `http-settings update` `--host-name
 * --host-name-from-backend-pool --probe --root-certs --auth-certs`; `root-cert create` and `auth-cert
 * create` `--cert-file`.
 */
import type { CauseId } from './causes';
import type { Observation } from './config-observations';
import { isIpAddress, type ResolvedProbe } from './probe-resolution';

import { shellWord } from './shell-quote';

const HOST_OBSERVATIONS: ReadonlySet<string> = new Set([
  'default-probe-localhost',
  'probe-picks-missing-host',
  'host-is-ip-address',
  'https-without-server-name',
]);

/** The variable a command uses for the name the site answers to (the reader sets it first). */
export const SITE_HOST_VARIABLE = 'SITE_HOST_NAME';

export interface FixFacts {
  readonly causeId: CauseId;
  readonly receivedStatus?: number;
}

/**
 * The Azure CLI commands that change what the observations say is likely wrong, in order, without
 * duplicates; empty when the configuration shows nothing to change (the cause lies outside it: the
 * network, the backend, its certificate).
 */
export function fixCommands(
  p: ResolvedProbe,
  facts: FixFacts,
  observations: readonly Observation[],
): string[] {
  const base = `az network application-gateway`;
  const at = `-g ${shellWord(p.gateway.resourceGroup)} --gateway-name ${shellWord(p.gateway.name)}`;
  const settingsUpdate = (options: string) =>
    `${base} http-settings update ${at} -n ${shellWord(p.settings.name)} ${options}`;
  const probeUpdate = (options: string) =>
    p.probe ? `${base} probe update ${at} -n ${shellWord(p.probe.name)} ${options}` : undefined;
  const siteHost = `"$${SITE_HOST_VARIABLE}"`;
  const newProbeName = `${p.settings.name}-probe`.slice(0, 80);
  /** The default probe cannot be edited: a custom probe with its values and `options`, attached. */
  const customProbe = (options: string): string[] => {
    // The host name is being fixed in the setting too: the new probe takes it from there.
    const hostFixed = observations.some((o) => HOST_OBSERVATIONS.has(o.id));
    const host =
      p.hostSource === 'settings' || p.hostSource === 'address' || hostFixed
        ? '--host-name-from-http-settings true'
        : `--host ${shellWord(p.host ?? '127.0.0.1')}`;
    return [
      `${base} probe create ${at} -n ${shellWord(newProbeName)} --protocol ${p.protocol === 'https' ? 'Https' : 'Http'} ${host} --path ${shellWord(p.path)} --interval ${p.intervalInS} --timeout ${p.timeoutInS} --threshold ${p.unhealthyThreshold} ${options}`,
      settingsUpdate(`--probe ${shellWord(newProbeName)}`),
    ];
  };
  const hostFix = (): string[] => {
    if (p.hostSource === 'probe') return [probeUpdate(`--host ${siteHost}`) ?? ''];
    if (p.hostSource === 'none' || p.hostSource === 'localhost' || p.hostSource === 'address')
      return [
        !isIpAddress(p.address) && p.hostSource !== 'address'
          ? settingsUpdate('--host-name-from-backend-pool true')
          : settingsUpdate(`--host-name ${siteHost}`),
      ];
    return [settingsUpdate(`--host-name ${siteHost}`)];
  };
  const lines: string[] = [];
  for (const { id } of observations) {
    switch (id) {
      case 'match-excludes-status': {
        const status = String(facts.receivedStatus);
        const codes = `--match-status-codes ${[...p.statusCodes, status].map(shellWord).join(' ')}`;
        lines.push(...(p.probe ? [probeUpdate(codes) ?? ''] : customProbe(codes)));
        break;
      }
      case 'default-probe-localhost':
      case 'probe-picks-missing-host':
      case 'host-is-ip-address':
      case 'https-without-server-name':
        lines.push(...hostFix());
        break;
      case 'timeout-not-below-interval':
        lines.push(probeUpdate(`--interval ${Math.min(p.timeoutInS * 2, 86_400)}`) ?? '');
        break;
      case 'probe-port-differs':
        if (p.generation === 'v2' && p.settings.port !== undefined)
          lines.push(probeUpdate(`--port ${p.settings.port}`) ?? '');
        break;
      case 'probe-protocol-differs':
        if (p.settings.protocol !== undefined)
          lines.push(probeUpdate(`--protocol ${shellWord(p.settings.protocol)}`) ?? '');
        break;
      case 'v1-trusted-root-certificate':
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
  if (facts.causeId === 'probe-timeout' && !observations.some((o) => o.id === 'timeout-not-below-interval')) {
    const timeout = Math.min(p.timeoutInS * 2, 86_400);
    const interval = p.intervalInS > timeout ? '' : ` --interval ${Math.min(timeout * 2, 86_400)}`;
    lines.push(
      ...(p.probe
        ? [probeUpdate(`--timeout ${timeout}${interval}`) ?? '']
        : customProbe(`--timeout ${timeout}${interval}`).map((line) =>
            line.replace(` --interval ${p.intervalInS} --timeout ${p.timeoutInS}`, ''),
          )),
    );
  }
  return [...new Set(lines.filter((line) => line !== ''))];
}

/** Whether a command line uses the site-host variable (the insight then says how to set it). */
export function usesSiteHost(lines: readonly string[]): boolean {
  return lines.some((line) => line.includes(`$${SITE_HOST_VARIABLE}`));
}
