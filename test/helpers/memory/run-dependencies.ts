import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArticle } from '../../../src/articles';
import { parseGatewayId, parseTarget, type Target } from '../../../src/core/arm-id';
import { DEFAULT_UNHEALTHY_STATES } from '../../../src/core/health';
import type { BackendHealthBody, GatewayRef } from '../../../src/core/model';
import type { NotifyServices } from '../../../src/pipeline/notify/notify-gateways';
import { createReceiverBreakers } from '../../../src/pipeline/notify/receiver-breaker';
import type { NotifyStateDocument } from '../../../src/pipeline/notify/state-document';
import type { RunDependencies, RunOptions } from '../../../src/pipeline/run-checks';
import { gateway, gatewayId, type ServerSpec } from '../scenario-builder';
import { memoryBackendHealthReader, type MemoryBackendHealthReader } from './backend-health-reader';
import { fakeClock, type FakeClock } from './clock';
import { memoryGatewayDirectory, type MemoryGatewayDirectory } from './gateway-directory';
import { memoryLogger, type MemoryLogger } from './logger';
import { memoryNotifier, type MemoryNotifier } from './notifier';
import { memorySink, type MemorySink } from './sink';
import { memoryStateForRuns, type MemoryStateForRuns } from './state-for-runs';
import { memoryTelemetry, type MemoryTelemetry } from './telemetry';

/** The seed article, parsed (the insight every finding is rendered with). */
export const seedArticle = parseArticle(
  readFileSync(path.resolve(__dirname, '../../../articles/degraded-backend-server-health.md')),
);

/** `rg-test/<name>` in the test subscription (test/helpers/scenario-builder.ts), as a GatewayRef. */
export function gatewayNamed(name: string, resourceGroup = 'rg-test', subscription?: string): GatewayRef {
  const ref = parseGatewayId(gatewayId(name, resourceGroup, subscription));
  if (!ref) throw new Error(`not a gateway: ${name}`);
  return ref;
}

/** The backend health of a gateway with one pool (`pool-a`) and settings (`settings-a`) holding `servers`. */
export function healthOf(ref: GatewayRef, servers: ServerSpec[]): BackendHealthBody {
  return gateway(ref.name, servers, {}, ref.resourceGroup, ref.subscriptionId)
    .backendHealth as BackendHealthBody;
}

/** A target as the config gives it. */
export function target(id: string): Target {
  const parsed = parseTarget(id);
  if ('error' in parsed) throw new Error(`${id}: ${parsed.error}`);
  return parsed;
}

/** 2026-01-05T10:00:00Z: where the fake clock starts. */
export const START_IN_MS = Date.parse('2026-01-05T10:00:00.000Z');

/** Every port of a run, in memory, with handles on each for the test to steer and read. */
export interface MemoryRun {
  readonly directory: MemoryGatewayDirectory;
  readonly reader: MemoryBackendHealthReader;
  readonly sinks: MemorySink[];
  readonly clock: FakeClock;
  readonly logger: MemoryLogger;
  readonly telemetry: MemoryTelemetry;
  /** Present when made `withNotify`. */
  readonly notify?: {
    readonly services: NotifyServices;
    readonly stores: MemoryStateForRuns<NotifyStateDocument>;
    readonly notifiers: MemoryNotifier[];
  };
  readonly deps: RunDependencies;
  readonly options: RunOptions;
}

/**
 * A run over in-memory ports: `gateways` exist (all listed by the subscription target unless `targets`
 * say otherwise), each answering `health` (none: GatewayNotFound); two sinks (`folder`, `blob`);
 * notify on change with one receiver (`webhook[ops]`) when `withNotify`.
 */
export function memoryRun(
  setup: {
    readonly gateways?: ReadonlyArray<{ readonly ref: GatewayRef; readonly servers?: ServerSpec[] }>;
    readonly targets?: readonly string[];
    readonly withNotify?: boolean;
    readonly options?: Partial<RunOptions>;
  } = {},
): MemoryRun {
  const gateways = setup.gateways ?? [];
  const directory = memoryGatewayDirectory(gateways.map((g) => g.ref));
  const reader = memoryBackendHealthReader(
    Object.fromEntries(
      gateways.flatMap((g) => (g.servers ? [[g.ref.id, healthOf(g.ref, g.servers)] as const] : [])),
    ),
  );
  const sinks = [memorySink('folder'), memorySink('blob')];
  const clock = fakeClock(START_IN_MS);
  const logger = memoryLogger();
  const telemetry = memoryTelemetry();
  const notify = setup.withNotify ? memoryNotify(logger) : undefined;
  const subscription = gateways[0]?.ref.subscriptionId ?? '11111111-1111-1111-1111-111111111111';
  return {
    directory,
    reader,
    sinks,
    clock,
    logger,
    telemetry,
    ...(notify ? { notify } : {}),
    deps: {
      directory,
      reader,
      sinks,
      clock,
      logger,
      telemetry,
      article: seedArticle,
      ...(notify ? { notify: notify.services } : {}),
    },
    options: {
      targets: (setup.targets ?? [`/subscriptions/${subscription}`]).map(target),
      unhealthyStates: DEFAULT_UNHEALTHY_STATES,
      concurrency: 4,
      gatewayTimeoutInMs: 5_000,
      notifyPolicy: { for: 1, repeatIntervalInMs: 24 * 3_600_000 },
      ...setup.options,
    },
  };
}

/** Notify on change in memory: a Map-backed state, one receiver, a fresh breaker registry. */
export function memoryNotify(logger: MemoryLogger): NonNullable<MemoryRun['notify']> {
  const stores = memoryStateForRuns<NotifyStateDocument>('memory state');
  const notifiers = [memoryNotifier('webhook[ops]')];
  return {
    stores,
    notifiers,
    services: { stores, notifiers, logger, breakers: createReceiverBreakers(), outboxLimit: 50 },
  };
}
