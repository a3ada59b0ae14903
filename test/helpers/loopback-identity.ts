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
