import names from '../fixtures/probe-logs/probe-error-names.json';
import { isCauseId } from '../../src/core/causes';
import { classifyCause } from '../../src/core/classify';
import { PROBE_ERROR_NAMES, readProbeErrorName } from '../../src/core/probe-error-names';

/* Every documented healthProbeErrorName value: test/fixtures/probe-logs/probe-error-names.json (sources per row). */
const rows: ReadonlyArray<{ name: string; cause: string; source: string; liveMessage?: string }> =
  names.names;

describe('readProbeErrorName', () => {
  it.each(rows.map((r) => [r.name, r.cause] as const))('%s → %s', (name, cause) => {
    expect(readProbeErrorName(name)?.verdict).toBe(cause);
  });

  it('knows every documented name and no undocumented one', () => {
    expect(Object.keys(PROBE_ERROR_NAMES).sort()).toEqual(
      [...rows.map((r) => r.name.toLowerCase()), 'success'].sort(),
    );
    for (const row of rows) expect(row.cause === 'success' || isCauseId(row.cause)).toBe(true);
  });

  it.each([
    'HTTPSTATUSCODEMISMATCHWITHSTATUSCODE',
    ' httpStatusCodeMismatchWithStatusCode ',
    'ngx_http_upstream_check_err_HttpStatusCodeMismatchWithStatusCode',
    'err_HttpStatusCodeMismatchWithStatusCode',
  ])('accepts %j (case, spaces, log prefixes)', (name) => {
    expect(readProbeErrorName(name)?.verdict).toBe('status-code-mismatch');
  });

  it('recognises the intermediate-not-found name the troubleshooter shows cut short', () => {
    expect(
      readProbeErrorName(
        'err_BackendServerCertificateNotTrustedByWellKnownCAsDueToIncompleteOrIncorrectIntermediateCertificates',
      ),
    ).toMatchObject({ verdict: 'cert-chain-incomplete', anchor: 'the-intermediate-certificate-wasnt-found' });
  });

  it.each<unknown>([
    undefined,
    null,
    42,
    {},
    '',
    '  ',
    'Unknown',
    'BrandNewErrorName',
    'toString',
    '__proto__',
    'x'.repeat(201),
  ])('ignores %j', (value) => {
    expect(readProbeErrorName(value)).toBeUndefined();
  });

  it.each(rows.filter((r) => r.liveMessage !== undefined).map((r) => [r.name, r.liveMessage ?? ''] as const))(
    'agrees with the live message sent beside %s',
    (name, message) => {
      const health = name.startsWith('Success') ? 'healthy' : 'unhealthy';
      const cause = classifyCause({ state: health, probeLog: message, probeErrorName: name });
      const withoutName = classifyCause({ state: health, probeLog: message });
      expect(cause).toEqual(withoutName);
    },
  );
});
