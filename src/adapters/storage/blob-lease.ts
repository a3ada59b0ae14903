import { shellWord } from '../../core/shell-quote';
import type { BlobContainer, BlobService } from './rest/blob-service';

/**
 * Whether a storage answer refused a write because another holder has a lease on the blob (412/409 with
 * a `Lease…` code: LeaseIdMissing, LeaseAlreadyPresent …): no conflict that reading and writing again
 * ends, nor anything this app holds (a break trial's 412 said nothing, and the state took it for
 * another writer five times over). Blob service error codes:
 * learn.microsoft.com/rest/api/storageservices/blob-service-error-codes.
 */
export function isLeaseRefusal(failure: {
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
}): boolean {
  return (
    (failure.statusCode === 412 || failure.statusCode === 409) && failure.code?.startsWith('Lease') === true
  );
}

/** The blob a lease refusal was for: its container's URL (no query) and its name in the container. */
export interface LeasedBlob {
  readonly containerUrl: string;
  readonly blobName: string;
}

/** Errors of writes refused for a lease, with the blob each was for (withLeasedBlobsNamed). */
const leasedBlobs = new WeakMap<object, LeasedBlob>();

/** The blob `error` (a storage answer refused for another holder's lease) was for, when known. */
export function leasedBlobOf(error: unknown): LeasedBlob | undefined {
  return typeof error === 'object' && error !== null ? leasedBlobs.get(error) : undefined;
}

/**
 * `service` whose containers remember, of each write or delete refused for another holder's lease, which
 * blob it was for, so the failure can say which blob and how to break that lease (a break trial's
 * lease on one stored result was said as the failure of its folder, `write runs/<id>/gateways/`, with
 * `az storage blob lease break` and no arguments). The REST client (rest/) stays as it is: the errors
 * are noted here, not changed.
 */
export function withLeasedBlobsNamed(service: BlobService): BlobService {
  return {
    url: service.url,
    container: (name) => namingLeasedBlobs(service.container(name)),
  };
}

/**
 * Notes `blob` as what `error` was refused for, when it is a storage answer refused for another
 * holder's lease (any other error is left as it is): leasedBlobOf then names it. For writes made
 * elsewhere than a BlobContainer (the SDK's block uploads, blob-block-upload.ts).
 */
export function noteLeasedBlob(error: unknown, blob: LeasedBlob): void {
  if (typeof error !== 'object' || error === null) return;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  if (
    isLeaseRefusal({
      statusCode: typeof statusCode === 'number' ? statusCode : undefined,
      code: typeof code === 'string' ? code : undefined,
    })
  )
    leasedBlobs.set(error, blob);
}

function namingLeasedBlobs(container: BlobContainer): BlobContainer {
  const noting = async <T>(blobName: string, write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      noteLeasedBlob(error, { containerUrl: container.url, blobName });
      throw error;
    }
  };
  return {
    name: container.name,
    url: container.url,
    createIfNotExists: () => container.createIfNotExists(),
    upload: (blobName, body, options) => noting(blobName, () => container.upload(blobName, body, options)),
    download: (blobName) => container.download(blobName),
    listBlobNames: (options) => container.listBlobNames(options),
    deleteBlob: (blobName) => noting(blobName, () => container.deleteBlob(blobName)),
  };
}

/**
 * The Azure CLI command that breaks the lease on `blob`, to be pasted as is (each value one shell word):
 * `az storage blob lease break --account-name A --container-name C --blob-name B` for an account's own
 * endpoint (`https://A.blob.core.windows.net`, and the sovereign clouds' `A.blob.core.<suffix>`), else
 * with `--blob-endpoint` (Azurite's `http://127.0.0.1:10000/devstoreaccount1`, a custom domain).
 * Parameters as `az storage blob lease break` documents them (learn.microsoft.com/cli/azure/storage/blob/lease).
 */
export function leaseBreakCommand(blob: LeasedBlob): string {
  const url = new URL(blob.containerUrl);
  const segments = url.pathname.split('/').filter(Boolean);
  const container = decodeURIComponent(segments.pop() ?? '');
  const account = /^([a-z0-9]{3,24})\.blob\.core\./.exec(url.hostname)?.[1];
  const where: readonly [string, string] =
    account && segments.length === 0
      ? ['--account-name', account]
      : ['--blob-endpoint', `${url.origin}${segments.length ? `/${segments.join('/')}` : ''}`];
  const options: ReadonlyArray<readonly [string, string]> = [
    where,
    ['--container-name', container],
    ['--blob-name', blob.blobName],
  ];
  // A value that starts with `-` (a blob prefix may) is given as `--option=value`: az would read it as an option.
  const words = options.flatMap(([option, value]) =>
    value.startsWith('-') ? [shellWord(`${option}=${value}`)] : [option, shellWord(value)],
  );
  return ['az storage blob lease break', ...words].join(' ');
}
