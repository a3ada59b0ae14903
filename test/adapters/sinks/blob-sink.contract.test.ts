import { BlobServiceClient } from '@azure/storage-blob';
import { connectBlobService } from '../../../src/adapters/storage/blob-client';
import { createBlobSink } from '../../../src/adapters/sinks/blob-sink';
import { startAzurite, type Azurite } from '../../helpers/azurite';
import { closedPort } from '../../helpers/closed-port';
import { describeSinkContract } from '../contract/sink.contract';

let azurite: Azurite;
/** The official SDK, to read back independently what the sink wrote. */
let sdk: BlobServiceClient;
let next = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  sdk = BlobServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(() => azurite?.stop());

/** Every blob in `container`, name → text. */
async function blobsIn(container: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const client = sdk.getContainerClient(container);
  if (!(await client.exists())) return files;
  for await (const blob of client.listBlobsFlat()) {
    files.set(blob.name, (await client.getBlobClient(blob.name).downloadToBuffer()).toString('utf8'));
  }
  return files;
}

describeSinkContract('blob (Azurite)', {
  get secrets() {
    return [azurite.accountKey];
  },
  async make() {
    const container = `contract-${next++}`;
    return {
      sink: createBlobSink({
        connection: { connectionString: azurite.connectionString },
        container,
        prefix: 'pre/fix',
      }),
      files: () => blobsIn(container),
      root: 'pre/fix/',
      current: 'latest/',
    };
  },
  async broken() {
    const port = await closedPort();
    const connectionString = azurite.connectionString.replace(
      azurite.blobEndpoint,
      `http://127.0.0.1:${port}/devstoreaccount1`,
    );
    const client = connectBlobService({ connectionString }, { httpOptions: { maxRetries: 0 } });
    return { sink: createBlobSink({ client, container: 'unreachable' }), secrets: [connectionString] };
  },
});
