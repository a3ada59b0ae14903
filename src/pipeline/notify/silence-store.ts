import * as z from '../../core/input/zod';
import { terminalSafe } from '../../core/input/json-text';
import type { NotifyPolicy } from '../../core/notice/decide';
import { isSilenceOver, type Silence } from '../../core/notice/silence';
import { silencesSchema } from '../../core/notice/silence-schema';
import { reportedError } from '../../core/reported-error';
import type { ReportedError } from '../../core/run-report';
import {
  isStateConflictError,
  isStateInvalidError,
  StateConflictError,
  toError,
  UsageError,
} from '../../errors';
import type { StateStore } from '../../ports';
import type { Logger } from '../logger';
import { parseStoredDocument } from './state-document';

/**
 * The silences added with `appgw-insights silence add`, kept with the notify state in one document
 * (`<state.dir>/silences.json`, or the blob `notify/silences.json` in the state container), written
 * with ETag conditions like the gateways' documents. Field names are a contract: add, never rename.
 * Expired silences stay (with `expiredAt`) so `silence list` can show what was in force.
 */
export interface SilenceDocument {
  readonly version: 1;
  readonly silences: readonly Silence[];
}

const documentSchema = z.looseObject({
  version: z.literal(1),
  silences: z._default(silencesSchema, []),
});

const MAX_CONFLICT_RETRIES = 5;

/** A stored value as a silence document: undefined is none yet; anything else invalid throws StateInvalidError. */
export function parseSilenceDocument(value: unknown, document: string): SilenceDocument {
  if (value === undefined) return { version: 1, silences: [] };
  return parseStoredDocument(documentSchema, value, document) as unknown as SilenceDocument;
}

/** The stored silences (every one, expired too). Throws the store's errors, or StateInvalidError. */
export async function readStoredSilences(store: StateStore<SilenceDocument>): Promise<readonly Silence[]> {
  return parseSilenceDocument((await store.read())?.value, store.name).silences;
}

/**
 * `policy` with the stored silences added to the config's. Fail-open: when the silence document cannot
 * be read or is not valid, the run goes on with the config's silences only (a notice sent during
 * maintenance is noise; one lost because a blob was unreadable is a missed outage) and the failure is
 * returned, to be reported as a state error naming the document.
 */
export async function withStoredSilences(
  policy: NotifyPolicy,
  store: StateStore<SilenceDocument> | undefined,
  logger: Logger,
): Promise<{ policy: NotifyPolicy; error?: ReportedError }> {
  if (!store) return { policy };
  try {
    const stored = await readStoredSilences(store);
    return stored.length
      ? { policy: { ...policy, silences: [...(policy.silences ?? []), ...stored] } }
      : { policy };
  } catch (error) {
    const reported = reportedError(toError(error));
    const withDocument = {
      ...reported,
      document: reported.document ?? store.name,
      // An invalid document says so itself (errors.ts, the silences' kind); said once.
      message: isStateInvalidError(error)
        ? reported.message
        : `${reported.message} Stored silences are not applied this run (notices are sent).`,
    };
    logger.error(withDocument.message);
    return { policy, error: withDocument };
  }
}

/** Changes the document with `change`, retried on ETag conflicts (another `silence` verb, a run never writes it). */
async function update(
  store: StateStore<SilenceDocument>,
  change: (silences: readonly Silence[]) => readonly Silence[],
): Promise<readonly Silence[]> {
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const stored = await store.read();
    const next = change(parseSilenceDocument(stored?.value, store.name).silences);
    try {
      await store.write({ version: 1, silences: next }, stored?.etag);
      return next;
    } catch (error) {
      if (!isStateConflictError(error)) throw error;
    }
  }
  throw new StateConflictError(store.name);
}

/**
 * Adds `silence` (already valid per the schema). Throws UsageError when its id is the id of any stored
 * silence, active, pending or expired, or of one in the config (`configSilences`): a silence id is never
 * reused, so `silence list --all`, the report and the state's `silenceIds` keep naming one silence.
 */
export async function addSilence(
  store: StateStore<SilenceDocument>,
  silence: Silence,
  now: Date,
  configSilences: readonly Silence[] = [],
): Promise<void> {
  const id = terminalSafe(silence.id);
  if (configSilences.some((s) => s.id === silence.id))
    throw new UsageError(
      [`--id: "${id}" is the id of a silence in the configuration (notify.silences); choose another --id`],
      'silence add',
    );
  await update(store, (silences) => {
    const taken = silences.find((s) => s.id === silence.id);
    if (taken) {
      const over = isSilenceOver(taken, now);
      throw new UsageError(
        [
          over
            ? `--id: "${id}" was the id of a silence that is over (${taken.expiredAt ? `expired at ${taken.expiredAt}` : `ended at ${taken.endsAt ?? ''}`}); a silence id is never reused: choose another --id (e.g. "${id}-2")`
            : `--id: "${id}" is the id of a silence in force or pending; choose another --id, or end it first with \`appgw-insights silence expire ${id}\` (its id stays taken)`,
        ],
        'silence add',
      );
    }
    return [...silences, silence];
  });
}

/** Expires the silence `id` at `now`. Throws UsageError when no stored silence has that id. */
export async function expireSilence(
  store: StateStore<SilenceDocument>,
  id: string,
  now: Date,
): Promise<Silence> {
  let expired: Silence | undefined;
  await update(store, (silences) => {
    const found = silences.find((s) => s.id === id);
    if (!found)
      throw new UsageError(
        [`no stored silence "${terminalSafe(id)}"; \`appgw-insights silence list\` shows them`],
        'silence expire',
      );
    expired = { ...found, expiredAt: found.expiredAt ?? now.toISOString() };
    return silences.map((s) => (s.id === id ? (expired as Silence) : s));
  });
  return expired as Silence;
}
