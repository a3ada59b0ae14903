import { gatewayKey, parseGatewayId, parseTarget, targetCovers } from '../../core/arm-id';
import type { NotifyPolicy } from '../../core/notice/decide';
import type { GatewayRef } from '../../core/model';
import type { OpenEpisodesReport, ReportedError, UnreadGatewayReport } from '../../core/run-report';
import { capText } from '../../core/caps';
import { counted, namedList } from '../../core/counted';
import { isEpisode } from '../../core/notice/server-record';
import { mapBounded } from '../../core/bounded';
import { toError } from '../../errors';
import type { Clock, Notifier, StateStore, StateStores } from '../../ports';
import type { GatewayOutcome } from '../check-gateway';
import type { ExpandedTargets } from '../expand-targets';
import type { Logger } from '../logger';
import type { GoneAnswer, GoneCheck } from './confirm-gone';
import type { RemovalCheck } from './confirm-removed';
import { reportedError } from '../../core/reported-error';
import {
  NOTHING_NOTIFIED,
  notifyOnChange,
  openEpisodesReport,
  reviewOutbox,
  type NotifyDependencies,
  type NotifyOutcome,
} from './notify-on-change';
import type { AdmitOptions, ReceiverBreakers } from './receiver-breaker';
import {
  copiedDocumentsWarning,
  type CopiedDocument,
  copyOf,
  parseStateDocument,
  type NotifyStateDocument,
} from './state-document';
import { typedStateStore, typedStateStores } from './typed-stores';
import { withStoredSilences, type SilenceDocument } from './silence-store';

export interface NotifyServices {
  /** One state document per gateway: gateways evaluated in parallel never contend. */
  readonly stores: StateStores<NotifyStateDocument>;
  readonly notifiers: readonly Notifier[];
  readonly logger: Logger;
  /** Per run: a receiver that failed retryably is not tried again for the run's other gateways. */
  readonly breakers: ReceiverBreakers;
  /** `notify.outboxLimit`: most notices waiting, and most dead letters, per receiver and gateway. */
  readonly outboxLimit: number;
  /** The silences added with `appgw-insights silence add` (silence-store.ts); absent: config ones only. */
  readonly silences?: StateStore<SilenceDocument>;
}

/** What notifyOnChange needs for one gateway's state document in one run. */
function depsForDocument(
  services: NotifyServices,
  key: string,
  clock: Clock,
  runId: string,
  gateway?: GatewayRef,
): NotifyDependencies {
  return {
    store: typedStateStore(services.stores.forKey(key)),
    ...(gateway ? { gateway } : {}),
    notifiers: services.notifiers,
    logger: services.logger,
    clock,
    breaker: services.breakers.forRun(runId),
    outboxLimit: services.outboxLimit,
  };
}

/**
 * Notify on change for one gateway this run looked at. A gateway that could not be evaluated changes
 * no episode, but its undelivered notices are still sent: a failing gateway never strands them.
 * `checks.confirmRemoved`: asks the configuration about servers the reading lacks with their whole pool
 * and settings (confirm-removed.ts); absent, the reading's word stands. `checks.gone`: ARM's word on a
 * gateway whose reading answered 404 (process-gateway.ts asked it): gone, its open episodes end as a
 * deletion (a gateway named by id in the targets, deleted, kept them open for good: a new-user trial);
 * absent, a failed reading changes no episode. `checks.readAt`: when the reading began (the queue's
 * operation start as its run dates it, a direct run's read start, or when ARM confirmed the deletion):
 * a reading that began before the newest one counted for the gateway decides nothing (older-readings.ts);
 * absent, it counts.
 * Never throws (state failures are in the outcome's `stateErrors`).
 */
export async function notifyGateway(
  services: NotifyServices,
  outcome: GatewayOutcome,
  gateway: GatewayRef,
  clock: Clock,
  configPolicy: NotifyPolicy,
  runId: string,
  checks: {
    readonly confirmRemoved?: RemovalCheck;
    readonly gone?: GoneAnswer;
    readonly readAt?: Date;
    /** The run's stop: no send starts once it fires (NotifyDependencies.stop). */
    readonly stop?: AbortSignal;
    /** Passed to each receiver's breaker admission (NotifyDependencies.whileProbed). */
    readonly whileProbed?: AdmitOptions['whileProbed'];
  } = {},
): Promise<NotifyOutcome> {
  const key = gatewayKey(gateway.id);
  const gone = checks.gone;
  // Read per gateway: the Functions app notifies one gateway per invocation (fan-out), so there is no
  // run-wide place to read it once; it is one small document.
  const { policy, errors } = await withStoredSilences(configPolicy, storeOf(services), services.logger);
  const notified = await notifyOnChange(
    {
      ...depsForDocument(services, key, clock, runId, gateway),
      ...(checks.confirmRemoved ? { confirmRemoved: checks.confirmRemoved } : {}),
      ...(gone ? { confirmGone: async () => gone } : {}),
      ...(checks.stop ? { stop: checks.stop } : {}),
      ...(checks.whileProbed ? { whileProbed: checks.whileProbed } : {}),
    },
    {
      now: clock.now(),
      evaluated: outcome.listed ? new Map([[key, outcome.listed]]) : new Map(),
      bad: outcome.insights.map((insight) => ({ finding: insight.finding, insight })),
      isGone: () => false,
      ...(outcome.report.poolsNotRead?.length
        ? {
            incomplete: new Set([key]),
            poolsNotRead: new Map([[key, new Set(outcome.report.poolsNotRead.map((p) => p.toLowerCase()))]]),
          }
        : {}),
      // A run's reading counts once, however often its queue message is delivered (decide.ts).
      reading: runId,
      ...(checks.readAt ? { readAt: checks.readAt } : {}),
    },
    policy,
    runId,
  );
  return errors.length ? { ...notified, stateErrors: [...notified.stateErrors, ...errors] } : notified;
}

function storeOf(services: NotifyServices): StateStore<SilenceDocument> | undefined {
  return services.silences ? typedStateStore(services.silences) : undefined;
}

/**
 * How many unvisited gateways' documents are handled at once: each may wait on ARM's GET (confirm-gone.ts,
 * up to 30 s) and on receivers; one after another, a few unanswered GETs held the report for minutes.
 */
const UNVISITED_CONCURRENCY = 8;

/**
 * Gateways with notify state that this run did not evaluate (outside the targets, deleted, or failed
 * to list): those a successful listing shows to be deleted, and `confirmGone` confirms (when given:
 * ARM's 404, confirm-gone.ts), get `recovered` for their open episodes; one it does not confirm is
 * reported in `unconfirmedDeletions`, with why. One with open episodes that no listing showed gone is
 * asked too, through `confirmUnread` (default `confirmGone`), when its told episodes were told to this
 * run's receivers (toldHere): gone, it gets its `recovered` the same way; otherwise it is reported in
 * `unread`, with why ARM could not say when it could not. The others have their waiting notices sent, and their dead letters
 * reported. A document that cannot be listed, read or understood is reported (naming it)
 * and left as it is; the others go on. Up to UNVISITED_CONCURRENCY documents at once; the outcomes in
 * the order the store listed them.
 * Nothing to do without notify services. Never throws.
 */
export async function notifyUnvisited(
  services: NotifyServices | undefined,
  expanded: Pick<ExpandedTargets, 'gateways' | 'isGone'> & Partial<Pick<ExpandedTargets, 'targets'>>,
  clock: Clock,
  policy: NotifyPolicy,
  runId: string,
  confirmGone?: GoneCheck,
  confirmUnread: GoneCheck | undefined = confirmGone,
): Promise<NotifyOutcome[]> {
  // Stored silences are not read here: only a deleted gateway decides anything (its `recovered`, which
  // silences never hold back: decide.ts), and an `ended-silenced` comes from the record, not the silence.
  if (!services) return [];
  const visited = new Set(expanded.gateways.map((g) => gatewayKey(g.id)));
  let keys: string[];
  try {
    keys = (await typedStateStores(services.stores).listKeys()).filter((key) => !visited.has(key));
  } catch (error) {
    return [failed(services, error, services.stores.name)];
  }
  const copies: CopiedDocument[] = [];
  const outcomes = await mapBounded(keys, UNVISITED_CONCURRENCY, async (key): Promise<NotifyOutcome[]> => {
    let deps = depsForDocument(services, key, clock, runId);
    let doc: NotifyStateDocument;
    try {
      doc = parseStateDocument((await deps.store.read())?.value, deps.store.name);
    } catch (error) {
      return [failed(services, error, deps.store.name)];
    }
    // A copy of another gateway's document (a backup made in the state folder): its waiting notices were
    // its gateway's, sent from that one's own document; sent from here too they went twice.
    const copied = copyOf(doc, key);
    if (copied !== undefined) {
      copies.push({ document: deps.store.name, gateway: copied });
      return [];
    }
    const gateway = Object.values(doc.servers)[0]?.gateway;
    if (gateway) deps = { ...deps, gateway };
    const open = Object.values(doc.servers).filter(isEpisode).length;
    const listedGone = gateway !== undefined && expanded.isGone(gateway);
    // The listing's word, then ARM's (confirm-gone.ts) when there is an ARM to ask. A gateway with open
    // episodes that no listing showed gone is asked too: one deleted after it left the targets, or with
    // its resource group (whose listing then fails), kept its episodes open for good (a new-user trial).
    const elsewhere = receiversNotHere(doc, services.notifiers);
    const check = listedGone ? confirmGone : open > 0 && elsewhere.length === 0 ? confirmUnread : undefined;
    // A deletion confirmed is a reading of the gateway as of this check: a result read before it (a
    // continuation taken late) then decides nothing (older-readings.ts), never a new episode.
    const checkedAt = clock.now();
    const answer: GoneAnswer | undefined =
      gateway !== undefined && (listedGone || check)
        ? ((await check?.(gateway)) ?? (listedGone ? { gone: true } : undefined))
        : undefined;
    const gone = answer?.gone === true;
    // What the run says of it besides notices: ARM did not confirm the listing's word; or, not read and
    // not gone, its episodes stay open until a run reads it (a target narrowed left them open without a
    // word: a new-user trial).
    const said: Pick<NotifyOutcome, 'unconfirmedDeletions' | 'unread'> | undefined = !gateway
      ? undefined
      : listedGone && answer && !answer.gone
        ? {
            unconfirmedDeletions: [{ gateway: gateway.id, reason: answer.reason, document: deps.store.name }],
          }
        : !gone && open > 0
          ? {
              unread: [
                {
                  gateway: gateway.id,
                  openEpisodes: open,
                  ...(answer && !answer.gone && !answer.exists ? { existenceUnknown: answer.reason } : {}),
                  ...(!answer && elsewhere.length > 0
                    ? { notAsked: notAskedReason(elsewhere, deps.store.name) }
                    : {}),
                },
              ],
            }
          : undefined;
    const waiting = Object.values(doc.outbox).some((queue) => queue.length > 0);
    const parked = Object.values(doc.deadLetters).some((letters) => letters.length > 0);
    let outcome: NotifyOutcome | undefined;
    if (gone || waiting) {
      outcome = await notifyOnChange(
        deps,
        {
          now: clock.now(),
          evaluated: new Map(),
          bad: [],
          isGone: () => gone,
          ...(gone ? { readAt: checkedAt } : {}),
        },
        policy,
        runId,
      );
    } else if (parked) {
      outcome = await reviewOutbox(deps, runId);
    }
    const deleted = gone && gateway ? { deletedGateways: [gateway] } : undefined;
    if (!said && !deleted) return outcome ? [outcome] : [];
    return [{ ...(outcome ?? { ...NOTHING_NOTIFIED, claimed: true }), ...said, ...deleted }];
  });
  // Said once for all of them (a break trial: a copied subscription's folder, 14 warnings every run).
  if (copies.length) services.logger.warn(`notify: ${copiedDocumentsWarning(copies)}`);
  const all = outcomes.flat();
  const unread = all.flatMap((o) => o.unread ?? []);
  if (unread.length)
    services.logger.warn(
      unreadWarning(unread, expanded.targets?.filter((t) => !t.ok).map((t) => t.id) ?? []),
    );
  return all;
}

/**
 * The receivers `doc`'s told episodes were told to that this run does not have (`notifiers`), each once,
 * in the document's order; empty when this run could tell the end of every told episode to everyone
 * told (receivers not recorded: earlier releases sent to all). An episode told to a receiver this run
 * does not have is (also) another deployment's sharing the state, or of a receiver renamed or removed:
 * a run that ended it sent its `recovered` to no one, or to the receiver they share only, and the run
 * that could tell the rest was left nothing to send (two break trials), so such a gateway, when not
 * read, is left for that run.
 */
function receiversNotHere(doc: NotifyStateDocument, notifiers: readonly Notifier[]): string[] {
  const here = new Set(notifiers.map((n) => n.name));
  const elsewhere = new Set<string>();
  for (const record of Object.values(doc.servers)) {
    const receivers = isEpisode(record) ? record.notified?.receivers : undefined;
    for (const receiver of receivers ?? []) if (!here.has(receiver)) elsewhere.add(receiver);
  }
  return [...elsewhere];
}

/** Most receiver names said in UnreadGatewayReport.notAsked (names from the state: capped each). */
const NOT_HERE_NAMED = 3;

/**
 * Why a gateway not read was not asked of ARM (UnreadGatewayReport.notAsked): a new-user trial read its
 * entry, with no `existenceUnknown`, as "ARM still has it". Receiver names come from the state document
 * (our own configuration's names), clipped.
 */
function notAskedReason(elsewhere: readonly string[], document: string): string {
  const names = namedList(
    elsewhere.map((name) => JSON.stringify(capText(name, 80))),
    NOT_HERE_NAMED,
  );
  return (
    `not asked of ARM: its episodes were told to ${elsewhere.length === 1 ? 'receiver' : 'receivers'} ${names}, which this run does not have, ` +
    `so their end is left for a run that has ${elsewhere.length === 1 ? 'it' : 'them'} (another deployment sharing the state); ` +
    `if ${elsewhere.length === 1 ? 'it was' : 'they were'} renamed or removed, move ${document} aside`
  );
}

/**
 * `2 gateways with open episodes were not read by this run (…): gw-a, gw-b`: said once per run, as the
 * run's other notify lines are. `notListed`: the ids of the run's targets that could not be listed
 * (empty: none, or not known). When every such gateway lies in one of them (a subscription or resource
 * group target: parseTarget, targetCovers), that is the one reason said, with the targets, and whether
 * they still exist is left for the listing to tell (whether the discovery filter then leaves one out
 * is not known: "until a run reads them again") (a new-user trial's ARM outage: about 900 characters
 * naming every other reason and ARM's error again). Otherwise the advice says first that a gateway in
 * a target not listed is read once it is listed again (only "add them back to the targets" sent a user
 * to edit a config that was right: a new-user trial).
 */
export function unreadWarning(
  unread: readonly UnreadGatewayReport[],
  notListed: readonly string[] = [],
): string {
  const episodes = unread.reduce((n, u) => n + u.openEpisodes, 0);
  const names = namedList(
    unread.map((u) => parseGatewayId(u.gateway)?.name ?? u.gateway),
    5,
  );
  const were = unread.length === 1 ? 'was' : 'were';
  const notRead = `${counted(unread.length, 'gateway')} with ${counted(episodes, 'open episode')} ${were} not read by this run`;
  const them = unread.length === 1 ? 'it' : 'them';
  const stayOpen =
    unread.length === 1
      ? 'Its episodes stay open, and nothing is sent for it'
      : 'Their episodes stay open, and nothing is sent for them';
  const holding = inTargetsNotListed(unread, notListed);
  if (holding.length > 0)
    return (
      `${notRead}: ${unread.length === 1 ? 'its target' : `${holding.length === 1 ? 'their target' : 'their targets'}`} ` +
      `${namedList(holding, 3)} could not be listed (said above): ${names}. ` +
      // "until a run reads it again", not "lists that target again": one the discovery filter leaves out
      // is not read then either (a break trial).
      `${stayOpen}, until a run reads ${them} again` +
      notAskedText(unread) +
      '.'
    );
  const advice =
    notListed.length > 0
      ? `until a run reads ${them} again: ${counted(notListed.length, 'target')} could not be listed this run, and a gateway in one is read once it is listed again; ` +
        'one outside the targets needs adding back to them (or to the discovery filter), or, if no longer watched, its notify state moved aside'
      : `until a run reads ${them} again: add ${them} back to the targets (or the discovery filter), or, for a gateway no longer watched, move its notify state aside`;
  return (
    `${notRead} (outside its targets or left out by the discovery filter, or in a target that could not be listed): ` +
    `${names}. ${stayOpen}, ` +
    advice +
    existenceUnknownText(unread) +
    notAskedText(unread)
  );
}

/**
 * The targets of `notListed` that hold the gateways of `unread`, in the order given, when each of them
 * lies in one (a subscription, resource group or gateway target: a management group's gateways are
 * known only from its listing); empty otherwise.
 */
function inTargetsNotListed(unread: readonly UnreadGatewayReport[], notListed: readonly string[]): string[] {
  const targets = notListed.flatMap((id) => {
    const target = parseTarget(id);
    return 'error' in target ? [] : [{ id, target }];
  });
  const holding = new Set<string>();
  for (const u of unread) {
    const gateway = parseGatewayId(u.gateway);
    const target = gateway && targets.find((t) => targetCovers(t.target, gateway));
    if (!target) return [];
    holding.add(target.id);
  }
  return [...holding];
}

/**
 * `. Whether 2 of them still exist is not known (a deleted gateway's episodes would end): …`, with the
 * first one's reason; empty when ARM answered for each it was asked about.
 */
function existenceUnknownText(unread: readonly UnreadGatewayReport[]): string {
  const unknown = unread.filter((u) => u.existenceUnknown !== undefined);
  const [first] = unknown;
  if (!first) return '';
  const which = unread.length === 1 ? 'it still exists' : `${unknown.length} of them still exist`;
  return `. Whether ${which} is not known (a deleted gateway's episodes would end): ${first.existenceUnknown ?? ''}`;
}

/**
 * `. 2 of them were not asked of ARM whether they still exist: …`, with the first one's reason
 * (UnreadGatewayReport.notAsked); empty when each was asked.
 */
function notAskedText(unread: readonly UnreadGatewayReport[]): string {
  const notAsked = unread.filter((u) => u.notAsked !== undefined);
  const [first] = notAsked;
  if (!first) return '';
  const which =
    unread.length === 1 ? 'It was' : `${notAsked.length} of them ${notAsked.length === 1 ? 'was' : 'were'}`;
  return `. ${which} ${first.notAsked ?? ''}`;
}

function failed(services: NotifyServices, error: unknown, document: string): NotifyOutcome {
  const reported = reportedError(toError(error));
  services.logger.error(reported.message);
  return { ...NOTHING_NOTIFIED, stateErrors: [{ ...reported, document: reported.document ?? document }] };
}

/** Many gateways' outcomes as one, for the run report. */
export function mergeNotifyOutcomes(outcomes: readonly NotifyOutcome[]): NotifyOutcome {
  const pending: Record<string, number> = {};
  for (const outcome of outcomes) {
    for (const [receiver, count] of Object.entries(outcome.pending))
      pending[receiver] = (pending[receiver] ?? 0) + count;
  }
  return {
    decided: outcomes.reduce((n, o) => n + o.decided, 0),
    silenced: outcomes.flatMap((o) => o.silenced),
    deliveries: outcomes.flatMap((o) => o.deliveries),
    pending,
    undelivered: outcomes.flatMap((o) => o.undelivered),
    dropped: outcomes.flatMap((o) => o.dropped),
    grouped: outcomes.flatMap((o) => o.grouped ?? []),
    endedInGroup: outcomes.flatMap((o) => o.endedInGroup ?? []),
    awaitingRecovery: outcomes.flatMap((o) => o.awaitingRecovery ?? []),
    heldByConfirmation: outcomes.flatMap((o) => o.heldByConfirmation ?? []),
    unconfirmedDeletions: outcomes.flatMap((o) => o.unconfirmedDeletions ?? []),
    unconfirmedRemovals: outcomes.flatMap((o) => o.unconfirmedRemovals ?? []),
    unread: outcomes.flatMap((o) => o.unread ?? []),
    olderReadings: outcomes.flatMap((o) => o.olderReadings ?? []),
    // Kept for the run report (RunReport.deletedUnlisted): merged away, the report said nothing of them
    // but their `recovered` while the status page marked them deleted (a new-user trial).
    deletedGateways: outcomes.flatMap((o) => o.deletedGateways ?? []),
    unrouted: outcomes.flatMap((o) => o.unrouted ?? []),
    ...openEpisodesOf(outcomes),
    stateErrors: onceEachDocument(outcomes.flatMap((o) => o.stateErrors)),
    claimed: outcomes.every((o) => o.claimed),
    contended: outcomes.flatMap((o) => o.contended),
  };
}

/** The gateways' open episodes summed; absent when none. */
function openEpisodesOf(outcomes: readonly NotifyOutcome[]): Pick<NotifyOutcome, 'openEpisodes'> {
  const sum = (count: keyof OpenEpisodesReport) =>
    outcomes.reduce((n, o) => n + (o.openEpisodes?.[count] ?? 0), 0);
  return openEpisodesReport({
    told: sum('told'),
    notYetTold: sum('notYetTold'),
    inhibited: sum('inhibited'),
    noReceiver: sum('noReceiver'),
    waiting: sum('waiting'),
  });
}

/**
 * `errors` with each error about one document said once: every gateway reads the one silence
 * document (notifyGateway), so its problem (or one of its silences') would otherwise be said once per
 * gateway. A gateway's own document is named in its own errors, so those stay one per gateway.
 */
function onceEachDocument(errors: readonly ReportedError[]): ReportedError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    if (error.document === undefined) return true;
    const key = `${error.code}\n${error.document}\n${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
