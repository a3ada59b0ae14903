import fc from 'fast-check';
import { StateConflictError } from '../../../../src/errors';
import type { StateStore } from '../../../../src/adapters/state/state-store';

export interface ContractDoc {
  readonly counter: number;
  readonly writer?: string;
  readonly notes?: readonly string[];
}

/** A fresh, empty store per call (a new file, a new blob name). */
export type MakeStore = <T = ContractDoc>() => StateStore<T> | Promise<StateStore<T>>;

export interface ContractOptions {
  /**
   * How the store's document names begin (a regular expression's source): `state file|blob` for the
   * adapters; a test double names its own kind (test/helpers/memory-state.ts: `memory document`).
   */
  readonly documentKind?: string;
}

/** Every StateStore adapter must pass this suite (unstorage's idea: one port, one contract). */
export function describeStateStoreContract(
  name: string,
  makeStore: MakeStore,
  options: ContractOptions = {},
): void {
  const kind = options.documentKind ?? 'state file|blob';
  describe(`StateStore contract: ${name}`, () => {
    test('names its document for reports and errors', async () => {
      const store = await makeStore();
      expect(store.name).toMatch(new RegExp(`^(${kind}) \\S`));
      expect(store.name).not.toMatch(/AccountKey|SharedAccessSignature|sig=/i);
    });

    test('reading a store nothing was written to gives undefined', async () => {
      const store = await makeStore();
      await expect(store.read()).resolves.toBeUndefined();
    });

    test('the first write (no etag) stores the document; read returns it with the returned etag', async () => {
      const store = await makeStore();
      const doc: ContractDoc = { counter: 1, writer: 'ünïcødé ✓ — "quoted"', notes: ['a', 'b'] };
      const etag = await store.write(doc, undefined);
      expect(typeof etag).toBe('string');
      expect(etag.length).toBeGreaterThan(0);
      await expect(store.read()).resolves.toEqual({ value: doc, etag });
    });

    test('a write with the current etag replaces the document and returns a new etag', async () => {
      const store = await makeStore();
      const first = await store.write({ counter: 1 }, undefined);
      const second = await store.write({ counter: 2 }, first);
      expect(second).not.toBe(first);
      await expect(store.read()).resolves.toEqual({ value: { counter: 2 }, etag: second });
    });

    test('a chain of read-modify-write cycles applies every change', async () => {
      const store = await makeStore();
      await store.write({ counter: 0 }, undefined);
      for (let i = 0; i < 5; i++) {
        const current = await store.read();
        if (!current) throw new Error('the document disappeared');
        await store.write({ counter: current.value.counter + 1 }, current.etag);
      }
      await expect(store.read()).resolves.toMatchObject({ value: { counter: 5 } });
    });

    test('a write with a stale etag throws StateConflictError and changes nothing', async () => {
      const store = await makeStore();
      const stale = await store.write({ counter: 1 }, undefined);
      const current = await store.write({ counter: 2 }, stale);
      const error = await store.write({ counter: 99 }, stale).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StateConflictError);
      expect(error).toMatchObject({ code: 'StateConflict', retryable: true });
      expect((error as Error).message).toMatch(
        new RegExp(`^another run updated the notify state in (${kind}) `, 'i'),
      );
      await expect(store.read()).resolves.toEqual({ value: { counter: 2 }, etag: current });
    });

    test('a second "first write" (no etag) throws StateConflictError and keeps the first document', async () => {
      const store = await makeStore();
      const etag = await store.write({ counter: 1, writer: 'first' }, undefined);
      await expect(store.write({ counter: 1, writer: 'second' }, undefined)).rejects.toBeInstanceOf(
        StateConflictError,
      );
      await expect(store.read()).resolves.toEqual({ value: { counter: 1, writer: 'first' }, etag });
    });

    test('a write with an etag when nothing exists throws StateConflictError', async () => {
      const store = await makeStore();
      const other = await makeStore();
      const foreignEtag = await other.write({ counter: 1 }, undefined);
      await expect(store.write({ counter: 2 }, foreignEtag)).rejects.toBeInstanceOf(StateConflictError);
      await expect(store.read()).resolves.toBeUndefined();
    });

    test.each([
      ['updates from the same read', true],
      ['first writes', false],
    ])('of 8 overlapping %s exactly one wins; the others get StateConflictError', async (_label, seeded) => {
      const store = await makeStore();
      const base = seeded ? await store.write({ counter: 0 }, undefined) : undefined;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.write({ counter: 1, writer: `writer-${i}` }, base)),
      );
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [{ i, etag: o.value }] : []));
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(7);
      for (const reason of lost) expect(reason).toBeInstanceOf(StateConflictError);
      const [winner] = won;
      await expect(store.read()).resolves.toEqual({
        value: { counter: 1, writer: `writer-${winner?.i}` },
        etag: winner?.etag,
      });
    });

    test('any JSON value round-trips', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (value) => {
          const store = await makeStore<unknown>();
          const etag = await store.write(value, undefined);
          // JSON has no -0; compare with what JSON itself gives back.
          expect(await store.read()).toEqual({ value: JSON.parse(JSON.stringify(value)), etag });
        }),
        { numRuns: 15 },
      );
    });
  });
}
