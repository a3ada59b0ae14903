import fc from 'fast-check';
import { gatewayKey } from '../../../src/core/arm-id';
import { joinPieces } from '../../../src/core/piece-text';
import type { HistoryDocument } from '../../../src/core/status/history';
import { ScratchUnavailableError } from '../../../src/errors';
import { renderStatusPage } from '../../../src/insight/status/status-page';
import { statusView, type StatusRunContext } from '../../../src/insight/status/status-view';
import { memoryScratch } from '../../../src/pipeline/memory-scratch';
import { createSpool } from '../../../src/pipeline/spool';
import { buildStatusPage, writtenHistories } from '../../../src/pipeline/status/build-status-page';
import type { Scratch } from '../../../src/ports';
import { memoryLogger } from '../../helpers/memory';
import { memoryStateForRuns } from '../../helpers/memory/state-for-runs';
import { historiesArb, PAGE_AT, WEEK } from '../../helpers/status-histories';

/**
 * A scratch whose files fail: `make` (none can be made), `append` (after `after` texts), `read` (every
 * read back).
 */
function failingScratch(how: 'make' | 'append' | 'read', after = 0): Scratch {
  const inner = memoryScratch();
  const refuse = () => new ScratchUnavailableError('/tmp/scratch/0.txt', 'cannot write it: ENOSPC');
  return {
    dispose: () => inner.dispose(),
    async file() {
      if (how === 'make') throw refuse();
      const file = await inner.file();
      let appended = 0;
      return {
        append: async (text) => {
          if (how === 'append' && appended++ >= after) throw refuse();
          return file.append(text);
        },
        read: async (place) => {
          if (how === 'read') throw refuse();
          return file.read(place);
        },
        readSync: (place) => {
          if (how === 'read') throw refuse();
          return file.readSync(place);
        },
      };
    },
  };
}

const NOW = new Date(PAGE_AT);

/** The page of `written` (this run's) and `others` (in the store) made one gateway at a time. */
async function spooledPage(
  scratch: Scratch,
  written: readonly HistoryDocument[],
  others: readonly HistoryDocument[],
  context: { runStartedAt: Date; run: StatusRunContext; withoutHistory: string[] },
) {
  const logger = memoryLogger();
  const history = memoryStateForRuns<HistoryDocument>('memory history');
  for (const doc of others)
    history.documents.set(gatewayKey(doc.gateway.id), { text: JSON.stringify(doc), etag: '"1"' });
  const shelf = writtenHistories(createSpool(scratch, logger, 'status page histories'));
  for (const doc of written) await shelf.add(gatewayKey(doc.gateway.id), doc);
  const built = await buildStatusPage(
    { history, retentionInMs: WEEK, logger },
    { now: NOW, written: shelf, scratch, ...context },
  );
  return { built, logger, html: built.page ? await joinPieces(built.page) : undefined };
}

describe('status page of a direct run, made one gateway at a time from its scratch', () => {
  it('is the same bytes as the page of every history at once, whatever the histories and the run', async () => {
    await fc.assert(
      fc.asyncProperty(
        historiesArb,
        fc.nat(),
        fc.integer({ min: 0, max: 3 * 24 * 60 }),
        fc.boolean(),
        fc.boolean(),
        async (docs, at, runMinutes, interrupted, failedTarget) => {
          const split = docs.length === 0 ? 0 : at % (docs.length + 1);
          const [written, others] = [docs.slice(0, split), docs.slice(split)];
          const run: StatusRunContext = {
            ...(interrupted
              ? {
                  interrupted: {
                    message: 'stopped <by> SIGINT',
                    notDone: others.slice(0, 1).map((d) => d.gateway.id),
                  },
                }
              : {}),
            failedTargets: failedTarget
              ? [
                  {
                    id: '/subscriptions/11111111-1111-1111-1111-111111111111',
                    error: { code: 'X', message: 'no <list>' },
                  },
                ]
              : [],
          };
          const context = {
            runStartedAt: new Date(PAGE_AT - runMinutes * 60_000),
            run,
            withoutHistory: written.slice(0, 1).map((d) => d.gateway.name),
          };
          const expected = renderStatusPage(
            statusView({
              now: NOW,
              runStartedAt: context.runStartedAt,
              retentionInMs: WEEK,
              histories: docs,
              run,
              historyProblems: { withoutHistory: context.withoutHistory, unreadable: [] },
            }),
          );
          // In memory, and when the scratch fails from the start or part way (kept in memory from then).
          for (const scratch of [
            memoryScratch(),
            failingScratch('make'),
            failingScratch('append', Math.floor(written.length / 2)),
          ]) {
            const { html, built } = await spooledPage(scratch, written, others, context);
            expect(built.errors).toEqual([]);
            expect(html).toBe(expected);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('says once in the log that a failing scratch keeps the rest of every file in memory', async () => {
    const docs = fc.sample(
      historiesArb.filter((d) => d.length >= 3),
      { numRuns: 1, seed: 7 },
    )[0]!;
    const { logger, html } = await spooledPage(failingScratch('append', 1), docs, [], {
      runStartedAt: new Date(PAGE_AT - 60_000),
      run: {},
      withoutHistory: [],
    });
    expect(html).toContain('<!doctype html>');
    const warned = logger.at('warn').filter((m) => m.includes('ENOSPC'));
    // Once per scratch (one cause), though both the histories' and the sections' files went to memory.
    expect(warned).toEqual([
      expect.stringMatching(
        /^status page histories: .*ENOSPC.* It, and everything else this run keeps in its temporary files, is kept in memory for the rest of this run/,
      ),
    ]);
  });

  it('a scratch that cannot be read back: no page, and the failure reported for index.html', async () => {
    const docs = fc.sample(
      historiesArb.filter((d) => d.length >= 1),
      { numRuns: 1, seed: 3 },
    )[0]!;
    const { built, html, logger } = await spooledPage(failingScratch('read'), docs, [], {
      runStartedAt: new Date(PAGE_AT - 60_000),
      run: {},
      withoutHistory: [],
    });
    expect(html).toBeUndefined();
    expect(built.errors).toEqual([
      expect.objectContaining({ code: 'ScratchUnavailable', sink: 'status page', document: 'index.html' }),
    ]);
    expect(logger.at('error')).toEqual([expect.stringContaining('ENOSPC')]);
  });
});
