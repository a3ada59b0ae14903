import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createBlobStateStore } from '../../../src/adapters/state/blob-state-store';
import { createFileStateStore } from '../../../src/adapters/state/file-state-store';
import { connectBlobService } from '../../../src/adapters/storage/blob-client';
import { StateConflictError, StateInvalidError, UsageError } from '../../../src/errors';
import {
  addSilence,
  expireSilence,
  readStoredSilences,
  withStoredSilences,
  type SilenceDocument,
} from '../../../src/pipeline/notify/silence-store';
import type { ScenarioInput } from '../../../src/emulator';
import type { StateStore } from '../../../src/ports';
import { AZURITE_ACCOUNT, azuriteConnectionString, startAzurite, type Azurite } from '../../helpers/azurite';
import { rejection } from '../../helpers/failures';
import { notifyRun, recordingLogger } from '../../helpers/notify-run';
import { gateway } from '../../helpers/scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver';

/**
 * The stored silences (`silence add`'s document) read per entry, in a folder and in a blob (Azurite):
 * a silence this version refuses (here globs an earlier release took) costs that silence alone, said
 * once per run naming its id, field and fix; the envelope is still read strictly (fail open).
 */
const WINDOW = { startsAt: '2020-01-01T00:00:00Z', endsAt: '2999-01-01T00:00:00Z' };
const OLD_CLASS = { id: 'old-class', matchers: { gateway: 'gw-[ab]' }, ...WINDOW };
const OLD_REGEX = { id: 'old-regex', matchers: { backendPool: 'pool-.+' }, ...WINDOW, extra: 1 };
const GOOD = { id: 'mw', matchers: { gateway: 'gw-*' }, ...WINDOW };
const NOT_AN_OBJECT = 'mw-3';
const bad = (address: string) => ({ address, health: 'Unhealthy', healthProbeLog: 'TCP connect error' });
const scenario: ScenarioInput = {
  gateways: [gateway('gw-a', [bad('10.0.0.4')]), gateway('gw-b', [bad('10.0.1.4')])],
};
const NOW = new Date('2026-11-30T12:00:00Z');

let azurite: Azurite;
let receiver: WebhookReceiver;
let tmp: string;
beforeAll(async () => {
  [azurite, receiver] = await Promise.all([startAzurite(), startWebhookReceiver()]);
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), receiver?.close()]);
});
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-silence-store-'));
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

let n = 0;
const kinds: [string, () => { store: StateStore<SilenceDocument>; state: Record<string, unknown> }][] = [
  [
    'folder',
    () => ({
      store: createFileStateStore<SilenceDocument>({ file: path.join(tmp, 'state', 'silences.json') }),
      state: { dir: path.join(tmp, 'state') },
    }),
  ],
  [
    'blob',
    () => {
      const container = `silences-${++n}`;
      const client = connectBlobService(
        { connectionString: azurite.connectionString },
        { httpOptions: { maxRetries: 0 } },
      );
      return {
        store: createBlobStateStore<SilenceDocument>({ client, container, blobName: 'notify/silences.json' }),
        state: { blob: { connectionString: azurite.connectionString, container } },
      };
    },
  ],
];

/** One run of both gateways with `store` as the stored silences, one JSON receiver, per-server. */
function runWithSilences(store: StateStore<SilenceDocument>, state: Record<string, unknown>) {
  return notifyRun({
    scenario,
    config: {
      sinks: {
        dir: path.join(tmp, 'out'),
        webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server' }],
      },
      state,
    },
    silences: store,
    logger: recordingLogger(),
  });
}

describe.each(kinds)('stored silences in a %s', (_, make) => {
  it('a run applies the valid ones and says each invalid one once (two gateways read it)', async () => {
    const { store, state } = make();
    await store.write({ version: 1, silences: [OLD_CLASS, GOOD, NOT_AN_OBJECT, OLD_REGEX] }, undefined);
    const from = receiver.requests.length;
    const { report } = await runWithSilences(store, state);
    expect(receiver.requests.length).toBe(from);
    expect(report.notifications?.silenced.map((s) => s.silenceIds)).toEqual([['mw'], ['mw']]);
    const errors = report.notifications?.stateErrors ?? [];
    expect(errors.map((e) => [e.code, e.document, e.retryable])).toEqual(
      Array(3).fill(['StoredSilenceInvalid', store.name, false]),
    );
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^The stored silence "old-class" \(entry 1 in .*\) is not valid, so it is not applied \(the other stored silences, if any, are\): matchers\.gateway: is not a name glob.*`appgw-insights silence expire --config FILE old-class`/,
      ),
      expect.stringMatching(
        /^The stored silence at entry 3 in .*: \(entry\): .*correct or delete it by hand/,
      ),
      expect.stringMatching(
        /^The stored silence "old-regex" \(entry 4 .*matchers\.backendPool: is not a name glob.*; \(entry\): unknown key "extra"/,
      ),
    ]);
    expect(report.ok).toBe(false);
  });

  it('a silence document that is not valid as a whole is said once for the run (two gateways read it), failed open: both gateways are notified', async () => {
    const { store, state } = make();
    await store.write({ version: 1, silences: 'not a list' } as never, undefined);
    const from = receiver.requests.length;
    const { report } = await runWithSilences(store, state);
    expect(receiver.requests.length - from).toBe(2);
    const errors = report.notifications?.stateErrors ?? [];
    expect(errors.map((e) => [e.code, e.document, e.failedOpen])).toEqual([
      ['StateInvalid', store.name, true],
    ]);
    expect(report.ok).toBe(false);
  });

  it('add and expire work beside invalid entries, keeping each as stored; expire sets an invalid one aside', async () => {
    const { store } = make();
    await store.write(
      { version: 1, silences: [OLD_CLASS, GOOD, NOT_AN_OBJECT], newer: { a: 1 } } as never,
      undefined,
    );
    const added = { id: 'mw-2', matchers: { gateway: 'x' }, ...WINDOW };
    await addSilence(store, added, NOW);
    await expect(addSilence(store, { ...added, id: 'old-class' }, NOW)).rejects.toThrow(UsageError);

    expect(await expireSilence(store, 'old-class', NOW)).toEqual({
      id: 'old-class',
      setAside: {
        setAsideAt: NOW.toISOString(),
        problems: [expect.stringMatching(/^matchers\.gateway: /)],
        silence: OLD_CLASS,
      },
    });
    expect(await expireSilence(store, 'mw', NOW)).toEqual({
      expired: { ...GOOD, expiredAt: NOW.toISOString() },
    });
    await expect(expireSilence(store, 'nope', NOW)).rejects.toThrow(/no stored silence "nope"/);
    // The follow-up commands are pasteable: the verb's --config when given, else the FILE placeholder.
    await expect(expireSilence(store, 'nope', NOW)).rejects.toThrow(
      '`appgw-insights silence list --config FILE` shows them',
    );
    await expect(expireSilence(store, 'nope', NOW, [], { file: 'my conf.json' })).rejects.toThrow(
      "`appgw-insights silence list --config 'my conf.json'` shows them",
    );
    await expect(addSilence(store, added, NOW, [], { file: 'c.json' })).rejects.toThrow(
      'choose another --id (e.g. "mw-2-2"). To replace that silence, end it with `appgw-insights silence expire --config c.json mw-2` and add the new one under another id',
    );

    const stored = (await store.read())?.value as unknown as Record<string, unknown>;
    expect(stored).toEqual({
      version: 1,
      silences: [{ ...GOOD, expiredAt: NOW.toISOString() }, NOT_AN_OBJECT, added],
      setAside: [expect.objectContaining({ silence: OLD_CLASS })],
      newer: { a: 1 },
    });
    const read = await readStoredSilences(store);
    expect(read.silences.map((s) => s.id)).toEqual(['mw', 'mw-2']);
    expect(read.invalid.map((e) => [e.entry, e.id])).toEqual([[2, undefined]]);
    // For `silence list --all`: the entry not valid still in `silences`, and the one set aside, with why and when.
    expect(read.notValid).toEqual([
      {
        id: undefined,
        entry: 2, // as its error names it
        problems: [expect.stringMatching(/^\(entry\): /)],
        stored: NOT_AN_OBJECT,
      },
    ]);
    expect(read.setAside).toEqual([
      {
        id: 'old-class',
        entry: 1,
        setAsideAt: NOW.toISOString(),
        problems: [expect.stringMatching(/^matchers\.gateway: /)],
        stored: OLD_CLASS,
      },
    ]);
    // Expiring it again: it was set aside already; nothing changes.
    expect(await expireSilence(store, 'old-class', new Date(NOW.getTime() + 60_000))).toEqual({
      id: 'old-class',
      alreadySetAside: expect.objectContaining({ id: 'old-class', setAsideAt: NOW.toISOString() }),
    });
    expect((await store.read())?.value).toEqual(stored);
  });

  it.each<[string, unknown]>([
    ['version 2', { version: 2, silences: [GOOD] }],
    ['silences not a list', { version: 1, silences: GOOD }],
    ['not an object', [GOOD]],
  ])('an envelope that is not valid (%s) fails as a whole: fail open, nothing changed', async (_, value) => {
    const { store } = make();
    await store.write(value as SilenceDocument, undefined);
    const { policy, errors } = await withStoredSilences({ silences: [] } as never, store, recordingLogger());
    expect(policy).toEqual({ silences: [] });
    expect(errors).toEqual([expect.objectContaining({ code: 'StateInvalid', document: store.name })]);
    await expect(expireSilence(store, 'mw', NOW)).rejects.toThrow(StateInvalidError);
    await expect(addSilence(store, { ...GOOD, id: 'new' }, NOW)).rejects.toThrow(StateInvalidError);
    expect((await store.read())?.value).toEqual(value);
  });
});

// A break trial: a second entry with the id "mw" was advised `silence expire mw`, which ended the valid
// "mw" too.
it('an entry whose id another entry has is told to be fixed by hand, not expired by that id', async () => {
  const store = createFileStateStore<SilenceDocument>({ file: path.join(tmp, 'silences.json') });
  await store.write({ version: 1, silences: [GOOD, { ...GOOD, endsAt: 'nope' }] } as never, undefined);
  const { invalid } = await readStoredSilences(store);
  expect(invalid.map((e) => e.message)).toEqual([
    expect.stringContaining(
      `To fix it: give it another id, or delete it, by hand in ${store.name} (README "Silences"; \`silence expire mw\` would end the other silence of that id too).`,
    ),
  ]);
  expect(invalid[0]?.message).not.toContain('appgw-insights silence expire');
});

it('the folder document is written as JSON a person can edit', async () => {
  const store = createFileStateStore<SilenceDocument>({ file: path.join(tmp, 'silences.json') });
  await store.write({ version: 1, silences: [OLD_CLASS] }, undefined);
  await expireSilence(store, 'old-class', NOW);
  expect(JSON.parse(await readFile(path.join(tmp, 'silences.json'), 'utf8')).setAside[0].silence).toEqual(
    OLD_CLASS,
  );
});

it('set-aside entries are read leniently for a listing: a hand-edited one, one not an object, one too long to list, control characters', async () => {
  const store = createFileStateStore<SilenceDocument>({ file: path.join(tmp, 'silences.json') });
  const long = { id: 'long', matchers: { gateway: 'x'.repeat(10_000) } };
  await store.write(
    {
      version: 1,
      silences: [],
      setAside: [
        { setAsideAt: 'yesterday', problems: 'none', silence: { id: 'edited' } },
        42,
        { setAsideAt: NOW.toISOString(), problems: ['a\u001b[31m', 7], silence: long },
        { setAsideAt: NOW.toISOString(), problems: Array.from({ length: 25 }, (_, i) => `p${i}`) },
      ],
    } as never,
    undefined,
  );
  const { setAside } = await readStoredSilences(store);
  expect(setAside.map((entry) => entry.entry)).toEqual([1, 2, 3, 4]);
  expect(setAside[0]).toEqual({
    id: 'edited',
    entry: 1,
    setAsideAt: undefined,
    problems: [],
    stored: { id: 'edited' },
  });
  expect(setAside[1]).toEqual({
    id: undefined,
    entry: 2,
    setAsideAt: undefined,
    problems: ['(entry): is not an object {"setAsideAt", "problems", "silence"}'],
    stored: 42,
  });
  expect(setAside[2]).toMatchObject({ id: 'long', problems: [expect.not.stringContaining('\u001b')] });
  expect(setAside[2]).not.toHaveProperty('stored');
  expect(setAside[2]?.omitted).toMatch(
    /^its JSON is \d+ characters, too long to list: it is in .*silences\.json$/,
  );
  expect(setAside[3]?.problems).toHaveLength(21);
  expect(setAside[3]?.problems[20]).toBe('… and 5 more');
});

describe('add and expire: a silence over is never stored; expire says what it can', () => {
  const file = () => createFileStateStore<SilenceDocument>({ file: path.join(tmp, 'silences.json') });

  it.each([
    ['ended before now', { startsAt: '2026-11-29T00:00:00Z', endsAt: '2026-11-30T11:00:00Z' }],
    ['ending exactly now', { startsAt: '2026-11-29T00:00:00Z', endsAt: NOW.toISOString() }],
  ])('add refuses a window %s, and stores nothing', async (_, window) => {
    const store = file();
    await expect(addSilence(store, { ...GOOD, ...window }, NOW)).rejects.toThrow(
      /--ends: the silence would end at .*, in the past \(now 2026-11-30T12:00:00.000Z\): it would never apply/,
    );
    expect(await store.read()).toBeUndefined();
  });

  // A break trial: of 20 `silence add` started together, 3 failed "Another run updated …; Read the state
  // again and retry (runs that overlap resolve this on their own)", which nothing would re-run.
  /** The file store, whose first `conflicts` writes meet another writer's (StateConflictError). */
  const contended = (conflicts: number): StateStore<SilenceDocument> => {
    const real = file();
    let met = 0;
    return {
      ...real,
      write: (value, etag) =>
        met++ < conflicts ? Promise.reject(new StateConflictError(real.name)) : real.write(value, etag),
    };
  };

  it("an add that meets other silence commands' writes 9 times in a row is still stored", async () => {
    await addSilence(contended(9), { ...GOOD, id: 'p1' }, NOW);
    expect(((await file().read())?.value.silences as { id: string }[]).map((silence) => silence.id)).toEqual([
      'p1',
    ]);
  });

  it('one that meets them every time says to run the command again, not what a run resolves', async () => {
    const error = await rejection(addSilence(contended(Infinity), { ...GOOD, id: 'p2' }, NOW));
    expect(error).toBeInstanceOf(StateConflictError);
    expect((error as Error).message).toContain(
      'Other silence commands changed the silences 10 times while this one tried to write them: run this command again.',
    );
    expect((error as Error).message).not.toContain('resolve this on their own');
    expect(await file().read()).toBeUndefined();
  });

  it('20 adds at once, each its own store (as 20 processes): every one is stored', async () => {
    const many = path.join(tmp, 'many', 'silences.json');
    const added = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        addSilence(createFileStateStore<SilenceDocument>({ file: many }), { ...GOOD, id: `p${i}` }, NOW),
      ),
    );
    expect(added.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    const stored = (await createFileStateStore<SilenceDocument>({ file: many }).read())?.value;
    expect((stored?.silences as { id: string }[]).map((silence) => silence.id).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `p${i}`).sort(),
    );
  });

  it('expire of a silence already expired, or whose window ended, says so and changes nothing', async () => {
    const store = file();
    const expired = { ...GOOD, id: 'gone', expiredAt: '2026-11-30T10:00:00.000Z' };
    const ended = { ...GOOD, id: 'ended', startsAt: '2026-11-01T00:00:00Z', endsAt: '2026-11-02T00:00:00Z' };
    await store.write({ version: 1, silences: [expired, ended] }, undefined);
    expect(await expireSilence(store, 'gone', NOW)).toMatchObject({ already: 'expired', expired });
    expect(await expireSilence(store, 'ended', NOW)).toMatchObject({ already: 'ended', expired: ended });
    expect((await store.read())?.value.silences).toEqual([expired, ended]);
    expect(await expireSilence(store, 'gone', NOW)).toMatchObject({ already: 'expired' });
  });

  it('expire of an id that is a config silence (notify.silences) says to remove it there', async () => {
    const store = file();
    const configured = [{ ...GOOD, id: 'cfg' }];
    await expect(expireSilence(store, 'cfg', NOW, configured)).rejects.toThrow(
      /"cfg" is a silence of the configuration, not a stored one: .*remove it from notify\.silences in the configuration file$/,
    );
    // Where it is set, as the verb read it: the file given, or the environment's setting.
    await expect(expireSilence(store, 'cfg', NOW, configured, { file: 'my.json' })).rejects.toThrow(
      /remove it from notify\.silences in my\.json$/,
    );
    await expect(expireSilence(store, 'cfg', NOW, configured, 'environment')).rejects.toThrow(
      /remove it from the APPGW_NOTIFY_SILENCES setting$/,
    );
    await expect(expireSilence(store, 'cfg', NOW)).rejects.toThrow(/no stored silence "cfg"/);
  });
});

// A break trial: the first Put Blob of `silence add` reached the account, its answer was lost (a 500
// OperationTimedOut in its place); the storage client's retry then met the blob that write had made,
// and the command said its own silence's id was "in force or pending: choose another --id".
describe('silence add whose write landed but whose answer was lost', () => {
  it.each([
    ['a 500 OperationTimedOut', 'timed-out'],
    ['a connection reset', 'reset'],
  ] as const)(
    'in its place (%s): the retry finds the silence it stored, and the add succeeds',
    async (_what, how) => {
      const upstream = new URL(azurite.connectionString.match(/BlobEndpoint=([^;]+)/)?.[1] ?? '');
      let puts = 0;
      /** Set once the document is there: the next Put Blob of it is stored and its answer lost. */
      let armed = false;
      const proxy = createHttpServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (c: Buffer) => chunks.push(c));
        request.on('end', () => {
          const forwarded = httpRequest(
            {
              host: upstream.hostname,
              port: upstream.port,
              method: request.method,
              path: request.url,
              headers: request.headers,
            },
            (answer) => {
              const first =
                armed && request.method === 'PUT' && /silences\.json/.test(request.url ?? '') && ++puts === 1;
              if (!first) {
                response.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(response);
                return;
              }
              answer.resume(); // stored; its answer is lost
              if (how === 'reset') response.socket?.destroy();
              else
                response
                  .writeHead(500, { 'x-ms-error-code': 'OperationTimedOut', 'content-length': '0' })
                  .end();
            },
          );
          forwarded.end(Buffer.concat(chunks));
        });
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = proxy.address() as { port: number };
        const client = connectBlobService(
          { connectionString: azuriteConnectionString(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`) },
          { httpOptions: { maxRetries: 2 } },
        );
        const store = createBlobStateStore<SilenceDocument>({
          client,
          container: `landed-${how}-${++n}`,
          blobName: 'notify/silences.json',
        });
        // A document there already: the add's write is conditional on its ETag (If-Match).
        await store.write({ version: 1, silences: [GOOD] } as never, undefined);
        armed = true;
        const added = { id: 'p4', matchers: { gateway: 'appgw-x*' }, ...WINDOW };
        await addSilence(store, added, NOW);
        expect(puts).toBeGreaterThan(1); // the retry was made, and met the blob that write made
        expect((await store.read())?.value).toEqual({ version: 1, silences: [GOOD, added] });
        // Added again by another command: still refused (a silence id is never reused).
        await expect(addSilence(store, added, NOW)).rejects.toThrow(
          /is the id of a silence in force or pending/,
        );
      } finally {
        proxy.closeAllConnections();
        await new Promise<void>((resolve) => proxy.close(() => resolve()));
      }
    },
  );
});
