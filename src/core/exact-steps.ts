/**
 * A cause's steps with the values the product knows in place of the catalogue's placeholders (pure;
 * issue 17: "a step shows a placeholder for a value the product knows"). The catalogue (causes.ts)
 * writes each command once, in its general form (`-g <resource group> --gateway-name <gateway>`,
 * `nc -vz <address> <port>`); here each placeholder whose value is known becomes that value, one shell
 * word (shell-quote.ts), so a step's command can be pasted as it is:
 *
 * - always, from the gateway's ARM id: `<resource group>` and `<gateway>`;
 * - when the gateway's configuration was read (finding-configuration.ts): the server's `<address>`,
 *   `<fqdn>` (an address that is a name), the probe's `<port>`, its TLS server name `<host>` (left out
 *   where the probe sends none), the custom `<probe>`'s name, the default probe's `<protocol>`; and a
 *   general reproduction (`curl … http://<address>:<port><probe path> …`) becomes the exact command
 *   that sends what the probe sends (probe-reproduction.ts), naming the probe it reproduces.
 *
 * Without the configuration the steps stay general but for the ARM id's values (the insight says why
 * they are general). Placeholders for what only the reader knows stay: `<seconds>` they choose, a new
 * certificate's `<name>`, a backend NIC `<nic>` and its `<nic resource group>`, `<text>` to match.
 * A value that a step's code span could not carry (a backtick) leaves its placeholder: steps mark
 * commands with backticks, and each medium escapes the step where it lands (markdown, HTML, JSON).
 */
import type { Cause } from './causes';
import type { Finding } from './model';
import { authority, reproduceProbe } from './probe-reproduction';
import { isIpAddress, type ResolvedProbe } from './probe-resolution';
import { shellWord } from './shell-quote';
import { quoted } from './visible-text';

/**
 * A step that gives only the general form of the probe's reproduction (`curl -i
 * http://<address>:<port><probe path> …`, `nc -vz <address> <port>`): the exact command replaces it
 * (here, the `curl` ones; a notice drops them all, notice-cause.ts). Other steps with an address (the
 * certificate chain's `openssl … -showcerts`) do another job.
 */
export const GENERAL_REPRODUCTION = /<address>.*(?:curl|nc -vz)|(?:curl|nc -vz).*<address>/;

/** Whether `step` is a general `curl` reproduction of the probe (see GENERAL_REPRODUCTION). */
function isGeneralReproduction(step: string): boolean {
  return GENERAL_REPRODUCTION.test(step) && /curl/.test(step);
}

/** `value` as one shell word a step's code span can carry; undefined when it cannot (a backtick). */
function word(value: string): string | undefined {
  const w = shellWord(value);
  return w.includes('`') ? undefined : w;
}

/** Replaces each `placeholder` with `value` when there is one; the text unchanged otherwise. */
function put(text: string, placeholder: string, value: string | undefined): string {
  return value === undefined ? text : text.split(placeholder).join(value);
}

/** A bare address or host, without the brackets of an IPv6 literal. */
const bare = (address: string): string => address.replace(/^\[|\]$/g, '');

/**
 * What the steps' values come from: the gateway's ARM id, and its configuration behind the server's
 * probe when it was read (a finding, or what a recheck knows).
 */
export type KnownValues = Pick<Finding, 'gateway' | 'configuration'>;

/**
 * `finding`'s cause with `exactSteps` of its steps (the same cause when nothing changes). Pure.
 */
export function exactCause(finding: KnownValues & { readonly cause: Cause }): Cause {
  const steps = exactSteps(finding.cause.steps, finding);
  return steps.every((step, i) => step === finding.cause.steps[i])
    ? finding.cause
    : { ...finding.cause, steps };
}

/**
 * `steps` (a cause's, or some of them) with every placeholder whose value `finding` knows filled in
 * (see the module comment). Steps without a placeholder are returned as they are.
 */
export function exactSteps(steps: readonly string[], finding: KnownValues): string[] {
  const configuration = finding.configuration;
  const p = configuration?.read ? configuration.probe : undefined;
  return steps.map((step) => {
    if (!step.includes('<')) return step;
    const reproduction = p && isGeneralReproduction(step) ? exactReproduction(p) : undefined;
    if (reproduction !== undefined) return reproduction;
    let out = put(step, '<resource group>', word(finding.gateway.resourceGroup));
    out = put(out, '<gateway>', word(finding.gateway.name));
    return p ? withProbeValues(out, p) : out;
  });
}

/** The step that reproduces `p` exactly, naming it; undefined when no command can (the general one stays). */
function exactReproduction(p: ResolvedProbe): string | undefined {
  const reproduction = reproduceProbe(p);
  if (reproduction.command === undefined || reproduction.command.includes('`')) return undefined;
  return `Reproduce the probe from a VM in the gateway's virtual network (${probeName(p)}): \`${reproduction.command}\`. ${reproduction.expects}`;
}

/** The probe a step's values come from, in words no code span can be opened by (a backtick becomes `'`). */
function probeName(p: ResolvedProbe): string {
  const setting = quoted(p.settings.name);
  const name = p.probe
    ? `probe ${quoted(p.probe.name)} of backend setting ${setting}`
    : `the default probe of backend setting ${setting}`;
  return name.replace(/`/g, "'");
}

/** A step's placeholders for the server, its port, host name, probe and protocol, from `p`. */
function withProbeValues(step: string, p: ResolvedProbe): string {
  const address = bare(p.address);
  let out = step;
  // The chain's openssl: the address and port the probe connects to, and its server name or none.
  const connect = word(authority(address, p.port));
  out = put(out, '-connect <address>:443', connect === undefined ? undefined : `-connect ${connect}`);
  out = put(
    out,
    ' -servername <host>',
    p.sni === undefined ? '' : word(p.sni) === undefined ? undefined : ` -servername ${word(p.sni)}`,
  );
  out = put(out, '<fqdn>', isIpAddress(address) ? undefined : word(address));
  out = put(out, '<address>', word(address));
  out = put(out, '<port>', String(p.port));
  out = put(out, '<probe>', p.probe ? word(p.probe.name) : undefined);
  const protocol = p.settings.protocol?.toLowerCase();
  out = put(out, '<protocol>', protocol !== undefined && /^[a-z]+$/.test(protocol) ? protocol : undefined);
  return out;
}
