import { app } from '@azure/functions';
import { readFunctionSettings, sharedFunctionServices } from '../src/app/function-services';

/**
 * Every app setting, checked once when the worker starts (the appStart hook below): a wrong or missing
 * setting is one clear error listing each problem by setting name, in the log at start-up rather than
 * at the first run. The hook reads them through sharedFunctionServices, which keeps them for the
 * functions (read once per instance); this is the same check (readFunctionSettings) on its own.
 */
export const validateAppSettings = (
  env: Readonly<Record<string, string | undefined>> = process.env,
): void => {
  readFunctionSettings(env);
};

app.hook.appStart(() => void sharedFunctionServices());
