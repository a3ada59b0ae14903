import { existsSync } from 'node:fs';
import path from 'node:path';
import { enclosingRunFolder } from '../adapters/files/enclosing-run-folder';
import { lockRunFolder } from '../adapters/files/run-folder-lock';
import {
  createSavedBackendHealthReader,
  createSavedGatewayDirectory,
} from '../adapters/saved/saved-backend-health';
import { GATEWAY_ID_SHAPE, gatewayIdProblem, parseGatewayId } from '../core/arm-id';
import { describeBodyProblems, readBackendHealthBody } from '../core/backend-health-body';
import type { GatewayRef } from '../core/model';
import { parseConfig } from '../config/load';
import { folderSinkAdvice } from '../config/folder-origin';
import { BackendHealthBodyError, ConfigError, RunFolderNestedError, UsageError } from '../errors';
import type { Logger } from '../pipeline/logger';
import { runChecks, type RunOutcome } from '../pipeline/run-checks';
import type { Env } from './build-adapters';
import { buildRunServices, withLogger } from './run-services';

export interface SavedBody {
  /** The JSON value as saved (any encoding was decoded by the caller). */
  readonly value: unknown;
  /** Names the input in errors: "backend-health file /tmp/x.json", "backend-health body on standard input". */
  readonly source: string;
}

export interface EvaluateSavedOptions {
  /** `--gateway`: needed when the body's ids name no gateway. */
  readonly gatewayId?: string;
  /** Folder sink (`--out`), as `run`'s `sinks.dir`. */
  readonly outDir: string;
  readonly logger: Logger;
  readonly env?: Env;
}

/**
 * `evaluate`: a saved backend-health body through the same pipeline as `run` (evaluation, insights,
 * causes, report, the folder sink), without ARM, notify state or webhooks. Throws BackendHealthBodyError
 * for a body ARM would never send, ConfigError when the gateway cannot be told, UsageError for an --out
 * that holds a run's current view, RunFolderNestedError for one inside a run's folder,
 * RunInProgressError while a run writes --out.
 */
export async function evaluateSavedBody(
  saved: SavedBody,
  options: EvaluateSavedOptions,
): Promise<RunOutcome> {
  const first = readBackendHealthBody(saved.value);
  if (!first.ok) throw new BackendHealthBodyError(describeBodyProblems(first.problems), saved.source);
  const gateway = gatewayOf(first.gatewayIds, options.gatewayId);
  // Read again against that gateway: every pool and settings id present must be one of its own.
  const read = readBackendHealthBody(saved.value, { gatewayId: gateway.id });
  if (!read.ok) throw new BackendHealthBodyError(describeBodyProblems(read.problems), saved.source);

  refuseStatusFolder(options.outDir);
  const config = parseConfig({ targets: [gateway.id], sinks: { dir: options.outDir } }, 'evaluate');
  // Its folder is --out's, never sinks.dir: a write failure says so.
  const services = await buildRunServices(config, options.env ?? process.env, {
    sinkFolderAdvice: folderSinkAdvice({ by: 'flag', flag: '--out' }),
  });
  // No ARM call to pace (the body is saved), and no history: a saved body is no reading of the gateway
  // now, and `evaluate` writes nothing but its --out folder (it wrote .appgw-state/ where it was run).
  // No configuration read either: `evaluate` calls no ARM (its insights keep the general steps).
  const { pacer: _noArm, status: _noHistory, configReader: _noConfig, ...unpaced } = services.deps;
  const { deps, options: runOptions } = withLogger(
    {
      ...services,
      deps: {
        ...unpaced,
        directory: createSavedGatewayDirectory(gateway),
        reader: createSavedBackendHealthReader(gateway, read.body),
      },
    },
    options.logger,
  );
  // A run writing the folder now would have its view replaced when evaluate ended last (a break trial):
  // evaluate holds the folder's lock as a run does, and is refused while a run holds it.
  const lock = await lockRunFolder(options.outDir, {
    warn: (message) => options.logger.warn(message),
    elsewhere: 'give another folder with --out',
    oneOff: true,
  });
  try {
    return await runChecks(deps, runOptions);
  } finally {
    await lock.release();
  }
}

/**
 * Refuses an `--out` folder holding a status page (`index.html`: `run` with a status page, or the demo,
 * keeps its current view there; `evaluate` writes none), or inside a run's folder. A saved body is no
 * reading of the gateway now, yet its delivery replaced the current insights and removed pages the
 * status page linked to (a break trial: both verbs default to ./out).
 *
 * @throws UsageError naming the folder and another to pass; RunFolderNestedError when it lies inside a
 * run's folder (enclosing-run-folder.ts: `--out out/insights`, a link to it).
 */
function refuseStatusFolder(outDir: string): void {
  const enclosing = enclosingRunFolder(outDir);
  if (enclosing !== undefined) {
    throw new RunFolderNestedError(
      outDir,
      enclosing.folder,
      'give another folder with --out',
      `--out ${besideIt(enclosing.folder)}`,
      enclosing.linkedTo,
    );
  }
  if (!existsSync(path.join(outDir, 'index.html'))) return;
  throw new UsageError(
    [
      `--out ${outDir} holds a status page (index.html): the current view that "run" (or the demo) keeps there, ` +
        `which a saved body, no reading of the gateway now, must not replace. Write it to another folder: --out ${besideIt(outDir)}`,
    ],
    'evaluate',
  );
}

/** A folder for evaluate's output beside `dir`: `out` → `out-evaluate`. */
function besideIt(dir: string): string {
  return path.join(path.dirname(dir), `${path.basename(dir)}-evaluate`);
}

/** `--gateway` when given, else the one gateway the body's ids name; anything else says what to pass. */
function gatewayOf(named: readonly string[], given: string | undefined): GatewayRef {
  if (given !== undefined) {
    const gateway = parseGatewayId(given);
    if (gateway) return gateway;
    throw new ConfigError([`--gateway: ${gatewayIdProblem(given)}`], 'arguments');
  }
  const [only, ...others] = named;
  if (only !== undefined && others.length === 0) {
    const gateway = parseGatewayId(only);
    if (gateway) return gateway;
  }
  if (only === undefined) {
    throw new ConfigError(
      [
        `the body names no gateway (none of its pool or settings entries carries an id): pass --gateway ${GATEWAY_ID_SHAPE}`,
      ],
      'arguments',
    );
  }
  throw new ConfigError(
    [
      `the ids in the body name ${named.length} gateways (${named.join(', ')}); one backend-health answer is ` +
        "about one gateway: save one gateway's output, or pass --gateway with the one it is about",
    ],
    'arguments',
  );
}
