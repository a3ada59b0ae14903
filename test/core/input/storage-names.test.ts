import { blobConnectionFromAppSettings } from '../../../src/adapters/storage/blob-client';
import { queueConnectionFromAppSettings } from '../../../src/adapters/queue/storage-queue';
import { createBlobSink } from '../../../src/adapters/sinks/blob-sink';
import { configFromAppSettings } from '../../../src/config/app-settings';
import { readQueueName } from '../../../src/config/functions-settings';
import { parseConfig } from '../../../src/config/load';
import {
  accountNameProblem,
  clientIdProblem,
  serviceUriProblem,
  storageNameProblem,
} from '../../../src/core/input/storage-names';
import { configIssues } from '../../helpers/failures';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';
const CLIENT_ID = '0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

describe('Azure Storage names: one rule each', () => {
  it.each([
    ['abc', true],
    ['devstoreaccount1', true],
    ['a'.repeat(24), true],
    ['ab', false],
    ['a'.repeat(25), false],
    ['Upper', false],
    ['with-hyphen', false],
    ['with_underscore', false],
  ])('account name %j → %s', (name, ok) => {
    expect(accountNameProblem(name) === undefined).toBe(ok);
  });

  it.each([
    ['abc', true],
    ['a-b-c', true],
    ['insights', true],
    ['a'.repeat(63), true],
    ['ab', false],
    ['a'.repeat(64), false],
    ['a--b', false],
    ['-ab', false],
    ['ab-', false],
    ['Bad_Name', false],
    ['Insights', false],
  ])('container or queue name %j → %s', (name, ok) => {
    expect(storageNameProblem(name) === undefined).toBe(ok);
  });

  it('leaves room for a suffix: 56 characters for a queue that has a "-poison" twin', () => {
    expect(storageNameProblem('a'.repeat(56), 56)).toBeUndefined();
    expect(storageNameProblem('a'.repeat(57), 56)).toBe(
      'must be 3-56 lower-case letters, digits and single hyphens',
    );
  });

  it.each([
    [CLIENT_ID, true],
    [CLIENT_ID.toUpperCase(), true],
    ['my-identity', false],
    [`${CLIENT_ID}x`, false],
  ])('client id %j → %s', (id, ok) => {
    expect(clientIdProblem(id) === undefined).toBe(ok);
  });

  it.each([
    ['https://acct.blob.core.windows.net', undefined],
    ['http://127.0.0.1:10000/devstoreaccount1', undefined],
    ['acct.blob.core.windows.net', 'must be an absolute URL such as https://<account>.blob.core.windows.net'],
    [
      'https://acct.blob.core.windows.net/?sv=2024&sig=secret',
      'must be the bare service URL, without a query string (SAS) or user info',
    ],
    [
      'https://user:pw@acct.blob.core.windows.net',
      'must be the bare service URL, without a query string (SAS) or user info',
    ],
    ['http://acct.blob.core.windows.net', 'must use https (http only for a loopback emulator)'],
    ['ftp://acct.blob.core.windows.net', 'must use https (http only for a loopback emulator)'],
  ])('service URL %j → %j', (url, problem) => {
    expect(serviceUriProblem(url)).toBe(problem);
  });
});

/**
 * A storage connection is given in a config file (`sinks.blob`, `state.blob`) or as Functions app settings
 * (`<connection>__accountName` …): both refuse the same values when the configuration is read, in the same
 * words (a config file once took any account name, client id or URL, and failed only when first used).
 */
describe('a storage connection: the config file and the app settings refuse the same values', () => {
  it.each([
    ['accountName', 'Bad_Account', 'must be a storage account name: 3-24 lower-case letters and digits'],
    ['accountName', 'ab', 'must be a storage account name: 3-24 lower-case letters and digits'],
    [
      'blobServiceUri',
      'https://acct.blob.core.windows.net/?sig=secret',
      'must be the bare service URL, without a query string (SAS) or user info',
    ],
    [
      'blobServiceUri',
      'http://acct.blob.core.windows.net',
      'must use https (http only for a loopback emulator)',
    ],
    [
      'blobServiceUri',
      'not a url',
      'must be an absolute URL such as https://<account>.blob.core.windows.net',
    ],
  ])('%s %j', (key, value, problem) => {
    const fromFile = configIssues(() =>
      parseConfig({
        targets: [GW],
        sinks: { blob: { [key]: value } },
        state: { blob: { [key]: value } },
      }),
    );
    expect(fromFile).toEqual([`sinks.blob.${key}: ${problem}`, `state.blob.${key}: ${problem}`]);
    const fromSettings = configIssues(() =>
      configFromAppSettings({
        APPGW_TARGETS: GW,
        APPGW_BLOB_CONTAINER: 'insights',
        [`AzureWebJobsStorage__${key}`]: value,
      }),
    );
    expect(fromSettings).toEqual([`AzureWebJobsStorage__${key}: ${problem}`]);
    expect(configIssues(() => blobConnectionFromAppSettings('S', { [`S__${key}`]: value }))).toEqual([
      `S__${key}: ${problem}`,
    ]);
  });

  it('a client id that is not a GUID', () => {
    const problem = 'must be the client id (a GUID) of a user-assigned managed identity';
    expect(
      configIssues(() =>
        parseConfig({ targets: [GW], sinks: { blob: { accountName: 'acct', clientId: 'my-identity' } } }),
      ),
    ).toEqual([`sinks.blob.clientId: ${problem}`]);
    expect(
      configIssues(() =>
        configFromAppSettings({
          APPGW_TARGETS: GW,
          APPGW_BLOB_CONTAINER: 'insights',
          AzureWebJobsStorage__accountName: 'acct',
          AzureWebJobsStorage__clientId: 'my-identity',
        }),
      ),
    ).toEqual([`AzureWebJobsStorage__clientId: ${problem}`]);
  });

  it.each(['Bad_Name', 'ab', 'a--b', '-ab', `a${'b'.repeat(63)}`])(
    'a container name %j: refused by the config, the app settings and the blob sink alike',
    (container) => {
      const rule = '3-63 lower-case letters, digits and single hyphens';
      expect(
        configIssues(() =>
          parseConfig({ targets: [GW], sinks: { blob: { accountName: 'acct', container } } }),
        ),
      ).toEqual([`sinks.blob.container: must be ${rule}`]);
      expect(
        configIssues(() =>
          configFromAppSettings({
            APPGW_TARGETS: GW,
            APPGW_BLOB_CONTAINER: container,
            AzureWebJobsStorage: 'UseDevelopmentStorage=true',
          }),
        ),
      ).toEqual([expect.stringContaining(`sinks.blob.container: must be ${rule}`)]);
      expect(configIssues(() => createBlobSink({ connection: { accountName: 'acct' }, container }))).toEqual([
        `"${container}" is not a container name: ${rule}.`,
      ]);
    },
  );

  // The timer's queue reads the same app settings (AzureWebJobsStorage): the same rules, the same words.
  it.each([
    ['__accountName', 'Bad_Account', 'must be a storage account name: 3-24 lower-case letters and digits'],
    ['__clientId', 'my-identity', 'must be the client id (a GUID) of a user-assigned managed identity'],
    ['__credential', 'msi', 'must be "managedidentity" when set'],
  ])('the queue connection refuses %s %j as the blob connection does', (suffix, value, problem) => {
    const env = { S__accountName: 'acct', [`S${suffix}`]: value };
    expect(configIssues(() => queueConnectionFromAppSettings('S', env))).toEqual([`S${suffix}: ${problem}`]);
    expect(configIssues(() => blobConnectionFromAppSettings('S', env))).toEqual([`S${suffix}: ${problem}`]);
  });

  it.each([
    [
      'https://acct.queue.core.windows.net/?sig=secret',
      'must be the bare service URL, without a query string (SAS) or user info',
    ],
    ['http://acct.queue.core.windows.net', 'must use https (http only for a loopback emulator)'],
    [
      'acct.queue.core.windows.net',
      'must be an absolute URL such as https://<account>.queue.core.windows.net',
    ],
  ])('the queue service URL %j', (url, problem) => {
    expect(configIssues(() => queueConnectionFromAppSettings('S', { S__queueServiceUri: url }))).toEqual([
      `S__queueServiceUri: ${problem}`,
    ]);
  });

  it('the queue name follows the same rule, with room for "-poison"', () => {
    expect(readQueueName({ APPGW_QUEUE_NAME: 'a'.repeat(56) })).toBe('a'.repeat(56));
    for (const name of ['a'.repeat(57), 'Bad_Name', 'a--b']) {
      expect(configIssues(() => readQueueName({ APPGW_QUEUE_NAME: name }))).toEqual([
        `APPGW_QUEUE_NAME: "${name}" is not a queue name (3-56 lower-case letters, digits and single hyphens)`,
      ]);
    }
  });
});
