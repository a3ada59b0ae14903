import { createHash, createHmac } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, spec v1): `webhook-id`,
 * `webhook-timestamp` (unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "{id}.{timestamp}.{body}">`, keyed with the base64-decoded part of `whsec_<base64>`.
 */

export const SECRET_PREFIX = 'whsec_';

/** Why the secret is unusable, or undefined. Never quotes the secret. */
export function secretProblem(secret: string): string | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return 'must start with "whsec_" followed by base64';
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    return 'must be "whsec_" followed by standard base64 (A-Z a-z 0-9 + /, padded with =)';
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < 24 || bytes > 64)
    return `must decode to 24-64 bytes (it has ${bytes}); e.g. "whsec_" + 32 random bytes in base64`;
  return undefined;
}

/** The key bytes of a `whsec_` secret. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/** A `webhook-id` that is a valid header value: the notice id, or its SHA-256 when it is not printable ASCII. */
export function webhookId(noticeId: string): string {
  return /^[\x21-\x7e]{1,200}$/.test(noticeId)
    ? noticeId
    : `sha256-${createHash('sha256').update(noticeId).digest('hex')}`;
}

export function signatureHeaders(input: {
  readonly id: string;
  readonly body: string;
  readonly secret: string;
  readonly now: Date;
}): Record<string, string> {
  const timestamp = String(Math.floor(input.now.getTime() / 1000));
  const signature = createHmac('sha256', secretKey(input.secret))
    .update(`${input.id}.${timestamp}.${input.body}`, 'utf8')
    .digest('base64');
  return { 'webhook-id': input.id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
