import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { verbHelp } from '../../src/cli/help-text';
import { missingRequired, parseVerbArgs } from '../../src/cli/verb-args';
import { leafVerbs, type VerbSpec } from '../../src/cli/verb-specs';
import { isUsageError } from '../../src/errors';

/**
 * Every verb's usage line against its option table: an option shown outside `[…]` and `(…|…)` is one
 * the parser refuses to go without, and every option the parser requires is shown so (issue 17: the
 * usage of `recheck` showed `--settings` as required when the verb takes it left out). The README's
 * command table says the same.
 */
const ROOT = path.join(__dirname, '..', '..');

interface UsageOption {
  readonly name: string;
  /** The word after it, when it is not another option or group (`FILE` in `--config FILE`). */
  readonly value?: string;
  /** Outside every `[…]` and `(…)`: the verb cannot run without it. */
  readonly required: boolean;
}

/** The options a usage line names, in order, each with its value word and whether it is required. */
function usageOptions(usage: string): UsageOption[] {
  const found: UsageOption[] = [];
  let depth = 0;
  const pattern = /--([a-z][a-z-]*)(?: ([^\s[\]()|-][^\s[\]()]*))?|[[\]()]/g;
  for (const m of usage.matchAll(pattern)) {
    if (m[0] === '[' || m[0] === '(') depth += 1;
    else if (m[0] === ']' || m[0] === ')') depth -= 1;
    else
      found.push({
        name: m[1] as string,
        ...(m[2] !== undefined ? { value: m[2].replace(/…$/, '') } : {}),
        required: depth === 0,
      });
  }
  expect([usage, depth]).toEqual([usage, 0]); // brackets balance
  return found;
}

const requiredBySpec = (spec: VerbSpec) =>
  Object.entries(spec.options)
    .filter(([, option]) => option.required !== undefined)
    .map(([name]) => name)
    .sort();

const requiredByUsage = (usage: string) =>
  [
    ...new Set(
      usageOptions(usage)
        .filter((o) => o.required)
        .map((o) => o.name),
    ),
  ].sort();

/** Arguments that give every required option a value (and a positional where the verb takes one). */
const withRequired = (spec: VerbSpec): string[] => [
  ...Object.entries(spec.options).flatMap(([name, option]) =>
    option.required === undefined ? [] : option.type === 'string' ? [`--${name}`, 'x'] : [`--${name}`],
  ),
  ...(spec.positionals ? ['x'] : []),
];

describe.each(leafVerbs().map((spec) => [spec.name, spec] as const))('%s', (_name, spec) => {
  it('the usage line names every option of its table, with the value word its help shows, and no other', () => {
    const shown = usageOptions(spec.usage);
    expect([...new Set(shown.map((o) => o.name))].sort()).toEqual(Object.keys(spec.options).sort());
    for (const option of shown) {
      const own = spec.options[option.name];
      expect([option.name, option.value]).toEqual([
        option.name,
        own?.type === 'string' ? own.value : undefined,
      ]);
    }
  });

  it('the options the usage shows as required are exactly those the parser requires', () => {
    expect(requiredByUsage(spec.usage)).toEqual(requiredBySpec(spec));
  });

  it('the parser refuses the arguments without each required option, naming it, and takes them with all', () => {
    const all = withRequired(spec);
    expect(() => parseVerbArgs(spec, all)).not.toThrow();
    for (const name of requiredBySpec(spec)) {
      const option = spec.options[name];
      const without = all.filter(
        (arg, i) => arg !== `--${name}` && !(option?.type === 'string' && all[i - 1] === `--${name}`),
      );
      const error = catchError(() => parseVerbArgs(spec, without));
      expect(isUsageError(error)).toBe(true);
      expect((error as Error).message).toContain(`--${name}`);
      expect((error as Error).message).toContain('is required');
      if (option?.type === 'string') {
        // Given empty, it names nothing either.
        const empty = all.map((arg, i) => (all[i - 1] === `--${name}` ? '' : arg));
        expect(catchError(() => parseVerbArgs(spec, empty))).toBeDefined();
      }
    }
  });

  it('an optional option left out is no problem for the parser', () => {
    const optional = Object.keys(spec.options).filter((name) => !requiredBySpec(spec).includes(name));
    expect(missingRequired(spec, {})).toHaveLength(requiredBySpec(spec).length);
    for (const name of optional) expect(missingRequired(spec, {}).join('\n')).not.toContain(`--${name} `);
  });

  it('--help shows the usage line the parser agrees with', () => {
    expect(verbHelp(spec)).toContain(`Usage: appgw-insights ${spec.usage}\n`);
  });
});

describe("the README's command table", () => {
  it.each(leafVerbs().map((spec) => [spec.name, spec] as const))(
    '%s: its usage there shows the same options as required',
    async (name, spec) => {
      const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
      // Code spans of the command table's first column (`appgw-insights silence add …` / `silence list …`).
      const spans = readme
        .split('\n')
        .filter((line) => line.startsWith('| `appgw-insights '))
        .flatMap((line) => [...(line.split(' | ')[0] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''))
        .map((span) => span.replace(/\\\|/g, '|').replace(/^appgw-insights /, ''));
      const row = spans.find((span) => span.startsWith(`${name} `) || span === name);
      expect([name, row]).toEqual([name, expect.any(String)]);
      expect([name, requiredByUsage(row ?? '')]).toEqual([name, requiredBySpec(spec)]);
    },
  );
});

describe('the usage parser of this test', () => {
  it.each<[string, string[]]>([
    ['recheck --gateway ARM-ID --pool NAME [--settings NAME]', ['gateway', 'pool']],
    ['notify resend --config FILE (--notice ID | --all)', ['config']],
    ['silence add --config FILE ([--starts ISO] (--ends ISO | --for DURATION) | --weekly DAYS)', ['config']],
    ['run [--config FILE] [--json]', []],
  ])('%s: required %j', (usage, required) => {
    expect(requiredByUsage(usage)).toEqual(required);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
