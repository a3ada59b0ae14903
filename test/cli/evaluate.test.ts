/**
 * Issue 10 "done when": a scenario saved as UTF-16 by PowerShell, a PascalCase body, a body with nulls
 * and a pool entry without its sub-resource objects all run through `emulator` + `run`, and through
 * `evaluate` (the built CLI, as users run it), with the same findings.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, runCli, runCliWithInput, startCli, stop } from '../helpers/cli';
import { encodeAs, type SavedEncoding } from '../helpers/encodings';

beforeAll(assertBuilt);

const SUB = '33333333-3333-3333-3333-333333333333';
const GW = `/subscriptions/${SUB}/resourceGroups/rg-field/providers/Microsoft.Network/applicationGateways/appgw-field`;
const TIMEOUT =
  "Time taken by the backend to respond to application gateway's health probe is more than the timeout threshold in the probe setting.";

/** The same gateway state, as each tool prints it. */
/** The head of a run's report.json, as core/run-report.ts writes it: what tells a run's folder. */
const RUN_REPORT_HEAD = JSON.stringify({ schemaVersion: 1, runId: 'r1', mode: 'direct' }, null, 2);

const BODIES: Record<string, unknown> = {
  // Get-AzApplicationGatewayBackendHealth | ConvertTo-Json -Depth 10 (PascalCase; model properties with nulls)
  pascal: {
    BackendAddressPools: [
      {
        BackendAddressPool: {
          BackendAddresses: [],
          ProvisioningState: null,
          Name: null,
          Etag: null,
          Id: `${GW}/backendAddressPools/web`,
        },
        BackendHttpSettingsCollection: [
          {
            BackendHttpSettings: {
              TrustedRootCertificates: [],
              Port: null,
              Name: null,
              Id: `${GW}/backendHttpSettingsCollection/web-https`,
            },
            Servers: [
              {
                Address: '10.2.0.4',
                IpConfiguration: null,
                Health: 'Healthy',
                HealthProbeLog: 'Success. Received 200 status code',
              },
              { Address: '10.2.0.5', IpConfiguration: null, Health: 'Unhealthy', HealthProbeLog: TIMEOUT },
            ],
          },
        ],
      },
    ],
  },
  // az … -o json with nulls: "healthProbeLog": null, "name": null, null references and extras
  nulls: {
    backendAddressPools: [
      {
        backendAddressPool: {
          etag: null,
          id: `${GW}/backendAddressPools/web`,
          name: null,
          resourceGroup: 'rg-field',
          type: null,
        },
        backendHttpSettingsCollection: [
          {
            backendHttpSettings: { id: `${GW}/backendHttpSettingsCollection/web-https`, name: null },
            servers: [
              {
                address: '10.2.0.4',
                health: 'Healthy',
                healthProbeLog: 'Success. Received 200 status code',
                ipConfiguration: null,
              },
              { address: '10.2.0.5', health: 'Unhealthy', healthProbeLog: TIMEOUT, ipConfiguration: null },
              { address: '10.2.0.6', health: 'Unknown', healthProbeLog: null, ipConfiguration: null },
            ],
          },
        ],
      },
    ],
  },
  // az … -o json whose entries carry no backendAddressPool / backendHttpSettings (Microsoft docs)
  unreferenced: {
    backendAddressPools: [
      {
        backendHttpSettingsCollection: [
          {
            servers: [
              {
                address: 'app.contoso.internal',
                health: 'Unhealthy',
                healthProbeLog: TIMEOUT,
                ipConfiguration: null,
              },
            ],
          },
        ],
      },
    ],
  },
};

interface Finding {
  backendPool: string;
  backendSettings: string;
  address: string;
  health: string;
  probeLog: string;
  cause: { id: string };
}
const summary = (report: { gateways: { id: string; findings: Finding[] }[] }) =>
  report.gateways
    .filter((g) => g.id.toLowerCase() === GW.toLowerCase())
    .flatMap((g) => g.findings)
    .map(
      (f) =>
        `${f.backendPool} | ${f.backendSettings} | ${f.address} | ${f.health} | ${f.cause.id} | ${f.probeLog}`,
    );

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(md|html)$/.test(e.name))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('emulator + run and evaluate take bodies as real tools print them: the same findings, except what ARM never sends', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-evaluate-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each<[string, keyof typeof BODIES, SavedEncoding, boolean]>([
    [
      'a scenario and a body saved as UTF-16 by Windows PowerShell (PascalCase)',
      'pascal',
      'utf-16le with BOM',
      false,
    ],
    ['a PascalCase body', 'pascal', 'utf-8', false],
    ['a body with nulls (from stdin)', 'nulls', 'utf-8 with BOM', false],
    ['pool entries without their sub-resource objects (--gateway)', 'unreferenced', 'utf-8', true],
  ])('%s', async (_name, kind, encoding, needsGateway) => {
    const body = BODIES[kind];
    // PowerShell 5.1's `>` writes UTF-16 LE with a BOM and CRLF line ends.
    const saved = (value: unknown) =>
      encodeAs(JSON.stringify(value, null, 2).replace(/\n/g, '\r\n'), encoding);
    const scenarioFile = path.join(dir, 'scenario.json');
    await writeFile(
      scenarioFile,
      saved({ gateways: [{ id: GW, backendHealth: body, lro: { polls: 1, retryAfterSeconds: 0 } }] }),
    );
    const bodyFile = path.join(dir, 'backend-health.json');
    await writeFile(bodyFile, saved(body));

    const { child, firstLine } = await startCli(['emulator', '--scenario', scenarioFile]);
    let ran;
    try {
      const info = JSON.parse(firstLine);
      ran = await runCli(['run', '--config', info.config, '--out', path.join(dir, 'run'), '--json']);
    } finally {
      await stop(child);
    }
    if (kind === 'unreferenced') {
      // ARM names the pool and settings of every entry: from ARM, such a read cannot be matched to the
      // previous run's servers, so `run` files it as a failed read; a saved file is read kindly (below).
      expect(ran.stderr).toContain(
        'is unavailable: ARM answered 200 with a body that is not a backend-health read',
      );
      expect(ran.code).toBe(2);
      expect(summary(JSON.parse(ran.stdout))).toEqual([]);
    } else {
      expect(ran.stderr).toBe('');
      expect(ran.code).toBe(0);
    }

    const gatewayArgs = needsGateway ? ['--gateway', GW] : [];
    const evaluateOut = path.join(dir, 'evaluate');
    const evaluated =
      kind === 'nulls'
        ? await runCliWithInput(
            ['evaluate', '-', ...gatewayArgs, '--out', evaluateOut, '--json'],
            await readFile(bodyFile),
          )
        : await runCli(['evaluate', bodyFile, ...gatewayArgs, '--out', evaluateOut, '--json']);
    expect(evaluated.stderr).toBe('');
    expect(evaluated.code).toBe(0);

    const fromEvaluate = summary(JSON.parse(evaluated.stdout));
    expect(fromEvaluate.join('\n')).toContain('probe-timeout');
    if (kind !== 'unreferenced') {
      const fromRun = summary(JSON.parse(ran.stdout));
      expect(fromRun.length).toBeGreaterThan(0);
      expect(fromEvaluate).toEqual(fromRun);
      // The same insight files; no status page (evaluate keeps no history: a saved body is no reading now).
      const runFiles = (await filesUnder(path.join(dir, 'run'))).filter((f) => f !== 'index.html');
      expect(await filesUnder(evaluateOut)).toEqual(runFiles);
    } else {
      expect(fromEvaluate[0]).toMatch(/^\(unnamed\) \| \(unnamed\) \| app\.contoso\.internal/);
      // The human summary, as run prints it.
      const human = await runCli(['evaluate', bodyFile, ...gatewayArgs, '--out', evaluateOut]);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain('! appgw-field (rg-field)');
      expect(human.stdout).toContain('(unnamed) / (unnamed)  app.contoso.internal  Unhealthy');
    }
  });
});

describe('evaluate refuses what it cannot use, in one clear message, exit 2', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-evaluate-bad-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const other = GW.replace('appgw-field', 'appgw-other');
  const pool = (gateway: string) => ({
    backendAddressPool: { id: `${gateway}/backendAddressPools/p` },
    backendHttpSettingsCollection: [],
  });

  it.each<[string, unknown, string[], RegExp]>([
    [
      'no ids and no --gateway',
      BODIES.unreferenced,
      [],
      /the body names no gateway .*: pass --gateway \/subscriptions\//,
    ],
    [
      'ids naming two gateways',
      { backendAddressPools: [pool(GW), pool(other)] },
      [],
      /the ids in the body name 2 gateways \(.*appgw-field, .*appgw-other\)/,
    ],
    [
      '--gateway that the ids contradict',
      { backendAddressPools: [pool(other)] },
      ['--gateway', GW],
      /backendAddressPools\[0\]\.backendAddressPool\.id: expected ".*appgw-field\/backendAddressPools\/<name>", got ".*appgw-other/,
    ],
    [
      '--gateway that is not a gateway id',
      BODIES.unreferenced,
      ['--gateway', `/subscriptions/${SUB}`],
      /--gateway: .* is not an application gateway id/,
    ],
    [
      '{} (not a backend-health read)',
      {},
      ['--gateway', GW],
      /Invalid backend-health file .*: \(root\): expected the backend-health body/,
    ],
    [
      "PowerShell's output cut at ConvertTo-Json's default depth",
      {
        BackendAddressPools: [
          {
            BackendAddressPool:
              'Microsoft.Azure.Commands.Network.Models.PSApplicationGatewayBackendAddressPool',
            BackendHttpSettingsCollection:
              'Microsoft.Azure.Commands.Network.Models.PSApplicationGatewayBackendHealthHttpSettings',
          },
        ],
      },
      ['--gateway', GW],
      /re-run with ConvertTo-Json -Depth 10/,
    ],
  ])('%s', async (_name, body, args, message) => {
    const file = path.join(dir, 'body.json');
    await writeFile(file, JSON.stringify(body));
    const result = await runCli(['evaluate', file, ...args, '--out', path.join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack
  });

  it.each<[string, string[], Buffer | undefined, RegExp]>([
    ['no FILE', ['evaluate'], undefined, /FILE \(or - for standard input\) is required/],
    [
      'a file that does not exist',
      ['evaluate', '/nonexistent/body.json'],
      undefined,
      /the file does not exist \(ENOENT\)/,
    ],
    [
      'a Windows-1252 file on stdin',
      ['evaluate', '-'],
      Buffer.from('{"a":"Z\xfcrich"}', 'latin1'),
      /^error: Invalid backend-health body on standard input: standard input is not UTF-8 text .*save it as UTF-8\n$/,
    ],
  ])('%s', async (_name, args, input, message) => {
    const result = input ? await runCliWithInput(args, input) : await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

// A break trial: `run` wrote its current view (insights, the status page) into ./out; `evaluate` of an
// old saved body, with the same default --out, replaced the insights and removed a page the status page
// linked to.
describe('evaluate never writes into a folder that holds a status page', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-evaluate-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refused, naming the folder and another; nothing in it changes', async () => {
    const out = path.join(dir, 'out');
    const file = path.join(dir, 'body.json');
    await writeFile(file, JSON.stringify(BODIES['nulls']));
    const first = await runCli(['evaluate', file, '--out', out, '--json']);
    expect(first.code).toBe(0);
    // The folder is a run's now: its status page beside the insights.
    await writeFile(path.join(out, 'index.html'), '<!doctype html><title>Backend health</title>');
    const before = await filesUnder(out);
    const report = await readFile(path.join(out, 'report.json'), 'utf8');
    const second = await runCli(['evaluate', file, '--out', out]);
    expect(second.code).toBe(2);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain(
      `--out ${out} holds a status page (index.html): the current view that "run" (or the demo) keeps there`,
    );
    expect(second.stderr).toContain(`--out ${out}-evaluate`);
    expect(await filesUnder(out)).toEqual(before);
    expect(await readFile(path.join(out, 'report.json'), 'utf8')).toBe(report);
  });

  // A break trial: `--out out/insights` wrote a saved body's report and insights into the run's own
  // insights folder; and a run's folder before its first page is written has no index.html yet.
  it.each([
    [
      "a folder inside a run's (its insights)",
      'insights',
      false,
      /is inside .*out, a run's folder \(its status page and report\.json, or its lock\)/,
    ],
    [
      'a folder a run is writing now (its lock there): RunInProgress',
      '',
      true,
      /^error: Another appgw-insights run is writing to .*out: this run checked nothing and wrote nothing\. .*give another folder with --out\./,
    ],
    // A break trial: during a run's first pass (no page yet, only its lock) --out out/insights was taken.
    [
      'a folder inside one a run is writing now (its first run: only its lock)',
      'insights',
      true,
      /is inside .*out, a run's folder \(its status page and report\.json, or its lock\)/,
    ],
    [
      "a link to a run's insights folder",
      'link',
      false,
      /is inside .*out, a run's folder \(its status page and report\.json, or its lock\)/,
    ],
  ])('%s: refused, nothing written', async (_, under, locked, message) => {
    const out = path.join(dir, 'out');
    const file = path.join(dir, 'body.json');
    await writeFile(file, JSON.stringify(BODIES['nulls']));
    await mkdir(path.join(out, 'insights'), { recursive: true });
    if (locked) await mkdir(path.join(out, '.appgw-run.lock'));
    else {
      await writeFile(path.join(out, 'index.html'), '<!doctype html><title>Backend health</title>');
      await writeFile(path.join(out, 'report.json'), RUN_REPORT_HEAD);
    }
    const before = await filesUnder(out);
    const target = under === 'link' ? path.join(dir, 'link') : path.join(out, under);
    if (under === 'link') await symlink(path.join(out, 'insights'), target);
    const result = await runCli(['evaluate', file, '--out', target]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    if (under !== '') expect(result.stderr).toContain(`--out ${out}-evaluate`);
    // A trial: "lnk is inside out" did not say where the link leads.
    if (under === 'link')
      expect(result.stderr).toContain(`${target} (a link to ${path.join(out, 'insights')}) is inside ${out}`);
    expect(await filesUnder(out)).toEqual(before);
  });

  // A trial: a site's own index.html beside a report.json of its own was taken for a run's folder, and
  // the advice said to remove them.
  it("inside a folder whose index.html and report.json are not a run's: used, nothing of it touched", async () => {
    const www = path.join(dir, 'www');
    await mkdir(www);
    await writeFile(path.join(www, 'index.html'), '<h1>my site</h1>');
    await writeFile(path.join(www, 'report.json'), '{"mine":1}');
    const file = path.join(dir, 'body.json');
    await writeFile(file, JSON.stringify(BODIES['nulls']));
    const result = await runCli(['evaluate', file, '--out', path.join(www, 'appgw'), '--json']);
    expect(result.stderr).not.toContain('is inside');
    expect(result.code).toBe(0);
    expect(await readFile(path.join(www, 'report.json'), 'utf8')).toBe('{"mine":1}');
  });

  // A trial: inside out/s, itself a run's folder inside out, the folder offered was out/s-evaluate:
  // inside out, refused in its turn. The one offered is beside the outermost run's folder.
  it('inside two nested run folders: the folder offered is beside the outer one, and is taken', async () => {
    const out = path.join(dir, 'out');
    const file = path.join(dir, 'body.json');
    await writeFile(file, JSON.stringify(BODIES['nulls']));
    for (const folder of [out, path.join(out, 's')]) {
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, 'index.html'), '<!doctype html><title>Backend health</title>');
      await writeFile(path.join(folder, 'report.json'), RUN_REPORT_HEAD);
    }
    const refused = await runCli(['evaluate', file, '--out', path.join(out, 's', 'x')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`is inside ${out}, a run's folder`);
    expect(refused.stderr).toContain(`--out ${out}-evaluate`);
    expect((await runCli(['evaluate', file, '--out', `${out}-evaluate`, '--json'])).code).toBe(0);
  });
});

// A break trial: a saved answer that lists no server (`{"backendAddressPools":[]}`, as a gateway under
// update may answer) was "✓ g", "0 backend servers: 0 not healthy", exit 0: an all-clear of nothing read.
describe('evaluate of an answer that lists no server: a failed reading, never green', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-evaluate-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['no pool', { backendAddressPools: [] }],
    [
      'pools listed with no server',
      {
        backendAddressPools: [
          {
            backendAddressPool: { id: `${GW}/backendAddressPools/web` },
            backendHttpSettingsCollection: [
              { backendHttpSettings: { id: `${GW}/backendHttpSettingsCollection/web-https` }, servers: [] },
            ],
          },
        ],
      },
    ],
  ])('%s: exit 2, "could not be checked", saying why and never "0 not healthy"', async (_, body) => {
    const file = path.join(dir, 'body.json');
    await writeFile(file, JSON.stringify(body));
    const result = await runCli(['evaluate', file, '--gateway', GW, '--out', path.join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /^Read 0 of 1 gateway \(1 could not be checked\): no backend server was read\./,
    );
    expect(result.stdout).toContain('✗ appgw-field (rg-field)');
    expect(result.stdout).toContain('the backend-health answer lists no server');
    expect(result.stdout).not.toMatch(/0 not healthy|✓|next run|recovered/);
  });
});
