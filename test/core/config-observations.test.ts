import type { CauseId } from '../../src/core/causes';
import {
  OBSERVATION_IDS,
  observeConfiguration,
  type ObservationId,
} from '../../src/core/config-observations';
import type { ResolvedProbe } from '../../src/core/probe-resolution';
import { probe, resolved, settings } from './config-fixtures';

interface Case {
  readonly name: string;
  readonly probe: ResolvedProbe;
  readonly cause: CauseId;
  readonly receivedStatus?: number;
  /** The gateway reports the server Partial. */
  readonly partial?: boolean;
  /** A text the observation must contain: the probe or setting it names, and the value. */
  readonly says?: readonly string[];
}

const https = { protocol: 'Https' } as const;

/** Per rule: cases where it speaks, and where it must not (the configuration explains nothing). */
const CASES: Readonly<Record<ObservationId, { triggers: Case[]; quiet: Case[] }>> = {
  // Issue 17's fourth trial: "trail.example " was sent as it is, and nothing said so.
  'host-has-edge-space': {
    triggers: [
      {
        name: "a custom probe's host with a trailing space, 400",
        probe: resolved(settings(), probe({ host: 'trail.example ' })),
        cause: 'status-code-mismatch',
        receivedStatus: 400,
        says: ['Probe "probe-a"', '"trail.example "', 'white space'],
      },
      {
        name: "a setting's SNI with a trailing space, CN mismatch",
        probe: resolved(
          settings({ protocol: 'Https', port: 443, hostName: 'tls.example ' }),
          probe({ protocol: 'Https', host: undefined, pickHostNameFromBackendHttpSettings: true }),
        ),
        cause: 'cert-cn-mismatch',
        says: ['"tls.example "'],
      },
    ],
    quiet: [
      {
        name: 'a host without edge spaces',
        probe: resolved(settings(), probe({ host: 'trail.example' })),
        cause: 'status-code-mismatch',
        receivedStatus: 400,
      },
      {
        name: 'the backend failing (5xx): a host name is not why',
        probe: resolved(settings(), probe({ host: 'trail.example ' })),
        cause: 'status-code-mismatch',
        receivedStatus: 503,
      },
    ],
  },
  // Issue 17's fifth trial: a host "shop.example.com:8443" got no word and no reproduction.
  'host-has-port': {
    triggers: [
      {
        name: "a custom probe's host with a port, 400",
        probe: resolved(settings(), probe({ host: 'shop.example.com:8443' })),
        cause: 'status-code-mismatch',
        receivedStatus: 400,
        says: ['Probe "probe-a" sets its host name to "shop.example.com:8443"', '("shop.example.com")'],
      },
      {
        name: "a setting's host name with a port, HTTPS, CN mismatch",
        probe: resolved(settings({ protocol: 'Https', port: 443, hostName: 'shop.example.com:443' })),
        cause: 'cert-cn-mismatch',
        says: [
          'Backend setting "settings-a" sets the host name to "shop.example.com:443"',
          'TLS server name',
        ],
      },
      // The final trial: the setting's host name had the port too, and only the probe's was said.
      {
        name: "the probe's host and the setting's host name, both with a port",
        probe: resolved(
          settings({ hostName: 'shop.example.com:8443' }),
          probe({ host: 'shop.example.com:8443' }),
        ),
        cause: 'status-code-mismatch',
        receivedStatus: 400,
        says: ['Backend setting "settings-a" sets its host name to "shop.example.com:8443" too'],
      },
    ],
    quiet: [
      {
        name: 'a host without a port',
        probe: resolved(settings(), probe({ host: 'shop.example.com' })),
        cause: 'status-code-mismatch',
        receivedStatus: 400,
      },
      {
        name: 'an IPv6 literal (its colons are no port)',
        probe: resolved(settings(), probe({ host: 'fd00::9' })),
        cause: 'status-code-mismatch',
        receivedStatus: 400,
      },
    ],
  },
  // Issue 17's third trial: a Partial server was offered a host name change for Host 127.0.0.1.
  'health-partial': {
    triggers: [
      {
        name: 'a Partial server whose configuration shows something',
        probe: resolved(settings()),
        cause: 'status-code-mismatch',
        receivedStatus: 400,
        partial: true,
        says: ['Partial', 'backend setting "settings-a"', 'no change to it is offered.'],
      },
      // Issue 17's fourth trial: it said "no change is offered", then offered a longer timeout.
      {
        name: 'a Partial server that times out: the longer timeout is the one change, and it says so',
        probe: resolved(settings()),
        cause: 'probe-timeout',
        partial: true,
        says: ['no change to it is offered but a longer timeout, for a backend slow at times.'],
      },
    ],
    quiet: [
      {
        name: 'an Unhealthy server',
        probe: resolved(settings()),
        cause: 'status-code-mismatch',
        receivedStatus: 400,
      },
      {
        name: 'a Partial server whose configuration shows nothing',
        probe: resolved(settings(), probe({ host: 'www.contoso.com' })),
        cause: 'tcp-connect',
        partial: true,
      },
    ],
  },
  'match-excludes-status': {
    triggers: [
      {
        name: 'custom match without 401',
        probe: resolved(settings(), probe()),
        cause: 'status-code-mismatch',
        receivedStatus: 401,
        says: ['Probe "probe-a"', '200-399', '401'],
      },
      {
        name: 'default probe, 403',
        probe: resolved(settings()),
        cause: 'status-code-mismatch',
        receivedStatus: 403,
        says: ['default probe of backend setting "settings-a"', '403'],
      },
    ],
    quiet: [
      {
        name: 'match includes the status',
        probe: resolved(settings(), probe({ statusCodes: ['200-399', '401'] })),
        cause: 'status-code-mismatch',
        receivedStatus: 401,
      },
      { name: 'status not stated', probe: resolved(settings(), probe()), cause: 'status-code-mismatch' },
    ],
  },
  // Issue 17's fifth trial: a match of 200-399, 404, 201 was told it leaves out 200, and offered it.
  'match-accepts-status': {
    triggers: [
      {
        name: 'a custom match that includes the status answered',
        probe: resolved(settings(), probe({ statusCodes: ['200-399', '404', '201'] })),
        cause: 'status-code-mismatch',
        receivedStatus: 404,
        says: ['Probe "probe-a" accepts status 200-399, 404, 201, which includes the 404', 'recheck'],
      },
      {
        name: 'the default probe, 204',
        probe: resolved(settings()),
        cause: 'status-code-mismatch',
        receivedStatus: 204,
        says: ['default probe of backend setting "settings-a" accepts status 200-399'],
      },
    ],
    quiet: [
      {
        name: 'a match without the status',
        probe: resolved(settings(), probe({ statusCodes: ['200'] })),
        cause: 'status-code-mismatch',
        receivedStatus: 204,
      },
      { name: 'status not stated', probe: resolved(settings(), probe()), cause: 'status-code-mismatch' },
    ],
  },
  'body-match-absent': {
    triggers: [
      {
        name: 'a custom probe with no body match',
        probe: resolved(settings(), probe()),
        cause: 'body-mismatch',
        says: ['Probe "probe-a" matches no response body', 'recheck'],
      },
      {
        name: 'the default probe (it never matches a body)',
        probe: resolved(settings()),
        cause: 'body-mismatch',
        says: ['default probe of backend setting "settings-a"'],
      },
    ],
    quiet: [
      {
        name: 'a body match set',
        probe: resolved(settings(), probe({ body: 'ok' })),
        cause: 'body-mismatch',
      },
    ],
  },
  // Issue 17's fifth trial: an SNI from the setting's sniName, and nothing said.
  'sni-differs-from-host': {
    triggers: [
      {
        name: "the default probe: the setting's SNI name differs from its host name",
        probe: resolved(
          settings({ protocol: 'Https', port: 443, hostName: 'www.example.com', sniName: 'sni.example.org' }),
        ),
        cause: 'cert-cn-mismatch',
        says: ['"sni.example.org"', `backend setting "settings-a"'s SNI name`, 'Host "www.example.com"'],
      },
    ],
    quiet: [
      {
        name: 'SNI and host the same',
        probe: resolved(settings({ protocol: 'Https', port: 443, hostName: 'www.example.com' })),
        cause: 'cert-cn-mismatch',
      },
      {
        name: 'another cause',
        probe: resolved(
          settings({ protocol: 'Https', port: 443, hostName: 'www.example.com', sniName: 'sni.example.org' }),
        ),
        cause: 'cert-expired',
      },
    ],
  },
  // Issue 17's fifth trial: "upload the root CA" to a setting that names one already.
  'trusted-root-not-reached': {
    triggers: [
      {
        name: 'a v2 setting with a trusted root, untrusted CA',
        probe: resolved(
          settings({
            protocol: 'Https',
            port: 443,
            hostName: 'www.example.com',
            trustedRootCertificateNames: ['root-a'],
          }),
        ),
        cause: 'cert-untrusted-ca',
        says: ['Backend setting "settings-a" already trusts root certificate(s) "root-a"'],
      },
    ],
    quiet: [
      {
        name: 'no trusted root',
        probe: resolved(settings({ protocol: 'Https', port: 443, hostName: 'www.example.com' })),
        cause: 'cert-untrusted-ca',
      },
      {
        name: 'a v1 gateway (authentication certificates)',
        probe: resolved(
          settings({
            protocol: 'Https',
            port: 443,
            hostName: 'www.example.com',
            trustedRootCertificateNames: ['root-a'],
          }),
          undefined,
          '10.0.0.5',
          'v1',
        ),
        cause: 'cert-untrusted-ca',
      },
      {
        name: 'an expired certificate (a root does not change that)',
        probe: resolved(
          settings({
            protocol: 'Https',
            port: 443,
            hostName: 'www.example.com',
            trustedRootCertificateNames: ['root-a'],
          }),
        ),
        cause: 'cert-expired',
      },
    ],
  },
  'body-match-required': {
    triggers: [
      {
        name: 'body match set',
        probe: resolved(settings(), probe({ body: 'healthy' })),
        cause: 'body-mismatch',
        says: ['Probe "probe-a"', '"healthy"'],
      },
    ],
    quiet: [
      {
        name: 'another cause',
        probe: resolved(settings(), probe({ body: 'healthy' })),
        cause: 'probe-timeout',
      },
    ],
  },
  'default-probe-localhost': {
    triggers: [
      {
        name: 'no host anywhere',
        probe: resolved(settings()),
        cause: 'status-code-mismatch',
        receivedStatus: 400,
        says: ['Backend setting "settings-a"', 'Host: 127.0.0.1'],
      },
    ],
    quiet: [
      {
        name: 'the backend answered 503 (its own error: fix the backend, not the host name)',
        probe: resolved(settings()),
        cause: 'status-code-mismatch',
        receivedStatus: 503,
      },
      {
        name: 'a TCP setting (connects only)',
        probe: resolved(settings({ protocol: 'Tcp' })),
        cause: 'other',
      },
      {
        name: 'settings host name',
        probe: resolved(settings({ hostName: 'www.contoso.com' })),
        cause: 'status-code-mismatch',
        receivedStatus: 400,
      },
      {
        name: 'pick from backend target',
        probe: resolved(settings({ pickHostNameFromBackendAddress: true }), undefined, 'app.contoso.com'),
        cause: 'status-code-mismatch',
        receivedStatus: 404,
      },
      {
        name: 'a time-out (a host name does not explain it)',
        probe: resolved(settings()),
        cause: 'probe-timeout',
      },
    ],
  },
  'probe-picks-missing-host': {
    triggers: [
      {
        name: 'probe picks, settings name none',
        probe: resolved(settings(), probe({ host: undefined, pickHostNameFromBackendHttpSettings: true })),
        cause: 'status-code-mismatch',
        receivedStatus: 404,
        says: ['Probe "probe-a"', 'backend setting "settings-a"'],
      },
    ],
    quiet: [
      {
        name: 'the backend answered 500 (its own error)',
        probe: resolved(settings(), probe({ host: undefined, pickHostNameFromBackendHttpSettings: true })),
        cause: 'status-code-mismatch',
        receivedStatus: 500,
      },
      {
        name: 'settings name one',
        probe: resolved(
          settings({ hostName: 'www.contoso.com' }),
          probe({ host: undefined, pickHostNameFromBackendHttpSettings: true }),
        ),
        cause: 'status-code-mismatch',
        receivedStatus: 404,
      },
    ],
  },
  'host-is-ip-address': {
    triggers: [
      {
        name: 'probe host is an IP',
        probe: resolved(settings(), probe({ host: '10.9.9.9' })),
        cause: 'body-mismatch',
        says: ['Probe "probe-a"', '10.9.9.9'],
      },
      {
        name: 'settings override with an IP',
        probe: resolved(settings({ hostName: '10.9.9.9' })),
        cause: 'status-code-mismatch',
        receivedStatus: 404,
        says: ['Backend setting "settings-a"'],
      },
      {
        name: 'pick from an IP backend target',
        probe: resolved(settings({ pickHostNameFromBackendAddress: true })),
        cause: 'status-code-mismatch',
        receivedStatus: 404,
        says: ['picks the host name from the backend target', '10.0.0.5'],
      },
    ],
    quiet: [
      {
        name: 'the backend answered 503 (its own error)',
        probe: resolved(settings({ hostName: '10.9.9.9' })),
        cause: 'status-code-mismatch',
        receivedStatus: 503,
      },
      {
        name: 'v1, a certificate name mismatch (v1 sends the backend address as SNI, not the Host)',
        probe: resolved(settings({ ...https, hostName: '10.9.9.9' }), undefined, 'www.contoso.com', 'v1'),
        cause: 'cert-cn-mismatch',
      },
      { name: 'a name', probe: resolved(settings(), probe()), cause: 'body-mismatch' },
      { name: 'the default 127.0.0.1 (its own rule)', probe: resolved(settings()), cause: 'body-mismatch' },
      {
        name: 'a TCP probe (no HTTP request, no Host)',
        probe: resolved(settings({ protocol: 'Tcp' }), probe({ protocol: 'Tcp', host: '10.9.9.9' })),
        cause: 'other',
      },
    ],
  },
  'https-without-server-name': {
    triggers: [
      {
        name: 'v2 HTTPS probe with an IP host',
        probe: resolved(settings(https), probe({ ...https, host: '10.9.9.9' })),
        cause: 'cert-cn-mismatch',
        says: ['Probe "probe-a"', '"10.9.9.9" is an IP address'],
      },
      {
        name: 'TLS probe (a handshake) with an IP host',
        probe: resolved(settings({ protocol: 'Tls' }), probe({ protocol: 'Tls', host: '10.9.9.9' })),
        cause: 'cert-cn-mismatch',
        says: ['Probe "probe-a" is TLS'],
      },
      {
        name: 'v1 HTTPS to an IP backend',
        probe: resolved(settings(https), probe(https), '10.0.0.5', 'v1'),
        cause: 'cert-cn-mismatch',
        says: [
          'v1 gateway',
          '10.0.0.5',
          'list the server in its backend pool by the name on its certificate',
        ],
      },
    ],
    quiet: [
      {
        name: 'HTTPS with a name',
        probe: resolved(settings(https), probe(https)),
        cause: 'cert-cn-mismatch',
      },
      {
        name: 'plain HTTP',
        probe: resolved(settings(), probe({ host: '10.9.9.9' })),
        cause: 'cert-cn-mismatch',
      },
      {
        name: 'a TLS probe with a server name',
        probe: resolved(
          settings({ protocol: 'Tls', hostName: 'tls.contoso.com' }),
          probe({ protocol: 'Tls', host: undefined, pickHostNameFromBackendHttpSettings: true }),
        ),
        cause: 'cert-cn-mismatch',
      },
    ],
  },
  'timeout-not-below-interval': {
    triggers: [
      {
        name: 'equal',
        probe: resolved(settings(), probe({ timeoutInS: 30, intervalInS: 30 })),
        cause: 'probe-timeout',
        says: ['Probe "probe-a"', '30 s'],
      },
      {
        name: 'above',
        probe: resolved(settings(), probe({ timeoutInS: 60, intervalInS: 30 })),
        cause: 'probe-timeout',
        says: ['60 s'],
      },
      // Issue 17's third trial: a timed-out server on the default probe got no observation at all.
      {
        name: "the default probe's own 30/30, for a time-out",
        probe: resolved(settings()),
        cause: 'probe-timeout',
        says: ['The default probe of backend setting', 'cannot be changed', 'only a custom probe'],
      },
    ],
    quiet: [
      {
        name: 'below',
        probe: resolved(settings(), probe({ timeoutInS: 29, intervalInS: 30 })),
        cause: 'probe-timeout',
      },
      {
        name: "the default probe's own 30/30, for a failure that is no time-out",
        probe: resolved(settings()),
        cause: 'other',
      },
    ],
  },
  'probe-port-differs': {
    triggers: [
      {
        name: 'v2 probe port differs',
        probe: resolved(settings({ port: 443, ...https }), probe({ port: 8443, ...https })),
        cause: 'tcp-connect',
        says: ['Probe "probe-a"', '8443', 'backend setting "settings-a"', '443'],
      },
      {
        name: 'v1 probe with a port',
        probe: resolved(settings({ port: 80 }), probe({ port: 8080 }), '10.0.0.5', 'v1'),
        cause: 'tcp-connect',
        says: ['only v2 gateways use'],
      },
    ],
    quiet: [
      {
        name: 'same port',
        probe: resolved(settings({ port: 80 }), probe({ port: 80 })),
        cause: 'tcp-connect',
      },
      { name: 'no port of its own', probe: resolved(settings({ port: 80 }), probe()), cause: 'tcp-connect' },
    ],
  },
  'probe-protocol-differs': {
    triggers: [
      {
        name: 'HTTP probe, HTTPS setting',
        probe: resolved(settings(https), probe()),
        cause: 'tcp-connect',
        says: ['Probe "probe-a" uses HTTP', 'backend setting "settings-a" uses HTTPS'],
      },
    ],
    quiet: [{ name: 'same protocol', probe: resolved(settings(https), probe(https)), cause: 'tcp-connect' }],
  },
  'protocol-port-unusual': {
    triggers: [
      {
        name: 'HTTPS to 80',
        probe: resolved(settings({ ...https, port: 80 }), probe(https)),
        cause: 'cert-verify-failed',
        says: ['HTTPS to port 80'],
      },
      {
        name: 'HTTP to 443',
        probe: resolved(settings({ port: 443 })),
        cause: 'status-code-mismatch',
        receivedStatus: 400,
        says: ['HTTP to port 443'],
      },
    ],
    quiet: [
      {
        name: 'HTTPS to 80, the certificate found expired (a certificate means HTTPS was spoken there)',
        probe: resolved(settings({ ...https, port: 80 }), probe(https)),
        cause: 'cert-expired',
      },
      ...(
        ['cert-cn-mismatch', 'cert-untrusted-ca', 'cert-chain-incomplete', 'cert-root-mismatch'] as const
      ).map((cause) => ({
        name: `HTTPS to 80, ${cause} (a certificate was received)`,
        probe: resolved(settings({ ...https, port: 80 }), probe(https)),
        cause,
      })),
      {
        name: 'HTTPS to 80, a status (HTTPS was answered)',
        probe: resolved(settings({ ...https, port: 80 }), probe(https)),
        cause: 'status-code-mismatch',
        receivedStatus: 404,
      },
      {
        name: 'HTTPS to 80, a body mismatch (HTTPS was answered)',
        probe: resolved(settings({ ...https, port: 80 }), probe({ ...https, body: 'ok' })),
        cause: 'body-mismatch',
      },
      {
        name: 'HTTPS to 443',
        probe: resolved(settings({ ...https, port: 443 }), probe(https)),
        cause: 'cert-verify-failed',
      },
    ],
  },
  'v1-trusted-root-certificate': {
    triggers: [
      {
        name: 'v1 with a trusted root',
        probe: resolved(
          settings({ ...https, trustedRootCertificateNames: ['root-a'] }),
          undefined,
          '10.0.0.5',
          'v1',
        ),
        cause: 'cert-untrusted-ca',
        says: ['Backend setting "settings-a"', '"root-a"', 'only v2'],
      },
    ],
    quiet: [
      {
        name: 'v1 with a trusted root, the certificate expired (no trust setting renews it)',
        probe: resolved(
          settings({ ...https, trustedRootCertificateNames: ['root-a'] }),
          undefined,
          '10.0.0.5',
          'v1',
        ),
        cause: 'cert-expired',
      },
      {
        name: 'v2 with a trusted root',
        probe: resolved(settings({ ...https, trustedRootCertificateNames: ['root-a'] })),
        cause: 'cert-untrusted-ca',
      },
      {
        name: 'v1 with an authentication certificate',
        probe: resolved(
          settings({ ...https, authenticationCertificateNames: ['auth-a'] }),
          undefined,
          '10.0.0.5',
          'v1',
        ),
        cause: 'cert-untrusted-ca',
      },
    ],
  },
  'v1-no-authentication-certificate': {
    triggers: [
      {
        name: 'v1 HTTPS with no certificate at all',
        probe: resolved(settings(https), undefined, '10.0.0.5', 'v1'),
        cause: 'cert-untrusted-ca',
        says: ['Backend setting "settings-a"', 'no authentication certificate', 'v1'],
      },
    ],
    quiet: [
      {
        name: 'v1 with an authentication certificate',
        probe: resolved(
          settings({ ...https, authenticationCertificateNames: ['auth-a'] }),
          undefined,
          '10.0.0.5',
          'v1',
        ),
        cause: 'cert-untrusted-ca',
      },
      {
        name: 'v1 with a trusted root instead (the rule for that says it)',
        probe: resolved(
          settings({ ...https, trustedRootCertificateNames: ['root-a'] }),
          undefined,
          '10.0.0.5',
          'v1',
        ),
        cause: 'cert-untrusted-ca',
      },
      {
        name: 'v2 with no certificate',
        probe: resolved(settings(https)),
        cause: 'cert-untrusted-ca',
      },
      {
        name: 'v1 HTTP',
        probe: resolved(settings(), undefined, '10.0.0.5', 'v1'),
        cause: 'cert-untrusted-ca',
      },
      {
        name: 'v1 HTTPS, an expired certificate (no certificate setting renews it)',
        probe: resolved(settings(https), undefined, '10.0.0.5', 'v1'),
        cause: 'cert-expired',
      },
    ],
  },
  'v2-authentication-certificate': {
    triggers: [
      {
        name: 'v2 with only an authentication certificate',
        probe: resolved(settings({ ...https, authenticationCertificateNames: ['auth-a'] })),
        cause: 'cert-root-mismatch',
        says: ['"auth-a"'],
      },
    ],
    quiet: [
      {
        name: 'a name mismatch (a trusted root does not change the name)',
        probe: resolved(settings({ ...https, authenticationCertificateNames: ['auth-a'] })),
        cause: 'cert-cn-mismatch',
      },
      {
        name: 'v2 with a trusted root too',
        probe: resolved(
          settings({
            ...https,
            authenticationCertificateNames: ['auth-a'],
            trustedRootCertificateNames: ['root-a'],
          }),
        ),
        cause: 'cert-root-mismatch',
      },
    ],
  },
  'v2-no-trusted-root': {
    triggers: [
      {
        name: 'v2 HTTPS, no root',
        probe: resolved(settings(https)),
        cause: 'cert-untrusted-ca',
        says: ['Backend setting "settings-a" has no trusted root certificate'],
      },
    ],
    quiet: [
      {
        name: 'a root is set',
        probe: resolved(settings({ ...https, trustedRootCertificateNames: ['root-a'] })),
        cause: 'cert-untrusted-ca',
      },
      {
        name: 'v1 (authentication certificates instead)',
        probe: resolved(settings(https), undefined, '10.0.0.5', 'v1'),
        cause: 'cert-untrusted-ca',
      },
    ],
  },
  'probe-sends-proxy-header': {
    triggers: [
      {
        name: 'a TLS probe with enableProbeProxyProtocolHeader, the backend refusing it',
        probe: resolved(settings(https), probe({ name: 'l4', protocol: 'Tls', proxyProtocolHeader: true })),
        cause: 'proxy-protocol',
        says: ['Probe "l4" sends a PROXY protocol header before anything else', 'on port 80'],
      },
      {
        name: 'a TCP probe with it, connection refused',
        probe: resolved(settings(), probe({ name: 't4', protocol: 'Tcp', proxyProtocolHeader: true })),
        cause: 'tcp-connect',
        says: ['Probe "t4" sends a PROXY protocol header'],
      },
    ],
    quiet: [
      {
        name: 'the certificate found expired (a certificate was received: the header was read)',
        probe: resolved(settings(https), probe({ name: 'l4', protocol: 'Tls', proxyProtocolHeader: true })),
        cause: 'cert-expired',
      },
      {
        name: 'the TLS probe does not send it',
        probe: resolved(settings(https), probe({ name: 'l4', protocol: 'Tls', proxyProtocolHeader: false })),
        cause: 'proxy-protocol',
      },
      {
        name: 'an HTTPS probe (the flag applies to TCP and TLS only)',
        probe: resolved(settings(https), probe({ protocol: 'Https', proxyProtocolHeader: true })),
        cause: 'tcp-connect',
      },
    ],
  },
  'tls-probe-sni-from-settings': {
    triggers: [
      {
        name: 'a TLS probe picking its SNI from the setting, CN mismatch',
        probe: resolved(
          settings({ ...https, hostName: 'tls.contoso.com' }),
          probe({ name: 'l4', protocol: 'Tls', host: undefined, pickHostNameFromBackendSettings: true }),
        ),
        cause: 'cert-cn-mismatch',
        says: [
          'Probe "l4" takes its TLS server name from backend setting "settings-a"',
          'it sends "tls.contoso.com"',
        ],
      },
    ],
    quiet: [
      {
        name: 'a TLS probe with its own host',
        probe: resolved(
          settings({ ...https, hostName: 'tls.contoso.com' }),
          probe({
            name: 'l4',
            protocol: 'Tls',
            host: 'own.contoso.com',
            pickHostNameFromBackendSettings: false,
          }),
        ),
        cause: 'cert-cn-mismatch',
      },
    ],
  },
};

const ids = (c: Case) =>
  observeConfiguration(c.probe, {
    causeId: c.cause,
    ...(c.receivedStatus !== undefined ? { receivedStatus: c.receivedStatus } : {}),
    ...(c.partial ? { partial: true } : {}),
  });

describe('what we see in your configuration: each rule', () => {
  it('has cases for every rule, each with one that triggers it and one that does not', () => {
    expect(Object.keys(CASES).sort()).toEqual([...OBSERVATION_IDS].sort());
    for (const { triggers, quiet } of Object.values(CASES)) {
      expect(triggers.length).toBeGreaterThan(0);
      expect(quiet.length).toBeGreaterThan(0);
    }
  });

  describe.each(Object.entries(CASES))('%s', (id, { triggers, quiet }) => {
    it.each(triggers.map((c) => [c.name, c] as const))('speaks: %s', (_, c) => {
      const found = ids(c).find((o) => o.id === id);
      expect(found).toBeDefined();
      for (const text of c.says ?? []) expect(found?.text).toContain(text);
    });
    it.each(quiet.map((c) => [c.name, c] as const))('is quiet: %s', (_, c) => {
      expect(ids(c).map((o) => o.id)).not.toContain(id);
    });
  });

  it('names the probe or setting in every observation', () => {
    for (const { triggers } of Object.values(CASES)) {
      for (const c of triggers) {
        for (const o of ids(c))
          expect(o.text).toMatch(/(Probe|probe|Backend setting|backend setting) "[^"]+"/);
      }
    }
  });

  // Issue 17's fifth trial: "the path is not a page the backend serves" beside "the probe uses HTTPS,
  // the setting HTTP": with the request's target named wrong, the path only may be.
  it.each([
    ['the protocol differs', resolved(settings(), probe({ protocol: 'Https' })), 'probe-protocol-differs'],
    [
      'no host name to send',
      resolved(settings(), probe({ host: undefined, pickHostNameFromBackendHttpSettings: true })),
      'probe-picks-missing-host',
    ],
  ] as const)('a 404 with %s: the path "may" be wrong, not "is"', (_, p, other) => {
    const seen = observeConfiguration(p, { causeId: 'status-code-mismatch', receivedStatus: 404 });
    expect(seen.map((o) => o.id)).toContain(other);
    const match = seen.find((o) => o.id === 'match-excludes-status');
    expect(match?.text).toContain(
      'the path "/health" may not be a page the backend serves, or the request reaches another site',
    );
    expect(match?.text).not.toContain('is not a page');
  });

  it('a 404 with nothing else wrong: the path is not a page the backend serves', () => {
    const seen = observeConfiguration(resolved(settings(), probe()), {
      causeId: 'status-code-mismatch',
      receivedStatus: 404,
    });
    expect(seen.find((o) => o.id === 'match-excludes-status')?.text).toContain(
      'is not a page the backend serves',
    );
  });

  it('says nothing about causes the configuration cannot explain', () => {
    const wide = resolved(
      settings({ ...https, port: 80 }),
      probe({ host: '10.9.9.9', port: 8080, timeoutInS: 60 }),
    );
    for (const cause of ['dns-resolution', 'health-unknown', 'draining'] as const)
      expect(observeConfiguration(wide, { causeId: cause })).toEqual([]);
  });
});
