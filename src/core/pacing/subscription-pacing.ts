/**
 * How many requests each subscription may still take, as this process estimates it: per subscription
 * and kind (reads, writes), a token bucket seeded with ARM's limits (request-limits.ts), lowered by what
 * every answer's remaining-quota headers say, and paused until a 429's `Retry-After` has passed. Pure:
 * no clock and no timers; every call is given the time (`nowInMs`, any monotonic milliseconds) and the
 * adapter (src/adapters/arm/subscription-pacer.ts) waits as `tryAdmit` says.
 *
 * The estimate never admits more than the subscription's bucket holds, as long as the limits are ARM's
 * and nobody else draws on the bucket (the property tested in test/core/pacing/): it keeps
 *   `level + outstanding <= the real bucket's tokens`
 * where `outstanding` is every request admitted or sent and not yet answered (charged or not):
 * - an admission takes a token (`reserved` until the request is sent, or for RESERVATION_TTL_IN_MS at
 *   most); a request sent without one (a poll, the SDK's retry) takes it when sent;
 * - the level refills at the bucket's rate, up to `burst - outstanding` (the real bucket stops at
 *   `burst` even while requests are on their way);
 * - an answer's remaining count `R` is what the bucket held after charging that request, so the level
 *   becomes at most `R - outstanding` (as if every other request still out were charged after it).
 *   Headers only ever lower the estimate: an answer overtaken by a later one carries an older, higher
 *   count. The first answer of a kind corrects the seed (a bucket another run has half emptied), so
 *   until one arrives only one request of that kind is let out (a probe). One exception raises it: an
 *   answer to a request that was alone in flight (sent when none of its kind was out, and no other
 *   sent before its answer) counts every charge this process made, so the level becomes `R` less the
 *   admissions not yet sent, higher or lower: the estimate's safe-side rounding (refills not counted
 *   while requests were out, an admission sent after RESERVATION_TTL_IN_MS counted twice) otherwise
 *   stayed for the whole run (found: 13–25 of 200 write tokens per subscription never spent, 1.3–2.5 s
 *   of a 30 s run at 10 a second);
 * - a 429 (an empty bucket: another client, or limits smaller than ARM's) pauses the kind until its
 *   `Retry-After` has passed (1 s when it gives none); the bucket then holds one token, which the
 *   SDK's retry of the throttled request takes, and the estimate refills from there; a 429 whose own
 *   remaining-quota headers still count tokens pauses the kind as long, but was another limit's (an
 *   operation's, another ARM instance's), so the level and rate stay as those headers leave them;
 * - and since a 429 for an empty bucket says it refills slower than the estimate thought (a subscription with lower
 *   limits, or another client drawing steadily), each one halves the estimate's refill rate (down to
 *   MIN_RATE_SHARE of ARM's), and each answer that is not throttled raises it by RATE_GAIN_PER_ANSWER
 *   (up to ARM's): a slower bucket costs a 429 now and then, not one per request (found: 104 429s for
 *   120 requests to a bucket of 1 a second, estimated at ARM's 10 throughout).
 */
import type { RateLimitAnswer } from './rate-limit-answer';
import {
  ARM_REQUEST_LIMITS,
  type RequestBucket,
  type RequestKind,
  type RequestLimits,
} from './request-limits';

/** Whether a request may go now; when not, how long to wait (absent: until the next answer of its kind). */
export type Admission =
  { readonly admitted: true } | { readonly admitted: false; readonly retryInMs?: number };

/** The wait after a 429 that names none: the SDK's first back-off (src/adapters/arm/retry.ts). */
export const DEFAULT_THROTTLE_PAUSE_IN_MS = 1_000;

/**
 * The longest a 429 pauses the estimate: ARM's throttling Retry-After is the time until its bucket
 * holds a token again (seconds at ARM's refill rates), so a longer one is not a bucket's; past it the
 * estimate lets a probe out, and a 429 to that pauses it again.
 */
export const MAX_THROTTLE_PAUSE_IN_MS = 300_000;

/**
 * Float slack: a level computed as exactly one token may come out a hair below it (refill is
 * `ms × perSecond / 1000`); far less than any real refill between two milliseconds.
 */
const EPSILON = 1e-9;

/** The lowest the refill rate is estimated at after 429s, as a share of the bucket's (ARM's) rate. */
export const MIN_RATE_SHARE = 1 / 64;

/**
 * How much each answer that is not throttled raises the estimated rate (×1.05, up to the bucket's):
 * back from the floor to ARM's rate in about 85 answers, while a bucket at half the estimate is met
 * again only after some 14 answers.
 */
export const RATE_GAIN_PER_ANSWER = 0.05;

/** One subscription's bucket of one kind, as estimated. */
export interface BucketEstimate {
  /** Tokens free for new admissions at `at` (may be negative: requests sent beyond it). */
  readonly level: number;
  /** Admitted, not yet sent. */
  readonly reserved: number;
  /** Sent, not yet answered. */
  readonly inFlight: number;
  /** Nothing of this kind is admitted before this time (a 429's `Retry-After`). */
  readonly pausedUntil: number;
  /** Whether an answer of this kind has come back (until then: one request at a time). */
  readonly answered: boolean;
  /** The refill rate the estimate assumes, requests per second: the bucket's, lowered by 429s. */
  readonly perSecond: number;
}

/**
 * How long an admission may go unsent before it is taken as abandoned (its call failed before sending,
 * e.g. an ARM client that could not be made): its token stays spent, and a probe that never went out
 * no longer holds the others back: the next admission is the probe instead (until an answer comes,
 * still one at a time, since the seed is unconfirmed). A request sent later still counts (twice: the
 * safe side).
 */
export const RESERVATION_TTL_IN_MS = 2_000;

/**
 * How long the probes sent (requests of a kind before an answer tells the bucket's level) hold the
 * others back, in ms: one probe at first, and every PROBE_PATIENCE_IN_MS without an answer twice as
 * many may be out (2, 4, 8 …). ARM answers a POST or a GET in well under a second. One probe that hung
 * until its time-out (5 min by default) let one gateway of its subscription out every time-out (a break
 * trial: 12 gateways whose POSTs hung, one after another; 100 would take over 8 hours); one more every
 * 2 s still cost 2 s a hung gateway (the next trial: 24.8 s for 12).
 */
export const PROBE_PATIENCE_IN_MS = 2_000;

/**
 * A booking's turn while a kind's probe is out (no answer has told the level yet, so tryAdmit names no
 * time): about when its answer is in (ARM answers a POST or a GET in well under a second).
 */
export const PROBE_BOOKING_IN_MS = 1_000;

/** The latest 429 answered for a subscription's bucket (SubscriptionPacing.latestThrottle). */
export interface ThrottleNote {
  /** Which bucket ARM said was empty. */
  readonly kind: RequestKind;
  /** When it was answered, on the pacing's clock. */
  readonly atInMs: number;
  /** The pause it asked for (its Retry-After, as the SDK reads it; capped at MAX_THROTTLE_PAUSE_IN_MS). */
  readonly pauseInMs: number;
}

/** SubscriptionPacing.pausedWithin: 429 pauses of a subscription within a window. */
export interface PausedWithin {
  /** How long they paused it, in ms, overlaps counted once. */
  readonly pausedInMs: number;
  /** How many pauses fell (at least in part) within it (each kind's merged pauses counted apiece). */
  readonly pauses: number;
}

interface MutableEstimate {
  /** The latest 429 for this bucket (not one of a single resource: RateLimitAnswer.throttled). */
  throttled?: ThrottleNote;
  level: number;
  at: number;
  /** One entry per admission not yet sent: when it is taken as abandoned. */
  reservations: number[];
  inFlight: number;
  pausedUntil: number;
  answered: boolean;
  perSecond: number;
  /** The next turn a booking may get (book): the last one booked plus one refill's spacing. */
  nextTurn: number;
  /** When the first request went out while no answer had come (the first probe); Infinity before. */
  probingSince: number;
  /** Requests sent since the kind last had none in flight: 1 while the one out went out alone. */
  sentSinceIdle: number;
  /** The latest 429 pauses, merged where they meet, oldest first (at most PAUSES_KEPT). */
  pauses: Array<{ fromInMs: number; untilInMs: number }>;
}

/** How many 429 pauses of one bucket pausedWithin counts back (a few hundred bytes a subscription). */
export const PAUSES_KEPT = 64;

export class SubscriptionPacing {
  private readonly estimates = new Map<string, MutableEstimate>();

  constructor(private readonly limits: RequestLimits = ARM_REQUEST_LIMITS) {}

  /**
   * Admits one `kind` request to `subscriptionId` (any case) at `nowInMs`, taking its token, or says
   * how long to wait before asking again.
   */
  tryAdmit(subscriptionId: string, kind: RequestKind, nowInMs: number): Admission {
    const e = this.estimate(subscriptionId, kind, nowInMs);
    const admission = this.check(e, nowInMs);
    if (admission.admitted) {
      e.level -= 1;
      e.reservations.push(nowInMs + RESERVATION_TTL_IN_MS);
    }
    return admission;
  }

  /** Whether the estimate `e` would admit a request at `nowInMs`, taking nothing. */
  private check(e: MutableEstimate, nowInMs: number): Admission {
    if (nowInMs < e.pausedUntil) return { admitted: false, retryInMs: e.pausedUntil - nowInMs };
    if (!e.answered && e.reservations.length + e.inFlight >= 1) {
      // A probe is out: its answer decides. One admitted but not yet sent is waited for a while; sent
      // and not answered, one more may go out every PROBE_PATIENCE_IN_MS, twice as many each time.
      const periods = Math.max(0, Math.floor((nowInMs - e.probingSince) / PROBE_PATIENCE_IN_MS));
      const allowed = 2 ** Math.min(periods, 16);
      if (e.reservations.length + e.inFlight >= allowed) {
        const expiry = e.reservations.length ? Math.min(...e.reservations) - nowInMs : Infinity;
        const nextPeriod = e.probingSince + (periods + 1) * PROBE_PATIENCE_IN_MS - nowInMs;
        const wait = Math.min(expiry, nextPeriod);
        return Number.isFinite(wait) ? { admitted: false, retryInMs: wait } : { admitted: false };
      }
    }
    if (e.level >= 1 - EPSILON) return { admitted: true };
    const missing = 1 - e.level;
    return { admitted: false, retryInMs: Math.max(1, Math.ceil((missing * 1000) / e.perSecond)) };
  }

  /**
   * Admits one `kind` request now (returns 0: its token taken, as tryAdmit admits) or books it a later
   * turn and returns the ms until it (at least 1): when tryAdmit would next admit one, or, when turns
   * are booked past that, one refill's spacing (`1000 / perSecond` ms) after the last one booked. For a
   * caller that does not wait in its process (the Functions app's queue function hands the wait to the
   * queue, src/pipeline/fan-out.ts): requests booked together come back one turn apart, as the bucket
   * refills, not all at its first free token. A booking takes no token: the request asks again at its
   * turn (beaten to the token, it is booked again), and one never used costs only its place in the line.
   * `take: false`: a place free now is not taken (0 all the same): for a request that goes later
   * whatever the estimate says (a 429 handed back waits its Retry-After). `soonestInMs` (> 0): not
   * before then, and no place is taken now (requests waiting for one are ahead of this one).
   */
  book(
    subscriptionId: string,
    kind: RequestKind,
    nowInMs: number,
    take = true,
    soonestInMs?: number,
  ): number {
    const e = this.estimate(subscriptionId, kind, nowInMs);
    // `soonestInMs`: the caller's own expectation (expectedWaitInMs, with requests waiting ahead of it),
    // booked without asking for a place now, which would go past those ahead.
    const admission: Admission =
      soonestInMs !== undefined && soonestInMs > 0
        ? { admitted: false, retryInMs: soonestInMs }
        : take
          ? this.tryAdmit(subscriptionId, kind, nowInMs)
          : this.check(e, nowInMs);
    if (admission.admitted) return 0;
    // While a sent probe is out, about when its answer is in, not when its patience ends.
    const probing = !e.answered && e.reservations.length === 0 && e.inFlight >= 1;
    const waitInMs = probing
      ? Math.min(admission.retryInMs ?? PROBE_BOOKING_IN_MS, PROBE_BOOKING_IN_MS)
      : (admission.retryInMs ?? PROBE_BOOKING_IN_MS);
    const turn = Math.max(nowInMs + waitInMs, e.nextTurn);
    e.nextTurn = turn + 1000 / e.perSecond;
    return Math.max(1, Math.ceil(turn - nowInMs));
  }

  /**
   * The ms the estimate expects before it admits one more `kind` request to `subscriptionId` (any
   * case) at `nowInMs`, after the `ahead` requests already waiting for a place (0: at once); taking
   * nothing. Undefined while the bucket's first answer is not in and a probe is (or will be) out: that
   * answer decides. An estimate, not a promise: answers may lower it (their remaining-quota headers, a
   * 429). For a caller that books a later turn rather than wait past a bound (TurnBooking.admitOrBook).
   */
  expectedWaitInMs(
    subscriptionId: string,
    kind: RequestKind,
    nowInMs: number,
    ahead = 0,
  ): number | undefined {
    const e = this.estimate(subscriptionId, kind, nowInMs);
    if (!e.answered && e.reservations.length + e.inFlight + ahead >= 1) return undefined;
    const paused = Math.max(0, e.pausedUntil - nowInMs);
    const missing = ahead + 1 - e.level;
    return paused + (missing <= EPSILON ? 0 : (missing * 1000) / e.perSecond);
  }

  /** A `kind` request to `subscriptionId` went out: an admitted one, or one sent without admission. */
  sent(subscriptionId: string, kind: RequestKind, nowInMs: number): void {
    const e = this.estimate(subscriptionId, kind, nowInMs);
    if (!e.answered && e.probingSince === Infinity) e.probingSince = nowInMs;
    if (e.reservations.length > 0)
      e.reservations.splice(e.reservations.indexOf(Math.min(...e.reservations)), 1);
    else e.level -= 1;
    e.sentSinceIdle = e.inFlight === 0 ? 1 : e.sentSinceIdle + 1;
    e.inFlight += 1;
  }

  /**
   * A `kind` request to `subscriptionId` came back at `nowInMs`: with ARM's `answer`, or with none
   * (`undefined`: the connection failed; it may have been charged, and is counted as if it was).
   */
  answered(
    subscriptionId: string,
    kind: RequestKind,
    nowInMs: number,
    answer: RateLimitAnswer | undefined,
    { retried = true }: { readonly retried?: boolean } = {},
  ): void {
    const e = this.estimate(subscriptionId, kind, nowInMs);
    // Alone in flight: every request this process sent of the kind before it was answered before it
    // went out, and none went out after it, so ARM charged them all before this one and its count
    // is exact (not an older one overtaken by a later answer).
    const alone = e.inFlight === 1 && e.sentSinceIdle === 1;
    e.inFlight = Math.max(0, e.inFlight - 1);
    if (!answer) return;
    e.answered = true;
    // Never paused longer than MAX_THROTTLE_PAUSE_IN_MS: one answer with an absurd Retry-After (a proxy's,
    // a clock years off) would otherwise hold every request to the subscription for as long.
    const pause = Math.min(answer.retryAfterInMs ?? DEFAULT_THROTTLE_PAUSE_IN_MS, MAX_THROTTLE_PAUSE_IN_MS);
    const until = nowInMs + pause;
    // The SDK sends a throttled request again once Retry-After has passed, without admission: its token
    // is spoken for from now (kept, if it gives up instead: an estimate one low is safe). Not when it
    // was handed back (`retried: false`): it asks for a place again, as a new request.
    if (answer.throttled && retried) e.reservations.push(until + RESERVATION_TTL_IN_MS);
    const outstanding = e.reservations.length + e.inFlight;
    const { burst, perSecond } = this.bucket(kind);
    if (answer.remaining !== undefined)
      e.level =
        alone && !answer.throttled
          ? Math.min(burst - outstanding, answer.remaining - outstanding)
          : Math.min(e.level, answer.remaining - outstanding);
    if (!answer.throttled) {
      e.perSecond = Math.min(perSecond, e.perSecond * (1 + RATE_GAIN_PER_ANSWER));
      return;
    }
    e.throttled = { kind, atInMs: nowInMs, pauseInMs: pause };
    if (until <= e.pausedUntil) return; // a 429 of the same pause: one halving per pause
    // Answered while the kind is paused: a request sent before the pause was known (one of a burst
    // answered a millisecond apart). The same pause, lengthened, not another halving: 64 polls throttled
    // together halved the rate to its floor, and a subscription's reads stayed shut for a minute (a
    // break trial: 175 of 200 gateways timed out).
    const samePause = nowInMs < e.pausedUntil;
    this.notePause(e, nowInMs, until);
    e.pausedUntil = until;
    // A 429 whose own remaining-quota headers still count tokens was not this bucket's: another limit
    // on the subscription (ARM's "backend storage limit" of one operation, another ARM instance's) said
    // wait. The kind waits its Retry-After all the same, and resumes at the level those headers gave
    // (lowered above), at its rate: resumed one at a time at half the rate, each gateway's poll came
    // after the pause one by one, and ten such 429s spread over a subscription's gateways paused it ten
    // times over (a break trial: 120 of 120 gateways failed at a 60 s time-out, 66 polls sent). No
    // refill is counted through the pause: one at the estimated rate let every waiting request out at
    // its end into a bucket slower than ARM's (the next trial: 2 a second, 49 429s, 9 of 20 failed).
    if (answer.remaining !== undefined && answer.remaining >= 1) {
      e.at = Math.max(e.at, until);
      return;
    }
    // Retry-After is when the bucket holds one token again: the estimate resumes then, from that one
    // token (less what is still out), whatever the refill would have given, since a 429 says the
    // bucket was not where the estimate put it.
    const refilled = Math.min(burst - outstanding, e.level + ((until - e.at) * e.perSecond) / 1000);
    e.level = Math.min(refilled, 1 - outstanding);
    e.at = until;
    if (!samePause) e.perSecond = Math.max(perSecond * MIN_RATE_SHARE, e.perSecond / 2);
  }

  /** Keeps the pause `[fromInMs, untilInMs)`, merged with the last one it meets (pausedWithin). */
  private notePause(e: MutableEstimate, fromInMs: number, untilInMs: number): void {
    const last = e.pauses[e.pauses.length - 1];
    if (last && fromInMs <= last.untilInMs) last.untilInMs = Math.max(last.untilInMs, untilInMs);
    else e.pauses.push({ fromInMs, untilInMs });
    if (e.pauses.length > PAUSES_KEPT) e.pauses.shift();
  }

  /**
   * How long, in ms, a 429 still pauses `subscriptionId`'s `kind` (any case) at `nowInMs`; 0 when none
   * does.
   */
  pausedForInMs(subscriptionId: string, kind: RequestKind, nowInMs: number): number {
    const e = this.existing(subscriptionId, kind);
    return e ? Math.max(0, e.pausedUntil - nowInMs) : 0;
  }

  /**
   * The latest 429 answered for `subscriptionId`'s reads or writes (either kind; any case), so a caller
   * whose request ran out of time can say the subscription's quota held it; undefined when none.
   */
  latestThrottle(subscriptionId: string): ThrottleNote | undefined {
    const notes = (['reads', 'writes'] as const).flatMap(
      (kind) => this.existing(subscriptionId, kind)?.throttled ?? [],
    );
    return notes.sort((a, b) => b.atInMs - a.atInMs)[0];
  }

  /**
   * How long, in ms, 429s paused `subscriptionId`'s reads or writes (either; overlapping pauses counted
   * once) within the `withinLastInMs` before `nowInMs`: so a gateway that ran out of time after several
   * pauses, none of them long, can say the quota held it (a break trial: five 10 s pauses in a 60 s
   * wait, each under a quarter of it, and every gateway was told "no answer … raise the time-out").
   * Counts the last PAUSES_KEPT pauses of each kind.
   */
  pausedWithin(subscriptionId: string, nowInMs: number, withinLastInMs: number): PausedWithin {
    const from = nowInMs - withinLastInMs;
    const pauses = (['reads', 'writes'] as const)
      .flatMap((kind) => this.existing(subscriptionId, kind)?.pauses ?? [])
      .map((p) => [Math.max(p.fromInMs, from), Math.min(p.untilInMs, nowInMs)] as const)
      .filter(([start, end]) => end > start)
      .sort((a, b) => a[0] - b[0]);
    let pausedInMs = 0;
    let coveredTo = -Infinity;
    for (const [start, end] of pauses) {
      if (end <= coveredTo) continue;
      pausedInMs += end - Math.max(start, coveredTo);
      coveredTo = end;
    }
    return { pausedInMs, pauses: pauses.length };
  }

  /** The estimate of `subscriptionId`'s `kind` bucket at `nowInMs` (for tests and diagnostics). */
  peek(subscriptionId: string, kind: RequestKind, nowInMs: number): BucketEstimate {
    const { level, reservations, inFlight, pausedUntil, answered, perSecond } = this.estimate(
      subscriptionId,
      kind,
      nowInMs,
    );
    return { level, reserved: reservations.length, inFlight, pausedUntil, answered, perSecond };
  }

  /** The estimate of `subscriptionId`'s `kind` (any case) as it stands, not refilled; undefined before any. */
  private existing(subscriptionId: string, kind: RequestKind): MutableEstimate | undefined {
    return this.estimates.get(estimateKey(subscriptionId, kind));
  }

  private bucket(kind: RequestKind): RequestBucket {
    return this.limits[kind];
  }

  /** The estimate, refilled to `nowInMs`; a new one is full (ARM's burst), and unanswered. */
  private estimate(subscriptionId: string, kind: RequestKind, nowInMs: number): MutableEstimate {
    const key = estimateKey(subscriptionId, kind);
    const { burst, perSecond } = this.bucket(kind);
    let e = this.estimates.get(key);
    if (!e) {
      e = {
        level: burst,
        at: nowInMs,
        reservations: [],
        inFlight: 0,
        pausedUntil: 0,
        answered: false,
        perSecond,
        nextTurn: -Infinity,
        probingSince: Infinity,
        sentSinceIdle: 0,
        pauses: [],
      };
      this.estimates.set(key, e);
    }
    // An abandoned probe told nothing about the bucket (another run may have emptied it): probing
    // goes on, with the next admission as the probe, rather than trusting the seed's full burst.
    e.reservations = e.reservations.filter((expiry) => expiry > nowInMs);
    if (nowInMs > e.at) {
      const ceiling = burst - e.reservations.length - e.inFlight;
      if (e.level < ceiling) e.level = Math.min(ceiling, e.level + ((nowInMs - e.at) * e.perSecond) / 1000);
      e.at = nowInMs;
    }
    return e;
  }
}

/** The key of a subscription's (any case) estimate of one kind. */
function estimateKey(subscriptionId: string, kind: RequestKind): string {
  return `${subscriptionId.toLowerCase()}/${kind}`;
}
