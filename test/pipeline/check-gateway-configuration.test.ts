/**
 * The configuration read end to end: the real ARM adapters (backend health, then one GET of the
 * gateway) against the emulator, checkGateway, the seed article. Each default-scenario finding's insight
 * shows its probe's real values; a configuration that cannot be read leaves the insight's general steps
 * and says so, and the insight is still delivered.
 */
import { createArmBackendHealthReader } from '../../src/adapters/arm/backend-health-reader';
import { createArmClientFactory } from '../../src/adapters/arm/client';
import { createArmGatewayConfigReader } from '../../src/adapters/arm/gateway-config-reader';
import { DEFAULT_UNHEALTHY_STATES } from '../../src/core/health';
import { parseGatewayId } from '../../src/core/arm-id';
import type { GatewayRef } from '../../src/core/model';
import {
  loadDefaultScenario,
  startEmulator,
  type RunningEmulator,
  type ScenarioInput,
} from '../../src/emulator';
import { checkGateway } from '../../src/pipeline/check-gateway';
import { RunInterruptedError } from '../../src/errors';
import { gateway, gatewayId } from '../helpers/scenario-builder';
import { seedArticle } from '../helpers/memory/run-dependencies';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function check(
  scenario: ScenarioInput | Awaited<ReturnType<typeof loadDefaultScenario>>,
  id: string,
  options: { gatewayTimeoutInMs?: number; stop?: AbortSignal } = {},
) {
  emulator ??= await startEmulator({ scenario: scenario as never });
  const clientFor = createArmClientFactory({
    endpoint: emulator.url,
    caCertFile: emulator.caCertFile,
    credential: 'development',
    maxRetries: 0,
  });
  return checkGateway(parseGatewayId(id) as GatewayRef, {
    reader: createArmBackendHealthReader(clientFor, { pollIntervalInMs: 10 }),
    configReader: createArmGatewayConfigReader(clientFor),
    clock: { now: () => new Date('2026-11-30T10:00:00Z') },
    article: seedArticle,
    unhealthyStates: DEFAULT_UNHEALTHY_STATES,
    gatewayTimeoutInMs: options.gatewayTimeoutInMs ?? 30_000,
    ...(options.stop ? { stop: options.stop } : {}),
  });
}

const gatewayGets = () =>
  (emulator?.requests ?? []).filter(
    (r) => r.method === 'GET' && /\/applicationGateways\/[^/]+$/i.test(r.path),
  );

describe('the default scenario: every finding shows its probe as configured', () => {
  /** Per finding (gateway/settings/address): texts its insight must show from the configuration. */
  const EXPECTED: Record<string, readonly string[]> = {
    'appgw-shop/MFPoolSettings/10.220.1.5': [
      'Probe "shop-probe" of backend setting "MFPoolSettings"',
      'Sends `GET /health` over HTTP to 10.220.1.5 port 80',
      '`Host: shop.contoso.com`',
      'Probe "shop-probe" waits 30 s for an answer but probes every 30 s',
      'curl -i --max-time 30 --resolve shop.contoso.com:80:10.220.1.5 http://shop.contoso.com:80/health',
      // Issue 17's trial: no timeout we made up (it was `--timeout 60 --interval 120`): the reader's.
      'az network application-gateway probe update -g rg-prod-weu --gateway-name appgw-shop -n shop-probe --timeout "${PROBE_TIMEOUT_SECONDS:?set PROBE_TIMEOUT_SECONDS to the seconds the probe waits: longer than the backend takes to answer the probe, and below the probe interval}" --interval "${PROBE_INTERVAL_SECONDS:?',
      "PROBE_TIMEOUT_SECONDS=''; : 'set PROBE_TIMEOUT_SECONDS to the seconds the probe waits",
      // Issue 17: the steps' own commands name this gateway and probe too, not placeholders.
      '`az network application-gateway probe update -g rg-prod-weu --gateway-name appgw-shop -n shop-probe --timeout "${PROBE_TIMEOUT_SECONDS:?',
    ],
    'appgw-shop/MFPoolSettingsHttps/10.220.1.5': [
      'The default probe of backend setting "MFPoolSettingsHttps"',
      '`Host: shop.contoso.com` and TLS server name `shop.contoso.com`',
      // The setting trusts the root "contoso-root": curl checks against the reader's copy of it.
      "TRUSTED_ROOT_FILE=''; : 'set TRUSTED_ROOT_FILE to the path of a trusted root certificate the backend setting names",
      'curl -i --max-time 30 --cacert "${TRUSTED_ROOT_FILE:?set TRUSTED_ROOT_FILE to the path of a trusted root certificate the backend setting names, Base64 .cer}" --resolve shop.contoso.com:443:10.220.1.5 https://shop.contoso.com:443/',
    ],
    'appgw-api/api-https-settings/shop-api.contoso.internal': [
      'Probe "api-https-probe"',
      'TLS server name `shop-api.contoso.internal`',
      'curl -i --max-time 20 https://shop-api.contoso.internal:443/healthz',
    ],
    'appgw-api/api-https-settings/orders-api.contoso.internal': [
      'Probe "api-https-probe"',
      'Every 30 s, waiting 20 s',
    ],
    'appgw-api/api-https-settings/catalog-api.contoso.internal': ['Probe "api-https-probe"'],
    'appgw-api/api-http-settings/10.220.2.11': [
      // Issue 17's second trial: api-probe also watches 10.220.2.12, which fails its body match:
      // clearing the match to accept this 401 would have marked that server healthy.
      'Probe "api-probe" accepts status 200-399 only, and the backend answered 401: its body match "healthy" still applies, and a 401 answer rarely contains it; rather than accept 401 and clear the match',
      'az network application-gateway probe update -g rg-prod-weu --gateway-name appgw-api -n api-probe --path "${HEALTH_PATH:?',
    ],
    'appgw-api/api-http-settings/10.220.2.12': [
      'Probe "api-probe" requires the response body to contain "healthy".',
      'with a body that contains "healthy"',
    ],
    'appgw-edge/edge-tls-settings/10.30.1.4': [
      'on a Standard (v1) gateway',
      'names trusted root certificate(s) "edge-root", which only v2 gateways use',
      'auth-cert create',
    ],
    'appgw-edge/edge-tls-settings/10.30.1.5': [
      'The default probe of backend setting "edge-tls-settings" accepts status 200-399 only',
      '`Host: 127.0.0.1` and no TLS server name (SNI)',
      "curl -i --max-time 30 -H 'Host: 127.0.0.1' https://10.30.1.5:443/",
      'fix the backend (accepting 503 would mark a failing server healthy)',
    ],
  };

  /** What an insight must not say: F3, a host name change offered where the backend itself answered 503. */
  const NOT_EXPECTED: Readonly<Record<string, readonly string[]>> = {
    'appgw-edge/edge-tls-settings/10.30.1.5': [
      '--host-name',
      'SITE_HOST_NAME',
      '--match-status-codes',
      '-n <probe>',
    ],
    'appgw-api/api-http-settings/10.220.2.11': ['--match-body', '--match-status-codes'],
    'appgw-shop/MFPoolSettings/10.220.1.5': ['--timeout 60', '--interval 120'],
  };

  it('shows the real probe values in each insight, with one GET per gateway with findings', async () => {
    const scenario = await loadDefaultScenario();
    const seen = new Set<string>();
    for (const gw of scenario.gateways) {
      const outcome = await check(scenario, gw.id);
      expect(outcome.report.ok).toBe(true);
      for (const insight of outcome.insights) {
        const { finding, markdown, html } = insight;
        expect(finding.configuration?.read).toBe(true);
        expect(markdown).toContain('### In your configuration');
        expect(markdown).not.toContain('could not be read');
        expect(markdown).toMatch(
          new RegExp(`curl -i --max-time \\d+ .*${finding.address.replace(/\./g, '\\.')}`),
        );
        expect(html).toContain('<section class="configuration">');
        // The fix can be confirmed on the spot: the recheck line names this server's gateway, pool, setting.
        // Issue 17: no step leaves a placeholder for the gateway, its resource group or the server.
        expect(markdown).not.toMatch(/<resource group>|<gateway>|<address>|<probe path>|<probe host>/);
        expect(html).not.toMatch(/&lt;(?:resource group|gateway|address|probe path|probe host)&gt;/);
        expect(outcome.report.findings.map((f) => f.cause.steps.join('\n')).join('\n')).not.toMatch(
          /<resource group>|<gateway>/,
        );
        expect(markdown).toContain('### Confirm the fix');
        expect(markdown).toContain(
          `appgw-insights recheck --gateway ${gw.id} --pool ${finding.backendPool} --settings ${finding.backendSettings}`,
        );
        const key = `${gw.id.split('/').at(-1)}/${finding.backendSettings}/${finding.address}`;
        for (const text of EXPECTED[key] ?? []) expect(markdown).toContain(text);
        for (const text of NOT_EXPECTED[key] ?? []) expect(markdown).not.toContain(text);
        // A value only the reader knows is never given a plausible default (F3): set empty, refused empty.
        expect(markdown).not.toMatch(/www\.example\.com|^HEALTH_PATH=\//m);
        for (const name of markdown.match(/\$\{?[A-Z_]+/g) ?? [])
          if (/SITE_HOST_NAME|HEALTH_PATH/.test(name)) expect(name).toMatch(/^\$\{/);
        seen.add(key);
      }
    }
    // Every expectation was met by a finding of the scenario (none is stale).
    for (const key of Object.keys(EXPECTED)) expect(seen).toContain(key);
    const withFindings = ['appgw-shop', 'appgw-api', 'appgw-edge'];
    expect(gatewayGets().map((r) => r.path.split('/').at(-1))).toEqual(withFindings);
  });
});

describe('a configuration that cannot be read', () => {
  const down = {
    address: '10.0.0.5',
    health: 'Unhealthy',
    healthProbeLog:
      "Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 Received:404.",
  };

  it.each([
    ['404', { on: 'get', status: 404 }, 'ResourceNotFound', 'not-found'],
    ['403', { on: 'get', status: 403 }, 'Microsoft.Network/applicationGateways/read', 'forbidden'],
    ['401', { on: 'get', status: 401 }, 'AuthenticationFailed', 'unauthenticated'],
    ['429 after the retries', { on: 'get', status: 429 }, 'ARM answered 429', 'throttled'],
    ['500', { on: 'get', status: 500 }, 'ARM answered 500', 'unavailable'],
    ['503', { on: 'get', status: 503 }, 'ARM answered 503', 'unavailable'],
    ['a reset connection', { on: 'get', connection: 'reset' }, '', 'unavailable'],
    ['an answer that is not JSON', { on: 'get', text: '{"properties":' }, 'not JSON', 'invalid'],
    [
      'an answer that is not a gateway',
      { on: 'get', text: '{"properties":{"probes":{}}}' },
      'properties.probes is not an array',
      'invalid',
    ],
  ] as const)(
    '%s: general steps, said so in the insight and the report, insight delivered',
    async (_, fault, says, reason) => {
      const outcome = await check(
        { gateways: [gateway('gw', [down], { faults: [fault as never] })] },
        gatewayId('gw'),
      );
      // The health was read: the gateway did not fail; its configuration entry says what did.
      expect(outcome.report.ok).toBe(true);
      expect(outcome.report.configuration).toMatchObject({ read: false, reason, generalSteps: 1 });
      expect(outcome.report.configuration?.message).toContain(says);
      expect(outcome.report.findings[0]?.generalSteps?.because).toContain(says);
      expect(outcome.insights).toHaveLength(1);
      const [insight] = outcome.insights;
      expect(insight?.finding.configuration).toMatchObject({ read: false });
      expect(insight?.markdown).toContain(
        "The gateway's configuration could not be read, so these steps are the general ones:",
      );
      expect(insight?.markdown).toContain(says);
      expect(insight?.markdown).not.toContain('curl -i --max-time');
      expect(insight?.markdown).not.toContain('Confirm the fix'); // recheck reads the same configuration
      // The general steps are all there; a 404 is never offered to be accepted (issue 17's trial).
      expect(insight?.markdown).toContain('### What to do');
      expect(insight?.markdown).toContain("HTTP 404: the probe's host name or path doesn't exist");
      expect(insight?.markdown).not.toContain('--match-status-codes');
      expect(insight?.markdown).toContain('http://<address>:<port><probe path>');
      expect(outcome.report.findings[0]?.cause.id).toBe('status-code-mismatch');
    },
  );

  it('403: the insight names the action and the custom role of infra/ that grants it', async () => {
    const outcome = await check(
      { gateways: [gateway('gw', [down], { faults: [{ on: 'get', status: 403 } as never] })] },
      gatewayId('gw'),
    );
    const md = outcome.insights[0]?.markdown ?? '';
    expect(md).toContain('Microsoft.Network/applicationGateways/read');
    expect(md).toContain('App Gateway Backend Health Reader');
    expect(outcome.report.configuration).toMatchObject({ reason: 'forbidden', retryable: false });
  });

  it('404 after the health was read: said as a gateway deleted in between, the run goes on', async () => {
    const outcome = await check(
      { gateways: [gateway('gw', [down], { faults: [{ on: 'get', status: 404 } as never] })] },
      gatewayId('gw'),
    );
    expect(outcome.report.configuration?.message).toContain('deleted after its backend health was read');
  });

  it("no answer within the gateway's time-out: timeout (retryable), general steps", async () => {
    const outcome = await check(
      { gateways: [gateway('gw', [down], { faults: [{ on: 'get', connection: 'hang' } as never] })] },
      gatewayId('gw'),
      // The backend-health read fits in it; the GET gets CONFIG_READ_MIN_TIMEOUT_IN_MS, then is cut.
      { gatewayTimeoutInMs: 3_000 },
    );
    expect(outcome.report.ok).toBe(true);
    expect(outcome.report.configuration).toMatchObject({ read: false, reason: 'timeout', retryable: true });
    expect(outcome.insights[0]?.markdown).toContain('could not be read, so these steps are the general ones');
  });

  // Issue 14's trial: a Ctrl-C during the GET left 88 gateways "done" with the general steps, and
  // their notices went out so, never again with the gateway's own values.
  it('the run stopped during the GET: the gateway is not done (its reading is left to the next run), not done with general steps', async () => {
    const stop = new AbortController();
    const hung = check(
      { gateways: [gateway('gw', [down], { faults: [{ on: 'get', connection: 'hang' } as never] })] },
      gatewayId('gw'),
      { stop: stop.signal },
    );
    // Once the GET has reached the emulator, the run is stopped.
    while (gatewayGets().length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    stop.abort(new RunInterruptedError({ by: 'signal', signal: 'SIGINT' }));
    const outcome = await hung;
    expect(outcome.report.ok).toBe(false);
    expect(outcome.report.error?.code).toBe('RunInterrupted');
    expect(outcome.insights).toEqual([]);
  });

  it('a setting naming a probe the answer lacks (no probes at all): read, this finding unresolved, said so', async () => {
    const id = gatewayId('gw');
    const text = JSON.stringify({
      id,
      name: 'gw',
      properties: {
        sku: { name: 'Standard_v2', tier: 'Standard_v2' },
        backendAddressPools: [
          {
            id: `${id}/backendAddressPools/pool-a`,
            name: 'pool-a',
            properties: { backendAddresses: [{ ipAddress: '10.0.0.4' }] },
          },
        ],
        backendHttpSettingsCollection: [
          {
            id: `${id}/backendHttpSettingsCollection/settings-a`,
            name: 'settings-a',
            properties: { protocol: 'Http', port: 80, probe: { id: `${id}/probes/gone` } },
          },
        ],
        // A whole gateway (a rule, a pool, HTTP settings), but for its probes: one without them is not
        // read at all (check-gateway-listed-configuration.test.ts).
        requestRoutingRules: [
          {
            name: 'rule-a',
            properties: {
              backendAddressPool: { id: `${id}/backendAddressPools/pool-a` },
              backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/settings-a` },
            },
          },
        ],
      },
    });
    const outcome = await check(
      { gateways: [gateway('gw', [down], { faults: [{ on: 'get', text } as never] })] },
      id,
    );
    expect(outcome.report.ok).toBe(true);
    expect(outcome.report.configuration).toEqual({ read: true, generalSteps: 1 });
    expect(outcome.report.findings[0]?.generalSteps?.because).toContain(
      'the probe "gone" of backend setting "settings-a" is not in the gateway\'s configuration',
    );
    expect(outcome.insights[0]?.markdown).toContain(
      "The gateway's configuration was read, but it does not say which probe this server has",
    );
  });

  it('every insight exact: no configuration entry in the report (the case that does not trigger)', async () => {
    const outcome = await check({ gateways: [gateway('gw', [down])] }, gatewayId('gw'));
    expect(outcome.insights[0]?.finding.configuration?.read).toBe(true);
    expect(outcome.report.configuration).toBeUndefined();
    expect(outcome.report.findings[0]?.generalSteps).toBeUndefined();
  });

  it('does not read the configuration of a gateway without findings', async () => {
    const outcome = await check(
      { gateways: [gateway('gw', [{ address: '10.0.0.4', health: 'Healthy' }])] },
      gatewayId('gw'),
    );
    expect(outcome.insights).toEqual([]);
    expect(gatewayGets()).toEqual([]);
  });

  it("a scenario's own settings beside the body's: the body's get the defaults (Http, 80, default probe)", async () => {
    const outcome = await check(
      {
        gateways: [
          gateway('gw', [down], {
            configuration: { backendHttpSettings: [{ name: 'other', probe: 'p' }], probes: [{ name: 'p' }] },
          }),
        ],
      },
      gatewayId('gw'),
    );
    const configuration = outcome.insights[0]?.finding.configuration;
    expect(configuration?.read && configuration.probe).toMatchObject({
      protocol: 'http',
      port: 80,
      host: '127.0.0.1',
    });
  });
});
