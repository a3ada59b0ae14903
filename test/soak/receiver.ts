/**
 * A loopback webhook receiver for the soak: it answers each run as its mode says (accepts, is slow,
 * fails with 5xx/408/429, hangs, resets, refuses for good, redirects) and records every request with
 * the notice it carried and whether it accepted it (a 2xx fully written: the only "delivered" a
 * receiver can vouch for). A grouped event (`gateway.group.v1`, src/adapters/webhooks/json/SCHEMA.md)
 * is recorded as one entry per notice it carries, each naming the message (`message`).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Random } from './random';

export const RECEIVER_MODES = {
  ok: 50,
  slow: 10,
  '5xx-all': 7,
  '5xx-once': 7,
  '429-once': 5,
  '408-all': 3,
  'hang-all': 2,
  'reset-all': 3,
  'reset-once': 4,
  'refuse-once': 5,
  'redirect-once': 2,
} as const;
export type ReceiverMode = keyof typeof RECEIVER_MODES;

export interface ReceivedRequest {
  readonly receiver: string;
  /** The soak's run (iteration) in which it arrived. */
  readonly iteration: number;
  readonly id: string;
  readonly type: string;
  readonly gateway: string;
  readonly address: string;
  readonly probeLog: string;
  /** `critical` or `warning` (src/core/notice/severity.ts). */
  readonly severity: string;
  readonly occurredAt: string;
  readonly reason?: string;
  /** `gateway` for a gateway-level notice (inhibition); absent for one server. */
  readonly scope?: string;
  /** The grouped message that carried it: its id, how many notices it held, and its gateway. */
  readonly message?: { readonly id: string; readonly size: number; readonly gateway: string };
  /** What the receiver did: a status, `hang` or `reset`. */
  readonly answer: number | 'hang' | 'reset';
  /** A 2xx was written in full. */
  accepted: boolean;
  /** The Standard Webhooks signature verified (receivers with a secret only). */
  readonly signed?: boolean;
}

export interface SoakReceiver {
  /** `webhook[<name>]`, as the product names it. */
  readonly name: string;
  readonly url: string;
  readonly requests: readonly ReceivedRequest[];
  /** How the next run is answered; counts restart. */
  setMode(mode: ReceiverMode, iteration: number): void;
  close(): Promise<void>;
}

export async function startSoakReceiver(
  name: string,
  random: Random,
  secret?: string,
): Promise<SoakReceiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const verifier = secret ? new Webhook(secret) : undefined;
  let mode: ReceiverMode = 'ok';
  let iteration = 0;
  let served = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      type Event = {
        id: string;
        type: string;
        occurredAt: string;
        gateway: { id: string };
        server: { address: string; probeLog: string };
        severity: string;
        reason?: string;
        scope?: string;
      };
      const body = JSON.parse(text) as
        Event | { id: string; type: 'gateway.group.v1'; gateway: { id: string }; notices: Event[] };
      let signed: boolean | undefined;
      if (verifier) {
        try {
          verifier.verify(text, req.headers as Record<string, string>);
          signed = true;
        } catch {
          signed = false;
        }
      }
      const first = served++ === 0;
      const answer = answerFor(mode, first, random);
      const grouped = 'notices' in body;
      const events: Event[] = grouped ? body.notices : [body];
      const records: ReceivedRequest[] = events.map((event) => ({
        receiver: `webhook[${name}]`,
        iteration,
        id: event.id,
        type: event.type,
        gateway: event.gateway.id,
        address: event.server.address,
        probeLog: event.server.probeLog,
        severity: event.severity,
        occurredAt: event.occurredAt,
        ...(event.reason ? { reason: event.reason } : {}),
        ...(event.scope ? { scope: event.scope } : {}),
        ...(grouped ? { message: { id: body.id, size: body.notices.length, gateway: body.gateway.id } } : {}),
        answer: answer.kind === 'status' ? answer.status : answer.kind,
        accepted: false,
        ...(signed === undefined ? {} : { signed }),
      }));
      requests.push(...records);
      if (answer.kind === 'hang') return;
      if (answer.kind === 'reset') return void req.socket.destroy();
      const reply = () => {
        if (res.destroyed) return; // the client gave up first: not accepted
        res.on('finish', () => {
          if (answer.status >= 200 && answer.status < 300)
            for (const record of records) record.accepted = true;
        });
        res.writeHead(answer.status, answer.headers);
        res.end(answer.status < 300 ? 'ok' : `soak says ${answer.status}`);
      };
      if (answer.delayMs > 0) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name: `webhook[${name}]`,
    url: `http://127.0.0.1:${port}/hooks/${name}`,
    requests,
    setMode(next, run) {
      mode = next;
      iteration = run;
      served = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

type Answer =
  | { kind: 'status'; status: number; headers: Record<string, string>; delayMs: number }
  | { kind: 'hang' }
  | { kind: 'reset' };

const status = (code: number, headers: Record<string, string> = {}, delayMs = 0): Answer => ({
  kind: 'status',
  status: code,
  headers,
  delayMs,
});

function answerFor(mode: ReceiverMode, first: boolean, random: Random): Answer {
  switch (mode) {
    case 'ok':
      return status(random.pick([200, 202, 204]));
    case 'slow':
      // Well within the receivers' 1500 ms time-out: a slow receiver, not a failing one.
      return status(200, {}, random.int(50, 200));
    case '5xx-all':
      return status(random.pick([500, 502, 503, 504]));
    case '5xx-once':
      return first ? status(503) : status(200);
    case '429-once':
      return first ? status(429, { 'retry-after': '0' }) : status(200);
    case '408-all':
      return status(408);
    case 'hang-all':
      return { kind: 'hang' };
    case 'reset-all':
      return { kind: 'reset' };
    case 'reset-once':
      return first ? { kind: 'reset' } : status(200);
    case 'refuse-once':
      return first ? status(random.pick([400, 410, 422])) : status(200);
    case 'redirect-once':
      return first ? status(302, { location: 'https://elsewhere.invalid/hook' }) : status(200);
  }
}
