import { stillConfigured } from '../../core/notice/absent-servers';
import type { GatewayConfigFailureKind, GatewayConfigReading } from '../../core/gateway-config';
import type { GatewayRef } from '../../core/model';
import type { ServerRecord } from '../../core/notice/server-record';
import { CONFIGURATION_GRANT } from '../../core/configuration-report';
import { clipMessage } from '../../core/text-clip';
import type { GatewayConfigReader } from '../../ports';
import { GONE_CHECK_TIMEOUT_IN_MS } from './confirm-gone';
import { readConfigurationWithin } from '../read-configuration';

/** A server whose absence from its gateway's reading its configuration did not confirm, and why. */
export interface UnconfirmedRemoval {
  readonly record: ServerRecord;
  /** One line: the configuration still has it, or could not be read (with what happened). */
  readonly reason: string;
}

/**
 * Of `absent` (open episodes of `gateway`'s servers a successful reading lacks with their whole pool
 * and settings: absent-servers.ts unexplainedAbsences), those whose removal the gateway's configuration
 * does not confirm, with why. Never rejects.
 */
export type RemovalCheck = (
  gateway: GatewayRef,
  absent: readonly ServerRecord[],
) => Promise<readonly UnconfirmedRemoval[]>;

/**
 * A RemovalCheck by one `GET` of the gateway (`reader`, within `timeoutInMs`, cut short by the run's
 * `stop`): a server its configuration still has (absent-servers.ts stillConfigured) keeps its episode
 * open, as does every one when the configuration cannot be read this run (no answer, throttled, 5xx);
 * a server it no longer has ends with `recovered` ("no longer listed by the gateway"), as does every
 * one when the configuration cannot be read for good (403, 404, a resource it cannot take): the
 * reading's word stands then. Asked only when such an absence happens, so a
 * run's requests per gateway stay as they are otherwise.
 */
/**
 * Configuration failures that asking again cannot cure (GatewayConfigFailureKind). Not a 403: the app's
 * roles include the read (CONFIGURATION_GRANT), so a 403 is a grant to fix, and taking the reading's
 * word then sent a false `recovered` in a green run, the server still configured and down, and
 * `degraded` again the next run (a break trial): the episode stays open, saying which grant.
 */
const PERMANENT: ReadonlySet<GatewayConfigFailureKind> = new Set(['not-found', 'invalid', 'unauthenticated']);

export function confirmRemovedWith(
  reader: GatewayConfigReader,
  timeoutInMs: number,
  stop?: AbortSignal,
): RemovalCheck {
  return async (gateway, absent) => {
    if (absent.length === 0) return [];
    const reading = await readConfigurationWithin(reader, gateway, timeoutInMs, stop);
    if (!reading.ok) {
      // A configuration that cannot be read for good (no read permission, a resource this reader cannot
      // take, the gateway gone) would keep the episodes open, and every run failing, with nothing the
      // user can do but grant a read (a break trial: a pool of 1 100 addresses); the reading's word then
      // stands, as it did before this check. One that may answer next time keeps them open this run.
      if (reading.kind && PERMANENT.has(reading.kind)) return [];
      const reason =
        reading.kind === 'forbidden'
          ? `the reading listed no server of its pool and settings, and the identity may not read the gateway's configuration to confirm it was removed (403): grant it "${CONFIGURATION_GRANT.action}" (the role "${CONFIGURATION_GRANT.role}" of ${CONFIGURATION_GRANT.definedIn} has it; so does Reader)`
          : `the reading listed no server of its pool and settings, and the gateway's configuration could not be read this run to confirm it was removed (${clipMessage(reading.detail, 200, { oneLine: true })}); it is asked again on the next run`;
      return absent.map((record) => ({ record, reason }));
    }
    const config = reading.config;
    return absent
      .filter((record) => stillConfigured(record, config))
      .map((record) => ({
        record,
        reason:
          "the reading listed no server of its pool and settings, but the gateway's configuration still has the server there: the reading is taken as incomplete",
      }));
  };
}

/**
 * The RemovalCheck a run uses: through `configReader`, within the smaller of `timeoutInMs` (the gateway
 * time-out) and GONE_CHECK_TIMEOUT_IN_MS; undefined without a reader (`evaluate`, the tests' in-memory
 * runs: the reading's word then stands).
 */
export function removalCheckFor(
  configReader: GatewayConfigReader | undefined,
  timeoutInMs: number,
  stop?: AbortSignal,
  /**
   * The GET's answer this run already had (check-gateway.ts GatewayOutcome.configurationAnswer): taken
   * instead of asking again (one that never answered was waited for twice), unless it is a failure that
   * would let the reading's word stand (PERMANENT): a one-off 404 or unreadable answer sent a false
   * `recovered` (a break trial), so that one is asked again.
   */
  known?: GatewayConfigReading,
): RemovalCheck | undefined {
  if (!configReader) return undefined;
  const reuse = known && (known.ok || known.kind === undefined || !PERMANENT.has(known.kind));
  return confirmRemovedWith(
    reuse ? { getGatewayConfig: async () => known } : configReader,
    Math.min(timeoutInMs, GONE_CHECK_TIMEOUT_IN_MS),
    stop,
  );
}
