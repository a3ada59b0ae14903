import { Writable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { writePieces } from '../../src/cli/write-pieces';

/** A stream that takes one chunk per event-loop turn, like a slow pipe reader, and records the most it queued. */
function slowSink(highWaterMark: number) {
  const received: string[] = [];
  let mostQueued = 0;
  const stream = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      received.push(chunk);
      setImmediate(callback);
    },
  });
  const write = stream.write.bind(stream) as (chunk: string) => boolean;
  stream.write = ((chunk: string) => {
    const ok = write(chunk);
    mostQueued = Math.max(mostQueued, stream.writableLength);
    return ok;
  }) as typeof stream.write;
  return { stream, received, mostQueued: () => mostQueued };
}

describe('writePieces: a large output waits for a slow reader', () => {
  it('writes every piece in order, never queuing more than the buffer and one piece', async () => {
    const pieces = Array.from({ length: 500 }, (_, i) => `${i}:${'x'.repeat(1000)}\n`);
    const sink = slowSink(16 * 1024);
    await writePieces(sink.stream, pieces);
    await new Promise<void>((resolve) => sink.stream.end(resolve));
    expect(sink.received.join('')).toBe(pieces.join(''));
    // Without waiting for 'drain', all 500 KB would have been queued at once.
    expect(sink.mostQueued()).toBeLessThanOrEqual(16 * 1024 + 1010);
  });

  it('stops without throwing when the stream is destroyed meanwhile (the reader went away)', async () => {
    const sink = slowSink(1024);
    const pieces = function* () {
      for (let i = 0; i < 1000; i++) yield 'y'.repeat(512);
    };
    const written = writePieces(sink.stream, pieces());
    await tick();
    sink.stream.destroy();
    await expect(written).resolves.toBeUndefined();
    expect(sink.received.length).toBeLessThan(1000);
  });

  it('stops without throwing when the stream fails', async () => {
    const stream = new Writable({
      highWaterMark: 64,
      write(_chunk, _encoding, callback) {
        setImmediate(() => callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
      },
    });
    const errors: Error[] = [];
    stream.on('error', (error) => errors.push(error));
    await expect(
      writePieces(
        stream,
        Array.from({ length: 100 }, () => 'z'.repeat(100)),
      ),
    ).resolves.toBeUndefined();
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['EPIPE']);
  });
});
