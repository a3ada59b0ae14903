/**
 * The catalogue of reasons a backend server is not healthy, and what an operator should do about each.
 *
 * Source: Microsoft's "Troubleshoot backend health issues in Application Gateway" guide
 * (MicrosoftDocs/SupportArticles-docs: support/azure/application-gateway/application-gateway-backend-health-troubleshooting.md,
 * earlier MicrosoftDocs/azure-docs: articles/application-gateway/…), every stored version from 2019-08 to 2026-08.
 * The steps are our own words, faithful to the guide's resolutions. Cause ids are a contract: never rename one.
 */

import { capText } from './caps';
import { acceptable, statusMeaning } from './probe-commands';
import { requiredVariable } from './shell-variables';

/**
 * A value only the reader knows, in a catalogue command: read from a shell variable the shell refuses to
 * run without (shell-variables.ts), never a `<placeholder>` (a redirection when pasted) or a made-up one.
 */
const reader = requiredVariable;

export const CAUSE_IDS = [
  'probe-timeout',
  'dns-resolution',
  'tcp-connect',
  'status-code-mismatch',
  'body-mismatch',
  'cert-cn-mismatch',
  'cert-expired',
  'cert-chain-incomplete',
  'cert-untrusted-ca',
  'cert-root-mismatch',
  'cert-verify-failed',
  'proxy-protocol',
  'health-unknown',
  'draining',
  'other',
] as const;

export type CauseId = (typeof CAUSE_IDS)[number];

export interface Cause {
  readonly id: CauseId;
  readonly title: string;
  readonly steps: readonly string[];
  readonly docUrl: string;
  /** The HTTP status the backend answered the probe with; only for `status-code-mismatch`, when the log says. */
  readonly receivedStatus?: number;
}

export function isCauseId(value: string): value is CauseId {
  return (CAUSE_IDS as readonly string[]).includes(value);
}

/** The guide as learn.microsoft.com serves it today (the SupportArticles-docs copy). */
export const GUIDE_URL =
  'https://learn.microsoft.com/troubleshoot/azure/application-gateway/application-gateway-backend-health-troubleshooting';

/**
 * Section anchors of the guide. Headings drift between versions ("has expired" → "expired", "was not found" →
 * "wasn't found", "is not issued" → "isn't issued"); these are the newest version's (ms.date 2026-08-28).
 * A stale anchor only loses the scroll position: the page still opens.
 */
export const GUIDE_ANCHORS = {
  timeout: 'backend-server-timeout',
  dns: 'dns-resolution-error',
  tcp: 'tcp-connect-error',
  firewall: 'check-azure-firewall-application-rules',
  statusCode: 'http-status-code-mismatch',
  body: 'http-response-body-mismatch',
  commonName: 'common-name-cn-doesnt-match',
  expired: 'backend-certificate-expired',
  intermediateMissing: 'the-intermediate-certificate-wasnt-found',
  leafMissing: 'the-leaf-or-server-certificate-wasnt-found',
  serverNotWellKnown: 'server-certificate-isnt-issued-by-a-publicly-known-ca',
  intermediateNotWellKnown: 'the-intermediate-certificate-isnt-signed-by-a-publicly-known-ca',
  rootMismatchNoRoot: 'trusted-root-certificate-mismatch-no-root-certificate-on-the-backend-server',
  rootMismatch: 'trusted-root-certificate-mismatch-root-certificate-is-available-on-the-backend-server',
  leafTopmost: 'leaf-must-be-topmost-in-chain',
  verifyFailed: 'certificate-verification-failed',
  proxyProtocol: 'proxy-protocol-unsupported',
  unknown: 'backend-health-status-unknown',
} as const;

export type GuideAnchor = (typeof GUIDE_ANCHORS)[keyof typeof GUIDE_ANCHORS];

export function guideUrl(anchor?: string): string {
  return anchor ? `${GUIDE_URL}#${anchor}` : GUIDE_URL;
}

/** Connection draining is not in the troubleshooting guide; it is a backend-settings feature. */
export const DRAINING_URL =
  'https://learn.microsoft.com/azure/application-gateway/configuration-http-settings#connection-draining';

interface CatalogueEntry {
  readonly title: string;
  readonly steps: readonly string[];
  readonly docUrl: string;
}

/**
 * The status-code-mismatch step that offers to accept the status (the guide: "If the status is
 * legitimate, accept it"); `acceptStep` writes it for the status received, or leaves it out.
 */
const ACCEPT_STEP = 'accept-step';

const OPENSSL_CHAIN = 'openssl s_client -connect <address>:443 -servername <host> -showcerts </dev/null';

/** The `other` cause's step for a message we do not recognise: left out when there is none. */
const IF_MESSAGE_STEP =
  'If the gateway gave a message, compare it with the error messages listed in the troubleshooting guide and follow the matching section.';

export const CATALOGUE: Readonly<Record<CauseId, CatalogueEntry>> = {
  'probe-timeout': {
    title: 'The backend answers the health probe too slowly (probe timeout)',
    docUrl: guideUrl(GUIDE_ANCHORS.timeout),
    steps: [
      "Time the probe URL from a VM in the gateway's virtual network, e.g. `curl -o /dev/null -s -w '%{time_total}\\n' http://<address>:<port><probe path> -H 'Host: <probe host>'`, and compare it with the probe's timeout (the default probe waits 30 s).",
      'Find out why the application is slow: look at its dependencies (database, downstream APIs), CPU and memory on the backend, and its own logs for the probe requests.',
      "If the response is slow by design, point the probe at a lightweight health endpoint, or raise the timeout: portal → Application Gateway → Health probes → the probe used by this backend setting → Timeout (seconds). The default probe can't be edited: create a custom probe and associate it with the backend setting.",
      `From the CLI: \`az network application-gateway probe update -g <resource group> --gateway-name <gateway> -n <probe> --timeout ${reader('PROBE_TIMEOUT_SECONDS')}\`, with a timeout longer than the time you measured and below the probe's interval.`,
      'Save, then watch Backend health: the server should turn Healthy after the next probe interval.',
    ],
  },
  'dns-resolution': {
    title: "The gateway can't resolve the backend's FQDN (DNS resolution error)",
    docUrl: guideUrl(GUIDE_ANCHORS.dns),
    steps: [
      'Check the FQDN in the backend pool for typos (portal → Application Gateway → Backend pools).',
      "Resolve it: `nslookup <fqdn>` from your machine for a public name, and from a VM in the gateway's virtual network for a private one.",
      "If the virtual network uses custom DNS servers (Virtual network → DNS servers), make sure they answer for this name and are reachable from the gateway subnet. For a private zone, link the Private DNS zone to the gateway's virtual network and check its A or CNAME record.",
      'With Azure-provided DNS (168.63.129.16), check the A or CNAME record at your DNS zone or registrar. Single-label short names (e.g. `server1`) only resolve for resources in the same virtual network: use the full name or a custom DNS server with the right search domains.',
      'After changing DNS servers or records, stop and start the gateway so it picks them up: `az network application-gateway stop -g <resource group> -n <gateway>` then `az network application-gateway start -g <resource group> -n <gateway>` (or `Stop-AzApplicationGateway` / `Start-AzApplicationGateway`).',
    ],
  },
  'tcp-connect': {
    title: "The gateway can't open a TCP connection to the backend (TCP connect error)",
    docUrl: guideUrl(GUIDE_ANCHORS.tcp),
    steps: [
      "From a VM in the gateway's virtual network, test the port: `Test-NetConnection -ComputerName <address> -Port <port>` or `nc -vz <address> <port>`. Check that the port in the backend setting is the one the server listens on.",
      `NSGs: the backend's NIC and subnet must allow inbound traffic from the gateway subnet on that port, and the gateway subnet must allow outbound traffic to it. Effective rules: \`az network nic list-effective-nsg -g ${reader('NIC_RESOURCE_GROUP')} -n ${reader('NIC_NAME')}\` (or \`Get-AzEffectiveNetworkSecurityGroup\`).`,
      `Routes: look for user-defined routes on the gateway or backend subnet that send the traffic to a virtual appliance, and for a default route advertised over ExpressRoute or VPN: \`az network nic show-effective-route-table -g ${reader('NIC_RESOURCE_GROUP')} -n ${reader('NIC_NAME')}\` (or \`Get-AzEffectiveRouteTable\`).`,
      'If the traffic passes an Azure Firewall (hub virtual network or Virtual WAN secured hub), query its AZFWApplicationRule / AZFWNetworkRule logs for `Action == "Deny"` and add a rule that allows the probe.',
      'On the server: check that something listens on the port (`netstat -an`, `ss -ltn`), that the web server binds it (IIS site bindings, NGINX server block, Apache virtual host), and that the OS firewall allows it.',
    ],
  },
  'status-code-mismatch': {
    title: "The backend's HTTP status doesn't match the probe (status code mismatch)",
    docUrl: guideUrl(GUIDE_ANCHORS.statusCode),
    steps: [
      "Reproduce the probe from a VM in the gateway's virtual network: `curl -i http://<address>:<port><probe path> -H 'Host: <probe host>'` (for HTTPS: `curl -ik https://<host><path> --resolve <host>:<port>:<address>`). The default probe asks for `<protocol>://127.0.0.1:<port>/` and accepts 200-399.",
      ACCEPT_STEP,
    ],
  },
  'body-mismatch': {
    title: "The backend's response body doesn't contain the probe's match string",
    docUrl: guideUrl(GUIDE_ANCHORS.body),
    steps: [
      "Fetch the probe path the way the probe does, from a VM in the gateway's virtual network: `curl -s http://<address>:<port><probe path> -H 'Host: <probe host>'`, and read the body.",
      "Compare it with the probe's body match: portal → Health probes → the probe → probe matching conditions → HTTP response body match (`az network application-gateway probe show -g <resource group> --gateway-name <gateway> -n <probe> --query match`).",
      `Fix the health endpoint's output, or change the match string (\`az network application-gateway probe update -g <resource group> --gateway-name <gateway> -n <probe> --match-body ${reader('MATCH_BODY')}\`), or clear it to match on the status code alone.`,
    ],
  },
  'cert-cn-mismatch': {
    title: "The backend certificate's name doesn't match the host name the probe uses (CN mismatch)",
    docUrl: guideUrl(GUIDE_ANCHORS.commonName),
    steps: [
      `See the names on the backend certificate: \`${OPENSSL_CHAIN} | openssl x509 -noout -subject -ext subjectAltName\`. When the certificate has Subject Alternative Names, only those count (RFC 6125).`,
      "v2 SKU: the probe sends as SNI the custom probe's Host (or, with 'Pick host name from backend settings', the backend setting's host name); the default probe uses the backend setting's 'Override with specific domain name' or 'Pick host name from backend target'. Make that name one the certificate carries.",
      "v1 SKU: SNI is the backend pool target's FQDN; it must equal the certificate's Common Name.",
      "Don't set an IP address as the host name for an HTTPS backend: no SNI is sent for an IP. If the backend is reachable only by IP, use the backend setting's HTTPS validation settings (v2) to set a specific SNI or skip name validation.",
      'Or reissue the backend certificate with the host name the gateway uses.',
    ],
  },
  'cert-expired': {
    title: 'A certificate in the backend chain has expired (or is not yet valid)',
    docUrl: guideUrl(GUIDE_ANCHORS.expired),
    steps: [
      `Check every certificate's dates: \`${OPENSSL_CHAIN}\`, then \`openssl x509 -noout -subject -dates\` on each one.`,
      'Renew the expired certificate with its CA (usually the leaf; intermediates and roots rarely) and install the complete chain on the backend: leaf first, then the intermediates, then the root.',
      "v2 SKU: with a well-known CA nothing changes on the gateway. With a private CA, if the renewed chain has a new root, upload that root (.CER) to the backend setting's trusted root certificates.",
      "v1 SKU: upload the renewed leaf certificate (.CER) as the backend setting's authentication certificate.",
    ],
  },
  'cert-chain-incomplete': {
    title: 'The backend presents an incomplete or misordered certificate chain',
    docUrl: guideUrl(GUIDE_ANCHORS.leafTopmost),
    steps: [
      `List the chain the backend sends: \`${OPENSSL_CHAIN}\`. Depth 0 must be the leaf (server) certificate, followed by the intermediates and optionally the root; "unable to get local issuer certificate" means an intermediate is missing.`,
      'Get the missing leaf or intermediate certificates from your CA and configure the server with the full chain in order leaf → intermediate(s) → root (e.g. a full-chain file for NGINX `ssl_certificate`; the Intermediate Certification Authorities store on IIS).',
      'A self-signed certificate that isn\'t a CA certificate gives the same error: the gateway looks for its issuer. Issue the leaf from your own root CA instead (see "Generate an Azure Application Gateway self-signed certificate with a custom root CA").',
      'Run the openssl command again, then check Backend health.',
    ],
  },
  'cert-untrusted-ca': {
    title: 'The backend certificate is not issued by a well-known CA',
    docUrl: guideUrl(GUIDE_ANCHORS.serverNotWellKnown),
    steps: [
      `Find who issued the backend's chain: \`${OPENSSL_CHAIN}\` (look at the issuer of the last certificate).`,
      "v2 SKU, a private CA or a self-signed chain: in the backend setting, set 'Use well known CA certificate' to No and upload the root CA certificate (Base-64 X.509 .CER) as a trusted root certificate.",
      'If the certificate should chain to a public CA, make the backend send its intermediates so the chain reaches the public root.',
      'Installing the complete chain, root included, on the backend makes the result easy to verify.',
      "v1 SKU ('Invalid certificate - Invalid CA'): a v1 gateway trusts a backend through the backend setting's authentication certificate (the backend's own certificate, public part, .CER), not through trusted root certificates: upload it, and make the backend send its complete chain.",
    ],
  },
  'cert-root-mismatch': {
    title:
      "The backend's chain doesn't lead to the trusted root (or authentication certificate) uploaded to the gateway",
    docUrl: guideUrl(GUIDE_ANCHORS.rootMismatch),
    steps: [
      `Find the root the backend's chain leads to: \`${OPENSSL_CHAIN}\`, and compare it with the trusted root certificates of the backend setting (\`az network application-gateway root-cert list -g <resource group> --gateway-name <gateway>\`), e.g. by \`openssl x509 -noout -fingerprint -sha256\`.`,
      'Export the right root: browser padlock → certificate path → root → Export as Base-64 X.509 (.CER), or certlm.msc on a Windows backend.',
      `Upload it (\`az network application-gateway root-cert create -g <resource group> --gateway-name <gateway> -n ${reader('ROOT_CERT_NAME')} --cert-file ${reader('ROOT_CERT_FILE')}\`) and reference it from the backend setting, replacing the wrong one.`,
      'v2 SKU: if the backend sends only the leaf and intermediate, the uploaded root must be the one that signed that intermediate.',
      "v1 SKU ('not whitelisted'): the authentication certificate must be the backend's own leaf certificate (public part, .CER), not its root.",
    ],
  },
  'cert-verify-failed': {
    title: "The gateway couldn't verify the backend certificate",
    docUrl: guideUrl(GUIDE_ANCHORS.verifyFailed),
    steps: [
      `Reproduce the check: \`${OPENSSL_CHAIN}\`, then \`openssl verify -CAfile root.pem -untrusted intermediates.pem leaf.pem\`. The error code in the probe message is an OpenSSL verify code (see the \`openssl verify\` documentation).`,
      'Fix what openssl reports (expiry, revocation, wrong key usage, broken chain), re-create the certificate properly if needed, and upload the root (v2) or authentication certificate (v1) to the backend setting again.',
      "Revocation checks need the gateway subnet to reach the CA's CRL/OCSP endpoints: check NSGs, routes and firewalls on the way out.",
      "v1 SKU ('HTTPS probe connection error'): the secure connection itself failed. Besides the certificate, check that the backend answers TLS on that port and accepts a protocol version and cipher suite of the gateway's SSL policy (`az network application-gateway ssl-policy show -g <resource group> --gateway-name <gateway>`).",
    ],
  },
  'proxy-protocol': {
    title: "The backend doesn't accept the PROXY protocol header the probe sends",
    docUrl: guideUrl(GUIDE_ANCHORS.proxyProtocol),
    steps: [
      'This happens only with TLS (layer 4) backend settings that preserve the client IP: the gateway sends a PROXY protocol header before the TLS handshake, probes included.',
      'Enable PROXY protocol parsing on that port of the backend, per the HAProxy PROXY protocol specification (e.g. NGINX `listen 443 ssl proxy_protocol;`, HAProxy `accept-proxy`).',
      "Or turn client IP preservation off in the backend setting if the backend can't parse the header.",
    ],
  },
  'health-unknown': {
    title: "The gateway couldn't find out this server's health (status Unknown)",
    docUrl: guideUrl(GUIDE_ANCHORS.unknown),
    steps: [
      "NSG on the gateway subnet: allow inbound from the service tag GatewayManager to ports 65200-65535 (v2 SKU) or 65503-65534 (v1 SKU), and don't block outbound Internet traffic.",
      "Routes on the gateway subnet: a 0.0.0.0/0 route must have next hop Internet, or go through an appliance that returns the traffic unmodified; a default route advertised over ExpressRoute/VPN (BGP) breaks it too. Test with the gateway's Connection troubleshoot to an Internet address such as 1.1.1.1.",
      "DNS: custom DNS servers on the virtual network must resolve public names and the backend's FQDN. An FQDN backend whose DNS stops answering loses its cached address after any update of the gateway, and turns Unknown.",
      'Let the gateway subnet reach the CRL endpoints (crl.microsoft.com, crl3.digicert.com).',
      'Virtual WAN secured hub: route 0.0.0.0/0 with next hop Internet, and the backend subnet with next hop the Azure Firewall private IP; check the firewall rules allow the probe.',
      "Check the gateway's Resource health; Unhealthy or Degraded there needs Azure support.",
    ],
  },
  draining: {
    title: 'The server is draining (connection draining in progress)',
    docUrl: DRAINING_URL,
    steps: [
      'Draining means the gateway sends the server no new requests while existing ones finish: it happens when the server is removed from the backend pool, or is marked unhealthy, while connection draining is enabled on the backend setting.',
      'If this is planned (deployment, scale-in), wait for the drain timeout of the backend setting (`connectionDraining.drainTimeoutInSec`, 1-3600 s): nothing to do.',
      "If not, look in the gateway's Activity log for a backend pool change, and check the probe message once draining ends.",
    ],
  },
  other: {
    title: 'The gateway reports a probe message we do not recognise',
    docUrl: GUIDE_URL,
    steps: [
      IF_MESSAGE_STEP,
      "Check the server directly from a VM in the gateway's virtual network: port reachable, probe path answering 200-399, certificate valid for the probe's host name.",
      'Look at the Details column of Backend health in the portal for the current message.',
    ],
  },
};

/** status-code-mismatch's first step when the message names no status. */
export const STATUS_NOT_STATED_STEP =
  "The message doesn't say which status the backend returned: reproduce the probe (below) to see it.";

/** Status-specific first steps, keyed by the received HTTP status (guide table: 401, 403, 404, 405, 500, 503). */
export function statusCodeAdvice(status: number | undefined): {
  readonly label: string;
  readonly step: string;
} {
  if (status === undefined) return { label: 'status not stated', step: STATUS_NOT_STATED_STEP };
  if (status === 401 || status === 407) {
    return {
      label: 'authentication required',
      // Accepting the status is the accept step's (acceptStep: only where it can be right, and left
      // out where a body match would still fail it: issue 17's fourth trial saw both said at once).
      step: `HTTP ${status}: the backend wants credentials and probes can't send any. Probe a path that allows anonymous access.`,
    };
  }
  if (status === 403) {
    return {
      label: 'forbidden',
      step: 'HTTP 403: access to the probe path is forbidden. Check that the backend allows this path for the gateway (App Service access restrictions, IP allow-lists, a WAF or auth module in front of the app).',
    };
  }
  if (status === 404) {
    return {
      label: 'not found',
      step: "HTTP 404: the probe's host name or path doesn't exist on the backend. Check the probe's Path and Host (or 'Pick host name from backend settings') and the site's host bindings; point the probe at a path that exists.",
    };
  }
  if (status === 405) {
    return {
      label: 'method not allowed',
      step: 'HTTP 405: probes use the GET method; allow GET on the probe path.',
    };
  }
  if (status >= 200 && status < 300) {
    return {
      label: 'success code not accepted',
      step: `HTTP ${status}: the backend answers successfully, but the probe's status code match doesn't include ${status}. Check the probe's match conditions (\`az network application-gateway probe show -g <resource group> --gateway-name <gateway> -n <probe> --query match\`).`,
    };
  }
  if (status >= 300 && status < 400) {
    return {
      label: 'redirect',
      step: `HTTP ${status}: the backend redirects (e.g. HTTP→HTTPS, or to a login page) and the probe's match conditions don't accept it. Probe the final URL directly (right protocol, port and path), or stop the redirect for the probe's path: accepting ${status} would mark healthy a server that only redirects.`,
    };
  }
  if (status >= 500 && status < 600) {
    return {
      label: 'backend error',
      step: `HTTP ${status}: the application itself is failing. Check that the service is running (app pool, container, process), its logs and its dependencies${status === 503 ? '; 503 often means stopped, starting or overloaded' : ''}.`,
    };
  }
  if (status === 400) {
    return {
      label: 'bad request',
      step: "HTTP 400: often the Host header the probe sends isn't one the site accepts. Set the probe's Host to the site's name (the default probe, which has none, sends the backend setting's host name: set that).",
    };
  }
  return {
    label: 'unexpected status',
    step: `HTTP ${status}: find out why the backend answers the probe path with this status, from the backend's logs for the probe requests.`,
  };
}

/**
 * The step that offers to accept `status` in the probe's match: for a status that can be a right answer
 * for a health probe (401 or 403 from a path that asks for credentials, a 2xx a narrow match left out);
 * none for any other (issue 17's trial: a 503 was offered "accept 401"; accepting a 5xx would mark a
 * failing server healthy, a 404 or a redirect says the probe asks for the wrong page, which the status
 * advice says). Unknown status: the reader names it. `200-399` is the default probe's match; the
 * insight puts the probe's own in its place when it read the configuration (exact-steps.ts).
 */
function acceptStep(status: number | undefined): string[] {
  const portal =
    'portal → Health probes → the probe → Use probe matching conditions → HTTP response status code match';
  const command = (value: string) =>
    `\`az network application-gateway probe update -g <resource group> --gateway-name <gateway> -n <probe> --match-status-codes 200-399 ${value}\``;
  const replace = 'The default probe can only be replaced by a custom one.';
  if (status === undefined)
    return [
      `If the status is a right answer for a health probe (401 or 403 from a path that asks for credentials), accept it: ${portal}, or ${command(reader('ACCEPTED_STATUS'))}. ${replace}`,
    ];
  if (!acceptable(statusMeaning(status))) return [];
  return [
    `If ${status} is a right answer for this path, accept it: ${portal} (e.g. \`200-399,${status}\`), or ${command(String(status))}. ${replace}`,
  ];
}

export interface CauseOptions {
  /** For `status-code-mismatch`: the HTTP status the backend returned. */
  readonly receivedStatus?: number;
  /** Overrides the catalogue's guide section. */
  readonly anchor?: string;
  /** The probe message as the gateway gave it: quoted in the steps of `other`, `health-unknown` and `draining`. */
  readonly probeLog?: string;
  /** A first step that explains this particular classification (e.g. why a success message is not a cause). */
  readonly note?: string;
  /** Overrides the catalogue's title. */
  readonly title?: string;
}

/** How much of the probe message a step quotes, in characters. */
export const QUOTED_LOG_LIMIT = 500;

/** Builds the Cause for an id: the catalogue entry, specialised by the options. */
export function causeFor(id: CauseId, options: CauseOptions = {}): Cause {
  const entry = CATALOGUE[id];
  const docUrl = options.anchor ? guideUrl(options.anchor) : entry.docUrl;
  const log = quotedProbeLog(options.probeLog ?? '');
  const lead = options.note ? [options.note] : [];
  if (id === 'status-code-mismatch') {
    const status = options.receivedStatus;
    const advice = statusCodeAdvice(status);
    const title =
      status === undefined
        ? entry.title
        : `The backend answers the probe with HTTP ${status} (${advice.label})`;
    const steps = entry.steps.flatMap((step) => (step === ACCEPT_STEP ? acceptStep(status) : [step]));
    const base = { id, title, steps: [...lead, advice.step, ...steps], docUrl };
    return status === undefined ? base : { ...base, receivedStatus: status };
  }
  if (id === 'other') {
    // No message: the title says so; a step saying it again would be the insight's third time, and
    // "if the gateway gave a message, compare it" read as one to look for (a new-user trial).
    const quoted = log ? [verbatimStep(log)] : [];
    const title =
      options.title ?? (log ? entry.title : 'The server is not healthy and the gateway gives no reason');
    const steps = log ? entry.steps : entry.steps.filter((step) => step !== IF_MESSAGE_STEP);
    return { id, title, steps: [...lead, ...quoted, ...steps], docUrl };
  }
  const tail = (id === 'health-unknown' || id === 'draining') && log ? [alsoSaidStep(log)] : [];
  return { id, title: options.title ?? entry.title, steps: [...lead, ...entry.steps, ...tail], docUrl };
}

/**
 * The probe message as a step quotes it. Steps mark commands with backticks, so a quoted log must not
 * open or close one; steps quote the message only as far as it helps (the insight and the report carry
 * it whole, once). '' when there is none.
 */
function quotedProbeLog(probeLog: string): string {
  return capText(probeLog.trim().replace(/`/g, "'"), QUOTED_LOG_LIMIT);
}

const verbatimStep = (log: string): string => `The gateway's message, verbatim: "${log}"`;
const alsoSaidStep = (log: string): string => `The gateway also said: "${log}"`;

/**
 * `cause`'s steps without the ones that only quote `probeLog` (what `causeFor` adds for `other`,
 * `health-unknown` and `draining`): for a medium that shows the probe message itself (the insight), where
 * the quote would be the message's second or third appearance. `probeLog` is the message the cause was
 * built from (the finding's); steps that quote another text are kept.
 */
export function stepsBesideProbeLog(cause: Cause, probeLog: string): readonly string[] {
  const log = quotedProbeLog(probeLog);
  if (log === '') return cause.steps;
  const quotes = new Set([verbatimStep(log), alsoSaidStep(log)]);
  return cause.steps.filter((step) => !quotes.has(step));
}
