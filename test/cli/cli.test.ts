import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { assertBuilt, runCli, startCli, stop } from '../helpers/cli';
import { startEmulator } from '../../src/emulator';
import { emulatorArm } from '../helpers/emulator-settings';
import { SUB, gateway, gatewayId } from '../helpers/scenario-builder';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { signedOutEnv } from '../helpers/signed-out';
import { parseTelemetryLines } from '../helpers/telemetry';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

beforeAll(assertBuilt);

describe('appgw-insights CLI (the built bin, as a user runs it)', () => {
  it('demo: writes one .md + .html per unhealthy server of the default scenario, and report.json', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-demo-'));
    const { code, stdout, stderr } = await runCli(['demo', '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const findings = report.gateways.flatMap((g: { findings: unknown[] }) => g.findings);
    expect(findings.length).toBeGreaterThanOrEqual(4);
    const files = await filesUnder(out);
    expect(files.filter((f) => f.endsWith('.md'))).toHaveLength(findings.length);
    expect(files.filter((f) => f.includes('/insights/') && f.endsWith('.html'))).toHaveLength(
      findings.length,
    );
    expect(files.filter((f) => f.endsWith('/index.html'))).toHaveLength(1); // the status page
    for (const file of files.filter((f) => /\.(md|html)$/.test(f))) {
      const text = await readFile(file, 'utf8');
      expect(text).not.toMatch(/<!--\/?\$/);
      expect(text).not.toContain('Â');
    }
    // Both vocabularies of the default scenario are reported, healthy servers are not.
    const healths = new Set(findings.map((f: { health: string }) => f.health));
    expect([...healths]).toEqual(expect.arrayContaining(['Down', 'Unhealthy', 'Unknown', 'Partial']));
    expect([...healths].filter((h) => ['up', 'healthy'].includes(String(h).toLowerCase()))).toEqual([]);
    expect(stdout).toContain('not healthy');
    expect(stdout).toContain(out);
  });

  it('emulator: first line is {url, caCertFile, config}; run --json against that config exits 0; --counts at exit', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-emu-'));
    const countsFile = path.join(out, 'counts.json');
    const { child, firstLine } = await startCli([
      'emulator',
      '--port',
      '0',
      '--out',
      out,
      '--counts',
      countsFile,
    ]);
    let gateways = 0;
    try {
      const info = JSON.parse(firstLine);
      expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(await readFile(info.caCertFile, 'utf8')).toContain('BEGIN CERTIFICATE');
      const { code, stdout } = await runCli(['run', '--config', info.config, '--json']);
      expect(code).toBe(0);
      const report = JSON.parse(stdout);
      expect(report.gateways.length).toBeGreaterThanOrEqual(3);
      gateways = report.gateways.length;
      for (const gateway of report.gateways) {
        expect(gateway).toEqual(
          expect.objectContaining({
            id: expect.any(String),
            ok: true,
            error: null,
            findings: expect.any(Array),
          }),
        );
        for (const finding of gateway.findings) {
          expect(finding).toEqual(
            expect.objectContaining({
              address: expect.any(String),
              health: expect.any(String),
              probeLog: expect.any(String),
            }),
          );
        }
      }
    } finally {
      expect(await stop(child)).toBe(0);
    }
    // Written when it stopped: one backendhealth POST per gateway, every one answered 202.
    const counts = JSON.parse(await readFile(countsFile, 'utf8'));
    expect(counts.backendHealth).toEqual({ '202': gateways });
    expect(Object.keys(counts.list)).toEqual(['200']);
    await rm(out, { recursive: true, force: true });
  });

  it('run: exits 2 when a gateway cannot be evaluated, and still reports the others', async () => {
    const { child, firstLine } = await startCli(['emulator']);
    try {
      const info = JSON.parse(firstLine);
      const config = JSON.parse(await readFile(info.config, 'utf8'));
      const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-cfg-'));
      const file = path.join(dir, 'config.json');
      const missing = `${config.targets[0]}/resourceGroups/rg-nowhere/providers/Microsoft.Network/applicationGateways/ghost`;
      await writeFile(
        file,
        JSON.stringify({ ...config, targets: [...config.targets, missing], sinks: { dir: 'out' } }),
      );
      const { code, stdout } = await runCli(['run', '--config', file, '--json']);
      expect(code).toBe(2);
      const report = JSON.parse(stdout);
      expect(report.gateways.find((g: { name: string }) => g.name === 'ghost')).toMatchObject({
        ok: false,
        error: { code: 'GatewayDeleted' },
      });
      expect(report.gateways.filter((g: { ok: boolean }) => g.ok).length).toBeGreaterThanOrEqual(3);
    } finally {
      await stop(child);
    }
  });

  it('run: a gateway list entry without an id fails the listing (exit 2) and sends no recovered (issue 11.1)', async () => {
    const receiver = await startWebhookReceiver();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-cfg-'));
    const unhealthy = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
    const runAgainst = async (gateways: Parameters<typeof gateway>[]) => {
      const emulator = await startEmulator({
        scenario: { gateways: gateways.map((g) => gateway(...g)) } as never,
      });
      try {
        const file = path.join(dir, 'config.json');
        await writeFile(
          file,
          JSON.stringify({
            targets: [`/subscriptions/${SUB}`],
            arm: emulatorArm(emulator),
            sinks: {
              dir: path.join(dir, 'out'),
              webhooks: [{ name: 'ops', url: receiver.url('/hook'), format: 'json', grouping: 'server' }],
            },
            state: { dir: path.join(dir, 'state') },
          }),
        );
        return await runCli(['run', '--config', file]);
      } finally {
        await emulator.close();
      }
    };
    try {
      const first = await runAgainst([['gw1', [unhealthy]]]);
      expect(first.code).toBe(0);
      expect(receiver.requests.map((r) => JSON.parse(r.body).type)).toEqual(['degraded']);

      const second = await runAgainst([
        ['gw1', [unhealthy], { faults: [{ on: 'list', text: '{"value":[{"name":"gw1"}]}' }] }],
      ]);
      expect(second.code).toBe(2);
      expect(second.stdout).toContain(`✗ target /subscriptions/${SUB}`);
      // The summary line is clipped; stderr's warning line says what ARM sent, whole.
      expect(second.stderr).toContain(
        `warning: /subscriptions/${SUB}: The gateways of /subscriptions/${SUB} could not be listed: ARM answered 200 to the list call with what is not a complete listing of the scope: value[0].id: expected the gateway's ARM id, found nothing (its name is "gw1")`,
      );
      expect(second.stdout + second.stderr).not.toMatch(/Cannot read properties|gatewayTimeoutInMs/);
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await receiver.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('run: configurations that cannot be read (403): exit 3, said once at the top with the action and the role; --json says it too', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-cfg-'));
    const down = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
    const forbidden = { faults: [{ on: 'get' as const, status: 403, times: 5 }] };
    const emulator = await startEmulator({
      scenario: {
        gateways: [
          gateway('gw1', [down], forbidden),
          gateway('gw2', [down], forbidden),
          gateway('gw3', [down]),
        ],
      } as never,
    });
    try {
      const file = path.join(dir, 'config.json');
      await writeFile(
        file,
        JSON.stringify({
          // By id: a listing would give the configurations, and no GET would be refused.
          targets: ['gw1', 'gw2', 'gw3'].map((name) => gatewayId(name)),
          arm: emulatorArm(emulator),
          sinks: { dir: path.join(dir, 'out') },
        }),
      );
      const text = await runCli(['run', '--config', file]);
      expect(text.code).toBe(3);
      const lines = text.stdout.split('\n');
      // Once, right under the first line, naming the action and the custom role.
      expect(lines[2]).toMatch(
        /^! Remediation steps are the general ones for 2 finding\(s\) on 2 gateway\(s\)/,
      );
      expect(lines[2]).toContain('"Microsoft.Network/applicationGateways/read"');
      expect(lines[2]).toContain('"App Gateway Backend Health Reader"');
      expect(text.stdout.match(/Remediation steps are the general ones/g)).toHaveLength(1);
      expect(text.stdout).toContain('configuration not read (forbidden)');
      expect(text.stderr).toContain(`warning: ${gatewayId('gw1')}: configuration not read (forbidden)`);

      const json = await runCli(['run', '--config', file, '--json']);
      expect(json.code).toBe(3);
      const report = JSON.parse(json.stdout);
      expect(report.ok).toBe(true); // every gateway's health was read
      expect(report.configuration).toMatchObject({
        unreadGateways: 2,
        generalSteps: 2,
        grant: {
          action: 'Microsoft.Network/applicationGateways/read',
          role: 'App Gateway Backend Health Reader',
          definedIn: 'infra/app/backend-health-reader-role.bicep',
        },
      });
      const byName = new Map(report.gateways.map((g: { name: string }) => [g.name, g]));
      expect(byName.get('gw1')).toMatchObject({
        ok: true,
        configuration: { read: false, reason: 'forbidden' },
      });
      expect(byName.get('gw3')).not.toHaveProperty('configuration');
    } finally {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('run: names, addresses and probe messages from the network reach the terminal without controls or bidi overrides', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-hostile-'));
    const id = gatewayId('gw');
    const pool = 'pool\u001b[2J\u001b[H-a';
    const settings = 's\u009b31m';
    const address = '10.0.0.4\u202e';
    // ARM's names are the last segment of their ids (the reader holds ARM to it): both hostile.
    const hostileBody = {
      backendAddressPools: [
        {
          backendAddressPool: { id: `${id}/backendAddressPools/${pool}`, name: pool },
          backendHttpSettingsCollection: [
            {
              backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/${settings}`, name: settings },
              servers: [
                {
                  address,
                  health: 'Unhealthy\u0007',
                  healthProbeLog: `\u001b]0;pwned\u0007Time taken by the backend to respond ${'x'.repeat(400)}`,
                },
              ],
            },
          ],
        },
      ],
    };
    // The gateway's configuration, with the same names.
    const hostileGateway = {
      id,
      name: 'gw',
      location: 'westeurope',
      properties: {
        sku: { name: 'Standard_v2', tier: 'Standard_v2' },
        backendAddressPools: [
          {
            id: `${id}/backendAddressPools/${pool}`,
            name: pool,
            properties: { backendAddresses: [{ fqdn: address }] },
          },
        ],
        backendHttpSettingsCollection: [
          {
            id: `${id}/backendHttpSettingsCollection/${settings}`,
            name: settings,
            properties: { protocol: 'Http', port: 80, pickHostNameFromBackendAddress: false },
          },
        ],
      },
    };
    // The scenario refuses names ARM refuses (src/emulator/scenario.ts): a network that sends them is
    // played by `text` faults, which serve the answers exactly as given, once per run below.
    const runs = 3;
    const scenario = {
      gateways: [
        {
          id,
          backendHealth: { backendAddressPools: [] },
          lro: { polls: 0 },
          faults: [
            { on: 'backendHealth', text: JSON.stringify(hostileBody), times: runs },
            // The listing gives the configuration (ARM's list pages carry the whole resource); the
            // GET, for a target naming the gateway.
            { on: 'list', text: JSON.stringify({ value: [hostileGateway] }), times: runs },
            { on: 'get', text: JSON.stringify(hostileGateway), times: runs },
          ],
        },
      ],
    };
    const scenarioFile = path.join(dir, 'hostile.json');
    await writeFile(scenarioFile, JSON.stringify(scenario));
    const { child, firstLine } = await startCli([
      'emulator',
      '--scenario',
      scenarioFile,
      '--out',
      path.join(dir, 'out'),
    ]);
    try {
      const { code, stdout, stderr } = await runCli(['run', '--config', JSON.parse(firstLine).config]);
      expect(code).toBe(0);
      // eslint-disable-next-line no-control-regex -- what must never reach a terminal
      const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
      expect(stdout).not.toMatch(unsafe);
      expect(stderr).not.toMatch(unsafe);
      expect(stdout).toContain('pool [2J [H-a');
      expect(stdout.split('\n').every((line) => line.length <= 400)).toBe(true);
      const json = await runCli(['run', '--config', JSON.parse(firstLine).config, '--json']);
      expect(json.stdout).not.toMatch(unsafe);
      expect(JSON.parse(json.stdout).gateways[0].findings[0].backendPool).toBe('pool\u001b[2J\u001b[H-a');
      expect(parseTelemetryLines(stderr.split('\n'))).toEqual([]); // telemetry only with --verbose
      // --verbose: the telemetry records on stderr, escaped (the same JSON values), never raw.
      const verbose = await runCli(['run', '--config', JSON.parse(firstLine).config, '--verbose']);
      expect(verbose.code).toBe(0);
      expect(verbose.stderr).not.toMatch(unsafe);
      const records = parseTelemetryLines(verbose.stderr.split('\n'));
      expect(records.map((r) => r.name)).toEqual([
        'appgw.target',
        'appgw.gateway',
        'appgw.server',
        'appgw.run',
      ]);
      expect(records.find((r) => r.name === 'appgw.server')?.fields).toMatchObject({
        mode: 'direct',
        step: 'run',
        backendPool: 'pool\u001b[2J\u001b[H-a',
        backendSettings: 's\u009b31m',
        address: '10.0.0.4\u202e',
      });
      expect(records.find((r) => r.name === 'appgw.run')?.fields).toMatchObject({
        ok: true,
        gateways: 1,
        unhealthyServers: 1,
      });
    } finally {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    // Without --config, run reads the APPGW_* settings from the environment: none are set here.
    [['run'], /APPGW_TARGETS: not set: .*; or give `run --config FILE`/],
    [
      ['run', '--config', '/nonexistent/config.json'],
      /Invalid config file \/nonexistent\/config.json: the file does not exist \(ENOENT\)/,
    ],
    [['run', '--bogus'], /unknown option --bogus/],
    [['frobnicate'], /Unknown verb "frobnicate"/],
    [
      ['emulator', '--scenario', '/nonexistent.json'],
      /Invalid scenario file \/nonexistent.json: the file does not exist \(ENOENT\)/,
    ],
    [['emulator', '--port', 'x'], /--port/],
    // The usage error every verb gives (issue 15's trial: the emulator's had a format of its own).
    [
      ['emulator', '--port', '70000'],
      /^error: Invalid arguments to "appgw-insights emulator": --port: "70000" is not a port number .*\nUsage: appgw-insights emulator /,
    ],
    [['emulator', '--port', ''], /--port is given an empty value: give N, or leave --port out/],
    [['emulator', '--port', '0x50'], /--port: "0x50" is not a port number/],
    [['emulator', '--port', '-1'], /--port/],
  ])('%j exits 2 with a clear message', async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('emulator --port N with N in use: exit 2, "port N is in use", no stack trace', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, stdout, stderr } = await runCli(['emulator', '--port', String(port)]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `error: port ${port} is in use: pass another with --port, or --port 0 for any free port.\n`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('run without az login: exit 2, the target and the gateway AuthenticationFailed saying "az login"', async () => {
    const { child, firstLine } = await startCli(['emulator']);
    const home = await mkdtemp(path.join(os.tmpdir(), 'appgw-home-'));
    try {
      const info = JSON.parse(firstLine);
      const config = JSON.parse(await readFile(info.config, 'utf8'));
      const file = path.join(home, 'config.json');
      const shop = `${config.targets[0]}/resourceGroups/rg-prod-weu/providers/Microsoft.Network/applicationGateways/appgw-shop`;
      await writeFile(
        file,
        JSON.stringify({
          ...config,
          targets: [config.targets[0], shop],
          arm: { ...config.arm, credential: 'default' },
          sinks: { dir: path.join(home, 'out') },
        }),
      );
      const { code, stdout } = await runCli(
        ['run', '--config', file, '--json'],
        undefined,
        signedOutEnv(home),
      );
      expect(code).toBe(2);
      const report = JSON.parse(stdout);
      const errors = [...report.targets.filter((t: { ok: boolean }) => !t.ok), ...report.gateways].map(
        (r: { error: { code: string; message: string; retryable: boolean } }) => r.error,
      );
      expect(errors).toHaveLength(2);
      for (const error of errors) {
        expect(error).toMatchObject({ code: 'AuthenticationFailed', retryable: false });
        expect(error.message).toContain('Sign in with "az login"');
        expect(error.message).not.toContain('gatewayTimeoutInMs');
      }
    } finally {
      await stop(child);
      await rm(home, { recursive: true, force: true });
    }
  });

  it('run with an arm.caCertFile that does not exist: exit 2 at load, naming the key and the file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-cfg-'));
    try {
      const file = path.join(dir, 'config.json');
      const targets = ['/subscriptions/00000000-0000-0000-0000-000000000000'];
      await writeFile(file, JSON.stringify({ targets, arm: { caCertFile: 'no-such-ca.pem' } }));
      const { code, stdout, stderr } = await runCli(['run', '--config', file]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(
        `arm.caCertFile: ${path.join(dir, 'no-such-ca.pem')}: the file does not exist (ENOENT)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a reader that stops early', () => {
  it.each([
    [['render', 'articles/degraded-backend-server-health.md', '--format', 'html'], 0],
    [['demo', '--out', '__OUT__'], 0],
  ])('%j: output dropped quietly when the pipe closes, the exit code stands', async (args, expected) => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-pipe-'));
    try {
      const { child } = await startCli(args.map((a) => (a === '__OUT__' ? out : a)));
      // Read the first line (startCli did), then close our end of stdout: later writes meet EPIPE.
      child.stdout?.destroy();
      let stderr = '';
      child.stderr?.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(stderr).not.toMatch(/EPIPE|Unhandled|unexpected error/);
      expect(code).toBe(expected);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
