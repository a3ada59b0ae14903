import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificate } from '../../src/emulator/tls';

/** A loopback HTTPS server answering 201 to everything, recording method, URL and Authorization. */
export async function startHttpsRecorder() {
  const certificate = await createCertificate();
  const requests: Array<{ method?: string; url?: string; authorization?: string }> = [];
  const server = https.createServer({ key: certificate.keyPem, cert: certificate.certPem }, (req, res) => {
    requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
    req.resume();
    res.writeHead(201).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca: certificate.certPem,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The Functions host's managed-identity endpoint (App Service protocol 2019-08-01), on loopback. */
export async function startTokenEndpoint() {
  const requests: URL[] = [];
  const server = http.createServer((req, res) => {
    requests.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    const expires = String(Math.floor(Date.now() / 1000) + 3600);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: 'mi-token', expires_on: expires, token_type: 'Bearer' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the identity endpoint does with one request: answer, reset the connection, or never answer. */
export type IdentityAnswer =
  { status: number; body: unknown; headers?: Record<string, string> } | 'reset' | 'hang';

/** A token answer as App Service gives it (`expires_on` in seconds, as a string). */
export const tokenAnswer = (token: string, inSeconds = 60): IdentityAnswer => ({
  status: 200,
  body: {
    access_token: token,
    expires_on: String(Math.floor(Date.now() / 1000) + inSeconds),
    resource: 'https://management.azure.com',
    token_type: 'Bearer',
  },
});

/**
 * The App Service / Functions managed-identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER, protocol
 * 2019-08-01) on loopback, answering each request as `answer` says. It checks the secret header like the
 * real one (401 without it) and records every request's URL and header.
 */
export async function startIdentityEndpoint(secretHeader: string) {
  const requests: Array<{ url: URL; header: string | undefined }> = [];
  let answer: (url: URL) => IdentityAnswer = () => tokenAnswer('mi-token');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const header = req.headers['x-identity-header'] as string | undefined;
    requests.push({ url, header });
    const reply: IdentityAnswer =
      header === secretHeader ? answer(url) : { status: 401, body: { message: 'bad header' } };
    if (reply === 'reset') return void req.socket.destroy();
    if (reply === 'hang') return;
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`,
    requests,
    /** How the next requests are answered. */
    answerWith(next: (url: URL) => IdentityAnswer) {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
