/**
 * The commands an insight offers to confirm a fix at once (pure): `appgw-insights recheck` for the CLI
 * and the `recheckGateway` HTTP function's request for the Functions app, both for this server's
 * gateway, backend pool and backend setting, which is what ARM's on-demand probe takes
 * (`POST …/applicationGateways/{name}/getBackendHealthOnDemand`, learn.microsoft.com/rest/api/
 * application-gateway/application-gateways/backend-health-on-demand: one pool, one backend setting).
 *
 * Every value from ARM is one shell word (shell-quote.ts); the JSON body is built by JSON.stringify,
 * then quoted as one word. The function app's host name and its key are shell variables the reader
 * sets: the key is a secret and never written into an insight.
 */
import type { GatewayRef } from './model';
import { requiredExpansion } from './shell-variables';
import { shellWord } from './shell-quote';

/** The variables the HTTP command uses (the reader sets them first). */
export const FUNCTION_HOST_VARIABLE = 'FUNCTION_APP_HOST';
export const FUNCTION_KEY_VARIABLE = 'FUNCTION_KEY';

/** What a recheck names: the gateway, and the pool and backend setting as the backend-health body did. */
export interface RecheckTarget {
  readonly gateway: GatewayRef;
  readonly backendPool: string;
  readonly backendSettings: string;
}

export interface RecheckCommands {
  /** One line: `appgw-insights recheck --gateway … --pool … --settings …`. */
  readonly cli: string;
  /** One line: the `curl` that POSTs to the `recheckGateway` function (README, functions table). */
  readonly http: string;
}

/** The CLI and HTTP commands that recheck `target` (see the module comment). */
export function recheckCommands(target: RecheckTarget): RecheckCommands {
  const cli = [
    'appgw-insights recheck',
    '--gateway',
    shellWord(target.gateway.id),
    '--pool',
    shellWord(target.backendPool),
    '--settings',
    shellWord(target.backendSettings),
  ].join(' ');
  const g = target.gateway;
  const path = ['gateways', g.subscriptionId, g.resourceGroup, g.name, 'recheck']
    .map(encodeURIComponent)
    .join('/');
  // The URL's variable parts stay outside the quotes so the shell expands them; the path is one word.
  // Each variable refused while empty (bash, zsh: `${NAME:?message}`), as the fix commands' are
  // (shell-variables.ts requiredExpansion): nothing is sent with a value the reader did not give.
  const host = requiredExpansion(FUNCTION_HOST_VARIABLE, 'the host name of the Functions app');
  const url = `"https://${host}"${shellWord(`/api/${path}`)}`;
  const body = JSON.stringify({ pool: target.backendPool, settings: target.backendSettings });
  const http = [
    'curl -sS -X POST',
    url,
    '-H',
    `"x-functions-key: ${requiredExpansion(FUNCTION_KEY_VARIABLE, 'a function key')}"`,
    '-H',
    shellWord('Content-Type: application/json'),
    '--data',
    shellWord(body),
  ].join(' ');
  return { cli, http };
}
