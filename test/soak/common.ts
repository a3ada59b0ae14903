/**
 * What both soaks (soak.ts, group-soak.ts) share: the services they run against (Azurite, the
 * emulator, the storage proxy, three loopback receivers, one of them signing), the product's settings
 * and state stores over them, and the words their checks (checks.ts, group-checks.ts) use for a notice.
 * Each soak keeps its own truth, plan and checks.
 */
import { randomBytes } from 'node:crypto';
import { connectBlobService } from '../../src/adapters/storage/blob-client';
import { createBlobStateStores, documentName } from '../../src/adapters/state/keyed-state-stores';
import { gatewayKey } from '../../src/core/arm-id';
import { startEmulator, type ScenarioInput } from '../../src/emulator';
import type { RunReport } from '../../src/core/run-report';
import type { Logger } from '../../src/pipeline/logger';
import type { ResendResult } from '../../src/pipeline/notify/dead-letters';
import type { NotifyStateDocument } from '../../src/pipeline/notify/state-document';
import type { StateStores } from '../../src/ports';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { createRandom, type Random } from './random';
import { startSoakReceiver, type ReceivedRequest, type SoakReceiver } from './receiver';
import { startStorageProxy, type ProxyMode, type StorageProxy } from './storage-proxy';
import { BAD_PROBE_LOGS, SUBSCRIPTIONS, serverKey, type Truth } from './world';

export const STATE_CONTAINER = 'appgw-state';

/** What a run meets at the state store: up, refused, a wrong key, or cut requests and answers. */
export type StateMode = 'up' | 'down' | 'forbidden' | 'flaky';

export function proxyMode(state: StateMode): ProxyMode {
  return state === 'down' ? 'refuse' : state === 'flaky' ? 'flaky' : 'pass';
}

export const bump = (counts: Record<string, number>, key: string, n = 1) =>
  void (counts[key] = (counts[key] ?? 0) + n);

export const quietLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** How the product names a gateway's state document in its errors (`StateError.document`). */
export const stateDocumentName = (gatewayId: string) =>
  `blob ${STATE_CONTAINER}/notify/${documentName(gatewayKey(gatewayId))}`;

/**
 * A soak's four random streams from its seed, forked in this order (a seed replays them): the
 * world's, the faults', the receivers' and the storage proxy's.
 */
export function soakRandoms(seed: number): [world: Random, faults: Random, receivers: Random, proxy: Random] {
  const random = createRandom(seed);
  return [random.fork(), random.fork(), random.fork(), random.fork()];
}

/** The services a soak runs against, started together and stopped together. */
export interface SoakServices {
  readonly azurite: Azurite;
  readonly emulator: Awaited<ReturnType<typeof startEmulator>>;
  /** Between the product and Azurite's blobs: the state store's faults. */
  readonly proxy: StorageProxy;
  /** `ops`, `pager` (signs with `secret`) and `chat`. */
  readonly receivers: readonly SoakReceiver[];
  readonly secret: string;
}

/**
 * Starts Azurite (on disk: a long soak's state writes fill the in-memory store's 64 MiB,
 * MemoryExtentStoreAtSizeLimit), the emulator serving `scenario`, the storage proxy and the three
 * receivers; runs `body` with them; stops them all whatever happens.
 */
export async function withSoakServices<T>(
  options: {
    /** Azurite's queue service too (the fan-out). */
    readonly queue?: boolean;
    readonly scenario: ScenarioInput;
    readonly proxyRandom: Random;
    readonly receiverRandom: Random;
  },
  body: (services: SoakServices) => Promise<T>,
): Promise<T> {
  const cleanups: Array<() => Promise<unknown>> = [];
  // Azurite's processes are unref'd (tests must not wait for them): without this, awaiting their exit
  // at the end would let Node leave before the figures are printed.
  const alive = setInterval(() => {}, 60_000);
  try {
    const azurite = await startAzurite({ ...(options.queue ? { queue: true } : {}), onDisk: true });
    cleanups.push(() => azurite.stop());
    const emulator = await startEmulator({ scenario: options.scenario as never });
    cleanups.push(() => emulator.close());
    const proxy = await startStorageProxy(new URL(azurite.blobEndpoint).host, options.proxyRandom);
    cleanups.push(() => proxy.close());
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const receivers: SoakReceiver[] = await Promise.all([
      startSoakReceiver('ops', options.receiverRandom.fork()),
      startSoakReceiver('pager', options.receiverRandom.fork(), secret),
      startSoakReceiver('chat', options.receiverRandom.fork()),
    ]);
    cleanups.push(() => Promise.all(receivers.map((r) => r.close())));
    return await body({ azurite, emulator, proxy, receivers, secret });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    clearInterval(alive);
  }
}

/** A key Azurite refuses (403): the state store `forbidden`. */
export const WRONG_KEY = Buffer.from('not the account key').toString('base64');

/** A connection string to Azurite's blobs through `host` (Azurite itself, the proxy, a closed port). */
export const blobConnection = (azurite: Azurite, host: string, key = azurite.accountKey) =>
  `DefaultEndpointsProtocol=http;AccountName=${azurite.accountName};AccountKey=${key};BlobEndpoint=http://${host}/${azurite.accountName};`;

/** A blob client with `maxRetries` (none for the product: a fault must reach it, not be ridden out below it). */
export const soakBlobClient = (connectionString: string, maxRetries = 0) =>
  connectBlobService({ connectionString }, { httpOptions: { maxRetries, requestTimeoutInMs: 5_000 } });

/** The notify state stores as the product keeps them (`notify/` in STATE_CONTAINER). */
export const soakStateStores = (connectionString: string, maxRetries = 0): StateStores<NotifyStateDocument> =>
  createBlobStateStores<NotifyStateDocument>({
    client: soakBlobClient(connectionString, maxRetries),
    container: STATE_CONTAINER,
    prefix: 'notify/',
  });

/**
 * The product's settings (for parseConfig) shared by both soaks: both subscriptions on the emulator,
 * the three receivers as JSON webhooks (`pager` signed), the state in Azurite; `sinks` and `notify`
 * as the soak says.
 */
export function soakSettings(
  services: SoakServices,
  own: {
    readonly gatewayTimeoutInMs: number;
    readonly blobSink?: { readonly connectionString: string; readonly container: string };
    readonly notify: Record<string, unknown>;
  },
): Record<string, unknown> {
  const { azurite, emulator, receivers, secret } = services;
  return {
    targets: SUBSCRIPTIONS.map((s) => `/subscriptions/${s}`),
    arm: {
      endpoint: emulator.url,
      caCertFile: emulator.caCertFile,
      credential: 'development',
      maxRetries: 1,
      pollIntervalInMs: 20,
    },
    gatewayTimeoutInMs: own.gatewayTimeoutInMs,
    sinks: {
      ...(own.blobSink ? { blob: own.blobSink } : {}),
      webhooks: receivers.map((r, i) => ({
        name: r.name.slice('webhook['.length, -1),
        url: r.url,
        format: 'json',
        timeoutInMs: 1_500,
        maxAttempts: 2,
        ...(i === 1 ? { secret } : {}),
      })),
    },
    notify: own.notify,
    state: {
      blob: {
        connectionString: blobConnection(azurite, new URL(azurite.blobEndpoint).host),
        container: STATE_CONTAINER,
      },
    },
  };
}

// The checks' words for a notice.

export const RECOVERED_REASONS: Readonly<Record<string, string>> = {
  healthy: 'healthy again',
  absent: 'no longer listed by the gateway (removed from its backend pool or settings)',
};

/** A notice as the checks read it (a receiver's request, or the first copy of each id). */
type NoticeWords = Pick<
  ReceivedRequest,
  'type' | 'gateway' | 'address' | 'probeLog' | 'occurredAt' | 'severity'
>;

export const keyOf = (n: Pick<ReceivedRequest, 'gateway' | 'address'> | undefined) =>
  n ? serverKey(n.gateway, n.address) : '';

/** A gateway's name: the last segment of its id. */
export const gatewayName = (gatewayId: string) => gatewayId.split('/').pop() ?? gatewayId;

/** `gw-1/10.0.0.4` for a server key. */
export function label(key: string): string {
  const [gateway, address] = key.split('|');
  return `${gatewayName(gateway ?? '')}/${address}`;
}

/** `degraded 10.0.0.4 on gw-1 (cause 2, critical) at …`: the cause as its index in BAD_PROBE_LOGS. */
export function describe(n: NoticeWords | undefined): string {
  if (!n) return 'nothing';
  const cause = BAD_PROBE_LOGS.findIndex((log) => log === n.probeLog);
  return `${n.type} ${n.address} on ${gatewayName(n.gateway)} (cause ${cause}, ${n.severity}) at ${n.occurredAt}`;
}

/**
 * What is false about a per-server notice, given what its server was when it was decided: a
 * `recovered` of a bad server or with another reason than the truth's, a `degraded`/`still-degraded`
 * of a server that was not bad for that cause; undefined if it is true.
 */
export function untrueServerNotice(
  notice: NoticeWords & { readonly reason?: string },
  truth: Truth | undefined,
): string | undefined {
  if (notice.type === 'recovered') {
    if (truth?.kind === 'bad') return `false recovered, the server was bad: ${describe(notice)}`;
    if (truth && notice.reason !== RECOVERED_REASONS[truth.kind])
      return `recovered says "${notice.reason}", the server was ${truth.kind}: ${describe(notice)}`;
    return undefined;
  }
  if (truth?.kind !== 'bad' || BAD_PROBE_LOGS[truth.log] !== notice.probeLog)
    return `${describe(notice)} but the server was ${JSON.stringify(truth)}`;
  return undefined;
}

/**
 * The reports tell the truth: every `receiver|id` a report says was delivered, the receiver accepted,
 * and the other way round. `count` is called once per pair checked.
 */
export function checkReportsTellTheTruth(
  deliveredByReport: ReadonlySet<string>,
  requests: readonly ReceivedRequest[],
  count: (check: string) => void,
): string[] {
  const violations: string[] = [];
  const acceptedPairs = new Set(requests.filter((r) => r.accepted).map((r) => `${r.receiver}|${r.id}`));
  for (const pair of deliveredByReport) {
    count('reports tell the truth');
    if (!acceptedPairs.has(pair))
      violations.push(`a report says ${pair} was delivered; the receiver never accepted it`);
  }
  for (const pair of acceptedPairs) {
    count('reports tell the truth');
    if (!deliveredByReport.has(pair))
      violations.push(`${pair} was accepted, but no report says it was delivered`);
  }
  return violations;
}

/**
 * A notice a receiver was rightly never sent, by the product's word, to be checked
 * (checkExcusedRightly): a report's `endedInGroup` entry, or a dead letter `notify resend` did not
 * re-send (`notResent`). `key`: its server's serverKey.
 */
export interface ExcusedNotice {
  readonly receiver: string;
  readonly noticeId: string;
  readonly type: string;
  readonly key: string;
  /** When it was decided (ISO). */
  readonly queuedAt: string;
  readonly what: string;
}

/**
 * The last notice decided for server `key` at or before `atInMs` (epoch ms): the newest of `decided`
 * (what reached some receiver, accepted or not), or, when a `recovered` of the server was decided
 * after it but rightly sent to no receiver (`excused`: none had been told of the episode; its rule is
 * checkExcusedRightly's), that close, as a `recovered` at its decision time. Without the second, a
 * `degraded` every receiver refused reads as an episode left open after the server recovered
 * (soak seed 1008584013).
 */
export function lastDecided<N extends { readonly type: string; readonly occurredAt: string }>(
  decided: Iterable<N>,
  excused: readonly ExcusedNotice[],
  key: string,
  keyOfNotice: (notice: N) => string,
  atInMs: number,
): N | undefined {
  const last = [...decided]
    .filter((n) => keyOfNotice(n) === key && Date.parse(n.occurredAt) <= atInMs)
    .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt))
    .at(-1);
  const closed = excused
    .filter((e) => e.type === 'recovered' && e.key === key && Date.parse(e.queuedAt) <= atInMs)
    .map((e) => Date.parse(e.queuedAt))
    .filter((t) => !last || t > Date.parse(last.occurredAt));
  return closed.length && last
    ? { ...last, type: 'recovered', occurredAt: new Date(Math.max(...closed)).toISOString() }
    : last;
}

/**
 * Whether a notice other than a `recovered` was decided for server `key` after `last` (at or before
 * `atInMs`) and then rightly sent to no receiver (`dropped`: its episode ended before any receiver was
 * told; checkExcusedRightly checks that it did end). The run that decided it missed nothing, though no
 * receiver has it: every receiver failed that run, and the server recovered before the next (soak seed
 * 1951319838).
 */
export function decidedThenDropped(
  dropped: readonly ExcusedNotice[],
  key: string,
  last: { readonly occurredAt: string } | undefined,
  atInMs: number,
): boolean {
  return dropped.some(
    (e) =>
      e.type !== 'recovered' &&
      e.key === key &&
      Date.parse(e.queuedAt) <= atInMs &&
      (!last || Date.parse(e.queuedAt) > Date.parse(last.occurredAt)),
  );
}

/** A report entry's server (`gateway/pool/settings/address`) as the soak world's address. */
const addressOf = (server: string) => server.split('/').pop() ?? server;

/** What a soak check needs of a decided notice: a ledger entry, or one a report names (decidedUnreceived). */
export interface DecidedNotice {
  readonly type: string;
  /** When it was decided (ISO). */
  readonly occurredAt: string;
  readonly gateway: string;
  readonly address: string;
  /** `gateway` for a gateway-level notice. */
  readonly scope?: string;
}

/**
 * Notices the reports say were decided (held for their group, or not delivered) that are not in
 * `received` (the ledger: what reached a receiver), by notice id, as far as a report tells them.
 */
export function decidedUnreceived(
  reports: readonly RunReport[],
  received: ReadonlyMap<string, unknown>,
): Map<string, DecidedNotice> {
  const decided = new Map<string, DecidedNotice>();
  for (const report of reports)
    for (const e of [
      ...(report.notifications?.grouped ?? []),
      ...(report.notifications?.undelivered ?? []),
    ]) {
      if (received.has(e.noticeId) || decided.has(e.noticeId)) continue;
      const address = addressOf(e.server);
      decided.set(e.noticeId, {
        type: e.type,
        occurredAt: e.queuedAt,
        gateway: e.gateway,
        address,
        ...(address === '(every server)' ? { scope: 'gateway' } : {}),
      });
    }
  return decided;
}

/** A report's endedInGroup entries as ExcusedNotice, `serverKey` the soak world's. */
export function endedInReports(
  reports: readonly RunReport[],
  serverKey: (gatewayId: string, address: string) => string,
): ExcusedNotice[] {
  return reports.flatMap((report) =>
    (report.notifications?.endedInGroup ?? []).map((e) => ({
      receiver: e.receiver,
      noticeId: e.noticeId,
      type: e.type,
      key: serverKey(e.gateway, addressOf(e.server)),
      queuedAt: e.queuedAt,
      what: `dropped as ended (${e.reason})`,
    })),
  );
}

/** notify resend's notResent letters as ExcusedNotice. */
export function notResentByHand(
  notResent: ResendResult['notResent'],
  serverKey: (gatewayId: string, address: string) => string,
): ExcusedNotice[] {
  return notResent.map(({ receiver, letter }) => ({
    receiver,
    noticeId: letter.notice.id,
    type: letter.notice.type,
    key: serverKey(letter.notice.gateway.id, letter.notice.server.address),
    queuedAt: letter.queuedAt,
    what: 'not re-sent by notify resend',
  }));
}

/**
 * The rule for notices never sent because their episode ended, checked against what was decided
 * (`ledger`) and what each receiver accepted (`requests`): a `degraded` or reminder only when its
 * server's episode did end (a recovered of that server decided at or after it, sent or excused); a
 * `recovered` only when that receiver was never told the episode: it had accepted nothing of the
 * server since the server's previous recovered (by decision time), so it has no alert to close. A
 * receiver that was told (or may have been: a time-out after its 2xx, which it accepted) always gets
 * the recovered, never a stuck alert.
 */
export function checkExcusedRightly(
  excused: readonly ExcusedNotice[],
  ledger: ReadonlyMap<
    string,
    { readonly type: string; readonly occurredAt: string } & Parameters<typeof keyOf>[0]
  >,
  requests: readonly ReceivedRequest[],
  count: (name: string) => void,
): string[] {
  const violations: string[] = [];
  const recoveredAtOf = (key: string) => [
    ...[...ledger.values()]
      .filter((n) => n.type === 'recovered' && keyOf(n) === key)
      .map((n) => Date.parse(n.occurredAt)),
    ...excused.filter((e) => e.type === 'recovered' && e.key === key).map((e) => Date.parse(e.queuedAt)),
  ];
  for (const e of excused) {
    count('never sent as ended, rightly');
    const where = `${e.receiver}, ${label(e.key)}: ${e.type} queued at ${e.queuedAt} ${e.what}`;
    if (e.type !== 'recovered') {
      if (!recoveredAtOf(e.key).some((at) => at >= Date.parse(e.queuedAt)))
        violations.push(`${where}, but no recovered of that server was decided after it`);
      continue;
    }
    const before = lastAccepted(requests, e.receiver, e.key, e.queuedAt);
    if (before && before.type !== 'recovered')
      violations.push(`${where}, but the receiver had accepted ${describe(before)}: its alert stays open`);
  }
  return violations;
}

/**
 * The latest notice of server `key` that `receiver` accepted, by decision time (not arrival: a told
 * episode's recovered may arrive late, a dead letter re-sent by hand, and still closes it), decided
 * before `at` (ISO); undefined when none.
 */
function lastAccepted(
  requests: readonly ReceivedRequest[],
  receiver: string,
  key: string,
  at: string,
): ReceivedRequest | undefined {
  return requests
    .filter(
      (r) =>
        r.receiver === receiver &&
        r.accepted &&
        keyOf(r) === key &&
        Date.parse(r.occurredAt) < Date.parse(at),
    )
    .sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt))
    .at(-1);
}

/** A state error that leaves it unknown whether the write landed: a cut connection can lose its answer. */
const WRITE_UNANSWERED = /cannot write it/;

/**
 * Notices a run may have dropped as their episode had ended, with no report saying so: the run's
 * write of the gateway's state document failed (`cannot write it`), and a cut connection can land the
 * write and lose its answer, so the drop may be stored while the report lists only the state error
 * (the next run finds nothing left to report). For each such run: each notice of that gateway decided
 * up to it (its own included; received by some receiver, or only named held or undelivered by a
 * report) that a receiver never accepted, whose episode was over by the truth at that run
 * (`episodeOver`): for a receiver not told of the episode, with a `recovered` at the run's time (the
 * close the run decided and dropped); for one told, only a `degraded` or reminder (its `recovered`
 * goes). For checkExcusedRightly to check like any other.
 */
export function droppedUnrecorded<N extends DecidedNotice>(
  runs: readonly { readonly at: string; readonly reports: readonly RunReport[] }[],
  ledger: ReadonlyMap<string, N>,
  requests: readonly ReceivedRequest[],
  receivers: readonly string[],
  episodeOver: (notice: DecidedNotice, runIndex: number) => boolean,
): ExcusedNotice[] {
  // Decided notices no receiver ever got count too: held for their group (or not tried) when a later
  // run, whose write lost its answer, dropped them as ended (soak seed 1915014375: Down for one run,
  // healthy at the next, whose write of the gateway's document was cut).
  const decided: ReadonlyMap<string, DecidedNotice> = new Map<string, DecidedNotice>([
    ...decidedUnreceived(
      runs.flatMap((run) => run.reports),
      ledger,
    ),
    ...ledger,
  ]);
  const accepted = new Set(requests.filter((r) => r.accepted).map((r) => `${r.receiver}|${r.id}`));
  // Told of the episode open at `at`: its latest notice the receiver accepted (by decision time) opens
  // or keeps one. Such a receiver gets the recovered, so the run dropped nothing for it.
  const toldOf = (receiver: string, key: string, at: string) => {
    const latest = lastAccepted(requests, receiver, key, at);
    return latest !== undefined && latest.type !== 'recovered';
  };
  const excused: ExcusedNotice[] = [];
  runs.forEach((run, index) => {
    const unanswered = run.reports.flatMap((report) =>
      (report.notifications?.stateErrors ?? [])
        .filter((e) => e.document !== undefined && WRITE_UNANSWERED.test(e.message))
        .map((e) => e.document as string),
    );
    if (unanswered.length === 0) return;
    const what = `may have been dropped as ended by the run at ${run.at}, whose state write lost its answer`;
    for (const [id, notice] of decided) {
      // The run's own decisions too: it may have dropped the recovered it decided.
      if (Date.parse(notice.occurredAt) > Date.parse(run.at)) continue;
      const document = documentName(gatewayKey(notice.gateway));
      if (!unanswered.some((d) => d.endsWith(document)) || !episodeOver(notice, index)) continue;
      const key = keyOf(notice);
      for (const receiver of receivers) {
        if (accepted.has(`${receiver}|${id}`)) continue;
        const waiting = { receiver, noticeId: id, type: notice.type, key, queuedAt: notice.occurredAt, what };
        // A receiver told of the episode gets its recovered; only a degraded or reminder that waited
        // for it (its group) may have been dropped (seed 1915014375: a reminder held, then the server
        // healthy at a run whose write was cut).
        if (toldOf(receiver, key, run.at)) {
          if (notice.type !== 'recovered') excused.push(waiting);
          continue;
        }
        excused.push(waiting, {
          receiver,
          noticeId: `closed-at-${run.at}`,
          type: 'recovered',
          key,
          queuedAt: run.at,
          what,
        });
      }
    }
  });
  return excused;
}
