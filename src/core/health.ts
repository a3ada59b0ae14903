import type { HealthState } from './model';

/**
 * Reads a server's `health` string. The REST spec's enum says Up/Down/Unknown/Partial/Draining, live
 * gateways answer Healthy/Unhealthy/Unknown: both vocabularies, any case. A value we do not know is
 * 'unrecognised' — reported as not healthy, never dropped.
 */
const VOCABULARY: Readonly<Record<string, HealthState>> = {
  up: 'healthy',
  healthy: 'healthy',
  down: 'unhealthy',
  unhealthy: 'unhealthy',
  unknown: 'unknown',
  partial: 'partial',
  draining: 'draining',
};

export function readHealth(health: string | undefined): HealthState {
  const key = (health ?? '').trim().toLowerCase();
  // Own keys only: the value comes from the network, and `__proto__` or `constructor` would read the
  // object's prototype (a state that is an object or a function; the status page's timeline broke on it).
  return Object.hasOwn(VOCABULARY, key) ? (VOCABULARY[key] as HealthState) : 'unrecognised';
}

/**
 * Whether a server listed with `health` is Draining: out of rotation, not serving new connections. A told
 * episode is held through it (notice/decide.ts), and a gateway whose servers are all bad or Draining
 * serves nothing (notice/inhibit.ts).
 */
export function isDraining(health: string | undefined): boolean {
  return readHealth(health) === 'draining';
}

/** The states a user may list in `unhealthyStates`, in the spec's spelling. */
export const CONFIGURABLE_STATES = ['Down', 'Unknown', 'Partial', 'Draining'] as const;
export type ConfigurableState = (typeof CONFIGURABLE_STATES)[number];
export const DEFAULT_UNHEALTHY_STATES: readonly ConfigurableState[] = ['Down', 'Unknown', 'Partial'];

/**
 * A state named in `unhealthyStates`, in either vocabulary and any case (`"Unhealthy"` is `Down`), as its
 * spec spelling; or why it cannot be listed. Healthy values are refused: they are never reported.
 */
export function readConfigurableState(value: string): { state: ConfigurableState } | { problem: string } {
  const state = readHealth(value);
  const spelled = JSON.stringify(value);
  if (state === 'healthy') {
    return { problem: `${spelled} is a healthy state, which is never reported; list the states to report` };
  }
  const match = CONFIGURABLE_STATES.find((s) => readHealth(s) === state);
  if (state === 'unrecognised' || !match) {
    return {
      problem: `${spelled} is not a health state: use Down (or Unhealthy), Unknown, Partial, Draining (any case)`,
    };
  }
  return { state: match };
}

/**
 * Whether a server in `state` is reported. Healthy never is; 'unrecognised' always is (a value we
 * cannot read is not a value we may call healthy); the rest as configured.
 */
export function isReported(state: HealthState, unhealthyStates: readonly ConfigurableState[]): boolean {
  if (state === 'healthy') return false;
  if (state === 'unrecognised') return true;
  return unhealthyStates.some((configured) => readHealth(configured) === state);
}
