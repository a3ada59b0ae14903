import { buildStateStores } from '../../app/build-adapters';
import { systemClock } from '../../adapters/clock/system-clock';
import { loadConfigFile } from '../../config/load';
import { gatewayIdProblem } from '../../core/arm-id';
import { UsageError } from '../../errors';
import { listOutboxes, resendDeadLetters } from '../../pipeline/notify/dead-letters';
import type { ReportedError } from '../../core/run-report';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { notifyListText } from '../notify-list-text';
import { terminalJson } from '../terminal-text';
import { parseVerbArgs } from '../verb-args';
import { NOTIFY, NOTIFY_LIST, NOTIFY_RESEND } from '../verb-specs';

/**
 * The undelivered notices in the notify state (`state.dir` or `state.blob` of the config):
 * `list` shows every waiting, leased and dead-letter notice; `resend` moves the dead letters that
 * match back into their outbox, where the next run sends them (same ids) before anything new.
 * Exit 2 when a state document could not be read, or `resend` matched nothing.
 */
export async function notifyVerb(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'list') return listVerb(rest);
  if (action === 'resend') return resendVerb(rest);
  throw new UsageError([`after "notify", say "list" or "resend"`], NOTIFY.name);
}

/** `notify list`: every waiting, leased and dead-letter notice. */
async function listVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(NOTIFY_LIST, args);
  if (!values.config) throw new UsageError(['--config FILE is required'], NOTIFY_LIST.name);
  const stores = buildStateStores(await loadConfigFile(values.config), process.env);
  const listing = await listOutboxes(stores, systemClock);
  process.stdout.write(
    values.json ? `${terminalJson(listing)}\n` : `${notifyListText(listing).join('\n')}\n`,
  );
  return reportErrors(listing.errors);
}

/** `notify resend`: the matching dead letters back into their outbox. */
async function resendVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(NOTIFY_RESEND, args);
  const issues: string[] = [];
  if (!values.config) issues.push('--config FILE is required');
  const filtered = values.notice ?? values.receiver ?? values.gateway;
  if (!filtered && !values.all)
    issues.push('say which dead letters: --notice ID, --receiver NAME, --gateway ARM-ID, or --all');
  // A mistyped id would name no state document and match nothing: say what is wrong with it instead.
  const gatewayProblem = values.gateway === undefined ? undefined : gatewayIdProblem(values.gateway);
  if (gatewayProblem) issues.push(`--gateway: ${gatewayProblem}`);
  if (issues.length) throw new UsageError(issues, NOTIFY_RESEND.name);
  const stores = buildStateStores(await loadConfigFile(values.config as string), process.env);
  const { requeued, errors } = await resendDeadLetters(stores, {
    ...(values.notice ? { noticeId: values.notice } : {}),
    ...(values.receiver ? { receiver: values.receiver } : {}),
    ...(values.gateway ? { gateway: values.gateway } : {}),
  });
  for (const { receiver, letter } of requeued) {
    process.stdout.write(
      `re-queued ${receiver}  ${letter.notice.id}  ${letter.notice.type} (was: ${letter.reason})\n`,
    );
  }
  if (requeued.length)
    process.stdout.write(`${requeued.length} dead letter(s) re-queued: the next run sends them.\n`);
  else
    process.stderr.write(
      'error: no dead letter matched; `appgw-insights notify list --config FILE` shows them\n',
    );
  return reportErrors(errors) === EXIT_OK && requeued.length > 0 ? EXIT_OK : EXIT_FAILED;
}

function reportErrors(errors: readonly ReportedError[]): number {
  for (const error of errors) process.stderr.write(`error: ${error.message}\n`);
  return errors.length ? EXIT_FAILED : EXIT_OK;
}
