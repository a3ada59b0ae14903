import { app } from '@azure/functions';
import { configFromAppSettings } from '../src/config/app-settings';
import { readQueueName } from '../src/config/functions-settings';
import { readSchedule } from '../src/config/schedule';

/**
 * Every app setting, checked once when the worker starts: a wrong or missing setting is one clear
 * error listing each problem by setting name, in the log at start-up rather than at the first run.
 */
export function validateAppSettings(env: Readonly<Record<string, string | undefined>> = process.env): void {
  configFromAppSettings(env);
  readQueueName(env);
  readSchedule(env);
}

app.hook.appStart(() => validateAppSettings());
