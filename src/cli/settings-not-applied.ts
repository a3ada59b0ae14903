import { readJsonFile } from '../adapters/files/json-file';
import { settingsNotApplied } from '../config/app-settings';
import { terminalLines } from './terminal-text';

/**
 * With `--config FILE`, FILE is the whole configuration: `APPGW_*` variables set in the environment are
 * not applied (only names FILE reads through `{"fromEnv"}`, anywhere in it, even in a part `verb` does
 * not use). One warning on stderr names them, never their values (webhook URLs and storage keys are
 * secrets), so a setting meant to apply is not silently ignored. `verb`: how the warning names the
 * command (`run`, `notify resend` …). `whole`: FILE's whole configuration as loaded, when the verb loaded
 * all of it (`run`, `recheck`); otherwise FILE is read again here, for the names a part the verb does
 * not load reads. A FILE that cannot be read says nothing here: loading it says why.
 */
export async function warnSettingsNotApplied(file: string, verb: string, whole?: unknown): Promise<void> {
  let config = whole;
  if (config === undefined) {
    const read = await readJsonFile(file);
    if (!read.ok) return;
    config = read.value;
  }
  const names = settingsNotApplied(process.env, config);
  if (names.length === 0) return;
  const one = names.length === 1;
  process.stderr.write(
    `warning: --config ${terminalLines(file)} is the whole configuration: ${one ? 'this APPGW_* variable of the environment is' : `these ${names.length} APPGW_* variables of the environment are`} not applied: ${names.map((name) => terminalLines(name)).join(', ')} (move what ${one ? 'it should' : 'they should'} set into the file, or unset ${one ? 'it' : 'them'}; without --config, ${verb} reads ${one ? 'it' : 'them'} instead)\n`,
  );
}
