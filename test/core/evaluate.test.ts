import { gatewayRef } from '../../src/core/arm-id';
import { evaluateBackendHealth, listServers } from '../../src/core/evaluate';
import { DEFAULT_UNHEALTHY_STATES } from '../../src/core/health';
import type { BackendHealthBody } from '../../src/core/model';

const gateway = gatewayRef('sub', 'rg', 'gw');
const base = gateway.id;

function body(
  servers: Array<{
    address?: string;
    health?: string;
    healthProbeLog?: string;
    healthProbeErrorName?: string;
  }>,
): BackendHealthBody {
  return {
    backendAddressPools: [
      {
        backendAddressPool: { id: `${base}/backendAddressPools/poolA` },
        backendHttpSettingsCollection: [
          { backendHttpSettings: { id: `${base}/backendHttpSettingsCollection/settingsA` }, servers },
        ],
      },
    ],
  };
}

describe('evaluateBackendHealth', () => {
  it.each([
    ['Up', 0],
    ['Healthy', 0],
    ['Down', 1],
    ['Unhealthy', 1],
    ['unhealthy', 1],
    ['Unknown', 1],
    ['Partial', 1],
    ['Draining', 0],
    ['SomethingNew', 1],
  ])('health %s gives %d finding(s) with the default states', (health, count) => {
    const findings = evaluateBackendHealth(gateway, body([{ address: '10.0.0.4', health }]), {
      unhealthyStates: DEFAULT_UNHEALTHY_STATES,
    });
    expect(findings).toHaveLength(count);
  });

  it('reports Draining only when opted in', () => {
    const findings = evaluateBackendHealth(gateway, body([{ address: '10.0.0.4', health: 'Draining' }]), {
      unhealthyStates: ['Down', 'Draining'],
    });
    expect(findings.map((f) => f.state)).toEqual(['draining']);
  });

  it('carries gateway, pool and settings names (from ids), the settings id, address, raw health and probe log', () => {
    const [finding] = evaluateBackendHealth(
      gateway,
      body([{ address: 'app.contoso.internal', health: 'Unhealthy', healthProbeLog: 'TCP connect error' }]),
      { unhealthyStates: DEFAULT_UNHEALTHY_STATES },
    );
    expect(finding).toEqual({
      gateway,
      backendPool: 'poolA',
      backendSettings: 'settingsA',
      // The id tells an HTTP setting from a TCP/TLS one of the same name (probe-resolution.ts findSettings).
      backendSettingsId: `${gateway.id}/backendHttpSettingsCollection/settingsA`,
      address: 'app.contoso.internal',
      health: 'Unhealthy',
      state: 'unhealthy',
      probeLog: 'TCP connect error',
      cause: expect.objectContaining({ id: 'tcp-connect', steps: expect.any(Array) }),
      severity: 'critical',
    });
  });

  it("classifies with the server's healthProbeErrorName when the gateway sends one", () => {
    // As a live v2 gateway answers (AAFC-Cloud/Cloud-Terrastodon, see src/core/probe-error-names.ts).
    const live = {
      address: '10.0.0.123',
      health: 'Unhealthy',
      healthProbeLog: "Received invalid status code: 502 in the backend server's HTTP response.",
      healthProbeErrorName: 'HttpStatusCodeMismatchWithStatusCode',
    };
    const [finding] = evaluateBackendHealth(gateway, body([live]), {
      unhealthyStates: DEFAULT_UNHEALTHY_STATES,
    });
    expect(finding?.cause).toMatchObject({ id: 'status-code-mismatch', receivedStatus: 502 });

    // The name decides when the message says otherwise, and an unknown name leaves it to the message.
    const [named, unknownName] = evaluateBackendHealth(
      gateway,
      body([
        {
          ...live,
          address: '10.0.0.4',
          healthProbeLog: 'TCP connect error',
          healthProbeErrorName: 'BackendCertInvalidCN',
        },
        {
          ...live,
          address: '10.0.0.5',
          healthProbeLog: 'TCP connect error',
          healthProbeErrorName: 'BrandNewErrorName',
        },
      ]),
      { unhealthyStates: DEFAULT_UNHEALTHY_STATES },
    );
    expect(named?.cause.id).toBe('cert-cn-mismatch');
    expect(unknownName?.cause.id).toBe('tcp-connect');
  });

  it('prefers expanded names over id segments, and keeps servers with missing fields', () => {
    const findings = evaluateBackendHealth(
      gateway,
      {
        backendAddressPools: [
          {
            backendAddressPool: { id: `${base}/backendAddressPools/x`, name: 'Named Pool' },
            backendHttpSettingsCollection: [{ servers: [{ health: 'Down' }] }],
          },
        ],
      },
      { unhealthyStates: DEFAULT_UNHEALTHY_STATES },
    );
    expect(findings[0]).toMatchObject({
      backendPool: 'Named Pool',
      backendSettings: '(unnamed)',
      address: '(unknown address)',
      probeLog: '',
    });
  });

  it('handles empty and missing collections', () => {
    expect(evaluateBackendHealth(gateway, {}, { unhealthyStates: DEFAULT_UNHEALTHY_STATES })).toEqual([]);
    expect(
      evaluateBackendHealth(
        gateway,
        { backendAddressPools: [{ backendHttpSettingsCollection: [] }] },
        {
          unhealthyStates: DEFAULT_UNHEALTHY_STATES,
        },
      ),
    ).toEqual([]);
    expect(listServers(gateway, {}).size).toBe(0);
  });

  it('lists every server, healthy or not, by server key with its health', () => {
    const listed = listServers(
      gateway,
      body([
        { address: 'A', health: 'Up' },
        { address: 'b', health: 'Down' },
        { address: 'c', health: 'Draining' },
      ]),
    );
    expect([...listed.values()]).toEqual(['Up', 'Down', 'Draining']);
    expect([...listed.keys()][0]).toBe(`${gateway.id}|poola|settingsa|a`.toLowerCase());
  });
});
