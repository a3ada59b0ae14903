import type { Cause } from './causes';
import type { Observation } from './config-observations';
import type { ResolvedProbe } from './probe-resolution';
import type { Severity } from './notice/severity';

/**
 * Plain data the pure core works on. The ARM body shapes mirror the wire format (REST spec
 * `ApplicationGatewayBackendHealth`) but only the fields we read; adapters hand us this, never SDK types.
 * `readBackendHealthBody` (backend-health-body.ts) makes one from whatever a tool printed: absent and
 * `null` fields are left out, and fields not listed here may ride along (kept for the emulator to serve).
 */

export interface BackendHealthServerBody {
  address?: string;
  health?: string;
  healthProbeLog?: string;
  /**
   * The probe's machine-readable result, e.g. "HttpStatusCodeMismatchWithStatusCode" or "SuccessWithStatusCode".
   * Not in the REST spec (through api-version 2026-01-01); live gateways on recent api-versions send it beside
   * healthProbeLog. Values and sources: ./probe-error-names.ts.
   */
  healthProbeErrorName?: string;
  ipConfiguration?: { id?: string } | null;
}

export interface BackendHealthHttpSettingsBody {
  backendHttpSettings?: { id?: string; name?: string };
  servers?: BackendHealthServerBody[];
}

export interface BackendHealthPoolBody {
  backendAddressPool?: { id?: string; name?: string };
  backendHttpSettingsCollection?: BackendHealthHttpSettingsBody[];
}

export interface BackendHealthBody {
  backendAddressPools?: BackendHealthPoolBody[];
}

/** A gateway to evaluate, as discovered from the targets. */
export interface GatewayRef {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  /**
   * The gateway's ARM tags (name → value; gateway-tags.ts), when its resource was read: a finding's
   * gateway has them from the configuration GET, a server's record keeps the last ones known. Absent:
   * unknown, and no `tags` matcher of a silence or a receiver's `match` matches it.
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** How we read the `health` string: both vocabularies (spec's Up/Down, live Healthy/Unhealthy). */
export type HealthState = 'healthy' | 'unhealthy' | 'unknown' | 'partial' | 'draining' | 'unrecognised';

/** One backend server that is not healthy, with everything an insight needs. */
export interface Finding {
  readonly gateway: GatewayRef;
  readonly backendPool: string;
  readonly backendSettings: string;
  /**
   * The setting's ARM id as backend health gave it (`…/backendHttpSettingsCollection/{name}` or, for the
   * TCP/TLS proxy, `…/backendSettingsCollection/{name}`); absent when the body gave only a name (a saved
   * `az` output). The name alone cannot tell an HTTP setting from a TCP/TLS one of the same name.
   */
  readonly backendSettingsId?: string;
  readonly address: string;
  /** The health value exactly as the gateway reported it (e.g. "Unhealthy", "Down"). */
  readonly health: string;
  readonly state: HealthState;
  /** The probe's own message; empty when the gateway gave none. */
  readonly probeLog: string;
  /** Why, read from the state and probe log, with what to do about it. */
  readonly cause: Cause;
  /**
   * `critical` when no server of its pool (under the same backend setting) is known to be serving (`Healthy` or `Partial`; `Unknown` ones do not count), else
   * `warning`; never `critical` for Unknown, Partial or Draining (notice/severity.ts, evaluate.ts).
   */
  readonly severity: Severity;
  /**
   * What the gateway's own configuration says about this server's probe (finding-configuration.ts):
   * absent when it was not read (a saved body: `evaluate`); `read: false` when reading it failed.
   */
  readonly configuration?: FindingConfiguration;
}

/** The configuration behind one finding's probe, or why it is not known. */
export type FindingConfiguration =
  | {
      readonly read: true;
      readonly probe: ResolvedProbe;
      /** "What we see in your configuration" (config-observations.ts), possibly none. */
      readonly observations: readonly Observation[];
      /**
       * True when the reading these observations explain is an on-demand probe's (`recheck`), sent with
       * the configuration just read: it cannot predate it (exact-steps.ts says so in other words).
       */
      readonly onDemand?: true;
    }
  | {
      readonly read: false;
      /** Why not, in words ("ARM answered 403 …", "the backend setting "s" is not in …"). */
      readonly reason: string;
      /**
       * True when the configuration was read but did not give this server's probe: its setting or the
       * probe it names is missing, or its name is ambiguous (probe-resolution.ts findSettings). Absent:
       * the GET itself failed.
       */
      readonly unresolved?: true;
    };
