/**
 * A TCP proxy in front of Azurite's blob service, for the soak's storage faults: `pass` forwards,
 * `refuse` drops every connection at once (a storage account that is down), `flaky` forwards but drops
 * the connection on some requests (before the service saw them) and some answers (after the service
 * acted: a write that happened, reported as failed).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Random } from './random';

export type ProxyMode = 'pass' | 'refuse' | 'flaky';

export interface StorageProxy {
  /** `127.0.0.1:<port>`, to put in place of Azurite's in a connection string. */
  readonly host: string;
  /** Connections cut by `flaky` (requests, answers). */
  readonly cut: { requests: number; answers: number };
  /** Changes the mode; every open connection is closed so pooled sockets obey it too. */
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function startStorageProxy(target: string, random: Random): Promise<StorageProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const open = new Set<net.Socket>();
  const cut = { requests: 0, answers: 0 };
  let mode: ProxyMode = 'pass';

  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (mode === 'refuse') return void client.resetAndDestroy();
    const upstream = net.connect(Number(targetPort), targetHost);
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    const drop = () => {
      client.resetAndDestroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (mode === 'flaky' && random.chance(0.08)) {
        cut.requests++;
        return drop();
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (mode === 'flaky' && random.chance(0.04)) {
        cut.answers++;
        return drop();
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut,
    setMode(next) {
      mode = next;
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
