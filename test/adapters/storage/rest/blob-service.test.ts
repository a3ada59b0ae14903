import { RestError } from '@azure/core-rest-pipeline';
import { AccountSASPermissions, BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { inspect } from 'node:util';
import {
  createBlobService,
  encodeBlobName,
  parseBlobList,
  type BlobContainer,
  type BlobService,
} from '../../../../src/adapters/storage/rest/blob-service';
import { parseConnectionString } from '../../../../src/adapters/storage/rest/connection-string';
import {
  createStorageHttp,
  type StorageHttp,
  type StorageRequest,
} from '../../../../src/adapters/storage/rest/storage-http';
import { startAzurite, type Azurite } from '../../../helpers/azurite';
import { closedPort } from '../../../helpers/closed-port';
import { restError } from '../../../helpers/failures';

let azurite: Azurite;
/** Ours, signed with the account key. */
let blobs: BlobService;
/** The official SDK, to check independently what ours did. */
let sdk: BlobServiceClient;
let next = 0;

function http(connectionString: string): StorageHttp {
  const { url, auth } = parseConnectionString(connectionString, 'blob');
  return createStorageHttp(url, auth, { maxRetries: 0 });
}

/** A fresh container name, and that container's clients: ours and the SDK's. */
function fresh(service: BlobService = blobs): { ours: BlobContainer; theirs: ContainerClient } {
  const name = `rest-${next++}`;
  return { ours: service.container(name), theirs: sdk.getContainerClient(name) };
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

async function sdkNames(container: ContainerClient, prefix?: string): Promise<string[]> {
  return all(
    (async function* () {
      for await (const blob of container.listBlobsFlat(prefix ? { prefix } : {})) yield blob.name;
    })(),
  );
}

beforeAll(async () => {
  azurite = await startAzurite();
  blobs = createBlobService(http(azurite.connectionString));
  sdk = BlobServiceClient.fromConnectionString(azurite.connectionString);
});
afterAll(() => azurite?.stop());

describe('blob service against Azurite', () => {
  test('createIfNotExists creates the container, and a second call is fine', async () => {
    const { ours, theirs } = fresh();
    await expect(theirs.exists()).resolves.toBe(false);
    await ours.createIfNotExists();
    await expect(theirs.exists()).resolves.toBe(true);
    await expect(ours.createIfNotExists()).resolves.toBeUndefined();
    await expect(theirs.exists()).resolves.toBe(true);
  });

  test('the container URL is the service URL plus the name', () => {
    expect(blobs.url).toBe(azurite.blobEndpoint);
    expect(blobs.container('c-1').url).toBe(`${azurite.blobEndpoint}/c-1`);
  });

  test('upload stores the bytes with content type and cache-control; the etag is the blob ETag', async () => {
    const { ours, theirs } = fresh();
    await ours.createIfNotExists();
    const body = Buffer.from('{"größe":1,"emoji":"😀"}\n', 'utf8');
    const { etag } = await ours.upload('dir/doc.json', body, {
      contentType: 'application/json; charset=utf-8',
      cacheControl: 'no-cache, max-age=0',
    });
    const blob = theirs.getBlobClient('dir/doc.json');
    const properties = await blob.getProperties();
    expect(properties.contentType).toBe('application/json; charset=utf-8');
    expect(properties.cacheControl).toBe('no-cache, max-age=0');
    expect(properties.contentLength).toBe(body.length);
    expect(properties.blobType).toBe('BlockBlob');
    expect(etag).toMatch(/^"0x[0-9A-F]+"$/);
    expect(properties.etag).toBe(etag);
    expect(await blob.downloadToBuffer()).toEqual(body);
    await expect(ours.download('dir/doc.json')).resolves.toEqual({ text: body.toString('utf8'), etag });
  });

  test('an empty body uploads an empty blob', async () => {
    const { ours, theirs } = fresh();
    await ours.createIfNotExists();
    await ours.upload('empty.txt', Buffer.alloc(0));
    expect((await theirs.getBlobClient('empty.txt').getProperties()).contentLength).toBe(0);
    await expect(ours.download('empty.txt')).resolves.toMatchObject({ text: '' });
  });

  test('conditional writes: if-none-match * and if-match etag', async () => {
    const { ours, theirs } = fresh();
    await ours.createIfNotExists();
    const blob = theirs.getBlockBlobClient('s.json');
    const first = await ours.upload('s.json', Buffer.from('one'), { ifNoneMatch: '*' });

    const exists = await restError(ours.upload('s.json', Buffer.from('two'), { ifNoneMatch: '*' }));
    expect(exists).toMatchObject({ statusCode: 409, code: 'BlobAlreadyExists' });
    expect((await blob.downloadToBuffer()).toString()).toBe('one');

    await blob.upload('theirs', 6); // someone else writes: our etag goes stale
    const stale = await restError(ours.upload('s.json', Buffer.from('three'), { ifMatch: first.etag }));
    expect(stale).toMatchObject({ statusCode: 412, code: 'ConditionNotMet' });
    expect((await blob.downloadToBuffer()).toString()).toBe('theirs');

    const current = (await blob.getProperties()).etag as string;
    const written = await ours.upload('s.json', Buffer.from('four'), { ifMatch: current });
    expect(written.etag).not.toBe(current);
    expect(written.etag).not.toBe(first.etag);
    const properties = await blob.getProperties();
    expect(properties.etag).toBe(written.etag);
    expect((await blob.downloadToBuffer()).toString()).toBe('four');
  });

  test('if-match on a missing blob is refused (412 / 404), nothing is created', async () => {
    const { ours, theirs } = fresh();
    await ours.createIfNotExists();
    const error = await restError(
      ours.upload('gone.json', Buffer.from('x'), { ifMatch: '"0x8D0000000000000"' }),
    );
    expect([404, 412]).toContain(error.statusCode);
    await expect(theirs.getBlobClient('gone.json').exists()).resolves.toBe(false);
  });

  test('download of a missing blob: 404 BlobNotFound; in a missing container: 404 ContainerNotFound', async () => {
    const { ours } = fresh();
    await ours.createIfNotExists();
    const blob = await restError(ours.download('missing.json'));
    expect(blob).toBeInstanceOf(RestError);
    expect(blob).toMatchObject({ statusCode: 404, code: 'BlobNotFound' });
    const container = await restError(blobs.container(`never-${next++}`).download('missing.json'));
    expect(container).toMatchObject({ statusCode: 404, code: 'ContainerNotFound' });
  });

  test('upload into a missing container: 404 ContainerNotFound', async () => {
    const error = await restError(blobs.container(`never-${next++}`).upload('a.txt', Buffer.from('a')));
    expect(error).toMatchObject({ statusCode: 404, code: 'ContainerNotFound' });
  });

  test('listBlobNames follows NextMarker over every page', async () => {
    const sent: StorageRequest[] = [];
    const inner = http(azurite.connectionString);
    const spy: StorageHttp = { url: inner.url, send: (request) => (sent.push(request), inner.send(request)) };
    const { ours, theirs } = fresh(createBlobService(spy));
    await ours.createIfNotExists();
    const names = ['p/0.json', 'p/1.json', 'p/2.json', 'p/3.json', 'p/4.json'];
    for (const name of names) await ours.upload(name, Buffer.from(name));
    sent.length = 0;

    await expect(all(ours.listBlobNames({ pageSize: 2 }))).resolves.toEqual(names);
    const lists = sent.filter((request) => request.query?.comp === 'list');
    expect(lists).toHaveLength(3);
    expect(lists.map((request) => request.query?.maxresults)).toEqual(['2', '2', '2']);
    expect(lists[0]?.query?.marker).toBeUndefined();
    expect(lists[1]?.query?.marker).toEqual(expect.any(String));
    expect(lists[2]?.query?.marker).toEqual(expect.any(String));

    await expect(all(ours.listBlobNames())).resolves.toEqual(await sdkNames(theirs));
  });

  test('listBlobNames respects the prefix (also with paging and with & and + in it)', async () => {
    const { ours, theirs } = fresh();
    await ours.createIfNotExists();
    const names = ['logs/a', 'logs/b', 'logs/c', 'logsx', 'other/logs/d', 'r&d+x/1', 'r&d+x/2', 'r&d/3'];
    for (const name of names) await ours.upload(name, Buffer.from('x'));

    await expect(all(ours.listBlobNames({ prefix: 'logs/' }))).resolves.toEqual([
      'logs/a',
      'logs/b',
      'logs/c',
    ]);
    await expect(all(ours.listBlobNames({ prefix: 'logs/', pageSize: 1 }))).resolves.toEqual([
      'logs/a',
      'logs/b',
      'logs/c',
    ]);
    await expect(all(ours.listBlobNames({ prefix: 'logs' }))).resolves.toEqual(
      await sdkNames(theirs, 'logs'),
    );
    await expect(all(ours.listBlobNames({ prefix: 'r&d+x/' }))).resolves.toEqual(['r&d+x/1', 'r&d+x/2']);
    await expect(all(ours.listBlobNames({ prefix: 'nothing/' }))).resolves.toEqual([]);
    // An empty prefix is no prefix.
    await expect(all(ours.listBlobNames({ prefix: '' }))).resolves.toEqual(names);
  });

  test('a prefix or marker with spaces is signed as the service reads it (%20, not +)', async () => {
    const { ours, theirs } = fresh();
    await ours.createIfNotExists();
    const names = ['a b/1', 'a b/2', 'a b/3', 'a+b/4', 'ab/5'];
    for (const name of names) await ours.upload(name, Buffer.from('x'));
    // Azurite's NextMarker is the last name of the page: with pageSize 1 every marker holds a space.
    await expect(all(ours.listBlobNames({ prefix: 'a b/', pageSize: 1 }))).resolves.toEqual([
      'a b/1',
      'a b/2',
      'a b/3',
    ]);
    await expect(all(ours.listBlobNames({ prefix: 'a+b/' }))).resolves.toEqual(['a+b/4']);
    await expect(all(ours.listBlobNames({ pageSize: 2 }))).resolves.toEqual(await sdkNames(theirs));
  });

  test('listBlobNames of an empty container yields nothing; of a missing one throws 404', async () => {
    const { ours } = fresh();
    await ours.createIfNotExists();
    await expect(all(ours.listBlobNames())).resolves.toEqual([]);
    const error = await restError(all(blobs.container(`never-${next++}`).listBlobNames()));
    expect(error).toMatchObject({ statusCode: 404, code: 'ContainerNotFound' });
  });

  const awkward = [
    'with space.txt',
    'ünïcødé/日本語/😀.json',
    'a&b.txt',
    '100% sure.txt',
    '50%41.txt', // must not be read as "50A.txt"
    'c++ & c#.md',
    '#hash',
    'what?.txt',
    'quote\'s "double".txt',
    '<tag>.xml',
    'deep/nested/folder/file.json',
  ];

  test('awkward blob names round-trip: written by ours, listed and read by the SDK and by ours', async () => {
    const { ours, theirs } = fresh();
    await ours.createIfNotExists();
    for (const name of awkward) await ours.upload(name, Buffer.from(`content of ${name}`, 'utf8'));

    const listedBySdk = await sdkNames(theirs);
    expect([...listedBySdk].sort()).toEqual([...awkward].sort());
    for (const name of listedBySdk) {
      const content = await theirs.getBlobClient(name).downloadToBuffer();
      expect(content.toString('utf8')).toBe(`content of ${name}`);
    }

    const listedByUs = await all(ours.listBlobNames());
    expect(listedByUs).toEqual(listedBySdk);
    for (const name of awkward) {
      await expect(ours.download(name)).resolves.toMatchObject({ text: `content of ${name}` });
    }
    await expect(all(ours.listBlobNames({ prefix: 'ünïcødé/' }))).resolves.toEqual([
      'ünïcødé/日本語/😀.json',
    ]);
  });

  test('blobs written by the SDK are read by ours', async () => {
    const { ours, theirs } = fresh();
    await theirs.create();
    const name = 'ünïcødé/a&b #1?.txt';
    await theirs.getBlockBlobClient(name).upload('from the SDK', 12);
    await expect(all(ours.listBlobNames())).resolves.toEqual([name]);
    const { text, etag } = await ours.download(name);
    expect(text).toBe('from the SDK');
    expect(etag).toBe((await theirs.getBlobClient(name).getProperties()).etag);
  });

  test('deleteBlob removes the blob; deleting it again is 404 BlobNotFound', async () => {
    const { ours, theirs } = fresh();
    await ours.createIfNotExists();
    await ours.upload('doomed.txt', Buffer.from('x'));
    await ours.upload('kept.txt', Buffer.from('y'));
    await ours.deleteBlob('doomed.txt');
    await expect(theirs.getBlobClient('doomed.txt').exists()).resolves.toBe(false);
    await expect(theirs.getBlobClient('kept.txt').exists()).resolves.toBe(true);
    const again = await restError(ours.deleteBlob('doomed.txt'));
    expect(again).toMatchObject({ statusCode: 404, code: 'BlobNotFound' });
  });

  test('deleteBlob also removes the snapshots of a blob', async () => {
    const { ours, theirs } = fresh();
    await ours.createIfNotExists();
    await ours.upload('snap.txt', Buffer.from('x'));
    await theirs.getBlobClient('snap.txt').createSnapshot();
    await ours.deleteBlob('snap.txt');
    const left: string[] = [];
    for await (const blob of theirs.listBlobsFlat({ includeSnapshots: true })) left.push(blob.name);
    expect(left).toEqual([]);
  });

  test('a wrong account key is refused with 403: Azurite checks our shared-key signature', async () => {
    const wrongKey = Buffer.from('not the account key, but base64 of something else').toString('base64');
    const bad = createBlobService(http(azurite.connectionString.replace(azurite.accountKey, wrongKey)));
    const { ours, theirs } = fresh(bad);
    const error = await restError(ours.createIfNotExists());
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('AuthorizationFailure');
    expect(String(error)).not.toContain(wrongKey);
    expect(inspect(error, { depth: 8 })).not.toContain(wrongKey);
    await expect(theirs.exists()).resolves.toBe(false);
  });

  test('a SAS connection string works end to end; a tampered signature is refused', async () => {
    const sasUrl = sdk.generateAccountSasUrl(
      new Date(Date.now() + 3600_000),
      AccountSASPermissions.parse('rwdlac'),
      'sco',
    );
    const sas = new URL(sasUrl).search;
    expect(sas).toMatch(/[?&]sig=/);
    const connection = `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas}`;
    const viaSas = createBlobService(http(connection));
    expect(viaSas.url).toBe(azurite.blobEndpoint);
    const { ours, theirs } = fresh(viaSas);

    await ours.createIfNotExists();
    await ours.createIfNotExists();
    const { etag } = await ours.upload('x y/ünï.json', Buffer.from('{"sas":true}'), {
      contentType: 'application/json',
    });
    expect((await theirs.getBlobClient('x y/ünï.json').getProperties()).etag).toBe(etag);
    await expect(ours.download('x y/ünï.json')).resolves.toEqual({ text: '{"sas":true}', etag });
    await ours.upload('b', Buffer.from('b'));
    await ours.upload('c', Buffer.from('c'));
    await expect(all(ours.listBlobNames({ pageSize: 1 }))).resolves.toEqual(['b', 'c', 'x y/ünï.json']);
    await ours.deleteBlob('b');
    await expect(sdkNames(theirs)).resolves.toEqual(['c', 'x y/ünï.json']);

    const sig = new URLSearchParams(sas).get('sig') as string;
    const tampered = new URLSearchParams(sas);
    tampered.set('sig', Buffer.from('a forged signature, 32 bytes....').toString('base64'));
    const forged = createBlobService(
      http(`BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${tampered.toString()}`),
    );
    const error = await restError(forged.container(theirs.containerName).download('c'));
    expect(error.statusCode).toBe(403);
    expect(String(error)).not.toContain(sig);
  });

  test('a closed port with maxRetries 0 rejects with ECONNREFUSED', async () => {
    const port = await closedPort();
    const closed = createBlobService(
      createStorageHttp(
        `http://127.0.0.1:${port}/${azurite.accountName}`,
        { sharedKey: { accountName: azurite.accountName, accountKey: azurite.accountKey } },
        { maxRetries: 0 },
      ),
    );
    const error = await restError(closed.container('any').download('x'));
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.statusCode).toBeUndefined();
  });
});

describe('parseBlobList', () => {
  const list = (blobs: string, tail = '') =>
    `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://a.blob.core.windows.net/" ContainerName="c"><MaxResults>2</MaxResults><Blobs>${blobs}</Blobs>${tail}</EnumerationResults>`;
  const blob = (name: string) =>
    `<Blob><Name>${name}</Name><Properties><Content-Length>1</Content-Length></Properties></Blob>`;

  test.each<[string, string, { names: string[]; nextMarker: string | undefined }]>([
    [
      'an empty list (<Blobs />), empty NextMarker',
      '<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs /><NextMarker /></EnumerationResults>',
      { names: [], nextMarker: undefined },
    ],
    [
      'an empty list (<Blobs></Blobs>), no NextMarker',
      '<EnumerationResults><Blobs></Blobs></EnumerationResults>',
      { names: [], nextMarker: undefined },
    ],
    [
      'no Blobs element',
      '<EnumerationResults><NextMarker/></EnumerationResults>',
      { names: [], nextMarker: undefined },
    ],
    [
      'one blob (still a list), NextMarker present',
      list(
        blob('only.json'),
        '<NextMarker>2!80!MDAwMDE2IXAvMS5qc29uITAwMDAyOCE5OTk5LTEyLTMxVDIzOjU5OjU5Ljk5OTk5OTlaIQ--</NextMarker>',
      ),
      {
        names: ['only.json'],
        nextMarker: '2!80!MDAwMDE2IXAvMS5qc29uITAwMDAyOCE5OTk5LTEyLTMxVDIzOjU5OjU5Ljk5OTk5OTlaIQ--',
      },
    ],
    [
      'several blobs in order, empty NextMarker',
      list(blob('b') + blob('a/c') + blob('a'), '<NextMarker></NextMarker>'),
      { names: ['b', 'a/c', 'a'], nextMarker: undefined },
    ],
    [
      'predefined XML entities are decoded',
      list(blob('a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;')),
      { names: [`a & b <c> "d" 'e'`], nextMarker: undefined },
    ],
    [
      // Numeric character references are NOT decoded by this parser configuration (fast-xml-parser 5
      // without htmlEntities). The official SDK (12.34) lists such a name the same way against Azurite.
      'numeric character references are left as written',
      list(blob('x&#x1F600;y&#233;z&#38;')),
      { names: ['x&#x1F600;y&#233;z&#38;'], nextMarker: undefined },
    ],
    [
      'literal non-ASCII passes through',
      list(blob('ünï/😀 日本.json')),
      { names: ['ünï/😀 日本.json'], nextMarker: undefined },
    ],
    [
      'names stay strings as written: no number parsing, no trimming',
      list(blob(' 007 ') + blob('1e3') + blob('true') + blob('0x10')),
      { names: [' 007 ', '1e3', 'true', '0x10'], nextMarker: undefined },
    ],
    [
      'Encoded="true" names are percent-decoded',
      list('<Blob><Name Encoded="true">a%EF%BF%BFb%20c%25</Name></Blob>'),
      { names: ['a\uffffb c%'], nextMarker: undefined },
    ],
    [
      'Encoded="false" names are taken as written',
      list('<Blob><Name Encoded="false">a%20b</Name></Blob>'),
      { names: ['a%20b'], nextMarker: undefined },
    ],
    [
      'a marker that looks like a number stays a string',
      list(blob('x'), '<NextMarker>0012</NextMarker>'),
      { names: ['x'], nextMarker: '0012' },
    ],
  ])('%s', (_name, xml, expected) => {
    expect(parseBlobList(xml)).toEqual(expected);
  });

  test('a document without EnumerationResults throws', () => {
    expect(() => parseBlobList('<Error><Code>X</Code></Error>')).toThrow(/EnumerationResults/);
    expect(() => parseBlobList('')).toThrow(/EnumerationResults/);
  });
});

describe('encodeBlobName', () => {
  test.each<[string, string]>([
    ['plain.json', 'plain.json'],
    ['dir/sub/file.json', 'dir/sub/file.json'],
    ['a b/c d.txt', 'a%20b/c%20d.txt'],
    ['x&y+z#w?v%u=t', 'x%26y%2Bz%23w%3Fv%25u%3Dt'],
    ['50%41', '50%2541'],
    ['ü/😀', '%C3%BC/%F0%9F%98%80'],
    ["-_.!~*'()", "-_.!~*'()"],
    ['a\\b', 'a%5Cb'],
    ['dir//file', 'dir//file'],
    ['/leading', '/leading'],
  ])('%j → %j', (name, encoded) => {
    expect(encodeBlobName(name)).toBe(encoded);
    expect(encoded.split('/').map(decodeURIComponent).join('/')).toBe(name);
  });
});
