/** What an HTTP request gives for its body: the Functions library's HttpRequest has both. */
export interface RequestWithBody {
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
}

/** A request body as readCappedBody read it: its text, or that it was larger than the cap. */
export type CappedBody = { readonly text: string } | { readonly tooLarge: true };

/**
 * The request body as UTF-8 text, read up to `maxBytes`: `{tooLarge: true}` as soon as the declared
 * Content-Length or the bytes read pass it (the rest is not read), so an oversized body costs no more
 * memory than the cap. A body that is not valid UTF-8 is decoded with replacement characters (JSON.parse
 * then refuses what it cannot read).
 */
export async function readCappedBody(request: RequestWithBody, maxBytes: number): Promise<CappedBody> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return { tooLarge: true };
  if (!request.body) return { text: '' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { tooLarge: true };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { text: new TextDecoder('utf-8').decode(bytes) };
}
