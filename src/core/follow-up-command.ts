/**
 * A command a message tells the user to run next (`re-send: appgw-insights notify resend …`, "end it
 * first with `appgw-insights silence expire …`"), written so it can be pasted as it is (pure): the
 * program's name, the verb, `--config` with the file the user gave the verb that printed it (one shell
 * word, as given: the follow-up runs from the same folder), no `--config` when the verb read the
 * APPGW_* settings from the environment (the follow-up reads them too), or the placeholder `FILE`
 * where the source is not known (the Functions app, a message built without it), then the verb's own
 * arguments, each one shell word (shell-quote.ts).
 */
import { shellWord } from './shell-quote';

/** What a follow-up command says when the configuration file is not known. */
const CONFIG_FILE_PLACEHOLDER = 'FILE';

/**
 * Where the verb that prints a follow-up command read its configuration: `{ file }`, the `--config`
 * it was given (its follow-up names the same file), or `'environment'`, the APPGW_* settings (its
 * follow-up names no `--config`, and reads the same settings). Undefined where it is not known.
 */
export type ConfigSource = { readonly file: string } | 'environment';

/**
 * `appgw-insights VERB --config FILE ARG…`. `verb` is the verb as typed (`silence expire`, `notify
 * resend`); `source` where the printing verb's configuration came from (undefined: `--config FILE`);
 * `args` the rest, as values (a flag such as `--all` stays as it is, a name or an id is quoted when a
 * shell would read it otherwise).
 */
export function followUpCommand(verb: string, source: ConfigSource | undefined, ...args: string[]): string {
  const config =
    source === 'environment'
      ? []
      : ['--config', source === undefined ? CONFIG_FILE_PLACEHOLDER : shellWord(source.file)];
  return ['appgw-insights', verb, ...config, ...args.map(shellWord)].join(' ');
}
