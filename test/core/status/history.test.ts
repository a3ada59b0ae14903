import fc from 'fast-check';
import type { CauseId } from '../../../src/core/causes';
import { readHealth } from '../../../src/core/health';
import type { GatewayRef } from '../../../src/core/model';
import { serverKey } from '../../../src/core/notice/server-record';
import {
  addReading,
  FUTURE_TOLERANCE_IN_MS,
  futureReadings,
  HISTORY_CAPS,
  historyUntil,
  parseHistory,
  UNDELIVERED_SINKS_KEPT,
  withDeliveryOutcome,
  type GatewayReading,
  type HistoryDocument,
  type ServerReading,
  VALUE_ALPHABET,
} from '../../../src/core/status/history';

const gateway: GatewayRef = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw',
  subscriptionId: 's',
  resourceGroup: 'rg',
  name: 'gw',
};
const DAY = 86_400_000;
const WEEK = 7 * DAY;
const T0 = Date.parse('2026-11-01T00:00:00.000Z');

function server(
  address: string,
  health = 'Healthy',
  cause: CauseId | null = null,
  pool = 'pool',
): ServerReading {
  return {
    key: serverKey({ gateway, backendPool: pool, backendSettings: 'settings', address }),
    backendPool: pool,
    backendSettings: 'settings',
    address,
    health,
    state: readHealth(health),
    cause,
  };
}
const read = (atMs: number, servers: ServerReading[]): GatewayReading => ({
  at: new Date(atMs),
  ok: true,
  servers,
});
const failed = (atMs: number, code = 'BackendHealthUnavailable'): GatewayReading => ({
  at: new Date(atMs),
  ok: false,
  error: { code, message: 'ARM answered 503' },
});
const apply = (readings: GatewayReading[], retention = WEEK, writtenAt?: Date): HistoryDocument =>
  readings.reduce<HistoryDocument | undefined>(
    (doc, r) => addReading(doc, gateway, r, retention, writtenAt ?? r.at),
    undefined,
  ) as HistoryDocument;

describe('history: each run appends one reading per gateway, one sample per server', () => {
  it('records time, health as reported, normalised state and cause per server, and the last successful read', () => {
    const doc = apply([
      read(T0, [server('10.0.0.1'), server('10.0.0.2', 'Down', 'probe-timeout')]),
      read(T0 + 300_000, [server('10.0.0.1'), server('10.0.0.2', 'Healthy')]),
    ]);
    expect(doc.readings).toEqual([new Date(T0).toISOString(), new Date(T0 + 300_000).toISOString()]);
    expect(doc.outcomes).toBe('++');
    expect(doc.lastReadAt).toBe(new Date(T0 + 300_000).toISOString());
    const second = doc.servers[server('10.0.0.2').key];
    expect(second?.values).toEqual([
      ['Down', 'unhealthy', 'probe-timeout'],
      ['Healthy', 'healthy', null],
    ]);
    expect(second?.samples).toBe('01');
    expect(doc.servers[server('10.0.0.1').key]?.samples).toBe('00');
  });

  it.each([
    ['a failed read', [read(T0, [server('a')]), failed(T0 + 1)], '+!', '0.', true],
    ['a server not listed', [read(T0, [server('a')]), read(T0 + 1, [server('b')])], '++', '0.', false],
    [
      'a server added later',
      [read(T0, [server('b')]), read(T0 + 1, [server('a'), server('b')])],
      '++',
      '.0',
      false,
    ],
    [
      'a read after a failure',
      [read(T0, [server('a')]), failed(T0 + 1), read(T0 + 2, [server('a')])],
      '+!+',
      '0.0',
      false,
    ],
  ])(
    '%s: outcome per reading, "." where the server was not read',
    (_, readings, outcomes, samples, hasError) => {
      const doc = apply(readings);
      expect(doc.outcomes).toBe(outcomes);
      expect(doc.servers[server('a').key]?.samples).toBe(samples);
      expect(doc.lastError !== undefined).toBe(hasError);
    },
  );

  it('keeps the last error only while it is later than the last successful read', () => {
    const doc = apply([read(T0, [server('a')]), failed(T0 + 1, 'Throttled')]);
    expect(doc.lastError).toMatchObject({ code: 'Throttled', at: new Date(T0 + 1).toISOString() });
    expect(doc.lastReadAt).toBe(new Date(T0).toISOString());
    expect(
      apply([read(T0, [server('a')]), failed(T0 + 1), read(T0 + 2, [server('a')])]).lastError,
    ).toBeUndefined();
  });

  it('drops readings older than the retention, and servers no longer seen in it', () => {
    const doc = apply(
      [read(T0, [server('gone')]), read(T0 + DAY, [server('a')]), read(T0 + 2 * DAY + 1, [server('a')])],
      2 * DAY,
    );
    expect(doc.readings).toEqual([
      new Date(T0 + DAY).toISOString(),
      new Date(T0 + 2 * DAY + 1).toISOString(),
    ]);
    expect(Object.keys(doc.servers)).toEqual([server('a').key]);
  });

  it(`keeps at most ${HISTORY_CAPS.readings} readings (the newest)`, () => {
    let doc: HistoryDocument | undefined;
    const count = HISTORY_CAPS.readings + 10;
    for (let i = 0; i < count; i++) doc = addReading(doc, gateway, read(T0 + i * 1_000, [server('a')]), WEEK);
    expect(doc?.readings).toHaveLength(HISTORY_CAPS.readings);
    expect(doc?.readings[0]).toBe(new Date(T0 + 10_000).toISOString());
    expect(doc?.servers[server('a').key]?.samples).toHaveLength(HISTORY_CAPS.readings);
  });

  it(`keeps at most ${HISTORY_CAPS.servers} servers, those seen most recently`, () => {
    const many = Array.from({ length: HISTORY_CAPS.servers }, (_, i) => server(`10.0.${i >> 8}.${i & 255}`));
    const doc = apply([read(T0, many), read(T0 + 1, [server('new')])]);
    expect(Object.keys(doc.servers)).toHaveLength(HISTORY_CAPS.servers);
    expect(doc.servers[server('new').key]).toBeDefined();
  });

  it(`keeps at most ${HISTORY_CAPS.valuesPerServer} values per server; past it a reading takes the nearest of its state`, () => {
    // An attacker-controlled health string that changes every run cannot grow the document.
    const readings = Array.from({ length: HISTORY_CAPS.valuesPerServer + 5 }, (_, i) =>
      read(T0 + i, [server('a', `Weird-${i}`, 'other')]),
    );
    const doc = apply([...readings, read(T0 + 1_000, [server('a', 'Healthy')])]);
    const history = doc.servers[server('a').key];
    expect(history?.values).toHaveLength(HISTORY_CAPS.valuesPerServer);
    expect(history?.samples).toHaveLength(readings.length + 1);
    // Weird-* is "unrecognised": the overflow maps to an earlier unrecognised value, never to Healthy.
    const overflow = history?.samples.charAt(readings.length - 1) ?? '';
    expect(history?.values[VALUE_ALPHABET.indexOf(overflow)]?.[1]).toBe('unrecognised');
  });

  const reading = fc.record({
    offset: fc.integer({ min: 0, max: 1_000 }),
    ok: fc.boolean(),
    servers: fc.uniqueArray(
      fc.record({
        address: fc.constantFrom('a', 'b', 'c', 'd'),
        health: fc.constantFrom('Healthy', 'Unhealthy', 'Down', 'Unknown', 'Partial', 'Draining', 'Sick'),
      }),
      { selector: (s) => s.address, maxLength: 4 },
    ),
  });
  const toReading = (r: {
    offset: number;
    ok: boolean;
    servers: Array<{ address: string; health: string }>;
  }) =>
    r.ok
      ? read(
          T0 + r.offset * 60_000,
          r.servers.map((s) =>
            server(s.address, s.health, readHealth(s.health) === 'healthy' ? null : 'other'),
          ),
        )
      : failed(T0 + r.offset * 60_000);

  it('overlapping runs: readings added in any order make the same document, a reading added twice counts once', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(reading, { selector: (r) => r.offset, minLength: 1, maxLength: 12 }),
        fc.integer(),
        (readings, seed) => {
          const inOrder = [...readings].sort((a, b) => a.offset - b.offset).map(toReading);
          const shuffled = [...readings]
            .map((r, i) => ({ r, k: (i * 7919 + seed) % 101 }))
            .sort((a, b) => a.k - b.k)
            .map(({ r }) => toReading(r));
          // Written after every reading (a retried message of an earlier discovery lands late).
          const writtenAt = new Date(T0 + 1_001 * 60_000);
          const expected = normalise(apply(inOrder, 10 * DAY, writtenAt));
          expect(normalise(apply(shuffled, 10 * DAY, writtenAt))).toEqual(expected);
          expect(normalise(apply([...shuffled, ...shuffled], 10 * DAY, writtenAt))).toEqual(expected);
        },
      ),
    );
  });

  it.each<[string, GatewayReading[], string, { lastReadAt?: number; lastError?: number }]>([
    // A retried queue message of one run: every try is dated by the run's discovery (T0 + 5 min).
    [
      'a failed try, then a successful retry',
      [read(T0, [server('a')]), failed(T0 + 5), read(T0 + 5, [server('a', 'Unhealthy', 'other')])],
      '++',
      { lastReadAt: T0 + 5 },
    ],
    [
      'a successful try, then a failed retry',
      [read(T0, [server('a')]), read(T0 + 5, [server('a', 'Unhealthy', 'other')]), failed(T0 + 5)],
      '++',
      { lastReadAt: T0 + 5 },
    ],
    [
      'two failed tries',
      [read(T0, [server('a')]), failed(T0 + 5, 'Throttled'), failed(T0 + 5, 'Poisoned')],
      '+!',
      { lastReadAt: T0, lastError: T0 + 5 },
    ],
    [
      'two successful tries (the later read stands)',
      [
        read(T0, [server('a')]),
        read(T0 + 5, [server('a')]),
        read(T0 + 5, [server('a', 'Unhealthy', 'other')]),
      ],
      '++',
      { lastReadAt: T0 + 5 },
    ],
    [
      'a failed try of the only run, then a successful one',
      [failed(T0), read(T0, [server('a')])],
      '+',
      { lastReadAt: T0 },
    ],
  ])(
    'one run read again (%s) keeps one reading: a success replaces, a failure never does',
    (_, readings, outcomes, last) => {
      const doc = apply(readings);
      expect(doc.outcomes).toBe(outcomes);
      expect(doc.readings).toHaveLength(outcomes.length);
      expect(doc.lastReadAt).toBe(
        last.lastReadAt === undefined ? undefined : new Date(last.lastReadAt).toISOString(),
      );
      expect(doc.lastError?.at).toBe(
        last.lastError === undefined ? undefined : new Date(last.lastError).toISOString(),
      );
      if (last.lastError) expect(doc.lastError?.code).toBe('Throttled'); // the run's first word on it
      const final = readings.filter((r) => r.ok).at(-1);
      if (final?.ok && final.at.getTime() === T0 + 5) {
        // The server's sample at the run is the last successful try's, its values only those still used.
        const [only] = Object.values(doc.servers);
        expect(only?.values.map((v) => v[0])).toEqual(
          final.servers[0]?.health === 'Healthy' ? ['Healthy'] : ['Healthy', 'Unhealthy'],
        );
        expect(only?.samples).toBe(final.servers[0]?.health === 'Healthy' ? '00' : '01');
      }
      expect(parseHistory(JSON.parse(JSON.stringify(doc)))).toEqual({ doc });
    },
  );

  it('a server only the replaced try listed goes; one only the retry lists comes', () => {
    const doc = apply([
      read(T0, [server('a')]),
      read(T0 + 5, [server('a'), server('b')]),
      read(T0 + 5, [server('a'), server('c')]),
    ]);
    expect(Object.values(doc.servers).map((s) => [s.address, s.samples])).toEqual([
      ['a', '00'],
      ['c', '.0'],
    ]);
  });

  it('every document it makes reads back as valid, samples one per reading', () => {
    fc.assert(
      fc.property(fc.array(reading, { minLength: 1, maxLength: 12 }), (readings) => {
        const doc = apply(readings.map(toReading));
        const parsed = parseHistory(JSON.parse(JSON.stringify(doc)));
        expect(parsed).toEqual({ doc });
        for (const s of Object.values(doc.servers)) expect(s.samples).toHaveLength(doc.readings.length);
      }),
    );
  });
});

describe('history: a stored reading dated later than the run (a hand edit, a clock far off)', () => {
  const MIN = 60_000;
  const NOW = T0 + 30 * DAY;

  it("the 2030 case: the edited reading goes, every real reading and this run's stay", () => {
    const real = [1, 2, 3].map((d) => read(NOW - d * DAY, [server('a', 'Down', 'other')]));
    const stored = apply(real, WEEK, new Date(NOW));
    const edited: HistoryDocument = {
      ...stored,
      readings: [...stored.readings.slice(0, 2), '2030-01-01T00:00:00.000Z'],
      lastReadAt: '2030-01-01T00:00:00.000Z',
    };
    expect(futureReadings(edited, new Date(NOW))).toEqual(['2030-01-01T00:00:00.000Z']);
    const doc = addReading(edited, gateway, read(NOW, [server('a')]), WEEK, new Date(NOW));
    expect(doc.readings).toEqual([NOW - 3 * DAY, NOW - 2 * DAY, NOW].map((t) => new Date(t).toISOString()));
    expect(doc.lastReadAt).toBe(new Date(NOW).toISOString());
    expect(parseHistory(JSON.parse(JSON.stringify(doc)))).toEqual({ doc });
  });

  it.each([
    ['within the tolerance (clock skew): kept', FUTURE_TOLERANCE_IN_MS, true],
    ['a millisecond past it: discarded', FUTURE_TOLERANCE_IN_MS + 1, false],
  ])('a reading dated after the run %s', (_, ahead, kept) => {
    const stored = apply([read(NOW + ahead, [server('a')])], WEEK, new Date(NOW + DAY));
    const doc = addReading(stored, gateway, failed(NOW), WEEK, new Date(NOW));
    expect(doc.readings.includes(new Date(NOW + ahead).toISOString())).toBe(kept);
    expect(doc.readings).toContain(new Date(NOW).toISOString());
  });

  // A stored document as a hand edit may leave it: readings at any time (past, near and far future),
  // repeated, out of order.
  const storedDoc = fc
    .record({
      readings: fc.array(
        fc.record({
          offsetInMin: fc.oneof(
            fc.integer({ min: -12 * 24 * 60, max: 0 }),
            fc.integer({ min: 0, max: 20 }),
            fc.integer({ min: 0, max: 5_000_000 }),
          ),
          ok: fc.boolean(),
          addresses: fc.subarray(['a', 'b', 'c']),
        }),
        { minLength: 1, maxLength: 10 },
      ),
      order: fc.array(fc.nat(), { minLength: 1, maxLength: 14 }),
    })
    .map(({ readings, order }) => {
      const sorted = apply(
        readings.map((r) =>
          r.ok
            ? read(
                NOW + r.offsetInMin * MIN,
                r.addresses.map((a) => server(a, 'Down', 'other')),
              )
            : failed(NOW + r.offsetInMin * MIN),
        ),
        100 * 365 * DAY,
        new Date(NOW + 10_000 * DAY),
      );
      // Reorder and repeat readings (indices into the sorted ones), as an editor might.
      const pick = order.map((i) => i % sorted.readings.length);
      const chars = (text: string) => pick.map((i) => text.charAt(i)).join('');
      const doc: HistoryDocument = {
        ...sorted,
        readings: pick.map((i) => sorted.readings[i] as string),
        outcomes: chars(sorted.outcomes),
        servers: Object.fromEntries(
          Object.entries(sorted.servers).map(([k, v]) => [k, { ...v, samples: chars(v.samples) }]),
        ),
      };
      const parsed = parseHistory(JSON.parse(JSON.stringify(doc)));
      if (!('doc' in parsed)) throw new Error(parsed.problems.join('; '));
      return parsed.doc;
    });

  it("keeps this run's reading and every valid reading within the retention of it, in order, valid", () => {
    fc.assert(
      fc.property(storedDoc, fc.boolean(), fc.integer({ min: 0, max: 8 * DAY }), (stored, ok, retention) => {
        const at = new Date(NOW);
        const reading = ok ? read(NOW, [server('b', 'Healthy')]) : failed(NOW);
        const doc = addReading(stored, gateway, reading, retention, at);
        const atIso = at.toISOString();
        expect(doc.readings).toContain(atIso);
        const index = doc.readings.indexOf(atIso);
        const replaced = !ok && stored.readings.includes(atIso); // a failed retry replaces nothing
        if (!replaced) {
          expect(doc.outcomes.charAt(index)).toBe(ok ? '+' : '!');
          if (ok) {
            const b = Object.values(doc.servers).find((s) => s.address === 'b');
            expect(b?.values[VALUE_ALPHABET.indexOf(b.samples.charAt(index))]?.[0]).toBe('Healthy');
          }
        }
        for (const t of new Set(stored.readings)) {
          const ms = Date.parse(t);
          const valid = ms >= NOW - retention && ms <= NOW + FUTURE_TOLERANCE_IN_MS;
          expect(doc.readings.includes(t)).toBe(valid || t === atIso);
        }
        for (let i = 1; i < doc.readings.length; i++)
          expect((doc.readings[i - 1] as string) < (doc.readings[i] as string)).toBe(true);
        expect(parseHistory(JSON.parse(JSON.stringify(doc)))).toEqual({ doc });
        if (doc.lastReadAt)
          expect(Date.parse(doc.lastReadAt)).toBeLessThanOrEqual(NOW + FUTURE_TOLERANCE_IN_MS);
      }),
    );
  });
});

/** Values' order is first-seen order, which depends on arrival: compare what each reading says. */
function normalise(doc: HistoryDocument) {
  return {
    ...doc,
    servers: Object.fromEntries(
      Object.entries(doc.servers).map(([key, s]) => [
        key,
        [...s.samples].map((c) => (c === '.' ? null : s.values[VALUE_ALPHABET.indexOf(c)])),
      ]),
    ),
  };
}

describe('parseHistory: a stored document is untrusted', () => {
  const good = JSON.parse(
    JSON.stringify(apply([read(T0, [server('a', 'Down', 'probe-timeout')]), failed(T0 + 1)])),
  ) as Record<string, unknown>;
  const serverOf = (doc: Record<string, unknown>) =>
    Object.values(doc['servers'] as Record<string, Record<string, unknown>>)[0] as Record<string, unknown>;

  it('reads what addReading wrote', () => {
    expect('doc' in parseHistory(good)).toBe(true);
  });

  it.each<[string, (doc: Record<string, unknown>) => void, RegExp]>([
    ['not an object', (d) => Object.keys(d).forEach((k) => delete d[k]), /version/],
    ['a newer version', (d) => (d['version'] = 2), /"version" is 2/],
    ['a gateway without a name', (d) => delete (d['gateway'] as Record<string, unknown>)['name'], /gateway/],
    ['a reading that is not a time', (d) => ((d['readings'] as string[])[0] = 'yesterday'), /readings/],
    ['outcomes of another length', (d) => (d['outcomes'] = '+'), /outcomes/],
    ['an outcome that is not + or !', (d) => (d['outcomes'] = '+?'), /outcomes/],
    ['samples of another length', (d) => (serverOf(d)['samples'] = '0'), /samples/],
    ['a sample naming no value', (d) => (serverOf(d)['samples'] = '5.'), /names a value/],
    [
      "a state that is not the health's",
      (d) => (serverOf(d)['values'] = [['Down', 'healthy', null]]),
      /values/,
    ],
    [
      'a cause id we do not know',
      (d) => (serverOf(d)['values'] = [['Down', 'unhealthy', 'gremlins']]),
      /values/,
    ],
    [
      'a lastError without a code',
      (d) => (d['lastError'] = { at: new Date(T0).toISOString(), message: 'x' }),
      /lastError/,
    ],
  ])('refuses %s, naming the field', (_, spoil, problem) => {
    const doc = structuredClone(good);
    spoil(doc);
    const parsed = parseHistory(doc);
    expect('problems' in parsed && parsed.problems.join('; ')).toMatch(problem);
  });

  it.each([null, [], 'text', 1])('refuses %j', (value) => {
    expect(parseHistory(value)).toEqual({ problems: expect.any(Array) });
  });
});

describe('history: a reading that lacked routed pools (lastReadIncomplete)', () => {
  const short = (atMs: number, pools: string[]): GatewayReading => ({
    at: new Date(atMs),
    ok: true,
    servers: [server('10.0.0.4')],
    poolsNotRead: pools,
  });

  it('is kept with the last successful reading, and forgotten once a reading lists every routed pool', () => {
    const incomplete = apply([read(T0, [server('10.0.0.4')]), short(T0 + 1_000, ['pool-b'])]);
    expect(incomplete.lastReadIncomplete).toEqual({
      at: new Date(T0 + 1_000).toISOString(),
      pools: ['pool-b'],
    });
    // A failed read after it leaves it with the reading it belongs to.
    const thenFailed = addReading(incomplete, gateway, failed(T0 + 2_000), WEEK);
    expect(thenFailed.lastReadIncomplete).toEqual(incomplete.lastReadIncomplete);
    const whole = addReading(thenFailed, gateway, read(T0 + 3_000, [server('10.0.0.4')]), WEEK);
    expect(whole.lastReadIncomplete).toBeUndefined();
  });

  it('an older reading added late (a queue retry) does not take it from the latest', () => {
    const latest = apply([short(T0 + 5_000, ['pool-b'])]);
    const withOlder = addReading(latest, gateway, read(T0 + 1_000, [server('10.0.0.4')]), WEEK);
    expect(withOlder.lastReadIncomplete?.pools).toEqual(['pool-b']);
  });

  it('reads back as written, and a document with a broken one is refused', () => {
    const doc = apply([short(T0, ['pool-b', 'pool-c'])]);
    expect(parseHistory(JSON.parse(JSON.stringify(doc)))).toEqual({ doc });
    for (const broken of [
      { at: 'yesterday', pools: [] },
      { at: doc.readings[0], pools: 'pool-b' },
      { at: doc.readings[0], pools: [7] },
    ])
      expect(parseHistory({ ...JSON.parse(JSON.stringify(doc)), lastReadIncomplete: broken })).toEqual({
        problems: ['"lastReadIncomplete" is not {at, pools: [names]}'],
      });
  });
});

describe('history: a reading whose insights did not reach a sink (undelivered)', () => {
  const refused = [{ sink: 'folder', message: 'refused: runbook.md is not one of ours' }];
  const undeliveredRead = (atMs: number, sinks = refused): GatewayReading => ({
    at: new Date(atMs),
    ok: true,
    servers: [server('10.0.0.4', 'Unhealthy', 'tcp-connect')],
    undelivered: sinks,
  });

  it('is kept with the last successful reading, and forgotten once a reading is delivered everywhere', () => {
    const doc = apply([read(T0, [server('10.0.0.4')]), undeliveredRead(T0 + 1_000)]);
    expect(doc.undelivered).toEqual({ at: new Date(T0 + 1_000).toISOString(), sinks: refused });
    // A failed read after it: the links shown are still that reading's.
    const thenFailed = addReading(doc, gateway, failed(T0 + 2_000), WEEK);
    expect(thenFailed.undelivered).toEqual(doc.undelivered);
    expect(historyUntil(thenFailed, T0 + 5_000).undelivered).toEqual(doc.undelivered);
    const delivered = addReading(thenFailed, gateway, undeliveredRead(T0 + 3_000, []), WEEK);
    expect(delivered.undelivered).toBeUndefined();
    // Cut back to before it (the page's time): not that reading's any more.
    expect(historyUntil(doc, T0 + 500).undelivered).toBeUndefined();
  });

  it('an older reading added late does not take it from the latest, nor bring its own', () => {
    const latest = apply([undeliveredRead(T0 + 5_000)]);
    expect(addReading(latest, gateway, read(T0 + 1_000, [server('10.0.0.4')]), WEEK).undelivered).toEqual(
      latest.undelivered,
    );
    const delivered = apply([read(T0 + 5_000, [server('10.0.0.4')])]);
    expect(addReading(delivered, gateway, undeliveredRead(T0 + 1_000), WEEK).undelivered).toBeUndefined();
  });

  it('the same reading tried again and delivered everywhere: the mark goes', () => {
    const doc = apply([undeliveredRead(T0)]);
    expect(addReading(doc, gateway, undeliveredRead(T0, []), WEEK).undelivered).toBeUndefined();
  });

  it('withDeliveryOutcome marks the last successful reading only, the latest delivery replacing it, capped', () => {
    const doc = apply([read(T0, [server('10.0.0.4')])]);
    const at = new Date(T0).toISOString();
    const marked = withDeliveryOutcome(doc, at, refused);
    expect(marked.undelivered).toEqual({ at, sinks: refused });
    // A later try's delivery goes to every sink: what it says replaces the mark.
    const again = withDeliveryOutcome(marked, at, [{ sink: 'blob', message: 'HTTP 503' }]);
    expect(again.undelivered?.sinks).toEqual([{ sink: 'blob', message: 'HTTP 503' }]);
    // Delivered everywhere: the mark goes; with none, nothing changes.
    expect(withDeliveryOutcome(again, at, [])).not.toHaveProperty('undelivered');
    expect(withDeliveryOutcome(doc, at, [])).toBe(doc);
    // A reading not the last successful one (a newer one since): unchanged.
    expect(withDeliveryOutcome(doc, new Date(T0 - 1_000).toISOString(), refused)).toBe(doc);
    expect(withDeliveryOutcome(marked, new Date(T0 - 1_000).toISOString(), [])).toBe(marked);
    const many = Array.from({ length: UNDELIVERED_SINKS_KEPT + 5 }, (_, i) => ({
      sink: `sink-${i}\n${'x'.repeat(1_000)}`,
      message: `m\n${'y'.repeat(10_000)}`,
    }));
    const capped = withDeliveryOutcome(doc, at, many).undelivered?.sinks ?? [];
    expect(capped).toHaveLength(UNDELIVERED_SINKS_KEPT);
    for (const s of capped) {
      expect(s.sink.length).toBeLessThanOrEqual(2 * 256);
      expect(s.message.length).toBeLessThanOrEqual(500);
      expect(s.message).not.toContain('\n');
    }
    expect(parseHistory(JSON.parse(JSON.stringify(withDeliveryOutcome(doc, at, many))))).toHaveProperty(
      'doc',
    );
  });

  // A break trial: a queue try recorded the reading again before delivering it, wiping the mark the
  // try before had left; the try then died, and the page linked to copies never written, unsaid.
  it('the same reading recorded again before its delivery (undelivered not known) keeps the mark; known, replaces it', () => {
    const doc = apply([undeliveredRead(T0)]);
    const again = { ...undeliveredRead(T0) } as GatewayReading & { undelivered?: unknown };
    delete again.undelivered;
    expect(addReading(doc, gateway, again, WEEK).undelivered).toEqual(doc.undelivered);
    expect(addReading(doc, gateway, undeliveredRead(T0, []), WEEK).undelivered).toBeUndefined();
  });

  // A second trial: the queue function records the next run's reading before delivering it; a try that
  // died between the two left the gateway unmarked, its folder still refusing, the page taking its links
  // for good.
  it("a newer reading not known yet carries the last one's mark, until its delivery says; a known one does not", () => {
    const doc = apply([undeliveredRead(T0)]);
    const newer = read(T0 + 1_000, [server('10.0.0.4')]);
    const carried = addReading(doc, gateway, newer, WEEK);
    expect(carried.undelivered).toEqual({ at: new Date(T0 + 1_000).toISOString(), sinks: refused });
    expect(withDeliveryOutcome(carried, new Date(T0 + 1_000).toISOString(), []).undelivered).toBeUndefined();
    expect(addReading(doc, gateway, undeliveredRead(T0 + 1_000, []), WEEK).undelivered).toBeUndefined();
    // Nothing to carry from a reading delivered everywhere.
    const fine = apply([undeliveredRead(T0, [])]);
    expect(addReading(fine, gateway, newer, WEEK).undelivered).toBeUndefined();
    // A failed read after it keeps the mark where it is (the links shown are that reading's).
    expect(addReading(doc, gateway, failed(T0 + 1_000), WEEK).undelivered).toEqual(doc.undelivered);
  });

  it('reads back as written, and a document with a broken one is refused', () => {
    const doc = apply([undeliveredRead(T0)]);
    expect(parseHistory(JSON.parse(JSON.stringify(doc)))).toEqual({ doc });
    for (const broken of [
      { at: 'yesterday', sinks: [] },
      { at: doc.readings[0], sinks: 'folder' },
      { at: doc.readings[0], sinks: [{ sink: 'folder' }] },
      { at: doc.readings[0], sinks: [{ sink: 7, message: 'x' }] },
      { at: doc.readings[0], sinks: [{ sink: 'folder', message: 'x'.repeat(5_000) }] },
      { at: doc.readings[0], sinks: Array.from({ length: 9 }, () => ({ sink: 'a', message: 'b' })) },
    ])
      expect(parseHistory({ ...JSON.parse(JSON.stringify(doc)), undelivered: broken })).toEqual({
        problems: [
          '"undelivered" is not {at, sinks: [{sink, message}]} (at most 8 sinks, each message at most 1000 characters)',
        ],
      });
  });
});
