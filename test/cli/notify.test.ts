import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertBuilt, runCli, spawnCli } from '../helpers/cli';
import { startCliNotifyRig, type CliNotifyRig } from '../helpers/cli-notify-rig';
import { SUB, gateway } from '../helpers/scenario-builder';
import type { WebhookReceiver } from '../helpers/webhook-receiver';

beforeAll(assertBuilt);

/** The built CLI as a user runs it, against an emulator and a loopback receiver in this process. */
describe('appgw-insights run / notify: undelivered notices and broken state, as the user sees them', () => {
  let rig: CliNotifyRig;
  let receiver: WebhookReceiver;
  let tmp: string;
  let configFile: string;
  beforeEach(async () => {
    rig = await startCliNotifyRig('appgw-cli-notify-', '/hooks/ops-token-1234567');
    ({ receiver, tmp, configFile } = rig);
  });
  afterEach(() => rig.close());
  const report = async () => JSON.parse(await readFile(path.join(tmp, 'out', 'report.json'), 'utf8'));
  /** Waits (polling every 20 ms, at most 20 s) until `done` says so. */
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 20_000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('waited 20 s in vain');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('a receiver answering 503: exit 2, the notice in the summary, on stderr and in report.json (not ok)', async () => {
    receiver.setDefault({ status: 503, body: 'down for maintenance' });
    const { code, stdout, stderr } = await runCli(['run', '--config', configFile]);
    expect(code).toBe(2);
    const line =
      /webhook\[ops\]: 1 notice waiting, sent on the next run: .*HTTP 503 Service Unavailable: down for maintenance/;
    expect(stdout).toMatch(/✗ notifications: 0 delivered, 1 not delivered/);
    expect(stdout).toMatch(line);
    expect(stderr).toMatch(new RegExp(`warning: ${line.source}`));
    expect(await report()).toMatchObject({ ok: false, notifications: { pending: { 'webhook[ops]': 1 } } });
    expect(`${stdout}${stderr}${JSON.stringify(await report())}`).not.toContain('ops-token-1234567');
  });

  it('an unreadable state document of a gateway outside the targets: exit 2, named on stderr, report.json written', async () => {
    const away = path.join(tmp, 'state', SUB, 'rg-elsewhere', 'gw-away.json');
    await mkdir(away, { recursive: true }); // a folder where the document should be
    const { code, stderr } = await runCli(['run', '--config', configFile]);
    expect(stderr).not.toMatch(/unexpected error|a bug|\n\s+at /);
    expect(code).toBe(2);
    expect(stderr).toContain(`error: The notify state in state file ${away} is unavailable: cannot read it`);
    expect(await report()).toMatchObject({
      ok: false,
      notifications: { stateErrors: [expect.objectContaining({ code: 'StateUnavailable' })] },
    });
    expect(receiver.requests).toHaveLength(1); // the gateway in the targets was notified
  });

  it.each<[string, 'clean' | 'dead letter']>([
    ['every readable one is clean', 'clean'],
    ['a readable one holds a dead letter', 'dead letter'],
  ])(
    'notify list with an unreadable state document (%s): never "No undelivered notices.", it names what is not known; exit 2',
    async (_label, readable) => {
      if (readable === 'dead letter') receiver.script({ status: 400, body: 'unknown field' });
      await runCli(['run', '--config', configFile]);
      const away = path.join(tmp, 'state', SUB, 'rg-elsewhere', 'gw-away.json');
      await mkdir(away, { recursive: true }); // a folder where the document should be
      const list = await runCli(['notify', 'list', '--config', configFile]);
      expect(list.code).toBe(2);
      expect(list.stdout).not.toMatch(/^No undelivered notices\./m);
      expect(list.stdout).toContain(
        `1 notify state document could not be read, so its undelivered notices are not known: state file ${away} (the error says why).`,
      );
      if (readable === 'clean')
        expect(list.stdout).toMatch(
          /^No undelivered notices in the 1 notify state document that could be read\.$/m,
        );
      else expect(list.stdout).toMatch(/^dead-letter +webhook\[ops\] .*HTTP 400 Bad Request: unknown field/m);
      expect(list.stderr).toContain(
        `error: The notify state in state file ${away} is unavailable: cannot read it`,
      );

      const json = JSON.parse((await runCli(['notify', 'list', '--config', configFile, '--json'])).stdout);
      expect(json).toMatchObject({
        read: 1,
        listed: true,
        errors: [expect.objectContaining({ code: 'StateUnavailable', document: `state file ${away}` })],
      });
    },
  );

  it('notify list when the state folder cannot be listed: says the notices are not known, exit 2', async () => {
    // A name longer than the file system takes (ENAMETOOLONG): a folder that passes the load-time
    // check (a file or a link loop there is refused when the config is loaded:
    // test/config/folder-problem.test.ts) but cannot be listed.
    const name = 'n'.repeat(300);
    await rig.writeConfig({}, { state: { dir: name } });
    const state = path.join(tmp, name);
    const list = await runCli(['notify', 'list', '--config', configFile]);
    expect(list.code).toBe(2);
    expect(list.stdout).not.toMatch(/No undelivered notices/);
    expect(list.stdout).toContain(
      `The notify state could not be listed (state folder ${state}): its undelivered notices are not known (the error says why).`,
    );
  });

  // A break trial: a subscription's folder copied inside the state folder made `notify list` say its
  // documents "could not be read" and exit 2, and `run` print one warning per copied document.
  it('a copy of a subscription’s folder in the state folder: one warning naming it, exit as without it', async () => {
    receiver.setDefault({ status: 503, body: 'down' });
    expect((await runCli(['run', '--config', configFile])).code).toBe(2);
    const state = path.join(tmp, 'state');
    await cp(path.join(state, SUB), path.join(state, 'backup-2026-12-01'), { recursive: true });
    const list = await runCli(['notify', 'list', '--config', configFile]);
    expect(list.stderr).toMatch(
      /^warning: .*backup-2026-12-01.* holds the state of gateway .*: not used \(a copy made in the state folder\? move it out of there\)$/m,
    );
    expect(list.stdout).not.toMatch(/could not be read/);
    expect(list.code).toBe(0);
    receiver.setDefault({ status: 202, body: '' });
    const before = receiver.requests.length;
    const run = await runCli(['run', '--config', configFile]);
    expect(run.code).toBe(0);
    expect(run.stderr.match(/holds the state of gateway/g)).toHaveLength(1);
    // Its waiting notice went once, from the gateway's own document.
    expect(receiver.requests.length - before).toBe(1);
  });

  it('notify list with notify settings it cannot read: says so on stderr, lists the notices, exit 0', async () => {
    await rig.writeConfig({}, { notify: { groupInterval: 'bogus' } });
    const list = await runCli(['notify', 'list', '--config', configFile]);
    expect(list.stderr).toMatch(
      /^warning: the configuration's receivers or notify settings could not be read \(.*groupInterval.*\): a notice held for its group's next message is listed as not sent yet$/m,
    );
    expect(list.code).toBe(0);
  });

  it('notify list shows a dead letter; notify resend re-queues it and the next run sends it, same id', async () => {
    receiver.script({ status: 400, body: 'unknown field' });
    const run = await runCli(['run', '--config', configFile]);
    expect(run.code).toBe(2);
    // The summary's re-send command is pasteable: it names the --config the run was given.
    expect(run.stdout).toContain(
      `(re-send: appgw-insights notify resend --config ${configFile} --receiver ops)`,
    );
    // So is the run's warning on stderr (it said --config FILE: issue 16's trial).
    expect(run.stderr).toContain(
      `(re-send: appgw-insights notify resend --config ${configFile} --receiver ops)`,
    );
    const refusedId = receiver.requests[0]?.headers['webhook-id'];

    const list = await runCli(['notify', 'list', '--config', configFile]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(
        `^dead-letter +webhook\\[ops\\]  ${refusedId}  degraded  \\(critical\\)  gw/pool-a/settings-a/10\\.0\\.0\\.4 .*HTTP 400 Bad Request: unknown field`,
        'm',
      ),
    );
    // The command that sends it again, as `run` gives it (a new-user trial: the list named none).
    expect(list.stdout).toMatch(/^re-send: appgw-insights notify resend --config \S+ --receiver ops$/m);
    const nothing = await runCli(['notify', 'resend', '--config', configFile, '--notice', 'appgw-nope']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(
      /no dead letter matched; `appgw-insights notify list --config .*` shows them/,
    );
    expect(nothing.stderr).not.toMatch(/configured receiver/);
    // A mistyped receiver: the configured ones are named, and --json carries the same error.
    const typo = await runCli(['notify', 'resend', '--config', configFile, '--receiver', 'opps']);
    expect([typo.code, typo.stderr]).toEqual([
      2,
      expect.stringMatching(
        /no dead letter matched \("opps" is no configured receiver: sinks\.webhooks has "ops"\)/,
      ),
    ]);
    const typoJson = await runCli([
      'notify',
      'resend',
      '--config',
      configFile,
      '--receiver',
      'opps',
      '--json',
    ]);
    expect(typoJson.code).toBe(2);
    expect(JSON.parse(typoJson.stdout).errors).toEqual([
      expect.objectContaining({
        code: 'NoDeadLetterMatched',
        message: expect.stringContaining('"opps" is no configured receiver'),
      }),
    ]);
    expect(nothing.stderr).toContain(`\`appgw-insights notify list --config ${configFile}\` shows them`);
    expect((await runCli(['notify', 'resend', '--config', configFile])).stderr).toMatch(
      /say which dead letters/,
    );

    const resend = await runCli(['notify', 'resend', '--config', configFile, '--receiver', 'ops']);
    expect(resend.code).toBe(0);
    expect(resend.stdout).toMatch(/1 dead letter re-queued: the next run sends it/);
    const again = await runCli(['run', '--config', configFile]);
    expect(again.code).toBe(0);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([refusedId, refusedId]);
    expect((await runCli(['notify', 'list', '--config', configFile])).stdout).toMatch(
      /^No undelivered notices\./,
    );
  });

  // A trial: the run after one that sent its notices and stopped before recording so sent them again
  // (same ids, at least once) and said "1 delivered", with no word that the receiver likely had them.
  it('a run killed after its send reached the receiver: once its lease has run out, the next run sends the notice again (same id) and says the receiver has perhaps had it', async () => {
    receiver.script({ hang: true });
    const dying = spawnCli(['run', '--config', configFile]);
    await until(() => receiver.requests.length === 1);
    dying.child.kill('SIGKILL');
    await dying.exited;
    // Its claim is on disk with its lease (about two send budgets); it is over, as if that time had passed.
    const files = (await readdir(path.join(tmp, 'state'), { recursive: true })).filter((f) =>
      f.endsWith('.json'),
    );
    let leased = 0;
    for (const f of files) {
      const file = path.join(tmp, 'state', f);
      const doc = JSON.parse(await readFile(file, 'utf8')) as {
        outbox?: Record<string, Array<{ lease?: { until: string } }>>;
      };
      for (const q of Object.values(doc.outbox ?? {}).flat())
        if (q.lease) {
          q.lease.until = new Date(Date.now() - 1_000).toISOString();
          leased++;
        }
      if (doc.outbox) await writeFile(file, JSON.stringify(doc));
    }
    expect(leased).toBe(1);

    const again = await runCli(['run', '--config', configFile]);
    expect(again.code).toBe(0);
    const ids = receiver.requests.map((r) => r.headers['webhook-id']);
    expect(ids).toEqual([ids[0], ids[0]]);
    expect(again.stdout).toContain(
      "✓ notifications: 1 delivered (1 perhaps received before, same ids: an earlier send may have reached the receiver without our knowing: it got no answer or a gateway's 502/504, or its run stopped before recording it)",
    );
    expect((await report()).notifications.deliveries).toEqual([
      expect.objectContaining({ outcome: 'delivered', mayHaveReachedBefore: true }),
    ]);
    // Told once: the next run sends nothing, and its summary has no such clause.
    const third = await runCli(['run', '--config', configFile]);
    expect(receiver.requests).toHaveLength(2);
    expect(third.stdout).not.toContain('perhaps received before');
  });
});

describe('appgw-insights notify resend --gateway', () => {
  it('refuses what is not a gateway id before reading anything, naming the argument and the shape of an id', async () => {
    const bad = '/subscriptions/s/resourceGroups/rg';
    const resend = await runCli(['notify', 'resend', '--config', 'no-such-config.json', '--gateway', bad]);
    const message = `--gateway: "${bad}" is not an application gateway id (/subscriptions/<subscription>/resourceGroups/<rg>/providers/Microsoft.Network/applicationGateways/<name>)`;
    expect(resend.stderr).toContain(message);
    expect(resend.stderr).not.toContain('no-such-config.json');
    expect(resend.code).not.toBe(0);
  });
});

describe('appgw-insights notify resend: a dead letter of an episode that has ended', () => {
  let rig: CliNotifyRig;
  afterEach(() => rig.close());
  const down = (healthProbeLog: string) => ({
    gateways: [gateway('gw', [{ address: '10.0.0.4', health: 'Unhealthy', healthProbeLog }])],
  });

  it('is not re-sent (a degraded for a server that recovered would open an alert that is over): removed, said so in text and --json, exit 0', async () => {
    rig = await startCliNotifyRig('appgw-cli-resend-ended-', '/hooks/ops', down('TCP connect error'));
    const { receiver, configFile, emulator } = rig;
    expect((await runCli(['run', '--config', configFile])).code).toBe(0); // degraded accepted
    // The cause changes: a second degraded, refused for good (a dead letter of a told episode).
    emulator.serve(down('DNS resolution error') as never);
    receiver.script({ status: 400, body: 'unknown field' });
    expect((await runCli(['run', '--config', configFile])).code).toBe(2);
    const refusedId = receiver.requests[1]?.headers['webhook-id'];
    // The server recovers: the receiver, told, gets its recovered; the letter stays until resend.
    emulator.serve({
      gateways: [
        gateway('gw', [
          { address: '10.0.0.4', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
        ]),
      ],
    } as never);
    await runCli(['run', '--config', configFile]);
    expect(receiver.requests).toHaveLength(3);

    const json = await runCli(['notify', 'resend', '--config', configFile, '--receiver', 'ops', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      requeued: [],
      notResent: [
        {
          receiver: 'webhook[ops]',
          letter: { notice: { id: refusedId, type: 'degraded' } },
          reason: expect.stringMatching(/^not re-sent, and removed: its episode has ended/),
        },
      ],
      errors: [],
    });
    // Removed: nothing left to re-send, and no run sends it.
    const again = await runCli(['notify', 'resend', '--config', configFile, '--receiver', 'ops']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/no dead letter matched/);
    expect((await runCli(['notify', 'list', '--config', configFile])).stdout).toMatch(
      /^No undelivered notices\./,
    );
    await runCli(['run', '--config', configFile]);
    expect(receiver.requests).toHaveLength(3);
  });

  it('the text names each letter not re-sent, with why', async () => {
    rig = await startCliNotifyRig('appgw-cli-resend-ended-', '/hooks/ops', down('TCP connect error'));
    const { receiver, configFile, emulator } = rig;
    await runCli(['run', '--config', configFile]);
    emulator.serve(down('DNS resolution error') as never);
    receiver.script({ status: 400, body: 'unknown field' });
    await runCli(['run', '--config', configFile]);
    const refusedId = receiver.requests[1]?.headers['webhook-id'];
    emulator.serve({
      gateways: [
        gateway('gw', [
          { address: '10.0.0.4', health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
        ]),
      ],
    } as never);
    await runCli(['run', '--config', configFile]);
    const text = await runCli(['notify', 'resend', '--config', configFile, '--all']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `not re-sent webhook[ops]  ${refusedId}  degraded: not re-sent, and removed: its episode has ended`,
    );
    expect(text.stdout).toMatch(
      /\(was: Delivery to webhook\[ops\] failed: HTTP 400 Bad Request: unknown field.*\)\n/,
    );
    expect(text.stdout).toMatch(/^1 dead letter not re-sent and removed \(why: above\)\.$/m);
    expect(text.stdout).not.toMatch(/re-queued/);
  });
});
