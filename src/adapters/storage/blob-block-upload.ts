import { Readable } from 'node:stream';
import { noteLeasedBlob } from './blob-lease';
import { createEntraCredential } from '../identity/entra-credential';
import { endpointOfConnectionString, type BlobClientExtras, type BlobConnectionOptions } from './blob-client';

/** A text to upload, read once, in order: its pieces (strings of any length). */
export type TextPieces = Iterable<string> | AsyncIterable<string>;

/** The blob's headers: its content type, and `Cache-Control` for blobs a reader must revalidate. */
export interface BlobTextHeaders {
  readonly contentType: string;
  readonly cacheControl?: string;
}

/**
 * Writes a text too large to hold whole (a run's report.json: tens of MB at 20 000 gateways; its status
 * page) as a block blob, from its pieces: blocks are staged as the pieces arrive (Put Block), and the
 * blob changes only when every block is there (Put Block List), so a reader sees the old blob or the
 * new one, and a text that cannot be read to its end (the run's temporary file failing) leaves the old
 * blob as it was (its staged blocks are never committed; Blob Storage drops them after a week). At most
 * `blockSizeInBytes` × (`maxConcurrency` + 1) bytes are held at once (issue 14: memory).
 */
export interface BlobBlockUploader {
  /**
   * Replaces `blobName` in `containerName` (which must exist) with the UTF-8 text of `pieces()`, read
   * once per try. Another writer of the same blob that commits meanwhile (another run's report: Put
   * Block List and Put Blob drop the uncommitted blocks they do not name) makes the commit fail with
   * 400 InvalidBlockList; the text is then staged and committed again, from a new `pieces()`, up to
   * COMMIT_TRIES times, so the last writer wins as with one Put Blob. Throws the Storage SDK's RestError
   * (`statusCode`, `code`: describeStorageFailure reads it) for a refused or failed request after the
   * retries, or, unchanged, what reading the pieces threw.
   */
  upload(
    containerName: string,
    blobName: string,
    pieces: () => TextPieces,
    headers: BlobTextHeaders,
  ): Promise<void>;
}

export interface BlobBlockUploadOptions {
  /**
   * Bytes per block (Put Block). Default 1 MiB: at 20 000 gateways (a 25 MB report.json) a run's peak
   * rose by 44 MiB with it (21 of them the SDK's code), by 62 with 4 MiB blocks (bench/README.md).
   */
  readonly blockSizeInBytes?: number;
  /** Blocks in flight at once. Default 2. */
  readonly maxConcurrency?: number;
}

/** Tries of staging and committing one text while other writers' commits drop its blocks. */
const COMMIT_TRIES = 3;

/** Text is turned into bytes in runs of about this many characters, so small pieces make few chunks. */
const CHUNK_CHARACTERS = 64 * 1024;

/**
 * The uploader for `connection`, the same account and sign-in as connectBlobService's REST client (a
 * connection string read by the same parser; an identity's credential caches its token across clients). `extras`: the credential to use instead,
 * and of `httpOptions` the REST client's retries (Storage's retry policy: `maxRetries` + 1 tries) and
 * time limit of one try; its `tlsOptions` and `httpClient` are the REST client's only (the SDK takes
 * neither in that form; no sink is given them). `@azure/storage-blob` is required on the first upload,
 * so a process that uploads nothing large does not load it.
 */
export function createBlobBlockUploader(
  connection: BlobConnectionOptions,
  extras: BlobClientExtras = {},
  options: BlobBlockUploadOptions = {},
): BlobBlockUploader {
  const blockSize = options.blockSizeInBytes ?? 1024 * 1024;
  const maxConcurrency = options.maxConcurrency ?? 2;
  let service: import('@azure/storage-blob').BlobServiceClient | undefined;
  return {
    async upload(containerName, blobName, pieces, headers) {
      service ??= serviceClient(connection, extras);
      const container = service.getContainerClient(containerName);
      const blob = container.getBlockBlobClient(blobName);
      const blobHTTPHeaders = {
        blobContentType: headers.contentType,
        ...(headers.cacheControl !== undefined ? { blobCacheControl: headers.cacheControl } : {}),
      };
      for (let attempt = 1; ; attempt++) {
        try {
          await blob.uploadStream(Readable.from(utf8Chunks(pieces())), blockSize, maxConcurrency, {
            blobHTTPHeaders,
          });
          return;
        } catch (error) {
          // Another holder's lease: named with the blob and how to break it, as the REST client's writes are.
          noteLeasedBlob(error, { containerUrl: container.url, blobName });
          if (attempt >= COMMIT_TRIES || !isDroppedBlocks(error)) throw error;
        }
      }
    },
  };
}

/** `pieces` as UTF-8 Buffers of about CHUNK_CHARACTERS characters each (never splitting a surrogate pair). */
async function* utf8Chunks(pieces: TextPieces): AsyncGenerator<Buffer> {
  let pending = '';
  for await (const piece of pieces) {
    pending += piece;
    if (pending.length < CHUNK_CHARACTERS) continue;
    // A lone high surrogate at the end waits for its pair in the next piece.
    const last = pending.charCodeAt(pending.length - 1);
    const cut = last >= 0xd800 && last <= 0xdbff ? pending.length - 1 : pending.length;
    yield Buffer.from(pending.slice(0, cut), 'utf8');
    pending = pending.slice(cut);
  }
  if (pending.length > 0) yield Buffer.from(pending, 'utf8');
}

/** A commit refused because blocks it names were dropped by another writer's commit of the blob. */
function isDroppedBlocks(error: unknown): boolean {
  const e = error as { statusCode?: unknown; code?: unknown } | undefined;
  return e?.statusCode === 400 && e.code === 'InvalidBlockList';
}

/**
 * The SDK's client for the account `connection` names, read by our own parser (connection-string.ts:
 * the forms the REST client takes, some of which the SDK's parser refuses: lower-case keys, spaces
 * around `=`, no protocol), signed as the REST client signs: shared key, SAS, or the identity's token.
 */
function serviceClient(
  connection: BlobConnectionOptions,
  extras: BlobClientExtras,
): import('@azure/storage-blob').BlobServiceClient {
  const { AnonymousCredential, BlobServiceClient, StorageSharedKeyCredential } = loadStorageBlob();
  const httpOptions = extras.httpOptions ?? {};
  const timeoutInMs = httpOptions.requestTimeoutInMs ?? 30_000;
  const pipeline = {
    retryOptions: {
      maxTries: (httpOptions.maxRetries ?? 3) + 1,
      ...(timeoutInMs > 0 ? { tryTimeoutInMs: timeoutInMs } : {}),
    },
    userAgentOptions: { userAgentPrefix: 'appgw-insights' },
  };
  if ('connectionString' in connection) {
    const source = connection.setting ?? 'storage connection';
    const { url, auth } = endpointOfConnectionString(connection.connectionString, 'blob', source);
    if ('sharedKey' in auth) {
      const { accountName, accountKey } = auth.sharedKey;
      return new BlobServiceClient(url, new StorageSharedKeyCredential(accountName, accountKey), pipeline);
    }
    if ('sas' in auth)
      return new BlobServiceClient(`${url}?${auth.sas}`, new AnonymousCredential(), pipeline);
    return new BlobServiceClient(url, auth.credential, pipeline);
  }
  const url =
    'blobServiceUri' in connection
      ? connection.blobServiceUri.replace(/\/+$/, '')
      : `https://${connection.accountName}.blob.core.windows.net`;
  return new BlobServiceClient(url, extras.tokenCredential ?? createEntraCredential(connection), pipeline);
}

/** Lazy CommonJS require: a cold start that uploads no large text does not load the SDK. */
function loadStorageBlob(): typeof import('@azure/storage-blob') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@azure/storage-blob');
}
