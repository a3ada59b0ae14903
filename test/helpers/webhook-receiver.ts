import http from 'node:http';
import { closedPort } from './closed-port';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real HTTP webhook receiver on 127.0.0.1 (port 0) for tests: it records every request and answers
 * from a script. Unscripted requests get the default answer (200 "ok" unless changed).
 */

export interface RecordedRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** performance.now() when the request ended. */
  readonly at: number;
}

export type ScriptedAnswer =
  | {
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
      /** Answer this long after the request ended (a slow receiver). */
      readonly delayMs?: number;
      /** Instead of ending the answer after `body`: keep it open forever, or drop the connection. */
      readonly then?: 'hang' | 'destroy';
    }
  /** Status `endless`, then a body that never ends (64 KiB chunks for as long as the client reads). */
  | { readonly endless: number }
  /** These bytes, which are not HTTP, then the connection closes. */
  | { readonly raw: string }
  /** Read the request, then never answer (the socket stays open until the client gives up). */
  | { readonly hang: true }
  /** Read the request, then drop the connection without an answer. */
  | { readonly destroy: true };

export interface WebhookReceiver {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly requests: readonly RecordedRequest[];
  /** origin + path, e.g. `url('/hooks/T0/B0/token?sig=abc')`. */
  url(path?: string): string;
  /** Queues answers for the next requests, in order. */
  script(...answers: ScriptedAnswer[]): void;
  /** The next `count` requests get `status` (with `Retry-After` if given). */
  failNext(count: number, status: number, options?: { retryAfter?: string; body?: string }): void;
  /** The answer for requests the script does not cover. */
  setDefault(answer: ScriptedAnswer): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedAnswer[] = [];
  let fallback: ScriptedAnswer = { status: 200, body: 'ok' };
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      });
      const answer = queue.shift() ?? fallback;
      if ('hang' in answer) return;
      if ('destroy' in answer) {
        req.socket.destroy();
        return;
      }
      if ('raw' in answer) {
        req.socket.end(answer.raw);
        return;
      }
      if ('endless' in answer) {
        res.writeHead(answer.endless, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('error', () => undefined);
        pump();
        return;
      }
      const reply = () => {
        if (res.destroyed) return; // the client gave up, or close() ran
        res.writeHead(answer.status, { ...answer.headers });
        if (answer.then === undefined) {
          res.end(answer.body ?? '');
          return;
        }
        res.write(answer.body ?? '');
        if (answer.then === 'destroy') setTimeout(() => req.socket.destroy(), 20).unref();
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs).unref();
      else reply();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    requests,
    url: (path = '/') => `${origin}${path}`,
    script: (...answers) => void queue.push(...answers),
    failNext: (count, status, options = {}) => {
      for (let i = 0; i < count; i++) {
        queue.push({
          status,
          headers: options.retryAfter !== undefined ? { 'retry-after': options.retryAfter } : {},
          body: options.body ?? `failing with ${status}`,
        });
      }
    },
    setDefault: (answer) => void (fallback = answer),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A loopback URL whose port nothing listens on (a receiver that is down). */
export async function closedPortUrl(path = '/hook'): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}${path}`;
}
