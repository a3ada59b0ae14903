/**
 * The one check of a backend pool's or backend setting's name as `recheck` is given it (the CLI's
 * `--pool`/`--settings`, the HTTP body's `"pool"`/`"settings"`), so both accept and refuse the same names.
 *
 * The rule: Microsoft.Network `applicationGateways`, "Naming rules and restrictions for Azure resources"
 * (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules, Microsoft.Network):
 * 1-80 characters; alphanumerics, underscores, periods and hyphens; start with an alphanumeric, end with
 * an alphanumeric or an underscore. A gateway's child names (pools, settings) are held to the same rule;
 * a name outside it cannot be one the gateway has, so it is refused before anything is asked of ARM.
 */
import { capText } from './caps';

/** The rule as a pattern (ASCII only: the page's "alphanumerics" are a-z, A-Z, 0-9). */
export const GATEWAY_CHILD_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;

/** The rule in words, for messages. */
export const GATEWAY_CHILD_NAME_RULE =
  '1 to 80 characters: letters, digits, underscores, periods and hyphens, starting with a letter or digit ' +
  "and ending with a letter, digit or underscore (Azure's naming rule for application gateways: " +
  'learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules)';

/**
 * What is wrong with `value` as the name of a gateway's pool or setting, given as `label` (`--pool`,
 * `"settings"`); undefined when it is one. The value is quoted as JSON (controls escaped) and clipped.
 */
export function gatewayChildNameProblem(label: string, value: string): string | undefined {
  if (GATEWAY_CHILD_NAME.test(value)) return undefined;
  const shown = JSON.stringify(capText(value, 100));
  return `${label} ${shown} is not a name a gateway can have: ${GATEWAY_CHILD_NAME_RULE}`;
}
