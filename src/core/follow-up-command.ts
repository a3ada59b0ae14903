/**
 * A command a message tells the user to run next (`re-send: appgw-insights notify resend …`, "end it
 * first with `appgw-insights silence expire …`"), written so it can be pasted as it is (pure): the
 * program's name, the verb, `--config` with the file the user gave the verb that printed it (one shell
 * word, as given: the follow-up runs from the same folder), no `--config` when the verb read the
 * APPGW_* settings from the environment (FROM_ENVIRONMENT: the follow-up reads them too), or the
 * placeholder `FILE` where the source is not known (the Functions app, a message built without it),
 * then the verb's own arguments, each one shell word (shell-quote.ts).
 */
import { shellWord } from './shell-quote';

/** What a follow-up command says when the configuration file is not known. */
const CONFIG_FILE_PLACEHOLDER = 'FILE';

/**
 * The `configFile` of a verb that read the APPGW_* settings from the environment: its follow-up
 * commands name no `--config`, and read the same settings (no file path is empty).
 */
export const FROM_ENVIRONMENT = '';

/**
 * `appgw-insights VERB --config FILE ARG…`. `verb` is the verb as typed (`silence expire`, `notify
 * resend`); `configFile` the file the user gave, undefined for `FILE`; `args` the rest, as values (a
 * flag such as `--all` stays as it is, a name or an id is quoted when a shell would read it otherwise).
 */
export function followUpCommand(verb: string, configFile: string | undefined, ...args: string[]): string {
  const config =
    configFile === FROM_ENVIRONMENT
      ? []
      : ['--config', configFile === undefined ? CONFIG_FILE_PLACEHOLDER : shellWord(configFile)];
  return ['appgw-insights', verb, ...config, ...args.map(shellWord)].join(' ');
}
