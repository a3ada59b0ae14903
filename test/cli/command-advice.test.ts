/**
 * "The next run tries again" is a run's advice: another command says to run itself again
 * (src/cli/command-advice.ts). A break trial's `silence list` against a state account that failed
 * ended "the next run tries again", which does not fit a list.
 */
import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { adviceForCommand, errorsForCommand } from '../../src/cli/command-advice';
import { AZURITE_ACCOUNT, azuriteConnectionString } from '../helpers/azurite';
import { assertBuilt, runCli } from '../helpers/cli';
import { startCliNotifyRig, type CliNotifyRig } from '../helpers/cli-notify-rig';

describe('adviceForCommand', () => {
  const failing =
    'The notify state in blob s/x.json is unavailable: HTTP 503. The storage service is busy or failing; the next run tries again.';
  it.each([
    ['notify list', 'The storage service is busy or failing; run `appgw-insights notify list` again.'],
    ['silence add', 'The storage service is busy or failing; run `appgw-insights silence add` again.'],
    ['demo', 'The storage service is busy or failing; run `appgw-insights demo` again.'],
  ])('%s: says to run it again', (verb, ending) => {
    const said = adviceForCommand(failing, verb);
    expect(said.endsWith(ending)).toBe(true);
    expect(said).not.toContain('next run');
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
    expect(errorsForCommand(errors, 'notify resend')).toEqual([
      { ...errors[0], message: adviceForCommand(failing, 'notify resend') },
      { ...errors[1], message: 'Free some space; run `appgw-insights notify resend` again.' },
    ]);
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
    expect(listed.stderr).toContain(`run \`appgw-insights ${group} ${verb}\` again`);
    expect(listed.stderr).not.toContain('next run');
  });
});
