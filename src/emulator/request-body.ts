/** A request's body as text, for the one route that reads one (Resource Graph's POST). */
import type { IncomingMessage } from 'node:http';

/** Resource Graph's query text is capped far below this; more is not a request the emulator answers. */
export const BODY_LIMIT_BYTES = 1 << 20;

/**
 * The body as UTF-8 text, or undefined when it is longer than `limit` bytes (the rest is drained, so a
 * keep-alive connection stays usable). Resolves with what came when the client goes away mid-body.
 */
export function readRequestBody(req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    const done = () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8'));
    req.on('end', done);
    req.on('close', done);
    req.on('error', done);
  });
}
