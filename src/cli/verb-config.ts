/**
 * The configuration a maintenance verb (`notify …`, `silence …`) works on: `--config FILE`, or, without
 * it, the APPGW_* settings from the environment as `run` and the Functions app read them (issue 15: one
 * configuration for every way of running; a run configured by the environment told the user to paste
 * `notify resend --config FILE`, and there was no FILE). From the environment the whole configuration
 * is checked, as a run checks it, so a setting that is wrong is said here as there.
 */
import { configFromAppSettings } from '../config/app-settings';
import type { StateFolderAdvice } from '../adapters/state/file-state-store';
import { fileStateAdvice, folderAdvice } from '../config/folder-origin';
import { loadConfigPart, loadSilencesConfig, type SilencesConfig } from '../config/load';
import type { Config } from '../config/schema';
import type { ConfigSource } from '../core/follow-up-command';
import { warnSettingsNotApplied } from './settings-not-applied';

type ConfigPart = Parameters<typeof loadConfigPart>[1][number];

/** The whole configuration from the APPGW_* settings of the environment, checked as `run` checks it. */
function fromEnvironment(verb: string): Config {
  return configFromAppSettings(process.env, { reader: 'run', verb });
}

/** `parts` of the configuration of `file`, or of the environment when there is no file. */
export async function verbConfig<K extends ConfigPart>(
  file: string | undefined,
  parts: readonly K[],
  verb: string,
  receiver?: Parameters<typeof loadConfigPart>[2],
): Promise<Pick<Config, K>> {
  if (file === undefined) return fromEnvironment(verb);
  const config = await loadConfigPart(file, parts, receiver);
  await warnSettingsNotApplied(file, verb);
  return config;
}

/** `state` and `notify.silences` of `file`, or of the environment when there is no file. */
export async function silencesConfig(file: string | undefined, verb: string): Promise<SilencesConfig> {
  if (file !== undefined) {
    const config = await loadSilencesConfig(file);
    await warnSettingsNotApplied(file, verb);
    return config;
  }
  const config = fromEnvironment(verb);
  return { state: config.state, silences: config.notify.silences };
}

/** What a state file's failure says to check: `state.dir` in FILE, or APPGW_STATE_DIR. */
export function stateAdviceOf(file: string | undefined, state: { readonly dir?: string }): StateFolderAdvice {
  return file === undefined
    ? folderAdvice({ env: process.env }, state.dir ? { state: state.dir } : {}).stateFolderAdvice
    : fileStateAdvice(file, state);
}

/** Where a verb's configuration came from, as its follow-up commands name it: the file, or the environment. */
export function configSource(file: string | undefined): ConfigSource {
  return file === undefined ? 'environment' : { file };
}

/** How a message names where a setting lives: `in FILE`, or the APPGW_* setting given. */
export function settingPlace(file: string | undefined, setting: string): string {
  return file === undefined ? `in ${setting}` : `in ${file}`;
}
