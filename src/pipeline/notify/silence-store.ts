import { setTimeout as sleep } from 'node:timers/promises';
import * as z from '../../core/input/zod';
import { followUpCommand, type ConfigSource } from '../../core/follow-up-command';
import { terminalSafe } from '../../core/input/json-text';
import { clipMessage, clipText } from '../../core/text-clip';
import type { NotifyPolicy } from '../../core/notice/decide';
import { isSilenceOver, type Silence } from '../../core/notice/silence';
import { readStoredSilenceEntries, type StoredSilenceEntry } from '../../core/notice/silence-schema';
import { reportedError } from '../../core/reported-error';
import type { ReportedError } from '../../core/run-report';
import {
  isStateConflictError,
  isStateInvalidError,
  StateConflictError,
  StoredSilenceInvalidError,
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
 * Expired silences stay (with `expiredAt`) so `silence list` can show what was in force. `setAside`:
 * stored silences this version did not accept, moved out of `silences` by `silence expire`, each kept
 * as it was stored (`silence`) with when and why (`setAsideAt`, `problems`); their ids stay taken.
 */
export interface SilenceDocument {
  readonly version: 1;
  /** Each as stored: an entry this version does not accept is kept (and reported), never rewritten. */
  readonly silences: readonly unknown[];
  readonly setAside?: readonly SetAsideSilence[];
}

/** A stored silence `silence expire` moved out of `silences` because it was not valid. */
export interface SetAsideSilence {
  /** ISO 8601 UTC. */
  readonly setAsideAt: string;
  readonly problems: readonly string[];
  /** The entry exactly as it was stored. */
  readonly silence: unknown;
}

/**
 * The envelope only, read strictly: a document that is not this version's fails as a whole (fail
 * open, StateInvalidError). The entries are checked one by one (readStoredSilenceEntries), so a silence
 * an earlier release accepted and this one refuses costs that silence alone.
 */
const documentSchema = z.looseObject(
  {
    version: z.literal(1, {
      error: (issue) =>
        `is ${JSON.stringify(issue.input) ?? 'missing'}; this version reads and writes version 1 only`,
    }),
    silences: z._default(z.array(z.unknown(), { error: 'must be a list of silences' }), []),
    setAside: z.optional(z.array(z.unknown(), { error: 'must be a list' })),
  },
  { error: 'is not a JSON object {"version": 1, "silences": [...]}' },
);

/**
 * Tries of a silence verb's write when another one wrote in between, each after a pause that doubles
 * (20 ms, up to 320 ms, jittered): about 2 s in all. Five tries at once lost 3 of 20 `silence add`s
 * started together (a trial), whose users were told to retry what a run resolves on its own.
 */
const MAX_CONFLICT_RETRIES = 10;

/** A silence document read: its envelope as stored (unknown keys kept) and each entry checked. */
export interface StoredSilences {
  readonly document: Readonly<Record<string, unknown>> & SilenceDocument;
  readonly entries: readonly StoredSilenceEntry[];
}

/**
 * A stored value as a silence document: undefined is none yet. Throws StateInvalidError when the
 * envelope is not a version-1 document; entries that are not valid silences are returned as such.
 */
export function parseSilenceDocument(value: unknown, document: string): StoredSilences {
  if (value === undefined) return { document: { version: 1, silences: [] }, entries: [] };
  const parsed = parseStoredDocument(
    documentSchema,
    value,
    document,
  ) as unknown as StoredSilences['document'];
  return { document: parsed, entries: readStoredSilenceEntries(parsed.silences) };
}

/** Each stored entry that is not a valid silence, as the error that says what to do about it. */
function invalidEntries(
  entries: readonly StoredSilenceEntry[],
  document: string,
  config?: ConfigSource,
): StoredSilenceInvalidError[] {
  return entries.flatMap((entry, index) =>
    entry.silence
      ? []
      : [
          new StoredSilenceInvalidError(
            document,
            index + 1,
            entry.id,
            entry.problems,
            entry.id === undefined ? undefined : followUpCommand('silence expire', config, entry.id),
            entry.id !== undefined && entries.some((other, i) => i !== index && other.id === entry.id),
          ),
        ],
  );
}

/** A stored entry that is not a valid silence, as `silence list --all` shows it. */
export interface StoredEntryNotValid {
  /** Its id when it has a usable one (text `silence expire` can be given). */
  readonly id: string | undefined;
  /** Its place in its list (`silences` or `setAside`), from 1: as its error names it ("entry 4"). */
  readonly entry: number;
  /** `field: problem` lines, terminal-safe, at most MAX_LISTED_PROBLEMS. */
  readonly problems: readonly string[];
  /** ISO: when `silence expire` set it aside; absent for one still in `silences`. */
  readonly setAsideAt?: string;
  /** The entry as stored; absent when its JSON is longer than MAX_LISTED_ENTRY_CHARS (see `omitted`). */
  readonly stored?: unknown;
  /** Why `stored` is absent: its size, and where it is. */
  readonly omitted?: string;
}

/** Most problems listed per entry, and the longest entry JSON listed (a stored document may hold anything). */
const MAX_LISTED_PROBLEMS = 20;
const MAX_LISTED_ENTRY_CHARS = 8_192;

/** What a stored silence document holds, for `silence list`. */
export interface StoredSilencesRead {
  /** The valid ones, every one (expired too). */
  readonly silences: readonly Silence[];
  /** One per entry of `silences` that is not valid (not applied). */
  readonly invalid: readonly StoredSilenceInvalidError[];
  /** The entries of `silences` that are not valid, in order (the same as `invalid`, for a listing). */
  readonly notValid: readonly StoredEntryNotValid[];
  /** The entries `silence expire` set aside, in order, each read leniently (hand edits included). */
  readonly setAside: readonly (StoredEntryNotValid & { readonly setAsideAt: string | undefined })[];
}

/**
 * The stored silences that are valid (every one, expired too), one StoredSilenceInvalidError per
 * entry that is not (not applied), and the entries not valid and set aside, for a listing. Throws the
 * store's errors, or StateInvalidError (the envelope). `config`: where the verb's configuration came
 * from, which each error's `silence expire` command names (follow-up-command.ts; absent: `--config FILE`).
 */
export async function readStoredSilences(
  store: StateStore<SilenceDocument>,
  config?: ConfigSource,
): Promise<StoredSilencesRead> {
  const { document, entries } = parseSilenceDocument((await store.read())?.value, store.name);
  return {
    silences: entries.flatMap((e) => (e.silence ? [e.silence] : [])),
    invalid: invalidEntries(entries, store.name, config),
    notValid: entries.flatMap((e, index) =>
      e.silence
        ? []
        : [
            {
              id: e.id,
              entry: index + 1,
              ...listedEntry(e.raw, store.name),
              problems: listedProblems(e.problems),
            },
          ],
    ),
    setAside: (document.setAside ?? []).map((entry, index) => setAsideListed(entry, index + 1, store.name)),
  };
}

/**
 * A `setAside` entry as listed. Written as SetAsideSilence, but the document may have been edited by
 * hand: each field is taken only when it has its type (an entry that is not an object is listed with
 * no id and a problem saying so), and every text is made terminal-safe.
 */
function setAsideListed(
  entry: unknown,
  place: number,
  document: string,
): StoredEntryNotValid & { readonly setAsideAt: string | undefined } {
  const fields = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
  const id = setAsideId(entry);
  const problems = Array.isArray(fields['problems'])
    ? fields['problems'].filter((p): p is string => typeof p === 'string')
    : [];
  const at = fields['setAsideAt'];
  return {
    // Cut before escaping (the stored text may be huge) and after (never inside an escape sequence).
    id: typeof id === 'string' ? clipText(terminalSafe(clipText(id, 64)), 64) : undefined,
    entry: place,
    setAsideAt:
      typeof at === 'string' && !Number.isNaN(Date.parse(at))
        ? new Date(Date.parse(at)).toISOString()
        : undefined,
    problems: listedProblems(
      typeof entry === 'object' && entry !== null && !Array.isArray(entry)
        ? problems
        : ['(entry): is not an object {"setAsideAt", "problems", "silence"}'],
    ),
    ...listedEntry('silence' in fields ? fields['silence'] : entry, document),
  };
}

function listedProblems(problems: readonly string[]): string[] {
  // Each keeps its start and its end (what to do), cut before escaping and after, as the id.
  const listed = problems
    .slice(0, MAX_LISTED_PROBLEMS)
    .map((p) => clipMessage(terminalSafe(clipMessage(p, 500)), 500));
  return problems.length > MAX_LISTED_PROBLEMS
    ? [...listed, `… and ${problems.length - MAX_LISTED_PROBLEMS} more`]
    : listed;
}

/** `{stored}` when the entry's JSON is short enough to list, else `{omitted}` saying where it is. */
function listedEntry(raw: unknown, document: string): Pick<StoredEntryNotValid, 'stored' | 'omitted'> {
  const size = (JSON.stringify(raw) ?? '').length;
  return size <= MAX_LISTED_ENTRY_CHARS
    ? { stored: raw }
    : { omitted: `its JSON is ${size} characters, too long to list: it is in ${document}` };
}

/**
 * `policy` with the stored silences added to the config's. Fail-open: when the silence document cannot
 * be read or is not valid, the run goes on with the config's silences only (a notice sent during
 * maintenance is noise; one lost because a blob was unreadable is a missed outage) and the failure is
 * returned, to be reported as a state error naming the document. A stored silence that is not valid is
 * not applied, the others are; each such one is returned as its own error (StoredSilenceInvalid).
 */
export async function withStoredSilences(
  policy: NotifyPolicy,
  store: StateStore<SilenceDocument> | undefined,
  logger: Logger,
): Promise<{ policy: NotifyPolicy; errors: readonly ReportedError[] }> {
  if (!store) return { policy, errors: [] };
  try {
    const { silences, invalid } = await readStoredSilences(store);
    const errors = invalid.map((error) => ({ ...reportedError(error), failedOpen: true }));
    for (const error of errors) logger.error(error.message);
    return silences.length
      ? { policy: { ...policy, silences: [...(policy.silences ?? []), ...silences] }, errors }
      : { policy, errors };
  } catch (error) {
    const reported = reportedError(toError(error));
    const withDocument = {
      ...reported,
      document: reported.document ?? store.name,
      failedOpen: true,
      // An invalid document says so itself (errors.ts, the silences' kind); said once.
      message: isStateInvalidError(error)
        ? reported.message
        : `${reported.message} Stored silences are not applied this run (notices are sent).`,
    };
    logger.error(withDocument.message);
    return { policy, errors: [withDocument] };
  }
}

/**
 * Changes the document with `change`, retried on ETag conflicts (another `silence` verb, a run never
 * writes it). Entries `change` keeps are written back as they were stored (`raw`), valid or not, and
 * keys of the document this version does not know are kept.
 */
async function update(
  store: StateStore<SilenceDocument>,
  change: (read: StoredSilences) =>
    | {
        entries: readonly StoredSilenceEntry[];
        setAside?: readonly SetAsideSilence[];
      }
    | undefined,
): Promise<void> {
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const stored = await store.read();
    const read = parseSilenceDocument(stored?.value, store.name);
    const next = change(read);
    // Nothing to write: the document already holds the change.
    if (next === undefined) return;
    const setAside = [...(read.document.setAside ?? []), ...(next.setAside ?? [])];
    try {
      await store.write(
        {
          ...read.document,
          version: 1,
          silences: next.entries.map((e) => e.raw),
          ...(setAside.length ? { setAside } : {}),
        },
        stored?.etag,
      );
      return;
    } catch (error) {
      if (!isStateConflictError(error)) throw error;
    }
    // Apart from the other writers, not in step with them.
    await sleep(20 * 2 ** Math.min(attempt, 4) * (0.5 + Math.random()));
  }
  throw new StateConflictError(store.name, {
    whatToDo: `Other silence commands changed the silences ${MAX_CONFLICT_RETRIES} times while this one tried to write them: run this command again.`,
  });
}

/** The id of a set-aside entry's silence, when it has one in text. */
function setAsideId(entry: unknown): unknown {
  const silence =
    typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['silence'] : undefined;
  return typeof silence === 'object' && silence !== null
    ? (silence as Record<string, unknown>)['id']
    : undefined;
}

/**
 * Adds `silence` (already valid per the schema). Throws UsageError when its id is the id of any stored
 * silence, active, pending or expired, or of one in the config (`configSilences`): a silence id is never
 * reused, so `silence list --all`, the report and the state's `silenceIds` keep naming one silence.
 * `config`: where the verb's configuration came from, which the follow-up command it suggests names.
 */
export async function addSilence(
  store: StateStore<SilenceDocument>,
  silence: Silence,
  now: Date,
  configSilences: readonly Silence[] = [],
  config?: ConfigSource,
): Promise<void> {
  const id = terminalSafe(silence.id);
  // One that has ended would never apply, and its id could never be used again: never stored.
  if (isSilenceOver(silence, now))
    throw new UsageError(
      [
        `--ends: the silence would end at ${terminalSafe(silence.endsAt ?? '')}, in the past (now ${now.toISOString()}): it would never apply; give an end after now`,
      ],
      'silence add',
    );
  if (configSilences.some((s) => s.id === silence.id))
    throw new UsageError(
      [`--id: "${id}" is the id of a silence in the configuration (notify.silences); choose another --id`],
      'silence add',
    );
  // Whether this command has sent its write: a write that landed but whose answer was lost (a reset,
  // a 500 OperationTimedOut) is tried again, meets the document it changed, and finds its own silence
  // there (a break trial: "p4 is the id of a silence in force", for the silence this command stored).
  let written = false;
  await update(store, ({ document, entries }) => {
    if (written && entries.some((e) => e.id === silence.id && sameJson(e.raw, silence))) return undefined;
    const invalid = entries.find((e) => !e.silence && e.id === silence.id);
    if (invalid || (document.setAside ?? []).some((e) => setAsideId(e) === silence.id))
      throw new UsageError(
        [
          `--id: "${id}" is the id of a stored silence that is not valid${invalid ? '' : ' (set aside)'}; a silence id is never reused: choose another --id (e.g. "${id}-2")`,
        ],
        'silence add',
      );
    const taken = entries.find((e) => e.silence?.id === silence.id)?.silence;
    if (taken) {
      const over = isSilenceOver(taken, now);
      throw new UsageError(
        [
          over
            ? `--id: "${id}" was the id of a silence that is over (${taken.expiredAt ? `expired at ${taken.expiredAt}` : `ended at ${taken.endsAt ?? ''}`}); a silence id is never reused: choose another --id (e.g. "${id}-2")`
            : `--id: "${id}" is the id of a silence in force or pending, and a silence id is never reused: choose another --id (e.g. "${id}-2"). To replace that silence, end it with \`${followUpCommand('silence expire', config, silence.id)}\` and add the new one under another id`,
        ],
        'silence add',
      );
    }
    written = true;
    return { entries: [...entries, { raw: silence, silence, id: silence.id }] };
  });
}

/** Whether `stored` (a stored entry as read) is `silence` as this command wrote it, field for field. */
function sameJson(stored: unknown, silence: Silence): boolean {
  return JSON.stringify(stored) === JSON.stringify(silence);
}

/**
 * What `silence expire` did: the silence expired (`already`: it had been over before, expired at
 * `expiredAt`, or its window ended at `endsAt`: nothing changed), the entry (not valid) set aside, or
 * found set aside before (`alreadySetAside`: nothing changed; it never applied).
 */
export type ExpireOutcome =
  | { readonly expired: Silence; readonly already?: 'expired' | 'ended' }
  | { readonly setAside: SetAsideSilence; readonly id: string }
  | {
      readonly alreadySetAside: StoredEntryNotValid & { readonly setAsideAt: string | undefined };
      readonly id: string;
    };

/**
 * Expires the stored silence `id` at `now` (keeping an earlier `expiredAt`). A stored entry with that
 * id that is not a valid silence cannot be given `expiredAt` as a silence: it is moved, exactly as
 * stored, from `silences` to `setAside` (with `now` and its problems), so it is no longer reported and
 * nothing of it is lost. Every entry with that id is handled (a duplicate id is itself a problem).
 * The other entries are written back as stored. An id found only in `setAside` changes nothing
 * (`alreadySetAside`). Throws UsageError when no stored entry, nor set-aside one, has that id (saying
 * the `silence list` command as `config` says, or, for a silence of the configuration, where to remove it).
 */
/** Where the configuration's silences are set, for a message telling the user to remove one. */
function silencesSetting(config: ConfigSource | undefined): string {
  if (config === 'environment') return 'the APPGW_NOTIFY_SILENCES setting';
  return `notify.silences in ${config === undefined ? 'the configuration file' : terminalSafe(config.file)}`;
}

export async function expireSilence(
  store: StateStore<SilenceDocument>,
  id: string,
  now: Date,
  configSilences: readonly Silence[] = [],
  config?: ConfigSource,
): Promise<ExpireOutcome> {
  let outcome: ExpireOutcome | undefined;
  await update(store, ({ document, entries }) => {
    outcome = undefined;
    if (!entries.some((e) => e.id === id)) {
      const setAside = document.setAside ?? [];
      const place = setAside.findIndex((e) => setAsideId(e) === id);
      // Set aside already: nothing to expire (it never applied), said as such, like "already expired".
      if (place >= 0) {
        outcome = { alreadySetAside: setAsideListed(setAside[place], place + 1, store.name), id };
        return { entries };
      }
      throw new UsageError(
        [
          configSilences.some((s) => s.id === id)
            ? `"${terminalSafe(id)}" is a silence of the configuration, not a stored one: \`silence expire\` ends only those added with \`silence add\`; to end it, remove it from ${silencesSetting(config)}`
            : `no stored silence "${terminalSafe(id)}"; \`${followUpCommand('silence list', config)}\` shows them`,
        ],
        'silence expire',
      );
    }
    const setAside: SetAsideSilence[] = [];
    const kept: StoredSilenceEntry[] = [];
    for (const entry of entries) {
      if (entry.id !== id) kept.push(entry);
      else if (entry.silence && isSilenceOver(entry.silence, now)) {
        // Over already (expired before, or its window ended): said so, left as stored.
        kept.push(entry);
        outcome ??= { expired: entry.silence, already: entry.silence.expiredAt ? 'expired' : 'ended' };
      } else if (entry.silence) {
        const expired = { ...entry.silence, expiredAt: entry.silence.expiredAt ?? now.toISOString() };
        const raw = { ...(entry.raw as Record<string, unknown>), expiredAt: expired.expiredAt };
        kept.push({ raw, silence: expired, id });
        outcome ??= { expired };
      } else {
        setAside.push({ setAsideAt: now.toISOString(), problems: entry.problems, silence: entry.raw });
      }
    }
    outcome ??= { setAside: setAside[0] as SetAsideSilence, id };
    return { entries: kept, setAside };
  });
  return outcome as ExpireOutcome;
}
