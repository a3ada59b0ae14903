/** The warnings of one gateway's result, as the direct run's stderr and a queue invocation's log have them. */
import type { GatewayReport } from '../../src/core/run-report';
import { gatewayWarnings } from '../../src/pipeline/gateway-warnings';

const id = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';
const read: GatewayReport = {
  id,
  name: 'gw',
  subscriptionId: 's',
  resourceGroup: 'rg',
  ok: true,
  error: null,
  durationInMs: 1,
  servers: 2,
  findings: [],
};
const failed = (message: string): GatewayReport => ({
  ...read,
  ok: false,
  error: { code: 'BackendHealthUnavailable', message, retryable: true },
});

it.each<[string, GatewayReport, string[]]>([
  ['read whole: none', read, []],
  ['a failure naming the gateway first: as it is', failed(`${id} does not exist`), [`${id} does not exist`]],
  [
    'a failure naming it after a prefix: as it is',
    failed(`Backend health for ${id} is unavailable`),
    [`Backend health for ${id} is unavailable`],
  ],
  [
    'a failure not naming it: named before it',
    failed('no answer within 25 ms'),
    [`${id}: no answer within 25 ms`],
  ],
  [
    'the configuration not read, without findings',
    { ...read, configuration: { read: false, reason: 'forbidden', generalSteps: 0, message: '403' } },
    [`${id}: configuration not read (forbidden): 403`],
  ],
  [
    'a reading short of two pools',
    { ...read, poolsNotRead: ['pool-a', 'pool-b'] },
    [
      `${id}: reading incomplete: ARM's backend health did not list 2 backend pools (pool-a and pool-b), or listed no server of them: their servers were not read this run`,
    ],
  ],
])('%s', (_, report, expected) => {
  expect(gatewayWarnings(report)).toEqual(expected);
  for (const warning of gatewayWarnings(report)) expect(warning.split(id)).toHaveLength(2);
});
