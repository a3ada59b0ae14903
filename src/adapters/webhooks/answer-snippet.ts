import { addAbortSignal, type Readable } from 'node:stream';
import { clip, singleLine } from './text';
import { scrubUrl } from './url-policy';

/**
 * The start of a receiver's error answer, for the report: at most `maxChars` characters, one line,
 * scrubbed of the URL's secrets and `secrets` BEFORE it is cut (a token straddling the cut would
 * otherwise leave its first part behind). The body is read only up to 4 × `maxChars` bytes, never
 * whole (a receiver may answer with megabytes), and only until `signal` aborts (the try's time-out);
 * a secret cut by that read is removed too. The stream is destroyed when done. Never throws: a body
 * that breaks off still leaves its status to report.
 */
export async function answerSnippet(
  body: NodeJS.ReadableStream | undefined,
  options: {
    readonly maxChars: number;
    readonly url: string;
    readonly secrets: readonly string[];
    readonly signal: AbortSignal;
  },
): Promise<string> {
  if (!body) return '';
  const stream = body as Readable;
  const limit = options.maxChars * 4;
  const chunks: Buffer[] = [];
  let size = 0;
  let cutOff = false;
  stream.on('error', () => undefined); // a reset after we stop reading is no news
  try {
    for await (const chunk of addAbortSignal(options.signal, stream)) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      chunks.push(bytes);
      size += bytes.byteLength;
      if (size >= limit) {
        cutOff = true;
        break;
      }
    }
  } catch {
    cutOff = true; // broke off, or the try's time is up: what arrived still tells
  } finally {
    stream.destroy();
  }
  const text = Buffer.concat(chunks).subarray(0, limit).toString('utf8');
  return clip(singleLine(scrubUrl(text, options.url, options.secrets, { cutOff })), options.maxChars);
}

/** Drops an answer unread (a 2xx: its body tells nothing we use); the connection is not reused. */
export function discardAnswer(body: NodeJS.ReadableStream | undefined): void {
  if (!body) return;
  const stream = body as Readable;
  stream.on('error', () => undefined);
  stream.destroy();
}
