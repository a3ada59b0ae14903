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
  return VOCABULARY[key] ?? 'unrecognised';
}

/** The states a user may list in `unhealthyStates`, in the spec's spelling. */
export const CONFIGURABLE_STATES = ['Down', 'Unknown', 'Partial', 'Draining'] as const;
export type ConfigurableState = (typeof CONFIGURABLE_STATES)[number];
export const DEFAULT_UNHEALTHY_STATES: readonly ConfigurableState[] = ['Down', 'Unknown', 'Partial'];

/**
 * Whether a server in `state` is reported. Healthy never is; 'unrecognised' always is (a value we
 * cannot read is not a value we may call healthy); the rest as configured.
 */
export function isReported(state: HealthState, unhealthyStates: readonly ConfigurableState[]): boolean {
  if (state === 'healthy') return false;
  if (state === 'unrecognised') return true;
  return unhealthyStates.some((configured) => readHealth(configured) === state);
}
