import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertBuilt, runCli } from '../helpers/cli';
import { startCliNotifyRig, type CliNotifyRig } from '../helpers/cli-notify-rig';
import type { WebhookReceiver } from '../helpers/webhook-receiver';

beforeAll(assertBuilt);

/** `silence add|list|expire` with the built CLI, and a run honouring what they stored (state in a temp folder). */
describe('appgw-insights silence', () => {
  let rig: CliNotifyRig;
  let receiver: WebhookReceiver;
  let tmp: string;
  let configFile: string;
  beforeEach(async () => {
    rig = await startCliNotifyRig('appgw-cli-silence-', '/ops');
    ({ receiver, tmp, configFile } = rig);
  });
  afterEach(() => rig.close());
  const cli = (...args: string[]) => runCli(args, tmp);
  const types = () => receiver.requests.map((r) => (JSON.parse(r.body) as { type: string }).type);

  it('add holds the degraded back (recorded in report.json); expire lets it out on the next run, once', async () => {
    const added = await cli(
      'silence',
      'add',
      '--config',
      configFile,
      '--id',
      'mw-1',
      '--gateway',
      'g*',
      '--for',
      '2h',
      '--comment',
      'patching',
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/added silence mw-1: .* gateway=g\* # patching/);

    const listed = await cli('silence', 'list', '--config', configFile, '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      silences: [{ id: 'mw-1', state: 'active', source: 'stored' }],
      errors: [],
    });

    expect((await cli('run', '--config', configFile)).code).toBe(0);
    expect(types()).toEqual([]);
    const report = JSON.parse(await readFile(path.join(tmp, 'out', 'report.json'), 'utf8'));
    expect(report.notifications.silenced).toEqual([
      expect.objectContaining({ type: 'degraded', outcome: 'held', silenceIds: ['mw-1'] }),
    ]);

    const expired = await cli('silence', 'expire', '--config', configFile, 'mw-1');
    expect(expired.code).toBe(0);
    expect(expired.stdout).toMatch(/expired silence mw-1 at /);
    expect((await cli('silence', 'list', '--config', configFile)).stdout).toBe('no silences\n');
    expect((await cli('silence', 'list', '--config', configFile, '--all')).stdout).toMatch(
      /^mw-1 {2}expired {2}stored/,
    );

    expect((await cli('run', '--config', configFile)).code).toBe(0);
    expect((await cli('run', '--config', configFile)).code).toBe(0);
    expect(types()).toEqual(['degraded']);
  });

  it.each<[string, string[], RegExp]>([
    ['no matcher', ['--id', 'x', '--for', '1h'], /matchers: must hold at least one matcher/],
    ['no end', ['--id', 'x', '--gateway', 'gw'], /say when it ends/],
    ['a bad cause', ['--id', 'x', '--cause', 'nope', '--for', '1h'], /matchers\.cause: must be one of/],
    [
      'a bad zone',
      [
        '--id',
        'x',
        '--gateway',
        'gw',
        '--weekly',
        'sat',
        '--from',
        '22:00',
        '--to',
        '02:00',
        '--time-zone',
        'Nowhere/Else',
      ],
      /timeZone: must be an IANA time zone/,
    ],
    ['a bad tag', ['--id', 'x', '--tag', 'env', '--for', '1h'], /--tag "env": give NAME=VALUE/],
  ])('add refuses %s: exit 2, nothing stored', async (_, args, message) => {
    const { code, stderr } = await cli('silence', 'add', '--config', configFile, ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect((await cli('silence', 'list', '--config', configFile, '--all')).stdout).toBe('no silences\n');
  });

  it('a weekly window is stored as given; an id in use is refused; expire of an unknown id fails', async () => {
    const args = [
      'silence',
      'add',
      '--config',
      configFile,
      '--id',
      'weekend',
      '--tag',
      'env=prod',
      '--weekly',
      'sat,sun',
      '--from',
      '22:00',
      '--to',
      '06:00',
      '--time-zone',
      'Europe/Berlin',
    ];
    expect((await cli(...args)).code).toBe(0);
    const again = await cli(...args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/a silence "weekend" exists/);
    const stored = JSON.parse(await readFile(path.join(tmp, 'state', 'silences.json'), 'utf8'));
    expect(stored.silences[0]).toMatchObject({
      weekly: { days: ['sat', 'sun'], from: '22:00', to: '06:00', timeZone: 'Europe/Berlin' },
      matchers: { tags: { env: 'prod' } },
    });
    const unknown = await cli('silence', 'expire', '--config', configFile, 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no stored silence "nope"/);
  });

  it('an unreadable silence store fails open: the run sends, and reports the document', async () => {
    await mkdir(path.join(tmp, 'state'), { recursive: true });
    await writeFile(path.join(tmp, 'state', 'silences.json'), '{"version": 1, "silences": [{"id": 1}]}');
    const run = await cli('run', '--config', configFile);
    expect(types()).toEqual(['degraded']);
    expect(run.code).toBe(2);
    const report = JSON.parse(await readFile(path.join(tmp, 'out', 'report.json'), 'utf8'));
    expect(report.notifications.stateErrors).toEqual([
      expect.objectContaining({
        document: expect.stringMatching(/silences\.json$/),
        message: expect.stringMatching(/Stored silences are not applied this run/),
      }),
    ]);
    expect((await cli('silence', 'list', '--config', configFile)).code).toBe(2);
  });
});
