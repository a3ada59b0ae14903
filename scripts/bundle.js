'use strict';
/**
 * Bundles the Functions app (functions/index.ts and everything it imports) into app/index.js, the file
 * package.json "main" points at. The deployment package is app/ + host.json + package.json + articles/
 * (see .funcignore); it needs no node_modules. Why and what it saves: bench/README.md.
 *
 * - `@azure/functions-core` stays external: the worker provides it by hooking CommonJS `require`.
 * - `@azure/identity` (with MSAL) is bundled, and loaded when the first token is asked for: the app's
 *   managed identity is its ManagedIdentityCredential (src/adapters/identity/managed-identity.ts).
 * - Packages resolve to their ESM builds ("import"/"module" first), so esbuild can tree-shake them and
 *   each package is bundled once (no CommonJS + ESM copies of @azure/core-*).
 * - A few modules are substituted (SUBSTITUTES below); each one is guarded: the build fails, naming it,
 *   when its pattern matches no module any more, or when our code starts to use what it leaves out
 *   (checkSubstitutes; tested in test/scripts/bundle-substitutes.test.ts).
 *
 * Usage: node scripts/bundle.js [--outfile <file>] [--metafile <file>] [--quiet]
 *        (npm run bundle writes app/index.js; the tests build elsewhere with --outfile)
 */
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'app');
const OUT_FILE = path.join(OUT_DIR, 'index.js');
const ENTRY = 'functions/index.ts';

const packageDir = (name) => path.dirname(require.resolve(`${name}/package.json`, { paths: [ROOT] }));

/**
 * What our code calls on `client.applicationGateways`; the bundled client offers exactly these. (The
 * backend-health operation is driven through `client.pipeline`: src/adapters/arm/backend-health-reader.ts,
 * and so is recheck's on-demand probe, getBackendHealthOnDemand: src/adapters/arm/on-demand-prober.ts;
 * the self-check below fails if either is ever called as `applicationGateways.begin…`.)
 */
const APPLICATION_GATEWAY_OPERATIONS = ['list', 'listAll', 'get'];

/** What the bundled `@azure/arm-network` exports; the package's other exports are missing there. */
const ARM_NETWORK_EXPORTS = ['NetworkManagementClient', 'RestError', 'isRestError'];

/**
 * `@azure/arm-network`'s NetworkManagementClient builds all of its ~170 operation groups in its
 * constructor, so nothing can be shaken off it (1.2 MB of the ESM build stays). In the bundle it is
 * replaced by a client made of the package's own modular API: createNetworkManagement (the public
 * `@azure/arm-network/api` export) and the applicationGateways operations, wrapped exactly as the
 * package's classic/applicationGateways/index.js wraps them. The rest of the package drops out.
 */
function armNetworkClientSource() {
  const wrappers = {
    list: '(rg, options) => list(context, rg, options)',
    listAll: '(options) => listAll(context, options)',
    // A gateway's configuration, for its insights (src/adapters/arm/gateway-config-reader.ts).
    get: '(rg, name, options) => get(context, rg, name, options)',
  };
  return [
    "import { createNetworkManagement } from '@azure/arm-network/api';",
    // Not in the package's "exports" map, hence a relative path (resolveDir is the package folder).
    `import { ${APPLICATION_GATEWAY_OPERATIONS.join(', ')} } from './dist/esm/api/applicationGateways/operations.js';`,
    `export { ${ARM_NETWORK_EXPORTS.filter((n) => n !== 'NetworkManagementClient').join(', ')} } from '@azure/core-rest-pipeline';`,
    'export class NetworkManagementClient {',
    '  constructor(credential, subscriptionId, options = {}) {',
    "    const context = createNetworkManagement(credential, subscriptionId ?? '', options);",
    '    this._client = context;',
    '    this.pipeline = context.pipeline;',
    '    this.applicationGateways = {',
    ...APPLICATION_GATEWAY_OPERATIONS.map((op) => `      ${op}: ${wrappers[op]},`),
    '    };',
    '  }',
    '}',
  ].join('\n');
}

let armNetworkFacts;
/** The package's operation groups (client.<group>) and the runtime exports of its root, read once. */
function armNetworkPackage() {
  if (armNetworkFacts) return armNetworkFacts;
  const esm = path.join(packageDir('@azure/arm-network'), 'dist/esm');
  const client = fs.readFileSync(path.join(esm, 'networkManagementClient.js'), 'utf8');
  const groups = [...client.matchAll(/this\.(\w+)\s*=\s*_get\w+Operations\(/g)].map((m) => m[1]);
  // Runtime exports of the package root (restorePoller, AzureClouds, the Known* enums …).
  const index = fs.readFileSync(path.join(esm, 'index.js'), 'utf8');
  const exported = [...index.matchAll(/export \{([^}]*)\}/g)].flatMap((m) =>
    m[1].split(',').map((name) =>
      name
        .trim()
        .split(/\s+as\s+/)
        .pop(),
    ),
  );
  armNetworkFacts = { groups, exported };
  return armNetworkFacts;
}

/**
 * Our code may use only what the bundled client has; anything else would be undefined there. Every
 * file is read, not only those naming the client's type: a client can come from a factory elsewhere.
 */
function armNetworkMisuse(file, text) {
  const { groups, exported } = armNetworkPackage();
  const code = text.replace(/^import type [^;]*;/gm, '');
  const problems = [];
  if (text.includes('@azure/arm-network')) {
    for (const name of exported.filter((n) => n && !ARM_NETWORK_EXPORTS.includes(n))) {
      if (new RegExp(`\\b${name}\\b`).test(code)) {
        problems.push(`${file} uses ${name} from @azure/arm-network: the bundled package lacks it`);
      }
    }
  }
  for (const [, op] of text.matchAll(/\.applicationGateways\.(\w+)/g)) {
    if (!APPLICATION_GATEWAY_OPERATIONS.includes(op)) {
      problems.push(`${file} calls applicationGateways.${op}: add it to APPLICATION_GATEWAY_OPERATIONS`);
    }
  }
  for (const group of groups.filter((g) => g !== 'applicationGateways')) {
    if (new RegExp(`\\bclient\\.${group}\\b`).test(text)) {
      problems.push(`${file} uses client.${group}: the bundled client has applicationGateways only`);
    }
  }
  return problems;
}

/**
 * Modules the bundle replaces. `resolve` matches an import specifier, `load` a resolved file; `misuse`
 * is run on each of our bundled source files and returns the problems that make the substitute wrong.
 */
const SUBSTITUTES = [
  {
    name: '@azure/arm-network client (applicationGateways only)',
    resolve: /^@azure\/arm-network$/,
    contents: armNetworkClientSource,
    resolveDir: () => packageDir('@azure/arm-network'),
    misuse: armNetworkMisuse,
  },
  {
    // The CLI's lean ARM client loads the package's modular parts from node_modules by their paths
    // (src/adapters/arm/arm-network-parts.ts); the bundle has no node_modules, and its
    // `@azure/arm-network` is the lean client above, which application-gateways-client.ts then makes.
    name: 'arm-network parts loader (the bundle has its own lean client)',
    load: /[\\/]src[\\/]adapters[\\/]arm[\\/]arm-network-parts\.ts$/,
    contents: () =>
      [
        "export const APPLICATION_GATEWAYS_GROUP_FILE = 'dist/commonjs/classic/applicationGateways/index.js';",
        'export function loadArmNetworkParts() { return undefined; }',
      ].join('\n'),
    misuse: () => [],
  },
  {
    // zod's `zod/locales` module holds ~40 translations of its error messages (~260 KB); the app uses
    // English only.
    name: 'zod locales (English only)',
    load: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/,
    contents: () => "export { default as en } from './en.js';",
    // src/core/input/zod.ts sets English for zod/mini (which, unlike classic zod, sets no locale itself).
    misuse: (file, text) =>
      /\blocales\.|zod\/(v4\/)?locales|\bz\.config\(/.test(
        text.replace("import { en } from 'zod/locales';", '').replace('z.config(en());', ''),
      )
        ? [`${file} configures zod locales: the bundle has English only (scripts/bundle.js)`]
        : [],
  },
  {
    // @azure/storage-common (for its shared-key signing policy) embeds an emscripten CRC64 module
    // (crc64.js, 86 KB) that its classes with static fields keep in the bundle although nothing calls
    // it: it computes "StorageCrc64" content checksums, which the app never asks for.
    name: 'storage-common CRC64 (StorageCrc64 checksums unused)',
    load: /[\\/]node_modules[\\/]@azure[\\/]storage-common[\\/]dist[\\/]esm[\\/]crc64\.js$/,
    contents: () =>
      'export default function NativeCRC64() {\n' +
      "  return Promise.reject(new Error('CRC64 is not bundled (scripts/bundle.js): use no StorageCrc64 checksum'));\n" +
      '}',
    misuse: (file, text) =>
      /ChecksumAlgorithm|StorageCrc64|crc64/i.test(text)
        ? [`${file} may ask storage for CRC64 checksums: the bundle has no CRC64 (scripts/bundle.js)`]
        : [],
  },
  {
    // The blob sink writes a report.json or status page over 1 Mi characters in blocks through
    // @azure/storage-blob (src/adapters/storage/blob-block-upload.ts): a direct run's report at 20 000
    // gateways is tens of MB. The Functions app holds its reports and pages whole anyway and turns that
    // off (src/app/function-services.ts, `blobBlocks: false`), so the SDK (about 630 KB, 65 ms more to
    // load the bundle) stays out of it.
    name: '@azure/storage-blob (block uploads: the CLI only)',
    resolve: /^@azure\/storage-blob$/,
    contents: () =>
      [
        "const notBundled = () => new Error('@azure/storage-blob is not bundled (scripts/bundle.js): the Functions app sets blobBlocks: false');",
        'export class BlobServiceClient {',
        '  constructor() { throw notBundled(); }',
        '  static fromConnectionString() { throw notBundled(); }',
        '}',
        'export class StorageSharedKeyCredential {}',
        'export class AnonymousCredential {}',
      ].join('\n'),
    misuse: blobBlocksMisuse,
  },
];

/** `text` without its comments (line and block), so a rule on code is not met by a comment. */
const codeOf = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/**
 * Where bundled code could upload through @azure/storage-blob, which the bundle stubs: a file other
 * than blob-block-upload.ts that imports it, or that builds the run's services or sinks (every such
 * call in the bundle is the Functions app's) without turning blocks off in code (`blobBlocks: false`;
 * `inBlocks: false` for a blob sink built from a connection). run-services.ts and build-adapters.ts
 * only pass the option on.
 */
function blobBlocksMisuse(file, text) {
  const code = codeOf(text);
  const problem = `${file} may upload through @azure/storage-blob in the Functions app: the bundle has a stub only (keep blobBlocks: false in src/app/function-services.ts; scripts/bundle.js)`;
  if (/(\bfrom\s*|\brequire\(\s*|\bimport\(\s*)['"]@azure\/storage-blob['"]/.test(code))
    return file === 'src/adapters/storage/blob-block-upload.ts' ? [] : [problem];
  if (file === 'src/app/run-services.ts' || file === 'src/app/build-adapters.ts') return [];
  const builds = /\b(buildRunServices|buildSinks)\(/.test(code);
  const blobSink = /\bcreateBlobSink\(\s*\{[^}]*\bconnection\b/.test(code);
  const off = /\bblobBlocks:\s*false\b/.test(code) || /\binBlocks:\s*false\b/.test(code);
  if (file === 'src/app/function-services.ts' && !/\bblobBlocks:\s*false\b/.test(code)) return [problem];
  return (builds || blobSink) && !off ? [problem] : [];
}

/**
 * The esbuild plugin that substitutes SUBSTITUTES. `applied` (a Set) receives the name of each
 * substitute a build used, for checkSubstitutes.
 */
function substitutesPlugin(applied = new Set()) {
  return {
    name: 'appgw-substitutes',
    setup(build) {
      SUBSTITUTES.forEach((substitute, index) => {
        const namespace = `substitute-${index}`;
        if (substitute.resolve) {
          build.onResolve({ filter: substitute.resolve }, (args) => ({ path: args.path, namespace }));
          build.onLoad({ filter: /.*/, namespace }, () => {
            applied.add(substitute.name);
            return {
              contents: substitute.contents(),
              loader: 'js',
              resolveDir: substitute.resolveDir ? substitute.resolveDir() : ROOT,
            };
          });
        } else {
          build.onLoad({ filter: substitute.load }, (args) => {
            applied.add(substitute.name);
            return {
              contents: substitute.contents(args.path),
              loader: 'js',
              resolveDir: path.dirname(args.path),
            };
          });
        }
      });
    },
  };
}

/** Our bundled source files (src/, functions/) from a metafile. */
const ownInputs = (metafile) =>
  Object.keys(metafile.inputs).filter((file) => /^(src|functions)\//.test(file));

/**
 * The guards on the substitutes, given what a build saw: `applied`, the names of the substitutes it
 * used; `sources`, our bundled files as `{ file, text }`. Throws one error naming every substitute that
 * no longer fits: one whose pattern matched no module (the package moved or renamed what it replaces, so
 * the bundle would quietly keep the original), or one our code uses beyond what it offers (`misuse`).
 */
function checkSubstitutes({ applied, sources }) {
  const problems = [];
  for (const substitute of SUBSTITUTES) {
    if (!applied.has(substitute.name)) {
      const pattern = substitute.resolve ?? substitute.load;
      problems.push(
        `[${substitute.name}] ${pattern} matched no module: update the substitute or remove it (scripts/bundle.js)`,
      );
    }
    for (const { file, text } of sources) {
      for (const problem of substitute.misuse(file, text)) problems.push(`[${substitute.name}] ${problem}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`The bundle's substitutes no longer fit the code:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Packages our code loads on first use (`require('…')` or `import('…')` inside a function, to keep
 * them off the cold-start path), e.g. the Azure SDKs. Read from a first build's metafile.
 */
function lazyPackages(metafile) {
  const names = new Set();
  for (const file of ownInputs(metafile)) {
    for (const dep of metafile.inputs[file].imports) {
      const specifier = dep.original ?? dep.path;
      const bare = !specifier.startsWith('.') && !specifier.startsWith('node:') && !dep.external;
      if (bare && (dep.kind === 'require-call' || dep.kind === 'dynamic-import')) names.add(specifier);
    }
  }
  return [...names].sort();
}

/**
 * The bundle's entry: the app's entry (every registration), plus one export, `preloadSdks()`, which
 * initialises the packages our code otherwise loads on first use, the same way the code loads them, and
 * returns their names (no I/O: loading only). The worker ignores exports; bench/coldstart.js and
 * test/functions/bundle.test.ts call it so that lazy loading cannot hide what a cold start costs.
 */
function entrySource(lazy) {
  return [
    `import './${ENTRY}';`,
    'const LAZY = {',
    ...lazy.map((name) => `  ${JSON.stringify(name)}: () => require(${JSON.stringify(name)}),`),
    '};',
    'export function preloadSdks() {',
    '  for (const load of Object.values(LAZY)) load();',
    '  return Object.keys(LAZY);',
    '}',
  ].join('\n');
}

/** Output bytes per package (or per top folder of our own code), largest first. */
function contributors(metafile) {
  const [, output] = Object.entries(metafile.outputs).find(([file]) => file.endsWith('.js'));
  const byPackage = new Map();
  for (const [file, input] of Object.entries(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = match ? match[1] : file.startsWith('substitute-') ? file.split(':')[1] : file.split('/')[0];
    byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytesInOutput);
  }
  return { total: output.bytes, packages: [...byPackage].sort((a, b) => b[1] - a[1]) };
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/**
 * Builds the bundle (two esbuild passes: the first finds the lazily loaded packages for the entry's
 * `preloadSdks`). `outFile` defaults to app/index.js; `esbuildOptions` override the defaults
 * (experiments, e.g. `{ minify: false }` to read a CPU profile).
 */
async function bundle({ outFile = OUT_FILE, metafilePath, quiet = false, esbuildOptions = {} } = {}) {
  const applied = new Set();
  const options = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    treeShaking: true,
    // Names survive minification: stack traces in the logs stay readable, and zod names a value's type
    // by its constructor in config errors. Its cost is within the cold start's noise (bench/README.md).
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    // @azure/identity is bundled (the managed identity's ManagedIdentityCredential, with its retries);
    // the code requires it on the first token request, so it costs a cold start nothing before that.
    external: ['@azure/functions-core'],
    // ESM builds first: tree-shakeable, and one copy of each package.
    conditions: ['import', 'module'],
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'warning',
    plugins: [substitutesPlugin(applied)],
    ...esbuildOptions,
  };
  const stdin = (contents) => ({ contents, resolveDir: ROOT, sourcefile: 'app-entry.js', loader: 'js' });
  const scan = await esbuild.build({
    ...options,
    stdin: stdin(entrySource([])),
    write: false,
    sourcemap: false,
  });
  // Before anything is written.
  const sources = ownInputs(scan.metafile).map((file) => ({
    file,
    text: fs.readFileSync(path.join(ROOT, file), 'utf8'),
  }));
  checkSubstitutes({ applied, sources });
  const lazy = lazyPackages(scan.metafile);

  // app/ holds nothing but the bundle: emptied, so no stale file ships. Elsewhere only our two files go.
  if (outFile === OUT_FILE) fs.rmSync(OUT_DIR, { recursive: true, force: true });
  else for (const file of [outFile, `${outFile}.map`]) fs.rmSync(file, { force: true });
  const result = await esbuild.build({ ...options, stdin: stdin(entrySource(lazy)), outfile: outFile });
  if (metafilePath) fs.writeFileSync(metafilePath, JSON.stringify(result.metafile));

  const summary = contributors(result.metafile);
  if (!quiet) {
    const mapBytes = fs.statSync(`${outFile}.map`).size;
    console.log(`${path.relative(ROOT, outFile)}: ${kib(summary.total)} (source map ${kib(mapBytes)})`);
    console.log(`Loaded on first use (preloadSdks): ${lazy.join(', ')}`);
    console.log(`Substituted: ${SUBSTITUTES.map((s) => s.name).join('; ')}`);
    console.log('Top contributors (bytes of the bundle):');
    for (const [name, bytes] of summary.packages.slice(0, 15)) {
      const share = `${((bytes / summary.total) * 100).toFixed(1)}%`;
      console.log(`  ${kib(bytes).padStart(11)} ${share.padStart(6)}  ${name}`);
    }
  }
  return { outFile, metafile: result.metafile, summary, lazy };
}

module.exports = {
  bundle,
  OUT_DIR,
  OUT_FILE,
  APPLICATION_GATEWAY_OPERATIONS,
  SUBSTITUTES,
  substitutesPlugin,
  checkSubstitutes,
};

if (require.main === module) {
  const args = process.argv.slice(2);
  const value = (name) => (args.includes(name) ? path.resolve(args[args.indexOf(name) + 1]) : undefined);
  bundle({
    outFile: value('--outfile'),
    metafilePath: value('--metafile'),
    quiet: args.includes('--quiet'),
  }).catch((error) => {
    // esbuild has printed its own errors already.
    if (!/^Build failed/.test(error.message)) console.error(error.message);
    process.exitCode = 1;
  });
}
