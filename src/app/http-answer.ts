import { gatewayRef } from '../core/arm-id';
import type { GatewayRef } from '../core/model';

/**
 * What an HTTP function answers: the shape of the Functions library's HttpResponseInit, so src/app
 * builds answers without importing @azure/functions.
 */
export interface HttpAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly jsonBody?: unknown;
}

/**
 * The JSON error answer every HTTP function gives: `{gateway?, error: {code, message}}` (`gateway` the
 * ARM id, when the answer is about one gateway). `code` is ours (src/errors.ts) or the HTTP refusal's.
 */
export function errorAnswer(
  status: number,
  code: string,
  message: string,
  more: { readonly gatewayId?: string; readonly headers?: Record<string, string> } = {},
): HttpAnswer {
  return {
    status,
    ...(more.headers ? { headers: more.headers } : {}),
    jsonBody: {
      ...(more.gatewayId !== undefined ? { gateway: more.gatewayId } : {}),
      error: { code, message },
    },
  };
}

/**
 * An ARM name as a route or a body may give it: ASCII letters and digits, `_ . ( ) -`, 1 to 90
 * characters. The resource group rule (alphanumerics, underscore, parentheses, hyphen, period; 1–90:
 * learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules), the widest of a
 * subscription id, a resource group, a gateway and its pools' and settings' names; its Unicode letters
 * are not taken here.
 */
export const ARM_NAME = /^[\w.()-]{1,90}$/;

/** The route's `{subscription}/{resourceGroup}/{name}` parameters. */
export interface GatewayRouteParams {
  readonly subscription?: string;
  readonly resourceGroup?: string;
  readonly name?: string;
}

/** The gateway the route names, or undefined when a part is missing or not an ARM name. */
export function routeGateway(params: GatewayRouteParams): GatewayRef | undefined {
  const { subscription = '', resourceGroup = '', name = '' } = params;
  return [subscription, resourceGroup, name].every((part) => ARM_NAME.test(part))
    ? gatewayRef(subscription, resourceGroup, name)
    : undefined;
}

/** The 400 answer for a route that does not name a gateway (routeGateway undefined). */
export const ROUTE_NOT_ARM_NAMES =
  "the URL's {subscription}/{resourceGroup}/{name} must be ARM names: 1 to 90 characters, letters, digits " +
  'and _ . ( ) - (the resource group naming rule: learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules)';
