import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stoppedStateWriteText } from '../../src/cli/stopped-state-write';
import { AZURITE_ACCOUNT, azuriteConnectionString } from '../helpers/azurite';
import { assertBuilt, spawnCli } from '../helpers/cli';

beforeAll(assertBuilt);

describe('stoppedStateWriteText', () => {
  it.each([
    [
      'silence add',
      ['--config', 'my conf.json', '--id', 'mw', '--for', '1h'],
      "appgw-insights silence add: SIGINT: stopped before it finished: if its write was under way, the silence may have been stored; `appgw-insights silence list --config 'my conf.json'` shows whether\n",
    ],
    [
      'silence expire',
      ['mw'],
      'appgw-insights silence expire: SIGINT: stopped before it finished: if its write was under way, the silence may have been expired; `appgw-insights silence list --all` shows whether\n',
    ],
    [
      'notify resend',
      ['--config=c.json', '--all'],
      'appgw-insights notify resend: SIGINT: stopped before it finished: if its write was under way, the dead letters may have been re-queued; `appgw-insights notify list --config c.json` shows whether\n',
    ],
  ])('%s %j', (verb, args, text) => {
    expect(stoppedStateWriteText(verb, 'SIGINT', args)).toBe(text);
  });

  it('a verb that writes no notify state has none', () => {
    expect(stoppedStateWriteText('notify list', 'SIGINT', [])).toBeUndefined();
    expect(stoppedStateWriteText('run', 'SIGTERM', [])).toBeUndefined();
  });
});

// A break trial: Ctrl-C while `silence add` waited on a state write that never answered exited 130 with
// nothing said, and the silence had been stored.
describe('silence add stopped while its state does not answer', () => {
  let tmp: string;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-stopped-state-write-'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(tmp, { recursive: true, force: true });
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s: says the silence may have been stored and how to see, exit %s',
    async (signal, code) => {
      const { port } = server.address() as { port: number };
      const configFile = path.join(tmp, `config-${signal}.json`);
      await writeFile(
        configFile,
        JSON.stringify({
          targets: ['/subscriptions/00000000-0000-0000-0000-000000000000'],
          state: {
            blob: {
              connectionString: azuriteConnectionString(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`),
              container: 'appgw-state',
            },
          },
        }),
      );
      const connected = sockets.size;
      const { child, exited } = spawnCli([
        'silence',
        'add',
        '--config',
        configFile,
        '--id',
        'mw',
        '--gateway',
        'gw-*',
        '--for',
        '1h',
      ]);
      // Its first storage request is out (and never answered).
      while (sockets.size === connected) await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill(signal);
      const result = await exited;
      expect(result.code).toBe(code);
      expect(result.stderr).toBe(
        `appgw-insights silence add: ${signal}: stopped before it finished: if its write was under way, the silence may have been stored; \`appgw-insights silence list --config ${configFile}\` shows whether\n`,
      );
    },
    30_000,
  );
});
