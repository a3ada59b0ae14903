import { describeStorageFailure } from './blob-client';
import type { BlobService } from './rest/blob-service';
import { StateConflictError } from '../../errors';
import { parseDocument, serialiseDocument, type StateStore, type StoredDocument } from './state-store';

export interface BlobStateStoreOptions {
  readonly client: BlobService;
  /** Created on the first write when missing. */
  readonly container: string;
  /** e.g. `state/notices.json`. */
  readonly blobName: string;
}

/**
 * A state store in one JSON block blob. The etag is the blob's; writes are conditional on the service
 * side (`If-Match: <etag>`, or `If-None-Match: *` for the first write), so of two overlapping writers one
 * gets 412/409, reported as StateConflictError. The container is created on the first write.
 */
export function createBlobStateStore<T>(options: BlobStateStoreOptions): StateStore<T> {
  const container = options.client.container(options.container);
  const where = `blob ${options.container}/${options.blobName}`;

  return {
    async read(): Promise<StoredDocument<T> | undefined> {
      let text: string;
      let etag: string | undefined;
      try {
        ({ text, etag } = await container.download(options.blobName));
      } catch (error) {
        if (describeStorageFailure(error).statusCode === 404) return undefined; // no blob, or no container
        throw failure('read', where, error);
      }
      if (!etag) throw new Error(`Reading the state ${where} returned no ETag.`);
      return parseDocument<T>(text, etag, `The state ${where}`);
    },

    async write(value: T, expectedEtag: string | undefined): Promise<string> {
      const body = serialiseDocument(value);
      const upload = () =>
        container.upload(options.blobName, Buffer.from(body, 'utf8'), {
          ...(expectedEtag === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: expectedEtag }),
          contentType: 'application/json',
        });
      let response;
      try {
        try {
          response = await upload();
        } catch (error) {
          const { statusCode, code } = describeStorageFailure(error);
          if (statusCode !== 404 || code !== 'ContainerNotFound' || expectedEtag !== undefined) throw error;
          await container.createIfNotExists();
          response = await upload();
        }
      } catch (error) {
        const { statusCode } = describeStorageFailure(error);
        // 412: If-Match failed (someone wrote since our read); 409: If-None-Match:* found a blob;
        // 404 on an If-Match write: the document (or container) was deleted since our read.
        if (statusCode === 412 || statusCode === 409 || (statusCode === 404 && expectedEtag !== undefined)) {
          throw new StateConflictError(where, { cause: error });
        }
        throw failure('write', where, error);
      }
      if (!response.etag) throw new Error(`Writing the state ${where} returned no ETag.`);
      return response.etag;
    },
  };
}

function failure(action: 'read' | 'write', where: string, error: unknown): Error {
  const failure = describeStorageFailure(error);
  return Object.assign(
    new Error(`Cannot ${action} the state ${where}: ${failure.detail}.`, { cause: error }),
    {
      retryable: failure.retryable,
    },
  );
}
