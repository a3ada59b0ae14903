import { XMLParser } from 'fast-xml-parser';
import type { StorageHttp } from './storage-http';

export interface UploadOptions {
  readonly contentType?: string;
  readonly cacheControl?: string;
  /** Write only if the blob's ETag is this one (412 otherwise). */
  readonly ifMatch?: string;
  /** `*`: write only if there is no blob yet (409 otherwise). */
  readonly ifNoneMatch?: '*';
}

export interface DownloadedBlob {
  /** The blob's content read as UTF-8 (the app stores text only). */
  readonly text: string;
  readonly etag: string;
}

/** One container: the few Blob operations the app uses. */
export interface BlobContainer {
  readonly name: string;
  /** Container URL, without query. */
  readonly url: string;
  /** Creates the container; succeeds when it exists already. */
  createIfNotExists(): Promise<void>;
  /** Put Blob (one request, block blob); returns the new ETag. */
  upload(blobName: string, body: Buffer, options?: UploadOptions): Promise<{ readonly etag: string }>;
  /** Get Blob; a missing blob or container throws (404 BlobNotFound / ContainerNotFound). */
  download(blobName: string): Promise<DownloadedBlob>;
  /** Names of the blobs under `prefix`, every page followed. */
  listBlobNames(options?: { readonly prefix?: string; readonly pageSize?: number }): AsyncIterable<string>;
  /** Delete Blob with its snapshots; a missing blob throws (404 BlobNotFound). */
  deleteBlob(blobName: string): Promise<void>;
}

export interface BlobService {
  readonly url: string;
  container(name: string): BlobContainer;
}

/** Blob Storage over `http` (one account's blob endpoint). */
export function createBlobService(http: StorageHttp): BlobService {
  return { url: http.url, container: (name) => createBlobContainer(http, name) };
}

function createBlobContainer(http: StorageHttp, name: string): BlobContainer {
  const container = encodeURIComponent(name);
  const blobPath = (blobName: string) => `${container}/${encodeBlobName(blobName)}`;
  return {
    name,
    url: `${http.url}/${container}`,

    async createIfNotExists() {
      // 409 ContainerAlreadyExists is what "if not exists" means; 409 ContainerBeingDeleted is not.
      const answer = await http.send({
        method: 'PUT',
        path: container,
        query: { restype: 'container' },
        accept: [409],
      });
      if (answer.status === 409 && answer.header('x-ms-error-code') !== 'ContainerAlreadyExists') {
        await http.send({ method: 'PUT', path: container, query: { restype: 'container' } }); // throws its error
      }
    },

    async upload(blobName, body, options = {}) {
      const answer = await http.send({
        method: 'PUT',
        path: blobPath(blobName),
        headers: {
          'x-ms-blob-type': 'BlockBlob',
          'x-ms-blob-content-type': options.contentType,
          'x-ms-blob-cache-control': options.cacheControl,
          'if-match': options.ifMatch,
          'if-none-match': options.ifNoneMatch,
        },
        body,
      });
      return { etag: answer.header('etag') ?? '' };
    },

    async download(blobName) {
      const answer = await http.send({ method: 'GET', path: blobPath(blobName) });
      return { text: answer.bodyText, etag: answer.header('etag') ?? '' };
    },

    async *listBlobNames(options = {}) {
      let marker: string | undefined;
      do {
        const answer = await http.send({
          method: 'GET',
          path: container,
          query: {
            restype: 'container',
            comp: 'list',
            prefix: options.prefix || undefined,
            marker,
            maxresults: options.pageSize ? String(options.pageSize) : undefined,
          },
        });
        const page = parseBlobList(answer.bodyText);
        yield* page.names;
        marker = page.nextMarker;
      } while (marker);
    },

    async deleteBlob(blobName) {
      await http.send({
        method: 'DELETE',
        path: blobPath(blobName),
        headers: { 'x-ms-delete-snapshots': 'include' },
      });
    },
  };
}

/** Percent-encodes each segment of a blob name; `/` stays the virtual folder separator. */
export function encodeBlobName(blobName: string): string {
  return blobName.split('/').map(encodeURIComponent).join('/');
}

const listParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Names are strings as written: no number parsing, no trimming.
  parseTagValue: false,
  trimValues: false,
  isArray: (_name, path) => path === 'EnumerationResults.Blobs.Blob',
});

interface ListedName {
  readonly '#text'?: string;
  readonly '@Encoded'?: string;
}
interface ListBlobsXml {
  readonly EnumerationResults?: {
    readonly Blobs?: { readonly Blob?: readonly { readonly Name?: string | ListedName }[] } | string;
    readonly NextMarker?: string;
  };
}

/**
 * One page of a List Blobs answer: blob names and the marker of the next page. A name holding
 * characters XML cannot carry comes percent-encoded with `Encoded="true"`.
 */
export function parseBlobList(xml: string): { names: string[]; nextMarker: string | undefined } {
  const result = (listParser.parse(xml) as ListBlobsXml).EnumerationResults;
  if (!result) throw new Error('List Blobs answered without an EnumerationResults document.');
  const blobs = typeof result.Blobs === 'object' ? (result.Blobs.Blob ?? []) : [];
  const names = blobs.map((blob) => {
    const name = blob.Name;
    if (typeof name === 'string') return name;
    const text = name?.['#text'] ?? '';
    return name?.['@Encoded'] === 'true' ? decodeURIComponent(text) : text;
  });
  const nextMarker =
    typeof result.NextMarker === 'string' && result.NextMarker ? result.NextMarker : undefined;
  return { names, nextMarker };
}
