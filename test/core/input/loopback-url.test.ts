import { blobConnectionFromAppSettings } from '../../../src/adapters/storage/blob-client';
import { webhookUrlProblem } from '../../../src/adapters/webhooks/url-policy';
import { parseConfig } from '../../../src/config/load';
import { isLoopbackHost, isLoopbackUrl } from '../../../src/core/input/loopback-host';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';

/** Hosts as written in a URL, and whether they are this machine. */
const HOSTS: ReadonlyArray<readonly [string, boolean]> = [
  ['localhost', true],
  ['LOCALHOST', true],
  ['127.0.0.1', true],
  ['127.0.0.2', true],
  ['127.255.255.254', true],
  ['127.1', true], // a URL normalises it to 127.0.0.1
  ['[::1]', true],
  ['[0:0:0:0:0:0:0:1]', true], // normalised to [::1]
  ['10.0.0.1', false],
  ['128.0.0.1', false],
  ['0.0.0.0', false],
  ['localhost.example.com', false],
  ['127.0.0.1.example.com', false],
  ['[::2]', false],
  ['example.com', false],
];

describe('loopback: one rule', () => {
  it.each(HOSTS)('%s → %s', (host, loopback) => {
    expect(isLoopbackUrl(`http://${host}:8080/x`)).toBe(loopback);
    expect(isLoopbackHost(new URL(`http://${host}/`).hostname)).toBe(loopback);
  });

  it('is false for what is not an absolute URL', () => {
    expect(isLoopbackUrl('localhost')).toBe(false);
    expect(isLoopbackUrl('')).toBe(false);
  });

  // Each place that allows something to loopback only answers the same for every host.
  it.each(HOSTS)(
    '%s: webhook http://, storage http:// and the development credential agree',
    (host, loopback) => {
      expect(webhookUrlProblem(`http://${host}:9000/hook`) === undefined).toBe(loopback);

      const storage = () =>
        blobConnectionFromAppSettings('S', { S__blobServiceUri: `http://${host}:10000/devstoreaccount1` });
      if (loopback) expect(storage).not.toThrow();
      else expect(storage).toThrow('must use https (http only for a loopback emulator)');

      const arm = () =>
        parseConfig({ targets: [GW], arm: { endpoint: `https://${host}:8443`, credential: 'development' } });
      if (loopback) expect(arm).not.toThrow();
      else
        expect(arm).toThrow('"development" sends a fixed token and is only allowed with a loopback endpoint');
    },
  );
});
