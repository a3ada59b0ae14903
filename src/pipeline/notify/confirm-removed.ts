import { keptForUnaddressedMembers, stillConfigured } from '../../core/notice/absent-servers';
import type { GatewayConfigReading } from '../../core/gateway-config';
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
 * open, as does every one when the configuration cannot be read (no answer, throttled, 5xx, 401, 403, a
 * 404, an answer that is not a gateway: asked again on the next run); a server it no longer has ends with
 * `recovered` ("no longer listed by the gateway"). Taking the reading's word when the read failed "for
 * good" (403, 404, not a gateway) sent a false `recovered` in a green run, the server still configured
 * and down, and `degraded` again the next run (break trials); a gateway deleted meanwhile ends its
 * episodes by the deletion check instead (confirm-gone.ts). Asked only when such an absence happens, so
 * a run's requests per gateway stay as they are otherwise.
 */
export function confirmRemovedWith(
  reader: GatewayConfigReader,
  timeoutInMs: number,
  stop?: AbortSignal,
): RemovalCheck {
  return async (gateway, absent) => {
    if (absent.length === 0) return [];
    const reading = await readConfigurationWithin(reader, gateway, timeoutInMs, stop);
    if (!reading.ok) {
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
        reason: keptForUnaddressedMembers(record, config)
          ? "the reading listed no server of its pool and settings, and the gateway's configuration gives no address for some of the pool's members (scale-set or VM NICs, or members it does not say), so it cannot confirm the server was removed: the reading is taken as incomplete"
          : "the reading listed no server of its pool and settings, but the gateway's configuration still has the server there: the reading is taken as incomplete",
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
   * instead of asking again (one that never answered was waited for twice); a failed one keeps the
   * episodes open, as a failed GET of its own would.
   */
  known?: GatewayConfigReading,
): RemovalCheck | undefined {
  if (!configReader) return undefined;
  return confirmRemovedWith(
    known ? { getGatewayConfig: async () => known } : configReader,
    Math.min(timeoutInMs, GONE_CHECK_TIMEOUT_IN_MS),
    stop,
  );
}
