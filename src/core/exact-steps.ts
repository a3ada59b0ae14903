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
 * - a command that changes the probe: the one the insight's own commands would give (withProbeChanges;
 *   for the default probe, which has no name and cannot be edited, a custom one replacing it);
 * - the status match a catalogue command extends: the probe's own.
 *
 * Without the configuration the steps stay general but for the ARM id's values (the insight says why
 * they are general). What only the reader knows (how many seconds, a certificate file, a NIC, a text to
 * match) is a shell variable in the catalogue itself (shell-variables.ts), never a placeholder.
 * A value that a step's code span could not carry (a backtick) leaves its placeholder: steps mark
 * commands with backticks, and each medium escapes the step where it lands (markdown, HTML, JSON).
 */
import type { Cause } from './causes';
import type { Finding } from './model';
import { authority, reproduceProbe } from './probe-reproduction';
import { probeChangeAsInsight, type ProbeChange } from './probe-commands';
import { isIpAddress, type ResolvedProbe } from './probe-resolution';
import { shellWord } from './shell-quote';
import { stepQuoted } from './visible-text';
import { contradiction, type Observation } from './config-observations';

/** A placeholder for a value of one server or its probe, which only its configuration gives. */
const SERVER_PLACEHOLDER = /<(?:address|port|host|fqdn|probe|probe path|probe host|protocol)>/;

/**
 * `cause` without the steps that still hold a placeholder for a server's value: for a notice that
 * cannot make them exact, because it has no one server's configuration (a gateway-level notice, a
 * `recovered`: issue 17's second trial found `curl … <address>` and `-n <probe>` in both though the
 * configuration had been read). What is left is true as written. Pure.
 */
export function withoutServerPlaceholders(cause: Cause): Cause {
  const steps = cause.steps.filter((step) => !SERVER_PLACEHOLDER.test(step));
  return steps.length === cause.steps.length ? cause : { ...cause, steps };
}

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
  const title = exactTitle(finding);
  return title === finding.cause.title &&
    steps.length === finding.cause.steps.length &&
    steps.every((step, i) => step === finding.cause.steps[i])
    ? finding.cause
    : { ...finding.cause, title, steps };
}

/**
 * The cause's title, unless the configuration read contradicts it (config-observations.ts contradiction):
 * then what was reported, without "not accepted" (issue 17's fifth trial: "HTTP 200 (success code not
 * accepted)" above a match that accepts 200). Pure.
 */
export function exactTitle(finding: KnownValues & { readonly cause: Cause }): string {
  const configuration = finding.configuration;
  if (!configuration?.read) return finding.cause.title;
  const contradicted = contradiction(configuration.observations);
  const status = finding.cause.receivedStatus;
  if (contradicted === 'status' && status !== undefined)
    return `The backend answers the probe with HTTP ${status}, a status the probe's match accepts`;
  if (contradicted === 'body') return 'The gateway reports a body mismatch, but the probe matches no body';
  return finding.cause.title;
}

/**
 * `steps` (a cause's, or some of them) with every placeholder whose value `finding` knows filled in
 * (see the module comment). Steps without a placeholder are returned as they are, but for what the
 * configuration, once read, shows does not apply (forSku, acceptsNothing): those are left out.
 */
export function exactSteps(steps: readonly string[], finding: KnownValues): string[] {
  const configuration = finding.configuration;
  const p = configuration?.read ? configuration.probe : undefined;
  const observations = configuration?.read ? configuration.observations : [];
  const predates = p
    ? predatesStep(p, observations, configuration?.read === true && configuration.onDemand === true)
    : undefined;
  const exact = steps.flatMap((step) => {
    if (p && (!forSku(step, p) || acceptsNothing(step, p))) return [];
    // The configuration accepts what the reading says it refused: no change to the match is right.
    if (predates !== undefined && MATCH_STEP.test(step)) return [];
    if (predates !== undefined && STATUS_ADVICE_STEP.test(step)) return [];
    // "Upload the root" to a setting that trusts one already: replace it instead (issue 17's fifth trial).
    if (p && UPLOAD_ROOT_STEP.test(step) && observations.some((o) => o.id === 'trusted-root-not-reached'))
      return [replaceRootStep(p)];
    if (!step.includes('<')) return [step];
    // The general reproduction: the exact one, or (a value no command can carry) why there is none;
    // never the general one with its placeholders when the configuration was read.
    if (p && isGeneralReproduction(step)) return [exactReproduction(p)];
    let out = p ? withProbeChanges(step, p, observations) : step;
    out = put(out, '<resource group>', word(finding.gateway.resourceGroup));
    out = put(out, '<gateway>', word(finding.gateway.name));
    if (!p) return [out];
    out = withProbeValues(out, p);
    // A custom probe is the one the command changes: the catalogue's word on the default probe is not for it.
    if (p.probe) out = put(out, ' The default probe can only be replaced by a custom one.', '');
    // A value a step's code span cannot carry (a backtick) left its placeholder, which bash reads as a
    // redirection (issue 17's third trial: `-servername <host>`): the step says why there is no command.
    const stuck = uncarried(out, p);
    return [stuck === undefined ? out : noCommandStep(stuck, p)];
  });
  // First, in place of the advice it makes moot, whatever else is left (a notice passes only some of a
  // cause's steps, and may have none left here: issue 17's fifth trial lost the step so).
  return predates === undefined || steps.length === 0 ? exact : [predates, ...exact];
}

/**
 * The steps that change or inspect the probe's match (status or body), or explain a status as one the
 * match should or should not take: moot when the configuration already accepts what the reading
 * refused (config-observations.ts contradiction).
 */
const MATCH_STEP = /--match-status-codes|--match-body|the probe's body match|--query match/;
/** The catalogue's v2 step that uploads a first trusted root (cert-untrusted-ca). */
const UPLOAD_ROOT_STEP = /set 'Use well known CA certificate' to No and upload the root CA certificate/;

/** That step for a setting that already trusts a root its backend's chain does not reach. */
function replaceRootStep(p: ResolvedProbe): string {
  const roots = p.settings.trustedRootCertificateNames.map(stepQuoted).join(', ');
  return `v2 SKU: backend setting ${stepQuoted(p.settings.name)} already trusts ${roots}: upload the root CA certificate the backend's chain ends at (Base-64 X.509 .CER) as a trusted root certificate, and reference it from the setting in place of the one it does not reach.`;
}

/** The catalogue's advice for the status answered (causes.ts, statusCodeAdvice): `HTTP 404: …`. */
const STATUS_ADVICE_STEP = /^HTTP \d{3}: /;

/**
 * What a cause's first step says when the probe as configured would accept what the reading says it
 * refused (config-observations.ts contradiction): nothing to change in its match, and
 * the recheck shows what the probe gets now; undefined when no such observation holds. Issue 17's
 * fifth trial: a probe matching `200-399, 404, 201` was told its match leaves out 200 and offered
 * `--match-status-codes 200-399 404 201 200`.
 */
function predatesStep(
  p: ResolvedProbe,
  observations: readonly Observation[],
  onDemand: boolean,
): string | undefined {
  const contradicted = contradiction(observations);
  if (contradicted === undefined) return undefined;
  const what =
    contradicted === 'status'
      ? `accepts status ${stepQuoted(p.statusCodes.join(', '))}`
      : 'matches no response body';
  // An on-demand probe's answer was sent with the configuration read: not older than it (recheck).
  return onDemand
    ? `Nothing in the match of ${probeName(p)} explains this answer: as configured it ${what}, and the on-demand probe was sent with that configuration; the gateway may not have applied a recent change to the probe yet. Look at the probe's match in the portal (Health probes), and recheck again in a minute.`
    : `Nothing in the match of ${probeName(p)} explains this reading: as configured now it ${what}, so the reading came before the probe was last changed (or the gateway has not applied the change yet). Run the recheck to see what the probe gets now, before changing anything.`;
}

/**
 * The value of the first server placeholder left in `step` that has a value `p` knows but a step
 * cannot show (a backtick in it); undefined when none is (a placeholder with no value, `<fqdn>` of an
 * IP address, stays as the catalogue wrote it).
 */
function uncarried(step: string, p: ResolvedProbe): string | undefined {
  const address = bare(p.address);
  const known: ReadonlyArray<readonly [string, string | undefined]> = [
    ['<address>', address],
    ['<fqdn>', isIpAddress(address) ? undefined : address],
    ['<host>', p.sni],
    ['<probe>', p.probe?.name],
  ];
  return known.find(
    ([placeholder, value]) => value !== undefined && step.includes(placeholder) && word(value) === undefined,
  )?.[0];
}

/** What a step whose command cannot be shown says instead: which value, and where to find it. */
function noCommandStep(placeholder: string, p: ResolvedProbe): string {
  const what =
    placeholder === '<host>'
      ? `the TLS server name that ${probeName(p)} sends`
      : placeholder === '<probe>'
        ? `the name of ${probeName(p)}`
        : `the server's address ${stepQuoted(bare(p.address))}`;
  return `No command for this step here: ${what} holds a backtick, which a step cannot show as a command; its values are under "In your configuration".`;
}

/**
 * Whether a catalogue step is for `p`'s SKU: a step that opens with "v1 SKU" or "v2 SKU" (the
 * certificate causes give both: a v1 gateway trusts a backend through authentication certificates, a
 * v2 one through trusted roots) only on that generation; any other step always. Issue 17's trial: a v1
 * gateway was offered `root-cert create`, which only v2 uses.
 */
function forSku(step: string, p: ResolvedProbe): boolean {
  if (p.generation === 'unknown') return true;
  if (p.generation === 'v1' && / root-cert create /.test(step)) return false;
  const sku = /^(v1|v2) SKU\b/.exec(step)?.[1];
  return sku === undefined || sku === p.generation;
}

/**
 * Whether a step offers to accept a status in a match that accepting cannot fix: the probe also
 * matches a body, which a credentials answer rarely holds (its observation says what to do instead).
 */
function acceptsNothing(step: string, p: ResolvedProbe): boolean {
  return step.includes('--match-status-codes') && p.body !== undefined && p.body !== '';
}

/**
 * The step that reproduces `p` exactly, naming it; when no command can (a value curl cannot carry, or a
 * backtick no code span holds), why not, in words.
 */
function exactReproduction(p: ResolvedProbe): string {
  const reproduction = reproduceProbe(p);
  if (reproduction.command === undefined) return reproduction.why;
  if (reproduction.command.includes('`'))
    return `No command reproduces this probe here: a value of ${probeName(p)} holds a backtick, which a step cannot show as a command; see its values under "In your configuration".`;
  return `Reproduce the probe from a VM in the gateway's virtual network (${probeName(p)}): \`${reproduction.command}\`. ${reproduction.expects}`;
}

/** The probe a step's values come from, in words no code span can be opened by (stepQuoted). */
function probeName(p: ResolvedProbe): string {
  const setting = stepQuoted(p.settings.name);
  return p.probe
    ? `probe ${stepQuoted(p.probe.name)} of backend setting ${setting}`
    : `the default probe of backend setting ${setting}`;
}

/** A catalogue command, in a code span, that changes the custom probe: its options are group 1. */
const PROBE_UPDATE =
  /`az network application-gateway probe update -g <resource group> --gateway-name <gateway> -n <probe> ([^`]*)`/g;

/** A catalogue command, in a code span, that shows the custom probe. */
const PROBE_SHOW =
  /`az network application-gateway probe show -g <resource group> --gateway-name <gateway> -n <probe>[^`]*`/g;

/** `probe update` options as a ProbeChange: the timing and path apart, the rest as written. */
function changeOf(options: string): ProbeChange {
  const change: { path?: string; intervalInS?: string; timeoutInS?: string } = {};
  const rest = options.replace(
    /(?:^| )--(timeout|interval|path) ("[^"]*"|[^ ]+)/g,
    (_, flag: string, value: string) => {
      if (flag === 'timeout') change.timeoutInS = value;
      else if (flag === 'interval') change.intervalInS = value;
      else change.path = value;
      return '';
    },
  );
  const others = rest.trim();
  return others === '' ? change : { ...change, options: others };
}

/**
 * `step` with each catalogue command that changes the probe made by probeChange (probe-commands.ts),
 * as the insight's own commands are: for a custom probe its `probe update`, with the interval the
 * reader sets too where a longer timeout needs it; for the default probe, which has no name and cannot
 * be edited (issue 17's trial: `probe update … -n <probe>` for a default probe), a custom probe with
 * its values and the change, then attached (joined by `&&`). A command showing the default probe
 * becomes what the default probe matches. A command that could not sit in a code span (a backtick) is
 * left as it was.
 */
function withProbeChanges(step: string, p: ResolvedProbe, observations: readonly Observation[]): string {
  const changed = step.replace(PROBE_UPDATE, (span, options: string) => {
    const commands = probeChangeAsInsight(p, changeOf(options), observations).join(' && ');
    return commands.includes('`') ? span : `\`${commands}\``;
  });
  return p.probe
    ? changed
    : changed.replace(PROBE_SHOW, 'the default probe matches status 200-399 and no body');
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
    p.sni === undefined
      ? ' -noservername'
      : word(p.sni) === undefined
        ? undefined
        : ` -servername ${word(p.sni)}`,
  );
  out = put(out, '<fqdn>', isIpAddress(address) ? undefined : word(address));
  out = put(out, '<address>', word(address));
  out = put(out, '<port>', String(p.port));
  out = put(out, '<probe>', p.probe ? word(p.probe.name) : undefined);
  // The catalogue's match to accept a status in is the default probe's: the probe's own takes its place.
  if (p.statusCodes.length > 0) {
    out = put(
      out,
      '--match-status-codes 200-399 ',
      `--match-status-codes ${p.statusCodes.map(shellWord).join(' ')} `,
    );
    // The portal's example too (issue 17's third trial: "e.g. `200-399,401`" beside a probe matching 200).
    const portal = p.statusCodes.join(',');
    if (!portal.includes('`')) out = put(out, '`200-399,', `\`${portal},`);
  }
  const protocol = p.settings.protocol?.toLowerCase();
  out = put(out, '<protocol>', protocol !== undefined && /^[a-z]+$/.test(protocol) ? protocol : undefined);
  return out;
}
