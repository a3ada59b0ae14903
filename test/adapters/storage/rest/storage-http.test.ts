import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { inspect } from 'node:util';
import {
  createStorageHttp,
  STORAGE_API_VERSION,
  type StorageAuth,
  type StorageHttpOptions,
} from '../../../../src/adapters/storage/rest/storage-http';
import { createCertificate, type EmulatorCertificate } from '../../../../src/emulator/tls';
import { rejection, restError } from '../../../helpers/failures';

/** One request as the loopback server saw it. */
interface Seen {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

type Handler = (seen: Seen, index: number, response: ServerResponse) => void;

interface Stub {
  /** http(s)://127.0.0.1:<port>/account */
  readonly url: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

const servers = new Set<Server>();
afterAll(async () => {
  await Promise.all([...servers].map(closeServer));
});

function closeServer(server: Server): Promise<void> {
  servers.delete(server);
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A loopback server answering with `handler`, recording every request; https when given a certificate. */
async function stub(handler: Handler, certificate?: EmulatorCertificate): Promise<Stub> {
  const seen: Seen[] = [];
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: Seen = {
        method: request.method ?? '',
        url: new URL(request.url ?? '/', 'http://stub'),
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      seen.push(entry);
      handler(entry, seen.length - 1, response);
    });
  };
  const server: Server = certificate
    ? createHttpsServer({ cert: certificate.certPem, key: certificate.keyPem }, listener)
    : createHttpServer(listener);
  servers.add(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${certificate ? 'https' : 'http'}://127.0.0.1:${port}/account`,
    seen,
    close: () => closeServer(server),
  };
}

function answer(status: number, headers: Record<string, string> = {}, body = ''): Handler {
  return (_seen, _index, response) => {
    response.writeHead(status, { 'content-type': 'application/xml', ...headers });
    response.end(body);
  };
}

/** A TokenCredential that hands out `token` and records the scopes it was asked for. */
function fakeCredential(token: string): TokenCredential & { scopes: string[][] } {
  const scopes: string[][] = [];
  return {
    scopes,
    async getToken(requested: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
      scopes.push(Array.isArray(requested) ? [...requested] : [requested]);
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}

const SHARED_KEY: StorageAuth = {
  sharedKey: { accountName: 'account', accountKey: Buffer.from('a test key').toString('base64') },
};
const QUICK: StorageHttpOptions = { maxRetries: 0 };

const STORAGE_HTTP_SOURCE = path.resolve(__dirname, '../../../../src/adapters/storage/rest/storage-http.ts');

let certificate: EmulatorCertificate;
beforeAll(async () => {
  certificate = await createCertificate();
});

describe('storage http: Microsoft Entra bearer tokens', () => {
  test('over https: Authorization: Bearer <token> for https://storage.azure.com/.default, and x-ms-version', async () => {
    const server = await stub(answer(201), certificate);
    try {
      const credential = fakeCredential('token-for-storage');
      const http = createStorageHttp(
        server.url,
        { credential },
        { ...QUICK, tlsOptions: { ca: certificate.certPem } },
      );
      const result = await http.send({ method: 'PUT', path: 'container', query: { restype: 'container' } });
      expect(result.status).toBe(201);
      await http.send({ method: 'GET', path: 'container/blob.json' });

      expect(server.seen).toHaveLength(2);
      for (const seen of server.seen) {
        expect(seen.headers.authorization).toBe('Bearer token-for-storage');
        expect(seen.headers['x-ms-version']).toBe(STORAGE_API_VERSION);
      }
      expect(server.seen[0]?.url.pathname).toBe('/account/container');
      expect(server.seen[0]?.url.searchParams.get('restype')).toBe('container');
      expect(credential.scopes.length).toBeGreaterThanOrEqual(1);
      for (const scopes of credential.scopes) expect(scopes).toEqual(['https://storage.azure.com/.default']);
    } finally {
      await server.close();
    }
  });

  test('the https server is trusted through tlsOptions.ca only', async () => {
    const server = await stub(answer(200), certificate);
    try {
      // No per-try timer: the transport clears it only when an answer arrives, so after a failed
      // handshake it would keep jest waiting for the default 30 s.
      const http = createStorageHttp(server.url, { credential: fakeCredential('t') }, QUICK);
      const error = await rejection(http.send({ method: 'GET', path: 'c/b' }));
      expect(error).toBeInstanceOf(Error);
      expect(server.seen).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  test('over plain http a bearer token is refused: nothing reaches the server', async () => {
    const server = await stub(answer(201));
    try {
      const credential = fakeCredential('never-sent');
      const http = createStorageHttp(server.url, { credential }, QUICK);
      const error = await rejection(
        http.send({ method: 'PUT', path: 'container', query: { restype: 'container' } }),
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/non-https|non-TLS/);
      expect(server.seen).toHaveLength(0);
      expect(credential.scopes).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('storage http: answers', () => {
  test('a 503 with Retry-After: 0 is retried; the second answer counts', async () => {
    const handler: Handler = (_seen, index, response) =>
      index === 0
        ? answer(503, { 'retry-after': '0', 'x-ms-error-code': 'ServerBusy' })(_seen, index, response)
        : answer(201, { etag: '"0x1"' })(_seen, index, response);
    const server = await stub(handler);
    try {
      const http = createStorageHttp(server.url, SHARED_KEY, { maxRetries: 2 });
      const result = await http.send({ method: 'PUT', path: 'c/b', body: Buffer.from('payload') });
      expect(result.status).toBe(201);
      expect(result.header('etag')).toBe('"0x1"');
      expect(server.seen).toHaveLength(2);
      expect(server.seen.map((seen) => seen.body.toString())).toEqual(['payload', 'payload']);
    } finally {
      await server.close();
    }
  });

  test('with maxRetries 0 the 503 is the error: RestError 503 ServerBusy, one request', async () => {
    const handler: Handler = (_seen, index, response) =>
      index === 0
        ? answer(503, { 'retry-after': '0', 'x-ms-error-code': 'ServerBusy' })(_seen, index, response)
        : answer(201)(_seen, index, response);
    const server = await stub(handler);
    try {
      const http = createStorageHttp(server.url, SHARED_KEY, { maxRetries: 0 });
      const error = await restError(http.send({ method: 'PUT', path: 'c/b', body: Buffer.from('x') }));
      expect(error.statusCode).toBe(503);
      expect(error.code).toBe('ServerBusy');
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test('an error answer with x-ms-error-code: RestError with that code and status', async () => {
    const server = await stub(
      answer(
        404,
        { 'x-ms-error-code': 'ContainerNotFound' },
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>SomethingElse</Code><Message>no</Message></Error>',
      ),
    );
    try {
      const http = createStorageHttp(server.url, SHARED_KEY, QUICK);
      const error = await restError(http.send({ method: 'GET', path: 'c/b' }));
      expect(error).toMatchObject({ statusCode: 404, code: 'ContainerNotFound' });
      expect(error.message).toBe('Storage answered HTTP 404 ContainerNotFound.');
    } finally {
      await server.close();
    }
  });

  test('an XML error body without the header: the code comes from <Error><Code>', async () => {
    const server = await stub(
      answer(
        400,
        {},
        '<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidQueryParameterValue</Code><Message>bad</Message></Error>',
      ),
    );
    try {
      const http = createStorageHttp(server.url, SHARED_KEY, QUICK);
      const error = await restError(http.send({ method: 'GET', path: 'c', query: { comp: 'list' } }));
      expect(error).toMatchObject({ statusCode: 400, code: 'InvalidQueryParameterValue' });
    } finally {
      await server.close();
    }
  });

  test('an error without header or XML body: a RestError with the status and no code', async () => {
    const server = await stub(answer(500, { 'content-type': 'text/plain' }, 'boom'));
    try {
      const http = createStorageHttp(server.url, SHARED_KEY, QUICK);
      const error = await restError(http.send({ method: 'DELETE', path: 'c/b' }));
      expect(error.statusCode).toBe(500);
      expect(error.code).toBeUndefined();
      expect(error.message).toBe('Storage answered HTTP 500.');
    } finally {
      await server.close();
    }
  });

  test('accept: [409] returns the answer instead of throwing; other errors still throw', async () => {
    const server = await stub(
      answer(
        409,
        { 'x-ms-error-code': 'ContainerAlreadyExists' },
        '<Error><Code>ContainerAlreadyExists</Code></Error>',
      ),
    );
    try {
      const http = createStorageHttp(server.url, SHARED_KEY, QUICK);
      const result = await http.send({
        method: 'PUT',
        path: 'c',
        query: { restype: 'container' },
        accept: [409],
      });
      expect(result.status).toBe(409);
      expect(result.header('x-ms-error-code')).toBe('ContainerAlreadyExists');
      expect(result.bodyText).toBe('<Error><Code>ContainerAlreadyExists</Code></Error>');
      const error = await restError(
        http.send({ method: 'PUT', path: 'c', query: { restype: 'container' }, accept: [404] }),
      );
      expect(error).toMatchObject({ statusCode: 409, code: 'ContainerAlreadyExists' });
    } finally {
      await server.close();
    }
  });
});

describe('storage http: requests', () => {
  const SIG = 'S3cr3tSiGnAtUrE+/abc=';
  const SAS = `sv=2025-11-05&ss=b&srt=sco&sp=rwdlac&se=2030-01-01T00%3A00%3A00Z&sig=${encodeURIComponent(SIG)}`;

  test('SAS auth appends the SAS to the query, next to the request query, without an Authorization', async () => {
    const server = await stub(answer(200, {}, '<EnumerationResults/>'));
    try {
      const http = createStorageHttp(`${server.url}/`, { sas: SAS }, QUICK);
      expect(http.url).toBe(server.url);
      const result = await http.send({
        method: 'GET',
        path: 'c',
        query: { restype: 'container', comp: 'list', prefix: 'a/b', marker: undefined },
      });
      expect(result.bodyText).toBe('<EnumerationResults/>');
      const [seen] = server.seen;
      expect(seen?.url.pathname).toBe('/account/c');
      const query = seen?.url.searchParams;
      expect(query?.get('restype')).toBe('container');
      expect(query?.get('comp')).toBe('list');
      expect(query?.get('prefix')).toBe('a/b');
      expect(query?.has('marker')).toBe(false);
      expect(query?.get('sv')).toBe('2025-11-05');
      expect(query?.get('sp')).toBe('rwdlac');
      expect(query?.get('se')).toBe('2030-01-01T00:00:00Z');
      expect(query?.get('sig')).toBe(SIG);
      expect(seen?.headers.authorization).toBeUndefined();
      expect(seen?.headers['x-ms-version']).toBe(STORAGE_API_VERSION);
    } finally {
      await server.close();
    }
  });

  test("with SAS auth an error's message and inspection never show the signature", async () => {
    const server = await stub(
      answer(
        403,
        { 'x-ms-error-code': 'AuthenticationFailed' },
        '<Error><Code>AuthenticationFailed</Code></Error>',
      ),
    );
    try {
      const http = createStorageHttp(server.url, { sas: SAS }, QUICK);
      const error = await restError(http.send({ method: 'GET', path: 'c/b.json' }));
      expect(error).toMatchObject({ statusCode: 403, code: 'AuthenticationFailed' });
      expect(server.seen[0]?.url.searchParams.get('sig')).toBe(SIG); // it was sent
      const shown = [
        error.message,
        String(error),
        inspect(error),
        inspect(error, { depth: Infinity }),
        error.stack ?? '',
      ];
      // The request URL is part of the inspection, with the SAS values redacted by the pipeline.
      expect(inspect(error)).toContain('sig=REDACTED');
      for (const text of shown) {
        expect(text).not.toContain(SIG);
        expect(text).not.toContain(encodeURIComponent(SIG));
        expect(text).not.toContain('S3cr3tSiGnAtUrE');
      }
    } finally {
      await server.close();
    }
  });

  test('PUT without a body sends content-length 0; with a body its byte length; never chunked', async () => {
    const server = await stub(answer(201));
    try {
      const http = createStorageHttp(server.url, SHARED_KEY, QUICK);
      await http.send({ method: 'PUT', path: 'c', query: { restype: 'container' } });
      await http.send({ method: 'PUT', path: 'c/ü.txt', body: Buffer.from('ünï', 'utf8') });
      await http.send({ method: 'POST', path: 'q/messages' });
      const [empty, withBody, post] = server.seen;
      expect(empty?.method).toBe('PUT');
      expect(empty?.headers['content-length']).toBe('0');
      expect(empty?.headers['transfer-encoding']).toBeUndefined();
      expect(empty?.body).toHaveLength(0);
      expect(withBody?.headers['content-length']).toBe('5');
      expect(withBody?.headers['transfer-encoding']).toBeUndefined();
      expect(withBody?.body.toString('utf8')).toBe('ünï');
      expect(withBody?.url.pathname).toBe('/account/c/%C3%BC.txt');
      expect(post?.method).toBe('POST');
      expect(post?.headers['content-length']).toBe('0');
    } finally {
      await server.close();
    }
  });

  test('shared-key auth signs each request (SharedKey account:signature, x-ms-date) and sends the headers', async () => {
    const server = await stub(answer(200));
    try {
      const http = createStorageHttp(server.url, SHARED_KEY, QUICK);
      await http.send({
        method: 'GET',
        path: 'c/b',
        headers: { 'x-ms-range': 'bytes=0-9', 'if-match': undefined },
      });
      const [seen] = server.seen;
      expect(seen?.headers.authorization).toMatch(/^SharedKey account:[A-Za-z0-9+/]+=*$/);
      expect(seen?.headers['x-ms-date']).toEqual(expect.any(String));
      expect(seen?.headers['x-ms-version']).toBe(STORAGE_API_VERSION);
      expect(seen?.headers['x-ms-range']).toBe('bytes=0-9');
      expect(seen?.headers['if-match']).toBeUndefined();
      expect(seen?.headers['user-agent']).toMatch(/^appgw-insights /);
    } finally {
      await server.close();
    }
  });
});

describe('storage http: query strings and time limits', () => {
  test('query values are percent-encoded (%20 for a space, never +), so signatures match the service', async () => {
    const server = await stub(answer(200));
    try {
      const http = createStorageHttp(server.url, SHARED_KEY, QUICK);
      await http.send({ method: 'GET', path: 'c', query: { prefix: 'a b+c&d=e/', marker: 'x y' } });
      const raw = server.seen[0]?.url.search ?? '';
      expect(raw).toBe('?prefix=a%20b%2Bc%26d%3De%2F&marker=x%20y');
      expect(server.seen[0]?.url.searchParams.get('prefix')).toBe('a b+c&d=e/');
    } finally {
      await server.close();
    }
  });

  test('a try that gets no answer is aborted after requestTimeoutInMs (an AbortError, no status)', async () => {
    const server = await stub(() => undefined); // reads the request, never answers
    try {
      const http = createStorageHttp(server.url, SHARED_KEY, { maxRetries: 0, requestTimeoutInMs: 100 });
      const error = (await rejection(http.send({ method: 'GET', path: 'c/b' }))) as Error;
      expect(error.name).toBe('AbortError');
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test('a refused connection leaves no timer behind: a process exits on its own', () => {
    // The transport's own per-request timer outlives a try that fails without an answer; ours does not.
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `
        const fs = require('node:fs');
        const swc = require(${JSON.stringify(require.resolve('@swc/core'))});
        require.extensions['.ts'] = (module, filename) => module._compile(swc.transformSync(fs.readFileSync(filename, 'utf8'),
          { filename, module: { type: 'commonjs' }, jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }).code, filename);
        const { createStorageHttp } = require(${JSON.stringify(STORAGE_HTTP_SOURCE)});
        const net = require('node:net');
        const server = net.createServer();
        server.listen(0, '127.0.0.1', () => {
          const { port } = server.address();
          server.close(() => {
            createStorageHttp('http://127.0.0.1:' + port + '/a', { sas: 'sig=x' }, { maxRetries: 0 })
              .send({ method: 'GET', path: 'c' })
              .catch((error) => process.stdout.write(String(error.code)));
          });
        });`,
      ],
      { encoding: 'utf8', timeout: 15_000 },
    );
    expect(child.error).toBeUndefined(); // no ETIMEDOUT: it did not wait for a 30 s timer
    expect(child.stdout).toBe('ECONNREFUSED');
    expect(child.status).toBe(0);
  });
});
