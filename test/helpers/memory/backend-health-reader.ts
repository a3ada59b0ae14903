import { gatewayKey } from '../../../src/core/arm-id';
import type { BackendHealthBody, GatewayRef } from '../../../src/core/model';
import { GatewayNotFoundError } from '../../../src/errors';
import type { CallOptions, SteppedBackendHealthReader } from '../../../src/ports';
import { play, type Answer } from './answer';

/**
 * A BackendHealthReader answering from a map, with the gateways it was asked about. In steps, the
 * start answers at once (as ARM's POST does with a 200): no continuation.
 */
export interface MemoryBackendHealthReader extends SteppedBackendHealthReader {
  /** Gateway id (any case, as ARM ids) → its backend health, or how the call fails. */
  readonly health: {
    set(gatewayId: string, answer: Answer<BackendHealthBody>): void;
    delete(gatewayId: string): void;
  };
  /** Every call, in order, with its abort signal. */
  readonly calls: Array<{ readonly gateway: GatewayRef; readonly abortSignal?: AbortSignal }>;
}

/** A gateway with no entry answers as ARM does for one that does not exist (GatewayNotFoundError, 404). */
export function memoryBackendHealthReader(
  health: Readonly<Record<string, Answer<BackendHealthBody>>> = {},
): MemoryBackendHealthReader {
  const answers = new Map<string, Answer<BackendHealthBody>>(
    Object.entries(health).map(([id, answer]) => [gatewayKey(id), answer]),
  );
  const reader: MemoryBackendHealthReader = {
    health: {
      set: (id, answer) => void answers.set(gatewayKey(id), answer),
      delete: (id) => void answers.delete(gatewayKey(id)),
    },
    calls: [],
    getBackendHealth(gateway: GatewayRef, options?: CallOptions) {
      reader.calls.push({
        gateway,
        ...(options?.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
      const answer = answers.get(gatewayKey(gateway.id));
      if (answer === undefined)
        return Promise.reject(new GatewayNotFoundError(gateway.id, 'ARM answered 404 ResourceNotFound'));
      return play<BackendHealthBody>(answer, options);
    },
    async startBackendHealth(gateway, options) {
      return { done: await reader.getBackendHealth(gateway, options) };
    },
    async pollBackendHealth(gateway, _operation, options) {
      return { done: await reader.getBackendHealth(gateway, options) };
    },
  };
  return reader;
}
