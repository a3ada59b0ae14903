import fc from 'fast-check';
import { blobConnectionFromAppSettings } from '../../../src/adapters/storage/blob-client';
import { webhookUrlProblem } from '../../../src/adapters/webhooks/url-policy';
import { parseConfig } from '../../../src/config/load';
import { isLoopbackHost } from '../../../src/core/input/loopback-host';

/**
 * One rule for "is this loopback": plain http:// to a webhook receiver or a blob service URI, and the
 * emulator's development token, are allowed there only. Every case any of the three former checks
 * (config schema, blob client, webhook URL policy) knew, and the forms they disagreed on.
 */
const HOSTS: ReadonlyArray<[host: string, loopback: boolean, why: string]> = [
  ['localhost', true, 'the name'],
  ['LOCALHOST', true, 'names have no case'],
  ['LocalHost', true, 'names have no case'],
  ['127.0.0.1', true, 'IPv4 loopback'],
  ['127.0.0.2', true, '127.0.0.0/8 (the blob client knew 127.0.0.1 only)'],
  ['127.255.0.9', true, '127.0.0.0/8'],
  ['127.255.255.255', true, '127.0.0.0/8, its last address'],
  ['127.1', true, 'the URL parser reads it as 127.0.0.1, and Node connects there'],
  ['127.000.000.001', true, 'read as 127.0.0.1'],
  ['0x7f.0.0.1', true, 'hexadecimal, read as 127.0.0.1'],
  ['0177.0.0.1', true, 'octal, read as 127.0.0.1'],
  ['2130706433', true, 'one number, read as 127.0.0.1'],
  ['127.0.0.1.', true, 'a trailing dot on an address: still 127.0.0.1, no resolver asked'],
  ['[::1]', true, 'IPv6 loopback, as URL.hostname gives it'],
  ['::1', true, 'IPv6 loopback without brackets'],
  ['[0:0:0:0:0:0:0:1]', true, 'IPv6 loopback, long form'],
  ['0:0::1', true, 'IPv6 loopback, another spelling'],
  ['[::ffff:127.0.0.1]', true, 'IPv4-mapped 127.0.0.1: delivered to the IPv4 loopback'],
  ['::ffff:127.0.0.1', true, 'IPv4-mapped, without brackets'],
  ['[::ffff:7f00:1]', true, 'IPv4-mapped, as URL.hostname serialises it'],
  ['[::FFFF:127.9.8.7]', true, 'IPv4-mapped 127.0.0.0/8, upper case'],
  ['localhost.', false, 'a fully qualified name goes to the resolver (DNS may answer anything)'],
  ['app.localhost', false, 'a subdomain goes to the resolver'],
  ['localhost.example.com', false, 'another host'],
  ['127.0.0.1.nip.io', false, 'a DNS name that merely starts with 127'],
  ['1.127.0.0.1', false, 'not an address'],
  ['127.0.0.256', false, 'not an address'],
  ['128.0.0.1', false, 'outside 127.0.0.0/8'],
  ['126.255.255.255', false, 'outside 127.0.0.0/8'],
  ['10.0.0.1', false, 'a private address is still the network'],
  ['0.0.0.0', false, 'the unspecified address is not loopback'],
  ['[::]', false, 'the unspecified address is not loopback'],
  ['::', false, 'the unspecified address is not loopback'],
  ['[::2]', false, 'not ::1'],
  ['[::ffff:10.0.0.1]', false, 'IPv4-mapped, not 127.0.0.0/8'],
  ['[::127.0.0.1]', false, 'IPv4-compatible (deprecated), not loopback'],
  ['[fe80::1]', false, 'link-local'],
  ['', false, 'no host'],
  [' 127.0.0.1', false, 'not a bare host'],
  ['127.0.0.1:80', false, 'a port is not part of a host'],
  ['[::1]:80', false, 'a port is not part of a host'],
  ['127.0.0.1/x', false, 'a path is not part of a host'],
  ['user@127.0.0.1', false, 'user info is not part of a host'],
  ['evil.example#@127.0.0.1', false, 'not a bare host'],
];

describe('isLoopbackHost', () => {
  it.each(HOSTS)('%s → %s (%s)', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('every address in 127.0.0.0/8 is loopback, in dotted and IPv4-mapped form', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(octet, octet, octet, (b, c, d) => {
        const hex = (n: number) => n.toString(16).padStart(2, '0');
        return (
          isLoopbackHost(`127.${b}.${c}.${d}`) &&
          isLoopbackHost(`[::ffff:127.${b}.${c}.${d}]`) &&
          isLoopbackHost(`[::ffff:7f${hex(b)}:${hex(c)}${hex(d)}]`)
        );
      }),
    );
  });

  it('no other IPv4 address is', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(
        octet.filter((a) => a !== 127),
        octet,
        octet,
        octet,
        (a, b, c, d) =>
          !isLoopbackHost(`${a}.${b}.${c}.${d}`) && !isLoopbackHost(`[::ffff:${a}.${b}.${c}.${d}]`),
      ),
    );
  });
});

/** The three places that allow plain http:// or the development token ask the one rule, so they agree. */
describe.each([
  ['a webhook URL', (host: string) => webhookUrlProblem(`http://${host}:8080/hook`) === undefined],
  [
    'a blob service URI',
    (host: string) => {
      try {
        blobConnectionFromAppSettings('S', { S__blobServiceUri: `http://${host}:10000/devstoreaccount1` });
        return true;
      } catch {
        return false;
      }
    },
  ],
  [
    'the ARM endpoint of the development credential',
    (host: string) => {
      try {
        parseConfig({
          targets: ['/subscriptions/s'],
          arm: { endpoint: `https://${host}:8443`, credential: 'development' },
        });
        return true;
      } catch {
        return false;
      }
    },
  ],
])('%s over loopback only', (_door, allowed) => {
  // Hosts a URL can carry (a bare IPv6 address needs its brackets there, a port or path is the URL's).
  const inUrls = HOSTS.filter(([host]) => host !== '' && !/[\s/@#]|^[^[]*:|\]:/.test(host));

  it.each(inUrls)('%s → %s', (host, loopback) => {
    expect(allowed(host)).toBe(loopback);
  });
});
