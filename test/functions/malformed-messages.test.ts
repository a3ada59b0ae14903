import { InvocationContext } from '@azure/functions';
import { loadFunctionHandlers } from '../helpers/function-handlers';

/**
 * Messages no timer or alert writes, handed to the queue handlers with the library's real
 * InvocationContext: each is said once and let go, never thrown (a throw is retried 5 times, then the
 * poison handler meets the same message).
 */
describe('queue handlers: a malformed message is said, never thrown (break trial)', () => {
  const gatewayId =
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';
  const logged: string[] = [];
  const context = () =>
    new InvocationContext({ logHandler: (level, ...args) => logged.push(`${level}: ${args.join(' ')}`) });
  beforeEach(() => logged.splice(0));

  // 20 000 nested brackets: about 40 KB, within a queue message's 64 KiB. The log line that said the
  // message was malformed overflowed the stack writing it.
  const deep = JSON.parse(
    `{"version":1,"runId":"r","gatewayId":"${gatewayId}","trigger":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
  ) as unknown;

  it.each<[string, unknown, RegExp]>([
    ['nested 20 000 deep', deep, /\(a value nested too deep to show\)/],
    [
      'dated the year -271821',
      { version: 1, runId: 'r', gatewayId, discoveredAt: '-271821-04-20T00:00:00.000Z' },
      /"discoveredAt":"-271821-04-20/,
    ],
    // A run id is the app's own (an invocation id): one of 60 000 characters was taken, and would have
    // been copied into every state record that counts its run (ServerRecord.countedReading).
    ['with a run id of 257 characters', { version: 1, runId: 'r'.repeat(257), gatewayId }, /"runId":"rrr/],
    ['with an empty run id', { version: 1, runId: '', gatewayId }, /"runId":""/],
  ])('%s: the evaluate and poison handlers each log it once and return', async (_, message, shown) => {
    const { evaluateGateway, recordPoisonedGatewayMessage } = loadFunctionHandlers();
    await expect(evaluateGateway(message, context())).resolves.toBeUndefined();
    await expect(recordPoisonedGatewayMessage(message, context())).resolves.toBeUndefined();
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(/^error: ignored a malformed message/);
    expect(logged[1]).toMatch(/^error: ignored a malformed poison message/);
    for (const line of logged) expect(line).toMatch(shown);
  });
});
