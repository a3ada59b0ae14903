/**
 * A throw-away certificate for the emulator. The Azure SDK refuses to send bearer tokens over plain
 * http, so the emulator must speak TLS; clients trust this certificate via `tlsOptions.ca` or the file.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { generate } from 'selfsigned';
import { errnoText } from '../adapters/files/errno-text';
import { obstacleText } from '../adapters/files/first-obstacle';
import { ScratchUnavailableError } from '../errors';
import { EMULATOR_CERT_FOLDER_PREFIX } from '../core/emulator-cert-folder';

export interface EmulatorCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** The certificate as a PEM file (in its own temp folder), for NODE_EXTRA_CA_CERTS or curl --cacert. */
  readonly caCertFile: string;
}

export async function createCertificate(): Promise<EmulatorCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000); // tolerate a little clock skew
  const notAfterDate = new Date(notBeforeDate.getTime() + 7 * 24 * 3600_000);
  // EC keys: generated in milliseconds, where RSA 2048 would slow every test that starts an emulator.
  const pems = await generate([{ name: 'commonName', value: 'appgw-insights emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  const where = path.join(os.tmpdir(), `${EMULATOR_CERT_FOLDER_PREFIX}…`);
  // A TMPDIR that cannot hold it is said as the run's temporary files say it (exit 2, what to do), not
  // a crash with a stack (a trial's TMPDIR, a link to nothing).
  const dir = await mkdtemp(path.join(os.tmpdir(), EMULATOR_CERT_FOLDER_PREFIX)).catch(
    async (error: unknown) => {
      const why = (await obstacleText(os.tmpdir(), error)) ?? errnoText(error);
      throw new ScratchUnavailableError(where, `cannot make it: ${why}`, { cause: error });
    },
  );
  const caCertFile = path.join(dir, 'emulator-ca.pem');
  await writeFile(caCertFile, pems.cert, { mode: 0o644 }).catch((error: unknown) => {
    throw new ScratchUnavailableError(caCertFile, `cannot write it: ${errnoText(error)}`, { cause: error });
  });
  return { certPem: pems.cert, keyPem: pems.private, caCertFile };
}
