import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

/**
 * The dependency direction is a lint rule (eslint.config.js, DEPENDENCY_RULES; README "Architecture"):
 * functions → app → pipeline → ports → core, the edges (cli, config, adapters, emulator) each with their
 * own bans. Each case lints a one-line import in a file of that folder through ESLint's own API, with
 * the project's config: an import against the direction is reported, one along it is not.
 */
const ROOT = path.resolve(__dirname, '../..');

let eslint: ESLint;
beforeAll(() => {
  // The project's own config, handed over: ESLint would load it with import(), which jest's VM refuses.
  eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: require(path.join(ROOT, 'eslint.config.js')),
  });
});

/** The no-restricted-imports messages ESLint gives `import … from specifier` in `file`. */
async function restrictions(file: string, specifier: string): Promise<string[]> {
  const code = `import * as imported from '${specifier}';\nexport const used = imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

type Case = [file: string, specifier: string];

const AGAINST: Case[] = [
  // pipeline: never app, config, adapters, an entry point, the emulator, an SDK
  ['src/pipeline/run-checks.ts', '../app/run-once'],
  ['src/pipeline/run-checks.ts', '../config/schema'],
  ['src/pipeline/run-checks.ts', '../adapters/sinks/folder-sink'],
  ['src/pipeline/notify/notify-gateways.ts', '../../adapters/state/keyed-state-stores'],
  ['src/pipeline/run-checks.ts', '../cli/main'],
  ['src/pipeline/run-checks.ts', '../../functions/index'],
  ['src/pipeline/run-checks.ts', '../emulator'],
  ['src/pipeline/run-checks.ts', '@azure/arm-network'],
  // ports: only the core
  ['src/ports.ts', './pipeline/fan-out'],
  ['src/ports.ts', './adapters/clock/system-clock'],
  ['src/ports.ts', './app/run-services'],
  ['src/ports.ts', './config/schema'],
  // the pure core: none of the layers, no I/O, no SDK
  ['src/core/telemetry-records.ts', '../ports'],
  ['src/core/evaluate.ts', '../pipeline/logger'],
  ['src/core/evaluate.ts', '../app/run-once'],
  ['src/core/evaluate.ts', '../config/schema'],
  ['src/core/notice/decide.ts', '../../adapters/clock/system-clock'],
  ['src/core/evaluate.ts', '../emulator'],
  ['src/core/evaluate.ts', '../insight/insight'],
  ['src/core/evaluate.ts', '../articles'],
  ['src/core/evaluate.ts', 'node:fs'],
  ['src/core/evaluate.ts', '@azure/identity'],
  ['src/articles/fill.ts', '../core/model'],
  ['src/articles/fill.ts', '../insight/insight'],
  ['src/articles/fill.ts', '../ports'],
  ['src/insight/insight.ts', '../ports'],
  ['src/insight/insight.ts', '../pipeline/check-gateway'],
  ['src/insight/insight.ts', '../adapters/sinks/folder-sink'],
  ['src/errors.ts', './core/model'],
  ['src/errors.ts', './ports'],
  // app: never an entry point or the emulator
  ['src/app/run-once.ts', '../cli/main'],
  ['src/app/run-once.ts', '../../functions/index'],
  ['src/app/run-once.ts', '../emulator'],
  // config: never app, pipeline, an entry point, the emulator
  ['src/config/load.ts', '../app/run-once'],
  ['src/config/load.ts', '../pipeline/run-checks'],
  ['src/config/load.ts', '../cli/main'],
  ['src/config/load.ts', '../emulator'],
  // adapters: never app, pipeline, config, an entry point, the emulator
  ['src/adapters/sinks/blob-sink.ts', '../../config/schema'],
  ['src/adapters/webhooks/json/config.ts', '../../../config/storage-schema'],
  ['src/adapters/sinks/blob-sink.ts', '../../pipeline/deliver-to-sinks'],
  ['src/adapters/sinks/blob-sink.ts', '../../app/build-adapters'],
  ['src/adapters/sinks/blob-sink.ts', '../../cli/main'],
  ['src/adapters/arm/client.ts', '../../emulator'],
  // emulator: none of the code it stands in front of
  ['src/emulator/scenario.ts', '../adapters/arm/client'],
  ['src/emulator/scenario.ts', '../pipeline/check-gateway'],
  ['src/emulator/scenario.ts', '../config/load'],
  ['src/emulator/scenario.ts', '../ports'],
  ['src/emulator/scenario.ts', '../app/emulator-run-config'],
  // the entry points
  ['src/cli/verbs/run.ts', '../../../functions/index'],
  ['functions/evaluate-gateway.ts', '../src/cli/main'],
  ['functions/evaluate-gateway.ts', '../src/adapters/queue/storage-queue'],
  ['functions/evaluate-gateway.ts', '../src/emulator'],
];

const ALONG: Case[] = [
  ['src/pipeline/run-checks.ts', '../ports'],
  ['src/pipeline/run-checks.ts', '../core/model'],
  ['src/pipeline/run-checks.ts', '../insight/insight'],
  ['src/pipeline/run-checks.ts', '../articles'],
  ['src/pipeline/run-checks.ts', '../errors'],
  ['src/pipeline/run-checks.ts', './deliver-to-sinks'],
  ['src/ports.ts', './core/model'],
  ['src/ports.ts', './insight/insight'],
  ['src/core/evaluate.ts', './model'],
  ['src/core/evaluate.ts', '../errors'],
  ['src/articles/fill.ts', './parse'],
  ['src/insight/insight.ts', '../articles'],
  ['src/insight/insight.ts', '../core/model'],
  ['src/app/run-once.ts', '../pipeline/run-checks'],
  ['src/app/run-once.ts', '../adapters/sinks/folder-sink'],
  ['src/app/run-once.ts', '../config/schema'],
  ['src/app/run-once.ts', '../ports'],
  ['src/config/schema.ts', '../adapters/webhooks/registry'],
  ['src/config/app-settings.ts', '../adapters/storage/blob-client'],
  ['src/config/schema.ts', '../core/arm-id'],
  ['src/adapters/sinks/blob-sink.ts', '../../ports'],
  ['src/adapters/sinks/blob-sink.ts', '../storage/blob-client'],
  ['src/adapters/sinks/blob-sink.ts', '../../insight/insight-path'],
  ['src/adapters/sinks/blob-sink.ts', '../../core/run-report'],
  ['src/adapters/webhooks/json/json-payload.ts', './config'],
  ['src/emulator/scenario.ts', '../adapters/files/json-file'],
  ['src/emulator/scenario.ts', '../adapters/package-root'],
  ['src/emulator/scenario.ts', '../core/model'],
  ['src/emulator/server.ts', './router'],
  ['src/cli/verbs/run.ts', '../../app/run-once'],
  ['src/cli/verbs/run.ts', '../../pipeline/logger'],
  ['src/cli/verbs/run.ts', '../../config/load'],
  ['src/cli/verbs/run.ts', '../../adapters/files/json-file'],
  ['src/cli/verbs/demo.ts', '../../emulator'],
  ['functions/evaluate-gateway.ts', '../src/app/function-services'],
  ['functions/evaluate-gateway.ts', '../src/pipeline/fan-out'],
  ['functions/evaluate-gateway.ts', '../src/config/functions-settings'],
];

describe('imports against the dependency direction fail lint', () => {
  it.each(AGAINST)('%s importing %s is reported', async (file, specifier) => {
    const messages = await restrictions(file, specifier);
    expect(messages).toHaveLength(1);
    if (!specifier.startsWith('.')) return; // a package: the purity or SDK rule's own words
    expect(messages[0]).toMatch(
      /^'.+' import is restricted .*Imports run functions → app → pipeline → ports → core: /,
    );
  });
});

describe('imports along it do not', () => {
  it.each(ALONG)('%s importing %s is allowed', async (file, specifier) => {
    expect(await restrictions(file, specifier)).toEqual([]);
  });
});

describe('no folder escapes the rule', () => {
  const entries = [
    ...readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? `src/${entry.name}/any.ts` : `src/${entry.name}`,
    ),
    'functions/any.ts',
  ].filter((file) => file.endsWith('.ts'));

  it.each(entries)('%s has dependency bans', async (file) => {
    const config = (await eslint.calculateConfigForFile(path.join(ROOT, file))) as {
      rules?: Record<string, unknown>;
    };
    const rule = config.rules?.['no-restricted-imports'] as [unknown, { patterns: unknown[] }] | undefined;
    expect(rule?.[0]).toBe(2);
    expect(rule?.[1].patterns.length).toBeGreaterThan(0);
  });
});
