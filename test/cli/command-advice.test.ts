/**
 * "The next run tries again" is a run's advice: another command says to run itself again
 * (src/cli/command-advice.ts). A break trial's `silence list` against a state account that failed
 * ended "the next run tries again", which does not fit a list.
 */
import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import {
  adviceForCommand,
  writeMayHaveLanded,
  configSourceOfArgs,
  errorsForCommand,
} from '../../src/cli/command-advice';
import { AZURITE_ACCOUNT, azuriteConnectionString } from '../helpers/azurite';
import { assertBuilt, runCli } from '../helpers/cli';
import { startCliNotifyRig, type CliNotifyRig } from '../helpers/cli-notify-rig';

describe('adviceForCommand', () => {
  const failing =
    'The notify state in blob s/x.json is unavailable: HTTP 503. The storage service is busy or failing; the next run tries again.';
  // A break trial: "run `appgw-insights notify resend --config F` again", pasted, was a usage error: the
  // command said again is the one typed, its arguments with it.
  it.each([
    [
      'notify list',
      undefined,
      'The storage service is busy or failing; run `appgw-insights notify list` again.',
    ],
    [
      'notify resend',
      ['--config', 'c.json', '--all'],
      'The storage service is busy or failing; run `appgw-insights notify resend --config c.json --all` again.',
    ],
    [
      'silence expire',
      ['--config', 'my config.json', 'mw-1'],
      "The storage service is busy or failing; run `appgw-insights silence expire --config 'my config.json' mw-1` again.",
    ],
    ['demo', [], 'The storage service is busy or failing; run `appgw-insights demo` again.'],
  ] as const)('%s %j: says to run it again as typed', (verb, args, ending) => {
    const said = adviceForCommand(failing, verb, args);
    expect(said.endsWith(ending)).toBe(true);
    expect(said).not.toMatch(/next run/i);
  });

  // A break trial: `silence add` whose write got no answer had stored the silence; run again, it was
  // refused ("choose another --id"), which would have made a second silence.
  it('silence add whose write got no answer: says to look at silence list first, then to run it again', () => {
    const noAnswer =
      'The silences in blob s.json are unavailable: cannot write it: no answer in time (the request was aborted). Check it; the next run tries again.';
    expect(
      adviceForCommand(noAnswer, 'silence add', ['--config', 'c.json', '--id', 'mw', '--for', '1h']),
    ).toMatch(
      /Check it; see whether `appgw-insights silence list --config c\.json` lists the silence \(a write without an answer may have stored it\); if not, run `appgw-insights silence add --config c\.json --id mw --for 1h` again\.$/,
    );
    // A refused read wrote nothing: run it again.
    expect(adviceForCommand(failing, 'silence add', ['--id', 'mw'])).toMatch(
      /failing; run `appgw-insights silence add --id mw` again\.$/,
    );
  });

  // A break trial: a read that timed out was told the silence might be stored; only a write that was
  // sent and got no answer may have landed.
  it.each([
    [
      'a write that timed out',
      'cannot write it: no answer in time (the request was aborted). Check that the storage account of x is reachable; the next run tries again.',
      true,
    ],
    [
      "a write a stopped command's cut ended",
      'cannot write it: no answer in the 5000 ms a stopped run gives a storage request: cut short so that the run can end. Check it; the next run tries again.',
      true,
    ],
    [
      'a write whose connection was reset after it was sent',
      'cannot write it: RestError: socket hang up. Check that the storage account of x is reachable; the next run tries again.',
      true,
    ],
    [
      'a write reset as ECONNRESET',
      'cannot write it: Error: read ECONNRESET. Check that the storage account of x is reachable; the next run tries again.',
      true,
    ],
    [
      'a write answered 500 OperationTimedOut on every try (Azure: it may or may not have been done)',
      'cannot write it: HTTP 500 OperationTimedOut. The storage service is busy or failing; the next run tries again.',
      true,
    ],
    [
      'a write whose connection was refused',
      'cannot write it: Error: connect ECONNREFUSED 127.0.0.1:1. Check that the storage account of x is reachable; the next run tries again.',
      false,
    ],
    [
      'a read that timed out',
      'cannot read it: no answer in time (the request was aborted). Check that the storage account of x is reachable; the next run tries again.',
      false,
    ],
    [
      'a write not sent (its container left alone after another request got no answer)',
      'cannot write it: not sent: another request to http://x/c got no answer in time a moment before, so it is left alone 30 s before it is tried again. Check it; the next run tries again.',
      false,
    ],
    [
      'the container not made for it',
      'cannot create the container c for it: no answer in time (the request was aborted). Check it; the next run tries again.',
      false,
    ],
  ])(
    'silence add, %s: looks at silence list first only after a write that was sent',
    (_what, detail, look) => {
      const said = adviceForCommand(
        `The silences in blob c/s.json are unavailable: ${detail}`,
        'silence add',
        ['--id', 'mw'],
      );
      expect(said.includes('lists the silence')).toBe(look);
      expect(said).toMatch(/run `appgw-insights silence add --id mw` again\.$/);
    },
  );

  // A second break trial: notify resend whose write landed without a clear answer said "nothing
  // re-sent … run it again", and run again it said no dead letter matched.
  it('notify resend whose write may have landed: says to look at notify list first, then to run it again', () => {
    const said = adviceForCommand(
      'The notify state in blob s/gw.json is unavailable: cannot write it: HTTP 500 OperationTimedOut. The storage service is busy or failing; the next run tries again.',
      'notify resend',
      ['--config', 'c.json', '--all'],
    );
    expect(said).toMatch(
      /failing; see whether `appgw-insights notify list --config c\.json` shows the letters waiting \(re-queued\) rather than as dead letters \(a write without an answer may have stored it\); if not, run `appgw-insights notify resend --config c\.json --all` again\.$/,
    );
    expect(writeMayHaveLanded('cannot read it: no answer in time')).toBe(false);
  });

  it.each([
    [
      'The next run tries again; if it persists, please report it.',
      'Run `appgw-insights notify list` again; if it persists, please report it.',
    ],
    ['No token: it is tried again on the next run.', 'No token: run `appgw-insights notify list` again.'],
    ['It is tried again on the next run.', 'Run `appgw-insights notify list` again.'],
  ])('%s: said as the command, a capital kept', (message, said) => {
    expect(adviceForCommand(message, 'notify list', [])).toBe(said);
  });

  it('run: unchanged, as is a message without the phrase', () => {
    expect(adviceForCommand(failing, 'run')).toBe(failing);
    expect(adviceForCommand('Check state.dir.', 'notify list')).toBe('Check state.dir.');
  });

  it('errorsForCommand: every message, the other fields kept', () => {
    const errors = [
      { code: 'StateUnavailable', message: failing, retryable: true, document: 'blob s/x.json' },
      { code: 'StateUnavailable', message: 'Free some space; the next run tries again.', retryable: true },
    ];
    expect(errorsForCommand(errors, 'notify resend', ['--all'])).toEqual([
      { ...errors[0], message: adviceForCommand(failing, 'notify resend', ['--all']) },
      { ...errors[1], message: 'Free some space; run `appgw-insights notify resend --all` again.' },
    ]);
  });

  it.each([
    [['--config', 'a.json', '--json'], { file: 'a.json' }],
    [['--json', '--config=b c.json'], { file: 'b c.json' }],
    [['--json'], 'environment'],
    [['--', '--config', 'x'], 'environment'],
  ] as const)('configSourceOfArgs(%j) is %j', (args, source) => {
    expect(configSourceOfArgs(args)).toEqual(source);
  });
});

describe('the CLI: a state account that keeps failing', () => {
  beforeAll(assertBuilt);
  let rig: CliNotifyRig;
  let storage: Server;
  beforeEach(async () => {
    rig = await startCliNotifyRig('appgw-cli-advice-', '/ops');
    // Every request answered 503 with Retry-After 0: the storage client's retries go at once, then fail.
    storage = createServer((_, response) => response.writeHead(503, { 'retry-after': '0' }).end());
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    const { port } = storage.address() as { port: number };
    const config = JSON.parse(await readFile(rig.configFile, 'utf8')) as Record<string, unknown>;
    config.state = {
      blob: {
        connectionString: azuriteConnectionString(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`),
        container: 'appgw-state',
      },
    };
    await writeFile(rig.configFile, JSON.stringify(config));
  });
  afterEach(async () => {
    storage.closeAllConnections();
    await new Promise<void>((resolve) => storage.close(() => resolve()));
    await rig.close();
  });

  it.each([
    ['notify', 'list'],
    ['silence', 'list'],
  ])('%s %s: exit 2, the error says to run it again, not "the next run"', async (group, verb) => {
    const listed = await runCli([group, verb, '--config', rig.configFile], rig.tmp);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toMatch(/HTTP 503/);
    expect(listed.stderr).toContain(
      `run \`appgw-insights ${group} ${verb} --config ${rig.configFile}\` again`,
    );
    expect(listed.stderr).not.toContain('next run');
  });
  it('silence add: exit 2, the error says to run the same command again, pasted as is', async () => {
    const args = ['--config', rig.configFile, '--id', 'mw', '--gateway', 'gw', '--for', '1h'];
    const added = await runCli(['silence', 'add', ...args], rig.tmp);
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(/cannot read it: HTTP 503/);
    // Its read failed: nothing was written, so no "see whether silence list lists it".
    expect(added.stderr).toContain(`run \`appgw-insights silence add ${args.join(' ')}\` again`);
    expect(added.stderr).not.toContain('next run');
  });

  // A break trial: with the state unreadable, `notify resend --all` said "no dead letter matched" while
  // `notify list` listed 12 of them once it could read the state.
  it('notify resend --all: the state unreadable is not "no dead letter matched"', async () => {
    const resent = await runCli(['notify', 'resend', '--config', rig.configFile, '--all'], rig.tmp);
    expect(resent.code).toBe(2);
    expect(resent.stderr).toContain('nothing re-sent: the notify state could not be read or written');
    expect(resent.stderr).not.toContain('no dead letter matched');
    const json = await runCli(['notify', 'resend', '--config', rig.configFile, '--all', '--json'], rig.tmp);
    expect(json.code).toBe(2);
    const codes = (JSON.parse(json.stdout) as { errors: { code: string }[] }).errors.map((e) => e.code);
    expect(codes).not.toContain('NoDeadLetterMatched');
    expect(codes).toContain('StateUnavailable');
  });
});
