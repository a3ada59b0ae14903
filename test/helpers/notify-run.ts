import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildRunServices, withLogger } from '../../src/app/run-services';
import { parseConfig } from '../../src/config/load';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../src/emulator';
import type { Logger } from '../../src/pipeline/logger';
import type { NotifyStateDocument } from '../../src/pipeline/notify/state-document';
import { runChecks, type RunOutcome } from '../../src/pipeline/run-checks';
import type { Clock, StateStore, StateStores } from '../../src/ports';
import type { SilenceDocument } from '../../src/pipeline/notify/silence-store';
import type { HistoryDocument } from '../../src/core/status/history';
import { emulatorArm } from './emulator-settings';
import { SUB } from './scenario-builder';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/** A logger that keeps every line, as the CLI would print it to stderr. */
export interface RecordingLogger extends Logger {
  readonly lines: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: () => {},
    warn: (m) => void lines.push(`warning: ${m}`),
    error: (m) => void lines.push(`error: ${m}`),
  };
}

export interface NotifyRunOptions {
  readonly scenario: ScenarioInput;
  /** The run's config, without `arm` (the emulator's) and `targets` (defaultTargets). */
  readonly config: Record<string, unknown>;
  readonly targets?: readonly string[];
  /** Merged over the emulator's `arm` block (e.g. `maxRetries`). */
  readonly arm?: Record<string, unknown>;
  /** Replaces the state stores the config names (e.g. a blob client without retries). */
  readonly stores?: StateStores<NotifyStateDocument>;
  /** Replaces the stored silences' store the config names (`silence add`'s), as `stores` the notify state's. */
  readonly silences?: StateStore<SilenceDocument>;
  /** Replaces the status page's history stores the config names, as `stores` the notify state's. */
  readonly history?: StateStores<HistoryDocument>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly runId?: string;
  /** Given the emulator once the run is done, before it closes (its `requests`). */
  readonly afterRun?: (emulator: RunningEmulator) => void;
}

/**
 * The whole subscription; or, when a gateway's scenario breaks the GET of its configuration (a `get`
 * fault), each gateway by its id: a listing gives the configuration, and the GET the test means to break
 * would not be made.
 */
function defaultTargets(scenario: ScenarioInput): string[] {
  const gateways = (scenario as { gateways?: Array<{ id?: string; faults?: Array<{ on?: string }> }> })
    .gateways;
  const breaksGet = gateways?.some((g) => g.faults?.some((f) => f.on === 'get')) ?? false;
  return breaksGet ? gateways!.map((g) => g.id as string) : [`/subscriptions/${SUB}`];
}

/**
 * One direct run, as `appgw-insights run` does it (config → adapters → runChecks), against a fresh
 * emulator, with the state stores or the clock swapped in when a test needs to.
 */
export async function notifyRun(options: NotifyRunOptions): Promise<RunOutcome> {
  let emulator: RunningEmulator | undefined;
  try {
    emulator = await startEmulator({ scenario: options.scenario as never });
    const config = parseConfig({
      targets: options.targets ?? defaultTargets(options.scenario),
      arm: { ...emulatorArm(emulator), ...options.arm },
      ...options.config,
    });
    const { deps, options: runOptions } = withLogger(
      await buildRunServices(config, process.env),
      options.logger ?? recordingLogger(),
    );
    const outcome = await runChecks(
      {
        ...deps,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(deps.notify && (options.stores || options.silences)
          ? {
              notify: {
                ...deps.notify,
                ...(options.stores ? { stores: options.stores } : {}),
                ...(options.silences ? { silences: options.silences } : {}),
              },
            }
          : {}),
        ...(deps.status && options.history ? { status: { ...deps.status, history: options.history } } : {}),
      },
      { ...runOptions, ...(options.runId ? { runId: options.runId } : {}) },
    );
    options.afterRun?.(emulator);
    return outcome;
  } finally {
    await emulator?.close();
  }
}

/** The receivers of an end-to-end notify test (notifyRun's config names their `url`s), and its folder. */
export interface NotifyReceivers {
  /** Loopback receivers answering 200 (a test configures them as `json`). */
  readonly ops: WebhookReceiver;
  readonly chat: WebhookReceiver;
  /** Answers as PagerDuty's Events API v2 accepts an event: 202 with its JSON body. */
  readonly pager: WebhookReceiver;
  /** A fresh folder under the OS temp folder, for the run's folder sink and state. */
  readonly tmp: string;
  /** Stops the three receivers and removes `tmp`. */
  close(): Promise<void>;
}

/** Three loopback receivers (`ops`, `chat`, and `pager` as PagerDuty) and a temp folder named `prefix`…. */
export async function startNotifyReceivers(prefix: string): Promise<NotifyReceivers> {
  const [ops, chat, pager] = await Promise.all([
    startWebhookReceiver(),
    startWebhookReceiver(),
    startWebhookReceiver(),
  ]);
  pager.setDefault({ status: 202, body: '{"status":"success","message":"Event processed"}' });
  const tmp = await mkdtemp(path.join(os.tmpdir(), prefix));
  return {
    ops,
    chat,
    pager,
    tmp,
    close: async () => {
      await Promise.all([ops.close(), chat.close(), pager.close()]);
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** A clock that says `at` (ms) until moved: the in-memory port's. */
export { fakeClock } from './memory/clock';
