/** The Functions app's handlers, as the host would register them. */
export interface FunctionHandlers {
  readonly discoverGateways: (typeof import('../../functions/discover-gateways'))['discoverGateways'];
  readonly evaluateGateway: (typeof import('../../functions/evaluate-gateway'))['evaluateGateway'];
  readonly recordPoisonedGatewayMessage: (typeof import('../../functions/record-poisoned-gateway'))['recordPoisonedGatewayMessage'];
  readonly gatewayInsight: (typeof import('../../functions/gateway-insight'))['gatewayInsight'];
}

/**
 * Every handler, from modules loaded afresh (jest.isolateModules): the function modules read their
 * app settings (schedule, queue name) at load, so a test that sets process.env first gets handlers
 * that read them as the host would at start-up.
 */
export function loadFunctionHandlers(): FunctionHandlers {
  let handlers = {} as FunctionHandlers;
  jest.isolateModules(() => {
    handlers = {
      ...require('../../functions/discover-gateways'),
      ...require('../../functions/evaluate-gateway'),
      ...require('../../functions/record-poisoned-gateway'),
      ...require('../../functions/gateway-insight'),
    };
  });
  return handlers;
}

/** The HTTP function modules the tests load one at a time, by file name under functions/. */
interface HttpFunctionModules {
  readonly 'azure-monitor-alert': typeof import('../../functions/azure-monitor-alert');
  readonly 'recheck-gateway': typeof import('../../functions/recheck-gateway');
}

/** One function module (its handler and its registration options), loaded afresh as loadFunctionHandlers does. */
export function loadFunctionModule<N extends keyof HttpFunctionModules>(name: N): HttpFunctionModules[N] {
  let loaded!: HttpFunctionModules[N];
  jest.isolateModules(() => {
    loaded = require(`../../functions/${name}`);
  });
  return loaded;
}
