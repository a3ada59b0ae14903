/**
 * Whether a host is this machine's loopback interface: the one place plain `http://` (a webhook
 * receiver, a storage emulator's service URI) and the ARM emulator's fixed development token may go,
 * because nothing sent there crosses the network.
 *
 * `hostname` is a URL's host without the port, as `new URL(…).hostname` gives it, or a bare address
 * (`::1` without brackets is accepted too). Loopback is, and only is:
 * - `localhost` in any case (RFC 6761 §6.3: resolved to loopback by the system itself);
 * - an IPv4 address in 127.0.0.0/8 (RFC 1122 §3.2.1.3), in any form the WHATWG URL parser reads as one
 *   (`127.1`, `0x7f.0.0.1`, `2130706433`: `new URL` turns them into `127.0.0.1`, and Node connects to
 *   what `new URL` gave);
 * - the IPv6 loopback `::1` (RFC 4291 §2.5.3), in any spelling (`[0:0:0:0:0:0:0:1]`);
 * - an IPv4-mapped IPv6 address of 127.0.0.0/8 (`[::ffff:127.0.0.1]`, RFC 4291 §2.5.5.2): the kernel
 *   delivers it to the IPv4 loopback.
 *
 * Not loopback: `localhost.` and `*.localhost` (they go to the resolver, and a DNS server may answer
 * anything for them), `0.0.0.0` and `::` (unspecified addresses, not loopback ones), IPv4-compatible
 * `::127.0.0.1` (deprecated, RFC 4291 §2.5.5.1), and anything that is not a bare host (a port, a path,
 * user info: the caller passes `url.hostname`).
 *
 * Pure: reads no resolver, so a name is never loopback because of what DNS answers today.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost') return true;
  // A bare host only: `new URL` below would read a path, port or user info out of anything else.
  if (host === '' || /[\s/\\?#@%]|\](?!$)/.test(host)) return false;
  const literal = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let normalized: string;
  try {
    normalized = new URL(`http://${literal}/`).hostname;
  } catch {
    return false;
  }
  return (
    normalized === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(normalized) ||
    /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(normalized)
  );
}

/** Whether `url` is an absolute URL whose host is loopback (`isLoopbackHost`); false for anything else. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
