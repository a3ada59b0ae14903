import { execFileSync } from 'node:child_process';
import { BlobServiceClient } from '@azure/storage-blob';
import { connectBlobService, describeStorageFailure } from '../../../src/adapters/storage/blob-client';
import { isLeaseRefusal, leaseBreakCommand, leasedBlobOf } from '../../../src/adapters/storage/blob-lease';
import type { BlobService } from '../../../src/adapters/storage/rest/blob-service';
import { startAzurite, type Azurite } from '../../helpers/azurite';

describe('isLeaseRefusal', () => {
  test.each([
    [412, 'LeaseIdMissing', true],
    [409, 'LeaseAlreadyPresent', true],
    [412, 'LeaseNotPresentWithBlobOperation', true],
    [412, 'ConditionNotMet', false],
    [409, 'BlobAlreadyExists', false],
    [403, 'LeaseIdMissing', false],
    [412, undefined, false],
  ] as const)('%s %s: %s', (statusCode, code, refusal) => {
    expect(isLeaseRefusal({ statusCode, code })).toBe(refusal);
  });
});

describe('leaseBreakCommand', () => {
  test.each([
    [
      "an account's own endpoint",
      'https://acct1.blob.core.windows.net/insights',
      'runs/r1/gateways/gw.json',
      'az storage blob lease break --account-name acct1 --container-name insights --blob-name runs/r1/gateways/gw.json',
    ],
    [
      "a sovereign cloud's endpoint",
      'https://acct2.blob.core.chinacloudapi.cn/appgw-state',
      'notify/state.json',
      'az storage blob lease break --account-name acct2 --container-name appgw-state --blob-name notify/state.json',
    ],
    [
      "Azurite's path-style endpoint",
      'http://127.0.0.1:10000/devstoreaccount1/appgw-state',
      's.json',
      'az storage blob lease break --blob-endpoint http://127.0.0.1:10000/devstoreaccount1 --container-name appgw-state --blob-name s.json',
    ],
    [
      'a custom domain',
      'https://files.example.com/insights',
      'latest/report.json',
      'az storage blob lease break --blob-endpoint https://files.example.com --container-name insights --blob-name latest/report.json',
    ],
    [
      "the static website's container, as its URL spells it",
      'https://acct1.blob.core.windows.net/%24web',
      'index.html',
      "az storage blob lease break --account-name acct1 --container-name '$web' --blob-name index.html",
    ],
    [
      "a blob name a shell would split or expand (the gateway's name is ARM's)",
      'https://acct1.blob.core.windows.net/insights',
      "latest/insights/it's $(x) here.md",
      "az storage blob lease break --account-name acct1 --container-name insights --blob-name 'latest/insights/it'\\''s $(x) here.md'",
    ],
    [
      'a blob name that starts with a dash (a prefix may): given as --blob-name=…, never read as an option',
      'https://acct1.blob.core.windows.net/insights',
      '-x/latest/report.json',
      'az storage blob lease break --account-name acct1 --container-name insights --blob-name=-x/latest/report.json',
    ],
  ])('%s', (_what, containerUrl, blobName, command) => {
    expect(leaseBreakCommand({ containerUrl, blobName })).toBe(command);
  });

  test('the command is one shell word per value: bash reads the blob name back whole', () => {
    const blobName = "latest/insights/it's $(x) `y` here.md";
    const command = leaseBreakCommand({ containerUrl: 'https://acct1.blob.core.windows.net/c', blobName });
    // The command's words as bash splits them (printf one per line), without running `az`.
    const words = execFileSync('bash', ['-c', `printf '%s\\n' ${command.replace(/^az /, '')}`], {
      encoding: 'utf8',
    });
    expect(words.split('\n').slice(-2, -1)).toEqual([blobName]);
  });
});

/** Against Azurite: the blob of a write refused for another holder's lease is named, with its command. */
describe('a write or delete refused for a lease names its blob', () => {
  let azurite: Azurite;
  let client: BlobService;
  let sdk: BlobServiceClient;
  beforeAll(async () => {
    azurite = await startAzurite();
    client = connectBlobService({ connectionString: azurite.connectionString });
    sdk = BlobServiceClient.fromConnectionString(azurite.connectionString);
  }, 60_000);
  afterAll(() => azurite?.stop());

  test.each([
    ['a Put Blob', (c: ReturnType<BlobService['container']>, b: string) => c.upload(b, Buffer.from('2'))],
    ['a Delete Blob', (c: ReturnType<BlobService['container']>, b: string) => c.deleteBlob(b)],
  ])('%s', async (_what, write) => {
    const container = client.container(`leased-${Math.random().toString(36).slice(2, 10)}`);
    await container.createIfNotExists();
    const blobName = 'runs/r1/gateways/gw one.json';
    await container.upload(blobName, Buffer.from('1'));
    await sdk
      .getContainerClient(container.name)
      .getBlobClient(blobName)
      .getBlobLeaseClient()
      .acquireLease(-1);
    const error = await write(container, blobName).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(leasedBlobOf(error)).toEqual({ containerUrl: container.url, blobName });
    expect(describeStorageFailure(error).detail).toBe(
      `HTTP 412 LeaseIdMissing (another holder has a lease on ${blobName}: release it, or break it with ` +
        `\`az storage blob lease break --blob-endpoint ${new URL(container.url).origin}/devstoreaccount1 ` +
        `--container-name ${container.name} --blob-name 'runs/r1/gateways/gw one.json'\`)`,
    );
    // Any other failure is not noted: a read of a blob that is not there.
    const missing = await container.download('none').catch((e: unknown) => e);
    expect(leasedBlobOf(missing)).toBeUndefined();
  });
});
