import { counted } from '../core/counted';

/** What recheckVerdict reads of a recheck's result. */
export interface RecheckVerdictInput {
  readonly servers: ReadonlyArray<{ readonly state: string; readonly episodeClosed: boolean }>;
  /** Notices this recheck left undelivered or dropped, or that the state already held so. */
  readonly notDelivered: number;
  readonly stateErrors: number;
}

/**
 * `recheck`'s last line, as a run's summary closes (`The run is not ok: …`): whether the fix is
 * confirmed, and when not, why, in the order of the exit code's reasons (a new-user trial: the output
 * ended on the notify lines, and whether the fix held was read from the exit code). `pool` is shown
 * as given (the caller escapes it for the terminal).
 */
export function recheckVerdict(input: RecheckVerdictInput, pool: string): string {
  const total = input.servers.length;
  const bad = input.servers.filter((s) => s.state !== 'healthy').length;
  const closed = input.servers.filter((s) => s.episodeClosed).length;
  const reasons: string[] = [];
  if (total === 0) reasons.push(`pool ${pool} has no servers: nothing was confirmed`);
  else if (bad > 0)
    reasons.push(
      `${bad} of ${counted(total, 'server')} not healthy: fix ${bad === 1 ? 'it' : 'them'} (the steps above), then recheck again`,
    );
  if (input.notDelivered > 0) reasons.push(`${counted(input.notDelivered, 'notice')} not delivered (above)`);
  if (input.stateErrors > 0) reasons.push('the notify state could not be read or written (above)');
  if (reasons.length > 0) return `The recheck is not ok: ${reasons.join('; ')}.`;
  const episodes = closed > 0 ? `; ${counted(closed, 'episode')} closed` : '';
  return `The recheck is ok: ${total === 1 ? 'the server' : `all ${total} servers`} of pool ${pool} healthy${episodes}.`;
}
