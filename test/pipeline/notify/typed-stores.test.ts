import { gatewayKey, gatewayRef } from '../../../src/core/arm-id';
import { gatewayFields } from '../../../src/core/run-report';
import { StateConflictError, StateInvalidError, StateUnavailableError } from '../../../src/errors';
import { silentLogger } from '../../../src/pipeline/logger';
import { listOutboxes, resendDeadLetters } from '../../../src/pipeline/notify/dead-letters';
import { notifyGateway, notifyUnvisited } from '../../../src/pipeline/notify/notify-gateways';
import { createReceiverBreakers } from '../../../src/pipeline/notify/receiver-breaker';
import type { NotifyStateDocument } from '../../../src/pipeline/notify/state-document';
import { typedStateStore, typedStateStores } from '../../../src/pipeline/notify/typed-stores';
import type { StateStore, StateStores } from '../../../src/ports';
import { rejection } from '../../helpers/failures';

/**
 * A store that breaks the port's contract: it fails with errors it does not type. The use case must
 * still report a failure of the notify state, naming the document, never `Unexpected`.
 */
const gw = gatewayRef('s', 'rg', 'gw');
const KEY = gatewayKey(gw.id);
const DOCUMENT = 'memory notify/s/rg/gw.json';
const clock = { now: () => new Date('2026-03-01T10:00:00.000Z') };
const policy = { for: 1, repeatIntervalInMs: 3_600_000 };

type Failing = 'read' | 'write' | 'listKeys';
/** Thrown by the broken store: not an error of ours. */
const UNTYPED: ReadonlyArray<readonly [string, () => unknown]> = [
  ['a TypeError', () => new TypeError("Cannot read properties of undefined (reading 'etag')")],
  ['a string', () => 'disk on fire'],
  ['an Error with a cause', () => new Error('EBADF: bad file descriptor', { cause: new Error('inner') })],
];

function brokenStores(failing: Failing, thrown: () => unknown): StateStores<NotifyStateDocument> {
  const store: StateStore<NotifyStateDocument> = {
    name: DOCUMENT,
    read: async () => {
      if (failing === 'read') throw thrown();
      return { value: { version: 1, servers: {}, outbox: {}, deadLetters: {} }, etag: '"1"' };
    },
    write: async () => {
      if (failing === 'write') throw thrown();
      return '"2"';
    },
  };
  return {
    name: 'memory notify/',
    forKey: () => store,
    listKeys: async () => {
      if (failing === 'listKeys') throw thrown();
      return [KEY];
    },
  };
}

const services = (stores: StateStores<NotifyStateDocument>) => ({
  stores,
  notifiers: [],
  logger: silentLogger,
  breakers: createReceiverBreakers(),
  outboxLimit: 10,
});

describe('typedStateStores: a failure the store does not type is StateUnavailable naming the document', () => {
  describe.each(UNTYPED)('thrown: %s', (_, thrown) => {
    it.each<[string, Failing, (s: StateStores<NotifyStateDocument>) => Promise<unknown>, string]>([
      ['read', 'read', (s) => s.forKey(KEY).read(), DOCUMENT],
      ['write', 'write', (s) => s.forKey(KEY).write({} as NotifyStateDocument, undefined), DOCUMENT],
      ['listKeys', 'listKeys', (s) => s.listKeys(), 'memory notify/'],
    ])('%s', async (action, failing, call, document) => {
      const error = await rejection(call(typedStateStores(brokenStores(failing, thrown))));
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect(error).toMatchObject({ code: 'StateUnavailable', document, retryable: true });
      expect((error as Error).message).toContain(`cannot ${action === 'listKeys' ? 'list' : action} it`);
      expect((error as Error).message).toContain('report it');
      expect((error as Error).cause).toEqual(thrown()); // kept for the logs
    });
  });

  it.each<[string, Error]>([
    ['a lost race (StateConflictError)', new StateConflictError(DOCUMENT)],
    ['an invalid document (StateInvalidError)', new StateInvalidError(DOCUMENT, ['(root): not an object'])],
    [
      'an unavailable one (StateUnavailableError)',
      new StateUnavailableError(DOCUMENT, 'x', 'y', { retryable: false }),
    ],
  ])('passes %s through unchanged', async (_, ours) => {
    const store = typedStateStore<NotifyStateDocument>({
      name: DOCUMENT,
      read: () => Promise.reject(ours),
      write: () => Promise.reject(ours),
    });
    await expect(store.read()).rejects.toBe(ours);
    await expect(store.write({} as NotifyStateDocument, undefined)).rejects.toBe(ours);
  });

  it('passes answers through unchanged', async () => {
    const stores = typedStateStores(brokenStores('listKeys', () => 'unused'));
    await expect(stores.forKey(KEY).read()).resolves.toMatchObject({ etag: '"1"' });
    await expect(stores.forKey(KEY).write({} as NotifyStateDocument, '"1"')).resolves.toBe('"2"');
  });
});

describe('through the use case: every state failure in the report is StateUnavailable with its document', () => {
  const outcome = {
    insights: [],
    listed: new Map([[`${KEY}|pool|settings|10.0.0.4`, 'Healthy']]),
    report: { ...gatewayFields(gw), ok: true, error: null, durationInMs: 0, servers: 1, findings: [] },
  };

  it.each<[string, Failing]>([
    ['reading', 'read'],
    ['writing', 'write'],
  ])('notify for a gateway evaluated, %s its document failing', async (_, failing) => {
    const result = await notifyGateway(
      services(brokenStores(failing, () => new TypeError('boom'))),
      outcome,
      gw,
      clock,
      policy,
      'run-1',
    );
    expect(result.stateErrors).toEqual([
      expect.objectContaining({ code: 'StateUnavailable', document: DOCUMENT, retryable: true }),
    ]);
  });

  it.each<[string, Failing, string]>([
    ['listing the documents', 'listKeys', 'memory notify/'],
    ['reading one', 'read', DOCUMENT],
  ])('notify for the gateways not evaluated, %s failing', async (_, failing, document) => {
    const [result] = await notifyUnvisited(
      services(brokenStores(failing, () => new TypeError('boom'))),
      { gateways: [], isGone: () => false },
      clock,
      policy,
      'run-1',
    );
    expect(result?.stateErrors).toEqual([expect.objectContaining({ code: 'StateUnavailable', document })]);
  });

  it.each<[string, Failing, string]>([
    ['listing the documents', 'listKeys', 'memory notify/'],
    ['reading one', 'read', DOCUMENT],
  ])('notify list, %s failing', async (_, failing, document) => {
    const listing = await listOutboxes(
      brokenStores(failing, () => new TypeError('boom')),
      clock,
    );
    expect(listing.errors).toEqual([expect.objectContaining({ code: 'StateUnavailable', document })]);
  });

  it.each<[string, Failing, string]>([
    ['listing the documents', 'listKeys', 'memory notify/'],
    ['reading one', 'read', DOCUMENT],
  ])('notify resend, %s failing', async (_, failing, document) => {
    const { errors } = await resendDeadLetters(
      brokenStores(failing, () => new TypeError('boom')),
      {},
    );
    expect(errors).toEqual([expect.objectContaining({ code: 'StateUnavailable', document })]);
  });

  it("a long untyped message keeps its start and its end, with the cut marker (the store's own words last)", async () => {
    const long = `Store broke: ${'the lease table answered with an unreadable row; '.repeat(20)}Restart the store host.`;
    const store = typedStateStore(brokenStores('read', () => new Error(long)).forKey(KEY));
    const error = await rejection(store.read());
    expect(error).toBeInstanceOf(StateUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain('(Error: Store broke:');
    expect(message).toContain(`[cut: ${'Error: '.length + long.length} characters in all] `);
    expect(message).toContain('Restart the store host.)');
  });
});
