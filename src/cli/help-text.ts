import { TOOL, VERBS, isVerbGroup, type OptionSpec, type VerbGroupSpec, type VerbSpec } from './verb-specs';

/** `-h, --help`, which every verb takes (verb-args.ts). */
const HELP_ROW: readonly [string, string] = ['-h, --help', 'show this help'];

/**
 * `appgw-insights --help`: what the tool does, every verb (and sub-verb) with its one-line summary,
 * and the tool's own options. Built from verb-specs.ts alone.
 */
export function toolHelp(version: string): string {
  const rows: Array<readonly [string, string]> = [];
  for (const spec of Object.values(VERBS)) {
    if (isVerbGroup(spec)) {
      for (const sub of Object.values(spec.subverbs)) rows.push([sub.name, sub.summary]);
    } else rows.push([spec.name, spec.summary]);
  }
  return [
    `${TOOL} ${version}: watches Azure Application Gateways' backend health and writes one insight per unhealthy server.`,
    '',
    `Usage: ${TOOL} VERB [OPTIONS]`,
    '',
    'Verbs:',
    ...table(rows),
    '',
    'Options:',
    ...table([
      ['-h, --help', `show this help; ${TOOL} VERB --help (or ${TOOL} help VERB) shows a verb's options`],
      ['--version', 'print the version'],
    ]),
    '',
  ].join('\n');
}

/** `appgw-insights VERB --help`: usage, summary, arguments, every option of its table, details. */
export function verbHelp(spec: VerbSpec): string {
  const lines = [`Usage: ${TOOL} ${spec.usage}`, '', `${capitalised(spec.summary)}.`];
  if (spec.positionals?.length) {
    lines.push('', 'Arguments:', ...table(spec.positionals.map((p) => [p.name, p.help] as const)));
  }
  const options = Object.entries(spec.options).map(([name, option]) => optionRow(name, option));
  lines.push('', 'Options:', ...table([...options, HELP_ROW]));
  if (spec.details?.length) lines.push('', ...spec.details);
  return `${lines.join('\n')}\n`;
}

/** `appgw-insights notify --help`: each sub-verb's help in turn. */
export function groupHelp(spec: VerbGroupSpec): string {
  const subverbs = Object.values(spec.subverbs);
  return [`${capitalised(spec.summary)}.`, '', ...subverbs.map((s) => verbHelp(s))].join('\n');
}

/** Under an unknown verb: the verbs, and where their help is. */
export function toolUsageHint(): string {
  const names = Object.values(VERBS).map((v) => v.name);
  return `Usage: ${TOOL} VERB [OPTIONS], VERB one of: ${names.join(', ')}\nRun "${TOOL} --help" for what each does.`;
}

/** The one-line usage shown under an argument error, with where to find the options. */
export function usageHint(spec: VerbSpec | VerbGroupSpec): string {
  const usage = isVerbGroup(spec)
    ? Object.values(spec.subverbs)
        .map((s) => `${TOOL} ${s.usage}`)
        .join('\n       ')
    : `${TOOL} ${spec.usage}`;
  return `Usage: ${usage}\nRun "${TOOL} ${spec.name} --help" for its options.`;
}

const REPEATABLE = ' (repeatable)';

/**
 * `--name VALUE` and its help. The repeatable marker comes from `multiple` alone: one a help text says
 * itself is dropped, so the marker is said once, and only for an option that may be repeated.
 */
function optionRow(name: string, option: OptionSpec): readonly [string, string] {
  const value = option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : '';
  const help = option.help.split(REPEATABLE).join('').trimEnd();
  return [`--${name}${value}`, `${help}${option.multiple ? REPEATABLE : ''}`];
}

/** Two columns, the first padded to the widest entry. */
function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
