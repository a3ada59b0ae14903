import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { createTempScratch } from '../../src/adapters/files/temp-scratch';
import { jsonChunks } from '../../src/core/json-chunks';
import type { GatewayReport } from '../../src/core/run-report';
import { isScratchUnavailableError, ScratchUnavailableError } from '../../src/errors';
import { silentLogger } from '../../src/pipeline/logger';
import { memoryScratch } from '../../src/pipeline/memory-scratch';
import { createReportEntries, spooledArray } from '../../src/pipeline/report-entries';
import { runChecks } from '../../src/pipeline/run-checks';
import { createSpool } from '../../src/pipeline/spool';
import type { Scratch } from '../../src/ports';
import { gatewayNamed, memoryRun } from '../helpers/memory';

/** A report entry of gateway `name`, with `findings` findings (their content beside the point here). */
function entry(name: string, findings = 0): GatewayReport {
  const ref = gatewayNamed(name, 'rg-web');
  return {
    id: ref.id,
    name: ref.name,
    subscriptionId: ref.subscriptionId,
    resourceGroup: ref.resourceGroup,
    ok: findings % 2 === 0,
    error: findings % 2 === 0 ? null : { code: 'Throttled', message: `“${name}” ✓ \u0000`, retryable: true },
    durationInMs: findings * 10,
    servers: findings + 1,
    findings: Array.from({ length: findings }, (_, i) => ({ address: `10.0.0.${i}` }) as never),
  };
}

/** `items` read through a spooledArray over their JSON texts, counting the reads. */
function spooled<T>(items: readonly T[]) {
  const texts = items.map((item) => JSON.stringify(item));
  const reads: number[] = [];
  const array = spooledArray(
    texts.map((_, i) => i),
    (i) => {
      reads.push(i);
      return JSON.parse(texts[i] as string) as T;
    },
  );
  return { array, reads };
}

describe('spooledArray: a read-only array whose items are read when asked for', () => {
  const names = ['gw-a', 'gw-b', 'gw-c', 'gw-d'];
  const plain = names.map((name, i) => entry(name, i));

  it.each([
    ['Array.isArray', (a: readonly GatewayReport[]) => Array.isArray(a)],
    ['length', (a: readonly GatewayReport[]) => a.length],
    ['an item', (a: readonly GatewayReport[]) => a[2]],
    ['past the end', (a: readonly GatewayReport[]) => a[4]],
    [
      'a key that is no index ("01")',
      (a: readonly GatewayReport[]) => (a as unknown as Record<string, unknown>)['01'],
    ],
    ['iteration', (a: readonly GatewayReport[]) => [...a]],
    ['map', (a: readonly GatewayReport[]) => a.map((g) => g.name)],
    ['filter', (a: readonly GatewayReport[]) => a.filter((g) => !g.ok).map((g) => g.id)],
    ['reduce', (a: readonly GatewayReport[]) => a.reduce((n, g) => n + g.servers, 0)],
    ['every / some', (a: readonly GatewayReport[]) => [a.every((g) => g.ok), a.some((g) => g.ok)]],
    ['flatMap', (a: readonly GatewayReport[]) => a.flatMap((g) => g.findings)],
    ['find', (a: readonly GatewayReport[]) => a.find((g) => g.name === 'gw-c')],
    ['slice', (a: readonly GatewayReport[]) => a.slice(1, 3)],
    ['entries', (a: readonly GatewayReport[]) => [...a.entries()]],
    ['Object.keys', (a: readonly GatewayReport[]) => Object.keys(a)],
    ['Object.entries', (a: readonly GatewayReport[]) => Object.entries(a)],
    ['in', (a: readonly GatewayReport[]) => [0 in a, 3 in a, 4 in a]],
    ['spread into an object', (a: readonly GatewayReport[]) => ({ ...{ gateways: a } }).gateways.length],
    ['JSON.stringify', (a: readonly GatewayReport[]) => JSON.stringify({ gateways: a }, null, 2)],
    [
      'util.inspect (console.log, the tests that look for secrets)',
      (a: readonly GatewayReport[]) => inspect(a, { depth: 12 }),
    ],
    [
      'util.inspect inside a report',
      (a: readonly GatewayReport[]) => inspect({ gateways: a }, { depth: 12 }),
    ],
    [
      'jsonChunks (report.json, --json)',
      (a: readonly GatewayReport[]) => [...jsonChunks({ gateways: a })].join(''),
    ],
  ])('%s: as the array itself', (_, look) => {
    expect(look(spooled(plain).array)).toEqual(look(plain));
  });

  it('any items, any way of reading them: the same as the array (property)', () => {
    const item = fc.record({
      name: fc.string(),
      n: fc.integer(),
      tags: fc.array(fc.string(), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 30 }), fc.nat(40), (items, index) => {
        const { array } = spooled(items);
        expect(array).toEqual(items);
        expect(array[index]).toEqual(items[index]);
        expect(JSON.stringify(array)).toBe(JSON.stringify(items));
        expect([...jsonChunks(array)].join('')).toBe(JSON.stringify(items, null, 2));
      }),
    );
  });

  it('reads nothing until asked, each item once per pass, and keeps one item at most', () => {
    const { array, reads } = spooled(plain);
    expect(reads).toEqual([]);
    expect(array.length).toBe(4);
    expect(reads).toEqual([]);
    array.map((g) => g.name);
    expect(reads).toEqual([0, 1, 2, 3]);
    reads.length = 0;
    // Asked twice in a row (a reader's `a[i]` then `a[i].x`): read once.
    expect(array[1]?.name).toBe(array[1]?.name);
    expect(reads).toEqual([1]);
    // The items are read afresh: equal, not the same object, so none is kept by the array.
    expect(array[0]).toEqual(array[0 + 0]);
    const first = array[0];
    void array[1];
    expect(array[0]).not.toBe(first);
  });

  it.each([
    ['an item', (a: GatewayReport[]) => (a[0] = entry('x'))],
    ['length', (a: GatewayReport[]) => (a.length = 0)],
    ['push', (a: GatewayReport[]) => a.push(entry('x'))],
    ['delete', (a: GatewayReport[]) => delete a[0]],
    ['sort', (a: GatewayReport[]) => a.sort()],
  ])('cannot be changed: %s throws a TypeError, and the items stay', (_, change) => {
    const { array } = spooled(plain);
    expect(() => change(array as GatewayReport[])).toThrow(TypeError);
    expect(array).toEqual(plain);
  });

  it('an item that cannot be read: its reader gets the error', () => {
    const array = spooledArray([0, 1], (i) => {
      if (i === 1) throw new ScratchUnavailableError('/tmp/x/0.txt', 'cannot read it: EIO');
      return 'ok';
    });
    expect(array[0]).toBe('ok');
    expect(() => array.map((x) => x)).toThrow(/cannot read it: EIO/);
  });
});

describe('report entries in a run’s temporary files (createReportEntries)', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 'appgw-report-entries-'));
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('kept in the file as each is added, read back in the order asked for, gone with the scratch', async () => {
    const scratch = createTempScratch({ parent });
    const entries = createReportEntries(createSpool(scratch, silentLogger, 'entries'));
    const added = [entry('gw-c', 2), entry('gw-a', 0), entry('gw-b', 1)];
    // Added out of order, at once (gateways end in any order).
    const kept = await Promise.all(added.map((e) => entries.add(e)));
    expect(kept.every((k) => 'offset' in k)).toBe(true); // in the file, not in memory
    const gateways = entries.view([kept[1]!, kept[2]!, kept[0]!]);
    expect(gateways).toEqual([added[1], added[2], added[0]]);
    expect(gateways[2]).toEqual(added[0]);
    await scratch.dispose();
    let error: unknown;
    try {
      void gateways[1];
    } catch (e) {
      error = e;
    }
    expect(isScratchUnavailableError(error)).toBe(true);
    expect((error as Error).message).toMatch(/cannot read it/);
  });

  it('a file that cannot be written: the entries are kept in memory, said once, none lost', async () => {
    const warnings: string[] = [];
    const full: Scratch = {
      dispose: async () => undefined,
      async file() {
        return {
          append: async () => {
            throw new ScratchUnavailableError('/tmp/x/0.txt', 'cannot write it: ENOSPC');
          },
          read: async () => '',
          readSync: () => '',
        };
      },
    };
    const logger = { ...silentLogger, warn: (m: string) => warnings.push(m) };
    const entries = createReportEntries(createSpool(full, logger, "the report's gateway entries"));
    const added = [entry('gw-a', 1), entry('gw-b', 0)];
    const kept = [];
    for (const e of added) kept.push(await entries.add(e));
    expect(entries.view(kept)).toEqual(added);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^the report's gateway entries: .*ENOSPC.* kept in memory for the rest of this run/,
      ),
    ]);
  });
});

describe('runChecks keeps its gateways’ report entries in its scratch', () => {
  /** A memory scratch that counts the texts appended and whether it was disposed. */
  function watchedScratch() {
    const inner = memoryScratch();
    const seen = { appended: [] as string[], disposed: 0 };
    const scratch: Scratch = {
      async file() {
        const file = await inner.file();
        return {
          append: (text) => {
            seen.appended.push(text);
            return file.append(text);
          },
          read: (place) => file.read(place),
          readSync: (place) => file.readSync(place),
        };
      },
      dispose: async () => {
        seen.disposed += 1;
      },
    };
    return { scratch, seen };
  }

  it('each entry written as its gateway is done; the report reads them until the outcome is disposed', async () => {
    const { scratch, seen } = watchedScratch();
    const bad = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
    const r = memoryRun({
      gateways: [
        { ref: gatewayNamed('gw-a', 'rg-web'), servers: [bad] },
        { ref: gatewayNamed('gw-b', 'rg-web'), servers: [{ address: '10.0.0.5', health: 'Healthy' }] },
      ],
    });
    // When a gateway is said done, its entry is in the scratch already (not held until the run's end).
    const entriesWhenDone: number[] = [];
    const entryTexts = () => seen.appended.filter((t) => t.startsWith('{"id":'));
    const outcome = await runChecks(
      {
        ...r.deps,
        scratch: () => scratch,
        progress: {
          started: () => {},
          gatewayDone: () => entriesWhenDone.push(entryTexts().length),
          finished: () => {},
        },
      },
      { ...r.options, runId: 'run-1' },
    );
    // Gateways end at once: by the i-th one said done, at least i entries are written.
    expect(entriesWhenDone).toHaveLength(2);
    entriesWhenDone.forEach((written, i) => expect(written).toBeGreaterThanOrEqual(i + 1));
    expect(
      entryTexts()
        .map((t) => (JSON.parse(t) as GatewayReport).name)
        .sort(),
    ).toEqual(['gw-a', 'gw-b']);
    expect(seen.disposed).toBe(0);
    expect(outcome.report.gateways.map((g) => [g.name, g.findings.length])).toEqual([
      ['gw-a', 1],
      ['gw-b', 0],
    ]);
    // What the sinks got as report.json is the same report.
    const delivered = r.sinks[0]!.deliveries.at(-1)!;
    expect(JSON.stringify(delivered.report.gateways)).toBe(JSON.stringify(outcome.report.gateways));
    await outcome.dispose();
    expect(seen.disposed).toBe(1);
  });

  it('entries that cannot be read back at the end: the run fails with ScratchUnavailable, its gateways delivered', async () => {
    const inner = memoryScratch();
    let disposed = 0;
    const unreadable: Scratch = {
      async file() {
        const file = await inner.file();
        return {
          append: (text) => file.append(text),
          read: (place) => file.read(place),
          readSync: () => {
            throw new ScratchUnavailableError('/tmp/appgw-insights-run-x/1.txt', 'cannot read it: EIO');
          },
        };
      },
      dispose: async () => {
        disposed += 1;
      },
    };
    const r = memoryRun({ gateways: [{ ref: gatewayNamed('gw-a', 'rg-web'), servers: [] }] });
    const error = await runChecks(
      { ...r.deps, scratch: () => unreadable },
      { ...r.options, runId: 'run-1' },
    ).catch((e: unknown) => e);
    expect(isScratchUnavailableError(error)).toBe(true);
    expect((error as Error).message).toMatch(/appgw-insights-run-x\/1\.txt.*cannot read it: EIO.*TMPDIR/);
    // The gateway went to every sink as it was done; its temporary files are gone.
    for (const sink of r.sinks) expect(sink.deliveries.map((d) => d.scope)).toEqual(['gateway']);
    expect(disposed).toBe(1);
  });

  it('a report printed (util.inspect) shows its gateways, so what a gateway holds is seen', async () => {
    const bad = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error 7c1e' };
    const r = memoryRun({ gateways: [{ ref: gatewayNamed('gw-a', 'rg-web'), servers: [bad] }] });
    const { report } = await runChecks(r.deps, { ...r.options, runId: 'run-1' });
    expect(inspect(report, { depth: 12 })).toContain('TCP connect error 7c1e');
    expect(inspect(report, { depth: 12 })).not.toMatch(/offset: \d/);
  });

  it('a run that throws disposes its scratch itself', async () => {
    const { scratch, seen } = watchedScratch();
    const r = memoryRun({ gateways: [{ ref: gatewayNamed('gw-a', 'rg-web'), servers: [] }] });
    const failing = {
      ...r.deps,
      scratch: () => scratch,
      // A bug past the scratch's making (progress must not throw: this one does).
      progress: {
        started: () => {
          throw new Error('boom');
        },
        gatewayDone: () => {},
        finished: () => {},
      },
    };
    await expect(runChecks(failing, { ...r.options, runId: 'run-1' })).rejects.toThrow('boom');
    expect(seen.disposed).toBe(1);
  });
});
