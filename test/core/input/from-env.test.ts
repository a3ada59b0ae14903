import { resolveWebhookConfig } from '../../../src/adapters/webhooks/resolve-config';
import { buildSinks } from '../../../src/app/build-adapters';
import { parseConfig } from '../../../src/config/load';
import { fromEnvSchema, resolveFromEnv } from '../../../src/core/input/from-env';
import { configIssues } from '../../helpers/failures';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';

describe('{ "fromEnv": NAME }: one rule', () => {
  it.each([
    [{ X: 'value' }, { value: 'value' }],
    [{ X: '  value \n' }, { value: 'value' }],
    [{}, { problem: 'environment variable / app setting "X" is not set (or empty)' }],
    [{ X: '' }, { problem: 'environment variable / app setting "X" is not set (or empty)' }],
    [{ X: ' \t' }, { problem: 'environment variable / app setting "X" is not set (or empty)' }],
  ])('%j → %j', (env, expected) => {
    expect(resolveFromEnv({ fromEnv: 'X' }, env)).toEqual(expected);
  });

  it.each(['OPS_HOOK', '_x', 'a1'])('names a variable: %s', (name) => {
    expect(fromEnvSchema.safeParse({ fromEnv: name }).success).toBe(true);
  });
  it.each(['1X', 'A-B', 'A B', '', 'A.B'])('refuses what is not a variable name: %j', (name) => {
    expect(fromEnvSchema.safeParse({ fromEnv: name }).success).toBe(false);
  });

  // The webhook URL and the storage connection string resolve their references the same way.
  it.each([{}, { HOLDS_IT: '   ' }])('missing or blank (%j): both say so in the same words', (env) => {
    const webhook = configIssues(() =>
      resolveWebhookConfig({ name: 'ops', format: 'json', url: { fromEnv: 'HOLDS_IT' } }, env),
    );
    const config = parseConfig({
      targets: [GW],
      sinks: { blob: { connectionString: { fromEnv: 'HOLDS_IT' }, container: 'insights' } },
    });
    const storage = configIssues(() => buildSinks(config, env));
    const problem = 'environment variable / app setting "HOLDS_IT" is not set (or empty)';
    expect(webhook).toEqual([`webhook.url: ${problem}`]);
    expect(storage).toEqual([`sinks.blob.connectionString: ${problem}`]);
  });

  it('a set variable is used, trimmed, by both', () => {
    const env = { HOOK: ' https://hooks.example.com/x ', CONN: ' UseDevelopmentStorage=true ' };
    expect(resolveWebhookConfig({ name: 'ops', format: 'json', url: { fromEnv: 'HOOK' } }, env).url).toBe(
      'https://hooks.example.com/x',
    );
    const config = parseConfig({
      targets: [GW],
      sinks: { blob: { connectionString: { fromEnv: 'CONN' }, container: 'insights' } },
    });
    expect(buildSinks(config, env).map((s) => s.name)).toEqual(['blob[insights]']);
  });
});
