// Flat config. Two folder boundaries are enforced here rather than by review:
// - purity: the pure core (src/core, src/articles, src/insight) may not do I/O, read the clock or roll dice;
// - dependency direction: imports run one way, outside in (DEPENDENCY_RULES below; README "Architecture").
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/** Import specifiers of each of our folders, as gitignore patterns (a folder with an index is also bare). */
const FOLDER = {
  functions: ['**/functions/**'],
  cli: ['**/cli/**'],
  app: ['**/app/**'],
  emulator: ['**/emulator', '**/emulator/**'],
  config: ['**/config/**'],
  pipeline: ['**/pipeline/**'],
  adapters: ['**/adapters/**'],
  ports: ['**/ports'],
  insight: ['**/insight/**'],
  articles: ['**/articles', '**/articles/**'],
  core: ['**/core/**'],
};

/**
 * Imports run one way: functions → app → pipeline → ports → core (src/core, src/articles, src/insight;
 * src/errors.ts is a leaf every layer may import). The edges, outside the pipeline:
 * - cli, like functions, is an entry point: nothing imports it; it may use app, config, pipeline,
 *   adapters (the clock, file reading), the emulator (the demo) and the core, but not functions.
 * - app is the composition root: it builds adapters from config and hands them to the pipeline; it
 *   never imports an entry point (cli, functions) or the emulator (a stand-in the cli starts).
 * - config turns a file or the app settings into one validated Config. It may import adapters, one
 *   way: each adapter owns the shape of its own settings (a webhook format's schema beside its payload,
 *   the storage connection beside the storage client, the file reader), and config composes them. No
 *   adapter imports config: adapters are built from plain options by app, so they can be used and
 *   tested without a configuration. config never imports app, pipeline or an entry point.
 * - adapters implement ports.ts over the outside world: they may import ports, the core and errors,
 *   and each other; never app, pipeline, config, an entry point or the emulator.
 * - pipeline holds the use cases against ports.ts: never app, config, adapters, an entry point, the
 *   emulator, or an SDK.
 * - ports.ts imports only the core (its types).
 * - emulator is the ARM stand-in the tests and the demo run against: it shares the core's body reader
 *   and our file helpers, and nothing of the code it stands in front of (the ARM client, the pipeline),
 *   so a bug there cannot agree with itself.
 * - within the core: the article engine (src/articles) fills any self-help article and knows neither
 *   gateways (src/core) nor insights; src/core knows neither articles nor insights; src/insight joins
 *   them.
 * `files`: where the rule applies; `bans`: the folders it may not import, each with why.
 */
const DEPENDENCY_RULES = [
  {
    layer: 'functions',
    files: ['functions/**/*.ts'],
    bans: {
      cli: 'functions and the cli are two entry points; what both need lives in src/app',
      emulator: 'the Functions app never runs the emulator',
      adapters: 'registrations are thin: src/app builds the adapters',
    },
  },
  {
    layer: 'cli',
    files: ['src/cli/**/*.ts'],
    bans: { functions: 'functions and the cli are two entry points; what both need lives in src/app' },
  },
  {
    layer: 'app',
    files: ['src/app/**/*.ts'],
    bans: {
      functions: 'the composition root does not import the entry points that use it',
      cli: 'the composition root does not import the entry points that use it',
      emulator: 'the emulator is started by the cli (demo, emulator) and the tests, not by the app',
    },
  },
  {
    layer: 'config',
    files: ['src/config/**/*.ts'],
    bans: {
      functions: 'config is read by the entry points and src/app, never the other way',
      cli: 'config is read by the entry points and src/app, never the other way',
      app: 'config is read by src/app, never the other way',
      pipeline: 'the pipeline gets plain options from src/app; config knows nothing of it',
      emulator: 'config knows no emulator (src/app/emulator-run-config.ts writes its config)',
    },
  },
  {
    layer: 'adapters',
    files: ['src/adapters/**/*.ts'],
    bans: {
      functions: 'adapters are built by src/app, never the other way',
      cli: 'adapters are built by src/app or the cli, never the other way',
      app: 'adapters are built by src/app, never the other way',
      config:
        'adapters take plain options (src/app maps config to them), so they work without a configuration',
      pipeline: 'adapters implement src/ports.ts; the pipeline uses them through it',
      emulator: 'the emulator stands in for what adapters call; they share no code',
    },
  },
  {
    layer: 'emulator',
    files: ['src/emulator/**/*.ts'],
    bans: {
      functions: 'the emulator is a stand-in for ARM, started by the cli and the tests',
      cli: 'the emulator is a stand-in for ARM, started by the cli and the tests',
      app: 'the emulator shares no code with the app it stands in front of',
      config: 'the emulator reads its own scenario, not our configuration',
      pipeline: 'the emulator shares no code with the app it stands in front of',
      ports: 'the emulator shares no code with the app it stands in front of',
      adapters: {
        group: ['**/adapters/*', '!**/adapters/files', '!**/adapters/package-root'],
        message:
          'Imports run functions → app → pipeline → ports → core: emulator may not import adapters but the ' +
          "file helpers (adapters/files, adapters/package-root): sharing the ARM client's code would let a bug agree with itself.",
      },
    },
  },
  {
    layer: 'pipeline',
    files: ['src/pipeline/**/*.ts'],
    bans: {
      functions: 'the pipeline is run by src/app, never the other way',
      cli: 'the pipeline is run by src/app, never the other way',
      app: 'the pipeline is run by src/app, never the other way',
      config: 'the pipeline takes plain options from src/app',
      adapters: 'the pipeline uses src/ports.ts, not adapters',
      emulator: 'the pipeline uses src/ports.ts; the emulator is reached through the ARM adapter',
    },
    extra: [{ group: ['@azure/*'], message: 'The pipeline knows no SDK.' }],
  },
  {
    layer: 'ports',
    files: ['src/ports.ts'],
    bans: Object.fromEntries(
      ['functions', 'cli', 'app', 'config', 'pipeline', 'adapters', 'emulator'].map((folder) => [
        folder,
        "the ports are what the pipeline needs, in the core's types; they import only the core",
      ]),
    ),
  },
  ...[
    {
      layer: 'core',
      files: ['src/core/**/*.ts'],
      own: { articles: 'the core knows no article engine', insight: 'the core knows no insight page' },
    },
    {
      layer: 'articles',
      files: ['src/articles/**/*.ts'],
      own: {
        core: 'the article engine fills any self-help article: it knows no gateway',
        insight: 'the article engine knows no insight',
      },
    },
    { layer: 'insight', files: ['src/insight/**/*.ts'], own: {} },
  ].map(({ layer, files, own }) => ({
    layer,
    files,
    pure: true,
    bans: {
      ...Object.fromEntries(
        ['functions', 'cli', 'app', 'config', 'pipeline', 'ports', 'adapters', 'emulator'].map((folder) => [
          folder,
          'the pure core is imported by every layer and imports none of them',
        ]),
      ),
      ...own,
    },
  })),
  {
    layer: 'errors',
    files: ['src/errors.ts'],
    bans: Object.fromEntries(
      Object.keys(FOLDER).map((folder) => [
        folder,
        'src/errors.ts is imported by every layer and imports none of ours',
      ]),
    ),
  },
];

/** I/O, SDKs, the clock: what the pure core may not reach. */
const PURE_BANS = [
  {
    group: ['node:*', 'fs', 'http', 'https', 'net', 'child_process'],
    message: 'The pure core does no I/O.',
  },
  { group: ['@azure/*'], message: 'The pure core knows no SDK: adapters map SDK types to plain data.' },
];

/** One flat-config block per layer (blocks do not merge a rule's options, so each lists all its bans). */
function dependencyBlocks() {
  return DEPENDENCY_RULES.map(({ layer, files, bans, extra = [], pure = false }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(pure ? PURE_BANS : []),
            ...extra,
            ...Object.entries(bans).map(([folder, why]) =>
              typeof why === 'string'
                ? {
                    group: FOLDER[folder],
                    message: `Imports run functions → app → pipeline → ports → core: ${layer} may not import ${folder} (${why}).`,
                  }
                : why,
            ),
          ],
        },
      ],
    },
  }));
}

module.exports = tseslint.config(
  { ignores: ['dist/**', 'app/**', 'out/**', 'coverage/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...dependencyBlocks(),
  {
    // Tests load modules afresh with jest.isolateModules, which needs require().
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts', 'src/articles/**/*.ts', 'src/insight/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Take the time as an argument.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Take the time as an argument.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'The core is deterministic.',
        },
        { selector: "MemberExpression[object.name='process']", message: 'The core reads no environment.' },
      ],
    },
  },
);
