import { AccountSASPermissions, BlobServiceClient } from '@azure/storage-blob';
import { createBlobBlockUploader } from '../../../src/adapters/storage/blob-block-upload';
import { describeStorageFailure } from '../../../src/adapters/storage/blob-client';
import { AZURITE_ACCOUNT, startAzurite, type Azurite } from '../../helpers/azurite';

let azurite: Azurite;
/** The official SDK, to read back independently what was written. */
let sdk: BlobServiceClient;
let next = 0;

beforeAll(async () => {
  azurite = await startAzurite();
  sdk = BlobServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(() => azurite?.stop());

async function freshContainer(): Promise<string> {
  const name = `blocks-${next++}`;
  await sdk.getContainerClient(name).create();
  return name;
}

/** 600 000 characters, most of them one byte, with two-, three- and four-byte ones (a surrogate pair). */
function* pieces(): Generator<string> {
  for (let i = 0; i < 20_000; i++) yield `${i}: “a” é 😀 ${'x'.repeat(i % 7)}\n`;
}
const TEXT = [...pieces()].join('');

describe('blob block uploader (Azurite)', () => {
  test('writes the text of its pieces byte for byte, in blocks, with its headers', async () => {
    const container = await freshContainer();
    const uploader = createBlobBlockUploader(
      { connectionString: azurite.connectionString },
      {},
      { blockSizeInBytes: 64 * 1024 },
    );
    await uploader.upload(container, 'a/report.json', pieces, {
      contentType: 'application/json',
      cacheControl: 'no-cache',
    });
    const blob = sdk.getContainerClient(container).getBlockBlobClient('a/report.json');
    expect((await blob.downloadToBuffer()).equals(Buffer.from(TEXT, 'utf8'))).toBe(true);
    const properties = await blob.getProperties();
    expect(properties).toMatchObject({ contentType: 'application/json', cacheControl: 'no-cache' });
    // Staged and committed as blocks: never one string or Buffer of the whole text.
    const { committedBlocks = [] } = await blob.getBlockList('committed');
    expect(committedBlocks.length).toBeGreaterThan(TEXT.length / (64 * 1024));
    expect(committedBlocks.every((b) => b.size <= 64 * 1024)).toBe(true);
  });

  // A break trial: a lease on a report.json over 1 MiB (written in blocks, by the SDK) named neither
  // the blob nor the container, where the REST client's writes name both.
  test("another holder's lease on the blob: the failure names the blob and the command that breaks the lease", async () => {
    const container = await freshContainer();
    const blob = sdk.getContainerClient(container).getBlockBlobClient('latest/report.json');
    await blob.upload('{}', 2);
    await blob.getBlobLeaseClient().acquireLease(-1);
    const uploader = createBlobBlockUploader(
      { connectionString: azurite.connectionString },
      {},
      { blockSizeInBytes: 64 * 1024 },
    );
    const error = await uploader
      .upload(container, 'latest/report.json', pieces, { contentType: 'application/json' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(describeStorageFailure(error).detail).toMatch(
      new RegExp(
        `^HTTP 412 LeaseIdMissing \\(another holder has a lease on latest/report\\.json: release it, or break it with \`az storage blob lease break --blob-endpoint http://127\\.0\\.0\\.1:\\d+/${AZURITE_ACCOUNT} --container-name ${container} --blob-name latest/report\\.json\``,
      ),
    );
    expect((await blob.downloadToBuffer()).toString()).toBe('{}');
  });

  test('a surrogate pair split between two pieces, where the text is cut into bytes, stays one character', async () => {
    const container = await freshContainer();
    const uploader = createBlobBlockUploader({ connectionString: azurite.connectionString });
    // 64 Ki characters is where the pieces are turned into bytes; the pair straddles it.
    const split = ['x'.repeat(64 * 1024 - 1) + '\uD83D', '\uDE00 end'];
    await uploader.upload(container, 'pair.txt', () => split, { contentType: 'text/plain; charset=utf-8' });
    const written = await sdk.getContainerClient(container).getBlobClient('pair.txt').downloadToBuffer();
    expect(written.equals(Buffer.from(split.join(''), 'utf8'))).toBe(true);
    expect(written.toString('utf8').endsWith('😀 end')).toBe(true);
  });

  test('pieces from an async source; an empty text is an empty blob', async () => {
    const container = await freshContainer();
    const uploader = createBlobBlockUploader({ connectionString: azurite.connectionString });
    async function* slow(): AsyncGenerator<string> {
      for (const piece of ['{', '"a": ', '1', '}']) {
        await new Promise((resolve) => setImmediate(resolve));
        yield piece;
      }
    }
    await uploader.upload(container, 'x.json', slow, { contentType: 'application/json' });
    await uploader.upload(container, 'empty.json', () => [], { contentType: 'application/json' });
    const client = sdk.getContainerClient(container);
    expect((await client.getBlobClient('x.json').downloadToBuffer()).toString('utf8')).toBe('{"a": 1}');
    expect((await client.getBlobClient('empty.json').getProperties()).contentLength).toBe(0);
  });

  test('a text that cannot be read to its end: that error, and the blob there stays as it was', async () => {
    const container = await freshContainer();
    const blob = sdk.getContainerClient(container).getBlockBlobClient('latest/report.json');
    await blob.upload('the old report', 14);
    const uploader = createBlobBlockUploader(
      { connectionString: azurite.connectionString },
      {},
      { blockSizeInBytes: 64 * 1024 },
    );
    const unreadable = new Error('cannot read the temporary file: EIO');
    async function* failing(): AsyncGenerator<string> {
      // Past several blocks, so some were staged before the failure.
      for (let i = 0; i < 200; i++) yield 'y'.repeat(4096);
      throw unreadable;
    }
    await expect(
      uploader.upload(container, 'latest/report.json', failing, { contentType: 'application/json' }),
    ).rejects.toBe(unreadable);
    expect((await blob.downloadToBuffer()).toString('utf8')).toBe('the old report');
  });

  test('a SAS connection string signs its requests', async () => {
    const container = await freshContainer();
    const sasUrl = sdk.generateAccountSasUrl(
      new Date(Date.now() + 3_600_000),
      AccountSASPermissions.parse('rwdlac'),
      'sco',
    );
    const sas = new URL(sasUrl).search.slice(1);
    const uploader = createBlobBlockUploader(
      { connectionString: `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas}` },
      {},
      { blockSizeInBytes: 64 * 1024 },
    );
    await uploader.upload(container, 'page.html', pieces, { contentType: 'text/html; charset=utf-8' });
    const written = await sdk.getContainerClient(container).getBlobClient('page.html').downloadToBuffer();
    expect(written.toString('utf8')).toBe(TEXT);
  });

  test.each([
    [
      'lower-case keys, spaces around "="',
      (a: Azurite) =>
        `accountname = ${AZURITE_ACCOUNT} ; accountkey = ${a.accountKey} ; blobendpoint = ${a.blobEndpoint}`,
    ],
    [
      'no DefaultEndpointsProtocol',
      (a: Azurite) =>
        `AccountName=${AZURITE_ACCOUNT};AccountKey=${a.accountKey};BlobEndpoint=${a.blobEndpoint}`,
    ],
  ])(
    'a connection string the REST client takes and the SDK’s own parser refuses (%s): read by our parser, it works (break trial)',
    async (_label, connectionString) => {
      const container = await freshContainer();
      const uploader = createBlobBlockUploader(
        { connectionString: connectionString(azurite) },
        {},
        { blockSizeInBytes: 64 * 1024 },
      );
      await uploader.upload(container, 'r.json', pieces, { contentType: 'application/json' });
      const written = await sdk.getContainerClient(container).getBlobClient('r.json').downloadToBuffer();
      expect(written.toString('utf8')).toBe(TEXT);
    },
  );

  test('two writers of one blob at once (two runs’ latest/report.json): both succeed, the blob is one whole text (break trial)', async () => {
    const container = await freshContainer();
    const uploader = createBlobBlockUploader(
      { connectionString: azurite.connectionString },
      {},
      { blockSizeInBytes: 16 * 1024 },
    );
    const texts = ['a', 'b'].map((c) => c.repeat(600_000));
    const slowly = (text: string) =>
      async function* (): AsyncGenerator<string> {
        for (let at = 0; at < text.length; at += 50_000) {
          await new Promise((resolve) => setImmediate(resolve));
          yield text.slice(at, at + 50_000);
        }
      };
    for (let round = 0; round < 4; round++) {
      await Promise.all(
        texts.map((text) =>
          uploader.upload(container, 'latest.json', slowly(text), { contentType: 'application/json' }),
        ),
      );
      const written = (
        await sdk.getContainerClient(container).getBlobClient('latest.json').downloadToBuffer()
      ).toString('utf8');
      expect(texts).toContain(written);
    }
  });

  test('a refused request: the HTTP status and service code, as describeStorageFailure reads them', async () => {
    const container = await freshContainer();
    const wrongKey = Buffer.from('a key that is not the account key at all').toString('base64');
    const uploader = createBlobBlockUploader(
      { connectionString: azurite.connectionString.replace(azurite.accountKey, wrongKey) },
      { httpOptions: { maxRetries: 0 } },
    );
    const error = await uploader
      .upload(container, 'r.json', () => ['{}'], { contentType: 'application/json' })
      .catch((e: unknown) => e);
    const failure = describeStorageFailure(error);
    expect(failure).toMatchObject({ statusCode: 403, retryable: false });
    expect(failure.detail).not.toContain(wrongKey);
  });
});
