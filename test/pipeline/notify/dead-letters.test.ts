import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileStateStores } from '../../../src/adapters/state/keyed-state-stores';
import { gatewayKey } from '../../../src/core/arm-id';
import type { DeadLetter, QueuedNotice } from '../../../src/core/notice/outbox';
import { listOutboxes, resendDeadLetters } from '../../../src/pipeline/notify/dead-letters';
import type { NotifyStateDocument } from '../../../src/pipeline/notify/state-document';
import { sampleNotice } from '../../adapters/webhooks/support/notices';
import { fakeClock } from '../../helpers/notify-run';
import { gatewayId } from '../../helpers/scenario-builder';

const AT = '2030-01-01T00:00:00.000Z';
const notice = (id: string, gateway: string) =>
  sampleNotice({
    id,
    gateway: { ...sampleNotice().gateway, id: gateway, name: gateway.split('/').pop() ?? '' },
  });
const letter = (id: string, gateway: string): DeadLetter => ({
  notice: notice(id, gateway),
  queuedAt: AT,
  failedRuns: 1,
  parkedAt: AT,
  reason: 'HTTP 400 Bad Request',
});
const waiting = (id: string, gateway: string, extra: Partial<QueuedNotice> = {}): QueuedNotice => ({
  notice: notice(id, gateway),
  queuedAt: AT,
  failedRuns: 0,
  ...extra,
});

describe('dead letters by hand: list and re-send', () => {
  let dir: string;
  const A = gatewayId('gw-a');
  const B = gatewayId('gw-b');
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-dead-letters-'));
    const stores = createFileStateStores<NotifyStateDocument>({ dir });
    await stores.forKey(gatewayKey(A)).write(
      {
        version: 1,
        servers: {},
        outbox: {
          'webhook[ops]': [
            waiting('a-wait', A),
            waiting('a-held', A, { lease: { runId: 'run-x', until: '2030-01-01T00:05:00.000Z' } }),
          ],
        },
        deadLetters: { 'webhook[ops]': [letter('a-1', A)], 'webhook[pager]': [letter('a-2', A)] },
      },
      undefined,
    );
    await stores
      .forKey(gatewayKey(B))
      .write(
        { version: 1, servers: {}, outbox: {}, deadLetters: { 'webhook[ops]': [letter('b-1', B)] } },
        undefined,
      );
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lists every waiting, leased and parked notice; a document it cannot read is named, the others listed', async () => {
    const broken = path.join(dir, 'sub', 'rg', 'gw-broken.json');
    await mkdir(path.dirname(broken), { recursive: true });
    await writeFile(broken, '[]');
    const { notices, errors, read, listed } = await listOutboxes(
      createFileStateStores({ dir }),
      fakeClock(Date.parse(AT)),
    );
    expect([read, listed]).toEqual([2, true]); // gw-a and gw-b; gw-broken's notices are not known
    expect(notices.map((n) => [n.noticeId, n.status, n.retry]).sort()).toEqual([
      ['a-1', 'dead-letter', 'by-hand'],
      ['a-2', 'dead-letter', 'by-hand'],
      ['a-held', 'leased', 'after-lease'],
      ['a-wait', 'waiting', 'next-run'],
      ['b-1', 'dead-letter', 'by-hand'],
    ]);
    expect(errors).toEqual([
      expect.objectContaining({ code: 'StateInvalid', document: `state file ${broken}` }),
    ]);
    expect(await readFile(broken, 'utf8')).toBe('[]');
  });

  it('a state folder that cannot be listed: nothing read, and the listing says it was not listed', async () => {
    const file = path.join(dir, 'not-a-folder');
    await writeFile(file, 'x');
    const listing = await listOutboxes(createFileStateStores({ dir: file }), fakeClock(Date.parse(AT)));
    expect(listing).toMatchObject({ notices: [], read: 0, listed: false });
    expect(listing.errors).toEqual([
      expect.objectContaining({ code: 'StateUnavailable', document: `state folder ${file}` }),
    ]);
  });

  it.each([
    ['one notice', { noticeId: 'a-1' }, ['a-1']],
    ['one receiver, by its config name', { receiver: 'ops' }, ['a-1', 'b-1']],
    ['one gateway', { gateway: A.toUpperCase() }, ['a-1', 'a-2']],
    ['one receiver of one gateway', { receiver: 'webhook[pager]', gateway: A }, ['a-2']],
    ['all', {}, ['a-1', 'a-2', 'b-1']],
  ])('re-sends %s: back to the front of the outbox, same id', async (_label, filter, expected) => {
    const stores = createFileStateStores<NotifyStateDocument>({ dir });
    const { requeued, errors } = await resendDeadLetters(stores, filter);
    expect(errors).toEqual([]);
    expect(requeued.map((r) => r.letter.notice.id).sort()).toEqual(expected);
    const a = (await stores.forKey(gatewayKey(A)).read())?.value;
    if (expected.includes('a-1'))
      expect(a?.outbox['webhook[ops]']?.map((q) => q.notice.id)).toEqual(['a-1', 'a-wait', 'a-held']);
    const left = (await listOutboxes(stores, fakeClock(Date.parse(AT)))).notices.filter(
      (n) => n.status === 'dead-letter',
    );
    expect(left.map((n) => n.noticeId).sort()).toEqual(
      ['a-1', 'a-2', 'b-1'].filter((id) => !expected.includes(id)),
    );
  });
});
