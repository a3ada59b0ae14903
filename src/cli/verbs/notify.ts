import { counted } from '../../core/counted';
import { followUpCommand } from '../../core/follow-up-command';
import { buildReceiver, buildSilenceStore, buildStateStores } from '../../app/build-adapters';
import { systemClock } from '../../adapters/clock/system-clock';
import type { Silence } from '../../core/notice/silence';
import { silentLogger } from '../../pipeline/logger';
import { withStoredSilences } from '../../pipeline/notify/silence-store';
import { typedStateStore } from '../../pipeline/notify/typed-stores';
import { copiedDocumentsWarning, type CopiedDocument } from '../../pipeline/notify/state-document';
import { gatewayIdProblem } from '../../core/arm-id';
import { UsageError } from '../../errors';
import { listOutboxes, resendDeadLetters, type ReadingOrder } from '../../pipeline/notify/dead-letters';
import { sendTestNotice, type TestNoticeReport, type TestSend } from '../../pipeline/notify/send-test-notice';
import { episodeId } from '../../core/notice/episode';
import { receiverKey } from '../../core/notice/receiver-name';
import { resendHint } from '../../pipeline/notify/undelivered-summary';
import type { GroupTiming } from '../../core/notice/grouping';
import type { Config } from '../../config/schema';
import { notifyPolicyOf } from '../../app/run-services';
import { groupingOf } from '../../pipeline/notify/notify-on-change';
import { WEBHOOK_FORMATS } from '../../adapters/webhooks/registry';
import type { AttemptRecord } from '../../ports';
import type { ReportedError } from '../../core/run-report';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { notifyListText, resendLines } from '../notify-list-text';
import { terminalField, terminalJson, terminalMessage } from '../terminal-text';
import { errorsForCommand, writeMayHaveLanded } from '../command-advice';
import { parseVerbArgs } from '../verb-args';
import { configSource, settingPlace, stateAdviceOf, verbConfig } from '../verb-config';
import { NOTIFY, NOTIFY_LIST, NOTIFY_RESEND, NOTIFY_TEST } from '../verb-specs';

/**
 * The undelivered notices in the notify state (`state.dir` or `state.blob` of the config):
 * `list` shows every waiting, leased and dead-letter notice; `resend` moves the dead letters that
 * match back into their outbox, where the next run sends them (same ids) before anything new.
 * Exit 2 when a state document could not be read, or `resend` matched nothing. `test` sends a marked
 * test notice to one receiver, without the notify state; exit 2 when the receiver did not take it.
 */
export async function notifyVerb(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'list') return listVerb(rest);
  if (action === 'resend') return resendVerb(rest);
  if (action === 'test') return testVerb(rest);
  throw new UsageError([`after "notify", say "list", "resend" or "test"`], NOTIFY.name);
}

/** `notify list`: every waiting, leased and dead-letter notice. */
async function listVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(NOTIFY_LIST, args);
  const { stores, receivers, state } = await notifyConfigOf(values.config, NOTIFY_LIST.name);
  // Not known, "not sent yet" may be untrue of a notice held for its group: said, not hidden (a trial).
  if ('unknown' in receivers)
    process.stderr.write(
      `warning: the configuration's receivers or notify settings could not be read (${receivers.unknown}): a notice held for its group's next message is listed as not sent yet\n`,
    );
  const listed = await listOutboxes(
    stores,
    systemClock,
    'unknown' in receivers ? undefined : groupTimingsOf(receivers),
    'unknown' in receivers ? [] : await silencesOf(receivers, state, values.config),
  );
  const listing = {
    ...listed,
    errors: errorsForCommand(listed.errors, NOTIFY_LIST.name, args),
  };
  warnOfCopies(listed.copies);
  // A dead letter waits for a person: the command that sends it again, per receiver (as `run` says it).
  const resend = [
    ...new Set(listing.notices.filter((n) => n.status === 'dead-letter').map((n) => n.receiver)),
  ].map((receiver) => resendHint(receiver, configSource(values.config)));
  process.stdout.write(
    values.json
      ? `${terminalJson(listing)}\n`
      : `${[...notifyListText(listing), ...resend.map((line) => terminalField(line, 400))].join('\n')}\n`,
  );
  return reportErrors(listing.errors);
}

/** `notify resend`: the matching dead letters back into their outbox. */
async function resendVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(NOTIFY_RESEND, args);
  const issues: string[] = [];
  const filtered = values.notice ?? values.receiver ?? values.gateway;
  if (!filtered && !values.all)
    issues.push('say which dead letters: --notice ID, --receiver NAME, --gateway ARM-ID, or --all');
  // A mistyped id would name no state document and match nothing: say what is wrong with it instead.
  const gatewayProblem = values.gateway === undefined ? undefined : gatewayIdProblem(values.gateway);
  if (gatewayProblem) issues.push(`--gateway: ${gatewayProblem}`);
  if (issues.length) throw new UsageError(issues, NOTIFY_RESEND.name);
  const { stores, receivers } = await notifyConfigOf(values.config, NOTIFY_RESEND.name);
  const resent = await resendDeadLetters(
    stores,
    {
      ...(values.notice ? { noticeId: values.notice } : {}),
      ...(values.receiver ? { receiver: values.receiver } : {}),
      ...(values.gateway ? { gateway: values.gateway } : {}),
    },
    readingOrderOf(receivers),
  );
  warnOfCopies(resent.copies);
  const { requeued, notResent, kept } = resent;
  const errors = errorsForCommand(resent.errors, NOTIFY_RESEND.name, args);
  const matched = requeued.length + notResent.length + kept.length > 0;
  // Nothing matched where the state could not be read or written: not "no dead letter matched", which a trial
  // read as none to re-send while `notify list` listed 12.
  const unread = !matched && errors.length > 0;
  // A write that may have landed (no answer, a reset, OperationTimedOut): the letters may be re-queued
  // (a second break trial's were, and "nothing re-sent" sent the user to re-send them again).
  const landed = unread && resent.errors.some((e) => writeMayHaveLanded(e.message));
  const list = followUpCommand('notify list', configSource(values.config));
  const unmatched = matched
    ? undefined
    : landed
      ? `the dead letters may have been re-queued: a write of the notify state got no clear answer (the errors below); \`${list}\` shows whether`
      : unread
        ? 'nothing re-sent: the notify state could not be read or written (the errors below), so which dead letters match is not known'
        : `no dead letter matched${receiverNotConfigured(receivers, values.receiver)}; \`${list}\` shows them`;
  if (values.json) {
    const said =
      unmatched && !unread
        ? [...errors, { code: 'NoDeadLetterMatched', message: unmatched, retryable: false }]
        : errors;
    process.stdout.write(`${terminalJson({ requeued, notResent, kept, errors: said })}\n`);
    return errors.length === 0 && matched ? EXIT_OK : EXIT_FAILED;
  }
  for (const line of resendLines({ requeued, notResent })) process.stdout.write(`${line}\n`);
  if (requeued.length)
    process.stdout.write(
      `${counted(requeued.length, 'dead letter')} re-queued: the next run sends ${requeued.length === 1 ? 'it' : 'them'}.\n`,
    );
  if (notResent.length)
    process.stdout.write(
      `${counted(notResent.length, 'dead letter')} not re-sent and removed (why: above).\n`,
    );
  if (kept.length)
    process.stdout.write(
      `${counted(kept.length, 'dead letter')} matched and left as ${kept.length === 1 ? 'it is' : 'they are'} (why: the errors below).\n`,
    );
  if (unmatched) process.stderr.write(`error: ${unmatched}\n`);
  return reportErrors(errors) === EXIT_OK && matched ? EXIT_OK : EXIT_FAILED;
}

/** The configuration's receivers and notify settings, or why they could not be read (`unknown`). */
type NotifyReceivers = Pick<Config, 'sinks' | 'notify'> | { readonly unknown: string };

/**
 * What `notify list` and `notify resend` take of the configuration, read once: the state stores, and
 * the receivers with the notify settings. A configuration whose receivers or notify settings cannot be
 * read still gives its state (then read alone), and says why of the rest (`unknown`): the notices are
 * listed and re-sent all the same, only what depends on a receiver is not guessed.
 */
async function notifyConfigOf(
  file: string | undefined,
  verb: string,
): Promise<{
  readonly stores: ReturnType<typeof buildStateStores>;
  readonly receivers: NotifyReceivers;
  readonly state: Config['state'];
}> {
  const storesOf = (state: Config['state']) =>
    buildStateStores({ state }, process.env, stateAdviceOf(file, state));
  try {
    const config = await verbConfig(file, ['state', 'sinks', 'notify'], verb);
    return { stores: storesOf(config.state), receivers: config, state: config.state };
  } catch (error) {
    const { state } = await verbConfig(file, ['state'], verb);
    return {
      stores: storesOf(state),
      receivers: { unknown: terminalMessage(error instanceof Error ? error.message : String(error), 400) },
      state,
    };
  }
}

/**
 * Copies of gateways' documents in the state folder, on stderr in one line: not used, and not a failure
 * of the command (a break trial: `notify list` said they "could not be read", and exited 2).
 */
function warnOfCopies(copies: readonly CopiedDocument[] | undefined): void {
  if (copies?.length)
    process.stderr.write(`warning: ${terminalMessage(copiedDocumentsWarning(copies), 2000)}\n`);
}

/**
 * The silences a run applies (the configuration's and the stored ones: withStoredSilences, as a run
 * reads them), so a waiting notice one holds is listed as held by it, not "not sent yet"
 * (core/notice/mute.ts). Stored ones that cannot be read are left out, as a run leaves them
 * (fail-open), and not said here: `silence list` says why.
 */
async function silencesOf(
  config: Pick<Config, 'sinks' | 'notify'>,
  state: Config['state'],
  file: string | undefined,
): Promise<readonly Silence[]> {
  const store = typedStateStore(buildSilenceStore({ state }, process.env, stateAdviceOf(file, state)));
  const { policy } = await withStoredSilences(notifyPolicyOf(config), store, silentLogger);
  return policy.silences ?? [];
}

/**
 * Each receiver's group timers when it groups by gateway, as a run decides it (notifyPolicyOf,
 * groupingOf: its own `grouping`, else `notify.grouping`).
 */
function groupTimingsOf(
  config: Pick<Config, 'sinks' | 'notify'>,
): (receiver: string) => GroupTiming | undefined {
  const policy = notifyPolicyOf(config);
  const grouping = new Set(
    config.sinks.webhooks.filter((w) => groupingOf(w, policy) === 'gateway').map((w) => receiverKey(w.name)),
  );
  return (receiver) => (grouping.has(receiver) ? policy.groupTiming : undefined);
}

/**
 * How the configuration's receivers (`webhook[name]`) are read: a chat's (its format's `chat`) in
 * order, the others paired by episode. Receivers that could not be read say why (`unknown`): a
 * `recovered` that depends on it then stays a dead letter, and the error says so (a break trial: a
 * PagerDuty receiver's missing routingKey made every receiver "paired", and a Teams channel got a
 * false "recovered").
 */
function readingOrderOf(receivers: NotifyReceivers): ReadingOrder {
  if ('unknown' in receivers) return receivers;
  const chats = new Set(
    receivers.sinks.webhooks.filter((w) => WEBHOOK_FORMATS[w.format].chat).map((w) => receiverKey(w.name)),
  );
  return { readsInOrder: (receiver) => chats.has(receiver) };
}

/**
 * For `resend --receiver NAME` that matched nothing: `` (NAME is no configured receiver: sinks.webhooks
 * has "a", "b")`` when the configuration names no such receiver (a typo, most often), else ``. A
 * receiver since removed from the configuration may still hold dead letters, so this is a hint beside
 * the answer, never a refusal; a configuration whose webhooks cannot be read gives no hint.
 */
function receiverNotConfigured(receivers: NotifyReceivers, receiver: string | undefined): string {
  if (receiver === undefined || 'unknown' in receivers) return '';
  const names = receivers.sinks.webhooks.map((w) => w.name);
  if (names.includes(receiver)) return '';
  const listed = names.length
    ? `sinks.webhooks has ${names.map((n) => `"${terminalField(n, 80)}"`).join(', ')}`
    : 'sinks.webhooks is empty';
  return ` ("${terminalField(receiver, 80)}" is no configured receiver: ${listed})`;
}

function reportErrors(errors: readonly ReportedError[]): number {
  for (const error of errors) process.stderr.write(`error: ${error.message}\n`);
  return errors.length ? EXIT_FAILED : EXIT_OK;
}

/**
 * `notify test`: one `[TEST]` notice (and with --resolve its `recovered`) to one receiver, in its own
 * format, with its own retries; what it answered on stdout (delivered) or stderr (not). The receiver's
 * answer is already scrubbed of the URL and secrets and cut (webhook-notifier.ts); it is made safe for
 * the terminal here. No notify state is read or written.
 */
async function testVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(NOTIFY_TEST, args);
  // --receiver is required (verb-specs.ts): parseVerbArgs refused its absence.
  const config = await verbConfig(values.config, ['sinks', 'notify'], NOTIFY_TEST.name, {
    name: values.receiver,
    env: process.env,
    otherReceiversProblems: (problems) =>
      process.stderr.write(
        `warning: \`run\` refuses ${values.config ?? 'this configuration'} for its other receivers (fix them before the next run): ${problems.map((p) => terminalField(p, 400)).join('; ')}\n`,
      ),
  });
  const notifier = buildReceiver(config, process.env, values.receiver);
  if (!notifier) {
    const names = config.sinks.webhooks.map((w) => w.name);
    throw new UsageError(
      [
        `no receiver named "${terminalField(values.receiver, 80)}" ${settingPlace(values.config, 'APPGW_WEBHOOKS')}: ${
          names.length
            ? `sinks.webhooks has ${names.map((n) => `"${n}"`).join(', ')}`
            : 'sinks.webhooks is empty'
        }`,
      ],
      NOTIFY_TEST.name,
    );
  }
  const test = await sendTestNotice(notifier, systemClock, {
    resolve: values.resolve,
    defaultGrouping: config.notify.grouping,
  });
  const { sends } = test;
  const delivered = sends.every((s) => s.skipped !== undefined || s.result?.ok);
  if (values.json) {
    const report = {
      receiver: notifier.name,
      format: notifier.format,
      target: notifier.target,
      // The shape a run sends this receiver: `group` (a grouped message, the notice inside) or `server`.
      shape: test.shape,
      grouping: test.grouping,
      ...(test.shapeNote ? { shapeNote: test.shapeNote } : {}),
      delivered,
      sends: sends.map((s) => ({
        noticeId: s.notice.id,
        // PagerDuty's dedup_key: `appgw-test-ep-…`, one per test (core/notice/test-notice.ts).
        episodeId: episodeId(s.notice),
        type: s.notice.type,
        ...(s.groupId ? { groupId: s.groupId } : {}),
        ...(s.skipped ? { skipped: s.skipped } : {}),
        ...(s.result
          ? {
              delivered: s.result.ok,
              attempts: s.result.attempts,
              ...(s.result.error ? { error: s.result.error } : {}),
            }
          : {}),
      })),
    };
    process.stdout.write(`${terminalJson(report)}\n`);
    return delivered ? EXIT_OK : EXIT_FAILED;
  }
  for (const send of sends) {
    const what = `[TEST] ${send.notice.type} ${send.notice.id} to ${notifier.name} (${notifier.format}, ${notifier.target})${send.skipped ? '' : ` ${shapeText(test, send)}`}`;
    if (send.skipped) process.stdout.write(`not sent: ${what}: ${send.skipped}\n`);
    else if (send.result?.ok)
      process.stdout.write(`delivered: ${what}: ${attemptsText(send.result.attempts)}\n`);
    else {
      process.stderr.write(
        `error: not delivered: ${what}: ${terminalMessage(send.result?.error?.message ?? 'refused', 600)}\n`,
      );
      if (send.result?.attempts.length) process.stderr.write(`  ${attemptsText(send.result.attempts)}\n`);
    }
  }
  return delivered ? EXIT_OK : EXIT_FAILED;
}

/**
 * `in grouped message appgw-test-grp-… (grouping "gateway")` or `per-server (grouping "server")`: the
 * shape sent, the one a run sends this receiver, and why.
 */
function shapeText(test: TestNoticeReport, send: TestSend): string {
  const why = `grouping "${test.grouping}"${test.shapeNote ? `, but ${test.shapeNote}` : ''}`;
  if (test.shape === 'group') return `in grouped message ${send.groupId ?? 'appgw-test-grp-…'} (${why})`;
  return `per-server (${why})`;
}

/** `HTTP 202 at attempt 1` or `attempts: 503, 503, network error`: what the receiver answered. */
function attemptsText(attempts: readonly AttemptRecord[]): string {
  const last = attempts[attempts.length - 1];
  if (attempts.length === 1 && last?.status !== undefined) return `HTTP ${last.status} at attempt 1`;
  const each = attempts.map((a) =>
    a.status !== undefined ? `HTTP ${a.status}` : terminalMessage(a.error ?? 'no answer', 80),
  );
  return `${counted(attempts.length, 'attempt')}: ${each.join(', ')}`;
}
