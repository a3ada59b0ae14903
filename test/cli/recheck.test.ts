import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { RunningEmulator, ScenarioInput } from '../../src/emulator';
import { assertBuilt, runCli } from '../helpers/cli';
import { startCliNotifyRig, type CliNotifyRig } from '../helpers/cli-notify-rig';
import { SUB, gateway, gatewayId } from '../helpers/scenario-builder';
import type { WebhookReceiver } from '../helpers/webhook-receiver';

beforeAll(assertBuilt);

const GW = gatewayId('gw');
const DOWN = { address: '10.0.0.4', health: 'Unhealthy', healthProbeLog: 'TCP connect error' };
const scenario = (extra: Partial<ScenarioInput['gateways'][number]> = {}): ScenarioInput =>
  ({ gateways: [gateway('gw', [DOWN], extra)] }) as ScenarioInput;

/** `appgw-insights recheck` as a user runs it: the emulator's on-demand probe, a loopback receiver. */
describe('appgw-insights recheck', () => {
  let rig: CliNotifyRig;
  let emulator: RunningEmulator;
  let receiver: WebhookReceiver;
  let configFile: string;
  const writeConfig = (notify: Record<string, unknown> = {}, sendResolved = true) =>
    rig.writeConfig({ sendResolved }, { notify });
  beforeEach(async () => {
    rig = await startCliNotifyRig('appgw-cli-recheck-', '/hooks/ops', scenario());
    ({ emulator, receiver, configFile } = rig);
    await writeConfig();
  });
  afterEach(() => rig.close());
  /** `recheck` of pool-a with settings-a on `gateway`, then `more`. */
  const recheckOn = (gateway: string, ...more: string[]) =>
    runCli([
      'recheck',
      '--gateway',
      gateway,
      '--pool',
      'pool-a',
      '--settings',
      'settings-a',
      '--config',
      configFile,
      ...more,
    ]);
  const recheck = (...more: string[]) => recheckOn(GW, ...more);
  const events = () => receiver.requests.map((r) => JSON.parse(r.body) as { type: string; reason?: string });
  const onDemandPosts = () => emulator.requests.filter((r) => /getBackendHealthOnDemand/i.test(r.path));

  it.each([
    ['recoverAfter absent', {}],
    ['recoverAfter 5 (a confirmed fix does not wait for the count)', { recoverAfter: 5 }],
  ])(
    'fixed (%s): the episode closes, recovered goes out once; a second recheck sends nothing',
    async (_n, notify) => {
      await writeConfig(notify);
      expect((await runCli(['run', '--config', configFile])).code).toBe(0);
      expect(events().map((e) => e.type)).toEqual(['degraded']);
      emulator.serve(scenario({ onDemand: 'healthy' }) as never);

      const first = await recheck('--json');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const report = JSON.parse(first.stdout);
      expect(report.servers).toEqual([
        expect.objectContaining({
          address: '10.0.0.4',
          health: 'Healthy',
          state: 'healthy',
          episodeClosed: true,
        }),
      ]);
      expect(events().map((e) => [e.type, e.reason])).toEqual([
        ['degraded', undefined],
        ['recovered', 'confirmed by an on-demand probe'],
      ]);

      const second = await recheck();
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/10\.0\.0\.4: Healthy \(healthy\)\n/);
      expect(second.stdout).toMatch(/\n\nThe recheck is ok: the server of pool pool-a healthy\.\n$/);
      expect(events()).toHaveLength(2);
      expect(onDemandPosts()).toHaveLength(2);
    },
  );

  it('a recovered the receiver refuses: parked as a dead letter, and the re-send command names this --config', async () => {
    expect((await runCli(['run', '--config', configFile])).code).toBe(0);
    emulator.serve(scenario({ onDemand: 'healthy' }) as never);
    receiver.script({ status: 400, body: 'unknown field' });
    const rechecked = await recheck();
    expect(rechecked.code).toBe(2);
    expect(events().map((e) => e.type)).toEqual(['degraded', 'recovered']);
    expect(rechecked.stdout).toContain(
      `(re-send: appgw-insights notify resend --config ${configFile} --receiver ops)`,
    );
    // A second recheck delivers nothing new, but the dead letter is still there: exit 2 as its ✗ line
    // says (issue 15's trial: exit 0 under "✗ notifications: 0 delivered, 1 not delivered").
    const again = await recheck();
    expect(again.stdout).toMatch(/✗ notifications: .*not delivered/);
    expect(again.code).toBe(2);
    // The last line says why the exit code is 2 though the server is healthy (a new-user trial: no
    // closing verdict).
    expect(rechecked.stdout).toMatch(/\nThe recheck is not ok: 1 notice not delivered \(above\)\.\n$/);
    expect(again.stdout).toMatch(/\nThe recheck is not ok: 1 notice not delivered \(above\)\.\n$/);
  });

  /** Every server record of the notify state documents in the config's file state (`state/`). */
  const stateRecords = async (): Promise<Array<Record<string, unknown>>> => {
    const dir = path.join(rig.tmp, 'state');
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.json'));
    const docs = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')));
    return docs
      .map((d) => JSON.parse(d) as { outbox?: object; servers?: Record<string, Record<string, unknown>> })
      .filter((doc) => doc.outbox !== undefined)
      .flatMap((doc) => Object.values(doc.servers ?? {}));
  };

  // A break trial: recheck's state error ended "the next run tries again", a run's words; recheck is
  // run by hand, and no run repeats it.
  it('a notify state it cannot write: the error says to run this recheck again, as typed, not to wait for the next run', async () => {
    expect((await runCli(['run', '--config', configFile])).code).toBe(0);
    const dir = path.join(rig.tmp, 'state');
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.json'));
    const notifyDocs: string[] = [];
    for (const f of files)
      if ((JSON.parse(await readFile(path.join(dir, f), 'utf8')) as { outbox?: object }).outbox)
        notifyDocs.push(f);
    expect(notifyDocs).toHaveLength(1);
    // Its lock held by a live process on this machine (this test's): the write waits out the lock's
    // 10 s, then fails with a state error that passes.
    await writeFile(
      path.join(dir, `${notifyDocs[0] as string}.lock`),
      `${process.pid} 00000000-0000-4000-8000-000000000000 ${hostname()}`,
    );
    emulator.serve(scenario({ onDemand: 'healthy' }) as never);
    const rechecked = await recheck();
    expect(rechecked.code).toBe(2);
    expect(rechecked.stdout).toContain(
      `run \`appgw-insights recheck --gateway ${GW} --pool pool-a --settings settings-a --config ${configFile}\` again`,
    );
    expect(rechecked.stdout + rechecked.stderr).not.toMatch(/next run/i);
  }, 60_000);

  it('the scheduled run after a confirmed fix still reads Unhealthy (the gateway lags): no new degraded, the reading kept in the mark', async () => {
    expect((await runCli(['run', '--config', configFile])).code).toBe(0);
    emulator.serve(scenario({ onDemand: 'healthy' }) as never);
    expect((await recheck()).code).toBe(0);
    emulator.serve(scenario() as never); // backend health still says Unhealthy
    const lagging = await runCli(['run', '--config', configFile]);
    expect(lagging.code).toBe(0);
    expect(events().map((e) => e.type)).toEqual(['degraded', 'recovered']);
    const [mark] = await stateRecords();
    // The default probe (no custom probe in the scenario): 30 s × 3.
    const confirmed = mark?.['confirmed'] as { at: string; until: string; badReadings: number };
    expect(Date.parse(confirmed.until) - Date.parse(confirmed.at)).toBe(90_000);
    expect(confirmed.badReadings).toBe(1);
    expect(mark).toMatchObject({ badRuns: 0, health: 'Unhealthy' });
    expect(mark?.['notified']).toBeUndefined();
  });

  /** The notify state document's outbox of webhook[ops], as the config's file state holds it. */
  const outbox = async (): Promise<Array<{ notice: { id: string; type: string } }>> => {
    const dir = path.join(rig.tmp, 'state');
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.json'));
    const docs = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')));
    const doc = docs
      .map(
        (d) => JSON.parse(d) as { outbox?: Record<string, Array<{ notice: { id: string; type: string } }>> },
      )
      .find((d) => d.outbox !== undefined);
    return doc?.outbox?.['webhook[ops]'] ?? [];
  };
  const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

  it('grouping "gateway": the recovered a recheck decides is held for the group; recheck says so (receiver, count, when, which setting) in text and --json, as a run does', async () => {
    await rig.writeConfig({ grouping: 'gateway' });
    expect((await runCli(['run', '--config', configFile])).code).toBe(0);
    expect(receiver.requests).toHaveLength(1); // the group's first message: groupWait 0
    const [episode] = await stateRecords();
    const degradedSince = episode?.['degradedSince'];
    expect(typeof degradedSince).toBe('string');
    emulator.serve(scenario({ onDemand: 'healthy' }) as never);

    const first = await recheck('--json');
    expect(first.code).toBe(0);
    const { notify, servers } = JSON.parse(first.stdout);
    expect(servers).toEqual([expect.objectContaining({ address: '10.0.0.4', episodeClosed: true })]);
    expect(notify).toMatchObject({ decided: 1, sent: 0, deliveries: [], undelivered: [], stateErrors: [] });
    expect(notify.grouped).toEqual([
      expect.objectContaining({
        receiver: 'webhook[ops]',
        type: 'recovered',
        server: 'gw/pool-a/settings-a/10.0.0.4',
        dueBy: 'notify.groupInterval',
        dueAt: expect.stringMatching(new RegExp(`^${ISO}$`)),
      }),
    ]);
    expect(receiver.requests).toHaveLength(1);

    // A second recheck of the server, healthy and closed already: nothing decided, the closed episode
    // as it was (not dated to this recheck), the one recovered still waiting; said in text.
    const second = await recheck();
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('episode closed');
    expect(second.stdout).toMatch(
      new RegExp(
        `\\n  webhook\\[ops\\]: 1 notice held for the group's next message until ${ISO} \\(notify\\.groupInterval, from the group's last message\\): the first run after then sends it\\n`,
      ),
    );
    expect(second.stdout).toContain(
      'recovered (the episode was critical) pool-a/settings-a/10.0.0.4 to webhook[ops] from',
    );
    expect(second.stdout).toContain(
      "✓ notifications: 0 delivered (nothing due: 1 notice held for the group's next message)",
    );
    const [mark] = await stateRecords();
    expect(mark).toMatchObject({ badRuns: 0, degradedSince });
    expect((await outbox()).map((q) => [q.notice.id, q.notice.type])).toEqual([
      [notify.grouped[0].noticeId, 'recovered'],
    ]);

    // The run after (the gateway's reading lags, still Unhealthy): nothing sent, and it says why,
    // the server read bad named as held closed by the confirmation (trial F13).
    const run = await runCli(['run', '--config', configFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "✓ notifications: 0 delivered (nothing due: 1 notice held for the group's next message, 1 bad server held closed by a recheck confirmation (the gateway's reading may lag))",
    );
    expect(run.stdout).toMatch(
      / {8}pool-a\/settings-a\/10\.0\.0\.4: confirmed healthy at \S+, held closed until \S+ \(an episode opens if still bad then\)/,
    );
    expect(receiver.requests).toHaveLength(1);
  });

  it('a run with nothing new for an episode already told says so in one line', async () => {
    expect((await runCli(['run', '--config', configFile])).code).toBe(0);
    const again = await runCli(['run', '--config', configFile]);
    expect(again.code).toBe(0);
    expect(events().map((e) => e.type)).toEqual(['degraded']);
    expect(again.stdout).toContain(
      '✓ notifications: 0 delivered (nothing due: 1 open episode already told (reminded at most every notify.repeatInterval while still bad))',
    );
  });

  it('a bad server short of notify.for: the run says it is not told yet', async () => {
    await writeConfig({ for: 3 });
    const first = await runCli(['run', '--config', configFile]);
    expect(first.code).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    expect(first.stdout).toContain(
      '✓ notifications: 0 delivered (nothing due: 1 episode not told yet (notify.for))',
    );
  });

  it("the hold is the gateway's probe interval × unhealthy threshold; still bad after it, the episode opens then", async () => {
    const configuration = {
      probes: [{ name: 'quick', interval: 1, unhealthyThreshold: 1, timeout: 1 }],
      backendHttpSettings: [{ name: 'settings-a', probe: 'quick' }],
    };
    emulator.serve(scenario({ configuration }) as never);
    expect((await runCli(['run', '--config', configFile])).code).toBe(0);
    emulator.serve(scenario({ configuration, onDemand: 'healthy' }) as never);
    expect((await recheck()).code).toBe(0);
    const [mark] = await stateRecords();
    const confirmed = mark?.['confirmed'] as { at: string; until: string };
    expect(Date.parse(confirmed.until) - Date.parse(confirmed.at)).toBe(1_000);
    // Wait out the hold (its end as the state says, not a guess at the clock).
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(confirmed.until) - Date.now()) + 50),
    );
    emulator.serve(scenario({ configuration }) as never);
    expect((await runCli(['run', '--config', configFile])).code).toBe(0);
    expect(events().map((e) => e.type)).toEqual(['degraded', 'recovered', 'degraded']);
  });

  it('a receiver with sendResolved false gets no recovered, and the episode still closes', async () => {
    await writeConfig({}, false);
    await runCli(['run', '--config', configFile]);
    emulator.serve(scenario({ onDemand: 'healthy' }) as never);
    const { code, stdout } = await recheck();
    expect(code).toBe(0);
    expect(stdout).toContain('episode closed (confirmed by an on-demand probe)');
    expect(events().map((e) => e.type)).toEqual(['degraded']);
  });

  it('still unhealthy: its probe message and cause, exit 2, no notice and the episode stays open', async () => {
    await runCli(['run', '--config', configFile]);
    const { code, stdout } = await recheck();
    expect(code).toBe(2);
    expect(stdout).toMatch(/10\.0\.0\.4: Unhealthy \(unhealthy\): .+: TCP connect error/);
    expect(stdout).toMatch(
      /\n\nThe recheck is not ok: 1 of 1 server not healthy: fix it \(the steps above\), then recheck again\.\n$/,
    );
    // What notify holds of this pool, as a run says it (issue 17's fourth trial: no line at all).
    expect(stdout).toContain('✓ notifications: 0 delivered (nothing due: 1 open episode already told');
    // The steps are the exact ones: recheck read the configuration (the server, its port, the gateway).
    expect(stdout).toMatch(
      /^ {4}- Reproduce the probe .*`curl -i --max-time \d+ .*http:\/\/10\.0\.0\.4:80\/`/m,
    );
    const report = JSON.parse((await recheck('--json')).stdout) as {
      servers: { cause: { steps: string[] } }[];
    };
    const steps = report.servers[0]?.cause.steps ?? [];
    expect(steps[0]).toMatch(/`curl -i --max-time \d+ .*http:\/\/10\.0\.0\.4:80\/`/);
    expect(steps.join('\n')).not.toMatch(/<(?:address|port|resource group|gateway|probe|host)>/);
    expect(events().map((e) => e.type)).toEqual(['degraded']);
    // The same steps as the degraded notice, but for its "confirm with a recheck" (issue 17's third
    // trial: a recheck of a server still bad printed less than its notice).
    const degraded = JSON.parse(receiver.requests[0]?.body ?? '{}') as { cause: { steps: string[] } };
    expect(degraded.cause.steps.at(-1)).toMatch(/^Once fixed, confirm it at once/);
    expect(steps).toEqual(degraded.cause.steps.slice(0, -1));
    // The episode is still open: fixed later, a recheck closes it.
    emulator.serve(scenario({ onDemand: 'healthy' }) as never);
    expect((await recheck()).code).toBe(0);
    expect(events().map((e) => e.type)).toEqual(['degraded', 'recovered']);
  });

  it.each([
    [
      'an unknown pool',
      ['--pool', 'pool-x', '--settings', 'settings-a'],
      '--pool: the gateway has no backend pool "pool-x" (its pools: "pool-a")',
    ],
    [
      'an unknown setting',
      ['--pool', 'pool-a', '--settings', 'nope'],
      '--settings: the gateway has no backend setting "nope" (the settings its rules pair with pool "pool-a": "settings-a"; every setting: "settings-a")',
    ],
  ])('%s: exit 2 naming the flag and listing the names, nothing probed', async (_n, args, message) => {
    const { code, stderr } = await runCli(['recheck', '--gateway', GW, ...args, '--config', configFile]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toContain('..');
    expect(onDemandPosts()).toHaveLength(0);
  });

  // A new-user trial: `[--settings NAME]` read as optional, and with one setting to choose it was refused.
  it('no --settings: the one setting the pool is paired with is probed', async () => {
    const before = onDemandPosts().length;
    const { stdout, stderr } = await runCli([
      'recheck',
      '--gateway',
      GW,
      '--pool',
      'pool-a',
      '--config',
      configFile,
    ]);
    expect(stderr).not.toContain('is missing');
    expect(onDemandPosts()).toHaveLength(before + 1);
    expect(stdout).toContain('settings-a');
  });

  it('a gateway ARM does not have: "No such gateway", naming --gateway, not the targets', async () => {
    const { code, stderr } = await recheckOn(gatewayId('gw-apix'));
    expect(code).toBe(2);
    expect(stderr).toContain(`No such gateway: ${gatewayId('gw-apix')} (ARM answered 404`);
    expect(stderr).toContain('in --gateway');
    expect(stderr).not.toContain('targets');
    expect(onDemandPosts()).toHaveLength(0);
  });

  it.each([
    ['a tab', 'set\ttab'],
    ['a shell substitution', 'set $(touch pwned1)'],
  ])(
    'a --settings name with %s: refused before ARM, in the words the HTTP endpoint uses',
    async (_n, name) => {
      const { code, stderr } = await runCli([
        'recheck',
        '--gateway',
        GW,
        '--pool',
        'pool-a',
        '--settings',
        name,
        '--config',
        configFile,
      ]);
      expect(code).toBe(2);
      expect(stderr).toContain(
        `--settings ${JSON.stringify(name)} is not a name a gateway can have: 1 to 80 characters`,
      );
      expect(emulator.requests).toHaveLength(0);
    },
  );

  it('--json on an error prints the JSON error object', async () => {
    const { code, stdout } = await runCli([
      'recheck',
      '--gateway',
      GW,
      '--pool',
      'pool-x',
      '--settings',
      'settings-a',
      '--config',
      configFile,
      '--json',
    ]);
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      error: { code: 'RecheckTargetInvalid', message: expect.stringContaining('no backend pool "pool-x"') },
    });
  });

  it('ARM 403 on the action: exit 2 naming the action and the custom role', async () => {
    emulator.serve(scenario({ faults: [{ on: 'onDemand', status: 403 }] }) as never);
    const { code, stderr } = await recheck();
    expect(code).toBe(2);
    expect(stderr).toContain('Microsoft.Network/applicationGateways/getBackendHealthOnDemand/action');
    expect(stderr).toContain('App Gateway Backend Health Reader');
    expect(stderr).not.toMatch(/unexpected error|\n\s+at /);
  });

  it('missing options: a usage error naming each', async () => {
    const { code, stderr } = await runCli(['recheck', '--settings', 'settings-a']);
    expect(code).toBe(2);
    expect(stderr).toContain('--gateway ARM-ID is required');
    expect(stderr).toContain('--pool NAME is required');
  });

  it('a gateway outside the targets: refused as over HTTP (NotWatched), naming the file\'s "targets"; nothing probed', async () => {
    const config = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
    await writeFile(
      configFile,
      JSON.stringify({ ...config, targets: [`/subscriptions/${SUB}/resourceGroups/rg-other`] }),
    );
    const { code, stderr } = await recheck();
    expect(code).toBe(2);
    expect(stderr).toContain(`${GW} is not among the gateways this app watches ("targets" in ${configFile})`);
    expect(onDemandPosts()).toHaveLength(0);
    expect(emulator.requests).toHaveLength(0);
  });

  it('no configuration: the "not set" hint names the verb that was run', async () => {
    const env = { PATH: process.env['PATH'] ?? '' };
    const { code, stderr } = await runCli(
      ['recheck', '--gateway', GW, '--pool', 'pool-a', '--settings', 'settings-a'],
      undefined,
      env,
    );
    expect(code).toBe(2);
    expect(stderr).toContain('`recheck --config FILE`');
    expect(stderr).not.toContain('`run --config FILE`');
    const run = await runCli(['run'], undefined, env);
    expect(run.stderr).toContain('`run --config FILE`');
  });
});
