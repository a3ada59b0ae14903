import {
  backoffInMs,
  httpPost,
  isRetryableStatus,
  parseRetryAfter,
  type PostOptions,
  type PostRequest,
} from '../../../src/adapters/webhooks/http-post';
import { isLoopbackHost } from '../../../src/core/input/loopback-host';
import { redactUrl, webhookUrlProblem } from '../../../src/adapters/webhooks/url-policy';
import { closedPortUrl, startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver';

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await receiver.close();
});

/** Records each wait instead of waiting, so retries are instant and the asked delays observable. */
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

describe('httpPost: success', () => {
  it('takes any 2xx as success; a 202 with an empty body (Teams Workflows) is posted once', async () => {
    receiver.script({ status: 202, body: '' });
    const { waits, sleep } = recordingSleep();
    const result = await httpPost(request(receiver.url('/hook')), options({ sleep }));
    expect(result).toMatchObject({ ok: true, status: 202 });
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]).toMatchObject({ attempt: 1, status: 202 });
    expect(result.attempts[0]?.error).toBeUndefined();
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]).toMatchObject({ method: 'POST', path: '/hook', body: '{"hello":"world"}' });
    expect(waits).toEqual([]);
  });

  it('sends the headers made for each attempt', async () => {
    receiver.failNext(1, 503);
    const seen: number[] = [];
    const headers = (attempt: number) => {
      seen.push(attempt);
      return { 'content-type': 'application/json', 'x-attempt': String(attempt) };
    };
    const result = await httpPost(
      request(receiver.url(), { headers }),
      options({ sleep: recordingSleep().sleep }),
    );
    expect(result.ok).toBe(true);
    expect(seen).toEqual([1, 2]);
    expect(receiver.requests.map((r) => r.headers['x-attempt'])).toEqual(['1', '2']);
  });
});

describe('httpPost: retries', () => {
  it('retries 503 twice and delivers on attempt 3, posting the same bytes each time', async () => {
    receiver.failNext(2, 503);
    const { waits, sleep } = recordingSleep();
    const result = await httpPost(request(receiver.url('/hook')), options({ sleep }));
    expect(result.ok).toBe(true);
    expect(result.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(result.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(result.attempts[0]?.error).toMatch(/^HTTP 503 Service Unavailable/);
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.body))).toEqual(new Set(['{"hello":"world"}']));
    // full jitter with random() = 0.5: 0.5 × 100, 0.5 × 200
    expect(waits).toEqual([50, 100]);
    expect(result.attempts.map((a) => a.waitInMs)).toEqual([50, 100, undefined]);
  });

  it('backs off exponentially with full jitter, capped by maxBackoffInMs', async () => {
    receiver.setDefault({ status: 500 });
    const { waits, sleep } = recordingSleep();
    const result = await httpPost(
      request(receiver.url()),
      options({ sleep, maxAttempts: 6, initialBackoffInMs: 100, maxBackoffInMs: 300, random: () => 0.5 }),
    );
    expect(result.ok).toBe(false);
    expect(waits).toEqual([50, 100, 150, 150, 150]);
    expect(backoffInMs(1, options(), () => 0)).toBe(0);
    expect(backoffInMs(4, options({ initialBackoffInMs: 100, maxBackoffInMs: 10_000 }), () => 0.999)).toBe(
      799,
    );
  });

  it.each([429, 503])(
    'honours Retry-After in seconds on %i (observed through the injected sleep)',
    async (status) => {
      receiver.failNext(1, status, { retryAfter: '7' });
      const { waits, sleep } = recordingSleep();
      const result = await httpPost(request(receiver.url()), options({ sleep, random: () => 0 }));
      expect(result.ok).toBe(true);
      expect(waits).toEqual([7_000]);
      expect(result.attempts[0]).toMatchObject({ status, retryAfterInMs: 7_000, waitInMs: 7_000 });
    },
  );

  it('honours Retry-After as an HTTP-date', async () => {
    const now = Date.UTC(2026, 2, 1, 10, 0, 0);
    receiver.failNext(1, 429, { retryAfter: new Date(now + 12_000).toUTCString() });
    const { waits, sleep } = recordingSleep();
    const result = await httpPost(
      request(receiver.url()),
      options({ sleep, random: () => 0, now: () => now }),
    );
    expect(result.ok).toBe(true);
    expect(waits).toEqual([12_000]);
  });

  it('waits the longer of the backoff and Retry-After', async () => {
    receiver.failNext(1, 429, { retryAfter: '0' });
    const { waits, sleep } = recordingSleep();
    await httpPost(request(receiver.url()), options({ sleep, random: () => 0.5 }));
    expect(waits).toEqual([50]);
  });

  it('gives up at once, retryable, when Retry-After asks for more than the remaining budget', async () => {
    receiver.failNext(1, 429, { retryAfter: '3600' });
    const { waits, sleep } = recordingSleep();
    const result = await httpPost(request(receiver.url()), options({ sleep, totalTimeoutInMs: 5_000 }));
    expect(result.ok).toBe(false);
    expect(waits).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    if (result.ok) return;
    expect(result.error.retryable).toBe(true);
    expect(result.error.message).toMatch(/asked to wait 3600000 ms.*5000 ms budget/);
    expect(result.attempts[0]).toMatchObject({ status: 429, retryAfterInMs: 3_600_000 });
  });

  it.each([408, 500, 502, 504])('retries %i', async (status) => {
    receiver.failNext(1, status);
    const result = await httpPost(request(receiver.url()), options({ sleep: recordingSleep().sleep }));
    expect(result.ok).toBe(true);
    expect(receiver.requests).toHaveLength(2);
  });

  it('does not retry a 400: one POST, permanent failure', async () => {
    receiver.failNext(1, 400, { body: 'invalid_payload' });
    const { waits, sleep } = recordingSleep();
    const result = await httpPost(request(receiver.url()), options({ sleep }));
    expect(receiver.requests).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.retryable).toBe(false);
    expect(result.error.code).toBe('DeliveryFailed');
    expect(result.error.message).toMatch(
      /^Delivery to webhook\[test\] failed: HTTP 400 Bad Request: invalid_payload; not retried/,
    );
    expect(result.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 400 })]);
  });

  it.each([401, 403, 404, 410, 413, 422])('does not retry %i', async (status) => {
    receiver.failNext(1, status);
    const result = await httpPost(request(receiver.url()), options({ sleep: recordingSleep().sleep }));
    expect(receiver.requests).toHaveLength(1);
    expect(result.ok || result.error.retryable).toBe(false);
  });

  it('does not follow redirects (the body would go where the config does not say)', async () => {
    receiver.script({ status: 302, headers: { location: receiver.url('/elsewhere') } });
    const result = await httpPost(request(receiver.url('/hook')), options({ sleep: recordingSleep().sleep }));
    expect(receiver.requests.map((r) => r.path)).toEqual(['/hook']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.retryable).toBe(false);
    expect(result.error.message).toMatch(/HTTP 302 .*redirects are not followed/);
  });

  it('retries a dropped connection', async () => {
    receiver.script({ destroy: true });
    const result = await httpPost(request(receiver.url()), options({ sleep: recordingSleep().sleep }));
    expect(result.ok).toBe(true);
    expect(result.attempts[0]?.error).toMatch(/^network error/);
    // Dropped after the request reached the receiver: it may hold the notice.
    expect(result.attempts[0]?.mayHaveReached).toBe(true);
    expect(receiver.requests).toHaveLength(2);
  });
});

describe('httpPost: time limits', () => {
  it('times each attempt out against a hanging receiver, then gives up after maxAttempts', async () => {
    receiver.setDefault({ hang: true });
    const { sleep } = recordingSleep();
    const started = performance.now();
    const result = await httpPost(
      request(receiver.url()),
      options({ sleep, timeoutInMs: 150, maxAttempts: 3 }),
    );
    const elapsed = performance.now() - started;
    expect(result.ok).toBe(false);
    expect(receiver.requests).toHaveLength(3);
    expect(result.attempts).toHaveLength(3);
    for (const attempt of result.attempts) {
      expect(attempt.error).toBe('no answer within 150 ms');
      expect(attempt.status).toBeUndefined();
      // The request was written: the receiver may hold the notice (grouping.ts, dropEndedEpisodes).
      expect(attempt.mayHaveReached).toBe(true);
      expect(attempt.durationInMs).toBeGreaterThanOrEqual(140);
      // A hanging receiver never answers: any bound a busy machine keeps proves the time-out.
      expect(attempt.durationInMs).toBeLessThan(10_000);
    }
    expect(elapsed).toBeLessThan(30_000);
    if (result.ok) return;
    expect(result.error.retryable).toBe(true);
    expect(result.error.message).toMatch(/gave up after 3 attempts, the maximum/);
  });

  it('bounds everything, attempts and real waits, by totalTimeoutInMs', async () => {
    receiver.setDefault({ hang: true });
    const started = performance.now();
    const result = await httpPost(
      request(receiver.url()),
      options({
        timeoutInMs: 3_000,
        maxAttempts: 10,
        initialBackoffInMs: 500,
        maxBackoffInMs: 500,
        totalTimeoutInMs: 4_000,
        random: () => 1,
      }),
    );
    const elapsed = performance.now() - started;
    expect(result.ok).toBe(false);
    // Unbounded, ten 3 s attempts and their waits would take over 34 s.
    expect(elapsed).toBeLessThan(20_000);
    expect(result.attempts.length).toBeGreaterThanOrEqual(2);
    expect(result.attempts.length).toBeLessThan(10);
    if (result.ok) return;
    expect(result.error.retryable).toBe(true);
  });

  it('cuts the first attempt to the total budget when the budget is shorter than the time-out', async () => {
    receiver.setDefault({ hang: true });
    const started = performance.now();
    const result = await httpPost(
      request(receiver.url()),
      options({ timeoutInMs: 10_000, totalTimeoutInMs: 300 }),
    );
    // The attempt's own time-out is 10 s: well under it proves the budget cut it.
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(result.attempts).toHaveLength(1);
    const cut = /^no answer within (\d+) ms \(the rest of the total budget\)$/.exec(
      result.attempts[0]?.error ?? '',
    );
    expect(Number(cut?.[1])).toBeLessThanOrEqual(300);
    expect(result.ok || result.error.message).toMatch(/waiting would overrun the 300 ms budget/);
  });

  it('stops when the caller aborts, retryable, without waiting for the time-out', async () => {
    receiver.setDefault({ hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const result = await httpPost(
      request(receiver.url()),
      options({ timeoutInMs: 10_000, abortSignal: controller.signal }),
    );
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.retryable).toBe(true);
    expect(result.error.message).toMatch(/cancelled during attempt 1/);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const result = await httpPost(request(receiver.url()), options({ abortSignal: AbortSignal.abort() }));
    expect(receiver.requests).toHaveLength(0);
    expect(result).toMatchObject({ ok: false, attempts: [] });
  });
});

describe('httpPost: a receiver that is down', () => {
  it('fails retryable after maxAttempts connection errors', async () => {
    const url = await closedPortUrl('/hook');
    const { waits, sleep } = recordingSleep();
    const result = await httpPost(request(url), options({ sleep, maxAttempts: 4 }));
    expect(result.ok).toBe(false);
    expect(result.attempts).toHaveLength(4);
    expect(waits).toHaveLength(3);
    for (const attempt of result.attempts) expect(attempt.error).toBe('network error (ECONNREFUSED)');
    // Never connected: nothing can have reached the receiver.
    for (const attempt of result.attempts) expect(attempt.mayHaveReached).toBeUndefined();
    if (result.ok) return;
    expect(result.error.retryable).toBe(true);
    expect(result.error.message).toMatch(
      /network error \(ECONNREFUSED\) \(gave up after 4 attempts, the maximum\)/,
    );
  });
});

describe('URL policy and redaction', () => {
  it('refuses plain http:// to a non-loopback host without sending anything', async () => {
    const result = await httpPost(request('http://hooks.example.com/services/T0/B0/SECRETTOKEN'), options());
    expect(result.ok).toBe(false);
    expect(result.attempts).toEqual([]);
    if (result.ok) return;
    expect(result.error.retryable).toBe(false);
    expect(result.error.message).toMatch(
      /must use https:\/\/ .*loopback host \(127\.0\.0\.0\/8, \[::1\], localhost\)/,
    );
    expect(result.error.message).not.toMatch(/SECRETTOKEN|hooks\.example\.com/);
  });

  it.each([
    ['http://127.0.0.1:8080/x', undefined],
    ['http://127.45.6.7/x', undefined],
    ['http://localhost:3000/x', undefined],
    ['http://[::1]:3000/x', undefined],
    ['https://hooks.slack.com/services/t/b/x', undefined],
    ['http://10.0.0.4/x', /must use https:\/\//],
    ['http://127.0.0.1.nip.io/x', /must use https:\/\//],
    ['ftp://example.com/x', /"ftp" scheme/],
    ['https://user:pass@example.com/x', /credentials/],
    ['not a url', /not an absolute URL/],
  ])('webhookUrlProblem(%s)', (url, expected) => {
    const problem = webhookUrlProblem(url);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  it('knows loopback hosts', () => {
    expect(['localhost', '127.0.0.1', '127.255.0.9', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['10.0.0.1', '128.0.0.1', 'localhost.example.com', '[::2]'].some(isLoopbackHost)).toBe(false);
  });

  it('redactUrl keeps scheme and host, hides path and query', () => {
    expect(redactUrl('https://hooks.slack.com/services/t0/b0/XYZ?sig=abc')).toBe(
      'https://hooks.slack.com/[redacted]',
    );
    expect(
      redactUrl(
        'https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t',
      ),
    ).toBe('https://prod-01.westeurope.logic.azure.com/[redacted]');
    expect(redactUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/');
    expect(redactUrl('https://user:pw@example.com/p')).toBe('https://example.com/[redacted]');
    expect(redactUrl('::nonsense')).toBe('[invalid URL]');
  });

  it('no record or error holds the URL path, query or token, even when the receiver echoes them', async () => {
    const path = '/services/T0001/B0002/XyZsecretToken123?sig=s3cr3tSigValue&sv=2024';
    receiver.setDefault({
      status: 500,
      body: `error for POST ${receiver.url(path)} (path ${path}) sig=s3cr3tSigValue`,
    });
    const result = await httpPost(
      request(receiver.url(path)),
      options({ sleep: recordingSleep().sleep, maxAttempts: 2 }),
    );
    expect(result.ok).toBe(false);
    const everything = JSON.stringify({ result, message: result.ok ? '' : result.error.message });
    expect(everything).toMatch(/HTTP 500 Internal Server Error: error for POST \[redacted\]/);
    for (const secret of [
      'XyZsecretToken123',
      's3cr3tSigValue',
      '/services/T0001',
      'sig=s3',
      receiver.origin,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it.each([
    ['in upper case', (s: string) => s.toUpperCase()],
    ['in lower case', (s: string) => s.toLowerCase()],
    ['as HTML character references', (s: string) => [...s].map((c) => `&#${c.codePointAt(0)};`).join('')],
    ['in base64', (s: string) => Buffer.from(s).toString('base64')],
  ])('a receiver that writes the URL back %s: no record or error holds its token', async (_, write) => {
    const path = '/services/T9/B9/upperToken7g8h?sig=upperSig9i0j';
    receiver.setDefault({ status: 400, body: `NO ROUTE ${write(receiver.url(path))}` });
    const result = await httpPost(request(receiver.url(path)), options({ maxAttempts: 1 }));
    const everything = JSON.stringify(result);
    expect(everything).toMatch(/HTTP 400 Bad Request: NO ROUTE \[redacted\]/);
    for (const secret of ['upperToken7g8h', 'upperSig9i0j'])
      for (const written of [secret, write(secret)].flatMap((w) => [w, w.slice(2, -2)]))
        expect(everything.toLowerCase()).not.toContain(written.toLowerCase());
  });

  const TOKEN = 'Zq8vT3kLm9XwR2pN7bY4cH6dJ'; // 25 characters, as in issue 11.7
  /** Every piece of `secret` of `size` characters or more that `text` contains. */
  const piecesOf = (secret: string, text: string, size = 4) =>
    Array.from({ length: secret.length - size + 1 }, (_, i) => secret.slice(i, i + size)).filter((p) =>
      text.includes(p),
    );

  it.each([270, 275, 286, 290, 296, 299, 300])(
    'scrubs, then cuts: a URL token starting at character %i of a long answer leaves no piece behind',
    async (offset) => {
      receiver.setDefault({ status: 400, body: `${'e'.repeat(offset)}${TOKEN} and more text after it` });
      const result = await httpPost(request(receiver.url(`/hooks/${TOKEN}`)), options({ maxAttempts: 1 }));
      const message = result.ok ? '' : result.error.message;
      expect(message).toMatch(/HTTP 400 Bad Request: e{10}/);
      expect(piecesOf(TOKEN, message)).toEqual([]);
      expect(piecesOf(TOKEN, JSON.stringify(result.attempts))).toEqual([]);
    },
  );

  it('scrubs, then cuts: a signing secret straddling the cut leaves no piece behind', async () => {
    const secret = 'whsec_c2VjcmV0LXNpZ25pbmcta2V5LTMyLWJ5dGVzISE=';
    receiver.setDefault({ status: 422, body: `${'x'.repeat(280)}signed with ${secret}` });
    const result = await httpPost(
      request(receiver.url('/hook'), { secrets: [secret, secret.slice('whsec_'.length)] }),
      options({ maxAttempts: 1 }),
    );
    expect(piecesOf(secret.slice(6), result.ok ? '' : result.error.message, 5)).toEqual([]);
  });

  it('a token the read cuts off (the answer is read up to 1200 bytes, white space folded) leaves no piece behind', async () => {
    receiver.setDefault({ status: 500, body: `${' '.repeat(1190)}${TOKEN}${'z'.repeat(500)}` });
    const result = await httpPost(request(receiver.url(`/hooks/${TOKEN}`)), options({ maxAttempts: 1 }));
    const message = result.ok ? '' : result.error.message;
    expect(message).toMatch(/HTTP 500 Internal Server Error: \[redacted\]/);
    expect(piecesOf(TOKEN, message, 3)).toEqual([]);
  });

  it('network errors and time-outs hold no URL either', async () => {
    const down = await closedPortUrl('/workflows/abc/triggers/manual/paths/invoke?sig=TOKENVALUE99');
    receiver.setDefault({ hang: true });
    const hanging = receiver.url('/hooks/TOKENVALUE42');
    const results = await Promise.all([
      httpPost(request(down), options({ maxAttempts: 2, sleep: recordingSleep().sleep })),
      httpPost(request(hanging), options({ maxAttempts: 1, timeoutInMs: 100 })),
    ]);
    const everything = JSON.stringify(results.map((r) => ({ ...r, message: r.ok ? '' : r.error.message })));
    expect(everything).toMatch(/ECONNREFUSED/);
    expect(everything).toMatch(/no answer within 100 ms/);
    expect(everything).not.toMatch(/TOKENVALUE|127\.0\.0\.1|workflows|hooks/);
  });
});

describe('status and Retry-After parsing', () => {
  it('classifies statuses', () => {
    expect([408, 429, 500, 503, 599].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 422, 301, 600].some(isRetryableStatus)).toBe(false);
  });

  it('parses delta-seconds and HTTP-dates, ignores the rest', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    for (const bad of [undefined, null, '', '-1', '1.5', 'soon', 'Mon, 99 Foo 2026'])
      expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});

/**
 * The run's stop (SIGTERM, its deadline) is softer than an abort: a receiver that hung held a stopped
 * run for its whole send budget (10 s × 5 tries: 51 s), past a container's 30 s grace (a break trial).
 */
describe('httpPost: the run stopped', () => {
  it('stopped while waiting to retry: no further try; a retryable failure, the attempts made kept', async () => {
    receiver.setDefault({ status: 503 });
    const stop = new AbortController();
    // The wait before the second try: the run is stopped then, and a real wait ends with it.
    const sleep = (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        stop.abort();
        if (signal?.aborted) reject(new Error('aborted'));
        else setTimeout(resolve, ms);
      });
    const result = await httpPost(
      request(receiver.url('/hook')),
      options({ sleep, stop: stop.signal, maxAttempts: 5 }),
    );
    expect(receiver.requests).toHaveLength(1);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.attempts).toHaveLength(1);
    expect(result.error).toMatchObject({ retryable: true });
    expect(result.error.message).toMatch(
      /HTTP 503 Service Unavailable; not tried again: the run was stopped \(1 attempt made\); the next run sends it/,
    );
  });

  it('stopped during a try: that try goes on to its answer (a receiver that took it is not left unsure)', async () => {
    const stop = new AbortController();
    receiver.script({ status: 200, delayMs: 300 });
    const sent = httpPost(
      request(receiver.url('/hook')),
      options({ stop: stop.signal, sleep: recordingSleep().sleep }),
    );
    while (receiver.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    stop.abort();
    expect(await sent).toMatchObject({ ok: true, status: 200 });
  });

  it('stopped before the first try: nothing sent, a retryable failure', async () => {
    const stop = new AbortController();
    stop.abort();
    const result = await httpPost(request(receiver.url('/hook')), options({ stop: stop.signal }));
    expect(receiver.requests).toHaveLength(0);
    expect(result).toMatchObject({ ok: false, error: { retryable: true } });
    expect(result.ok ? '' : result.error.message).toMatch(
      /not tried again: the run was stopped \(0 attempts made\)/,
    );
  });
});
