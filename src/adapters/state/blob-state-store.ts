import { describeStorageFailure, storageReachableAdvice, type StorageFailure } from '../storage/blob-client';
import { isLeaseRefusal } from '../storage/blob-lease';
import type { BlobService } from '../storage/rest/blob-service';
import { isStateUnavailableError, StateConflictError, StateUnavailableError } from '../../errors';
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
 * gets 412/409, reported as StateConflictError. The container is created on the first write. Any other
 * failure (no answer, 403 for a key, SAS or role, a container that cannot be created) is a
 * StateUnavailableError naming the blob, never the key or SAS.
 */
export function createBlobStateStore<T>(options: BlobStateStoreOptions): StateStore<T> {
  const container = options.client.container(options.container);
  const name = `blob ${options.container}/${options.blobName}`;
  /** A failed storage call on this document (blobStateError, with the endpoint for its advice). */
  const failure = (action: string, error: unknown) => blobStateError(name, action, error, options.client.url);

  return {
    name,

    async read(): Promise<StoredDocument<T> | undefined> {
      let text: string;
      let etag: string | undefined;
      try {
        ({ text, etag } = await container.download(options.blobName));
      } catch (error) {
        if (isNotThere(error)) return undefined; // no blob, or no container: nothing written yet
        throw failure('read', error);
      }
      if (!etag) throw unavailable(name, 'reading it returned no ETag');
      return parseDocument<T>(text, etag, name);
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
          // Not a conflict whatever it answers (409 ContainerBeingDeleted included): the container is refused.
          await container.createIfNotExists().catch((refused: unknown) => {
            throw failure(`create the container ${options.container} for`, refused);
          });
          response = await upload();
        }
      } catch (error) {
        if (isStateUnavailableError(error)) throw error;
        const { statusCode, code } = describeStorageFailure(error);
        // 412: If-Match failed (someone wrote since our read); 409 BlobAlreadyExists: If-None-Match:* found
        // a blob; Blob storage's 404 on an If-Match write: the document (or container) was deleted since our read.
        // A lease another holder took (412 LeaseIdMissing …) is no conflict: reading again never ends it,
        // and a break trial's run, silence add and notify resend each said "another run wrote it first".
        if (isLeaseRefusal({ statusCode, code })) throw failure('write', error);
        if (
          statusCode === 412 ||
          (statusCode === 409 && (code === undefined || code === 'BlobAlreadyExists')) ||
          (isNotThere(error) && expectedEtag !== undefined)
        ) {
          throw new StateConflictError(name, { cause: error });
        }
        throw failure('write', error);
      }
      if (!response.etag) throw unavailable(name, 'writing it returned no ETag');
      return response.etag;
    },
  };
}

/**
 * Blob storage's own "not there": 404 with the service's error code `BlobNotFound` or
 * `ContainerNotFound` (x-ms-error-code; Blob service error codes, learn.microsoft.com
 * rest/api/storageservices/blob-service-error-codes). A 404 without either did not come from the Blob
 * service for this document (a proxy, an endpoint that is not the account's blob service): a failure
 * (StateUnavailableError), never "nothing stored", which would start every episode afresh.
 */
export function isNotThere(error: unknown): boolean {
  const { statusCode, code } = describeStorageFailure(error);
  return statusCode === 404 && (code === 'BlobNotFound' || code === 'ContainerNotFound');
}

/** A failed storage call as StateUnavailableError: status and service code only, and what to do. */
export function blobStateError(
  document: string,
  action: string,
  error: unknown,
  /** The blob endpoint called, for the advice (storageReachableAdvice). */
  serviceUrl?: string,
): StateUnavailableError {
  const failure = describeStorageFailure(error);
  return new StateUnavailableError(
    document,
    `cannot ${action} it: ${failure.detail}`,
    adviceFor(failure, serviceUrl),
    {
      retryable: failure.retryable,
      cause: error,
    },
  );
}

function adviceFor(failure: StorageFailure, serviceUrl?: string): string {
  const where = 'the state.blob connection (APPGW_STORAGE_CONNECTION in the Functions app)';
  if (failure.statusCode === 401 || failure.statusCode === 403) {
    return (
      `Check ${where}: its account key or SAS (a SAS needs read, write, create and list on the ` +
      'state container, and must not have expired), or give its identity "Storage Blob Data ' +
      'Contributor" on the state container.'
    );
  }
  if (failure.statusCode === undefined) {
    return failure.retryable
      ? `Check that ${storageReachableAdvice(where, serviceUrl)}; the next run tries again.`
      : `Check ${where} and its identity.`;
  }
  if (isLeaseRefusal(failure))
    return 'This app takes no lease on its state: writes to the document fail until that lease ends or is broken (the command above, once you know what holds it); the next run tries again.';
  if (failure.retryable) return 'The storage service is busy or failing; the next run tries again.';
  return `Check the state container name and ${where}.`;
}

/** The service answered 2xx without what it always sends (an ETag): not something a later run fixes. */
function unavailable(document: string, detail: string): StateUnavailableError {
  return new StateUnavailableError(document, detail, 'Check the storage service behind state.blob.', {
    retryable: false,
  });
}
