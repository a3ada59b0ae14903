/**
 * scripts/bundle.js replaces a few modules in the deployed bundle (SUBSTITUTES), each one guarded. Each
 * substitute is tried alone: where its pattern is in the module graph it is substituted (the built code
 * runs and shows it), where it is not the guard fails naming it; and every way our code could use what a
 * substitute leaves out fails the guard, naming the substitute and the file. (test/functions/bundle.test.ts
 * builds the whole app with them.)
 */
import path from 'node:path';

interface Substitute {
  name: string;
}
interface Source {
  file: string;
  text: string;
}
const { SUBSTITUTES, substitutesPlugin, checkSubstitutes } = require('../../scripts/bundle.js') as {
  SUBSTITUTES: Substitute[];
  substitutesPlugin(applied: Set<string>): unknown;
  checkSubstitutes(seen: { applied: ReadonlySet<string>; sources: readonly Source[] }): void;
};
const esbuild = require('esbuild') as {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
};

const ROOT = path.resolve(__dirname, '../..');
const ARM = '@azure/arm-network client (applicationGateways only)';
const ZOD = 'zod locales (English only)';
const CRC = 'storage-common CRC64 (StorageCrc64 checksums unused)';
const BLOB = '@azure/storage-blob (block uploads: the CLI only)';
const PARTS = 'arm-network parts loader (the bundle has its own lean client)';
const ALL = new Set([ARM, ZOD, CRC, BLOB, PARTS]);
/** Where the misuses below are written, unless a row names the file. */
const EXAMPLE = 'src/adapters/example.ts';
const CRC64_MODULE = path.join(
  path.dirname(require.resolve('@azure/storage-common/package.json', { paths: [ROOT] })),
  'dist/esm/crc64.js',
);

/** An entry whose module graph holds each substitute's pattern (and nothing of the others'). */
const ENTRIES: Record<string, string> = {
  [ARM]: [
    "import { NetworkManagementClient } from '@azure/arm-network';",
    "const client = new NetworkManagementClient({ getToken: async () => null }, 'sub');",
    'export const operations = Object.keys(client.applicationGateways);',
    "export const others = ['virtualNetworks', 'expressRouteCircuits'].filter((g) => g in client);",
  ].join('\n'),
  [ZOD]: "import * as locales from 'zod/locales';\nexport const names = Object.keys(locales);",
  [CRC]: `import NativeCRC64 from ${JSON.stringify(CRC64_MODULE)};\nexport const crc = () => NativeCRC64();`,
  [BLOB]: [
    "import { BlobServiceClient } from '@azure/storage-blob';",
    "export const fromString = () => BlobServiceClient.fromConnectionString('UseDevelopmentStorage=true');",
    "export const fromUrl = () => new BlobServiceClient('https://a.blob.core.windows.net');",
  ].join('\n'),
  [PARTS]: [
    "import { loadArmNetworkParts } from './src/adapters/arm/arm-network-parts';",
    'export const parts = loadArmNetworkParts();',
  ].join('\n'),
};

/** Builds `entry` as scripts/bundle.js builds (ESM builds first), then loads it: its exports and what was substituted. */
async function buildWithSubstitutes(
  entry: string,
): Promise<{ exports: Record<string, unknown>; applied: Set<string> }> {
  const applied = new Set<string>();
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'entry.js', loader: 'js' },
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    conditions: ['import', 'module'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
    plugins: [substitutesPlugin(applied)],
  });
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', result.outputFiles[0]?.text ?? '')(
    module,
    module.exports,
    require,
  );
  return { exports: module.exports, applied };
}

const failure = (seen: { applied: ReadonlySet<string>; sources: readonly Source[] }): string => {
  try {
    checkSubstitutes(seen);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no failure';
};

describe('scripts/bundle.js substitutes', () => {
  it('lists the five substitutes these tests cover', () => {
    expect(SUBSTITUTES.map((s) => s.name).sort()).toEqual([...ALL].sort());
  });

  describe('where its pattern is in the module graph, each one substitutes', () => {
    it(`${ARM}: a client with the applicationGateways operations and no other group`, async () => {
      const { exports, applied } = await buildWithSubstitutes(ENTRIES[ARM] ?? '');
      expect(applied).toEqual(new Set([ARM]));
      expect(exports['operations']).toEqual(['list', 'listAll', 'get']);
      expect(exports['others']).toEqual([]);
    }, 60_000);

    it(`${ZOD}: zod/locales holds English alone`, async () => {
      const { exports, applied } = await buildWithSubstitutes(ENTRIES[ZOD] ?? '');
      expect(applied).toEqual(new Set([ZOD]));
      expect(exports['names']).toEqual(['en']);
    }, 60_000);

    it(`${CRC}: the CRC64 module refuses, saying why`, async () => {
      const { exports, applied } = await buildWithSubstitutes(ENTRIES[CRC] ?? '');
      expect(applied).toEqual(new Set([CRC]));
      await expect((exports['crc'] as () => Promise<unknown>)()).rejects.toThrow(
        'CRC64 is not bundled (scripts/bundle.js)',
      );
    }, 60_000);

    it(`${BLOB}: the SDK's client refuses, saying why`, async () => {
      const { exports, applied } = await buildWithSubstitutes(ENTRIES[BLOB] ?? '');
      expect(applied).toEqual(new Set([BLOB]));
      for (const make of ['fromString', 'fromUrl'])
        expect(exports[make] as () => unknown).toThrow(
          '@azure/storage-blob is not bundled (scripts/bundle.js): the Functions app sets blobBlocks: false',
        );
    }, 60_000);

    it(`${PARTS}: finds no parts, so the client is the bundle's own lean one`, async () => {
      const { exports, applied } = await buildWithSubstitutes(ENTRIES[PARTS] ?? '');
      expect(applied).toEqual(new Set([PARTS]));
      expect(exports).toHaveProperty('parts', undefined);
    }, 60_000);
  });

  it.each([ARM, ZOD, CRC, BLOB, PARTS])(
    'where its pattern is not, the guard fails naming it: %s',
    async (name) => {
      // The other substitutes' entries, so that only this one's pattern is missing from the graph.
      const entry = Object.entries(ENTRIES)
        .filter(([other]) => other !== name)
        .map(([, source], i) => source.replace(/\bexport const (\w+)/g, `export const $1_${i}`))
        .join('\n');
      const { applied } = await buildWithSubstitutes(entry);
      expect(applied).toEqual(new Set([...ALL].filter((n) => n !== name)));
      const message = failure({ applied, sources: [] });
      expect(message).toContain("The bundle's substitutes no longer fit the code");
      expect(message).toContain(`[${name}]`);
      expect(message).toContain('matched no module');
      for (const other of ALL) if (other !== name) expect(message).not.toContain(`[${other}]`);
    },
    60_000,
  );

  it('passes our code as it is used: the allowed imports and calls', () => {
    const sources = [
      {
        file: 'src/adapters/arm/client.ts',
        text: [
          "import { NetworkManagementClient, RestError, isRestError } from '@azure/arm-network';",
          "import type { ApplicationGateway, KnownApplicationGatewaySkuName } from '@azure/arm-network';",
          'client.applicationGateways.list(rg); client.applicationGateways.listAll();',
          'await client.pipeline.sendRequest(httpClient, request);',
        ].join('\n'),
      },
      { file: 'src/core/input/zod.ts', text: "import { en } from 'zod/locales';\nz.config(en());" },
      {
        file: 'src/adapters/storage/rest/storage-http.ts',
        text: "import { x } from '@azure/storage-common';",
      },
      {
        file: 'src/adapters/storage/blob-block-upload.ts',
        text: "return require('@azure/storage-blob');",
      },
      {
        file: 'src/app/function-services.ts',
        text: '// the bundle leaves @azure/storage-blob out\nbuildRunServices(config, env, { blobBlocks: false });',
      },
      {
        file: 'src/app/run-services.ts',
        text: 'buildSinks(config, env, { blobBlocks: options.blobBlocks ?? true });',
      },
      { file: 'src/app/other.ts', text: "createBlobSink({ connection, container: 'x', inBlocks: false });" },
      { file: 'src/app/tests-only.ts', text: "createBlobSink({ client, container: 'x' });" },
    ];
    expect(failure({ applied: ALL, sources })).toBe('no failure');
  });

  it.each([
    [
      ARM,
      "import { KnownApplicationGatewaySkuName } from '@azure/arm-network';\nKnownApplicationGatewaySkuName.Basic;",
      'uses KnownApplicationGatewaySkuName from @azure/arm-network',
      EXAMPLE,
    ],
    [
      ARM,
      "import { restorePoller } from '@azure/arm-network';\nrestorePoller(client, state);",
      'uses restorePoller from @azure/arm-network',
      EXAMPLE,
    ],
    [
      ARM,
      'await client.applicationGateways.getBackendHealthOnDemand(rg, name, probe);',
      'calls applicationGateways.getBackendHealthOnDemand: add it to APPLICATION_GATEWAY_OPERATIONS',
      EXAMPLE,
    ],
    [
      ARM,
      'for await (const n of client.virtualNetworks.listAll()) {}',
      'uses client.virtualNetworks',
      EXAMPLE,
    ],
    [ZOD, "import { de } from 'zod/locales';\nz.config(de());", 'configures zod locales', EXAMPLE],
    [ZOD, "import * as locales from 'zod/v4/locales';", 'configures zod locales', EXAMPLE],
    [
      CRC,
      "upload(data, { checksumAlgorithm: 'StorageCrc64' });",
      'may ask storage for CRC64 checksums',
      EXAMPLE,
    ],
    [CRC, 'const algorithm = ChecksumAlgorithm.Auto;', 'may ask storage for CRC64 checksums', EXAMPLE],
    [
      BLOB,
      "import { BlobServiceClient } from '@azure/storage-blob';",
      'may upload through @azure/storage-blob',
      EXAMPLE,
    ],
    [BLOB, "const sdk = require('@azure/storage-blob');", 'may upload through @azure/storage-blob', EXAMPLE],
    [
      BLOB,
      "const sdk = await import('@azure/storage-blob');",
      'may upload through @azure/storage-blob',
      EXAMPLE,
    ],
    [
      BLOB,
      'buildRunServices(config, env, folderAdvice({ env }));',
      'may upload through @azure/storage-blob',
      'src/app/function-services.ts',
    ],
    [
      BLOB,
      '// blobBlocks: false\nbuildRunServices(config, env, folderAdvice({ env }));',
      'may upload through @azure/storage-blob',
      'src/app/function-services.ts',
    ],
    [
      BLOB,
      'const sinks = buildSinks(config, env);',
      'may upload through @azure/storage-blob',
      'functions/other.ts',
    ],
    [
      BLOB,
      "createBlobSink({ connection, container: 'insights' });",
      'may upload through @azure/storage-blob',
      EXAMPLE,
    ],
  ])('fails when our code uses what a substitute leaves out: %s, %#', (name, text, problem, file) => {
    const message = failure({ applied: ALL, sources: [{ file, text }] });
    expect(message).toContain(`[${name}] ${file} ${problem}`);
    for (const other of ALL) if (other !== name) expect(message).not.toContain(`[${other}]`);
  });
});
