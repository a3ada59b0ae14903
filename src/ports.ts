/**
 * The small interfaces between the use case (pipeline/) and the outside world (adapters/).
 * Each adapter implements one; tests swap in real stand-ins (emulator, Azurite), never mocks of these.
 */
import type { Target } from './core/arm-id';
import type { BackendHealthBody, GatewayRef } from './core/model';
import type { RunReport } from './pipeline/report';
import type { Insight } from './insight/insight';

export interface CallOptions {
  readonly abortSignal?: AbortSignal;
}

/** Reads a gateway's backend health (ARM's long-running backendhealth POST). */
export interface BackendHealthReader {
  getBackendHealth(gateway: GatewayRef, options?: CallOptions): Promise<BackendHealthBody>;
}

/** Expands a target (subscription, resource group or gateway id) into gateways. */
export interface GatewayDirectory {
  listGateways(target: Target, options?: CallOptions): Promise<GatewayRef[]>;
}

/** Where a run's insights and report go. One failing sink never stops another. */
export interface InsightSink {
  /** Names the sink in reports and errors; never carries secrets. */
  readonly name: string;
  deliver(delivery: Delivery): Promise<DeliveryReceipt>;
}

export interface Delivery {
  readonly report: RunReport;
  readonly insights: readonly Insight[];
}

export interface DeliveryReceipt {
  /** Where things were written, for the human summary (paths, URLs without secrets). */
  readonly locations: readonly string[];
}

export interface Clock {
  now(): Date;
}
