/**
 * What the run report says about the gateways' own configuration (pure): per gateway, whether its
 * `GET …/applicationGateways/{name}` answered and how many of its insights give the general remediation
 * steps instead of the gateway's own probe values and commands; per run, one message saying so at the
 * top, with the permission to grant when the GET was refused. A configuration that cannot be read never
 * fails the gateway (its health was read): it degrades its insights, and `run` exits 3 (cli/exit-codes.ts).
 */
import { GATEWAY_ACTIONS } from '../errors';
import type { GatewayConfigFailureKind } from './gateway-config';
import type { Finding } from './model';

/**
 * The permission the configuration GET needs, and the custom role of infra/ that grants it (with the
 * backend-health actions): `infra/app/backend-health-reader-role.bicep`, role name parameter default.
 */
export const CONFIGURATION_GRANT = {
  action: GATEWAY_ACTIONS[0],
  role: 'App Gateway Backend Health Reader',
  definedIn: 'infra/app/backend-health-reader-role.bicep',
} as const;

/** One gateway's configuration, as the run report says it (`gateways[].configuration`). */
export interface GatewayConfigurationReport {
  /** False when the GET failed: every insight of the gateway gives the general steps. */
  readonly read: boolean;
  /**
   * Why the GET failed (`read: false`): `forbidden` (403: the identity lacks
   * CONFIGURATION_GRANT.action), `not-found` (404: the gateway was deleted after it was listed),
   * `throttled` (429 after the retries), `unavailable` (5xx after the retries, a lost connection),
   * `unauthenticated` (401), `invalid` (an answer that is not a gateway resource), `timeout` (no answer
   * within the gateway's time-out).
   */
  readonly reason?: GatewayConfigFailureKind;
  /** `read: false`: what happened, in ARM's words where it answered, and what to do. */
  readonly message?: string;
  /** `read: false`: whether the next run may read it without anyone acting (throttling, 5xx, time-out). */
  readonly retryable?: boolean;
  /** Findings whose insight gives the general steps (the GET failed, or its setting or probe was not found or ambiguous). */
  readonly generalSteps: number;
}

/** The run's one message about configurations (`configuration` of the run report); absent when every insight is exact. */
export interface RunConfigurationReport {
  /** Gateways whose configuration GET failed. */
  readonly unreadGateways: number;
  /** Findings, over every gateway, whose insight gives the general steps. */
  readonly generalSteps: number;
  /** For a person, once per run: what happened, what it costs, what to do. */
  readonly message: string;
  /** Present when a GET was refused (403): the action to grant, and the custom role that grants it. */
  readonly grant?: typeof CONFIGURATION_GRANT;
}

/** Retryable without anyone acting: ARM was busy, failing or slow. */
const RETRYABLE: ReadonlySet<GatewayConfigFailureKind> = new Set(['throttled', 'unavailable', 'timeout']);

/**
 * The gateway's report entry from its findings (each with its `configuration`) and the GET's failure,
 * if it failed; undefined when every finding's insight is exact (or none was explained: no findings, no
 * configuration reader).
 */
export function gatewayConfigurationReport(
  findings: readonly Finding[],
  failure: { readonly kind: GatewayConfigFailureKind; readonly detail: string } | undefined,
): GatewayConfigurationReport | undefined {
  const generalSteps = findings.filter((f) => f.configuration?.read === false).length;
  if (failure === undefined && generalSteps === 0) return undefined;
  if (failure === undefined) return { read: true, generalSteps };
  return {
    read: false,
    reason: failure.kind,
    message: failure.detail,
    retryable: RETRYABLE.has(failure.kind),
    generalSteps,
  };
}

/** The run's message from its gateways' entries; undefined when none gave the general steps. */
export function runConfigurationReport(
  gateways: ReadonlyArray<{ readonly configuration?: GatewayConfigurationReport }>,
): RunConfigurationReport | undefined {
  const entries = gateways.flatMap((g) => (g.configuration ? [g.configuration] : []));
  const generalSteps = entries.reduce((n, e) => n + e.generalSteps, 0);
  const unread = entries.filter((e) => !e.read);
  if (generalSteps === 0 && unread.length === 0) return undefined;
  const forbidden = unread.filter((e) => e.reason === 'forbidden').length;
  const gatewaysWith = entries.filter((e) => e.generalSteps > 0).length;
  // With no finding, a configuration was read only to tell a reading's coverage (check-gateway.ts).
  const parts =
    generalSteps > 0
      ? [
          `Remediation steps are the general ones for ${generalSteps} finding(s) on ${gatewaysWith} gateway(s), ` +
            "not the gateway's own probe values and commands:",
        ]
      : [];
  if (forbidden > 0)
    parts.push(
      `the identity may not read the configuration of ${forbidden} gateway(s) (403): grant it ` +
        `"${CONFIGURATION_GRANT.action}" on the gateways' scope (the custom role "${CONFIGURATION_GRANT.role}" ` +
        `of ${CONFIGURATION_GRANT.definedIn} has it; so does Reader).`,
    );
  if (unread.length > forbidden)
    parts.push(
      `the configuration of ${unread.length - forbidden} gateway(s) could not be read (gateways[].configuration says why).`,
    );
  if (entries.some((e) => e.read && e.generalSteps > 0))
    parts.push(
      "some findings' backend setting or probe is missing from, or ambiguous in, their gateway's configuration (gateways[].findings[].generalSteps says which).",
    );
  return {
    unreadGateways: unread.length,
    generalSteps,
    message: sentence(parts.join(' ')),
    ...(forbidden > 0 ? { grant: CONFIGURATION_GRANT } : {}),
  };
}

/** `text` with its first letter capital (the parts after the first start in lower case). */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
