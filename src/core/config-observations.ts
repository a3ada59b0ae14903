/**
 * "What we see in your configuration": facts of the gateway's own configuration that explain why a
 * probe fails (pure). Each rule reads the resolved probe (probe-resolution.ts) and the finding's cause,
 * and says one thing, naming the probe or backend setting it comes from. A rule speaks only for the
 * causes it can explain (a host name does not explain a time-out). Sources of the facts: the docs cited
 * in probe-resolution.ts, and the troubleshooting guide's sections named in causes.ts.
 */
import { CAUSE_IDS, type CauseId } from './causes';
import { hasEdgeSpace, quoted, visible } from './visible-text';
import { statusMeaning, type StatusMeaning } from './probe-commands';
import { hostHeaderValue } from './probe-reproduction';
import {
  hostNameBeforePort,
  settingHostWithPort,
  isHttpProbe,
  isIpAddress,
  sendsServerName,
  statusAccepted,
  type ResolvedProbe,
} from './probe-resolution';

export const OBSERVATION_IDS = [
  'match-accepts-status',
  'match-excludes-status',
  'body-match-absent',
  'body-match-required',
  'default-probe-localhost',
  'probe-picks-missing-host',
  'host-is-ip-address',
  'https-without-server-name',
  'timeout-not-below-interval',
  'probe-port-differs',
  'probe-protocol-differs',
  'protocol-port-unusual',
  'v1-trusted-root-certificate',
  'v1-no-authentication-certificate',
  'v2-authentication-certificate',
  'v2-no-trusted-root',
  'probe-sends-proxy-header',
  'tls-probe-sni-from-settings',
  'sni-differs-from-host',
  'trusted-root-not-reached',
  'host-has-edge-space',
  'host-has-port',
  'health-partial',
] as const;

export type ObservationId = (typeof OBSERVATION_IDS)[number];

export interface Observation {
  readonly id: ObservationId;
  /** One plain sentence (untrusted names inside it: escape where it lands). */
  readonly text: string;
}

export interface ObservationFacts {
  readonly causeId: CauseId;
  /** The status the backend answered (status-code-mismatch). */
  readonly receivedStatus?: number;
  /** The gateway reports the server `Partial`, not down (model.ts HealthState). */
  readonly partial?: boolean;
  /** The reading is an on-demand probe's (`recheck`), sent with the configuration read: not older than it. */
  readonly onDemand?: boolean;
}

/** The certificate causes: every catalogue id of the `cert-` family, so a new one is covered too. */
const CERT_CAUSES: readonly CauseId[] = CAUSE_IDS.filter((id) => id.startsWith('cert-'));
/** Causes a request's name, port or protocol can explain. */
const REQUEST_CAUSES: readonly CauseId[] = [
  'status-code-mismatch',
  'body-mismatch',
  'probe-timeout',
  'tcp-connect',
  'proxy-protocol',
  'other',
  ...CERT_CAUSES,
];
const HOST_CAUSES: readonly CauseId[] = [
  'status-code-mismatch',
  'body-mismatch',
  'cert-cn-mismatch',
  'other',
];
/** Causes a host name or TLS server name can explain: a request's, and a certificate's name. */
const HOST_OR_CERT_CAUSES: readonly CauseId[] = [
  ...HOST_CAUSES,
  ...CERT_CAUSES.filter((c) => !HOST_CAUSES.includes(c)),
];
/**
 * Causes a backend's trust (its root or authentication certificate) can explain: not an expired
 * certificate nor a name mismatch, which a new root does not change.
 */
const TRUST_CAUSES: readonly CauseId[] = [
  'cert-untrusted-ca',
  'cert-chain-incomplete',
  'cert-root-mismatch',
  'cert-verify-failed',
];

/**
 * Whether the Host header the probe sends can explain this failure: not where the backend itself
 * answered an error (5xx: the fix is the backend's, STATUS_ADVICE), and not a certificate on a v1
 * gateway, which sends the backend address as SNI whatever the Host header (probe-resolution.ts).
 */
function hostCanExplain(p: ResolvedProbe, facts: ObservationFacts): boolean {
  if (
    facts.causeId === 'status-code-mismatch' &&
    facts.receivedStatus !== undefined &&
    statusMeaning(facts.receivedStatus) === 'backend-error'
  )
    return false;
  return !(p.generation === 'v1' && CERT_CAUSES.includes(facts.causeId));
}

/**
 * Why a TLS-sending probe has no server name, in words: v1 sends the backend address; otherwise the
 * name it would send is missing, or an IP address. The default probe's Host 127.0.0.1 is a Host header
 * only, never a name the backend setting gave (issue 17's third trial: a TLS probe was said to have
 * "host name 127.0.0.1", and a TLS probe sends no Host at all).
 */
function serverNameMissing(p: ResolvedProbe): string {
  if (p.generation === 'v1')
    return `a v1 gateway sends the backend address as SNI, and ${visible(p.address)} is an IP address, which is never sent as SNI`;
  if (p.host === undefined || p.hostSource === 'localhost')
    return 'its backend setting gives no host name and does not pick it from the backend target';
  return `its host name ${quoted(p.host)} is an IP address, which is never sent as SNI`;
}

/**
 * What the insight adds to "the backend answered N", by what N means (probe-commands.ts,
 * statusMeaning): only a credentials status may be accepted; any other is fixed where it comes from.
 */
const STATUS_ADVICE: Readonly<Record<StatusMeaning, (p: ResolvedProbe, status: number) => string>> = {
  credentials: (p, status) =>
    p.body !== undefined && p.body !== ''
      ? `: its body match ${quoted(p.body)} still applies, and a ${status} answer rarely contains it; rather than accept ${status} and clear the match (which would stop checking the body of every server this probe watches), probe a path that answers without credentials`
      : `: if the probe's path rightly asks for credentials, the probe can accept ${status}${p.probe ? '' : ' (through a custom probe: the default probe cannot be changed)'}`,
  success: (p, status) =>
    `: ${status} is a success the match leaves out; the probe can accept it${p.probe ? '' : ' (through a custom probe: the default probe cannot be changed)'}`,
  'wrong-path': (p, status) =>
    `: the path ${quoted(p.path)} is not a page the backend serves; probe one it does (accepting ${status} would mark a missing site healthy)`,
  redirect: (p) =>
    `: the backend redirects the path ${quoted(p.path)}; probe the page it redirects to, or stop the redirect for that path`,
  'backend-error': (_, status) =>
    `: the backend itself reports an error; fix the backend (accepting ${status} would mark a failing server healthy)`,
  other: () => '',
};

/** How the insight names the probe: `probe "p"`, or "the default probe (backend setting "s" has no custom probe)". */
export function probeLabel(p: ResolvedProbe): string {
  return p.probe
    ? `Probe ${quoted(p.probe.name)}`
    : `The default probe of backend setting ${quoted(p.settings.name)}`;
}

const settingsLabel = (p: ResolvedProbe): string => `Backend setting ${quoted(p.settings.name)}`;
const list = (values: readonly string[]): string => values.map((v) => quoted(v)).join(', ');
const upper = (protocol: string): string => protocol.toUpperCase();

interface Rule {
  readonly id: ObservationId;
  readonly causes: readonly CauseId[];
  readonly see: (p: ResolvedProbe, facts: ObservationFacts) => string | undefined;
}

/**
 * A reading the configuration read contradicts: the probe, as configured now, would accept what the
 * gateway reports it refused (`status`: observation `match-accepts-status`; `body`: `body-match-absent`).
 * The reading came before the probe was changed (or the gateway has not applied the change yet), so
 * nothing in the configuration explains it, and no change to the match is offered (exact-steps.ts): the
 * recheck shows what the probe gets now. Issue 17's fifth trial: a match of `200-399, 404, 201` was
 * offered `--match-status-codes … 201 200`.
 */
export type Contradiction = 'status' | 'body';

/**
 * The contradiction `observations` say, if any; undefined when none. The one test the steps, the title
 * and the recheck make (exact-steps.ts).
 */
export function contradiction(observations: readonly Observation[]): Contradiction | undefined {
  const ids = new Set(observations.map((o) => o.id));
  if (ids.has('match-accepts-status')) return 'status';
  if (ids.has('body-match-absent')) return 'body';
  return undefined;
}

/**
 * What a reading the configuration contradicts means, and what to do: the close of both such rules. An
 * on-demand probe's reading was sent with the configuration just read, so it cannot be older than it
 * (issue 17's fifth trial: `recheck` told the reader to run the recheck its answer came from).
 */
const predates = (facts: ObservationFacts): string =>
  facts.onDemand
    ? "yet the on-demand probe, sent with the configuration just read, reports it refused: the gateway may not have applied a recent change to the probe yet; look at the probe's match in the portal, and recheck again in a minute"
    : 'this reading came before the probe was last changed (or the gateway has not applied the change yet): confirm with the recheck below before changing anything';

/**
 * Observations that name the request's host, protocol or port as wrong: with one of them, a 404 may
 * come from the wrong site or scheme rather than a missing path (issue 17's fifth trial: "the path is
 * not a page the backend serves" beside "the probe uses HTTPS, the setting HTTP").
 */
const REQUEST_TARGET_WRONG: ReadonlySet<ObservationId> = new Set([
  'default-probe-localhost',
  'probe-picks-missing-host',
  'host-is-ip-address',
  'host-has-edge-space',
  'host-has-port',
  'probe-port-differs',
  'probe-protocol-differs',
  'protocol-port-unusual',
]);

const RULES: readonly Rule[] = [
  {
    id: 'match-accepts-status',
    causes: ['status-code-mismatch'],
    see: (p, facts) =>
      facts.receivedStatus !== undefined && statusAccepted(p.statusCodes, facts.receivedStatus)
        ? `${probeLabel(p)} accepts status ${p.statusCodes.join(', ')}, which includes the ${facts.receivedStatus} the backend answered: ${predates(facts)}.`
        : undefined,
  },
  {
    id: 'body-match-absent',
    causes: ['body-mismatch'],
    see: (p, facts) =>
      p.body === undefined || p.body === ''
        ? `${probeLabel(p)} matches no response body, yet the gateway reports a body mismatch: ${predates(facts)}.`
        : undefined,
  },
  {
    id: 'match-excludes-status',
    causes: ['status-code-mismatch'],
    see: (p, { receivedStatus }) =>
      receivedStatus !== undefined && !statusAccepted(p.statusCodes, receivedStatus)
        ? `${probeLabel(p)} accepts status ${p.statusCodes.join(', ')} only, and the backend answered ${receivedStatus}${STATUS_ADVICE[statusMeaning(receivedStatus)](p, receivedStatus)}.`
        : undefined,
  },
  {
    id: 'body-match-required',
    causes: ['body-mismatch'],
    see: (p) =>
      p.body !== undefined && p.probe
        ? `Probe ${quoted(p.probe.name)} requires the response body to contain ${quoted(p.body)}.`
        : undefined,
  },
  {
    id: 'default-probe-localhost',
    causes: HOST_CAUSES,
    see: (p, facts) =>
      p.hostSource === 'localhost' && hostCanExplain(p, facts)
        ? `${settingsLabel(p)} sets no host name and does not pick it from the backend target, and has no custom probe: the default probe sends "Host: 127.0.0.1", which a site bound to its own name often refuses (400, 404) or answers with another certificate.`
        : undefined,
  },
  {
    id: 'probe-picks-missing-host',
    causes: HOST_CAUSES,
    see: (p, facts) =>
      p.hostSource === 'none' && p.probe && hostCanExplain(p, facts)
        ? `Probe ${quoted(p.probe.name)} takes its host name from backend setting ${quoted(p.settings.name)}, which sets none and does not pick it from the backend target: the probe has no host name to send.`
        : undefined,
  },
  {
    // Issue 17's fifth trial: a probe host "shop.example.com:8443" got no word and no reproduction.
    id: 'host-has-port',
    causes: HOST_OR_CERT_CAUSES,
    see: (p, facts) => {
      const name = p.host === undefined ? undefined : hostNameBeforePort(p.host);
      if (!hostCanExplain(p, facts) || p.host === undefined || name === undefined) return undefined;
      const from =
        p.hostSource === 'probe'
          ? `Probe ${quoted(p.probe?.name ?? '')} sets its host name to`
          : `${settingsLabel(p)} sets the host name to`;
      // The probe's own host has it, and the setting's host name too: users' requests carry that one.
      const alsoSetting =
        p.hostSource === 'probe' && settingHostWithPort(p) !== undefined
          ? ` ${settingsLabel(p)} sets its host name to ${quoted(p.settings.hostName ?? '')} too, which users' requests to the backend carry: the name alone there as well.`
          : '';
      return `${from} ${quoted(p.host)}, a name with a port: the probe sends it whole as its Host${sendsServerName(p.protocol) ? ' and as its TLS server name, which no certificate has' : ''}; the host name is the name alone (${quoted(name)}), and the port is the probe's or the setting's own.${alsoSetting}`;
    },
  },
  {
    // Issue 17's fourth trial: "trail.example " sent as it is, and shown as `trail.example`.
    id: 'host-has-edge-space',
    causes: HOST_OR_CERT_CAUSES,
    see: (p, facts) => {
      if (!hostCanExplain(p, facts)) return undefined;
      if (hasEdgeSpace(p.host) && isHttpProbe(p))
        return `${probeLabel(p)} sends the host name ${quoted(p.host ?? '')}, which begins or ends with white space: the probe sends it as it is, and no site or certificate has that name.`;
      if (hasEdgeSpace(p.sni))
        return `${probeLabel(p)} sends the TLS server name ${quoted(p.sni ?? '')}, which begins or ends with white space: no certificate has that name.`;
      return undefined;
    },
  },
  {
    id: 'host-is-ip-address',
    causes: HOST_CAUSES,
    see: (p, facts) => {
      if (p.host === undefined || p.hostSource === 'localhost' || !isIpAddress(p.host)) return undefined;
      if (!hostCanExplain(p, facts)) return undefined;
      const from =
        p.hostSource === 'probe'
          ? `Probe ${quoted(p.probe?.name ?? '')} sets its host name to`
          : p.hostSource === 'settings'
            ? `${settingsLabel(p)} overrides the host name with`
            : `${settingsLabel(p)} picks the host name from the backend target, which is`;
      return `${from} the IP address ${visible(p.host ?? '')}: the probe sends ${quoted(`Host: ${hostHeaderValue(p.host ?? '')}`)}, not a site name.`;
    },
  },
  {
    id: 'https-without-server-name',
    causes: ['cert-cn-mismatch', 'cert-verify-failed', 'other'],
    see: (p) =>
      sendsServerName(p.protocol) && p.sni === undefined
        ? `${probeLabel(p)} is ${upper(p.protocol)} with no server name to send (${serverNameMissing(p)}): no certificate name can match it.${p.generation === 'v1' ? ' On v1 no host name setting changes that: list the server in its backend pool by the name on its certificate (an FQDN).' : ''}`
        : undefined,
  },
  {
    id: 'timeout-not-below-interval',
    causes: ['probe-timeout', 'other'],
    see: (p, facts) => {
      if (p.timeoutInS < p.intervalInS) return undefined;
      if (p.probe)
        return `Probe ${quoted(p.probe.name)} waits ${p.timeoutInS} s for an answer but probes every ${p.intervalInS} s: its timeout is not below its interval, so a slow answer is still awaited when the next probe goes out.`;
      // The default probe's timing is fixed (30 s, every 30 s): said where it explains a time-out
      // (issue 17's third trial: a timed-out server on the default probe got no observation at all),
      // not for a failure it has nothing to do with, where replacing the probe would be a change for nothing.
      return facts.causeId === 'probe-timeout'
        ? `${probeLabel(p)} waits ${p.timeoutInS} s for an answer and probes every ${p.intervalInS} s, and the default probe's timing cannot be changed: an answer slower than ${p.timeoutInS} s fails it, and only a custom probe can wait longer.`
        : undefined;
    },
  },
  {
    id: 'probe-port-differs',
    causes: REQUEST_CAUSES,
    see: (p) => {
      const port = p.probe?.port;
      if (port === undefined || !p.probe) return undefined;
      if (p.generation === 'v1')
        return `Probe ${quoted(p.probe.name)} sets port ${port}, which only v2 gateways use: this v1 gateway probes the port of backend setting ${quoted(p.settings.name)}${p.settings.port !== undefined ? ` (${p.settings.port})` : ''}.`;
      return p.settings.port !== undefined && port !== p.settings.port
        ? `Probe ${quoted(p.probe.name)} probes port ${port}, while backend setting ${quoted(p.settings.name)} sends traffic to port ${p.settings.port}: the probe checks another service than the one users reach.`
        : undefined;
    },
  },
  {
    id: 'probe-protocol-differs',
    causes: REQUEST_CAUSES,
    see: (p) =>
      p.probe?.protocol !== undefined &&
      p.settings.protocol !== undefined &&
      p.probe.protocol.toLowerCase() !== p.settings.protocol.toLowerCase()
        ? `Probe ${quoted(p.probe.name)} uses ${upper(p.probe.protocol)}, while backend setting ${quoted(p.settings.name)} uses ${upper(p.settings.protocol)}: a probe's protocol must be its backend setting's.`
        : undefined,
  },
  {
    id: 'protocol-port-unusual',
    // A backend that does not speak the protocol there times out, fails the handshake (other, or a
    // certificate that could not be verified) or, to plain HTTP on an HTTPS port, answers 400. A
    // certificate found expired, untrusted or of another name, a body, or any status to HTTPS shows
    // that the protocol was spoken there, so it explains none of those.
    causes: ['probe-timeout', 'other', 'status-code-mismatch', 'cert-verify-failed'],
    see: (p, { causeId }) =>
      (p.protocol === 'https' && p.port === 80 && causeId !== 'status-code-mismatch') ||
      (p.protocol === 'http' && p.port === 443 && causeId !== 'cert-verify-failed')
        ? `${probeLabel(p)} sends ${upper(p.protocol)} to port ${p.port}, the usual ${p.port === 80 ? 'HTTP' : 'HTTPS'} port: check that the backend speaks ${upper(p.protocol)} there.`
        : undefined,
  },
  {
    id: 'v1-trusted-root-certificate',
    causes: TRUST_CAUSES,
    see: (p) =>
      p.generation === 'v1' && p.settings.trustedRootCertificateNames.length > 0
        ? `${settingsLabel(p)} names trusted root certificate(s) ${list(p.settings.trustedRootCertificateNames)}, which only v2 gateways use: this v1 gateway (${p.skuTier ?? 'v1'}) trusts a backend through authentication certificates${p.settings.authenticationCertificateNames.length === 0 ? ', and the setting has none' : ''}.`
        : undefined,
  },
  {
    // learn.microsoft.com azure/application-gateway/certificates-for-backend-authentication: "For the
    // v1 SKU, authentication certificates are required" to allow an HTTPS backend (issue 17's trial: a
    // v1 setting with none got no observation and no command). With trusted roots set instead, the
    // rule above says it.
    id: 'v1-no-authentication-certificate',
    causes: TRUST_CAUSES,
    see: (p) =>
      p.generation === 'v1' &&
      p.protocol === 'https' &&
      p.settings.authenticationCertificateNames.length === 0 &&
      p.settings.trustedRootCertificateNames.length === 0
        ? `${settingsLabel(p)} has no authentication certificate: a v1 gateway (${p.skuTier ?? 'v1'}) allows an HTTPS backend only through one, the backend's own certificate (public part, .CER).`
        : undefined,
  },
  {
    id: 'v2-authentication-certificate',
    causes: TRUST_CAUSES,
    see: (p) =>
      p.generation === 'v2' &&
      p.settings.authenticationCertificateNames.length > 0 &&
      p.settings.trustedRootCertificateNames.length === 0
        ? `${settingsLabel(p)} names authentication certificate(s) ${list(p.settings.authenticationCertificateNames)} and no trusted root certificate: v2 gateways (${p.skuTier ?? 'v2'}) do not use authentication certificates, they trust a backend's root.`
        : undefined,
  },
  {
    id: 'v2-no-trusted-root',
    causes: ['cert-untrusted-ca', 'cert-chain-incomplete'],
    see: (p) =>
      p.generation === 'v2' &&
      // A TLS probe (the TCP/TLS proxy) validates the backend's certificate against the same roots.
      sendsServerName(p.protocol) &&
      p.settings.trustedRootCertificateNames.length === 0 &&
      p.settings.authenticationCertificateNames.length === 0
        ? `${settingsLabel(p)} has no trusted root certificate: a backend certificate from a private CA, or a self-signed one, is never trusted without one.`
        : undefined,
  },
  {
    id: 'probe-sends-proxy-header',
    // A backend that sees the header first closes or fails the handshake: no certificate reaches the
    // probe, so it cannot explain one found expired, untrusted or of another name.
    causes: ['proxy-protocol', 'tcp-connect', 'probe-timeout', 'other', 'cert-verify-failed'],
    see: (p) =>
      p.proxyProtocolHeader && p.probe
        ? `Probe ${quoted(p.probe.name)} sends a PROXY protocol header before anything else (enableProbeProxyProtocolHeader): a backend not set to read one on port ${p.port} closes the connection or fails the handshake.`
        : undefined,
  },
  {
    // Issue 17's fifth trial: an SNI from the setting's sniName, not its host name, and no word of it.
    id: 'sni-differs-from-host',
    causes: ['cert-cn-mismatch'],
    see: (p) =>
      p.sni !== undefined &&
      p.host !== undefined &&
      p.sni.toLowerCase() !== p.host.toLowerCase() &&
      p.protocol === 'https'
        ? `${probeLabel(p)} sends the TLS server name ${quoted(p.sni)}${p.settings.sniName !== undefined && p.settings.sniName === p.sni ? ` (backend setting ${quoted(p.settings.name)}'s SNI name)` : ''}, not its Host ${quoted(p.host)}: the backend's certificate must carry ${quoted(p.sni)}.`
        : undefined,
  },
  {
    // Issue 17's fifth trial: "upload the root CA" to a setting that already names one.
    id: 'trusted-root-not-reached',
    causes: ['cert-untrusted-ca', 'cert-root-mismatch', 'cert-chain-incomplete'],
    see: (p) =>
      p.generation === 'v2' &&
      sendsServerName(p.protocol) &&
      p.settings.trustedRootCertificateNames.length > 0
        ? `${settingsLabel(p)} already trusts root certificate(s) ${list(p.settings.trustedRootCertificateNames)}: the backend's chain does not end at ${p.settings.trustedRootCertificateNames.length === 1 ? 'it' : 'one of them'} (another CA, or intermediates the backend does not send): compare the issuer of the chain's last certificate with ${p.settings.trustedRootCertificateNames.length === 1 ? 'it' : 'them'}.`
        : undefined,
  },
  {
    id: 'tls-probe-sni-from-settings',
    causes: CERT_CAUSES,
    see: (p) =>
      p.protocol === 'tls' && p.probe?.pickHostNameFromBackendSettings
        ? `Probe ${quoted(p.probe.name)} takes its TLS server name from backend setting ${quoted(p.settings.name)} (pickHostNameFromBackendSettings): it sends ${p.sni !== undefined ? quoted(p.sni) : 'none, as the setting gives no host name (or only an IP address)'}, and the backend's certificate must match that.`
        : undefined,
  },
];

/** Rules about an HTTP request (Host, status, body): a TCP or TLS probe sends none. */
const HTTP_ONLY: ReadonlySet<ObservationId> = new Set([
  'match-accepts-status',
  'match-excludes-status',
  'body-match-absent',
  'body-match-required',
  'default-probe-localhost',
  'probe-picks-missing-host',
  'host-is-ip-address',
  'protocol-port-unusual',
]);

/** Every observation that holds for this probe and cause, in the order of OBSERVATION_IDS. */
export function observeConfiguration(probe: ResolvedProbe, facts: ObservationFacts): Observation[] {
  const found = RULES.flatMap((rule) => {
    if (!rule.causes.includes(facts.causeId)) return [];
    if (HTTP_ONLY.has(rule.id) && !isHttpProbe(probe)) return [];
    const text = rule.see(probe, facts);
    return text === undefined ? [] : [{ id: rule.id, text }];
  });
  const targetWrong = found.some((o) => REQUEST_TARGET_WRONG.has(o.id));
  const seen =
    targetWrong && facts.receivedStatus !== undefined && statusMeaning(facts.receivedStatus) === 'wrong-path'
      ? found.map((o) =>
          o.id === 'match-excludes-status'
            ? { ...o, text: pathOrTarget(probe, facts.receivedStatus ?? 0) }
            : o,
        )
      : found;
  // Said only beside what it qualifies.
  return facts.partial && seen.length > 0
    ? [{ id: 'health-partial', text: partialText(probe, facts) }, ...seen]
    : seen;
}

/**
 * `match-excludes-status` for a 404 when another observation names the request's host, protocol or port
 * as wrong: the path may be right and the request reach another site or scheme, so it says "may".
 */
const pathOrTarget = (p: ResolvedProbe, status: number): string =>
  `${probeLabel(p)} accepts status ${p.statusCodes.join(', ')} only, and the backend answered ${status}: the path ${quoted(p.path)} may not be a page the backend serves, or the request reaches another site, as what is listed here suggests; fix that first (accepting ${status} would mark a missing site healthy).`;

/**
 * A Partial server (a state Azure's docs do not describe: backend-health-api.md §2): the gateway
 * sends every probe of a setting with the same configuration, so what the configuration shows is
 * unlikely to explain a result that is not plainly down, and no change to it is offered (fixCommands;
 * issue 17's third trial: a Partial server was offered a host name change).
 */
const partialText = (p: ResolvedProbe, facts: ObservationFacts): string =>
  `The gateway reports this server Partial, not Unhealthy (a state Azure does not document): every probe it sends for backend setting ${quoted(p.settings.name)} uses the same configuration, so what is listed below is unlikely to explain a partial result alone, and no change to it is offered${facts.causeId === 'probe-timeout' ? ' but a longer timeout, for a backend slow at times' : ''}. Reproduce the probe several times and compare the answers.`;
