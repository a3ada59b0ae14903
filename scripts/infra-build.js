#!/usr/bin/env node
/**
 * Compiles and lints every Bicep template under infra/ with the real Bicep CLI, and writes the ARM
 * JSON the template tests read.
 *
 *   node scripts/infra-build.js [--out DIR] [--force] [--infra DIR]      (npm run infra:build)
 *
 * 1. The CLI comes from NuGet: `dotnet restore infra/bicep-cli/bicep-cli.csproj` (a restore-only project
 *    with a pinned PackageDownload of Azure.Bicep.CommandLine.<rid>, a self-contained binary) puts it in
 *    the user's NuGet global-packages folder, which is the cache: a second restore is a no-op.
 * 2. `bicep lint` every infra/**\/*.bicep (rules: infra/bicepconfig.json). Any warning or error fails.
 * 3. `bicep build` every template into DIR (default dist/infra/, gitignored), keeping the folder layout:
 *    dist/infra/main.json (modules inlined as nested deployments), dist/infra/app/*.json.
 * 4. DIR/build-stamp.json records a hash of the inputs (templates, bicepconfig.json, the csproj) and
 *    the compiler version; when it matches, steps 1–3 are skipped (--force runs them anyway). Only a
 *    clean lint and build writes the stamp.
 *
 * --infra DIR lints and builds another copy of the templates (the tests lint a deliberately broken one).
 *
 * Exit codes: 0 built (or up to date), 1 lint or build found problems, 2 the compiler could not be had
 * (no .NET SDK, the restore was refused): the message says which. Nothing is faked: without the real
 * compiler there is no JSON.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CSPROJ = path.join(ROOT, 'infra', 'bicep-cli', 'bicep-cli.csproj');
const OBJ = path.join(ROOT, 'dist', 'bicep-cli', 'obj');

/** NuGet runtime ids of the Azure.Bicep.CommandLine.<rid> packages, by Node's platform and arch. */
const RIDS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'osx-x64',
  'darwin-arm64': 'osx-arm64',
  'win32-x64': 'win-x64',
  'win32-arm64': 'win-arm64',
};

class Unavailable extends Error {}

function main(argv) {
  const args = parseArgs(argv);
  const infra = path.resolve(args.infra ?? path.join(ROOT, 'infra'));
  const out = path.resolve(args.out ?? path.join(ROOT, 'dist', 'infra'));
  const templates = listTemplates(infra);
  const version = pinnedVersion();
  const stampFile = path.join(out, 'build-stamp.json');
  const inputsHash = hashInputs([...templates, path.join(infra, 'bicepconfig.json'), CSPROJ], version);
  const outputs = templates.map((t) => jsonFor(t, infra, out));
  if (
    !args.force &&
    readStamp(stampFile)?.inputsHash === inputsHash &&
    outputs.every((f) => fs.existsSync(f))
  ) {
    log(`infra: ${templates.length} templates up to date in ${rel(out)} (Bicep ${version})`);
    return 0;
  }

  const bicep = restoreBicep(version);
  // Patterns are relative to the working directory: run from the folder that holds infra/.
  const cwd = path.dirname(infra);
  const pattern = `${path.basename(infra)}/**/*.bicep`;
  const lint = run(bicep, ['lint', '--pattern', pattern], cwd);
  const lintProblems = diagnostics(lint, cwd);
  const build = lintProblems.length ? undefined : buildInto(bicep, pattern, out, cwd);
  const problems = [...lintProblems, ...(build ? diagnostics(build, cwd) : [])];
  const failed = lint.status !== 0 || (build && build.status !== 0);
  if (problems.length || failed) {
    for (const p of problems) console.error(p);
    if (failed && !problems.length) console.error(lint.stderr || build?.stderr || 'bicep failed');
    console.error(
      `infra: ${problems.length} problem(s). Fix them, or keep a warning on purpose by configuring its ` +
        'rule in infra/bicepconfig.json with the reason beside it.',
    );
    return 1;
  }
  const missing = outputs.filter((f) => !fs.existsSync(f));
  if (missing.length) {
    console.error(`infra: bicep wrote no ${missing.map(rel).join(', ')}`);
    return 1;
  }
  fs.writeFileSync(
    stampFile,
    `${JSON.stringify({ bicepVersion: version, inputsHash, templates: templates.map(rel) }, null, 2)}\n`,
  );
  log(`infra: linted and built ${templates.length} templates into ${rel(out)} with Bicep ${version}`);
  return 0;
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) args.out = argv[++i];
    else if (argv[i] === '--infra' && argv[i + 1]) args.infra = argv[++i];
    else if (argv[i] === '--force') args.force = true;
    else
      throw new Error(
        `unknown argument ${argv[i]} (usage: infra-build.js [--out DIR] [--force] [--infra DIR])`,
      );
  }
  return args;
}

/** Every .bicep file under infra/, sorted, absolute. */
function listTemplates(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.bicep'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** The version pinned in the csproj: the one place it is written. */
function pinnedVersion() {
  const m = /<BicepVersion>([^<]+)<\/BicepVersion>/.exec(fs.readFileSync(CSPROJ, 'utf8'));
  if (!m) throw new Error(`${rel(CSPROJ)} has no <BicepVersion>`);
  return m[1].trim();
}

function hashInputs(files, version) {
  const hash = createHash('sha256').update(`bicep ${version}\n`);
  for (const file of files) {
    hash.update(`${rel(file)}\n`);
    hash.update(fs.existsSync(file) ? fs.readFileSync(file) : '(absent)');
  }
  return hash.digest('hex');
}

function readStamp(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Restores the pinned package and returns the path of its bicep binary. */
function restoreBicep(version) {
  const rid = RIDS[`${process.platform}-${process.arch}`];
  if (!rid) throw new Unavailable(`no Bicep CLI package for ${process.platform}-${process.arch}`);
  const restore = spawnSync(
    'dotnet',
    [
      'restore',
      CSPROJ,
      `-p:BicepRid=${rid}`,
      // Restore output under dist/ (gitignored), not beside the csproj.
      `-p:BaseIntermediateOutputPath=${OBJ}${path.sep}`,
      `-p:MSBuildProjectExtensionsPath=${OBJ}${path.sep}`,
      '--nologo',
      '-v',
      'quiet',
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
    },
  );
  if (restore.error?.code === 'ENOENT')
    throw new Unavailable(
      'the .NET SDK (`dotnet`) is not on PATH. It restores the Bicep CLI from NuGet ' +
        `(Azure.Bicep.CommandLine.${rid} ${version}); install the .NET SDK and run this again.`,
    );
  if (restore.status !== 0)
    throw new Unavailable(
      `dotnet restore of Azure.Bicep.CommandLine.${rid} ${version} failed (exit ${restore.status}):\n` +
        `${restore.stdout}${restore.stderr}`.trim(),
    );
  const assets = JSON.parse(fs.readFileSync(path.join(OBJ, 'project.assets.json'), 'utf8'));
  const folders = Object.keys(assets.packageFolders ?? {});
  const exe = process.platform === 'win32' ? 'bicep.exe' : 'bicep';
  const binary = folders
    .map((f) => path.join(f, `azure.bicep.commandline.${rid}`, version.toLowerCase(), 'tools', exe))
    .find((f) => fs.existsSync(f));
  if (!binary)
    throw new Unavailable(`the restore did not leave ${exe} in ${folders.join(', ') || '(no folder)'}`);
  // NuGet keeps the package's file modes on Linux, but not every extractor does.
  if (process.platform !== 'win32') {
    try {
      fs.accessSync(binary, fs.constants.X_OK);
    } catch {
      fs.chmodSync(binary, 0o755);
    }
  }
  return binary;
}

function buildInto(bicep, pattern, out, cwd) {
  fs.mkdirSync(out, { recursive: true });
  return run(bicep, ['build', '--pattern', pattern, '--outdir', out], cwd);
}

/** The JSON `bicep build --pattern … --outdir` writes for one template (its path under infra/ kept). */
function jsonFor(template, infra, out) {
  return path.join(out, path.relative(infra, template)).replace(/\.bicep$/, '.json');
}

function run(binary, args, cwd) {
  const result = spawnSync(binary, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Unavailable(`could not run ${binary}: ${result.error.message}`);
  return result;
}

/**
 * Warning and error lines of bicep's default diagnostics format,
 * `<file>(<line>,<col>) : <Level> <code>: <message> [<url>]`, made relative, each once (bicep prints
 * a file's diagnostics again for every template that uses it as a module).
 */
function diagnostics(result, cwd) {
  const lines = `${result.stdout}\n${result.stderr}`.split(/\r?\n/);
  const found = lines
    .filter((line) => /^.+\(\d+,\d+\) : (Warning|Error) /.test(line))
    .map((line) => line.replace(cwd + path.sep, ''));
  return [...new Set(found)];
}

function rel(file) {
  return path.relative(ROOT, file) || '.';
}

function log(message) {
  console.log(message);
}

if (require.main === module) {
  let code;
  try {
    code = main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof Unavailable)) throw error;
    console.error(`infra: the Bicep compiler is not available: ${error.message}`);
    code = 2;
  }
  process.exitCode = code;
}

module.exports = { diagnostics, RIDS };
