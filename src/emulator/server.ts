/**
 * The emulator: an HTTPS server on loopback speaking ARM's wire format for the Application Gateway
 * calls the product makes. No framework: node:https plus a small router.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { PortUnavailableError } from '../errors';
import { type Clock, monotonicClock, SubscriptionLimiter } from './limits';
import { readRequestBody } from './request-body';
import { route, routeNameOf, type RouteName } from './router';
import { armError, type Reply } from './routes/errors';
import { parseScenario, type Scenario, type ScenarioInput } from './scenario';
import { EmulatorState } from './state';
import { createCertificate } from './tls';

export interface StartEmulatorOptions {
  scenario: Scenario;
  /** 0 (the default) picks any free port. */
  port?: number;
  /** Default 127.0.0.1: the emulator is for this machine only. */
  host?: string;
  /**
   * The time ARM's request buckets refill by (`now()` in milliseconds, never going back), and that
   * `lro.runsForMs`, Resource Graph's quota window and `requests[].receivedAtMs` are measured by; default
   * the process's monotonic clock. Tests pass one they move themselves, so refills are exact.
   */
  clock?: Clock;
}

/** One answered request, for tests and demos to see what a client did. */
export interface RecordedRequest {
  readonly method: string;
  /** The path as sent, without the query. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The answer's status; 0 when a `connection` fault gave none (the connection was reset, or hangs). */
  readonly status: number;
  /**
   * When the request arrived (ms), on the emulator's clock (`StartEmulatorOptions.clock`, the one ARM's
   * buckets refill by): tests compare requests with a 429's `Retry-After`, and a poll's with its POST's.
   */
  readonly receivedAtMs: number;
}

/**
 * How many requests were answered, by route and status: `{ "backendHealth": { "202": 1000, "429": 3 } }`.
 * Status `"0"`: a `connection` fault gave no answer. Routes with no request are absent.
 */
export type RequestCounts = Partial<Record<RouteName, Record<string, number>>>;

export interface RunningEmulator {
  /** e.g. https://127.0.0.1:53123 — pass as the SDK's `endpoint`. */
  readonly url: string;
  /** The emulator's certificate as a PEM file (NODE_EXTRA_CA_CERTS, curl --cacert). */
  readonly caCertFile: string;
  /** The same certificate as text, for the SDK's `tlsOptions: { ca }`. */
  readonly caCertPem: string;
  /** Requests in the order they were answered. */
  readonly requests: readonly RecordedRequest[];
  /**
   * The same requests counted by route and status, as a new object (a bench reads how many requests
   * a run made and how many were throttled; the `emulator` verb's `--counts FILE` writes this at exit).
   */
  requestCounts(): RequestCounts;
  /**
   * TLS connections accepted so far (the server's `secureConnection` events): a test sees whether a
   * client keeps its connections alive and shares them, instead of a handshake per request.
   */
  tlsConnections(): number;
  /**
   * Serves another scenario from now on, on the same URL and certificate (a soak changes the gateways'
   * health and faults between runs). Its faults are counted afresh; operations started under the
   * previous scenario are forgotten (their polls answer 404), and its pending delays end at once. ARM's
   * request buckets keep their levels, under the new scenario's `limits` from now on.
   * Throws ScenarioError, and keeps serving the previous one, when the scenario is not valid.
   */
  serve(scenario: Scenario | ScenarioInput): void;
  /** Closes every socket and removes the temp certificate folder. Safe to call twice. */
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function send(
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  state: EmulatorState,
): Promise<void> {
  if (reply.drop === 'reset') {
    req.socket.destroy();
    return;
  }
  // A hanging request is left open: the client gives up, or close() destroys every connection.
  if (reply.drop === 'hang') return;
  const body = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
  // ARM echoes the caller's correlation id so a chain of calls can be traced; otherwise it makes one.
  const correlation = req.headers['x-ms-correlation-request-id'];
  const clientRequestId = req.headers['x-ms-client-request-id'];
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-cache',
    'x-ms-request-id': randomUUID(),
    'x-ms-correlation-request-id':
      typeof correlation === 'string' && UUID.test(correlation) ? correlation : randomUUID(),
    ...(typeof clientRequestId === 'string' ? { 'x-ms-client-request-id': clientRequestId } : {}),
    ...reply.headers,
  });
  if (!reply.delivery) {
    res.end(body);
    return;
  }
  // Body faults: half the bytes, then either the connection drops or the rest comes late.
  const bytes = Buffer.from(body);
  const half = Math.floor(bytes.length / 2);
  if (reply.delivery.kind === 'cut') {
    res.write(bytes.subarray(0, half), () => res.destroy());
    return;
  }
  res.write(bytes.subarray(0, half));
  try {
    await state.delay(reply.delivery.delayMs);
  } catch {
    res.destroy(); // the emulator is closing
    return;
  }
  if (!res.destroyed && !res.writableEnded) res.end(bytes.subarray(half));
}

function urlFor(host: string, port: number): string {
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Why the server could not listen, as the error a user can act on (Node's `listen` codes: EADDRINUSE,
 * EACCES for a port below 1024 without privileges, ERR_SOCKET_BAD_PORT, EADDRNOTAVAIL for the host).
 */
function listenFailure(error: unknown, port: number, host: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'EADDRINUSE'
      ? 'is in use'
      : code === 'EACCES' || code === 'EPERM'
        ? 'needs privileges this process does not have (ports below 1024 do)'
        : code === 'ERR_SOCKET_BAD_PORT'
          ? 'is not a port (0 to 65535)'
          : code === 'EADDRNOTAVAIL'
            ? `cannot be opened on ${host} (not an address of this machine)`
            : undefined;
  return reason ? new PortUnavailableError(port, reason, { cause: error }) : error;
}

export async function startEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  // Re-validated: callers may hand us hand-built objects; defaults must be filled for the routes.
  const scenario = parseScenario(options.scenario, 'scenario passed to startEmulator');
  // ARM's request buckets belong to the emulator, not to a scenario: serve() keeps their levels.
  const clock = options.clock ?? monotonicClock;
  const limiter = new SubscriptionLimiter(scenario.limits, clock);
  // Scopes served once still exist when a later scenario empties them (EmulatorState.scopeExists).
  const knownScopes = new Set<string>();
  let state = new EmulatorState(scenario, limiter, knownScopes);
  const cert = await createCertificate();
  const requests: RecordedRequest[] = [];
  // Worked out from the log when asked (a bench asks once, at exit): one record of each request.
  const requestCounts = (): RequestCounts => {
    const counts: RequestCounts = {};
    for (const r of requests) {
      const byStatus = (counts[routeNameOf(r.path)] ??= {});
      byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    }
    return counts;
  };
  const host = options.host ?? '127.0.0.1';
  let url = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const served = state; // the scenario this request started under, even if serve() replaces it
    const receivedAtMs = clock.now();
    const body = await readRequestBody(req); // read (and so drained) for every route: keep-alive stays usable
    const method = req.method ?? 'GET';
    const parsed = new URL(req.url ?? '/', 'https://emulator.invalid');
    let reply: Reply;
    try {
      reply = await route(served, {
        method,
        path: parsed.pathname,
        query: parsed.searchParams,
        authorization: req.headers.authorization,
        body,
        baseUrl: req.headers.host ? `https://${req.headers.host}` : url,
      });
    } catch (e) {
      if (served.isClosing) {
        res.destroy(); // a delayed answer cut short by close() or serve()
        return;
      }
      reply = armError(500, 'InternalServerError', `The emulator failed: ${(e as Error).message}`);
    }
    requests.push({
      method,
      path: parsed.pathname,
      query: Object.fromEntries(parsed.searchParams),
      status: reply.status,
      receivedAtMs,
    });
    try {
      await send(req, res, reply, served);
    } catch {
      res.destroy(); // the client went away mid-answer
    }
  };

  const server = https.createServer(
    { key: cert.keyPem, cert: cert.certPem },
    (req, res) => void handle(req, res),
  );
  const removeCert = () => rm(path.dirname(cert.caCertFile), { recursive: true, force: true });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await removeCert();
    throw listenFailure(e, options.port ?? 0, host);
  }
  url = urlFor(host, (server.address() as AddressInfo).port);
  let tlsConnections = 0;
  server.on('secureConnection', () => {
    tlsConnections++;
  });

  let closing: Promise<void> | undefined;
  const serve = (next: Scenario | ScenarioInput): void => {
    const parsed = parseScenario(next, 'scenario passed to serve');
    if (closing) return;
    const previous = state;
    limiter.configure(parsed.limits);
    state = new EmulatorState(parsed, limiter, knownScopes);
    previous.close();
  };
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      state.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
      await closed;
      await removeCert();
    })());

  return {
    url,
    caCertFile: cert.caCertFile,
    caCertPem: cert.certPem,
    requests,
    requestCounts,
    tlsConnections: () => tlsConnections,
    serve,
    close,
  };
}
