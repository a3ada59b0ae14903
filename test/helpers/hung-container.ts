/**
 * A storage account one of whose containers never answers: a loopback HTTP server in front of Azurite
 * that forwards every request, except those to the container `hung`, which it takes and leaves
 * without an answer (a break trial's account: connections accepted, one container silent). Real
 * sockets both ways; the requests each container got are counted.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { AZURITE_ACCOUNT, azuriteConnectionString } from './azurite';

export interface HungContainerAccount {
  /** A connection string to the account through the server (Azurite's key). */
  readonly connectionString: string;
  /** Requests received so far, by container (`''` for the account itself). */
  readonly requests: ReadonlyMap<string, number>;
}

/** The container of a path-style request (`/devstoreaccount1/<container>/…`), decoded. */
function containerOf(request: IncomingMessage): string {
  return decodeURIComponent((request.url ?? '').split('?')[0]?.split('/')[2] ?? '');
}

/**
 * Runs `use` with an account whose container `hung` never answers while every other container is
 * Azurite's (at `blobEndpoint`, e.g. `http://127.0.0.1:10000/devstoreaccount1`); closes the server
 * and its connections after, the held requests with them.
 */
export async function withHungContainer(
  blobEndpoint: string,
  hung: string,
  use: (account: HungContainerAccount) => Promise<void>,
): Promise<void> {
  const upstream = new URL(blobEndpoint);
  const requests = new Map<string, number>();
  const server = createServer((request, response) => {
    const container = containerOf(request);
    requests.set(container, (requests.get(container) ?? 0) + 1);
    if (container === hung) return; // taken, never answered
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: upstream.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    await use({
      connectionString: azuriteConnectionString(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`),
      requests,
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
