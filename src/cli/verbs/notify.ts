import { counted } from '../../core/counted';
import { followUpCommand } from '../../core/follow-up-command';
import { buildReceiver, buildStateStores } from '../../app/build-adapters';
import { systemClock } from '../../adapters/clock/system-clock';
import { gatewayIdProblem } from '../../core/arm-id';
import { UsageError } from '../../errors';
import { listOutboxes, resendDeadLetters, type ReadingOrder } from '../../pipeline/notify/dead-letters';
import { sendTestNotice, type TestNoticeReport, type TestSend } from '../../pipeline/notify/send-test-notice';
import { episodeId } from '../../core/notice/episode';
import { receiverKey } from '../../core/notice/receiver-name';
import type { GroupTiming } from '../../core/notice/grouping';
import type { AttemptRecord } from '../../ports';
import type { ReportedError } from '../../core/run-report';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { notifyListText, resendLines } from '../notify-list-text';
import { terminalField, terminalJson, terminalMessage } from '../terminal-text';
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
  const stores = await stateStoresOf(values.config, NOTIFY_LIST.name);
  const grouping = await groupTimingsOf(values.config);
  // Not known, "not sent yet" may be untrue of a notice held for its group: said, not hidden (a trial).
  if ('unknown' in grouping)
    process.stderr.write(
      `warning: the configuration's receivers or notify settings could not be read (${grouping.unknown}): a notice held for its group's next message is listed as not sent yet\n`,
    );
  const listing = await listOutboxes(
    stores,
    systemClock,
    'timingOf' in grouping ? grouping.timingOf : undefined,
  );
  process.stdout.write(
    values.json ? `${terminalJson(listing)}\n` : `${notifyListText(listing).join('\n')}\n`,
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
  const stores = await stateStoresOf(values.config, NOTIFY_RESEND.name);
  const { requeued, notResent, errors } = await resendDeadLetters(
    stores,
    {
      ...(values.notice ? { noticeId: values.notice } : {}),
      ...(values.receiver ? { receiver: values.receiver } : {}),
      ...(values.gateway ? { gateway: values.gateway } : {}),
    },
    await receiversReadingOrder(values.config),
  );
  const matched = requeued.length + notResent.length > 0;
  const unmatched = matched
    ? undefined
    : `no dead letter matched${await receiverNotConfigured(values.config, values.receiver)}; \`${followUpCommand('notify list', configSource(values.config))}\` shows them`;
  if (values.json) {
    const said = unmatched
      ? [...errors, { code: 'NoDeadLetterMatched', message: unmatched, retryable: false }]
      : errors;
    process.stdout.write(`${terminalJson({ requeued, notResent, errors: said })}\n`);
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
  if (unmatched) process.stderr.write(`error: ${unmatched}\n`);
  return reportErrors(errors) === EXIT_OK && matched ? EXIT_OK : EXIT_FAILED;
}

/**
 * Each receiver's group timers when it groups by gateway (its own `grouping`, else `notify.grouping`),
 * from the configuration; or why they could not be read (`unknown`).
 */
async function groupTimingsOf(
  file: string | undefined,
): Promise<
  { readonly timingOf: (receiver: string) => GroupTiming | undefined } | { readonly unknown: string }
> {
  try {
    const { sinks, notify } = await verbConfig(file, ['sinks', 'notify'], NOTIFY_LIST.name);
    const timing: GroupTiming = { groupWaitInMs: notify.groupWait, groupIntervalInMs: notify.groupInterval };
    const grouping = new Set(
      sinks.webhooks
        .filter((w) => (w.grouping ?? notify.grouping) === 'gateway')
        .map((w) => receiverKey(w.name)),
    );
    return { timingOf: (receiver) => (grouping.has(receiver) ? timing : undefined) };
  } catch (error) {
    return { unknown: terminalMessage(error instanceof Error ? error.message : String(error), 400) };
  }
}

/** Formats whose messages a person reads in order, in a channel (dead-letters.ts resendDeadLetters). */
const READ_IN_ORDER: ReadonlySet<string> = new Set(['teams', 'slack']);

/**
 * How the configuration's receivers (`webhook[name]`) are read: chats (READ_IN_ORDER) in order, the
 * others paired by episode. A configuration whose receivers cannot be read says why (`unknown`): a
 * `recovered` that depends on it then stays a dead letter, and the error says so (a break trial: a
 * PagerDuty receiver's missing routingKey made every receiver "paired", and a Teams channel got a
 * false "recovered").
 */
async function receiversReadingOrder(file: string | undefined): Promise<ReadingOrder> {
  try {
    const webhooks = (await verbConfig(file, ['sinks'], NOTIFY_RESEND.name)).sinks.webhooks;
    const chats = new Set(
      webhooks.filter((w) => READ_IN_ORDER.has(w.format)).map((w) => receiverKey(w.name)),
    );
    return { readsInOrder: (receiver) => chats.has(receiver) };
  } catch (error) {
    return { unknown: terminalMessage(error instanceof Error ? error.message : String(error), 400) };
  }
}

/**
 * For `resend --receiver NAME` that matched nothing: `` (NAME is no configured receiver: sinks.webhooks
 * has "a", "b")`` when the configuration names no such receiver (a typo, most often), else ``. A
 * receiver since removed from the configuration may still hold dead letters, so this is a hint beside
 * the answer, never a refusal; a configuration whose webhooks cannot be read gives no hint.
 */
async function receiverNotConfigured(
  file: string | undefined,
  receiver: string | undefined,
): Promise<string> {
  if (receiver === undefined) return '';
  let names: string[];
  try {
    names = (await verbConfig(file, ['sinks'], NOTIFY_RESEND.name)).sinks.webhooks.map((w) => w.name);
  } catch {
    return '';
  }
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

/**
 * The notify state of config file `file`, or of the APPGW_* settings without one; a state file's
 * failure names its state.dir (or APPGW_STATE_DIR).
 */
async function stateStoresOf(
  file: string | undefined,
  verb: string,
): Promise<ReturnType<typeof buildStateStores>> {
  const config = await verbConfig(file, ['state'], verb);
  return buildStateStores(config, process.env, stateAdviceOf(file, config.state));
}
