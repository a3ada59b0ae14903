'use strict';
/**
 * The bench's emulator scenario: `gateways` gateways spread round-robin over `subscriptions`
 * subscriptions (so each holds gateways / subscriptions of them), 5 servers each, one pool and one
 * setting. Two gateways in five have one unhealthy server whose probe log is one of the messages in
 * Microsoft's backend-health troubleshooting guide (as the shipped default scenario has them), so the
 * run classifies, renders and writes real insights. Every operation answers `202` with `Retry-After: 1`
 * and runs 1 s (`lro.runsForMs`), so a client that waits its Retry-After has the body at its one poll
 * (POST + one GET: 2 requests); ARM's limits are left at the emulator's defaults (ARM's numbers).
 */

/** Probe messages from the troubleshooting guide (the default scenario's `healthProbeLog`s). */
const PROBE_LOGS = [
  "Time taken by the backend to respond to application gateway's health probe is more than the timeout threshold in the probe setting.",
  'Application Gateway could not connect to the backend. Check that the backend responds on the port used for the probe. Also check whether any NSG/UDR/Firewall is blocking access to the Ip and port of this backend.',
  "Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 Received:503.",
  "Body of the backend's HTTP response did not match the probe setting. Received response body doesn't contain healthy.",
  'The Common Name of the leaf certificate presented by the backend server does not match the Probe or Backend Setting hostname of the application gateway.',
  'The server certificate used by the backend is not signed by a well-known Certificate Authority (CA). Whitelist the backend on the Application Gateway by uploading the root certificate of the server certificate used by the backend.',
  'Application Gateway could not create a probe for this backend. This usually happens when the FQDN of the backend is not entered correctly.',
];

const SERVERS_PER_GATEWAY = 5;
const RETRY_AFTER_SECONDS = 1;
const POLLS = 1;

/** `00000000-0000-0000-0000-00000000000<n>`-shaped subscription ids, 1-based. */
const subscriptionId = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Server `k` (0-based) of gateway `i`: `10.<i high>.<i low>.<k + 4>`. */
const serverAddress = (i, k) => `10.${(i >> 8) & 255}.${i & 255}.${k + 4}`;

/** Whether gateway `i` (0-based) has an unhealthy server: two in five. */
const hasUnhealthy = (i) => i % 5 < 2;

/**
 * The scenario document (what `emulator --scenario FILE` reads); each gateway's operation runs for
 * `retryAfterSeconds` (default RETRY_AFTER_SECONDS) and says so in its `Retry-After`.
 */
function buildScenario({ gateways, subscriptions, retryAfterSeconds = RETRY_AFTER_SECONDS }) {
  const list = [];
  for (let i = 0; i < gateways; i++) {
    const sub = subscriptionId((i % subscriptions) + 1);
    const id = `/subscriptions/${sub}/resourceGroups/rg-bench-${i % 20}/providers/Microsoft.Network/applicationGateways/appgw-${i}`;
    const servers = [];
    for (let k = 0; k < SERVERS_PER_GATEWAY; k++) {
      const address = serverAddress(i, k);
      servers.push(
        k === 0 && hasUnhealthy(i)
          ? { address, health: 'Unhealthy', healthProbeLog: PROBE_LOGS[i % PROBE_LOGS.length] }
          : { address, health: 'Healthy', healthProbeLog: 'Success. Received 200 status code' },
      );
    }
    list.push({
      id,
      location: 'westeurope',
      lro: {
        runsForMs: retryAfterSeconds * 1000,
        retryAfterSeconds,
        style: 'location',
      },
      backendHealth: {
        backendAddressPools: [
          {
            backendAddressPool: { id: `${id}/backendAddressPools/pool-web` },
            backendHttpSettingsCollection: [
              { backendHttpSettings: { id: `${id}/backendHttpSettingsCollection/settings-https` }, servers },
            ],
          },
        ],
      },
    });
  }
  return { gateways: list };
}

/** Unhealthy servers in the scenario: the findings (and insights) a run should report. */
function expectedFindings(gateways) {
  let n = 0;
  for (let i = 0; i < gateways; i++) if (hasUnhealthy(i)) n++;
  return n;
}

module.exports = {
  buildScenario,
  hasUnhealthy,
  serverAddress,
  expectedFindings,
  subscriptionId,
  SERVERS_PER_GATEWAY,
  RETRY_AFTER_SECONDS,
  POLLS,
  PROBE_LOGS,
};
