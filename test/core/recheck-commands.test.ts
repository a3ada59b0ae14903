import fc from 'fast-check';
import { gatewayRef } from '../../src/core/arm-id';
import {
  FUNCTION_HOST_VARIABLE,
  FUNCTION_KEY_VARIABLE,
  recheckCommands,
  type RecheckTarget,
} from '../../src/core/recheck-commands';
import { shellArgv } from '../helpers/shell-argv';

const SUB = '00000000-0000-0000-0000-000000000001';
const target = (
  resourceGroup: string,
  name: string,
  backendPool: string,
  backendSettings: string,
): RecheckTarget => ({
  gateway: gatewayRef(SUB, resourceGroup, name),
  backendPool,
  backendSettings,
});
const ENV = { FUNCTION_APP_HOST: 'func-appgw.azurewebsites.net', FUNCTION_KEY: 'k3y' };

describe('recheckCommands: the commands that confirm a fix', () => {
  it.each([FUNCTION_HOST_VARIABLE, FUNCTION_KEY_VARIABLE])(
    'the curl is refused by the shell while %s is unset or empty, naming it (nothing sent without it)',
    (name) => {
      const { http } = recheckCommands(target('rg-shop', 'appgw-shop', 'pool-web', 'settings-https'));
      for (const env of [
        { ...ENV, [name]: '' },
        Object.fromEntries(Object.entries(ENV).filter(([k]) => k !== name)),
      ])
        expect(() => shellArgv(http, env)).toThrow(new RegExp(`${name}: set ${name} to `));
    },
  );

  it.each([
    ['plain names', target('rg-shop', 'appgw-shop', 'pool-web', 'settings-https')],
    ['names with spaces and quotes', target('rg (prod)', 'appgw.shop', "pool 'web'", 'settings "a"')],
    ['shell syntax in names', target('rg-$(id)', 'appgw_shop', '`whoami`; rm -rf ~', '$HOME *')],
    ['a line break and a bidi override', target('rg', 'gw', 'pool\nnext', 'set\u202Etings')],
    ['non-ASCII names', target('rg-çà', 'gw-ü', 'pool-日本', 'réglages')],
  ])('%s: bash reads the CLI line as exactly the gateway id, pool and setting', (_, t) => {
    const { cli } = recheckCommands(t);
    expect(cli).not.toMatch(/[\n\r\u202E]/);
    expect(shellArgv(cli.replace(/^appgw-insights /, 'x '))).toEqual([
      'recheck',
      '--gateway',
      t.gateway.id,
      '--pool',
      t.backendPool,
      '--settings',
      t.backendSettings,
    ]);
  });

  it.each([
    ['plain names', target('rg-shop', 'appgw-shop', 'pool-web', 'settings-https')],
    ['names with spaces and quotes', target('rg (prod)', 'appgw.shop', "pool 'web'", 'settings "a"')],
    ['shell syntax in names', target('rg-$(id)', 'appgw_shop', '`whoami`; rm -rf ~', '$HOME *')],
    ['non-ASCII names', target('rg-çà', 'gw-ü', 'pool-日本', 'réglages')],
  ])('%s: the curl posts {pool, settings} to the function route, the key from its variable', (_, t) => {
    const args = shellArgv(recheckCommands(t).http, ENV);
    const url = new URL(args[args.indexOf('POST') + 1] ?? '');
    expect(url.host).toBe(ENV.FUNCTION_APP_HOST);
    expect(url.pathname.split('/').map(decodeURIComponent)).toEqual([
      '',
      'api',
      'gateways',
      SUB,
      t.gateway.resourceGroup,
      t.gateway.name,
      'recheck',
    ]);
    expect(args).toContain(`x-functions-key: ${ENV.FUNCTION_KEY}`);
    expect(JSON.parse(args[args.indexOf('--data') + 1] ?? '')).toEqual({
      pool: t.backendPool,
      settings: t.backendSettings,
    });
  });

  it('never carries a key: the command names the variable, not a value', () => {
    const { http } = recheckCommands(target('rg', 'gw', 'p', 's'));
    expect(http).toContain('${FUNCTION_KEY:?');
    expect(http).toContain('${FUNCTION_APP_HOST:?');
  });

  it('property: any pool and setting names reach bash as themselves, on one line', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.string({ minLength: 1, maxLength: 30 }),
        (pool, settings) => {
          fc.pre(!pool.includes('\0') && !settings.includes('\0')); // no argv can carry NUL
          const t = target('rg', 'gw', pool, settings);
          const { cli, http } = recheckCommands(t);
          expect(`${cli}${http}`).not.toMatch(/[\n\r]/);
          const args = shellArgv(cli.replace(/^appgw-insights /, 'x '));
          expect([args[4], args[6]]).toEqual([pool, settings]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
