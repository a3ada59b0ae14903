import {
  accountNameProblem,
  clientIdProblem,
  serviceUriProblem,
  storageNameProblem,
} from '../core/input/storage-names';
import * as z from '../core/input/zod';
import { fromEnvSchema } from '../core/input/from-env';

/**
 * How to reach a storage account, as in the Functions app-settings convention: a connection string
 * (`UseDevelopmentStorage=true` for Azurite), or, identity-based, an account name / blob service URI
 * with an optional user-assigned identity. A connection string may be `{ "fromEnv": "NAME" }`.
 */
/** A string that follows one of storage-names.ts's rules, refused in that rule's own words. */
const following = (problemOf: (value: string) => string | undefined) =>
  z.string().check(
    z.superRefine((value: string, ctx) => {
      const problem = problemOf(value);
      if (problem) ctx.addIssue({ code: 'custom', input: value, message: problem });
    }),
  );

const connectionShape = {
  connectionString: z.optional(z.union([z.string().check(z.minLength(1)), fromEnvSchema])),
  accountName: z.optional(following(accountNameProblem)),
  blobServiceUri: z.optional(following(serviceUriProblem)),
  clientId: z.optional(following(clientIdProblem)),
  credential: z.optional(z.literal('managedidentity')),
};

function exactlyOneConnection(
  value: { connectionString?: unknown; accountName?: unknown; blobServiceUri?: unknown },
  ctx: z.core.$RefinementCtx,
) {
  const given = (['connectionString', 'accountName', 'blobServiceUri'] as const).filter(
    (k) => value[k] !== undefined,
  );
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        given.length === 0
          ? 'give one of "connectionString", "accountName" or "blobServiceUri"'
          : `give only one of ${given.map((k) => `"${k}"`).join(', ')}`,
    });
  }
}

const CONTAINER = following((name) => storageNameProblem(name));

export const blobSinkSchema = z
  .strictObject({
    ...connectionShape,
    container: z._default(CONTAINER, 'insights'),
    prefix: z.optional(z.string()),
  })
  .check(z.superRefine(exactlyOneConnection));

export const blobStateSchema = z
  .strictObject({
    ...connectionShape,
    container: z._default(CONTAINER, 'appgw-state'),
    /** Folder in the container: one document per gateway, `<prefix><subscription>/<rg>/<gateway>.json`. */
    prefix: z._default(z.string().check(z.minLength(1)), 'notify/'),
  })
  .check(z.superRefine(exactlyOneConnection));

/**
 * The status page's container: a container name, or `$web`, the container a storage account's static
 * website serves (learn.microsoft.com/azure/storage/blobs/storage-blob-static-website).
 */
export const statusContainerSchema = following((name) =>
  name === '$web' ? undefined : storageNameProblem(name)?.replace(/^must be /, 'must be "$web" or '),
);

export type BlobSinkConfig = z.infer<typeof blobSinkSchema>;
export type BlobStateConfig = z.infer<typeof blobStateSchema>;
export type StorageConnectionConfig = Pick<BlobSinkConfig, keyof typeof connectionShape>;
