/**
 * "The next run tries again" is a run's advice: another command says to run itself again
 * (src/cli/command-advice.ts). A break trial's `silence list` against a state account that failed
 * ended "the next run tries again", which does not fit a list.
 */
import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { adviceForCommand, configSourceOfArgs, errorsForCommand } from '../../src/cli/command-advice';
import { AZURITE_ACCOUNT, azuriteConnectionString } from '../helpers/azurite';
import { assertBuilt, runCli } from '../helpers/cli';
import { startCliNotifyRig, type CliNotifyRig } from '../helpers/cli-notify-rig';

describe('adviceForCommand', () => {
  const failing =
    'The notify state in blob s/x.json is unavailable: HTTP 503. The storage service is busy or failing; the next run tries again.';
  it.each([
    [
      'notify list',
      undefined,
      'The storage service is busy or failing; run `appgw-insights notify list --config FILE` again.',
    ],
    [
      'notify resend',
      'environment',
      'The storage service is busy or failing; run `appgw-insights notify resend` again.',
    ],
    [
      'silence expire',
      { file: 'my config.json' },
      "The storage service is busy or failing; run `appgw-insights silence expire --config 'my config.json'` again.",
    ],
    ['demo', 'environment', 'The storage service is busy or failing; run `appgw-insights demo` again.'],
  ] as const)('%s (config %j): says to run it again', (verb, source, ending) => {
    const said = adviceForCommand(failing, verb, source);
    expect(said.endsWith(ending)).toBe(true);
    expect(said).not.toMatch(/next run/i);
  });

  // A break trial: `silence add` whose write got no answer had stored the silence; run again, it was
  // refused ("choose another --id"), which would have made a second silence.
  it('silence add: says to look at silence list first, then to run it again', () => {
    expect(adviceForCommand(failing, 'silence add', { file: 'c.json' })).toMatch(
      /The storage service is busy or failing; see whether `appgw-insights silence list --config c\.json` lists the silence \(a write without an answer may have stored it\); if not, run the same `appgw-insights silence add --config c\.json` again\.$/,
    );
  });

  it('a sentence that begins with it keeps its capital', () => {
    expect(
      adviceForCommand(
        'The next run tries again; if it persists, please report it.',
        'notify list',
        'environment',
      ),
    ).toBe('Run `appgw-insights notify list` again; if it persists, please report it.');
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
    expect(errorsForCommand(errors, 'notify resend', 'environment')).toEqual([
      { ...errors[0], message: adviceForCommand(failing, 'notify resend', 'environment') },
      { ...errors[1], message: 'Free some space; run `appgw-insights notify resend` again.' },
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
  it('silence add: exit 2, the error says to look at silence list, then to add it again', async () => {
    const added = await runCli(
      ['silence', 'add', '--config', rig.configFile, '--id', 'mw', '--gateway', 'gw', '--for', '1h'],
      rig.tmp,
    );
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(/HTTP 503/);
    expect(added.stderr).toContain(
      `see whether \`appgw-insights silence list --config ${rig.configFile}\` lists the silence`,
    );
    expect(added.stderr).not.toContain('next run');
  });
  // A break trial: with the state unreadable, `notify resend --all` said "no dead letter matched" while
  // `notify list` listed 12 of them once it could read the state.
  it('notify resend --all: the state unreadable is not "no dead letter matched"', async () => {
    const resent = await runCli(['notify', 'resend', '--config', rig.configFile, '--all'], rig.tmp);
    expect(resent.code).toBe(2);
    expect(resent.stderr).toContain('nothing re-sent: the notify state could not be read');
    expect(resent.stderr).not.toContain('no dead letter matched');
    const json = await runCli(['notify', 'resend', '--config', rig.configFile, '--all', '--json'], rig.tmp);
    expect(json.code).toBe(2);
    const codes = (JSON.parse(json.stdout) as { errors: { code: string }[] }).errors.map((e) => e.code);
    expect(codes).not.toContain('NoDeadLetterMatched');
    expect(codes).toContain('StateUnavailable');
  });
});
