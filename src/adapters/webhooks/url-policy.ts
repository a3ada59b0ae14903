import { isLoopbackHost } from '../../core/input/loopback-host';
import { redactEchoes } from './echo-forms';

export { isLoopbackHost };

/**
 * Webhook URLs are secrets: Slack and Teams put the credential in the path, SAS-style URLs in the query
 * (`sig=`). Nothing here ever returns the path or query, and problems are described without the URL.
 */

/** Scheme and host (with port) only; the path and query are hidden. Safe for logs and summaries. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '[invalid URL]';
  }
  const hidden =
    (parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search !== '' || parsed.hash !== '';
  return `${parsed.protocol}//${parsed.host}/${hidden ? '[redacted]' : ''}`;
}

/** Why this URL may not be used as a webhook, or undefined when it may. The answer never quotes the URL. */
export function webhookUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL (expected https://host/path)';
  }
  if (parsed.username || parsed.password) {
    return 'must not contain user:password@ credentials (put credentials in the path or a header the receiver supports)';
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:') {
    return isLoopbackHost(parsed.hostname)
      ? undefined
      : 'must use https:// — plain http:// is only allowed to a loopback host (127.0.0.0/8, [::1], localhost), because the URL and the notice would cross the network unencrypted';
  }
  return `must use https:// (got the "${parsed.protocol.replace(/:$/, '')}" scheme)`;
}

/**
 * Removes every secret-looking part of `url` (the whole URL, its path, query, and long path segments
 * or query values) and `extraSecrets` from `text`, e.g. from a receiver's error answer that echoes the
 * request: in any way a receiver may write them back (as sent or decoded, in another letter case, as
 * HTML character references, JSON escapes or base64: echo-forms.ts). Scrub before cutting: a secret cut
 * in two no longer matches. When `text` is itself a cut-off read (`cutOff`), an end that begins a
 * secret (2 characters or more) is removed as well.
 */
export function scrubUrl(
  text: string,
  url: string,
  extraSecrets: readonly string[] = [],
  options: { readonly cutOff?: boolean } = {},
): string {
  return redactEchoes(text, secretNeedles(url, extraSecrets), '[redacted]', options);
}

/**
 * The parts of `url` scrubUrl removes, as the URL writes them (redactEchoes reads each in every
 * writing): the URL, its path and query, path segments of 6 characters or more, query values of 4 or
 * more (as written, and as URLSearchParams decodes them), and `extraSecrets`.
 */
function secretNeedles(url: string, extraSecrets: readonly string[]): string[] {
  const needles: string[] = [url, ...extraSecrets];
  try {
    const parsed = new URL(url);
    needles.push(parsed.href, `${parsed.pathname}${parsed.search}`, parsed.search.slice(1));
    if (parsed.pathname.length > 1) needles.push(parsed.pathname);
    for (const segment of parsed.pathname.split('/')) if (segment.length >= 6) needles.push(segment);
    // Each value as written in the URL too, not only as URLSearchParams decodes it: a receiver that
    // echoed `sig=S3CR3T+ab%3D%3D` as sent, or decoded keeping the `+`, leaked it (a break trial).
    for (const pair of parsed.search.slice(1).split('&')) {
      const written = pair.slice(pair.indexOf('=') + 1);
      if (pair.includes('=') && written.length >= 4) needles.push(written);
    }
    for (const value of parsed.searchParams.values()) if (value.length >= 4) needles.push(value);
  } catch {
    // not a URL: only the literal text is scrubbed
  }
  return needles.filter((n) => n.length > 0);
}
