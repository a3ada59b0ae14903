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
