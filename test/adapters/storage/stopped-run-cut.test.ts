/**
 * A stopped run cuts short the storage requests it would otherwise wait out
 * (src/adapters/storage/stopped-run-cut.ts): those in flight at the stop, and those sent after it, get a
 * grace, then fail as unanswered, saying it was the stop's doing; once the run is over, tries get their
 * whole time again. Real sockets: a loopback server that holds each request until the test answers it.
 */
import { createServer, type ServerResponse } from 'node:http';
import {
  connectBlobService,
  describeStorageFailure,
  unansweredStorageFailure,
} from '../../../src/adapters/storage/blob-client';
import type { BlobService } from '../../../src/adapters/storage/rest/blob-service';
import { isStorageCutShort, limitStorageTriesAfterStop } from '../../../src/adapters/storage/stopped-run-cut';
import { AZURITE_ACCOUNT, azuriteConnectionString } from '../../helpers/azurite';
import { rejection } from '../../helpers/failures';

/** Far longer than any test waits: a try that would hold the test for good if it were not cut. */
const WHOLE_TRY_IN_MS = 600_000;

/** Runs `use` with a client of an account whose requests are held (`held`) until the test answers them. */
async function withHeldRequests(
  use: (service: BlobService, held: ServerResponse[]) => Promise<void>,
): Promise<void> {
  const held: ServerResponse[] = [];
  const server = createServer((_, response) => void held.push(response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const service = connectBlobService(
      { connectionString: azuriteConnectionString(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`) },
      { httpOptions: { maxRetries: 0, requestTimeoutInMs: WHOLE_TRY_IN_MS } },
    );
    await use(service, held);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Resolves once `held` has `count` requests. */
async function heldCount(held: readonly unknown[], count: number): Promise<void> {
  while (held.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
}

const CUT = (graceInMs: number) =>
  `no answer in the ${graceInMs} ms a stopped run gives a storage request: cut short so that the run can end`;

/** Whether `promise` is still pending after `ms`. */
async function pendingAfter(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return !settled;
}

describe('a stopped run cuts short the storage requests it would wait out', () => {
  it('a request in flight at the stop, without an answer, is cut after the grace: unanswered (the breaker opens), retryable, saying the stop did it', async () => {
    await withHeldRequests(async (service, held) => {
      const download = rejection(service.container('state-a').download('g.json'));
      await heldCount(held, 1);
      const over = limitStorageTriesAfterStop(50);
      try {
        const error = await download;
        expect(isStorageCutShort(error)).toBe(true);
        const failure = describeStorageFailure(error);
        expect(failure).toMatchObject({ statusCode: undefined, retryable: true, detail: CUT(50) });
        expect(unansweredStorageFailure(error)).toBe(failure.detail);
      } finally {
        over();
      }
    });
  });

  // A trial: a SIGINT before any storage request still took 31.9 s, the history listing sent after the
  // stop waiting out its whole 30 s try.
  it('a request sent after the stop gets the grace from its start; one answered within it stands; once the run is over, tries wait for their answer again', async () => {
    await withHeldRequests(async (service, held) => {
      const over = limitStorageTriesAfterStop(400);
      try {
        const answered = service.container('state-b').download('answered.json');
        await heldCount(held, 1);
        held[0]?.writeHead(200, { etag: '"1"' }).end('{"a":1}');
        await expect(answered).resolves.toMatchObject({ text: '{"a":1}' });
        const unanswered = rejection(service.container('state-b').download('unanswered.json'));
        await heldCount(held, 2);
        expect((await unanswered) as Error).toMatchObject({ message: CUT(400) });
      } finally {
        over();
      }
      // Another container: the cut left state-b alone 30 s (its breaker), as any request without an answer.
      const after = service.container('state-b2').download('after.json');
      await heldCount(held, 3);
      // Well past the grace: still waiting for its answer.
      expect(await pendingAfter(after, 1_200)).toBe(true);
      held[2]?.writeHead(200, { etag: '"2"' }).end('{"b":2}');
      await expect(after).resolves.toMatchObject({ text: '{"b":2}' });
    });
  });

  it('without a stop nothing is cut: a request waits for its answer', async () => {
    await withHeldRequests(async (service, held) => {
      const download = service.container('state-c').download('g.json');
      await heldCount(held, 1);
      expect(await pendingAfter(download, 300)).toBe(true);
      held[0]?.writeHead(200, { etag: '"1"' }).end('{}');
      await expect(download).resolves.toMatchObject({ text: '{}' });
    });
  });
});
