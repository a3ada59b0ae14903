import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  isAlertRefusal,
  readGatewayAlert,
  type AlertRefusal,
  type GatewayAlert,
} from '../../../src/core/alerts/common-alert-schema';
import { DELETE, withEdits } from '../../helpers/json-edits';
import { readAlertTrigger, alertTrigger, triggerText } from '../../../src/core/alerts/alert-trigger';

/** The common alert schema, read strictly (fixtures: test/fixtures/azure-monitor-alerts/README.md). */
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(
    readFileSync(path.join(__dirname, '../../fixtures/azure-monitor-alerts', name), 'utf8'),
  ) as Record<string, unknown>;
const SUB = '11111111-1111-1111-1111-111111111111';
const GW = `/subscriptions/${SUB}/resourcegroups/rg-test/providers/microsoft.network/applicationgateways/gw-alerted`;

/** The fired fixture with `edit` applied to a deep copy. */
function fired(edits: Readonly<Record<string, unknown>>): unknown {
  return withEdits(fixture('metric-static-fired.json'), edits);
}
const CRITERION = 'data.alertContext.condition.allOf.0';

function accepted(body: unknown): GatewayAlert {
  const read = readGatewayAlert(body);
  if (isAlertRefusal(read)) throw new Error(`refused: ${read.message}`);
  return read;
}

describe('readGatewayAlert: the payloads Azure Monitor sends for UnhealthyHostCount', () => {
  it('static threshold, Fired: the alert, its gateway (as written), and the BackendSettingsPool values', () => {
    expect(accepted(fixture('metric-static-fired.json'))).toEqual({
      alertId: `/subscriptions/${SUB}/providers/Microsoft.AlertsManagement/alerts/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e`,
      alertRule: 'agw-unhealthy-hosts-gw-alerted',
      severity: 'Sev1',
      monitorCondition: 'Fired',
      firedAt: '2026-11-30T09:58:24.371Z',
      gateways: [
        {
          id: `/subscriptions/${SUB}/resourceGroups/rg-test/providers/Microsoft.Network/applicationGateways/gw-alerted`,
          subscriptionId: SUB,
          resourceGroup: 'rg-test',
          name: 'gw-alerted',
        },
      ],
      notTaken: [],
      backendSettingsPools: ['pool-a~settings-a'],
      conditionType: 'SingleResourceMultipleMetricCriteria',
    });
  });

  it('static threshold, Resolved: with its resolvedDateTime', () => {
    expect(accepted(fixture('metric-static-resolved.json'))).toMatchObject({
      monitorCondition: 'Resolved',
      firedAt: '2026-11-30T09:58:24.371Z',
      resolvedAt: '2026-11-30T10:14:16.224Z',
    });
  });

  it('dynamic threshold (namespace in lower case, as the docs sample writes it)', () => {
    expect(accepted(fixture('metric-dynamic-fired.json'))).toMatchObject({
      conditionType: 'DynamicThresholdCriteria',
      alertRule: 'agw-unhealthy-hosts-dynamic',
    });
  });

  it.each([
    ['no dimensions (a rule not split by pool)', { [`${CRITERION}.dimensions`]: DELETE }, []],
    ['empty dimensions', { [`${CRITERION}.dimensions`]: [] }, []],
    ['no metricNamespace', { [`${CRITERION}.metricNamespace`]: DELETE }, ['pool-a~settings-a']],
    [
      'another dimension beside it',
      { [`${CRITERION}.dimensions.1`]: { name: 'BackendServer', value: '10.0.0.4' } },
      ['pool-a~settings-a'],
    ],
    [
      'a multi-resource rule',
      { 'data.alertContext.conditionType': 'MultipleResourceMultipleMetricCriteria' },
      ['pool-a~settings-a'],
    ],
    [
      'metric name in another case',
      { [`${CRITERION}.metricName`]: 'unhealthyhostcount' },
      ['pool-a~settings-a'],
    ],
  ])('taken too: %s', (_name, edit, pools) => {
    expect(accepted(fired(edit)).backendSettingsPools).toEqual(pools);
  });

  it('a gateway beside other resources (a multi-resource rule): the gateway taken, the others listed as not taken', () => {
    const alert = accepted(
      fired({
        'data.essentials.alertTargetIDs.1': `/subscriptions/${SUB}/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm`,
        'data.essentials.alertTargetIDs.2': 'not an id\n\u202e',
      }),
    );
    expect(alert.gateways.map((g) => g.name)).toEqual(['gw-alerted']);
    expect(alert.notTaken).toEqual([
      {
        target: `/subscriptions/${SUB}/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm`,
        code: 'NotApplicationGateway',
        message: expect.stringMatching(
          /alertTargetIDs\[1\].*virtualmachines\/vm.*not a Microsoft\.Network\/applicationGateways/,
        ),
      },
      {
        target: 'not an id\n\u202e',
        code: 'NotApplicationGateway',
        // Quoted and escaped in the message: a crafted id cannot break a log line.
        message: expect.stringContaining('alertTargetIDs[2] "not an id\\n\\u202e"'),
      },
    ]);
  });

  it.each([
    ['after it', 1],
    ['before it', 0],
  ])(
    'UnhealthyHostCount beside another metric (%s) in allOf: taken; only its own BackendSettingsPool values kept',
    (_name, index) => {
      const other = {
        metricName: 'FailedRequests',
        metricNamespace: 'Microsoft.Network/applicationGateways',
        operator: 'GreaterThan',
        threshold: '0',
        timeAggregation: 'Total',
        dimensions: [{ name: 'BackendSettingsPool', value: 'pool-z~settings-z' }],
        metricValue: 3,
      };
      const body = fixture('metric-static-fired.json') as {
        data: { alertContext: { condition: { allOf: unknown[] } } };
      };
      body.data.alertContext.condition.allOf.splice(index, 0, other);
      const alert = accepted(body);
      expect(alert.backendSettingsPools).toEqual(['pool-a~settings-a']);
      expect(alert.gateways).toHaveLength(1);
    },
  );

  it('the same gateway named twice is one gateway', () => {
    const alert = accepted(
      fired({
        'data.essentials.alertTargetIDs.1': GW.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'),
      }),
    );
    expect(alert.gateways).toHaveLength(1);
  });

  it('a long rule name is capped, never refused', () => {
    const alert = accepted(fired({ 'data.essentials.alertRule': 'r'.repeat(5000) }));
    expect(alert.alertRule.length).toBeLessThan(400);
    expect(alert.alertRule).toMatch(/\[cut: 5000 characters in all\]$/);
  });
});

/** Refused bodies: status, code, and a word of the message that says what to change. */
const REFUSED: [string, unknown, AlertRefusal['status'], AlertRefusal['code'], RegExp][] = [
  ['null', null, 400, 'InvalidAlert', /JSON object/],
  ['an array', [fixture('metric-static-fired.json')], 400, 'InvalidAlert', /JSON object/],
  ['a string', 'alert', 400, 'InvalidAlert', /JSON object/],
  [
    'no schemaId (the non-common metric alert schema)',
    fired({ schemaId: DELETE }),
    400,
    'NotCommonAlertSchema',
    /useCommonAlertSchema/,
  ],
  [
    'the older metric schema',
    { schemaId: 'AzureMonitorMetricAlert', data: { version: '2.0', status: 'Activated', context: {} } },
    400,
    'NotCommonAlertSchema',
    /common alert schema/,
  ],
  [
    'schemaId in another case',
    fired({ schemaId: 'AzureMonitorCommonAlertSchema' }),
    400,
    'NotCommonAlertSchema',
    /azureMonitorCommonAlertSchema/,
  ],
  ['no data', fired({ data: DELETE }), 400, 'InvalidAlert', /data must be an object/],
  ['no essentials', fired({ 'data.essentials': DELETE }), 400, 'InvalidAlert', /data\.essentials must/],
  ['no alertId', fired({ 'data.essentials.alertId': DELETE }), 400, 'InvalidAlert', /alertId/],
  [
    'an alertId of 2000 characters',
    fired({ 'data.essentials.alertId': 'x'.repeat(2000) }),
    400,
    'InvalidAlert',
    /at most 1024/,
  ],
  ['an empty alertRule', fired({ 'data.essentials.alertRule': ' ' }), 400, 'InvalidAlert', /alertRule/],
  [
    'a severity outside Sev0-Sev4',
    fired({ 'data.essentials.severity': 'Sev9' }),
    400,
    'InvalidAlert',
    /Sev0 … Sev4/,
  ],
  ['severity as a number', fired({ 'data.essentials.severity': 1 }), 400, 'InvalidAlert', /severity/],
  [
    'a log search alert',
    fired({ 'data.essentials.signalType': 'Log' }),
    422,
    'NotMetricAlert',
    /only metric alerts/,
  ],
  [
    'an activity log alert',
    fired({ 'data.essentials.signalType': 'Activity Log' }),
    422,
    'NotMetricAlert',
    /Remove this webhook/,
  ],
  [
    'monitorCondition Activated',
    fired({ 'data.essentials.monitorCondition': 'Activated' }),
    400,
    'InvalidAlert',
    /"Fired" or "Resolved"/,
  ],
  [
    'no firedDateTime',
    fired({ 'data.essentials.firedDateTime': DELETE }),
    400,
    'InvalidAlert',
    /firedDateTime/,
  ],
  [
    'a firedDateTime that is no date',
    fired({ 'data.essentials.firedDateTime': '3/22/2019 1:36:31 PM' }),
    400,
    'InvalidAlert',
    /ISO 8601/,
  ],
  [
    'Resolved without resolvedDateTime',
    fired({ 'data.essentials.monitorCondition': 'Resolved' }),
    400,
    'InvalidAlert',
    /resolvedDateTime/,
  ],
  [
    'no alertTargetIDs',
    fired({ 'data.essentials.alertTargetIDs': DELETE }),
    400,
    'InvalidAlert',
    /alertTargetIDs/,
  ],
  [
    'empty alertTargetIDs',
    fired({ 'data.essentials.alertTargetIDs': [] }),
    400,
    'InvalidAlert',
    /non-empty array/,
  ],
  [
    'eleven targets',
    fired({ 'data.essentials.alertTargetIDs': Array(11).fill(GW) }),
    400,
    'InvalidAlert',
    /at most 10/,
  ],
  [
    'a target that is a number',
    fired({ 'data.essentials.alertTargetIDs': [42] }),
    400,
    'InvalidAlert',
    /must be a string/,
  ],
  [
    'a virtual machine (the docs sample)',
    fixture('docs-sample-vm-cpu-resolved.json'),
    422,
    'NotApplicationGateway',
    /not a Microsoft\.Network\/applicationGateways resource/,
  ],
  [
    'a gateway child resource (a pool)',
    fired({ 'data.essentials.alertTargetIDs': [`${GW}/backendAddressPools/pool-a`] }),
    422,
    'NotApplicationGateway',
    /only application gateways are evaluated/,
  ],
  [
    'a load balancer',
    fired({ 'data.essentials.alertTargetIDs': [GW.replace('applicationgateways', 'loadbalancers')] }),
    422,
    'NotApplicationGateway',
    /loadbalancers/,
  ],
  [
    'an Application Gateway for Containers',
    fired({
      'data.essentials.alertTargetIDs': [
        GW.replace('microsoft.network/applicationgateways', 'microsoft.servicenetworking/trafficcontrollers'),
      ],
    }),
    422,
    'NotApplicationGateway',
    /trafficcontrollers/,
  ],
  [
    'a VM and a load balancer, no gateway: both named',
    fired({
      'data.essentials.alertTargetIDs': [
        `/subscriptions/${SUB}/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm`,
        GW.replace('applicationgateways', 'loadbalancers'),
      ],
    }),
    422,
    'NotApplicationGateway',
    /alertTargetIDs\[0\].*virtualmachines.*alertTargetIDs\[1\].*loadbalancers/,
  ],
  [
    'no alertContext',
    fired({ 'data.alertContext': DELETE }),
    400,
    'InvalidAlert',
    /alertContext must be an object/,
  ],
  [
    'a web test condition',
    fired({ 'data.alertContext.conditionType': 'WebtestLocationAvailabilityCriteria' }),
    422,
    'NotMetricAlert',
    /metric criteria/,
  ],
  [
    'a log query condition',
    fired({ 'data.alertContext.conditionType': 'LogQueryCriteria' }),
    422,
    'NotMetricAlert',
    /LogQueryCriteria/,
  ],
  [
    'no condition',
    fired({ 'data.alertContext.condition': DELETE }),
    400,
    'InvalidAlert',
    /condition must be an object/,
  ],
  ['empty allOf', fired({ 'data.alertContext.condition.allOf': [] }), 400, 'InvalidAlert', /non-empty array/],
  [
    'a criterion that is a string',
    fired({ 'data.alertContext.condition.allOf': ['x'] }),
    400,
    'InvalidAlert',
    /allOf\[0\] must be an object/,
  ],
  [
    'no metricName',
    fired({ 'data.alertContext.condition.allOf.0.metricName': DELETE }),
    400,
    'InvalidAlert',
    /metricName/,
  ],
  [
    'HealthyHostCount',
    fired({ 'data.alertContext.condition.allOf.0.metricName': 'HealthyHostCount' }),
    422,
    'MetricNotSupported',
    /no condition is on UnhealthyHostCount/,
  ],
  [
    'CpuUtilization',
    fired({ 'data.alertContext.condition.allOf.0.metricName': 'CpuUtilization' }),
    422,
    'MetricNotSupported',
    /"CpuUtilization"/,
  ],
  [
    'two metrics, neither UnhealthyHostCount: both named',
    fired({
      [`${CRITERION}.metricName`]: 'CpuUtilization',
      'data.alertContext.condition.allOf.1': {
        metricName: 'FailedRequests',
        metricNamespace: 'Microsoft.Network/applicationGateways',
        operator: 'GreaterThan',
        threshold: '0',
        timeAggregation: 'Total',
        dimensions: [],
        metricValue: 3,
      },
    }),
    422,
    'MetricNotSupported',
    /"CpuUtilization", metric "FailedRequests"/,
  ],
  [
    'UnhealthyHostCount of another namespace',
    fired({ [`${CRITERION}.metricNamespace`]: 'Microsoft.ServiceNetworking/trafficControllers' }),
    422,
    'MetricNotSupported',
    /metricNamespace/,
  ],
  [
    'dimensions as an object',
    fired({ 'data.alertContext.condition.allOf.0.dimensions': { name: 'x' } }),
    400,
    'InvalidAlert',
    /dimensions must be an array/,
  ],
  [
    'a dimension without value',
    fired({ 'data.alertContext.condition.allOf.0.dimensions': [{ name: 'BackendSettingsPool' }] }),
    400,
    'InvalidAlert',
    /dimensions\[0\]/,
  ],
];

describe('readGatewayAlert refuses, saying why', () => {
  it.each(REFUSED.map(([name, body, status, code, says]) => [name, status, code, body, says] as const))(
    '%s → %i %s',
    (_name, status, code, body, says) => {
      const read = readGatewayAlert(body);
      expect(isAlertRefusal(read)).toBe(true);
      expect(read).toMatchObject({ status, code, message: expect.stringMatching(says) });
    },
  );

  it('a refusal of an alert it understood names the rule, quoted (a crafted name cannot break a log line)', () => {
    const read = readGatewayAlert(
      fired({
        'data.essentials.alertRule': 'rule\n\u202eevil',
        [`${CRITERION}.metricName`]: 'CpuUtilization',
      }),
    );
    expect((read as AlertRefusal).message).toContain('alert rule "rule\\n\\u202eevil"');
  });

  it('any other JSON value is refused as not the common alert schema, never thrown (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(readGatewayAlert(value)).toMatchObject({ status: 400 });
      }),
    );
  });

  it('any edit of one essentials field to another JSON value is taken or refused, never thrown (property)', () => {
    const keys = [
      'alertId',
      'alertRule',
      'severity',
      'signalType',
      'monitorCondition',
      'alertTargetIDs',
      'firedDateTime',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, value) => {
        const body = fired({ [`data.essentials.${key}`]: value });
        expect(() => readGatewayAlert(body)).not.toThrow();
      }),
    );
  });
});

describe('the trigger an alert gives its evaluation', () => {
  it('the trigger survives the queue (JSON) and is re-read; a forged one is not', () => {
    const trigger = alertTrigger(accepted(fixture('metric-static-resolved.json')));
    expect(readAlertTrigger(JSON.parse(JSON.stringify(trigger)))).toEqual(trigger);
    expect(readAlertTrigger({ ...trigger, kind: 'other' })).toBeUndefined();
    expect(readAlertTrigger({ ...trigger, firedAt: 'yesterday' })).toBeUndefined();
    expect(readAlertTrigger({ ...trigger, backendSettingsPools: [1] })).toBeUndefined();
    expect(readAlertTrigger({ ...trigger, alertRule: 'r'.repeat(9000) })?.alertRule.length).toBeLessThan(400);
    expect(triggerText(trigger)).toBe(
      'triggered by Azure Monitor alert "agw-unhealthy-hosts-gw-alerted" (Sev1, Resolved 2026-11-30T10:14:16.224Z; "pool-a~settings-a")',
    );
  });
});
