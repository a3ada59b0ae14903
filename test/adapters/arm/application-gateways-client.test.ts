/**
 * A subscription's ARM client made of @azure/arm-network's modular parts
 * (src/adapters/arm/application-gateways-client.ts): the classic client's pipeline and
 * applicationGateways, without loading the package's ~170 operation groups. Its calls against the
 * emulator are every ARM test's (the factory makes it: client.ts).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { NetworkManagementClient } from '@azure/arm-network';
import { createApplicationGatewaysClient } from '../../../src/adapters/arm/application-gateways-client';
import { loadArmNetworkParts } from '../../../src/adapters/arm/arm-network-parts';

const credential = {
  getToken: async () => ({ token: 'token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};
const options = { endpoint: 'https://127.0.0.1:1' };
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

/** The names of an object's methods, its own and its prototype's, sorted. */
const methods = (o: object) =>
  [...Object.keys(o), ...Object.getOwnPropertyNames(Object.getPrototypeOf(o))]
    .filter((k) => k !== 'constructor')
    .sort();

describe('createApplicationGatewaysClient', () => {
  it('the installed package has the parts (else every run would load the whole package: more memory, the same calls)', () => {
    expect(loadArmNetworkParts()).toEqual({
      createNetworkManagement: expect.any(Function),
      applicationGatewaysOf: expect.any(Function),
    });
  });

  it("has the classic client's applicationGateways, method for method, and a pipeline of the same policies", () => {
    const lean = createApplicationGatewaysClient(credential, SUBSCRIPTION, options);
    const classic = new NetworkManagementClient(credential, SUBSCRIPTION, options);
    expect(methods(lean.applicationGateways)).toEqual(methods(classic.applicationGateways));
    const names = (c: { pipeline: { getOrderedPolicies(): { name: string }[] } }) =>
      c.pipeline.getOrderedPolicies().map((p) => p.name);
    expect(names(lean)).toEqual(names(classic));
  });

  it('where the parts are not found (another layout of the package), makes the classic client', () => {
    jest.isolateModules(() => {
      jest.doMock('../../../src/adapters/arm/arm-network-parts', () => ({
        loadArmNetworkParts: () => undefined,
      }));
      const { createApplicationGatewaysClient: make } = jest.requireActual<
        typeof import('../../../src/adapters/arm/application-gateways-client')
      >('../../../src/adapters/arm/application-gateways-client');
      const client = make(credential, SUBSCRIPTION, options);
      expect(Object.keys(client).sort()).toEqual(['applicationGateways', 'pipeline']);
      expect(methods(client.applicationGateways)).toEqual(
        methods(new NetworkManagementClient(credential, SUBSCRIPTION, options).applicationGateways),
      );
    });
    jest.dontMock('../../../src/adapters/arm/arm-network-parts');
  });

  // The package's root loads its ~170 operation groups: 13.6 MiB of heap and 42 MiB of RSS, where the
  // parts take 6.5 and 28 (measured 2026-12-05); a run of 20 000 gateways peaked about 10 MiB lower.
  it("loads neither the package's root nor its other operation groups (a process of its own)", () => {
    const module = path.resolve(__dirname, '../../../src/adapters/arm/application-gateways-client.ts');
    const script = `
      const fs = require('node:fs');
      const swc = require(${JSON.stringify(require.resolve('@swc/core'))});
      require.extensions['.ts'] = (module, filename) => module._compile(swc.transformSync(fs.readFileSync(filename, 'utf8'),
        { filename, module: { type: 'commonjs' }, jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }).code, filename);
      const { createApplicationGatewaysClient } = require(${JSON.stringify(module)});
      const client = createApplicationGatewaysClient(
        { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3600000 }) },
        ${JSON.stringify(SUBSCRIPTION)}, { endpoint: 'https://127.0.0.1:1' });
      const files = Object.keys(require.cache).filter((f) => f.includes('@azure/arm-network/dist/'))
        .map((f) => f.slice(f.indexOf('/dist/') + 1));
      process.stdout.write(JSON.stringify({
        lists: typeof client.applicationGateways.list,
        root: files.includes('dist/commonjs/index.js') || files.includes('dist/commonjs/networkManagementClient.js'),
        groups: [...new Set(files.flatMap((f) => /\\/(?:api|classic)\\/(\\w+)\\//.exec(f)?.[1] ?? []))],
      }));`;
    const output = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(output)).toEqual({ lists: 'function', root: false, groups: ['applicationGateways'] });
  });
});
