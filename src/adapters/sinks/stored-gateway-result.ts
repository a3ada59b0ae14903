import type { GatewayReport } from '../../core/run-report';

/**
 * The gateway result a sink stored before (`runs/<runId>/gateways/…json`: a run report holding one
 * gateway), read back to decide what a later try of the same run writes over it
 * (core/kept-gateway-result.ts). Undefined for text that is not such a result (cut off, edited by
 * hand): the new result is then written, as when there is none.
 */
export function parseStoredGatewayResult(text: string): GatewayReport | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const gateway: unknown = (parsed as { gateways?: unknown } | null)?.gateways;
  const first: unknown = Array.isArray(gateway) ? gateway[0] : undefined;
  if (typeof first !== 'object' || first === null) return undefined;
  const { id, error } = first as { id?: unknown; error?: unknown };
  if (typeof id !== 'string') return undefined;
  const errorShaped =
    error === null ||
    (typeof error === 'object' &&
      typeof (error as { code?: unknown }).code === 'string' &&
      typeof (error as { message?: unknown }).message === 'string');
  return errorShaped ? (first as GatewayReport) : undefined;
}
