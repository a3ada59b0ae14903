/**
 * The webhook POST over @azure/core-rest-pipeline (http-post.ts, post-retry.ts, post-attempt-policy.ts):
 * the cases where the SDK's own policies would behave otherwise than our receiver contract, and the
 * answers and failures a receiver can produce beyond those http-post.test.ts pins. Real loopback
 * sockets throughout.
 */
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { httpPost, type PostOptions, type PostRequest } from '../../../src/adapters/webhooks/http-post';
import { closedPortUrl, startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver';

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await receiver.close();
});

function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

function options(overrides: Partial<PostOptions> = {}): PostOptions {
  return {
    timeoutInMs: 2_000,
    maxAttempts: 5,
    initialBackoffInMs: 100,
    maxBackoffInMs: 1_000,
    totalTimeoutInMs: 20_000,
    random: () => 0.5,
    sleep: recordingSleep().sleep,
    ...overrides,
  };
}

function request(url: string, overrides: Partial<PostRequest> = {}): PostRequest {
  return {
    sink: 'webhook[test]',
    url,
    body: '{"hello":"world"}',
    headers: { 'content-type': 'application/json' },
    ...overrides,
  };
}

const messageOf = (result: Awaited<ReturnType<typeof httpPost>>): string =>
  result.ok ? '' : result.error.message;

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function shut(server: net.Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('which answers are retried, and how often (where the SDK defaults differ)', () => {
  // The SDK's exponential strategy skips 501 and 505 (exponentialRetryStrategy.js): we retry every 5xx.
  it.each([500, 501, 502, 503, 504, 505, 507, 508, 511, 599])('%i is retried', async (status) => {
    receiver.failNext(1, status);
    const result = await httpPost(request(receiver.url()), options());
    expect(result.ok).toBe(true);
    expect(result.attempts.map((a) => a.status)).toEqual([status, 200]);
  });

  // The SDK retries a 429 only when it says when (throttlingRetryStrategy.js).
  it('a 429 without Retry-After is retried after the backoff', async () => {
    receiver.failNext(1, 429);
    const { waits, sleep } = recordingSleep();
    const result = await httpPost(request(receiver.url()), options({ sleep }));
    expect(result.ok).toBe(true);
    expect(waits).toEqual([50]);
    expect(result.attempts[0]).not.toHaveProperty('retryAfterInMs');
  });

  it.each([405, 409, 411, 413, 415, 421, 426, 431, 451])(
    '%i is final: one POST, not retryable, the status and the answer in the error',
    async (status) => {
      receiver.failNext(1, status, { body: 'refused here' });
      const result = await httpPost(request(receiver.url()), options());
      expect(receiver.requests).toHaveLength(1);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.retryable).toBe(false);
      expect(result.error.message).toMatch(
        new RegExp(`failed: HTTP ${status} [A-Za-z].*: refused here; not retried, the receiver refused`),
      );
    },
  );

  it.each([1, 2, 7])(
    'maxAttempts %i: exactly that many POSTs to a receiver that keeps failing',
    async (n) => {
      receiver.setDefault({ status: 503 });
      const { waits, sleep } = recordingSleep();
      const result = await httpPost(request(receiver.url()), options({ sleep, maxAttempts: n }));
      expect(receiver.requests).toHaveLength(n);
      expect(result.attempts.map((a) => a.attempt)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect(waits).toHaveLength(n - 1);
      expect(result.attempts.at(-1)).not.toHaveProperty('waitInMs');
      expect(messageOf(result)).toMatch(
        new RegExp(`HTTP 503 Service Unavailable.*\\(gave up after ${n} attempts?, the maximum\\)`),
      );
    },
  );
});

describe('redirects are never followed, to the same host or another', () => {
  let elsewhere: WebhookReceiver;
  beforeEach(async () => {
    elsewhere = await startWebhookReceiver();
  });
  afterEach(() => elsewhere.close());

  it.each([300, 301, 302, 303, 307, 308])(
    '%i to another host: nothing reaches it; final, and the Location is not quoted',
    async (status) => {
      const location = elsewhere.url('/elsewhere/LOCATIONTOKEN?sig=LOCSIG');
      receiver.script({ status, headers: { location } });
      const result = await httpPost(request(receiver.url('/hook')), options());
      expect(receiver.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.retryable).toBe(false);
      expect(result.error.message).toMatch(
        new RegExp(`HTTP ${status} .*redirects are not followed: configure the final URL`),
      );
      expect(JSON.stringify(result)).not.toMatch(/LOCATIONTOKEN|LOCSIG|elsewhere/);
    },
  );

  it('a 307 to the same origin is not followed either (the SDK redirect policy would re-POST it)', async () => {
    receiver.script({ status: 307, headers: { location: '/other-path' } });
    const result = await httpPost(request(receiver.url('/hook')), options());
    expect(receiver.requests.map((r) => r.path)).toEqual(['/hook']);
    expect(result.ok || result.error.retryable).toBe(false);
  });
});

describe('Retry-After', () => {
  it.each([
    ['503, as an HTTP-date', 503, (now: number) => new Date(now + 9_000).toUTCString(), 9_000],
    ['500 (the SDK reads it on 429 and 503 only)', 500, () => '4', 4_000],
    ['408', 408, () => '3', 3_000],
    ['an HTTP-date in the past: the backoff', 429, (now: number) => new Date(now - 60_000).toUTCString(), 50],
    ['"-1" (the SDK would take it): the backoff', 503, () => '-1', 50],
    ['"1.5" (the SDK would take it): the backoff', 503, () => '1.5', 50],
    ['"soon": the backoff', 503, () => 'soon', 50],
  ])('on %s', async (_name, status, header, expected) => {
    const now = Date.UTC(2026, 2, 1, 10, 0, 0);
    receiver.failNext(1, status, { retryAfter: header(now) });
    const { waits, sleep } = recordingSleep();
    const result = await httpPost(request(receiver.url()), options({ sleep, now: () => now }));
    expect(result.ok).toBe(true);
    expect(waits).toEqual([expected]);
  });

  it('retry-after-ms and x-ms-retry-after-ms (Azure-only headers the SDK reads) are not taken', async () => {
    receiver.script({ status: 503, headers: { 'retry-after-ms': '9000', 'x-ms-retry-after-ms': '9000' } });
    const { waits, sleep } = recordingSleep();
    await httpPost(request(receiver.url()), options({ sleep }));
    expect(waits).toEqual([50]);
  });

  it('is not read from a final answer', async () => {
    receiver.failNext(1, 400, { retryAfter: '5' });
    const result = await httpPost(request(receiver.url()), options());
    expect(result.attempts).toEqual([expect.not.objectContaining({ retryAfterInMs: expect.anything() })]);
  });

  it('an HTTP-date beyond the budget ends the send at once, retryable', async () => {
    const now = Date.UTC(2026, 2, 1, 10, 0, 0);
    receiver.failNext(1, 503, { retryAfter: new Date(now + 3_600_000).toUTCString() });
    const result = await httpPost(
      request(receiver.url()),
      options({ now: () => now, totalTimeoutInMs: 10_000 }),
    );
    expect(receiver.requests).toHaveLength(1);
    expect(result.ok || result.error.retryable).toBe(true);
    expect(messageOf(result)).toMatch(/asked to wait 3600000 ms, waiting would overrun the 10000 ms budget/);
  });
});

describe('broken connections and answers', () => {
  it('a connection reset before the request is read is retried as a network error', async () => {
    let connections = 0;
    const resetting = net.createServer((socket) => {
      connections++;
      socket.resetAndDestroy();
    });
    const port = await listen(resetting);
    try {
      const result = await httpPost(
        request(`http://127.0.0.1:${port}/hooks/RESETTOKEN`),
        options({ maxAttempts: 3 }),
      );
      expect(connections).toBe(3);
      expect(result.attempts.map((a) => a.error)).toEqual([
        expect.stringMatching(/^network error \(E[A-Z]+\)$/),
        expect.stringMatching(/^network error/),
        expect.stringMatching(/^network error/),
      ]);
      expect(result.ok || result.error.retryable).toBe(true);
      expect(JSON.stringify(result)).not.toMatch(/RESETTOKEN|127\.0\.0\.1/);
    } finally {
      await shut(resetting);
    }
  });

  it('an answer that is not HTTP is a network error, retried', async () => {
    receiver.script({ raw: 'HELLO THERE\r\n\r\n' });
    const result = await httpPost(request(receiver.url()), options());
    expect(result.ok).toBe(true);
    expect(result.attempts[0]?.error).toMatch(/^network error/);
    expect(receiver.requests).toHaveLength(2);
  });

  it('a 503 whose body breaks off: the status and what arrived are reported, and it is retried', async () => {
    receiver.script({ status: 503, body: 'overloaded, try la', then: 'destroy' });
    const result = await httpPost(request(receiver.url()), options());
    expect(result.ok).toBe(true);
    expect(result.attempts[0]).toMatchObject({ status: 503 });
    expect(result.attempts[0]?.error).toMatch(/^HTTP 503 Service Unavailable: overloaded, try la/);
  });

  it('a 200 whose body breaks off is delivered: the body is not needed', async () => {
    receiver.script({ status: 200, body: 'partial', then: 'destroy' });
    const result = await httpPost(request(receiver.url()), options());
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('answers that never end', () => {
  it('a 500 whose body never ends: reported from its first bytes, without waiting for the time-out', async () => {
    receiver.script({ endless: 500 });
    const started = performance.now();
    const result = await httpPost(request(receiver.url()), options({ timeoutInMs: 25_000 }));
    // Read whole, the body would only end at the 25 s time-out.
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(result.ok).toBe(true);
    expect(result.attempts[0]).toMatchObject({ status: 500 });
    expect(result.attempts[0]?.error).toMatch(/^HTTP 500 Internal Server Error: x{200,}…$/);
    expect(result.attempts[0]!.error!.length).toBeLessThan(340);
  }, 60_000);

  it('a 413 with an endless body is final, its text capped', async () => {
    receiver.script({ endless: 413 });
    const result = await httpPost(request(receiver.url()), options({ timeoutInMs: 25_000 }));
    expect(receiver.requests).toHaveLength(1);
    expect(result.ok || result.error.retryable).toBe(false);
    expect(messageOf(result).length).toBeLessThan(450);
  }, 60_000);

  it('a 200 whose body never ends is delivered at once', async () => {
    receiver.script({ endless: 200 });
    const started = performance.now();
    const result = await httpPost(request(receiver.url()), options({ timeoutInMs: 25_000 }));
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(result).toMatchObject({ ok: true, status: 200 });
  }, 60_000);

  it('a 500 that sends its head and part of a body, then nothing: the try ends at its time-out, retried', async () => {
    receiver.script({ status: 500, body: 'starting to expl', then: 'hang' });
    const result = await httpPost(request(receiver.url()), options({ timeoutInMs: 300 }));
    expect(result.ok).toBe(true);
    expect(result.attempts[0]).toMatchObject({ status: 500 });
    expect(result.attempts[0]?.error).toMatch(/^HTTP 500 Internal Server Error: starting to expl/);
    expect(receiver.requests).toHaveLength(2);
  });
});

describe('cancellation', () => {
  it('while waiting to retry (the real wait): retryable, without waiting it out', async () => {
    receiver.failNext(1, 503, { retryAfter: '20' });
    const controller = new AbortController();
    const { sleep: _injected, ...real } = options({
      abortSignal: controller.signal,
      totalTimeoutInMs: 60_000,
    });
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    const result = await httpPost(request(receiver.url()), real);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(receiver.requests).toHaveLength(1);
    expect(result.ok || result.error.retryable).toBe(true);
    expect(messageOf(result)).toMatch(/cancelled while waiting to retry \(1 attempt made\)/);
  });

  it('between two tries: the next one is not made', async () => {
    receiver.failNext(1, 503);
    const controller = new AbortController();
    const result = await httpPost(
      request(receiver.url()),
      options({ abortSignal: controller.signal, sleep: async () => controller.abort() }),
    );
    expect(receiver.requests).toHaveLength(1);
    expect(messageOf(result)).toMatch(/cancelled before attempt 2 \(1 attempt made\)/);
  });

  it('before the first try: nothing is sent, and the message says so', async () => {
    const result = await httpPost(request(receiver.url()), options({ abortSignal: AbortSignal.abort() }));
    expect(receiver.requests).toHaveLength(0);
    expect(messageOf(result)).toMatch(/cancelled before attempt 1 \(0 attempts made\)/);
  });
});

describe('what is sent', () => {
  it('the body byte for byte with its length, a user agent, and no Azure request headers', async () => {
    const body = JSON.stringify({ text: 'Backend 10.0.0.4 ist ungesund — 🚨' });
    await httpPost(request(receiver.url(), { body }), options());
    const [received] = receiver.requests;
    expect(received?.body).toBe(body);
    expect(received?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(received?.headers['user-agent']).toMatch(/^appgw-insights /);
    expect(received?.headers).not.toHaveProperty('x-ms-client-request-id');
    expect(received?.headers).not.toHaveProperty('authorization');
  });

  it('goes through the proxy HTTP_PROXY names, as ARM and storage calls do', async () => {
    const seen: string[] = [];
    const proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const upstream = http.request(req.url ?? '', { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    const port = await listen(proxy);
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy };
    process.env.HTTP_PROXY = `http://127.0.0.1:${port}`;
    delete process.env.http_proxy;
    try {
      const result = await httpPost(request(receiver.url('/hook')), options());
      expect(result).toMatchObject({ ok: true, status: 200 });
      expect(seen).toEqual([`POST ${receiver.url('/hook')}`]);
      expect(receiver.requests[0]?.body).toBe('{"hello":"world"}');
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      proxy.closeAllConnections();
      await shut(proxy);
    }
  });

  it('an https receiver whose certificate is not trusted: a network error by its code, no URL', async () => {
    const pems = await generate([{ name: 'commonName', value: 'untrusted receiver' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
    });
    let requests = 0;
    const server = https.createServer({ cert: pems.cert, key: pems.private }, (_req, res) => {
      requests++;
      res.end('ok');
    });
    const port = await listen(server);
    try {
      const result = await httpPost(
        request(`https://127.0.0.1:${port}/hooks/TLSTOKEN`),
        options({ maxAttempts: 2 }),
      );
      expect(requests).toBe(0);
      expect(result.attempts.map((a) => a.error)).toEqual([
        expect.stringMatching(/^network error \([A-Z_]*CERT[A-Z_]*\)$/),
        expect.stringMatching(/^network error \([A-Z_]*CERT[A-Z_]*\)$/),
      ]);
      expect(JSON.stringify(result)).not.toMatch(/TLSTOKEN|127\.0\.0\.1/);
    } finally {
      server.closeAllConnections();
      await shut(server);
    }
  });
});

describe('logging', () => {
  it('at verbose level, nothing the Azure SDK logs names the URL, its path, query or token', async () => {
    const written: string[] = [];
    const saved = {
      AZURE_LOG_LEVEL: process.env.AZURE_LOG_LEVEL,
      TYPESPEC_RUNTIME_LOG_LEVEL: process.env.TYPESPEC_RUNTIME_LOG_LEVEL,
    };
    // @azure/logger and @typespec/ts-http-runtime's logger read their level when loaded: load afresh.
    process.env.AZURE_LOG_LEVEL = 'verbose';
    process.env.TYPESPEC_RUNTIME_LOG_LEVEL = 'verbose';
    let post!: typeof httpPost;
    jest.isolateModules(() => {
      post = (
        require('../../../src/adapters/webhooks/http-post') as typeof import('../../../src/adapters/webhooks/http-post')
      ).httpPost;
    });
    // Both loggers end in process.stderr.write (@typespec/ts-http-runtime logger/log.js).
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const path = '/services/T0001/B0002/XyZsecretToken123?sig=s3cr3tSigValue&sv=2024';
    try {
      receiver.script(
        { status: 503, headers: { 'retry-after': '0' }, body: 'busy' },
        { destroy: true },
        { status: 302, headers: { location: receiver.url('/moved') } },
        { status: 429, headers: { 'retry-after': '3600' } },
        { hang: true },
      );
      await post(request(receiver.url(path)), options());
      await post(request(receiver.url(path)), options({ totalTimeoutInMs: 5_000 }));
      await post(request(receiver.url(path)), options({ timeoutInMs: 100, maxAttempts: 1 }));
      await post(request(await closedPortUrl(path)), options({ maxAttempts: 2 }));
    } finally {
      spy.mockRestore();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const log = written.join('');
    // The logging was on: the retry policy logged every try, and the strategy's verdicts.
    expect(log).toMatch(/retryPolicy:info Retry 0: Attempting to send request/);
    expect(log).toMatch(/Retry strategy webhookRetryStrategy (retries after|throws error)/);
    for (const secret of [
      'XyZsecretToken123',
      's3cr3tSigValue',
      'T0001',
      '/services',
      'sv=2024',
      '127.0.0.1',
      receiver.origin,
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
