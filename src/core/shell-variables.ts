/**
 * The shell variables a pasteable command reads for a value the product cannot know (pure): the site's
 * real host name, a health path, how long a probe should wait, a certificate file on the reader's
 * disk, a NIC. Never a plausible default and never a `<placeholder>` (a shell reads `<name>` as a
 * redirection): each command reads the variable as `"${NAME:?set NAME to …}"`, which bash and zsh refuse
 * to run while it is unset or empty, with that message, so nothing changes a live gateway with a value
 * the reader did not give (issue 17: a pasted `--timeout 60` or `--cert-file backend.cer` is a value we
 * made up).
 *
 * A meaning is plain words: no quote, backtick, dollar, brace or leading dash (it sits inside a double-
 * quoted `${…}`, a single-quoted argument, a markdown code span, and among a command's words).
 */

/** What each variable must hold, as the line that introduces it and its refusal message say it. */
const VARIABLE_MEANING = {
  SITE_HOST_NAME: 'the name the site answers to, on its certificate',
  HEALTH_PATH: 'a path the backend answers 200 on',
  PROBE_TIMEOUT_SECONDS:
    'the seconds the probe waits: longer than the backend takes to answer the probe, and below the probe interval',
  PROBE_INTERVAL_SECONDS: 'the seconds between probes: above the probe timeout',
  ROOT_CERT_FILE: 'the path of the root CA certificate of the backend chain, Base64 .cer',
  ROOT_CERT_NAME: 'a name for the trusted root certificate on the gateway',
  TRUSTED_ROOT_FILE: 'the path of a trusted root certificate the backend setting names, Base64 .cer',
  AUTH_CERT_FILE: 'the path of the backend server certificate, public part only, Base64 .cer',
  MATCH_BODY: 'a text the health page body always contains when healthy',
  ACCEPTED_STATUS: 'the status the backend returns, if it is a right answer for a health probe',
  NIC_NAME: 'the name of the network interface of the backend server',
  NIC_RESOURCE_GROUP: 'the resource group of that network interface',
} as const;

/** A variable a command may read (see VARIABLE_MEANING). */
export type ShellVariable = keyof typeof VARIABLE_MEANING;

/** The variable a command uses for the name the site answers to (the reader sets it first). */
export const SITE_HOST_VARIABLE = 'SITE_HOST_NAME';

/** The variable a command uses for a path the backend answers healthy on (the reader sets it first). */
export const HEALTH_PATH_VARIABLE = 'HEALTH_PATH';

/**
 * The expansion `${NAME:?set NAME to <meaning>}`, which the shell (bash, zsh) refuses with that message
 * while NAME is unset or empty, so nothing runs with a value the reader did not give. Unquoted: the
 * caller puts it inside double quotes (alone, or in a longer word such as a URL). `meaning` defaults to
 * the variable's entry in VARIABLE_MEANING.
 */
export function requiredExpansion(name: string, meaning = meaningOf(name)): string {
  return `\${${name}:?set ${name} to ${meaning}}`;
}

/** `name` as a command reads it: `"${NAME:?set NAME to …}"` (requiredExpansion, one quoted word). */
export function requiredVariable(name: ShellVariable): string {
  return `"${requiredExpansion(name)}"`;
}

/**
 * The line that introduces `name` above the commands: set empty on purpose, then what to put there and
 * that the commands refuse to run until it is set (no default: we cannot know it), as the argument of
 * the no-op `:`, not a `#` comment: interactive zsh (macOS's shell) does not take `#` as a comment
 * unless `interactivecomments` is set, and a pasted `NAME=''  # … (…)` failed to parse there, so the
 * empty value was never set and a value left from an earlier paste ran (issue 17's second trial).
 */
export function variableLine(name: string): string {
  return `${name}=''; : 'set ${name} to ${meaningOf(name)}; the commands refuse to run while it is empty, we cannot know it'`;
}

/**
 * The variables of VARIABLE_MEANING that `lines` read (`${NAME:?`), each once, in the order they first
 * appear: what a block of commands must introduce with `variableLine`.
 */
export function variablesRead(lines: readonly string[]): ShellVariable[] {
  const found: ShellVariable[] = [];
  for (const match of lines.join('\n').matchAll(/\$\{([A-Z_]+):\?/g)) {
    const name = match[1] as string;
    if (name in VARIABLE_MEANING && !found.includes(name as ShellVariable)) found.push(name as ShellVariable);
  }
  return found;
}

function meaningOf(name: string): string {
  return (VARIABLE_MEANING as Readonly<Record<string, string>>)[name] ?? 'its value';
}
