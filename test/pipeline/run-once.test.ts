import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runOnce } from '../../src/app/run-once';
import type { RunOutcome } from '../../src/pipeline/run-checks';
import { parseConfig } from '../../src/config/load';
import { emulatorArm } from '../helpers/emulator-settings';
import { startEmulator, type RunningEmulator, type ScenarioInput } from '../../src/emulator';
import { silentLogger } from '../../src/pipeline/logger';
import { OTHER_SUB, SUB, gateway, gatewayId } from '../helpers/scenario-builder';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('runOnce: targets → real ARM client → emulator → insights in a folder', () => {
  // The ARM SDK is required on the first call, inside the 1 s time-outs below: loaded here first, so a
  // busy machine's seconds of loading are not counted against a gateway or a target.
  beforeAll(() => import('@azure/arm-network'), 60_000);
  let emulator: RunningEmulator | undefined;
  async function stopEmulator() {
    await emulator?.close();
    emulator = undefined;
  }
  afterEach(stopEmulator);
  // Each run's temporary files (its report's gateways are read from them), removed after its test.
  const outcomes: RunOutcome[] = [];
  afterEach(async () => {
    await Promise.all(outcomes.splice(0).map((outcome) => outcome.dispose()));
  });

  async function run(
    scenario: ScenarioInput,
    targets: string[],
    out: string,
    extra: Record<string, unknown> = {},
  ) {
    emulator ??= await startEmulator({ scenario: scenario as never });
    const config = parseConfig({
      targets,
      arm: emulatorArm(emulator),
      sinks: { dir: out },
      // Beside `out`, in the tests' temp folder (the status page's history is kept with the state).
      state: { dir: `${out}-state` },
      ...extra,
    });
    const outcome = await runOnce(config, { logger: silentLogger });
    outcomes.push(outcome);
    return outcome;
  }

  it('one slow, one missing and one throttled gateway never hide the healthy ones', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-'));
    const scenario: ScenarioInput = {
      gateways: [
        gateway('good', [
          { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' },
          { address: '10.0.0.5', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
        ]),
        // In another subscription, named by its id: the emulator delays list calls that cover it, too.
        // Slower than any run: the time-out below is generous (a busy machine must not time out 'good').
        gateway(
          'slow',
          [{ address: '10.0.1.4', health: 'Down' }],
          { delayMs: 600_000 },
          'rg-test',
          OTHER_SUB,
        ),
        gateway('throttled', [{ address: '10.0.2.4', health: 'Down' }], {
          faults: [{ on: 'backendHealth', status: 429, times: 9, retryAfterSeconds: 0 }],
        }),
      ],
    };
    const { report } = await run(
      scenario,
      [
        `/subscriptions/${SUB}`,
        gatewayId('slow', 'rg-test', OTHER_SUB),
        gatewayId('missing'),
        `/subscriptions/${SUB}/resourceGroups/rg-gone`,
      ],
      out,
      { gatewayTimeoutInMs: 8000 },
    );
    const byName = Object.fromEntries(report.gateways.map((g) => [g.name, g]));
    expect(Object.keys(byName).sort()).toEqual(['good', 'missing', 'slow', 'throttled']);
    expect(byName['good']).toMatchObject({ ok: true, error: null, servers: 2 });
    expect(byName['good']?.findings.map((f) => f.address)).toEqual(['10.0.0.4']);
    expect(byName['slow']).toMatchObject({ ok: false, error: { code: 'BackendHealthUnavailable' } });
    // ARM's GET finds nothing there either: confirmed deleted.
    expect(byName['missing']).toMatchObject({ ok: false, error: { code: 'GatewayDeleted' } });
    expect(byName['throttled']).toMatchObject({ ok: false, error: { code: 'Throttled' } });
    expect(report.targets.find((t) => t.id.endsWith('rg-gone'))).toMatchObject({
      ok: false,
      error: { code: 'TargetNotFound' },
    });
    expect(report.ok).toBe(false);
    expect(report.summary).toEqual({
      gateways: 4,
      failedGateways: 3,
      servers: 2,
      findings: 1,
      deletedGateways: 1,
    });
  });

  it('a target whose listing times out is reported as a listing failure, not a backend-health one', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-'));
    const { report } = await run(
      {
        gateways: [
          gateway('good', [{ address: '10.0.0.4', health: 'Down' }]),
          gateway(
            'slow',
            [{ address: '10.0.1.4', health: 'Down' }],
            { delayMs: 10_000 },
            'rg-test',
            OTHER_SUB,
          ),
        ],
      },
      [`/subscriptions/${SUB}`, `/subscriptions/${OTHER_SUB}`],
      out,
      { gatewayTimeoutInMs: 1000 },
    );
    const slow = report.targets.find((t) => t.id === `/subscriptions/${OTHER_SUB}`);
    expect(slow).toMatchObject({
      ok: false,
      gateways: 0,
      error: { code: 'TargetListUnavailable', retryable: true },
    });
    expect(slow?.error?.message).toContain(`The gateways of /subscriptions/${OTHER_SUB} could not be listed`);
    expect(slow?.error?.message).toContain('no answer within 1000 ms (gatewayTimeoutInMs)');
    expect(slow?.error?.message).not.toMatch(/backend health/i);
    // The other subscription's gateway is still evaluated (its own time may run out on a busy machine).
    expect(report.gateways.map((g) => g.name)).toEqual(['good']);
    await rm(out, { recursive: true, force: true });
  });

  it('writes .md + .html per finding and report.json; a failed gateway keeps its last insights', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-'));
    const sick = {
      address: 'api.contoso.internal',
      health: 'Down',
      healthProbeLog: 'DNS resolution error <script>x</script>',
    };
    const first = await run(
      { gateways: [gateway('gw', [sick, { address: '10.0.0.9', health: 'Unknown' }])] },
      [gatewayId('gw')],
      out,
    );
    expect(first.report.ok).toBe(true);
    const files = await listFiles(out);
    expect(files.filter((f) => f.endsWith('.md'))).toHaveLength(2);
    expect(files.filter((f) => f.startsWith('insights/') && f.endsWith('.html'))).toHaveLength(2);
    expect(files).toContain('index.html');
    expect(files).toContain('report.json');
    // The insights (the status page's own script and escaping: test/insight/status/).
    for (const file of files.filter((f) => /^insights\/.*\.(md|html)$/.test(f))) {
      const text = await readFile(path.join(out, file), 'utf8');
      expect(text).not.toContain('<!--$');
      expect(text).not.toContain('<!--/$');
      expect(text).not.toContain('Â');
      expect(text).not.toContain('<script>');
    }
    const html = await readFile(path.join(out, first.report.gateways[0]!.findings[0]!.insight.html), 'utf8');
    expect(html).toContain('api.contoso.internal');
    expect(html).toContain('DNS resolution error');
    // Escaped (the page writes numeric references, markdown-it named ones): shown, never run.
    expect(html).toMatch(/&(lt|#60);script&(gt|#62);/);

    // Second run: the gateway answers 500, so its insights stay as the last good run left them.
    await stopEmulator();
    const failing = gateway('gw', [sick], { faults: [{ on: 'backendHealth', status: 500, times: 9 }] });
    const second = await run({ gateways: [failing] }, [gatewayId('gw')], out);
    expect(second.report.ok).toBe(false);
    expect((await listFiles(out)).filter((f) => f.endsWith('.md'))).toHaveLength(2);

    // Third run: one server recovered, so only one insight remains.
    await stopEmulator();
    const third = await run(
      { gateways: [gateway('gw', [sick, { address: '10.0.0.9', health: 'Healthy' }])] },
      [gatewayId('gw')],
      out,
    );
    expect(third.report.summary.findings).toBe(1);
    expect((await listFiles(out)).filter((f) => f.endsWith('.md'))).toHaveLength(1);
    const saved = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(saved.runId).toBe(third.report.runId);
  });

  it('evaluates a gateway named by two targets once', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-'));
    const { report } = await run(
      { gateways: [gateway('gw', [{ address: '10.0.0.4', health: 'Down' }])] },
      [gatewayId('gw'), gatewayId('GW').toLowerCase(), `/subscriptions/${SUB}/resourceGroups/rg-test`],
      out,
    );
    expect(report.gateways).toHaveLength(1);
  });

  it('four 1 MB probe messages give a small report and small insights, each cut value marked', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-'));
    const huge = (i: number) => ({
      address: `10.0.0.${i}`,
      health: 'Unhealthy',
      healthProbeLog: `Time taken by the backend to respond ${String(i).repeat(1_048_576)}`,
    });
    const { report } = await run(
      { gateways: [gateway('gw', [1, 2, 3, 4].map(huge))] },
      [gatewayId('gw')],
      out,
    );
    expect(report.gateways[0]?.findings).toHaveLength(4);
    const reportFile = await readFile(path.join(out, 'report.json'), 'utf8');
    expect(reportFile.length).toBeLessThan(100_000);
    expect(reportFile).toContain('[cut: 1048613 characters in all]');
    for (const file of (await listFiles(out)).filter((f) => /^insights\/.*\.(md|html)$/.test(f))) {
      const text = await readFile(path.join(out, file), 'utf8');
      expect(text.length).toBeLessThan(60_000);
      expect(text).toContain('[cut: 1048613 characters in all]');
    }
    await rm(out, { recursive: true, force: true });
  });
});
