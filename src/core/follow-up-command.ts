/**
 * A command a message tells the user to run next (`re-send: appgw-insights notify resend …`, "end it
 * first with `appgw-insights silence expire …`"), written so it can be pasted as it is (pure): the
 * program's name, the verb, `--config` with the file the user gave the verb that printed it (one shell
 * word, as given: the follow-up runs from the same folder), or the placeholder `FILE` when the verb ran
 * without one (app settings from the environment, the Functions app, a message built where the file is
 * not known), then the verb's own arguments, each one shell word (shell-quote.ts).
 */
import { shellWord } from './shell-quote';

/** What a follow-up command says when the configuration file is not known. */
const CONFIG_FILE_PLACEHOLDER = 'FILE';

/**
 * `appgw-insights VERB --config FILE ARG…`. `verb` is the verb as typed (`silence expire`, `notify
 * resend`); `configFile` the file the user gave, undefined for `FILE`; `args` the rest, as values (a
 * flag such as `--all` stays as it is, a name or an id is quoted when a shell would read it otherwise).
 */
export function followUpCommand(verb: string, configFile: string | undefined, ...args: string[]): string {
  const config = configFile === undefined ? CONFIG_FILE_PLACEHOLDER : shellWord(configFile);
  return ['appgw-insights', verb, '--config', config, ...args.map(shellWord)].join(' ');
}
