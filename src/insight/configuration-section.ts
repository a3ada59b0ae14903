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
import { contradiction, probeLabel } from '../core/config-observations';
import type { FindingConfiguration } from '../core/model';
import { fixCommands } from '../core/probe-commands';
import { variableLine, variablesRead } from '../core/shell-variables';
import { probeWire, reproduceProbe, type ProbeWire } from '../core/probe-reproduction';
import { hasEdgeSpace, quoted, visible } from '../core/visible-text';
import { endsSentence } from '../core/sentence';
import type { ResolvedProbe } from '../core/probe-resolution';
import {
  FUNCTION_HOST_VARIABLE,
  FUNCTION_KEY_VARIABLE,
  recheckCommands,
  type RecheckTarget,
} from '../core/recheck-commands';

export const CONFIGURATION_HEADING = 'In your configuration';

export const CONFIRM_HEADING = 'Confirm the fix';

/**
 * The section's template lines; `add(value)` returns the placeholder that will carry `value`. With
 * `recheck` (the server's gateway, pool and setting) and a configuration that was read, the lines end
 * with the commands that confirm a fix at once (recheck-commands.ts): `recheck` reads that same
 * configuration, so it is offered only where it can work.
 */
export function configurationTemplate(
  configuration: FindingConfiguration,
  facts: { readonly causeId: Parameters<typeof fixCommands>[1]['causeId']; readonly receivedStatus?: number },
  add: (value: string) => string,
  recheck?: RecheckTarget,
): string[] {
  const lines = [`### ${CONFIGURATION_HEADING}`, ''];
  if (!configuration.read) {
    lines.push(
      configuration.unresolved
        ? `The gateway's configuration was read, but it does not say which probe this server has, so these steps are the general ones: ${add(configuration.reason)}${endsSentence(configuration.reason) ? '' : '.'}`
        : `The gateway's configuration could not be read, so these steps are the general ones: ${add(configuration.reason)}${endsSentence(configuration.reason) ? '' : '.'}`,
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
  const reproduction = reproduceProbe(p);
  if (reproduction.command !== undefined) {
    lines.push(
      "Reproduce the probe from a VM in the gateway's virtual network:",
      '',
      '```sh',
      ...variablesRead([reproduction.command]).map((name) => add(variableLine(name))),
      add(reproduction.command),
      '```',
      '',
      add(reproduction.expects),
      '',
    );
  } else lines.push(add(reproduction.why), '');
  const commands = fixCommands(p, facts, configuration.observations);
  if (commands.length > 0) {
    lines.push('Change what is likely wrong with the Azure CLI:', '', '```sh');
    // Each value only the reader knows is introduced once, empty, with what to put there.
    for (const name of variablesRead(commands)) lines.push(add(variableLine(name)));
    for (const command of commands) lines.push(add(command));
    lines.push('```', '');
  }
  if (recheck)
    lines.push(...confirmTemplate(recheck, add, contradiction(configuration.observations) !== undefined));
  return lines;
}

/**
 * "Confirm the fix": ARM's on-demand probe through `appgw-insights recheck` or the Functions app's
 * `recheckGateway` endpoint. What a healthy answer does is said here because it is why one would run it
 * rather than wait for the next run: the episode ends and `recovered` goes out once.
 */
function confirmTemplate(
  target: RecheckTarget,
  add: (value: string) => string,
  /** The configuration already accepts what the reading refused: the recheck comes first, not after a change. */
  first = false,
): string[] {
  const commands = recheckCommands(target);
  const when = first
    ? 'Before changing anything (the configuration already accepts what this reading refused)'
    : 'When you have changed it';
  return [
    `### ${CONFIRM_HEADING}`,
    '',
    `${when}, send the gateway's probe now instead of waiting for the next run (ARM's on-demand probe of this pool with this backend setting). A server it finds healthy is closed at once and \`recovered\` goes out with the reason "confirmed by an on-demand probe".`,
    '',
    '```sh',
    add(commands.cli),
    '```',
    '',
    // The insight cannot know how the reader runs the CLI (environment or a file): say it once.
    'Add `--config FILE` when you run appgw-insights from a configuration file.',
    '',
    `Or, against the Functions app (set \`${FUNCTION_HOST_VARIABLE}\` to its host name and \`${FUNCTION_KEY_VARIABLE}\` to a function key first):`,
    '',
    '```sh',
    add(commands.http),
    '```',
    '',
  ];
}

/**
 * "Sends …": what goes on the wire, from the same `probeWire` the reproducing command is written from
 * (probe-reproduction.ts): an HTTP(S) probe's request line, Host and TLS server name and its match; a
 * TCP probe's connection or a TLS probe's handshake, which send no request and match no status.
 */
function whatTheProbeSends(p: ResolvedProbe, add: (value: string) => string): string[] {
  const sku = p.skuTier ? `${p.skuTier} (${p.generation})` : p.generation;
  const which = p.probe
    ? `${add(`Probe ${quoted(p.probe.name)} of backend setting ${quoted(p.settings.name)}`)}`
    : `${add(probeLabel(p))} (it names no custom probe)`;
  const lines = [`${which}, on a ${add(sku)} gateway:`, ''];
  const wire = probeWire(p);
  lines.push(...wireLines(p, wire, add));
  lines.push(
    `- ${add(`Every ${p.intervalInS} s, waiting ${p.timeoutInS} s for an answer; unhealthy after ${p.unhealthyThreshold} failures in a row`)}`,
  );
  if (!('why' in wire) && wire.kind === 'http')
    lines.push(
      // The body as text in quotes: a code span would drop its outer spaces (issue 17's third trial: "ok ").
      `- Healthy: status ${add(p.statusCodes.map(visible).join(', '))}${p.body !== undefined ? `, with a body that contains ${add(quoted(p.body))}` : ''}`,
    );
  return lines;
}

function wireLines(
  p: ResolvedProbe,
  wire: ProbeWire | { readonly why: string },
  add: (value: string) => string,
): string[] {
  // A value with white space at an edge, quoted: a code span would drop it (visible-text hasEdgeSpace).
  const shown = (text: string, value: string) =>
    hasEdgeSpace(value) ? add(quoted(text)) : `\`${add(visible(text))}\``;
  const sniText = (sni: string | undefined) =>
    sni === undefined ? 'no TLS server name (SNI)' : `TLS server name ${shown(sni, sni)}`;
  if ('why' in wire)
    return [
      `- ${add(`Sends ${visible(p.protocol.toUpperCase())} to ${visible(p.address)} port ${p.port}, path ${quoted(p.path)}, Host ${quoted(p.host ?? p.address)}`)}`,
    ];
  // enableProbeProxyProtocolHeader: the first bytes the backend gets are the PROXY header.
  const proxy = p.proxyProtocolHeader
    ? [
        `- Sends a PROXY protocol header first (${add(`probe ${quoted(p.probe?.name ?? '')}`)}: enableProbeProxyProtocolHeader)`,
      ]
    : [];
  if (wire.kind === 'tcp')
    return [
      ...proxy,
      `- Opens a TCP connection to ${add(visible(wire.address))} port ${add(String(wire.port))} and sends ${p.proxyProtocolHeader ? 'nothing after that header' : 'nothing'}: no HTTP request, no status or body to match`,
      '- Healthy: the connection is accepted',
    ];
  if (wire.kind === 'tls')
    return [
      ...proxy,
      `- Completes a TLS handshake with ${add(visible(wire.address))} port ${add(String(wire.port))}, ${sniText(wire.sni)}: no HTTP request, no status or body to match`,
      '- Healthy: the handshake succeeds',
    ];
  return [
    // Each value as `visible` writes it, an invisible character named (issue 17's third trial: a
    // zero-width space in the Host showed as nothing, the likely cause hidden).
    `- Sends \`${add(`GET ${visible(wire.path)}`)}\` over ${wire.protocol.toUpperCase()} to ${add(visible(wire.address))} port ${add(String(wire.port))}`,
    `- With ${shown(`Host: ${wire.host}`, wire.host)}${wire.protocol === 'https' ? ` and ${sniText(wire.sni)}` : ''}`,
  ];
}
