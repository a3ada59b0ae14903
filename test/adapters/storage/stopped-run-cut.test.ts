/**
 * A stopped run cuts short the storage requests it would otherwise wait out
 * (src/adapters/storage/stopped-run-cut.ts): those in flight at the stop get a grace, then fail as
 * unanswered, saying it was the stop's doing; those sent after it keep their whole try. Real sockets:
 * a loopback server that holds each request until the test answers it.
 */
import { createServer, type ServerResponse } from 'node:http';
import {
  connectBlobService,
  describeStorageFailure,
  unansweredStorageFailure,
} from '../../../src/adapters/storage/blob-client';
import type { BlobService } from '../../../src/adapters/storage/rest/blob-service';
import { cutStorageRequestsInFlight, isStorageCutShort } from '../../../src/adapters/storage/stopped-run-cut';
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

describe('a stopped run cuts short the storage requests in flight', () => {
  it('a request without an answer is cut after the grace: unanswered (the breaker opens), retryable, saying the stop did it', async () => {
    await withHeldRequests(async (service, held) => {
      const download = rejection(service.container('state-a').download('g.json'));
      await heldCount(held, 1);
      cutStorageRequestsInFlight(50);
      const error = await download;
      expect(isStorageCutShort(error)).toBe(true);
      const failure = describeStorageFailure(error);
      expect(failure).toMatchObject({ statusCode: undefined, retryable: true });
      expect(failure.detail).toBe('no answer 50 ms after the run was stopped: cut short so that it can end');
      expect(unansweredStorageFailure(error)).toBe(failure.detail);
    });
  });

  it('a request sent after the stop keeps its whole try; one answered within the grace is not cut', async () => {
    await withHeldRequests(async (service, held) => {
      const before = service.container('state-b').download('early.json');
      await heldCount(held, 1);
      cutStorageRequestsInFlight(400);
      // Answered within the grace: its answer stands.
      held[0]?.writeHead(200, { etag: '"1"' }).end('{"a":1}');
      await expect(before).resolves.toMatchObject({ text: '{"a":1}' });
      const after = service.container('state-b').download('late.json');
      await heldCount(held, 2);
      let settled = false;
      void after.then(
        () => (settled = true),
        () => (settled = true),
      );
      // Well past the grace: still waiting for its answer.
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(settled).toBe(false);
      held[1]?.writeHead(200, { etag: '"2"' }).end('{"b":2}');
      await expect(after).resolves.toMatchObject({ text: '{"b":2}' });
    });
  });

  it('without a stop nothing is cut: a request waits for its answer', async () => {
    await withHeldRequests(async (service, held) => {
      const download = service.container('state-c').download('g.json');
      await heldCount(held, 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      held[0]?.writeHead(200, { etag: '"1"' }).end('{}');
      await expect(download).resolves.toMatchObject({ text: '{}' });
    });
  });
});
