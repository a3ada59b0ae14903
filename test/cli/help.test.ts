import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, ROOT, runCli } from '../helpers/cli';
import { EXIT_BUG, EXIT_DEADLINE, EXIT_DEGRADED, EXIT_FAILED, EXIT_OK } from '../../src/cli/exit-codes';
import { verbHelp } from '../../src/cli/help-text';
import { RUN, VERBS, isVerbGroup, leafVerbs, type VerbSpec } from '../../src/cli/verb-specs';

beforeAll(assertBuilt);

const version = async () => JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version;

/** Every way to ask a verb (or sub-verb) for its help: `VERB --help`, `VERB -h`, `help VERB`, `--help VERB`, `-h VERB`. */
const HELP_FORMS = (spec: VerbSpec) => {
  const words = spec.name.split(' ');
  return [
    [...words, '--help'],
    [...words, '-h'],
    ['help', ...words],
    ['--help', ...words],
    ['-h', ...words],
  ];
};

describe('--help on every verb (the options listed are the table each verb parses with)', () => {
  const leaves = leafVerbs();

  it('knows every verb and sub-verb', () => {
    expect(leaves.map((v) => v.name)).toEqual([
      'run',
      'evaluate',
      'emulator',
      'demo',
      'render',
      'notify list',
      'notify resend',
      'notify test',
      'silence add',
      'silence list',
      'silence expire',
      'recheck',
    ]);
  });

  it.each(leaves.map((spec) => [spec.name, spec] as const))(
    '%s answers --help, -h and help VERB with exit 0, its usage and one line per option',
    async (_name, spec) => {
      for (const args of HELP_FORMS(spec)) {
        const { code, stdout, stderr } = await runCli(args);
        expect([args, code, stderr]).toEqual([args, 0, '']);
        expect(stdout).toContain(`Usage: appgw-insights ${spec.usage}\n`);
        for (const [name, option] of Object.entries(spec.options)) {
          // Each option of the table, with its value's name and its one line of help, on one line.
          expect(option.help.trim()).not.toBe('');
          const value = option.type === 'string' ? ` ${option.value}` : '';
          if (option.type === 'string') expect([name, option.value]).toEqual([name, expect.any(String)]);
          expect(stdout).toMatch(
            new RegExp(`^  --${escape(name)}${escape(value)} +${escape(option.help)}`, 'm'),
          );
          // "(repeatable)" is added for a multiple option, and said once (issue 15 trial: twice for --tag).
          const line = stdout.split('\n').find((l) => l.startsWith(`  --${name}${value} `)) ?? '';
          expect(line.match(/repeatable/g)?.length ?? 0).toBe(
            'multiple' in option && option.multiple ? 1 : 0,
          );
        }
        expect(stdout).toMatch(/^ {2}-h, --help +show this help$/m);
      }
    },
  );

  it('notify --help shows every sub-verb with its options', async () => {
    const { code, stdout } = await runCli(['notify', '--help']);
    expect(code).toBe(0);
    for (const sub of Object.values(VERBS.notify.subverbs)) {
      expect(stdout).toContain(`Usage: appgw-insights ${sub.usage}\n`);
      for (const name of Object.keys(sub.options)) expect(stdout).toContain(`--${name}`);
    }
  });

  it('help is asked for anywhere among the options, but a value is not taken for it', async () => {
    expect((await runCli(['run', '--config', 'x.json', '--help'])).code).toBe(0);
    expect((await runCli(['render', 'a.md', '--format', 'html', '-h'])).stdout).toMatch(
      /^Usage: appgw-insights render/,
    );
    // `--set=-h` is a value; `--` ends the options, so `-h` after it is an ARTICLE (which does not exist).
    const value = await runCli(['render', '/nonexistent.md', '--set=-h']);
    expect(value.code).toBe(2);
    expect(value.stderr).toMatch(/expected NAME=VALUE/);
    const positional = await runCli(['render', '--', '-h']);
    expect(positional.code).toBe(2);
    expect(positional.stderr).toContain('cannot read -h');
  });
});

describe('the tool: --help, -h, help, --version', () => {
  // `help help` and `--help --version` too (issue 15's trial: both exited 2 as unknown verbs).
  it.each([
    [['--help']],
    [['-h']],
    [['help']],
    [['help', '--help']],
    [['--help', '-h']],
    [['help', 'help']],
    [['--help', '--version']],
  ])('%j: exit 0, every verb with its summary', async (args) => {
    const { code, stdout, stderr } = await runCli(args);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toContain('Usage: appgw-insights VERB [OPTIONS]');
    for (const spec of leafVerbs())
      expect(stdout).toMatch(new RegExp(`^  ${spec.name} +${escape(spec.summary)}$`, 'm'));
    expect(stdout).toMatch(/^ {2}--version +print the version$/m);
    expect(stdout).toContain(await version());
  });

  it("--version prints package.json's version alone", async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${await version()}\n`, stderr: '' });
  });
});

describe('wrong verbs and options: exit 2, a clear message and the usage, on stderr', () => {
  it.each([
    [['run', '--bogus'], /^error: .*unknown option --bogus\nUsage: appgw-insights run \[--config FILE\]/],
    [['run', '--conifg', 'x.json'], /unknown option --conifg \(did you mean --config\?\)/],
    [['run', 'extra'], /unexpected argument "extra": "run" takes options only\nUsage/],
    // A new-user trial: `--for 2 hours` said only that "hours" was unexpected.
    [
      ['silence', 'add', '--id', 'x', '--gateway', 'gw', '--for', '2', 'hours'],
      /unexpected argument "hours": "silence add" takes options only; --for's value is one word: a number and a unit, no space \(2h, 90m, 1h30m, 1d\)\n/,
    ],
    // A break trial: the hint added "h" to the number typed, "45 min" became --for 45h.
    [
      ['silence', 'add', '--id', 'x', '--gateway', 'gw', '--for', '45', 'min'],
      /takes options only; --for's value is one word: a number and a unit, no space \(2h, 90m, 1h30m, 1d\)\n/,
    ],
    [
      ['silence', 'add', '--id', 'x', '--gateway', 'gw', '--for', '1h', '--comment', 'two', 'words'],
      /unexpected argument "words": "silence add" takes options only; --comment's value is one word: quote a value with spaces\n/,
    ],
    // Node's own text named neither the value nor, for a value starting with "-", how to give it.
    [['run', '--config'], /--config needs a value \(FILE\): give it after the option\nUsage:/],
    [
      ['silence', 'add', '--id', 'x', '--for', '--gateway', 'gw'],
      /--for needs a value \(DURATION\), but "--gateway" follows it: give the value first \(a value that starts with "-" is written --for=-…\)\n/,
    ],
    [['render', '--set', '-1'], /--set needs a value \(NAME=VALUE\), but "-1" follows it/],
    // An empty value (a shell variable not set) read as the option left out, and was said as that.
    [
      ['notify', 'resend', '--receiver', ''],
      /--receiver is given an empty value: give NAME, or leave --receiver out\nUsage: appgw-insights notify resend/,
    ],
    [
      ['notify', 'resend', '--gateway='],
      /--gateway is given an empty value: give ARM-ID, or leave --gateway out/,
    ],
    [['run', '--out', ''], /--out is given an empty value/],
    [
      ['evaluate', ''],
      /an empty argument: give FILE\|- \(a shell variable not set\?\)\nUsage: appgw-insights evaluate/,
    ],
    [['render', ' '], /an empty argument: give ARTICLE \(a shell variable not set\?\)/],
    [['silence', 'expire', ''], /an empty argument: give ID/],
    // Issue 15's trial: an option given twice kept only its last value, without a word.
    [
      ['silence', 'add', '--id', 'x', '--gateway', 'gw-prod', '--gateway', '*', '--for', '1h'],
      /--gateway given more than once: give it once \(the first would be dropped\)\nUsage: appgw-insights silence add/,
    ],
    [['run', '--config', 'a.json', '--config', 'b.json'], /--config given more than once/],
    [['notify', 'resend', '--receiver', 'a', '--receiver', 'b'], /--receiver given more than once/],
    [['run', '--json=yes'], /--json/],
    [['demo', '--json'], /unknown option --json\nUsage: appgw-insights demo \[--out DIR\]/],
    [['emulator', '-x'], /unknown option -x\nUsage: appgw-insights emulator/],
    // Each sub-verb takes its own options only.
    [
      ['notify', 'list', '--all'],
      /unknown option --all\nUsage: appgw-insights notify list \[--config FILE\]/,
    ],
    [['notify', 'resend', '--verbose'], /unknown option --verbose\nUsage: appgw-insights notify resend/],
    [['notify'], /after "notify", say "list" or "resend" or "test"\nUsage: appgw-insights notify list/],
    [['notify', 'test', '--all'], /unknown option --all\nUsage: appgw-insights notify test --receiver NAME/],
    [['notify', 'lst'], /Unknown notify verb "lst" \(did you mean "list"\?\)/],
    // A new-user trial: a typo of a verb got no suggestion, where a typo of an option did.
    [['rn'], /^error: Unknown verb "rn" \(did you mean "run"\?\)\nUsage: appgw-insights VERB/],
    [['silense', 'list'], /^error: Unknown verb "silense" \(did you mean "silence"\?\)/],
    [
      ['--version', 'extra'],
      /^error: --version takes nothing after it \(got "extra"\)\nUsage: appgw-insights VERB/,
    ],
    [['frobnicate'], /^error: Unknown verb "frobnicate"\nUsage: appgw-insights VERB/], // nothing near
    [['--verbose'], /^error: Unknown option --verbose\n/],
    [['--verison'], /^error: Unknown option --verison \(did you mean --version\?\)\n/],
    [['help', 'frobnicate'], /Unknown verb "frobnicate"/],
    [['help', 'notify', 'lst'], /Unknown notify verb "lst"/],
    [['--help', 'frobnicate'], /Unknown verb "frobnicate"/],
    [[], /^error: say which verb\nUsage: appgw-insights VERB/],
  ])('%j', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/unexpected error|\n\s+at /);
  });

  it("points to the verb's --help under a usage error", async () => {
    const { stderr } = await runCli(['evaluate']);
    expect(stderr).toContain('FILE (or - for standard input) is required');
    expect(stderr).toContain('Run "appgw-insights evaluate --help" for its options.');
  });
});

describe('help loads no verb: none of the Azure SDK, markdown-it, zod or our pipeline', () => {
  let dir: string;
  let hook: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-help-'));
    hook = path.join(dir, 'record-modules.js');
    // Preloaded into the CLI's process: at exit, every module file it loaded, one per line.
    await writeFile(
      hook,
      `process.on('exit', () => require('node:fs').writeFileSync(process.env.APPGW_LOADED_FILE, Object.keys(require.cache).join('\\n')));\n`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function loadedBy(args: string[]): Promise<{ code: number | null; modules: string[] }> {
    const file = path.join(dir, `${args.join('_').replace(/\W+/g, '-')}.txt`);
    const env = { ...process.env, NODE_OPTIONS: `--require ${hook}`, APPGW_LOADED_FILE: file };
    const { code } = await runCli(args, ROOT, env);
    return { code, modules: (await readFile(file, 'utf8')).split('\n') };
  }
  const HEAVY =
    /[\\/]node_modules[\\/](@azure[\\/]|markdown-it[\\/]|zod[\\/])|[\\/]dist[\\/]src[\\/](app|pipeline|config|emulator|articles|insight|cli[\\/]verbs)[\\/]/;

  it.each([
    [['--help']],
    [['--version']],
    [['help', 'notify', 'resend']],
    [['run', '--help']],
    [['notify', 'list', '-h']],
    ...Object.keys(VERBS).map((verb) => [[verb, '--help']]),
    [['run', '--bogus']],
    [['frobnicate']],
  ])('%j', async (args) => {
    const { modules } = await loadedBy(args);
    expect(modules.some((m) => m.endsWith(path.join('dist', 'src', 'cli', 'main.js')))).toBe(true);
    expect(modules.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  it('(the record sees them when a verb does run)', async () => {
    const { code, modules } = await loadedBy(['run', '--config', path.join(dir, 'missing.json')]);
    expect(code).toBe(2);
    expect(modules.filter((m) => HEAVY.test(m)).length).toBeGreaterThan(0);
  });
});

describe('usage lines agree with their options', () => {
  const leaves = leafVerbs();
  // A new-user trial met exit 3 and found it nowhere in run's help.
  it("run's help names every exit code run returns (src/cli/exit-codes.ts)", () => {
    const help = verbHelp(RUN);
    for (const [code, words] of [
      [EXIT_OK, 'Exit 0'],
      [EXIT_BUG, '1 is a bug'],
      [EXIT_FAILED, '; 2 when'],
      [EXIT_DEGRADED, 'Exit 3 when'],
      [EXIT_DEADLINE, 'exit 124'],
    ] as const)
      expect([code, help.includes(words)]).toEqual([code, true]);
  });

  it('silence add: --starts optional (default now), with --ends or --for; or a weekly window', () => {
    const add = leaves.find((spec) => spec.name === 'silence add');
    expect(add?.usage).toContain('([--starts ISO] (--ends ISO | --for DURATION) | --weekly DAYS');
    expect(add?.options).toHaveProperty('starts.help', expect.stringContaining('default: now'));
  });

  it('no usage line shows an option whose help says it has a default as required alongside others', () => {
    for (const spec of leaves) {
      for (const [name, option] of Object.entries(spec.options)) {
        if (!/default/.test(option.help) || option.type !== 'string') continue;
        expect([spec.name, spec.usage]).not.toEqual([
          spec.name,
          expect.stringMatching(new RegExp(`\\(--${escape(name)} ${escape(option.value ?? '')} --`)),
        ]);
      }
    }
  });
});

describe('every verb parses with its table in verb-specs.ts, so every option it takes has help', () => {
  it('no verb calls parseArgs itself', async () => {
    const folder = path.join(ROOT, 'src', 'cli', 'verbs');
    for (const file of await readdir(folder)) {
      const source = await readFile(path.join(folder, file), 'utf8');
      expect([file, /\bparseArgs\b|from 'node:util'|require\('node:util'\)/.test(source)]).toEqual([
        file,
        false,
      ]);
      if (!isVerbGroup(VERBS[file.replace(/\.ts$/, '') as keyof typeof VERBS]))
        expect([file, source.includes('parseVerbArgs(')]).toEqual([file, true]);
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('help markers are said once', () => {
  /** Every "(…)" of a line that occurs in it more than once, e.g. "(repeatable) (repeatable)". */
  const repeatedMarkers = (line: string) => {
    const markers: string[] = line.match(/\([^()]*\)/g) ?? [];
    return markers.filter((m, i) => markers.indexOf(m) !== i);
  };

  it.each(leafVerbs().map((spec) => [spec.name, spec] as const))(
    '%s: no line repeats a marker; "(repeatable)" on exactly the options that may be repeated',
    (_, spec) => {
      const help = verbHelp(spec);
      for (const line of help.split('\n')) expect(repeatedMarkers(line)).toEqual([]);
      for (const [name, option] of Object.entries(spec.options)) {
        const row = help
          .split('\n')
          .find((line) => line.startsWith(`  --${name} `) || line === `  --${name}`);
        expect(row?.match(/\(repeatable\)/g) ?? []).toHaveLength(option.multiple ? 1 : 0);
      }
    },
  );

  it('a help text that says "(repeatable)" itself still shows it once, and only for a repeatable option', () => {
    const spec: VerbSpec = {
      ...RUN,
      options: {
        tag: { type: 'string', multiple: true, value: 'T', help: 'a tag (repeatable)' },
        one: { type: 'string', help: 'one value (repeatable)' },
      },
    };
    const help = verbHelp(spec);
    expect(help).toMatch(/--tag T +a tag \(repeatable\)\n/);
    expect(help).toMatch(/--one VALUE +one value\n/);
  });
});
