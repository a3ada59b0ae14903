import fc from 'fast-check';
import guide from '../fixtures/probe-logs/troubleshooting-guide.json';
import { CATALOGUE, CAUSE_IDS, GUIDE_URL, isCauseId, type CauseId } from '../../src/core/causes';
import {
  PROBE_RULES,
  classifyCause,
  matchProbeLog,
  normaliseProbeLog,
  parseReceivedStatus,
} from '../../src/core/classify';
import type { HealthState } from '../../src/core/model';

interface GuideRow {
  readonly version: string;
  readonly message: string;
  readonly cause: string;
}

const rows: readonly GuideRow[] = guide;

const unhealthy = (probeLog: string) => classifyCause({ state: 'unhealthy', probeLog });

/*
 * Every probe message of every stored version of Microsoft's troubleshooting guide, one row each
 * (test/fixtures/probe-logs/troubleshooting-guide.json; the version column names repo@commit or date):
 * - MicrosoftDocs/SupportArticles-docs @2026-08-28 (index id 62611516373), @1b146962 (2026-08-04), @8cd90d5e (2025-12-09)
 * - xtqqczze/MicrosoftDocs-azure-docs @1a0a7ee2 (mirror of azure-docs, 2025-07-22)
 * - MicrosoftDocs/azure-docs @0012c21b (2024-03-08), @2023-08-22 (index id 869875840), @3b2ef3e9 (2020-06-09),
 *   and the first version @2019-08-30 (index id 5003667963)
 * - changeworld/azure-docs.ja-jp @0a868607 (quotes the 2019-2020 English messages)
 * Messages are as rendered: markdown escapes (\'), bold markers and soft line breaks removed.
 */
describe('troubleshooting guide messages (fixture)', () => {
  it('has every version and known causes only', () => {
    expect(rows.length).toBeGreaterThan(150);
    expect(new Set(rows.map((r) => r.version)).size).toBe(9);
    for (const row of rows) expect(isCauseId(row.cause)).toBe(true);
  });

  it.each(rows.map((r) => [r.cause, r.version, r.message] as const))(
    '%s ← %s: %s',
    (cause, _version, message) => {
      expect(unhealthy(message).id).toBe(cause);
    },
  );

  it('covers every log-derived cause', () => {
    const covered = new Set(rows.map((r) => r.cause));
    const fromLogs = CAUSE_IDS.filter((id) => id !== 'draining' && id !== 'other');
    expect([...covered].sort()).toEqual([...fromLogs].sort());
  });

  it('classifies the raw markdown of the guide the same as its rendered text', () => {
    const raw = [
      // azure-docs@2019-08-30, as written in the markdown source
      [
        "Time taken by the backend to respond to application\ngateway\\'s health probe is more than the time-out threshold in the probe\nsetting.",
        'probe-timeout',
      ],
      // SupportArticles-docs@1b146962, with its bold markers
      [
        'The **Intermediate certificate is missing** from the certificate chain presented by the backend server.',
        'cert-chain-incomplete',
      ],
      [
        'The backend **Server certificate** isn\u2019t signed by a well-known Certificate Authority (CA).',
        'cert-untrusted-ca',
      ],
      [
        'Backend certificate is invalid. Current date is not within\nthe \\"Valid from\\" and \\"Valid to\\" date range on the certificate.',
        'cert-expired',
      ],
    ] as const;
    for (const [message, cause] of raw) expect(unhealthy(message).id).toBe(cause);
  });
});

describe('live-style messages', () => {
  it.each<[string, CauseId]>([
    // Live gateway output quoted in a public write-up (v2, 2020s)
    [
      "Time taken by the backend to respond to application gateway's health probe is more than the time-out threshold in the probe configuration. Either increase the time-out threshold in the probe configuration or resolve the backend issues. Note: for default probe, the http timeout is 30s. To learn more visit - https://aka.ms/ProbeTimeOut.",
      'probe-timeout',
    ],
    [
      "Time taken by the backend to respond to application gateway's probe is more than the time-out threshold in the probe setting.",
      'probe-timeout',
    ],
    ['Backend server timed out', 'probe-timeout'],
    [
      'TIME TAKEN BY THE BACKEND TO RESPOND TO APPLICATION GATEWAY\u2019S HEALTH PROBE IS MORE THAN 30 SECONDS',
      'probe-timeout',
    ],
    [
      'Cannot connect to backend server. Check whether any NSG/UDR/Firewall is blocking access to the server. Check if application is running on correct port. To learn more visit - https://aka.ms/servernotreachable.',
      'tcp-connect',
    ],
    ["Application Gateway couldn't connect to the backend 10.0.1.4:8443", 'tcp-connect'],
    [
      'application gateway could not create a probe for this backend (backend.contoso.internal)',
      'dns-resolution',
    ],
    ['DNS resolution error', 'dns-resolution'],
    // the guide's section headings, as operators and tools quote them
    ['TCP connect error', 'tcp-connect'],
    ['Backend server timeout', 'probe-timeout'],
    [
      'Body of the backend\u2019s HTTP response did not match the probe setting. Received response body doesn\u2019t contain healthy',
      'body-mismatch',
    ],
    // a filled-in body string that looks like another cause must not win
    ['Received response body does not contain "timeout=false"', 'body-mismatch'],
    [
      'The Common Name of the leaf certificate presented by the backend server does not match the Probe or Backend Setting hostname (www.contoso.com) of the application gateway',
      'cert-cn-mismatch',
    ],
    ['the common name (cn) of the backend certificate doesnt match', 'cert-cn-mismatch'],
    ['Backend certificate is invalid / expired', 'cert-expired'],
    ['The backend certificate has expired', 'cert-expired'],
    ['The intermediate certificate was missing', 'cert-chain-incomplete'],
    [
      'The backend server is presenting an incomplete certificate chain, including only the leaf certificate. Please ensure that the certificate chain is fully configured with all necessary certificates in the correct order.',
      'cert-chain-incomplete',
    ],
    [
      'The leaf certificate is missing from the certificate chain presented by the backend server. Please ensure that the certificate chain is complete and correctly ordered.',
      'cert-chain-incomplete',
    ],
    ['The leaf must be the topmost certificate', 'cert-chain-incomplete'],
    ['The Leaf certificate is NOT the topmost certificate in the chain', 'cert-chain-incomplete'],
    ['Backend server certificate invalid CA', 'cert-untrusted-ca'],
    ['Backend server certificate is not signed by a well-known CA', 'cert-untrusted-ca'],
    [
      'The backend server certificate is not signed by a well-known Certificate Authority (CA). To use unknown CA certificates, its Root certificate must be uploaded to the Backend Setting of the application gateway.',
      'cert-untrusted-ca',
    ],
    [
      'The Intermediate certificate is not signed by a well known Certificate Authority (CA)',
      'cert-untrusted-ca',
    ],
    [
      "The root certificate of the server certificate used by the backend doesn't match the trusted root certificate added to the application gateway",
      'cert-root-mismatch',
    ],
    [
      "The server certificate used by the backend isn't signed by the trusted root certificate",
      'cert-root-mismatch',
    ],
    [
      'Backend server certificate is not whitelisted with Application Gateway. Make sure that the certificate uploaded to Application Gateway matches with the certificate configured in your backend server. To learn more visit - https://aka.ms/authcertificatemismatch',
      'cert-root-mismatch',
    ],
    ['Unable to verify the backend certificate', 'cert-verify-failed'],
    [
      "The validity of the backend certificate couldn't be verified. To find out the reason, check OpenSSL diagnostics for the message associated with error code 20",
      'cert-verify-failed',
    ],
    [
      'Backend certificate has been marked invalid. Either the certificate is not within its validity period, or it has been revoked by the issuing authority, or there is a problem with the certificate chain.',
      'cert-verify-failed',
    ],
    [
      'verify that the backend server is set up to accept the proxy protocol header sent by the probes',
      'proxy-protocol',
    ],
    [
      'The backend health status could not be retrieved. This happens when an NSG/UDR/Firewall on the application gateway subnet is blocking traffic on ports 65503-65534 (v1 SKU) and ports 65200-65535 (v2 SKU). This error can also occur if the FQDN configured in the backend pool could not be resolved to an IP address. To learn more visit - https://aka.ms/UnknownBackendHealth.',
      'health-unknown',
    ],
  ])('%s → %s', (message, cause) => {
    expect(unhealthy(message).id).toBe(cause);
  });

  it('tolerates "is not"/"isn\'t", capitals and a missing final period', () => {
    const forms = [
      "The backend Server certificate isn't signed by a well-known Certificate Authority (CA).",
      'The backend Server certificate is not signed by a well-known Certificate Authority (CA)',
      'THE BACKEND SERVER CERTIFICATE IS NOT SIGNED BY A WELL-KNOWN CERTIFICATE AUTHORITY (CA).',
      'the backend server certificate isn\u2019t signed by a well-known certificate authority (ca)',
    ];
    for (const form of forms) expect(unhealthy(form).id).toBe('cert-untrusted-ca');
  });
});

describe('status codes', () => {
  it.each<[string, number | undefined]>([
    ["Received invalid status code: 401 in the backend server's HTTP response.", 401],
    [
      "Received invalid status code: 404 in the backend server's HTTP response. As per the health probe configuration, 200-399 is the acceptable status code.",
      404,
    ],
    ["Received invalid status code: 502 in the backend server's HTTP response.", 502],
    ['Received 503 status code', 503],
    ['Probe status code mismatch: Received 403', 403],
    [
      "Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 Received:301.",
      301,
    ],
    [
      "Status code of the backend's HTTP response did not match the probe setting. Expected:200 Received: 500",
      500,
    ],
    [
      "Status code of the backend's HTTP response did not match the probe setting. Expected:{HTTPStatusCode0} Received:{HTTPStatusCode1}.",
      undefined,
    ],
    ['HTTP status code mismatch', undefined],
  ])('%s → %s', (message, status) => {
    const cause = unhealthy(message);
    expect(cause.id).toBe('status-code-mismatch');
    expect(cause.receivedStatus).toBe(status);
    expect(parseReceivedStatus(message)).toBe(status);
    if (status === undefined) expect('receivedStatus' in cause).toBe(false);
    else expect(cause.title).toContain(String(status));
  });

  it('gives steps for the received code', () => {
    const first = (status: number) =>
      unhealthy(`Probe status code mismatch: Received ${status}`).steps[0] ?? '';
    expect(first(401)).toMatch(/credentials/);
    expect(first(403)).toMatch(/forbidden/);
    expect(first(404)).toMatch(/Path and Host/);
    expect(first(405)).toMatch(/GET/);
    expect(first(302)).toMatch(/redirect/);
    expect(first(500)).toMatch(/application itself is failing/);
    expect(first(503)).toMatch(/503/);
    expect(first(400)).toMatch(/Host header/);
    expect(first(418)).toMatch(/HTTP 418/);
    expect(first(200)).toMatch(/status code match/);
  });

  it('puts receivedStatus on status-code-mismatch only', () => {
    for (const row of rows) {
      const cause = unhealthy(row.message);
      if (cause.id !== 'status-code-mismatch') expect(cause.receivedStatus).toBeUndefined();
    }
  });
});

describe('states', () => {
  it('draining wins over any message, and keeps it', () => {
    expect(classifyCause({ state: 'draining', probeLog: '' }).id).toBe('draining');
    const cause = classifyCause({ state: 'draining', probeLog: 'TCP connect error: could not connect' });
    expect(cause.id).toBe('draining');
    expect(cause.steps.join('\n')).toContain('could not connect');
  });

  it('unknown without a recognised message is health-unknown, keeping the message', () => {
    expect(classifyCause({ state: 'unknown', probeLog: '' }).id).toBe('health-unknown');
    const odd = classifyCause({ state: 'unknown', probeLog: 'Something new happened' });
    expect(odd.id).toBe('health-unknown');
    expect(odd.steps.join('\n')).toContain('Something new happened');
    expect(classifyCause({ state: 'unknown', probeLog: 'Success. Received 200 status code' }).id).toBe(
      'health-unknown',
    );
  });

  it('unknown with a recognised message gives that cause', () => {
    const dns =
      'Application Gateway could not create a probe for this backend. This usually happens when the FQDN of the backend is not entered correctly.';
    expect(classifyCause({ state: 'unknown', probeLog: dns }).id).toBe('dns-resolution');
  });

  it('a success message on an unhealthy server is not a cause', () => {
    const cause = unhealthy('Success. Received 200 status code');
    expect(cause.id).toBe('other');
    expect(cause.receivedStatus).toBeUndefined();
    expect(cause.steps.join('\n')).toMatch(/reports success/);
    expect(cause.title).toMatch(/last probe succeeded/);
    expect(unhealthy('success. received 302 status code').id).toBe('other');
  });

  it('an empty message on an unhealthy server is other', () => {
    for (const log of ['', '   ', '\n']) {
      const cause = unhealthy(log);
      expect(cause.id).toBe('other');
      expect(cause.title).toMatch(/gives no reason/);
      expect(cause.steps.join('\n')).not.toMatch(/no probe message/);
    }
  });

  it('an unrecognised message is other and kept verbatim', () => {
    const log = 'Backend returned a teapot, see https://example.invalid/x?y=1';
    const cause = unhealthy(log);
    expect(cause.id).toBe('other');
    expect(cause.steps[0]).toContain(log);
    expect(cause.docUrl).toBe(GUIDE_URL);
  });

  it('classifies the message whatever the other states', () => {
    for (const state of ['healthy', 'partial', 'unrecognised'] as const) {
      expect(classifyCause({ state, probeLog: 'Backend server timed out' }).id).toBe('probe-timeout');
    }
  });
});

describe('catalogue and rules', () => {
  it('has an entry with concrete steps and a learn.microsoft.com link for every id', () => {
    for (const id of CAUSE_IDS) {
      const entry = CATALOGUE[id];
      expect(entry.title.length).toBeGreaterThan(10);
      expect(entry.steps.length).toBeGreaterThanOrEqual(2);
      expect(entry.docUrl).toMatch(/^https:\/\/learn\.microsoft\.com\//);
    }
  });

  it('links certificate causes to their guide section', () => {
    expect(unhealthy('The Leaf certificate isn\u2019t the topmost certificate').docUrl).toBe(
      `${GUIDE_URL}#leaf-must-be-topmost-in-chain`,
    );
    expect(unhealthy('The Intermediate certificate is missing from the chain').docUrl).toBe(
      `${GUIDE_URL}#the-intermediate-certificate-wasnt-found`,
    );
    expect(unhealthy('Time taken by the backend to respond').docUrl).toBe(
      `${GUIDE_URL}#backend-server-timeout`,
    );
  });

  it('refers only to known causes', () => {
    for (const rule of PROBE_RULES) if (rule.cause !== null) expect(isCauseId(rule.cause)).toBe(true);
  });

  it('every rule is reached by at least one message in the tests', () => {
    const used = new Set<number>();
    const samples = [
      ...rows.map((r) => r.message),
      'Success. Received 200 status code',
      'The backend server is presenting an incomplete certificate chain',
      'Backend server certificate invalid CA',
      'Backend server certificate is not whitelisted with Application Gateway.',
      'Backend certificate has been marked invalid.',
      'Cannot connect to backend server.',
    ];
    for (const message of samples) {
      const rule = matchProbeLog(message);
      if (rule) used.add(PROBE_RULES.indexOf(rule));
    }
    expect(used.size).toBe(PROBE_RULES.length);
  });

  it('normalises quotes, escapes, bold and whitespace', () => {
    expect(normaliseProbeLog('  Gateway\\\u2019s **Server   certificate**\n isn\u2019t ')).toBe(
      "gateway's server certificate isn't",
    );
  });
});

describe('properties', () => {
  const states: readonly HealthState[] = [
    'healthy',
    'unhealthy',
    'unknown',
    'partial',
    'draining',
    'unrecognised',
  ];

  it('never throws and always returns a known id with at least one step', () => {
    const fragments = fc.constantFrom(
      ...rows.map((r) => r.message),
      'Received ',
      'status code',
      '401',
      'Success.',
      '\u2019',
      '\\',
      '**',
    );
    const log = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.array(fc.oneof(fragments, fc.string()), { maxLength: 6 }).map((parts) => parts.join(' ')),
    );
    fc.assert(
      fc.property(fc.constantFrom(...states), log, (state, probeLog) => {
        const cause = classifyCause({ state, probeLog });
        expect(isCauseId(cause.id)).toBe(true);
        expect(cause.steps.length).toBeGreaterThanOrEqual(1);
        expect(cause.title.length).toBeGreaterThan(0);
        expect(cause.docUrl).toMatch(/^https:\/\//);
        if (cause.receivedStatus !== undefined) {
          expect(cause.id).toBe('status-code-mismatch');
          expect(cause.receivedStatus).toBeGreaterThanOrEqual(100);
          expect(cause.receivedStatus).toBeLessThanOrEqual(599);
        }
        // Kept verbatim, but for backticks, which steps reserve for commands.
        if (cause.id === 'other' && probeLog.trim())
          expect(cause.steps.join('\n')).toContain(probeLog.trim().replace(/`/g, "'"));
      }),
      { numRuns: 2000 },
    );
  });

  it('is insensitive to case and surrounding whitespace', () => {
    fc.assert(
      fc.property(fc.constantFrom(...rows.map((r) => r.message)), fc.boolean(), (message, upper) => {
        const variant = `  ${upper ? message.toUpperCase() : message.toLowerCase()}\n`;
        expect(unhealthy(variant).id).toBe(unhealthy(message).id);
      }),
    );
  });
});
