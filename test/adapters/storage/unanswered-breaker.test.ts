/**
 * The breaker of a storage account (src/adapters/storage/unanswered-breaker.ts): "no answer" opens it,
 * an answer of any kind closes it, and one request at a time finds out once it has been open long
 * enough. On a fake clock, with the failures the storage client's pipeline throws, told apart as
 * connectBlobService tells them (unansweredStorageFailure).
 */
import { createServer, type Socket } from 'node:net';
import {
  serviceKey,
  unansweredBreaker,
  withUnansweredBreaker,
  type UnansweredBreaker,
} from '../../../src/adapters/storage/unanswered-breaker';
import {
  connectBlobService,
  describeStorageFailure,
  unansweredStorageFailure as unanswered,
} from '../../../src/adapters/storage/blob-client';
import type { StorageHttp } from '../../../src/adapters/storage/rest/storage-http';
import { StorageUnansweredError } from '../../../src/errors';
import { rejection } from '../../helpers/failures';

const abort = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const answered = (statusCode: number, code?: string) =>
  Object.assign(new Error(`HTTP ${statusCode}`), {
    name: 'RestError',
    statusCode,
    ...(code ? { code } : {}),
  });
function setup() {
  let now = 0;
  const breaker = unansweredBreaker({
    service: 'https://acct.blob.core.windows.net',
    unanswered,
    leftAloneForInMs: 30_000,
    nowInMs: () => now,
  });
  let calls = 0;
  const call = (outcome: 'ok' | Error) => async (): Promise<string> => {
    calls++;
    if (outcome === 'ok') return 'ok';
    throw outcome;
  };
  return { breaker, call, calls: () => calls, at: (ms: number) => void (now = ms) };
}

describe('unansweredBreaker', () => {
  it.each<[string, Error, RegExp]>([['tries that ran out of time', abort, /no answer in time/]])(
    '%s: the requests after it fail at once, saying so, for leftAloneForInMs; then one finds out',
    async (_, noAnswer, what) => {
      const { breaker, call, calls, at } = setup();
      await expect(breaker.guard(call(noAnswer))).rejects.toBe(noAnswer);
      at(29_999);
      const error = await rejection(breaker.guard(call('ok')));
      expect(calls()).toBe(1); // not made
      expect(error).toBeInstanceOf(StorageUnansweredError);
      expect(error).toMatchObject({ retryable: true, code: 'StorageUnanswered' });
      expect((error as Error).message).toMatch(
        /^not sent: another request to https:\/\/acct\.blob\.core\.windows\.net got no answer in time a moment before, so the account is left alone 30 s before it is tried again$/,
      );
      expect(error).toMatchObject({ unanswered: expect.stringMatching(what) });
      // The state store and the blob sink read it as a failure without an answer, worth trying later.
      expect(describeStorageFailure(error)).toMatchObject({ statusCode: undefined, retryable: true });
      at(30_000);
      await expect(breaker.guard(call('ok'))).resolves.toBe('ok');
      await expect(breaker.guard(call('ok'))).resolves.toBe('ok');
      expect(calls()).toBe(3);
    },
  );

  it.each<[string, Error]>([
    ['a 403 (that request, or its rights)', answered(403, 'AuthorizationFailure')],
    ['a 404 BlobNotFound', answered(404, 'BlobNotFound')],
    ['a 503 after its retries', answered(503, 'ServerBusy')],
    ['a 412 (a conflict)', answered(412, 'ConditionNotMet')],
    ['our own failure (an identity without a token)', new StorageUnansweredError('x', 'y', 1)],
    // No wait to save: an account that refused one request and came back is tried at once.
    ['a refused connection', refused],
  ])(
    'an answer, or a failure of our own (%s), does not open it: one failing document never stops the others, nothing is waited out twice',
    async (_, failure) => {
      const { breaker, call, calls } = setup();
      await expect(breaker.guard(call(failure))).rejects.toBe(failure);
      await expect(breaker.guard(call('ok'))).resolves.toBe('ok');
      expect(calls()).toBe(2);
    },
  );

  it('once open long enough, one request finds out and the others still fail at once; no answer again: open again', async () => {
    const { breaker, call, calls, at } = setup();
    await rejection(breaker.guard(call(abort)));
    at(30_000);
    let fail: (error: Error) => void = () => undefined;
    const probe = breaker.guard(() => new Promise<string>((_, reject) => (fail = reject)));
    await expect(breaker.guard(call('ok'))).rejects.toBeInstanceOf(StorageUnansweredError);
    fail(abort);
    await expect(probe).rejects.toBe(abort);
    at(59_999);
    await expect(breaker.guard(call('ok'))).rejects.toBeInstanceOf(StorageUnansweredError);
    expect(calls()).toBe(1);
    at(60_000);
    await expect(breaker.guard(call('ok'))).resolves.toBe('ok');
  });

  // A break trial (read in the code): a request sent long before, timing out after a probe had found
  // the account back, shut it off again for 30 s.
  it('a request sent before the account last answered, timing out after: does not open it', async () => {
    const { breaker, call, at } = setup();
    let fail: (error: Error) => void = () => undefined;
    const stale = breaker.guard(() => new Promise<string>((_, reject) => (fail = reject)));
    at(1_000);
    await expect(breaker.guard(call('ok'))).resolves.toBe('ok'); // the account answers
    at(30_000);
    fail(abort);
    await expect(stale).rejects.toBe(abort);
    await expect(breaker.guard(call('ok'))).resolves.toBe('ok');
    // One sent after that answer, timing out: opens it.
    const fresh = breaker.guard(() => new Promise<string>((_, reject) => (fail = reject)));
    at(31_000);
    fail(abort);
    await expect(fresh).rejects.toBe(abort);
    await expect(breaker.guard(call('ok'))).rejects.toBeInstanceOf(StorageUnansweredError);
  });

  it('an answer to a request sent before it opened closes it', async () => {
    const { breaker, call } = setup();
    let answer: (value: string) => void = () => undefined;
    const slow = breaker.guard(() => new Promise<string>((resolve) => (answer = resolve)));
    await rejection(breaker.guard(call(abort)));
    await expect(breaker.guard(call('ok'))).rejects.toBeInstanceOf(StorageUnansweredError);
    answer('ok');
    await slow;
    await expect(breaker.guard(call('ok'))).resolves.toBe('ok');
  });
});

// A new-user trial: `state.blob` and `sinks.blob` on one account that stopped answering each waited out
// a 30 s try, one after the other (4 gateways, 64 s). The breaker is the account's, not a connection's.
describe('withUnansweredBreaker: one breaker per account', () => {
  it.each<[string, string, string]>([
    ['the host in any case', 'https://ACCT.blob.core.windows.net', 'https://acct.blob.core.windows.net'],
    ['a trailing slash', 'https://acct.blob.core.windows.net/', 'https://acct.blob.core.windows.net'],
    [
      'an Azurite path-style account',
      'http://127.0.0.1:10000/devstoreaccount1/',
      'http://127.0.0.1:10000/devstoreaccount1',
    ],
    ['not a URL: as given, less its trailing slashes', 'not a url//', 'not a url'],
  ])('serviceKey: %s', (_, url, key) => {
    expect(serviceKey(url)).toBe(key);
  });

  /** A connection to `url` whose requests all run out of time, and how many it sent. */
  function silentHttp(url: string) {
    let sent = 0;
    const http: StorageHttp = {
      url,
      send: async () => {
        sent++;
        throw abort;
      },
    };
    return { http, sent: () => sent };
  }
  const request = { method: 'GET', path: 'c/b' } as unknown as Parameters<StorageHttp['send']>[0];

  it.each<[string, boolean, string, string]>([
    ['one URL', true, 'https://acct.blob.core.windows.net', 'https://acct.blob.core.windows.net'],
    [
      'its host in another case, a trailing slash',
      true,
      'https://acct.blob.core.windows.net',
      'https://Acct.blob.core.windows.net/',
    ],
    ['another account', false, 'https://acct.blob.core.windows.net', 'https://other.blob.core.windows.net'],
    [
      'another Azurite account on one host',
      false,
      'http://127.0.0.1:10000/devstoreaccount1',
      'http://127.0.0.1:10000/other',
    ],
  ])('two connections to %s: left alone together: %s', async (_, shared, first, second) => {
    const breakers = new Map<string, UnansweredBreaker>();
    const a = silentHttp(first);
    const b = silentHttp(second);
    const state = withUnansweredBreaker(a.http, unanswered, breakers);
    const sink = withUnansweredBreaker(b.http, unanswered, breakers);
    await expect(state.send(request)).rejects.toBe(abort);
    const error = await rejection(sink.send(request));
    if (shared) {
      expect(error).toBeInstanceOf(StorageUnansweredError);
      expect(b.sent()).toBe(0);
    } else {
      expect(error).toBe(abort);
      expect(b.sent()).toBe(1);
    }
  });

  it('connectBlobService: the state and the blob sink on one account that never answers wait out one try between them, not one each', async () => {
    const sockets = new Set<Socket>();
    let requests = 0;
    const silent = createServer((socket) => sockets.add(socket.on('data', () => void requests++)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const connectionString =
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
      'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
      `BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
    const httpOptions = { maxRetries: 0, requestTimeoutInMs: 200 };
    try {
      const state = connectBlobService({ connectionString, setting: 'APPGW_STATE' }, { httpOptions });
      const sink = connectBlobService({ connectionString, setting: 'APPGW_SINK' }, { httpOptions });
      const waited = await rejection(state.container('state').download('a.json'));
      expect(unanswered(waited)).toMatch(/no answer in time/);
      const sent = requests;
      expect(sent).toBeGreaterThan(0);
      const left = await rejection(sink.container('insights').createIfNotExists());
      expect(left).toBeInstanceOf(StorageUnansweredError);
      expect(requests).toBe(sent); // the sink's request was never sent
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
