import fc from 'fast-check';
import { gatewayKey } from '../../../src/core/arm-id';
import { decideNotices, type NotifyPolicy, type Observation } from '../../../src/core/notice/decide';
import type { Notice } from '../../../src/core/notice/notice';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import { parseStateDocument } from '../../../src/pipeline/notify/state-document';
import { finding, GW as gw } from './fixtures';

/**
 * `notify.recoverAfter`: consecutive runs without the server bad before `recovered`. Sequences are
 * written one letter per run: `B` bad, `G` healthy, `X` listed Draining (not reported), `U` listed in
 * another state that is not reported (Unknown, left out of unhealthyStates), `N` no longer listed by
 * its (evaluated) gateway, `F` the gateway failed to evaluate, `D` the gateway was deleted.
 */

const MINUTE = 60_000;

const KEY = serverKey(finding());

function observation(letter: string, at: number): Observation {
  const now = new Date(at);
  const listed = (health?: string) => new Map([[gatewayKey(gw.id), new Map(health ? [[KEY, health]] : [])]]);
  switch (letter) {
    case 'B':
      return { now, evaluated: listed('Unhealthy'), bad: [{ finding: finding() }], isGone: () => false };
    case 'G':
      return { now, evaluated: listed('Healthy'), bad: [], isGone: () => false };
    case 'X':
      return { now, evaluated: listed('Draining'), bad: [], isGone: () => false };
    case 'U':
      return { now, evaluated: listed('Unknown'), bad: [], isGone: () => false };
    case 'N':
      return { now, evaluated: listed(), bad: [], isGone: () => false };
    case 'F':
      return { now, evaluated: new Map(), bad: [], isGone: () => false };
    case 'D':
      return { now, evaluated: new Map(), bad: [], isGone: () => true };
    default:
      throw new Error(`no run letter ${letter}`);
  }
}

interface Run {
  readonly notices: Notice[];
  readonly record: ServerRecord | undefined;
}

/** Runs the sequence one run a minute, threading the state as the notify stage does (through its schema). */
function play(sequence: string, policy: Partial<NotifyPolicy>): Run[] {
  const full: NotifyPolicy = { for: 1, repeatIntervalInMs: 1e12, ...policy };
  let servers: Record<string, ServerRecord> = {};
  return [...sequence].map((letter, i) => {
    const decision = decideNotices(servers, observation(letter, i * MINUTE), full);
    // Through the state document's schema, as every run reads it back.
    servers = {
      ...parseStateDocument({ version: 1, servers: decision.servers }, 'test').servers,
    };
    return { notices: [...decision.notices], record: servers[KEY] };
  });
}

/** One word per run: the notice types sent, `-` for none. */
function told(sequence: string, policy: Partial<NotifyPolicy>): string {
  return play(sequence, policy)
    .map((run) => run.notices.map((n) => n.type).join('+') || '-')
    .join(' ');
}

describe('decideNotices: recoverAfter (hysteresis)', () => {
  it.each([
    // recoverAfter 1 is today's behaviour: the first run without the server bad recovers it.
    ['BGBG', 1, 'degraded recovered degraded recovered'],
    ['BBGG', 1, 'degraded - recovered -'],
    // 2: one healthy run between bad ones is a flap inside one episode; two in a row recover.
    ['BGBG', 2, 'degraded - - -'],
    ['BGBGG', 2, 'degraded - - - recovered'],
    ['BGG', 2, 'degraded - recovered'],
    ['BGGBGG', 2, 'degraded - recovered degraded - recovered'],
    // 3: a count that is broken by a bad run starts over.
    ['BGGBGGG', 3, 'degraded - - - - - recovered'],
    ['BGGG', 3, 'degraded - - recovered'],
    ['BGBGBGBGGG', 3, 'degraded - - - - - - - - recovered'],
    // Every kind of "not bad" counts toward the same total: healthy, not reported, no longer listed.
    ['BGUN', 3, 'degraded - - recovered'],
    ['BUU', 2, 'degraded - recovered'],
    ['BNN', 2, 'degraded - recovered'],
    // But Draining (a break trial): a told episode is held as it is, neither recovered nor counted, and
    // Down again after the drain is the same episode, not a second degraded.
    ['BXX', 1, 'degraded - -'],
    ['BXB', 1, 'degraded - -'],
    ['BXXG', 1, 'degraded - - recovered'],
    // Draining breaks a count of healthy runs as a bad run does (a break trial: Healthy then Draining
    // is a server going Down again through its drain; "1 of 2 healthy runs" was said while it drained).
    ['BGXG', 2, 'degraded - - -'],
    ['BGXGG', 2, 'degraded - - - recovered'],
    ['BGGXGG', 3, 'degraded - - - - -'],
    ['BGGXGGG', 3, 'degraded - - - - - recovered'],
    ['BXN', 1, 'degraded - recovered'],
    ['BXD', 3, 'degraded - recovered'],
    // A run whose gateway failed tells nothing: it neither counts nor breaks the count.
    ['BGFG', 2, 'degraded - - recovered'],
    ['BFFG', 2, 'degraded - - -'],
    // A deleted gateway recovers at once: no later run will see its servers.
    ['BD', 3, 'degraded recovered'],
    ['BGD', 3, 'degraded - recovered'],
  ])('%s with recoverAfter %i: %s', (sequence, recoverAfter, expected) => {
    expect(told(sequence, { recoverAfter })).toBe(expected);
  });

  it.each([
    // `for` damping on the way in is unchanged: an episode nobody was told of ends at its first good run.
    ['BGBG', 2, 2, '- - - -'],
    ['BBGBG', 2, 2, '- degraded - - -'],
    ['BBGBGG', 2, 2, '- degraded - - - recovered'],
    ['BBBGG', 3, 2, '- - degraded - recovered'],
    // Draining between bad runs not yet told: held, neither counted nor ending the count (Down with
    // connection draining shows Draining, then Down again: it was told a run late).
    ['BXB', 2, 1, '- - degraded'],
    ['BXXB', 2, 1, '- - - degraded'],
    ['BXG', 2, 1, '- - -'],
    ['BXGB', 2, 1, '- - - -'],
    ['BXN', 2, 1, '- - -'],
  ])('%s with for %i and recoverAfter %i: %s', (sequence, forRuns, recoverAfter, expected) => {
    expect(told(sequence, { for: forRuns, recoverAfter })).toBe(expected);
  });

  it('while counting, the episode stays open: same degradedSince, and recovered reports the reason and health of its last run', () => {
    const runs = play('BGBGU', { recoverAfter: 2 });
    const since = new Date(0).toISOString();
    expect(runs.map((r) => r.record?.degradedSince)).toEqual([since, since, since, since, undefined]);
    expect(runs.map((r) => r.record?.goodRuns)).toEqual([undefined, 1, undefined, 1, undefined]);
    const [recovered] = runs[4]?.notices ?? [];
    expect(recovered).toMatchObject({
      type: 'recovered',
      degradedSince: since,
      reason: 'now in a state that is not reported (unhealthyStates)',
      server: { health: 'Unknown' },
      cause: { id: 'tcp-connect' },
    });
    expect(recovered).not.toHaveProperty('goodRuns');
  });

  it('a server bad again with another cause while counting is news (degraded, same episode), and the count starts over', () => {
    const policy: NotifyPolicy = { for: 1, repeatIntervalInMs: 1e12, recoverAfter: 2 };
    let servers: Record<string, ServerRecord> = {};
    const steps: Observation[] = [
      observation('B', 0),
      observation('G', MINUTE),
      {
        ...observation('B', 2 * MINUTE),
        bad: [{ finding: finding({ probeLog: 'Backend server returned HTTP status code 500' }) }],
      },
      observation('G', 3 * MINUTE),
      observation('G', 4 * MINUTE),
    ];
    const notices = steps.map((o) => {
      const decision = decideNotices(servers, o, policy);
      servers = { ...decision.servers };
      return decision.notices;
    });
    expect(notices.map((n) => n.map((x) => x.type).join('+') || '-')).toEqual([
      'degraded',
      '-',
      'degraded',
      '-',
      'recovered',
    ]);
    expect(new Set(notices.flat().map((n) => n.degradedSince))).toEqual(new Set([new Date(0).toISOString()]));
  });

  it('still-degraded reminders keep their rhythm through a flap inside the episode', () => {
    const runs = play('BGBBBB', { recoverAfter: 2, repeatIntervalInMs: 3 * MINUTE });
    expect(runs.map((r) => r.notices.map((n) => n.type).join('+') || '-')).toEqual([
      'degraded',
      '-',
      '-',
      'still-degraded',
      '-',
      '-',
    ]);
  });

  it('recoverAfter below 1 or fractional is read as a whole number >= 1 (the schema refuses them; the core does not trust that)', () => {
    expect(told('BG', { recoverAfter: 0 })).toBe('degraded recovered');
    expect(told('BGG', { recoverAfter: 2.9 })).toBe('degraded - recovered');
  });

  it('property: against a reference model, for any runs, for 1..3 and recoverAfter 1..3', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('B', 'G', 'X', 'U', 'N', 'F'), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        (letters, forRuns, recoverAfter) => {
          const sequence = letters.join('');
          const runs = play(sequence, { for: forRuns, recoverAfter });
          expect(runs.map((r) => r.notices.map((n) => n.type).join('+') || '-').join(' ')).toBe(
            model(sequence, forRuns, recoverAfter),
          );
          // Within an episode every notice has the same degradedSince; ids never repeat.
          const all = runs.flatMap((r) => r.notices);
          expect(new Set(all.map((n) => n.id)).size).toBe(all.length);
          let episode: string | undefined;
          for (const notice of all) {
            if (notice.type === 'degraded' && episode === undefined) episode = notice.degradedSince;
            expect(notice.degradedSince).toBe(episode);
            if (notice.type === 'recovered') episode = undefined;
          }
        },
      ),
    );
  });
});

/**
 * The rule, written as a plain state machine, independently of decide.ts: `quiet`, `pending` (bad, not
 * yet told, counting bad runs) and `told` (counting runs not bad). `F` (gateway not evaluated) changes
 * nothing; `X` (Draining) of a told episode holds it and breaks its count of runs not bad, as `B` does;
 * of one not yet told it changes nothing either (its bad runs toward `for` neither counted nor broken).
 */
function model(sequence: string, forRuns: number, recoverAfter: number): string {
  let state: { kind: 'quiet' } | { kind: 'pending'; bad: number } | { kind: 'told'; good: number } = {
    kind: 'quiet',
  };
  const out: string[] = [];
  for (const letter of sequence) {
    let said = '-';
    if (letter === 'F') {
      out.push(said);
      continue;
    }
    if (letter === 'X' && state.kind === 'told') {
      state = { kind: 'told', good: 0 };
      out.push(said);
      continue;
    }
    if (letter === 'X') {
      out.push(said);
      continue;
    }
    if (letter === 'B') {
      if (state.kind === 'told') state = { kind: 'told', good: 0 };
      else {
        const bad: number = state.kind === 'pending' ? state.bad + 1 : 1;
        if (bad >= forRuns) {
          said = 'degraded';
          state = { kind: 'told', good: 0 };
        } else state = { kind: 'pending', bad };
      }
    } else if (state.kind === 'pending') state = { kind: 'quiet' };
    else if (state.kind === 'told') {
      const good: number = state.good + 1;
      if (good >= recoverAfter) {
        said = 'recovered';
        state = { kind: 'quiet' };
      } else state = { kind: 'told', good };
    }
    out.push(said);
  }
  return out.join(' ');
}
