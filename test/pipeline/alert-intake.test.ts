import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gatewayKey } from '../../src/core/arm-id';
import {
  isAlertRefusal,
  readGatewayAlert,
  type GatewayAlert,
} from '../../src/core/alerts/common-alert-schema';
import { DeliveryError } from '../../src/errors';
import { takeGatewayAlert, type AlertMarks } from '../../src/pipeline/alert-intake';
import { readGatewayMessage } from '../../src/pipeline/fan-out';
import { createMemoryStateStores } from '../helpers/memory-state';
import { fakeClock } from '../helpers/memory/clock';
import { memoryLogger } from '../helpers/memory/logger';
import { memoryWorkQueue } from '../helpers/memory/work-queue';
import { withEdits } from '../helpers/json-edits';

/**
 * The intake's deduplication on the state store's ETag contract (the in-memory stores keep it as the
 * blob and file stores do: test/adapters/storage/contract), with a fake clock.
 */
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, '../fixtures/azure-monitor-alerts', name), 'utf8'));
const alertOf = (body: unknown): GatewayAlert => {
  const read = readGatewayAlert(body);
  if (isAlertRefusal(read)) throw new Error(read.message);
  return read;
};
const FIRED = alertOf(fixture('metric-static-fired.json'));
const RESOLVED = alertOf(fixture('metric-static-resolved.json'));
const KEY = gatewayKey(FIRED.gateways[0]?.id ?? '');
const T0 = Date.parse('2026-11-30T10:00:00Z');

function setup() {
  const queue = memoryWorkQueue('appgw-evaluate');
  const marks = createMemoryStateStores<AlertMarks>();
  const clock = fakeClock(T0);
  const logger = memoryLogger();
  return { queue, marks, clock, deps: { queue, marks, clock, logger } };
}
const take = (
  deps: ReturnType<typeof setup>['deps'],
  alert: GatewayAlert,
  runId: string,
  dedupWindowInMs = 300_000,
) => takeGatewayAlert(deps, alert, { runId, dedupWindowInMs });

describe('takeGatewayAlert', () => {
  it('queues the message discovery sends, with the trigger; the queue function reads it back whole', async () => {
    const { deps, queue } = setup();
    await take(deps, FIRED, 'alert-1');
    expect(queue.messages).toHaveLength(1);
    expect(readGatewayMessage(JSON.parse(JSON.stringify(queue.messages[0])))).toEqual(queue.messages[0]);
    // A message whose trigger was tampered with is malformed, not evaluated without it.
    expect(
      readGatewayMessage({ ...queue.messages[0], trigger: { kind: 'azure-monitor-alert' } }),
    ).toBeUndefined();
  });

  it('within the window: one evaluation per gateway and condition; past it, another; Resolved is its own condition', async () => {
    const { deps, queue, clock } = setup();
    expect((await take(deps, FIRED, 'alert-1')).queued).toHaveLength(1);
    clock.advance(299_999);
    expect(await take(deps, FIRED, 'alert-2')).toEqual({
      queued: [],
      duplicates: [
        { gateway: FIRED.gateways[0]?.id, queuedAt: new Date(T0).toISOString(), runId: 'alert-1' },
      ],
    });
    expect((await take(deps, RESOLVED, 'alert-3')).queued).toHaveLength(1);
    clock.advance(1);
    expect((await take(deps, FIRED, 'alert-4')).queued).toHaveLength(1);
    expect(queue.messages.map((m) => m.runId)).toEqual(['alert-1', 'alert-3', 'alert-4']);
  });

  it('window 0: every alert queues', async () => {
    const { deps, queue } = setup();
    await take(deps, FIRED, 'alert-1', 0);
    await take(deps, FIRED, 'alert-2', 0);
    expect(queue.messages).toHaveLength(2);
  });

  it('another alert instance of the same gateway (another pool of a split rule) is a duplicate too', async () => {
    const { deps, queue } = setup();
    await take(deps, FIRED, 'alert-1');
    const otherPool = alertOf(
      withEdits(fixture('metric-static-fired.json'), {
        'data.essentials.alertId': '/subscriptions/x/providers/Microsoft.AlertsManagement/alerts/other',
        'data.alertContext.condition.allOf.0.dimensions.0.value': 'pool-b~settings-b',
      }),
    );
    expect((await take(deps, otherPool, 'alert-2')).duplicates).toHaveLength(1);
    expect(queue.messages).toHaveLength(1);
  });

  it('two instances taking alerts of one gateway at once queue one evaluation (the ETag race)', async () => {
    const { deps, queue } = setup();
    const results = await Promise.all([take(deps, FIRED, 'alert-a'), take(deps, FIRED, 'alert-b')]);
    expect(queue.messages).toHaveLength(1);
    expect(results.flatMap((r) => r.queued)).toHaveLength(1);
    expect(results.flatMap((r) => r.duplicates)).toHaveLength(1);
  });

  it('a write that loses to another between read and write decides again from what won', async () => {
    const { deps, queue, marks } = setup();
    marks.interleave('write', KEY, () => {
      marks.plant(KEY, {
        version: 1,
        queued: { Fired: { at: new Date(T0).toISOString(), alertId: 'x', alertRule: 'r', runId: 'other' } },
      });
    });
    expect((await take(deps, FIRED, 'alert-1')).duplicates).toEqual([
      expect.objectContaining({ runId: 'other' }),
    ]);
    expect(queue.messages).toHaveLength(0);
  });

  it('the queue refuses: the error is thrown (503 upstream) and the mark put back, so the retry queues', async () => {
    const { deps, queue, marks } = setup();
    queue.failure = new DeliveryError('queue[appgw-evaluate]', 'cannot enqueue: ECONNREFUSED', {
      retryable: true,
    });
    await expect(take(deps, FIRED, 'alert-1')).rejects.toThrow(/ECONNREFUSED/);
    expect((marks.peek(KEY) as AlertMarks).queued.Fired).toBeUndefined();
    delete queue.failure;
    expect((await take(deps, FIRED, 'alert-2')).queued).toHaveLength(1);
  });

  it('the state store is down: thrown (503 upstream), nothing queued', async () => {
    const { deps, queue, marks } = setup();
    marks.fail('read', { kind: 'unavailable' });
    await expect(take(deps, FIRED, 'alert-1')).rejects.toMatchObject({ code: 'StateUnavailable' });
    expect(queue.messages).toHaveLength(0);
  });

  it('a store that fails without typing its error: the state unavailable all the same (503 upstream), nothing queued', async () => {
    const { deps, queue, marks } = setup();
    const broken = {
      ...deps,
      marks: {
        name: marks.name,
        listKeys: () => marks.listKeys(),
        forKey: (key: string) => {
          const store = marks.forKey(key);
          return {
            name: store.name,
            read: () => Promise.reject(new TypeError('a bug in the store')),
            write: (value: AlertMarks, etag?: string) => store.write(value, etag),
          };
        },
      },
    };
    await expect(
      takeGatewayAlert(broken, FIRED, { runId: 'alert-1', dedupWindowInMs: 300_000 }),
    ).rejects.toMatchObject({ code: 'StateUnavailable' });
    expect(queue.messages).toHaveLength(0);
  });

  it('a mark document that is not JSON: the alert is still taken (a mark only saves work), and it is said', async () => {
    const { deps, queue, marks } = setup();
    marks.fail('read', { kind: 'invalid' }, { key: KEY });
    await take(deps, FIRED, 'alert-1');
    expect(queue.messages).toHaveLength(1);
    expect(deps.logger.at('warn').join('\n')).toMatch(/not a dedupe mark document/);
  });

  it.each([
    ['an array', []],
    ['another version', { version: 2, queued: {} }],
    ['no queued', { version: 1 }],
  ])('a mark document of another shape (%s) is read as no marks and replaced', async (_name, planted) => {
    const { deps, queue, marks } = setup();
    marks.plant(KEY, planted);
    await take(deps, FIRED, 'alert-1');
    expect(queue.messages).toHaveLength(1);
    expect(marks.peek(KEY)).toMatchObject({ version: 1, queued: { Fired: { runId: 'alert-1' } } });
  });
});
