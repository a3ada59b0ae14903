import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes `pieces` to `stream` in order, waiting for `drain` whenever the stream says its buffer is full
 * (`write` returned false), so at most about one buffer's worth (the stream's `highWaterMark`, 16 KiB
 * for stdout, plus one piece) waits in memory. Resolves once every piece is handed to the stream.
 *
 * Why: Node writes to a pipe asynchronously (nodejs.org/api/process.html "A note on process I/O" says
 * pipes are synchronous on Linux, but libuv queues what the pipe's 64 KiB kernel buffer does not take),
 * and `run --json` wrote its report in a loop without waiting: a reader slower than the loop (the
 * bench's parent, a `| jq` on a loaded machine) had the whole report queued as buffers at once, 70 MiB
 * for 20 000 gateways, the run's peak resident set (README "Memory").
 *
 * A stream that closes or fails meanwhile (the reader went away: EPIPE, which main.ts
 * `ignoreClosedPipes` swallows) ends the writing: the rest has nobody to read it. Never throws for it.
 */
export async function writePieces(stream: Writable, pieces: Iterable<string>): Promise<void> {
  for (const piece of pieces) {
    if (stream.destroyed || stream.writableEnded) return;
    if (stream.write(piece)) continue;
    await drained(stream);
  }
}

/**
 * Resolves on `drain` or `close`, or when the stream fails (`once` rejects on `error`; the error is the
 * stream's own handlers' to report): then the caller finds the stream destroyed.
 */
async function drained(stream: Writable): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([
      once(stream, 'drain', { signal: done.signal }),
      once(stream, 'close', { signal: done.signal }),
    ]);
  } catch {
    // Failed or closed: see above.
  } finally {
    done.abort(); // the listener left waiting is removed
  }
}
