import { storageNameProblem, storageNameRule } from '../core/input/storage-names';
import { ConfigError } from '../errors';
import { durationText, parseDuration } from './duration';
import { boundSetting } from './binding-setting';

/** Settings only the Functions app reads (the CLI has no timer and no queue). */
export const DEFAULT_QUEUE_NAME = 'appgw-evaluate';

/** APPGW_QUEUE_NAME: the storage queue between the timer and the evaluating function. */
export function readQueueName(env: Readonly<Record<string, string | undefined>>): string {
  const name = boundSetting(env, 'APPGW_QUEUE_NAME', DEFAULT_QUEUE_NAME);
  // Storage queue names (3-63 characters) with room for the poison queue's "-poison".
  if (storageNameProblem(name, 56)) {
    throw new ConfigError(
      [`APPGW_QUEUE_NAME: "${name}" is not a queue name (${storageNameRule(56)})`],
      'app settings',
    );
  }
  return name;
}

/** Default of APPGW_ALERT_DEDUP_WINDOW: the Azure Monitor Baseline Alerts rule's window (PT5M). */
export const DEFAULT_ALERT_DEDUP_WINDOW_IN_MS = 5 * 60_000;
const MAX_ALERT_DEDUP_WINDOW_IN_MS = 86_400_000;

/**
 * APPGW_ALERT_DEDUP_WINDOW: within this long of an evaluation an Azure Monitor alert queued for a
 * gateway, the same gateway alerted with the same condition (Fired, Resolved) queues nothing more
 * (src/pipeline/alert-intake.ts). A duration (`5m`, `90s`, `1h`), `0` for none; at most 1 day.
 * Throws a ConfigError naming the setting.
 */
export function readAlertDedupWindow(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env['APPGW_ALERT_DEDUP_WINDOW']?.trim();
  if (!raw) return DEFAULT_ALERT_DEDUP_WINDOW_IN_MS;
  const ms = raw === '0' ? 0 : parseDuration(raw);
  if (ms === undefined || ms > MAX_ALERT_DEDUP_WINDOW_IN_MS)
    throw new ConfigError(
      [
        `APPGW_ALERT_DEDUP_WINDOW: "${raw}" is not a duration from 0 to ${durationText(MAX_ALERT_DEDUP_WINDOW_IN_MS)}, such as 5m, 90s or 0 (no deduplication)`,
      ],
      'app settings',
    );
  return ms;
}
