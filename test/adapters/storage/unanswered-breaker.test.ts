/**
 * The breaker of a storage account (src/adapters/storage/unanswered-breaker.ts): "no answer" opens it,
 * an answer of any kind closes it, and one request at a time finds out once it has been open long
 * enough. On a fake clock, with the failures the storage client's pipeline throws, told apart as
 * connectBlobService tells them (unansweredStorageFailure).
 */
import { unansweredBreaker } from '../../../src/adapters/storage/unanswered-breaker';
import {
  describeStorageFailure,
  unansweredStorageFailure as unanswered,
} from '../../../src/adapters/storage/blob-client';
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
