import { gatewayKey } from '../../../src/core/arm-id';
import { decideNotices, type NotifyPolicy, type Observation } from '../../../src/core/notice/decide';
import { serverKey, type ServerRecord } from '../../../src/core/notice/server-record';
import { parseStateDocument } from '../../../src/pipeline/notify/state-document';
import { finding, GW as gw } from './fixtures';

/**
 * Observation.reading: a run's reading counts once toward `for` and `recoverAfter`, however often it is
 * decided on (a queue message delivered twice). A fan-out trial's duplicated continuation made
 * `notify.for: 2` send `degraded` after one run. Readings are written `<run><letter>`: `1B` run 1 saw
 * the server bad, `1G` healthy, `1D` its gateway deleted; `-B` a reading without a run (counts always).
 */

const MINUTE = 60_000;
const KEY = serverKey(finding());

function observation(token: string, at: number): Observation {
  const [run, letter] = [token.slice(0, -1), token.slice(-1)];
  const now = new Date(at);
  const reading = run === '-' ? {} : { reading: `run-${run}` };
  const listed = (health: string) => new Map([[gatewayKey(gw.id), new Map([[KEY, health]])]]);
  switch (letter) {
    case 'B':
      return {
        now,
        evaluated: listed('Unhealthy'),
        bad: [{ finding: finding() }],
        isGone: () => false,
        ...reading,
      };
    case 'G':
      return { now, evaluated: listed('Healthy'), bad: [], isGone: () => false, ...reading };
    case 'D':
      return { now, evaluated: new Map(), bad: [], isGone: () => true, ...reading };
    default:
      throw new Error(`no reading ${token}`);
  }
}

/** One word per reading, a minute apart, the state threaded through its schema as each run reads it back. */
function told(readings: string, policy: Partial<NotifyPolicy>): string {
  const full: NotifyPolicy = { for: 1, repeatIntervalInMs: 1e12, ...policy };
  let servers: Record<string, ServerRecord> = {};
  return readings
    .split(' ')
    .map((token, i) => {
      const decision = decideNotices(servers, observation(token, i * MINUTE), full);
      servers = { ...parseStateDocument({ version: 1, servers: decision.servers }, 'test').servers };
      return decision.notices.map((n) => n.type).join('+') || '-';
    })
    .join(' ');
}

describe('decideNotices: a run counts once (Observation.reading)', () => {
  it.each([
    // for 2: one run read twice is one bad run; the second run's reading sends.
    ['1B 1B', { for: 2 }, '- -'],
    ['1B 1B 1B', { for: 2 }, '- - -'],
    ['1B 1B 2B', { for: 2 }, '- - degraded'],
    ['1B 2B 2B', { for: 2 }, '- degraded -'],
    // Readings without a run count each (the pure decision as before, a recheck).
    ['-B -B', { for: 2 }, '- degraded'],
    // recoverAfter 2: a healthy run read twice is one healthy run.
    ['1B 2G 2G', { recoverAfter: 2 }, 'degraded - -'],
    ['1B 2G 2G 3G', { recoverAfter: 2 }, 'degraded - - recovered'],
    // A second reading of a run already counted bad ends nothing, even healthy (a restarted operation).
    ['1B 1G', {}, 'degraded -'],
    ['1B 1G 2G', {}, 'degraded - recovered'],
    ['1B 1G 2B', { for: 2 }, '- - degraded'],
    // A deleted gateway is not a reading of the server: it ends the episode whatever was counted.
    ['1B 1D', {}, 'degraded recovered'],
  ])('%s with %j: %s', (readings, policy, expected) => {
    expect(told(readings, policy)).toBe(expected);
  });

  it('the run counted is kept in the record (ServerRecord.countedReading) through the state schema', () => {
    const decision = decideNotices({}, observation('7B', 0), { for: 2, repeatIntervalInMs: 1e12 });
    const servers = parseStateDocument({ version: 1, servers: decision.servers }, 'test').servers;
    expect(servers[KEY]).toMatchObject({ badRuns: 1, countedReading: 'run-7' });
  });
});
