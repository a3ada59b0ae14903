import { app } from '@azure/functions';
import { readFunctionSettings, sharedFunctionServices } from '../src/app/function-services';

/**
 * Every app setting, checked once when the worker starts: a wrong or missing setting is one clear
 * error listing each problem by setting name, in the log at start-up rather than at the first run.
 * The settings read here are the ones the functions then use (read once per instance).
 */
export const validateAppSettings = (
  env: Readonly<Record<string, string | undefined>> = process.env,
): void => {
  readFunctionSettings(env);
};

app.hook.appStart(() => void sharedFunctionServices());
