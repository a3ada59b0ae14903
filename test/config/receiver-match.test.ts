import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { configFromAppSettings } from '../../src/config/app-settings';
import { loadConfigFile } from '../../src/config/load';

/**
 * A receiver's `match` (routing, src/core/notice/receiver-rules.ts) as the config file and the app
 * settings (`APPGW_WEBHOOKS`) give it: what is read, and every mistake named with its receiver and
 * key, all at once.
 */
const GW =
  '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';
const receiver = (match: unknown, name = 'pager') => ({
  name,
  url: 'https://example.com/hook',
  format: 'json',
  match,
});

async function fileProblems(webhooks: unknown[]): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-match-'));
  try {
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ targets: [GW], sinks: { webhooks } }));
    return await loadConfigFile(file, {}).then(
      () => [],
      (error: { issues?: string[] }) => error.issues ?? [String(error)],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function settingsProblems(webhooks: unknown[]): string[] {
  try {
    configFromAppSettings({ APPGW_TARGETS: GW, APPGW_WEBHOOKS: JSON.stringify(webhooks) });
    return [];
  } catch (error) {
    return (error as { issues?: string[] }).issues ?? [String(error)];
  }
}

describe('sinks.webhooks[].match: refused with the receiver and the key named', () => {
  it.each<[string, unknown, RegExp]>([
    [
      'an unknown matcher key, with the one meant',
      [{ causeId: 'tcp-connect' }],
      /sinks\.webhooks\[0\]\.match\[0\] \(receiver "pager"\): unknown matcher "causeId" \(did you mean "cause"\?\)/,
    ],
    [
      'a misspelt key',
      [{ gatway: 'agw-*' }],
      /match\[0\] \(receiver "pager"\): unknown matcher "gatway" \(did you mean "gateway"\?\)/,
    ],
    [
      'an unknown key under not',
      [{ not: { sev: 'warning' } }],
      /match\[0\]\.not \(receiver "pager"\): unknown matcher "sev"/,
    ],
    [
      'a severity that is none',
      [{ severity: 'high' }],
      /match\[0\]\.severity \(receiver "pager"\): must be one of critical, warning/,
    ],
    ['a severity in the wrong case', [{ severity: 'Critical' }], /match\[0\]\.severity \(receiver "pager"\)/],
    [
      'a negated severity that is none',
      [{ not: { severity: 'error' } }],
      /match\[0\]\.not\.severity \(receiver "pager"\)/,
    ],
    [
      'a regular expression for a glob',
      [{ gateway: 'prod-.+' }],
      /match\[0\]\.gateway \(receiver "pager"\): is not a name glob/,
    ],
    [
      'a character class',
      [{ backendPool: 'web[12]' }],
      /match\[0\]\.backendPool \(receiver "pager"\): is not a name glob/,
    ],
    [
      'a brace list',
      [{ resourceGroup: 'rg-{a,b}' }],
      /match\[0\]\.resourceGroup \(receiver "pager"\): is not a name glob/,
    ],
    [
      'an anchored pattern',
      [{ gateway: '^agw$' }],
      /match\[0\]\.gateway \(receiver "pager"\): is not a name glob/,
    ],
    [
      'a glob under not',
      [{ not: { gateway: 'a|b' } }],
      /match\[0\]\.not\.gateway \(receiver "pager"\): is not a name glob/,
    ],
    [
      'an unknown cause id',
      [{ cause: 'timeout' }],
      /match\[0\]\.cause \(receiver "pager"\): must be a cause id, one of /,
    ],
    [
      'an empty tag matcher',
      [{ tags: {} }],
      /match\[0\]\.tags \(receiver "pager"\): must name at least one tag/,
    ],
    [
      'an empty negated tag matcher',
      [{ severity: 'critical', not: { tags: {} } }],
      /match\[0\]\.not\.tags \(receiver "pager"\): must name at least one tag/,
    ],
    [
      'an empty rule (it would take everything)',
      [{}],
      /match\[0\] \(receiver "pager"\): must hold at least one matcher/,
    ],
    [
      'an empty not',
      [{ severity: 'critical', not: {} }],
      /match\[0\]\.not \(receiver "pager"\): must hold at least one matcher/,
    ],
    [
      'an empty list (it would take nothing)',
      [],
      /match \(receiver "pager"\): must list at least one rule; leave "match" out/,
    ],
    [
      'a rule that is no object',
      ['critical'],
      /match\[0\] \(receiver "pager"\): must be an object of matchers/,
    ],
    [
      'a match that is no list',
      { severity: 'critical' },
      /match \(receiver "pager"\): must be a list of rules/,
    ],
  ])('%s', async (_label, match, expected) => {
    const fromFile = await fileProblems([receiver(match)]);
    expect(fromFile).toEqual([expect.stringMatching(expected)]);
    const fromSettings = settingsProblems([receiver(match)]);
    // The setting's name stands for the key it holds (one line format, issue 15).
    const asSetting = new RegExp(expected.source.replace(/^(\^?)sinks\\\.webhooks/, '$1APPGW_WEBHOOKS'));
    expect(fromSettings).toEqual([expect.stringMatching(asSetting)]);
  });

  it('every problem of every receiver at once, each naming its receiver', async () => {
    const problems = await fileProblems([
      receiver([{ severity: 'critical' }], 'ok'),
      receiver([{ causeId: 'x' }, { severity: 'major' }], 'pager'),
      receiver([{ gateway: 'prod-.+' }], 'chat'),
    ]);
    expect(problems).toEqual([
      expect.stringMatching(
        /^sinks\.webhooks\[1\]\.match\[0\] \(receiver "pager"\): unknown matcher "causeId"/,
      ),
      expect.stringMatching(/^sinks\.webhooks\[1\]\.match\[1\]\.severity \(receiver "pager"\)/),
      expect.stringMatching(/^sinks\.webhooks\[2\]\.match\[0\]\.gateway \(receiver "chat"\)/),
    ]);
  });

  it('said once (not by the schema and again by the receiver check), and the URL is never quoted', async () => {
    const problems = await fileProblems([
      { ...receiver([{ severity: 'urgent' }]), url: 'http://secret-token@example.com/x' },
    ]);
    // The match problem once, and the URL's own problem beside it (all of an entry's problems at once).
    expect(problems).toEqual([
      expect.stringMatching(/^sinks\.webhooks\[0\]\.match\[0\]\.severity \(receiver "pager"\)/),
      expect.stringMatching(/^sinks\.webhooks\[0\]\.url: must not contain user:password@ credentials/),
    ]);
    expect(problems.join('\n')).not.toContain('secret-token');
  });
});

describe('sinks.webhooks[].match: what is read', () => {
  it.each<[string, unknown]>([
    ['severity', [{ severity: 'critical' }]],
    [
      'globs and cause',
      [{ gateway: 'agw-prod-*', backendPool: 'pool-?', resourceGroup: 'rg-(web)', cause: 'tcp-connect' }],
    ],
    ['subscription', [{ subscription: '11111111-1111-1111-1111-111111111111' }]],
    ['not alone', [{ not: { gateway: 'agw-test-*' } }]],
    ['any of two rules', [{ severity: 'critical' }, { cause: 'cert-expired', not: { severity: 'warning' } }]],
  ])('%s, from the file and from APPGW_WEBHOOKS', async (_label, match) => {
    expect(await fileProblems([receiver(match)])).toEqual([]);
    const config = configFromAppSettings({
      APPGW_TARGETS: GW,
      APPGW_WEBHOOKS: JSON.stringify([receiver(match)]),
    });
    expect(config.sinks.webhooks[0]).toMatchObject({ match });
  });

  it('no match: the receiver takes every notice (match stays absent)', () => {
    const config = configFromAppSettings({
      APPGW_TARGETS: GW,
      APPGW_WEBHOOKS: JSON.stringify([{ name: 'ops', url: 'https://example.com/h', format: 'json' }]),
    });
    expect(config.sinks.webhooks[0]).not.toHaveProperty('match');
  });
});

describe("the README's routing example", () => {
  it('is a configuration the app reads, as the README says it routes', async () => {
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const block = /#### Routing[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-readme-routing-'));
    try {
      const file = path.join(dir, 'config.json');
      await writeFile(file, `{ "targets": ["${GW}"], "sinks": { ${block as string} } }`);
      const config = await loadConfigFile(file, {
        PD_KEY: 'R01234567890abcdefABCDEF98765432',
        TEAM_HOOK: 'https://example.com/hook',
      });
      expect(config.sinks.webhooks.map((w) => [w.name, w.match])).toEqual([
        ['pager', [{ severity: 'critical', gateway: 'agw-prod-*' }]],
        ['team', [{ gateway: 'agw-prod-*', not: { backendPool: 'batch-*' } }, { cause: 'cert-expired' }]],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
