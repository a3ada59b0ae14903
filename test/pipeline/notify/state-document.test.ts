import { RECOVERED_REASONS } from '../../../src/core/notice/notice';
import { StateInvalidError } from '../../../src/errors';
import {
  EMPTY_STATE,
  parseStateDocument,
  receiverOutbox,
  receiversOf,
  type NotifyStateDocument,
} from '../../../src/pipeline/notify/state-document';
import { captureError } from '../../helpers/failures';

const DOC = 'state file /var/lib/appgw/s/rg/gw.json';
const notice = {
  id: 'appgw-1',
  type: 'degraded',
  occurredAt: '2026-03-01T10:00:00.000Z',
  degradedSince: '2026-03-01T10:00:00.000Z',
  gateway: {
    id: '/subscriptions/s/resourceGroups/rg/providers/x/gw',
    name: 'gw',
    resourceGroup: 'rg',
    subscriptionId: 's',
  },
  backendPool: 'pool',
  backendSettings: 'settings',
  server: { address: '10.0.0.4', health: 'Unhealthy', probeLog: 'TCP connect error' },
  cause: { id: 'tcp-connect', title: 'TCP', steps: ['a'], docUrl: 'https://learn.microsoft.com/x' },
};
const entry = { notice, queuedAt: '2026-03-01T10:00:00.000Z', failedRuns: 0 };

describe('parseStateDocument: the state is checked on read, like the config', () => {
  it('nothing stored yet is the empty state', () => {
    expect(parseStateDocument(undefined, DOC)).toEqual(EMPTY_STATE);
  });

  it('reads a document written before dead letters existed, and keeps fields it does not know', () => {
    const doc = parseStateDocument(
      {
        version: 1,
        servers: {},
        outbox: { 'webhook[ops]': [{ ...entry, failedRuns: undefined }] },
        writer: 'newer',
      },
      DOC,
    );
    expect(doc.deadLetters).toEqual({});
    expect(doc.outbox['webhook[ops]']?.[0]).toMatchObject({ failedRuns: 0, notice: { id: 'appgw-1' } });
    expect(doc).toMatchObject({ writer: 'newer' });
  });

  // Issue 16: a record keeps its gateway's tags (what tag silences and routes match when a GET fails).
  it.each<[string, unknown, unknown]>([
    ['kept', { env: 'prod' }, { env: 'prod' }],
    ['none', {}, {}],
    ['out of ARM limits: dropped (unknown), the record kept', { env: 'x'.repeat(257) }, undefined],
    ['not an object: dropped, the record kept', 'env=prod', undefined],
  ])("a record's gateway tags: %s", (_, tags, expected) => {
    const record = {
      gateway: { ...notice.gateway, tags },
      backendPool: 'pool',
      backendSettings: 'settings',
      address: '10.0.0.4',
      badRuns: 1,
      degradedSince: '2026-03-01T10:00:00.000Z',
      health: 'Unhealthy',
      probeLog: 'x',
      cause: notice.cause,
    };
    const doc = parseStateDocument({ version: 1, servers: { k: record }, outbox: {} }, DOC);
    expect(doc.servers['k']?.gateway.tags).toEqual(expected);
    expect(doc.servers['k']?.gateway.name).toBe('gw');
  });

  it.each<[string, unknown, RegExp]>([
    ['an array', [], /\(root\): is not a JSON object/],
    ['a string', 'state', /\(root\): is not a JSON object/],
    ['null', null, /\(root\): is not a JSON object/],
    [
      'version 2 (a newer release)',
      { version: 2, servers: {}, outbox: {} },
      /version: is 2; this version reads and writes version 1 only/,
    ],
    ['no version', { servers: {}, outbox: {} }, /version: is missing/],
    [
      'an outbox entry that is a string',
      { version: 1, outbox: { 'webhook[ops]': ['appgw-1'] } },
      /outbox\.webhook\[ops\]\[0\]: must be an object/,
    ],
    ['an outbox that is a list', { version: 1, outbox: [entry] }, /outbox: must be an object/],
    [
      'a notice without an id',
      { version: 1, outbox: { x: [{ ...entry, notice: { ...notice, id: undefined } }] } },
      /outbox\.x\[0\]\.notice\.id/,
    ],
    [
      'a notice of an unknown type',
      { version: 1, outbox: { x: [{ ...entry, notice: { ...notice, type: 'exploded' } }] } },
      /notice\.type/,
    ],
    [
      'a lease without an end',
      { version: 1, outbox: { x: [{ ...entry, lease: { runId: 'r' } }] } },
      /lease\.until/,
    ],
    [
      'a queued time that is not a time',
      { version: 1, outbox: { x: [{ ...entry, queuedAt: 'yesterday' }] } },
      /queuedAt: must be an ISO 8601 date-time/,
    ],
    ['a server record that is a number', { version: 1, servers: { k: 3 } }, /servers\.k: /],
    [
      'a recovered notice whose reason is none the code gives',
      {
        version: 1,
        outbox: { x: [{ ...entry, notice: { ...notice, type: 'recovered', reason: 'flapping' } }] },
      },
      /outbox\.x\[0\]\.notice\.reason: must be one of "healthy again", /,
    ],
    [
      'a dead letter without its reason',
      { version: 1, deadLetters: { x: [{ ...entry, parkedAt: entry.queuedAt }] } },
      /deadLetters\.x\[0\]\.reason/,
    ],
  ])(
    '%s is a StateInvalidError naming the document and the field, never the empty state',
    (_label, value, issue) => {
      const error = captureError(() => parseStateDocument(value, DOC));
      expect(error).toBeInstanceOf(StateInvalidError);
      expect(error).toMatchObject({ code: 'StateInvalid', document: DOC, retryable: false });
      expect(error.message).toContain(`The notify state in ${DOC} cannot be read by this version`);
      expect(error.message).toMatch(issue);
      expect(error.message).toMatch(/left as it is.*To recover/);
    },
  );

  const recovered = (reason: string) => ({
    version: 1,
    outbox: { 'webhook[ops]': [{ ...entry, notice: { ...notice, type: 'recovered', reason } }] },
    deadLetters: {
      'webhook[ops]': [
        {
          ...entry,
          notice: { ...notice, type: 'recovered', reason },
          parkedAt: entry.queuedAt,
          reason: 'HTTP 400',
        },
      ],
    },
  });
  const reasonsIn = (doc: ReturnType<typeof parseStateDocument>) => [
    doc.outbox['webhook[ops]']?.[0]?.notice.reason,
    doc.deadLetters['webhook[ops]']?.[0]?.notice.reason,
  ];

  it.each(Object.values(RECOVERED_REASONS))(
    'a recovered notice with reason "%s" reads as it is',
    (reason) => {
      expect(reasonsIn(parseStateDocument(recovered(reason), DOC))).toEqual([reason, reason]);
    },
  );

  it.each(['Draining', 'Healthy, but slow'])(
    'the free text older releases wrote ("now %s, a state that is not reported") reads as the fixed reason',
    (health) => {
      const doc = parseStateDocument(recovered(`now ${health}, a state that is not reported`), DOC);
      expect(reasonsIn(doc)).toEqual([RECOVERED_REASONS.notReported, RECOVERED_REASONS.notReported]);
    },
  );

  it('keys from the file reach the message without control characters', () => {
    const error = captureError(() => parseStateDocument({ version: 1, outbox: { 'x\u001b[2J': 'no' } }, DOC));
    expect(error.message).not.toContain('\u001b');
  });
});

describe('receiverOutbox and receiversOf: one receiver’s queue, every receiver with notices', () => {
  const letter = { ...entry, parkedAt: entry.queuedAt, reason: 'HTTP 400' };
  const doc = parseStateDocument(
    {
      version: 1,
      outbox: { 'webhook[ops]': [entry], 'webhook[idle]': [] },
      deadLetters: { 'webhook[ops]': [letter], 'webhook[pager]': [letter] },
    },
    DOC,
  ) as NotifyStateDocument;

  it.each([
    ['waiting and parked', 'webhook[ops]', 1, 1],
    ['parked only', 'webhook[pager]', 0, 1],
    ['an empty queue', 'webhook[idle]', 0, 0],
    ['a receiver the document does not know', 'webhook[new]', 0, 0],
  ])('%s', (_label, receiver, waiting, parked) => {
    const outbox = receiverOutbox(doc, receiver);
    expect([outbox.waiting.length, outbox.parked.length]).toEqual([waiting, parked]);
  });

  it('names each receiver once, from the outbox and the dead letters', () => {
    expect(receiversOf(doc)).toEqual(['webhook[ops]', 'webhook[idle]', 'webhook[pager]']);
    expect(receiversOf(EMPTY_STATE)).toEqual([]);
  });
});

describe('parseStateDocument: the newest counted reading’s time (newestReadingAt)', () => {
  it('kept as written, absent in a document of an earlier release (unknown: the next reading counts), named when it is not a time', () => {
    expect(parseStateDocument({ version: 1, servers: {} }, 'doc').newestReadingAt).toBeUndefined();
    const doc = parseStateDocument({ version: 1, newestReadingAt: '2026-12-03T10:05:00.000Z' }, 'doc');
    expect(doc.newestReadingAt).toBe('2026-12-03T10:05:00.000Z');
    const error = captureError(() => parseStateDocument({ version: 1, newestReadingAt: 'yesterday' }, 'doc'));
    expect(error).toBeInstanceOf(StateInvalidError);
    expect((error as Error).message).toContain('newestReadingAt');
  });
});
