import fc from 'fast-check';
import field from '../fixtures/probe-logs/field-messages.json';
import guide from '../fixtures/probe-logs/troubleshooting-guide.json';
import v1 from '../fixtures/probe-logs/v1-reason-codes.json';
import {
  CATALOGUE,
  CAUSE_IDS,
  GUIDE_URL,
  QUOTED_LOG_LIMIT,
  isCauseId,
  type CauseId,
} from '../../src/core/causes';
import { capText } from '../../src/core/caps';
import {
  PROBE_FRAMES,
  PROBE_RULES,
  classifyCause,
  normaliseProbeLog,
  parseReceivedStatus,
  readProbeLog,
} from '../../src/core/classify';
import type { HealthState } from '../../src/core/model';
import { matchProbeRule } from '../../src/core/probe-rules';

interface Row {
  readonly message: string;
  readonly cause: string;
}

const guideRows: ReadonlyArray<Row & { readonly version: string }> = guide;
const v1Rows: ReadonlyArray<Row & { readonly code: number }> = v1.codes;
const fieldRows: ReadonlyArray<Row & { readonly source: string }> = field.messages;
const allRows: readonly Row[] = [...guideRows, ...v1Rows, ...fieldRows];

const unhealthy = (probeLog: string, probeErrorName?: string) =>
  classifyCause({ state: 'unhealthy', probeLog, probeErrorName });

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
    expect(guideRows.length).toBeGreaterThan(150);
    expect(new Set(guideRows.map((r) => r.version)).size).toBe(9);
    for (const row of guideRows) expect(isCauseId(row.cause)).toBe(true);
  });

  it.each(guideRows.map((r) => [r.cause, r.version, r.message] as const))(
    '%s ← %s: %s',
    (cause, _version, message) => {
      expect(unhealthy(message).id).toBe(cause);
    },
  );

  it('covers every log-derived cause', () => {
    const covered = new Set(guideRows.map((r) => r.cause));
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

/* The v1 (Standard/WAF) gateway's reason codes 0-20 and their descriptions: test/fixtures/probe-logs/v1-reason-codes.json. */
describe('v1 gateway reason codes (fixture)', () => {
  it('has the whole family, 0 to 20', () => {
    expect(v1Rows.map((r) => r.code)).toEqual([...Array(21).keys()]);
  });

  it.each(v1Rows.map((r) => [r.code, r.cause, r.message] as const))(
    'code %i → %s: %s',
    (_code, cause, message) => {
      expect(unhealthy(message).id).toBe(cause);
    },
  );

  it('reads success codes 0 and 16 as success and code 1 as no reason', () => {
    for (const code of [0, 16]) {
      const row = v1Rows[code];
      expect(row && readProbeLog(row.message)?.verdict).toBe('success');
      expect(row && unhealthy(row.message).title).toMatch(/last probe succeeded/);
    }
    const unknownError = v1Rows[1]?.message ?? '';
    expect(readProbeLog(unknownError)?.verdict).toBe('unexplained');
    expect(classifyCause({ state: 'unknown', probeLog: unknownError }).id).toBe('health-unknown');
  });
});

/* Live messages and Microsoft's other articles, each row naming its source: test/fixtures/probe-logs/field-messages.json. */
describe('messages met in the field (fixture)', () => {
  it.each(fieldRows.map((r) => [r.cause, r.source, r.message] as const))(
    '%s ← %s: %s',
    (cause, _source, message) => {
      expect(unhealthy(message).id).toBe(cause);
    },
  );
});

describe('frames', () => {
  it('recognise every gathered message by its frame, never by keywords', () => {
    for (const row of allRows)
      expect([row.message, readProbeLog(row.message)?.via]).toEqual([row.message, 'frame']);
  });

  it('are each reached by a gathered message', () => {
    const reached = new Set(allRows.map((r) => readProbeLog(r.message)?.frameId));
    expect(PROBE_FRAMES.map((f) => f.id).filter((id) => !reached.has(id))).toEqual([]);
  });

  it('have unique ids, known causes and a source', () => {
    expect(new Set(PROBE_FRAMES.map((f) => f.id)).size).toBe(PROBE_FRAMES.length);
    for (const frame of PROBE_FRAMES) {
      expect(frame.verdict === 'success' || frame.verdict === 'unexplained' || isCauseId(frame.verdict)).toBe(
        true,
      );
      expect(frame.source.length).toBeGreaterThan(3);
    }
  });
});

/*
 * The examples (issue 10, part 5), each kind with more cases than the example. The properties at the end
 * of this file generalise the hole and wording kinds.
 */
describe('kind: wording drift across doc versions', () => {
  const negations = ['is not', "isn't", 'isn\u2019t', 'isn\u02bct', 'isnt', 'IS NOT'];
  const allowListed = [
    'allow-listed',
    'allow listed',
    'allowlisted',
    'Allow-Listed',
    'whitelisted',
    'white-listed',
    'white listed',
    'WhiteListed',
  ];
  const endings = ['.', '', ' ', '.\n'];
  const forms = negations.flatMap((not) =>
    allowListed.flatMap((listed) =>
      endings.map((end) => `Backend server certificate ${not} ${listed} with Application Gateway${end}`),
    ),
  );

  it("gives one cause for today's wording and the old one (the issue's example)", () => {
    expect(unhealthy("Backend server certificate isn't allow-listed with Application Gateway.").id).toBe(
      'cert-root-mismatch',
    );
    expect(unhealthy('Backend server certificate is not whitelisted with Application Gateway.').id).toBe(
      'cert-root-mismatch',
    );
  });

  it.each(forms)('%j → cert-root-mismatch', (message) => {
    expect(unhealthy(message).id).toBe('cert-root-mismatch');
  });

  it.each<[string, CauseId]>([
    ['Ensure that you add the correct root certificate to whitelist the backend', 'cert-root-mismatch'],
    [
      'The root certificate of the server certificate used by the backend doesn\u2019t match the trusted root certificate added to the application gateway. Ensure that you add the correct root certificate to the allow-list for the backend',
      'cert-root-mismatch',
    ],
    [
      'The server certificate used by the backend is not signed by a well known Certificate Authority (CA). White-list the backend on the Application Gateway',
      'cert-untrusted-ca',
    ],
    ['The Common Name (CN) of the backend certificate doesnt match', 'cert-cn-mismatch'],
    ["The validity of the backend certificate couldn't be verified", 'cert-verify-failed'],
    ['The Leaf certificate isn\u2019t the topmost certificate in the chain', 'cert-chain-incomplete'],
    [
      "Time taken by the backend to respond to application gateway's health probe is more than the time out threshold in the probe setting",
      'probe-timeout',
    ],
    ["Application Gateway can't connect to the backend", 'tcp-connect'],
  ])('%j → %s', (message, cause) => {
    expect(unhealthy(message).id).toBe(cause);
  });
});

describe('kind: older gateway generations (v1 reason codes)', () => {
  it('reads "Invalid certificate - Invalid CN." as a CN mismatch (the issue\'s example)', () => {
    expect(unhealthy('Invalid certificate - Invalid CN.').id).toBe('cert-cn-mismatch');
  });

  it.each<[string, CauseId]>([
    ['Invalid certificate \u2013 Invalid CN', 'cert-cn-mismatch'],
    ['invalid certificate-invalid cn', 'cert-cn-mismatch'],
    ['INVALID CERTIFICATE - INVALID CN.', 'cert-cn-mismatch'],
    ['Invalid certificate - Invalid CA', 'cert-untrusted-ca'],
    ['Invalid certificate \u2014 Invalid CA.', 'cert-untrusted-ca'],
    ['Backend server certificate expired. Please upload a valid certificate', 'cert-expired'],
    ['Backend server FQDN cannot be resolved.', 'dns-resolution'],
    ['Server port cannot be reached', 'tcp-connect'],
    ['Probe status code mismatch. Expected vs Received', 'status-code-mismatch'],
    ['Probe response body mismatch. Expected vs Received', 'body-mismatch'],
    ['HTTPS probe connection error.', 'cert-verify-failed'],
    [
      'Application Gateway not reachable. Check whether any NSG/UDR/Firewall blocking access to ports 65503-65534 on Application Gateway',
      'health-unknown',
    ],
  ])('%j → %s', (message, cause) => {
    expect(unhealthy(message).id).toBe(cause);
  });

  it('gives v1-specific steps where the v1 gateway differs', () => {
    expect(unhealthy('Invalid certificate - Invalid CA.').steps.join('\n')).toMatch(
      /authentication certificate/,
    );
    expect(unhealthy('Invalid certificate - Invalid CN.').steps.join('\n')).toMatch(/v1 SKU/);
    expect(unhealthy('HTTPS probe connection error.').steps.join('\n')).toMatch(/SSL policy/);
    expect(unhealthy('Backend server certificate is not whitelisted').steps.join('\n')).toMatch(/v1 SKU/);
  });
});

describe('kind: fixed frames before keywords', () => {
  it("reads the user's match string as a match string (the issue's example)", () => {
    const message =
      "Body of the backend's HTTP response did not match the probe setting. Received response body doesn't contain certificate expired.";
    expect(unhealthy(message).id).toBe('body-mismatch');
  });

  it.each<[string, CauseId]>([
    [
      "Body of the backend's HTTP response did not match the probe setting. Received response body doesn't contain timed out",
      'body-mismatch',
    ],
    [
      'Body of the backend\u2019s HTTP response did not match the probe setting. Received response body doesn\u2019t contain DNS resolution error',
      'body-mismatch',
    ],
    [
      'Probe response body mismatch. Received response body does not contain The Common Name (CN) of the backend certificate does not match.',
      'body-mismatch',
    ],
    ['Received response body does not contain "proxy protocol"', 'body-mismatch'],
    [
      'The Common Name of the leaf certificate presented by the backend server does not match the Probe or Backend Setting hostname (expired.dns-timeout.contoso.com) of the application gateway.',
      'cert-cn-mismatch',
    ],
    [
      'Application Gateway could not create a probe for this backend (certificate-expired.contoso.com). This usually happens when the FQDN of the backend is not entered correctly.',
      'dns-resolution',
    ],
    [
      'Application Gateway could not connect to the backend timeout.contoso.com:443. Also check whether any NSG/UDR/Firewall is blocking access to the Ip and port of this backend.',
      'tcp-connect',
    ],
    [
      "Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 Received:500. Body: request timed out",
      'status-code-mismatch',
    ],
    [
      'The validity of the backend certificate could not be verified. To find out the reason, check OpenSSL diagnostics for the message associated with error code 10 (certificate has expired)',
      'cert-verify-failed',
    ],
  ])('%j → %s', (message, cause) => {
    expect(unhealthy(message).id).toBe(cause);
  });

  it('lets the frame that starts first win when another frame is quoted in its hole', () => {
    const quoted = `Received response body does not contain "${'Backend server certificate is not whitelisted with Application Gateway.'}"`;
    expect(readProbeLog(quoted)).toMatchObject({ via: 'frame', frameId: 'body-mismatch' });
  });
});

describe('kind: Unknown health (the gateway side)', () => {
  const unknownSide = [
    'The backend health status could not be retrieved. This happens when an NSG/UDR/Firewall on the application gateway subnet is blocking traffic on ports 65503-65534 in case of v1 SKU, and ports 65200-65535 in case of the v2 SKU or if the FQDN configured in the backend pool could not be resolved to an IP address.',
    'Unable to retrieve health status data. Check presence of NSG/UDR blocking access to ports 65503-65534 from Internet to Application Gateway.',
    'Unable to retrieve health status data. Check presence of NSG blocking ports',
    'Application Gateway not reachable. Check whether any NSG/UDR/Firewall blocking access to ports 65503-65534 on Application Gateway.',
    // unframed: the keyword fallback puts the gateway's own ports before any backend-port rule
    'NSG/UDR/Firewall on the gateway subnet blocks inbound ports 65200-65535',
    'Inbound traffic from GatewayManager is denied by an NSG',
    'Could not retrieve health: check NSG/UDR on the application gateway subnet',
  ];

  it.each(unknownSide)('%j → health-unknown with its steps, whatever the state', (message) => {
    for (const state of ['unknown', 'unhealthy', 'partial', 'unrecognised'] as const) {
      const cause = classifyCause({ state, probeLog: message });
      expect(cause.id).toBe('health-unknown');
      expect(cause.steps.join('\n')).toMatch(/GatewayManager/);
      expect(cause.steps.join('\n')).toContain(message.trim().replace(/`/g, "'"));
    }
  });

  it("keeps the backend's own port in tcp-connect", () => {
    expect(
      unhealthy(
        'Application Gateway could not connect to the backend. Also check whether any NSG/UDR/Firewall is blocking access to the Ip and port of this backend.',
      ).id,
    ).toBe('tcp-connect');
  });
});

describe('kind: machine-readable reasons (healthProbeErrorName)', () => {
  it("lets a known name decide (the issue's example)", () => {
    const cause = unhealthy(
      "Received invalid status code: 401 in the backend server's HTTP response.",
      'HttpStatusCodeMismatchWithStatusCode',
    );
    expect(cause).toMatchObject({ id: 'status-code-mismatch', receivedStatus: 401 });
  });

  it.each<[string, string, CauseId]>([
    ['BackendCertInvalidCN', 'TCP connect error', 'cert-cn-mismatch'],
    ['HttpResponseBodyMismatch', 'Received response body does not contain expired', 'body-mismatch'],
    ['GatewayNotReachable', 'Application Gateway could not connect to the backend.', 'health-unknown'],
    ['Timeout', '', 'probe-timeout'],
    ['ngx_http_upstream_check_err_HostNameNotResolved', 'Something new', 'dns-resolution'],
    [
      'err_IncorrectBackendCertificateChainLeafCertificateIsNotTopmostCertificate',
      '',
      'cert-chain-incomplete',
    ],
    ['backendservercertificatenotwhitelisted', 'Invalid certificate - Invalid CN.', 'cert-root-mismatch'],
  ])('name %s with message %j → %s', (name, message, cause) => {
    expect(unhealthy(message, name).id).toBe(cause);
  });

  it('falls back to the message for an unknown, empty or Unknown name', () => {
    for (const name of ['BrandNewErrorName', '', '   ', 'Unknown', 'x'.repeat(500)]) {
      expect(unhealthy('Invalid certificate - Invalid CN.', name).id).toBe('cert-cn-mismatch');
    }
    const notAString = { state: 'unhealthy', probeLog: 'TCP connect error', probeErrorName: 42 } as unknown;
    expect(classifyCause(notAString as Parameters<typeof classifyCause>[0]).id).toBe('tcp-connect');
  });

  it('keeps the guide section of a message that agrees, and drops one that does not', () => {
    const noRoot =
      'The intermediate certificate not signed by any root certificates uploaded to the application gateway.';
    expect(unhealthy(noRoot, 'BackendServerCertificateNotTrustedByRootCertificates').docUrl).toBe(
      `${GUIDE_URL}#trusted-root-certificate-mismatch-no-root-certificate-on-the-backend-server`,
    );
    expect(unhealthy('The leaf must be the topmost certificate', 'BackendCertInvalidCA').docUrl).toBe(
      CATALOGUE['cert-untrusted-ca'].docUrl,
    );
  });

  it('reads a success name as success, whatever the message', () => {
    const cause = unhealthy('TCP connect error', 'SuccessWithStatusCode');
    expect(cause.id).toBe('other');
    expect(cause.title).toMatch(/last probe succeeded/);
    expect(classifyCause({ state: 'unknown', probeLog: '', probeErrorName: 'Success' }).id).toBe(
      'health-unknown',
    );
  });

  it('never lets draining be overridden', () => {
    expect(classifyCause({ state: 'draining', probeLog: '', probeErrorName: 'Timeout' }).id).toBe('draining');
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
    ['The leaf must be the topmost certificate', 'cert-chain-incomplete'],
    ['The Leaf certificate is NOT the topmost certificate in the chain', 'cert-chain-incomplete'],
    ['Backend server certificate invalid CA', 'cert-untrusted-ca'],
    ['Backend server certificate is not signed by a well-known CA', 'cert-untrusted-ca'],
    [
      'The Intermediate certificate is not signed by a well known Certificate Authority (CA)',
      'cert-untrusted-ca',
    ],
    [
      "The server certificate used by the backend isn't signed by the trusted root certificate",
      'cert-root-mismatch',
    ],
    ['Unable to verify the backend certificate', 'cert-verify-failed'],
    [
      'verify that the backend server is set up to accept the proxy protocol header sent by the probes',
      'proxy-protocol',
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
    // Colon spacing drifts in hand-copied messages: the status is still read.
    ["Received invalid status code : 401 in the backend server's HTTP response.", 401],
    ["Received invalid status code :401 in the backend server's HTTP response", 401],
    ['Probe status code mismatch. Expected : 200-399 Received : 404', 404],
    ["Received invalid status code:\u00a0502 in the backend server's HTTP response.", 502],
    [
      "Received invalid status code: 404 in the backend server's HTTP response. As per the health probe configuration, 200-399 is the acceptable status code.",
      404,
    ],
    ["Received invalid status code: 502 in the backend server's HTTP response.", 502],
    ['Received 503 status code', 503],
    ['Probe status code mismatch: Received 403', 403],
    ['Probe status code mismatch. Expected:200-399 Received:404', 404],
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
    ['Probe status code mismatch. Expected vs Received.', undefined],
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

  it('ignores a status outside 100-599', () => {
    expect(
      unhealthy("Received invalid status code: 999 in the backend server's HTTP response.").receivedStatus,
    ).toBe(undefined);
  });

  it('puts receivedStatus on status-code-mismatch only', () => {
    for (const row of allRows) {
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

  it('a message that merely contains "success" is not a success', () => {
    expect(readProbeLog('The backend reported success, then the gateway could not connect')?.verdict).toBe(
      'tcp-connect',
    );
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

describe('catalogue and keyword rules', () => {
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

  it('reaches every rule through an unframed message', () => {
    const samples = [
      'Success (HTTP 200)',
      'PROXY protocol header rejected by the backend',
      'NSG blocks GatewayManager on ports 65200-65535',
      'Common name mismatch',
      'Intermediate certificate not found',
      'Incomplete certificate chain',
      'The leaf must be the topmost certificate',
      'Intermediate certificate not issued by a well-known CA',
      'Backend server certificate invalid CA',
      'Certificate not signed by any root we trust',
      'Trusted root certificate mismatch',
      'TLS handshake failed',
      'The backend certificate has expired',
      'Unable to verify the backend certificate',
      'HTTP response body mismatch',
      'HTTP status code mismatch',
      'Backend server timed out',
      'DNS resolution error',
      'TCP connect error',
    ];
    const reached = samples.map((sample) => {
      expect([sample, readProbeLog(sample)?.via]).toEqual([sample, 'keyword']);
      return PROBE_RULES.indexOf(matchProbeRule(normaliseProbeLog(sample)) ?? PROBE_RULES[0]!);
    });
    expect(reached).toEqual(PROBE_RULES.map((_rule, index) => index));
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
  const messages = allRows.map((r) => r.message);

  it('never throws and always returns a known id with at least one step', () => {
    const fragments = fc.constantFrom(
      ...messages,
      'Received ',
      'status code',
      '401',
      'Success.',
      '\u2019',
      '\\',
      '**',
      '[',
      '{',
    );
    const log = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.array(fc.oneof(fragments, fc.string()), { maxLength: 6 }).map((parts) => parts.join(' ')),
    );
    const name = fc.option(
      fc.oneof(fc.string(), fc.constantFrom('Timeout', 'SuccessWithStatusCode', 'Unknown')),
      {
        nil: undefined,
      },
    );
    fc.assert(
      fc.property(fc.constantFrom(...states), log, name, (state, probeLog, probeErrorName) => {
        const cause = classifyCause({ state, probeLog, probeErrorName });
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
          expect(cause.steps.join('\n')).toContain(
            capText(probeLog.trim().replace(/`/g, "'"), QUOTED_LOG_LIMIT),
          );
      }),
      { numRuns: 2000 },
    );
  });

  /* What a user configures (match strings, host names, status lists) or the gateway fills in (addresses, codes). */
  const holeContent = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom(
      ...messages,
      'certificate expired',
      'timed out',
      'time-out',
      'DNS',
      'could not be resolved',
      'NSG/UDR/Firewall',
      '65503-65534',
      'GatewayManager',
      'Success',
      'Received 500',
      'status code',
      'proxy protocol',
      'Common Name (CN)',
      'Invalid CA',
      'not whitelisted',
      'trusted root',
      'topmost',
      '**',
      '\\"',
      '(',
      ')',
    ),
    fc
      .array(fc.constantFrom('expired', 'timeout', 'DNS', 'connect', 'CN', 'CA', 'root', '.', ' '), {
        maxLength: 8,
      })
      .map((words) => words.join(' ')),
  );

  const framesWithHoles: ReadonlyArray<readonly [string, (hole: string) => string, CauseId]> = [
    [
      'guide body match string',
      (hole) =>
        `Body of the backend's HTTP response did not match the probe setting. Received response body doesn't contain ${hole}.`,
      'body-mismatch',
    ],
    [
      'v1 body match string',
      (hole) => `Probe response body mismatch. Received response body does not contain ${hole}`,
      'body-mismatch',
    ],
    [
      'live body match string',
      (hole) => `Received response body does not contain "${hole}"`,
      'body-mismatch',
    ],
    [
      'CN host name',
      (hole) =>
        `The Common Name of the leaf certificate presented by the backend server does not match the Probe or Backend Setting hostname (${hole}) of the application gateway.`,
      'cert-cn-mismatch',
    ],
    [
      'DNS host name',
      (hole) =>
        `Application Gateway could not create a probe for this backend (${hole}). This usually happens when the FQDN of the backend is not entered correctly.`,
      'dns-resolution',
    ],
    [
      'TCP address',
      (hole) =>
        `Application Gateway could not connect to the backend ${hole}. Check that the backend responds on the port used for the probe.`,
      'tcp-connect',
    ],
    [
      'expected status list',
      (hole) =>
        `Status code of the backend's HTTP response did not match the probe setting. Expected:${hole} Received:404.`,
      'status-code-mismatch',
    ],
    [
      'OpenSSL error code',
      (hole) =>
        `The validity of the backend certificate could not be verified. To find out the reason, check OpenSSL diagnostics for the message associated with error code ${hole}`,
      'cert-verify-failed',
    ],
    [
      'timeout threshold',
      (hole) =>
        `Time taken by the backend to respond to application gateway's health probe is more than ${hole}`,
      'probe-timeout',
    ],
    [
      'root certificate name',
      (hole) =>
        `The root certificate of the server certificate used by the backend does not match the trusted root certificate added to the application gateway (${hole}).`,
      'cert-root-mismatch',
    ],
  ];

  it.each(framesWithHoles.map(([name, build, cause]) => [name, cause, build] as const))(
    'any text in the %s never changes the cause (%s)',
    (_name, cause, build) => {
      fc.assert(
        fc.property(
          holeContent,
          fc.constantFrom(...states.filter((s) => s !== 'draining')),
          (hole, state) => {
            expect(classifyCause({ state, probeLog: build(hole) }).id).toBe(cause);
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it("never lets the user's acceptable-status text change the status the gateway received", () => {
    fc.assert(
      fc.property(holeContent, (hole) => {
        const message = `Received invalid status code: 404 in the backend server's HTTP response. As per the health probe configuration, ${hole} is the acceptable status code.`;
        expect(unhealthy(message)).toMatchObject({ id: 'status-code-mismatch', receivedStatus: 404 });
      }),
      { numRuns: 300 },
    );
  });

  /* The drift between doc versions and gateway generations, applied to every gathered message. */
  const CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
    [/\bis not\b/gi, "isn't"],
    [/\bdoes not\b/gi, "doesn't"],
    [/\bcould not\b/gi, "couldn't"],
    [/\bcannot\b/gi, "can't"],
    [/\bisn't\b/gi, 'is not'],
    [/\bdoesn't\b/gi, 'does not'],
    [/\bcouldn't\b/gi, 'could not'],
    [/\bcan't\b/gi, 'cannot'],
  ];
  const ALLOW_LIST_FORMS = ['whitelist', 'white-list', 'allowlist', 'allow-list', 'allow list'];
  const variant = fc.record({
    contraction: fc.boolean(),
    apostrophe: fc.constantFrom("'", '\u2019', '\u02bc', ''),
    allowList: fc.constantFrom(...ALLOW_LIST_FORMS),
    period: fc.constantFrom('keep', 'drop', 'add'),
    letterCase: fc.constantFrom('keep', 'upper', 'lower'),
    spaces: fc.array(fc.constantFrom(' ', '  ', '\n', '\t', ' \r\n '), { minLength: 1, maxLength: 5 }),
  });

  function applyVariant(
    message: string,
    v: typeof variant extends fc.Arbitrary<infer T> ? T : never,
  ): string {
    let text = message;
    if (v.contraction) for (const [pattern, form] of CONTRACTIONS) text = text.replace(pattern, form);
    text = text.replace(/['\u2019]/g, v.apostrophe);
    text = text.replace(/\b(?:white|allow)[- ]?list/gi, v.allowList);
    if (v.period === 'drop') text = text.replace(/[.\s]+$/, '');
    if (v.period === 'add') text = `${text.trimEnd()}.`;
    if (v.letterCase === 'upper') text = text.toUpperCase();
    if (v.letterCase === 'lower') text = text.toLowerCase();
    let i = 0;
    return text.replace(/ /g, () => v.spaces[i++ % v.spaces.length] ?? ' ');
  }

  it('wording variants (apostrophes, contractions, allow-list forms, final period, case, whitespace) never change the cause', () => {
    fc.assert(
      fc.property(fc.constantFrom(...messages), variant, (message, v) => {
        const changed = applyVariant(message, v);
        expect([changed, unhealthy(changed).id]).toEqual([changed, unhealthy(message).id]);
        expect(readProbeLog(changed)?.via).toBe(readProbeLog(message)?.via);
      }),
      { numRuns: 3000 },
    );
  });
});
