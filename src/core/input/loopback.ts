/**
 * Which hosts are this machine: the one rule wherever something is allowed only to loopback (plain
 * http:// to a webhook receiver or a storage emulator, the fixed token of the "development" ARM
 * credential). `localhost`, 127.0.0.0/8 (RFC 1122 §3.2.1.3) and `::1` (RFC 4291 §2.5.3), spelled as a
 * WHATWG URL's `hostname` spells them: IPv4 normalised (`127.1` → `127.0.0.1`), IPv6 in brackets.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return (
    host === 'localhost' ||
    host === '[::1]' ||
    host === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** Whether `url` is an absolute URL whose host is loopback (false for anything else). */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
