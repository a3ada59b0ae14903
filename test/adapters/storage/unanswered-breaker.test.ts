/**
 * The breaker of a storage account (src/adapters/storage/unanswered-breaker.ts): "no answer" opens it,
 * an answer of any kind closes it, and one request at a time finds out once it has been open long
 * enough. On a fake clock, with the failures the storage client's pipeline throws, told apart as
 * connectBlobService tells them (unansweredStorageFailure).
 */
import { createServer as createHttpServer } from 'node:http';
import {
  breakerKey,
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
import { limitStorageTriesAfterStop } from '../../../src/adapters/storage/stopped-run-cut';
import { StorageUnansweredError } from '../../../src/errors';
import { AZURITE_ACCOUNT, azuriteConnectionString } from '../../helpers/azurite';
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
        /^not sent: another request to https:\/\/acct\.blob\.core\.windows\.net got no answer in time a moment before, so it is left alone 30 s before it is tried again$/,
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
// a 30 s try. Keyed by the account for a while, a break trial then found one container's hang shutting
// off the other's deliveries, and the other's answers reopening the hung one to every request. The
// breaker is the container's: shared by every connection to it, and by no other container.
describe('withUnansweredBreaker: one breaker per container', () => {
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

  it.each<[string, string, string]>([
    ['a blob', 'state/gw%2Fa.json', 'https://acct.blob.core.windows.net/state'],
    ['the container itself', 'state', 'https://acct.blob.core.windows.net/state'],
    ['its name in another case', 'State/a.json', 'https://acct.blob.core.windows.net/state'],
    ['the account itself', '', 'https://acct.blob.core.windows.net'],
  ])('breakerKey: a request to %s', (_, path, key) => {
    expect(breakerKey('https://ACCT.blob.core.windows.net/', path)).toBe(key);
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
  const to = (path: string) => ({ method: 'GET', path }) as const;

  it.each<[string, boolean, string, string, string, string]>([
    [
      'one container',
      true,
      'https://acct.blob.core.windows.net',
      'state/a',
      'https://acct.blob.core.windows.net',
      'state/b',
    ],
    [
      'one container, the host in another case',
      true,
      'https://acct.blob.core.windows.net',
      'state/a',
      'https://Acct.blob.core.windows.net/',
      'state/b',
    ],
    [
      'another container of the account',
      false,
      'https://acct.blob.core.windows.net',
      'state/a',
      'https://acct.blob.core.windows.net',
      'insights/b',
    ],
    [
      'another account',
      false,
      'https://acct.blob.core.windows.net',
      'state/a',
      'https://other.blob.core.windows.net',
      'state/b',
    ],
    [
      'another Azurite account on one host',
      false,
      'http://127.0.0.1:10000/devstoreaccount1',
      'state/a',
      'http://127.0.0.1:10000/other',
      'state/b',
    ],
  ])(
    'two connections to %s: left alone together: %s',
    async (_, shared, firstUrl, firstPath, secondUrl, secondPath) => {
      const breakers = new Map<string, UnansweredBreaker>();
      const a = silentHttp(firstUrl);
      const b = silentHttp(secondUrl);
      const state = withUnansweredBreaker(a.http, unanswered, breakers);
      const sink = withUnansweredBreaker(b.http, unanswered, breakers);
      await expect(state.send(to(firstPath))).rejects.toBe(abort);
      const error = await rejection(sink.send(to(secondPath)));
      if (shared) {
        expect(error).toBeInstanceOf(StorageUnansweredError);
        expect(b.sent()).toBe(0);
      } else {
        expect(error).toBe(abort);
        expect(b.sent()).toBe(1);
      }
    },
  );

  // A trial: the state's container and the sink's both hung cost three 30 s waits (92.9 s), not two: the
  // sink's wait came after the state's, and by its end the state's hold had run out.
  it("a second container of the account found silent holds the first as long as its own; another account's is not held", async () => {
    let now = 0;
    const breakers = new Map<string, UnansweredBreaker>();
    let sent = 0;
    const silent = (url: string): StorageHttp => ({
      url,
      send: async () => {
        sent++;
        throw abort;
      },
    });
    const account = withUnansweredBreaker(
      silent('https://acct.blob.core.windows.net'),
      unanswered,
      breakers,
      () => now,
    );
    const other = withUnansweredBreaker(
      silent('https://other.blob.core.windows.net'),
      unanswered,
      breakers,
      () => now,
    );
    const to = (path: string) => ({ method: 'GET' as const, path });
    await expect(account.send(to('state/a.json'))).rejects.toBe(abort); // state's hold: until 30 000
    await expect(other.send(to('state/a.json'))).rejects.toBe(abort); // the other account's: until 30 000
    now = 29_000;
    await expect(account.send(to('sink/r.json'))).rejects.toBe(abort); // sink's hold: until 59 000
    expect(sent).toBe(3);
    now = 30_000;
    await expect(account.send(to('state/b.json'))).rejects.toBeInstanceOf(StorageUnansweredError);
    expect(sent).toBe(3); // held with the sink's: not sent
    await expect(other.send(to('state/b.json'))).rejects.toBe(abort); // the other account finds out
    expect(sent).toBe(4);
    now = 59_000;
    await expect(account.send(to('state/c.json'))).rejects.toBe(abort); // one finds out now
    expect(sent).toBe(5);
  });

  /** Connections to two accounts whose containers never answer, but `answering`'s; the requests sent. */
  function silentRig() {
    let now = 0;
    const breakers = new Map<string, UnansweredBreaker>();
    const sent: string[] = [];
    const answering = new Set(['answers']);
    /** The requests not answered yet: each fails (no answer) when the test calls it. */
    const pending: Array<() => void> = [];
    const account = (url: string): StorageHttp => ({
      url,
      send: (request) => {
        sent.push(`${url} ${request.path}`);
        if (answering.has(request.path.split('/')[0] ?? ''))
          return Promise.resolve({ status: 200, header: () => undefined, bodyText: '' });
        return new Promise((_, reject) => pending.push(() => reject(abort)));
      },
    });
    const connect = (url: string) => withUnansweredBreaker(account(url), unanswered, breakers, () => now);
    return {
      silent: connect('https://acct.blob.core.windows.net'),
      other: connect('https://other.blob.core.windows.net'),
      sent,
      at: (ms: number) => void (now = ms),
      /** The pending requests fail without an answer (a time-out, or a stopped run's cut). */
      cut: () => void pending.splice(0).forEach((fail) => fail()),
    };
  }

  // A break trial: a run stopped 1 s in, its state container hung and its sink's containers answering,
  // wrote no insight, report.json or index.html: the state's silence held the account's other
  // containers, those not used yet too (a rule of some hours, so that a silent account cost one 5 s cut).
  it("in a stopped run, a silent container holds none of its account's containers that were not found silent, used before or not: each is tried", async () => {
    const { silent, other, sent, at, cut } = silentRig();
    // The run is stopped (its cut, 60 s, longer than any try here lasts).
    const runOver = limitStorageTriesAfterStop(60_000);
    try {
      const to = (path: string) => ({ method: 'GET' as const, path });
      await expect(silent.send(to('answers/a.json'))).resolves.toMatchObject({
        status: 200,
      });
      at(100);
      const state = rejection(silent.send(to('state/a.json')));
      at(5_100);
      cut();
      expect(await state).toBe(abort);
      // Used before the silence and first used after it: sent, and an answering one answers.
      await expect(silent.send(to('answers/b.json'))).resolves.toMatchObject({ status: 200 });
      const before = sent.length;
      const insights = rejection(silent.send(to('insights/x')));
      const page = rejection(silent.send(to('$web/index.html')));
      expect(sent.length).toBe(before + 2);
      cut();
      expect([await insights, await page]).toEqual([abort, abort]);
      // The containers found silent are left alone (each its own hold, the account's extended).
      const held = sent.length;
      for (const container of ['state', 'insights', '$web'])
        await expect(silent.send(to(`${container}/y`))).rejects.toBeInstanceOf(StorageUnansweredError);
      expect(sent.length).toBe(held);
      await expect(silent.send(to('answers/c.json'))).resolves.toMatchObject({ status: 200 });
      const elsewhere = rejection(other.send(to('state/a.json')));
      cut();
      expect(await elsewhere).toBe(abort); // another account: sent
    } finally {
      runOver();
    }
  });

  /**
   * Runs `use` with the connection string of an account (loopback HTTP) whose container `hung` never
   * answers while `answering` does (201, any request), and the requests each got.
   */
  async function withOneContainerHung(
    use: (connectionString: string, requests: Map<string, number>) => Promise<void>,
  ): Promise<void> {
    const requests = new Map<string, number>();
    const server = createHttpServer((request, response) => {
      const container = (request.url ?? '').split('/')[2]?.split('?')[0] ?? '';
      requests.set(container, (requests.get(container) ?? 0) + 1);
      if (container === 'answering') response.writeHead(201).end();
      // The hung container's requests are left without an answer until the server closes.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const connectionString = azuriteConnectionString(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`);
    try {
      await use(connectionString, requests);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
  const httpOptions = { maxRetries: 0, requestTimeoutInMs: 200 };

  it('connectBlobService: the state and the blob sink on one container that never answers wait out one try between them, not one each', async () => {
    await withOneContainerHung(async (connectionString, requests) => {
      const state = connectBlobService({ connectionString, setting: 'APPGW_STATE' }, { httpOptions });
      const sink = connectBlobService({ connectionString, setting: 'APPGW_SINK' }, { httpOptions });
      const waited = await rejection(state.container('hung').download('a.json'));
      expect(unanswered(waited)).toMatch(/no answer in time/);
      const sent = requests.get('hung');
      expect(sent).toBeGreaterThan(0);
      const left = await rejection(sink.container('hung').createIfNotExists());
      expect(left).toBeInstanceOf(StorageUnansweredError);
      expect((left as Error).message).toMatch(
        /another request to http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/hung got/,
      );
      expect(requests.get('hung')).toBe(sent); // the sink's request was never sent
    });
  });

  // The break trial's two cases: a hung state container shut off every delivery of the blob sink (21
  // of 21 not sent); a hung sink container was reopened by each state answer, and every sink request
  // waited out its own try (124.9 s for 20 gateways, 95.3 s before).
  it("connectBlobService: one container that never answers stops no other container's requests, and their answers do not reopen it", async () => {
    await withOneContainerHung(async (connectionString, requests) => {
      const state = connectBlobService({ connectionString, setting: 'APPGW_STATE' }, { httpOptions });
      const sink = connectBlobService({ connectionString, setting: 'APPGW_SINK' }, { httpOptions });
      expect(unanswered(await rejection(state.container('hung').download('a.json')))).toMatch(
        /no answer in time/,
      );
      await expect(sink.container('answering').createIfNotExists()).resolves.toBeUndefined();
      await expect(sink.container('answering').createIfNotExists()).resolves.toBeUndefined();
      expect(requests.get('answering')).toBe(2);
      const sent = requests.get('hung');
      expect(await rejection(state.container('hung').download('b.json'))).toBeInstanceOf(
        StorageUnansweredError,
      );
      expect(requests.get('hung')).toBe(sent);
    });
  });
});
