/**
 * The part of the cause section written from the gateway's own configuration: what the probe sends,
 * what we see in the configuration that explains the failure, the `curl` that reproduces the probe and
 * the `az` commands that change what is likely wrong (src/core: probe-resolution.ts,
 * config-observations.ts, probe-commands.ts). Or, when the configuration could not be read, one line
 * saying so and why: the general steps stand alone.
 *
 * A template of lines whose every value is a placeholder (`add`), filled by the article engine as the
 * rest of the cause section is: each value escaped for where it lands (text, code span, code block
 * line), so a host name or path from ARM cannot add markup; in commands each is also one shell word.
 */
import { probeLabel } from '../core/config-observations';
import type { FindingConfiguration } from '../core/model';
import { fixCommands, reproduceProbe, SITE_HOST_VARIABLE, usesSiteHost } from '../core/probe-commands';
import type { ResolvedProbe } from '../core/probe-resolution';

export const CONFIGURATION_HEADING = 'In your configuration';

/** The section's template lines; `add(value)` returns the placeholder that will carry `value`. */
export function configurationTemplate(
  configuration: FindingConfiguration,
  facts: { readonly causeId: Parameters<typeof fixCommands>[1]['causeId']; readonly receivedStatus?: number },
  add: (value: string) => string,
): string[] {
  const lines = [`### ${CONFIGURATION_HEADING}`, ''];
  if (!configuration.read) {
    lines.push(
      `The gateway's configuration could not be read, so these steps are the general ones: ${add(configuration.reason)}`,
      '',
    );
    return lines;
  }
  const p = configuration.probe;
  lines.push(...whatTheProbeSends(p, add), '');
  if (configuration.observations.length > 0) {
    lines.push('What we see in your configuration:', '');
    for (const observation of configuration.observations) lines.push(`- ${add(observation.text)}`);
    lines.push('');
  }
  const curl = reproduceProbe(p);
  if (curl) {
    lines.push(
      "Reproduce the probe from a VM in the gateway's virtual network:",
      '',
      '```sh',
      add(curl.command),
      '```',
      '',
      add(curl.expects),
      '',
    );
  }
  const commands = fixCommands(p, facts, configuration.observations);
  if (commands.length > 0) {
    lines.push('Change what is likely wrong with the Azure CLI:', '', '```sh');
    if (usesSiteHost(commands))
      lines.push(
        add(`${SITE_HOST_VARIABLE}=www.example.com  # the name the site answers to, on its certificate`),
      );
    for (const command of commands) lines.push(add(command));
    lines.push('```', '');
  }
  return lines;
}

function whatTheProbeSends(p: ResolvedProbe, add: (value: string) => string): string[] {
  const sku = p.skuTier ? `${p.skuTier} (${p.generation})` : p.generation;
  const which = p.probe
    ? `${add(`Probe "${p.probe.name}" of backend setting "${p.settings.name}"`)}`
    : `${add(probeLabel(p))} (it names no custom probe)`;
  const lines = [`${which}, on a ${add(sku)} gateway:`, ''];
  const target = p.host ?? p.address;
  const hostPort = target.includes(':') && !target.startsWith('[') ? `[${target}]` : target;
  lines.push(`- Sends \`${add(`GET ${p.protocol}://${hostPort}:${p.port}${p.path}`)}\` to ${add(p.address)}`);
  lines.push(
    p.host === undefined
      ? '- With no host name of its own'
      : `- With \`${add(`Host: ${p.host}`)}\`${p.protocol === 'https' ? (p.sni ? ` and TLS server name \`${add(p.sni)}\`` : ' and no TLS server name (SNI)') : ''}`,
  );
  lines.push(
    `- ${add(`Every ${p.intervalInS} s, waiting ${p.timeoutInS} s for an answer; unhealthy after ${p.unhealthyThreshold} failures in a row`)}`,
    `- Healthy: status ${add(p.statusCodes.join(', '))}${p.body !== undefined ? `, with a body that contains \`${add(p.body)}\`` : ''}`,
  );
  return lines;
}
