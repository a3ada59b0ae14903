import { counted } from '../core/counted';
import { terminalSafe } from '../core/input/json-text';
import { clipMiddle, clipText } from '../core/text-clip';
import type { OutboxListing, ResendResult } from '../pipeline/notify/dead-letters';
import type { DeadLetter } from '../core/notice/outbox';
import type { UndeliveredNoticeReport } from '../core/run-report';
import { severityLabel, shownType, shownTypeWithWhy } from '../core/notice/notice-labels';
import { noticeEntryFields } from '../pipeline/notify/notice-entries';
import { terminalField, terminalMessage } from './terminal-text';
import { alignedColumns } from './aligned-columns';

/**
 * `notify list` as people read it: one line per undelivered notice; then, when state documents could
 * not be read, how many and which (named as their errors name them), and that their notices are not
 * known. "No undelivered notices." only when every document was read and none holds any: a document
 * that could not be read may hold some. Lines are terminal-safe (names and reasons come from ARM and
 * receivers).
 */
export function notifyListText(listing: OutboxListing): string[] {
  const lines = alignedColumns(listing.notices.map(noticeColumns)).map(terminalSafe);
  const unread = [...new Set(listing.errors.map((e) => e.document ?? 'a notify state document'))];
  if (!listing.listed) {
    lines.push(
      `The notify state could not be listed (${unread.join(', ')}): its undelivered notices are not known (the error says why).`,
    );
  } else if (unread.length > 0) {
    if (lines.length === 0 && listing.read > 0)
      lines.push(
        `No undelivered notices in the ${counted(listing.read, 'notify state document')} that could be read.`,
      );
    lines.push(
      `${counted(unread.length, 'notify state document')} could not be read, so ${unread.length === 1 ? 'its' : 'their'} undelivered notices are not known: ${unread.join(', ')} (${unread.length === 1 ? 'the error says' : 'the errors say'} why).`,
    );
  } else if (lines.length === 0) {
    lines.push('No undelivered notices.');
  }
  return lines.map(terminalSafe);
}

/**
 * One notice. The receiver's answer (`reason`) and the names can be long: each is clipped between
 * words before the line is made terminal-safe, so an escape (`\u001b`) is never cut in two.
 */
function noticeColumns(n: UndeliveredNoticeReport): { readonly columns: string[]; readonly rest: string } {
  // The severity in parentheses, as the run summary says it: beside the type, a recovered's "the
  // episode was warning" read as one phrase ("recovered the episode was warning", a new-user trial).
  // Its leading columns are padded with the other rows' (alignedColumns).
  const f = (text: string, limit: number) => clipText(text.replace(/\s+/g, ' ').trim(), limit);
  // The answer keeps its start and its end (where a receiver says what was wrong), as every error
  // message on the terminal does (terminal-text.ts terminalMessage; issue 15's trial: its tail was lost).
  const reason = clipMiddle(n.reason.replace(/\s+/g, ' ').trim(), REASON_LIMIT);
  // An episode ended without a recovery is never listed as `recovered` (the summary says `ended` too).
  const ended = n.ended !== undefined ? `episode ended: ${f(n.ended, 200)}; ` : '';
  return {
    columns: [n.status, f(n.receiver, 80), f(n.noticeId, 80), f(shownType(n), 20), `(${severityLabel(n)})`],
    rest: `${f(n.server, 400)}  (since ${f(n.queuedAt, 40)}, ${counted(n.failedRuns, 'failed run')}): ${ended}${reason}`,
  };
}

/** Characters of a receiver's answer shown per notice (`--json` has it whole). */
export const REASON_LIMIT = 300;

/**
 * `notify resend`'s lines, one per dead letter re-queued or not re-sent. A `recovered` that ended its
 * episode without a recovery is `ended (why)`, as `notify list` says it (a trial: `recovered` of a
 * deleted gateway's). The receiver's answer (`letter.reason`) comes from the network: one safe line.
 */
export function resendLines(result: Pick<ResendResult, 'requeued' | 'notResent'>): string[] {
  const typeOf = (letter: DeadLetter) => shownTypeWithWhy(noticeEntryFields('', letter));
  const was = (letter: DeadLetter) => terminalMessage(letter.reason, REASON_LIMIT);
  return [
    ...result.requeued.map(
      ({ receiver, letter }) =>
        `re-queued ${terminalField(receiver, 80)}  ${terminalField(letter.notice.id, 80)}  ${typeOf(letter)} (was: ${was(letter)})`,
    ),
    ...result.notResent.map(
      ({ receiver, letter, reason }) =>
        `not re-sent ${terminalField(receiver, 80)}  ${terminalField(letter.notice.id, 80)}  ${typeOf(letter)}: ${reason} (was: ${was(letter)})`,
    ),
  ];
}
