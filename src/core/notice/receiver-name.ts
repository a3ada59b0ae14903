/**
 * A receiver's two names: the one in the configuration (`sinks.webhooks[].name`, `ops`) and the one
 * the notify state, the run report and the log key it by (`webhook[ops]`). Commands take either.
 */

/** `webhook[ops]` for the configuration's `ops`. */
export function receiverKey(configName: string): string {
  return `webhook[${configName}]`;
}

/** The configuration's name: `ops` for `webhook[ops]` or `ops`. */
export function receiverConfigName(name: string): string {
  return /^webhook\[(.+)\]$/.exec(name)?.[1] ?? name;
}
