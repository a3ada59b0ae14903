import { StateConflictError, StateInvalidError, StateUnavailableError } from '../../src/errors';
import { describeStateStoreContract } from '../adapters/state/contract/state-store.contract';
import { rejection } from './failures';
import { createMemoryStateStore, createMemoryStateStores } from './memory-state';

/** Lets pending continuations run (a call that hangs stays pending through it). */
const drain = () => new Promise((resolve) => setImmediate(resolve));

// The test double keeps the port's contract, as the file and blob stores do.
describeStateStoreContract('memory (test double)', () => createMemoryStateStore(), {
  documentKind: 'memory document',
});

describe('memory state stores: the test double’s own promises', () => {
  it('keeps one document per key, lists the keys that have one, and names each document', async () => {
    const stores = createMemoryStateStores<{ n: number }>({ name: 'memory documents (test)' });
    await stores.forKey('a').write({ n: 1 }, undefined);
    await stores.forKey('b').write({ n: 2 }, undefined);
    expect(await stores.listKeys()).toEqual(['a', 'b']);
    expect(stores.forKey('a').name).toBe('memory document a');
    expect(stores.name).toBe('memory documents (test)');
    await expect(stores.forKey('b').read()).resolves.toMatchObject({ value: { n: 2 } });
    expect(stores.calls).toEqual([
      { op: 'write', key: 'a' },
      { op: 'write', key: 'b' },
      { op: 'list' },
      { op: 'read', key: 'b' },
    ]);
  });

  it('stores JSON text: a value changed after the write, or after the read, does not change the document', async () => {
    const stores = createMemoryStateStores<{ list: number[] }>();
    const value = { list: [1] };
    await stores.forKey('k').write(value, undefined);
    value.list.push(2);
    const read = await stores.forKey('k').read();
    read?.value.list.push(3);
    expect(stores.peek('k')).toEqual({ list: [1] });
  });

  it.each([
    ['read', { kind: 'unavailable' } as const, StateUnavailableError],
    ['write', { kind: 'unavailable', retryable: false } as const, StateUnavailableError],
    ['list', { kind: 'unavailable' } as const, StateUnavailableError],
    ['read', { kind: 'invalid' } as const, StateInvalidError],
    ['write', { kind: 'conflict' } as const, StateConflictError],
  ] as const)('%s with %o fails as the real stores do, naming the document', async (op, fault, type) => {
    const stores = createMemoryStateStores<{ n: number }>();
    const etag = await stores.forKey('k').write({ n: 1 }, undefined);
    stores.fail(op, fault, { key: op === 'list' ? undefined : 'k' });
    const call =
      op === 'read'
        ? stores.forKey('k').read()
        : op === 'write'
          ? stores.forKey('k').write({ n: 2 }, etag)
          : stores.listKeys();
    const error = await rejection(call);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(op === 'list' ? 'memory documents' : 'memory document k');
    if ('retryable' in fault) expect(error).toMatchObject({ retryable: false });
    expect(stores.peek('k')).toEqual({ n: 1 });
  });

  it('a fault hits only its key and only `times` calls', async () => {
    const stores = createMemoryStateStores<{ n: number }>();
    stores.plant('a', { n: 1 });
    stores.plant('b', { n: 2 });
    const fault = stores.fail('read', { kind: 'unavailable' }, { key: 'a', times: 1 });
    await expect(stores.forKey('b').read()).resolves.toMatchObject({ value: { n: 2 } });
    await expect(stores.forKey('a').read()).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(stores.forKey('a').read()).resolves.toMatchObject({ value: { n: 1 } });
    expect(fault.hits).toBe(1);
  });

  it('heal() and clear() remove faults', async () => {
    const stores = createMemoryStateStores<{ n: number }>();
    stores.plant('a', { n: 1 });
    const fault = stores.fail('read', { kind: 'unavailable' });
    await expect(stores.forKey('a').read()).rejects.toBeInstanceOf(StateUnavailableError);
    fault.clear();
    await expect(stores.forKey('a').read()).resolves.toBeDefined();
    stores.fail('list', { kind: 'unavailable' });
    stores.heal();
    await expect(stores.listKeys()).resolves.toEqual(['a']);
  });

  it('a call that hangs stays pending until released: then it times out, or goes on', async () => {
    const stores = createMemoryStateStores<{ n: number }>();
    const etag = stores.plant('a', { n: 1 });
    const hang = stores.fail('write', { kind: 'hang' }, { times: 2 });
    let settled = false;
    const first = stores
      .forKey('a')
      .write({ n: 2 }, etag)
      .finally(() => (settled = true));
    await drain();
    expect(settled).toBe(false);
    hang.release();
    const error = await rejection(first);
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect((error as Error).message).toMatch(/no answer in time/);
    const second = stores.forKey('a').write({ n: 3 }, etag);
    await drain();
    hang.release({ proceed: true });
    await expect(second).resolves.toEqual(expect.any(String));
    expect(stores.peek('a')).toEqual({ n: 3 });
  });

  it('interleave runs another writer between a read and a write: the write then conflicts', async () => {
    const stores = createMemoryStateStores<{ n: number }>();
    await stores.forKey('a').write({ n: 1 }, undefined);
    const read = await stores.forKey('a').read();
    stores.interleave('write', 'a', async () => {
      const now = await stores.forKey('a').read();
      await stores.forKey('a').write({ n: 10 }, now?.etag);
    });
    await expect(stores.forKey('a').write({ n: 2 }, read?.etag)).rejects.toBeInstanceOf(StateConflictError);
    expect(stores.peek('a')).toEqual({ n: 10 });
  });

  it('plant stores what the schema would refuse, with a new etag', async () => {
    const stores = createMemoryStateStores<unknown>();
    const etag = stores.plant('a', [1, 'two']);
    await expect(stores.forKey('a').read()).resolves.toEqual({ value: [1, 'two'], etag });
    expect(stores.etagOf('a')).toBe(etag);
    expect(stores.etagOf('b')).toBeUndefined();
  });
});
