/**
 * What the gateway's probe of one server puts on the wire, and the command that does the same from a
 * machine in the gateway's virtual network (pure). The insight's "Sends …" lines and the command are
 * both written from `probeWire`, so they cannot disagree on protocol, address, port, path, Host header
 * or TLS server name (the property test in test/core/probe-reproduction.test.ts holds them to it).
 *
 * Sources (learn.microsoft.com): "Application Gateway health monitoring overview" (an HTTP(S) probe
 * sends `GET` of its path with its Host header and matches status and body; TCP and TLS probes, v2,
 * only connect or complete a TLS handshake), "Troubleshoot backend health issues in Application Gateway"
 * (reproduce the probe from a VM in the same virtual network), and the REST spec's
 * `ApplicationGatewayProbe` (`protocol`: Http, Https, Tcp, Tls). Commands: curl's `--resolve`,
 * `--connect-to` and `-H` (curl.se/docs/manpage.html), `nc -z`, `openssl s_client -servername`.
 */
import { isHttpProbe, isIpAddress, type ResolvedProbe } from './probe-resolution';
import { requiredVariable } from './shell-variables';
import { shellWord } from './shell-quote';
import { stepQuoted } from './visible-text';

/** What the probe sends, as the insight states it and the command reproduces it. */
export type ProbeWire =
  | {
      readonly kind: 'http';
      readonly protocol: 'http' | 'https';
      readonly address: string;
      readonly port: number;
      /** The path as sent: percent-encoded where a URL needs it (a space as `%20`). */
      readonly path: string;
      /** The Host header (the address itself when the probe has no host name). */
      readonly host: string;
      /** https: the TLS server name, or undefined for none. */
      readonly sni?: string;
    }
  | { readonly kind: 'tcp'; readonly address: string; readonly port: number }
  | { readonly kind: 'tls'; readonly address: string; readonly port: number; readonly sni?: string };

// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** Characters a URL path carries as they are (RFC 3986 `pchar`, `/`, `?`); the rest are percent-encoded. */
const PATH_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?]/;

/**
 * The probe's path as a URL carries it: a leading `/`, every character outside RFC 3986's path and
 * query characters percent-encoded (UTF-8), a `%` kept only where it starts an escape (`%2F`).
 * Undefined when the path holds a control character: no request line can carry it.
 */
export function urlPath(path: string): string | undefined {
  if (CONTROL.test(path)) return undefined;
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  let out = '';
  for (let i = 0; i < withSlash.length; i += 1) {
    const ch = withSlash[i] ?? '';
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(withSlash.slice(i + 1, i + 3))) out += ch;
    else if (PATH_SAFE.test(ch)) out += ch;
    else {
      const code = withSlash.codePointAt(i) ?? 0;
      const whole = String.fromCodePoint(code);
      out += encodeURIComponent(whole).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
      i += whole.length - 1;
    }
  }
  return out;
}

/** The wire of `p`; `{ why }` when a value could not be sent at all (a control character). */
export function probeWire(p: ResolvedProbe): ProbeWire | { readonly why: string } {
  const unsendable = [p.address, p.host, p.sni].find((v) => v !== undefined && CONTROL.test(v));
  if (unsendable !== undefined)
    return {
      why: `the host name or address ${stepQuoted(unsendable)} holds a control character, which no request can carry`,
    };
  if (p.protocol === 'tcp') return { kind: 'tcp', address: p.address, port: p.port };
  if (p.protocol === 'tls')
    return { kind: 'tls', address: p.address, port: p.port, ...(p.sni !== undefined ? { sni: p.sni } : {}) };
  if (!isHttpProbe(p))
    return { why: `the probe's protocol ${stepQuoted(p.protocol)} is not one we can reproduce` };
  const path = urlPath(p.path);
  if (path === undefined)
    return {
      why: `the probe's path ${stepQuoted(p.path)} holds a control character, which no request line can carry`,
    };
  return {
    kind: 'http',
    protocol: p.protocol === 'https' ? 'https' : 'http',
    address: p.address,
    port: p.port,
    path,
    host: hostHeaderValue(p.host ?? p.address),
    ...(p.protocol === 'https' && p.sni !== undefined ? { sni: p.sni } : {}),
  };
}

/**
 * A host name or address as a Host header carries it: an IPv6 literal in brackets (RFC 9110 §7.2 takes
 * the URI's `host`, RFC 3986 §3.2.2 brackets an IPv6 literal there); anything else as it is. Issue 17's
 * fifth trial: `Host: 2001:db8::7` was shown, which no client sends.
 */
export function hostHeaderValue(host: string): string {
  const name = bare(host);
  return isIpAddress(name) && name.includes(':') ? `[${name}]` : host;
}

/** An address or host without the brackets of an IPv6 literal (`[::1]` → `::1`). */
const bare = (address: string): string => address.replace(/^\[|\]$/g, '');

/** A URL authority: an IPv6 literal bracketed, anything else as is (a host name is never bracketed). */
export function authority(host: string, port: number): string {
  return `${hostHeaderValue(bare(host))}:${port}`;
}

/** A name curl can put in a URL as the host: a DNS name or an IP literal. */
const urlHostName = (value: string): boolean =>
  isIpAddress(value) || /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/.test(value);

export type ProbeReproduction =
  | {
      /** One line: the command (curl, nc or openssl). */
      readonly command: string;
      /** What a healthy answer is, in words. */
      readonly expects: string;
    }
  | { readonly command?: undefined; readonly why: string };

/**
 * The command that sends what the probe sends, from a VM in the gateway's virtual network:
 *
 * - HTTP(S): `curl`. The URL's host is the name the probe sends as TLS server name (https) or as Host
 *   (http), reached at the server's address through `--resolve name:port:address` (an IP address) or
 *   `--connect-to name:port:address:port` (an FQDN); `-H 'Host: …'` when the Host header differs from
 *   the URL's host (the default probe's 127.0.0.1, an SNI other than the host name). An HTTPS probe that
 *   sends no server name is reproduced only to an IP address (curl sends a URL's host name as SNI).
 * - TCP: `nc -vz -w T address port` (a connection, nothing sent).
 * - TLS: `openssl s_client -connect address:port [-servername NAME]` with no input (a handshake, no
 *   request), under `timeout T`.
 *
 * `{ why }` instead when curl cannot carry a value (a control character, a host name that is not one).
 */
export function reproduceProbe(p: ResolvedProbe): ProbeReproduction {
  const wire = probeWire(p);
  if ('why' in wire) return { why: `No command reproduces this probe: ${wire.why}.` };
  const t = String(p.timeoutInS);
  // The reader's copy of a root the setting trusts, when it names any (trustsOwnRoots); else the VM's store.
  const ownRoot = trustsOwnRoots(p) ? requiredVariable('TRUSTED_ROOT_FILE') : undefined;
  // A PROXY protocol header neither nc nor openssl sends: said beside the command and in what it expects.
  const proxy = p.proxyProtocolHeader ? `  ${PROXY_NOTE}` : '';
  const proxyExpects = p.proxyProtocolHeader
    ? ` The probe sends a PROXY protocol header first (its enableProbeProxyProtocolHeader) and this command does not: a backend that requires the header may close this connection, which is not the failure.`
    : '';
  if (wire.kind === 'tcp')
    return {
      command: ['nc', '-vz', '-w', t, shellWord(bare(wire.address)), String(wire.port)].join(' ') + proxy,
      expects: `A healthy server accepts the TCP connection within ${p.timeoutInS} s (the probe's timeout); nothing is sent.${proxyExpects}`,
    };
  if (wire.kind === 'tls')
    return {
      // The handshake fails as the probe's does only when openssl checks what the gateway checks
      // (issue 17's second trial: s_client completes a handshake with an untrusted or misnamed
      // certificate and only reports it): the chain, against the setting's trusted roots when it
      // names any, and the name the probe sends.
      command:
        [
          'timeout',
          t,
          'openssl',
          's_client',
          '-connect',
          shellWord(authority(wire.address, wire.port)),
          // OpenSSL 1.1.1+ sends the -connect host as SNI unless told not to (openssl-s_client(1),
          // -noservername): a probe that sends none is reproduced only without it (issue 17's third trial).
          ...(wire.sni !== undefined ? ['-servername', shellWord(wire.sni)] : ['-noservername']),
          '-verify_return_error',
          ...(wire.sni !== undefined ? ['-verify_hostname', shellWord(wire.sni)] : []),
          ...(ownRoot !== undefined ? ['-CAfile', ownRoot] : []),
          '</dev/null',
        ].join(' ') + proxy,
      expects: `A healthy server completes the TLS handshake with a certificate that verifies${ownRoot !== undefined ? ' against the trusted root' : ''} within ${p.timeoutInS} s (the probe's timeout); no request is sent.${wire.sni === undefined ? ' The probe sends no server name, so this command sends and checks none: a name the certificate lacks does not fail it here.' : ''}${proxyExpects}`,
    };
  // The URL's host: what curl sends as SNI (https) and, without -H, as Host.
  // A Host header no URL can hold (http) goes in -H alone, to the address.
  const urlHost =
    wire.protocol === 'https'
      ? (wire.sni ?? noNameHost(wire))
      : urlHostName(wire.host)
        ? wire.host
        : wire.address;
  if (urlHost === undefined)
    return {
      why: `No command reproduces this probe: it sends no TLS server name to ${wire.address}, and curl sends a URL's host name as one.`,
    };
  const direct = urlHost.toLowerCase() === wire.address.toLowerCase() || isIpAddress(urlHost);
  const shown = direct && isIpAddress(urlHost) ? wire.address : urlHost;
  if (!urlHostName(shown))
    return {
      why: `No command reproduces this probe: ${stepQuoted(shown)} is not a host name curl can put in a URL.`,
    };
  const parts = ['curl', '-i', '--max-time', t];
  // A setting that names trusted roots trusts those, not the VM's CA store (issue 17's second trial:
  // curl failed on a private CA's certificate the gateway trusted).
  if (wire.protocol === 'https' && ownRoot !== undefined) parts.push('--cacert', ownRoot);
  if (!direct)
    parts.push(
      isIpAddress(wire.address) ? '--resolve' : '--connect-to',
      shellWord(
        isIpAddress(wire.address)
          ? `${authority(urlHost, wire.port)}:${hostHeaderValue(wire.address)}`
          : `${authority(urlHost, wire.port)}:${wire.address}:${wire.port}`,
      ),
    );
  if (wire.host.toLowerCase() !== shown.toLowerCase()) parts.push('-H', shellWord(`Host: ${wire.host}`));
  parts.push(shellWord(`${wire.protocol}://${authority(shown, wire.port)}${wire.path}`));
  const body = p.body !== undefined ? `, with a body that contains ${stepQuoted(p.body)}` : '';
  return {
    command: parts.join(' '),
    expects: `A healthy answer has status ${p.statusCodes.join(', ')}${body}, within ${p.timeoutInS} s (the probe's timeout).`,
  };
}

/**
 * Whether the gateway checks the backend's chain against roots the setting names (v2 with trusted
 * root certificates) rather than well-known CAs: a reproduction must be given the same root.
 */
function trustsOwnRoots(p: ResolvedProbe): boolean {
  return p.generation === 'v2' && p.settings.trustedRootCertificateNames.length > 0;
}

/**
 * The shell comment beside a TCP/TLS command whose probe sends a PROXY protocol header: the command
 * sends none (a comment, so the line stays one correct command).
 */
export const PROXY_NOTE = '# the probe sends a PROXY protocol header first; this command does not';

/** An HTTPS probe without SNI: the URL must name an IP (the address), or curl would send a name. */
function noNameHost(wire: { readonly address: string }): string | undefined {
  return isIpAddress(wire.address) ? wire.address : undefined;
}
