import { joinPieces } from '../../../src/core/piece-text';
import { DeliveryError } from '../../../src/errors';
import type { Delivery, DeliveryReceipt, InsightSink } from '../../../src/ports';
import { play, type Answer } from './answer';

/** A delivery as a memory sink keeps it: the status page read whole (a direct run gives it in pieces). */
export type KeptDelivery = Omit<Delivery, 'statusPage'> & { readonly statusPage?: string };

/** An InsightSink that keeps what it was given (Alertmanager's notifierFunc, for sinks). */
export interface MemorySink extends InsightSink {
  /** Every delivery it took, in order (a failed one is not kept). */
  readonly deliveries: KeptDelivery[];
  /** Every delivery it was offered, taken or not. */
  readonly offered: KeptDelivery[];
  /** How the next deliveries answer instead of taking them: set to fail (or hang); unset to heal. */
  failure?: Answer<DeliveryReceipt>;
}

/** Takes every delivery; its receipt names `memory://<name>/<scope>/<runId>`. */
export function memorySink(name = 'memory'): MemorySink {
  const sink: MemorySink = {
    name,
    deliveries: [],
    offered: [],
    async deliver(offered) {
      // Read while the run's scratch still holds it, as a sink writes it.
      const delivery: KeptDelivery =
        offered.statusPage === undefined || typeof offered.statusPage === 'string'
          ? (offered as KeptDelivery)
          : { ...offered, statusPage: await joinPieces(offered.statusPage) };
      sink.offered.push(delivery);
      if (sink.failure !== undefined) return play<DeliveryReceipt>(sink.failure, undefined);
      sink.deliveries.push(delivery);
      return { locations: [`memory://${name}/${delivery.scope}/${delivery.report.runId}`] };
    },
  };
  return sink;
}

/** A sink that refuses every delivery with a DeliveryError (retryable or not). */
export function failingSink(name: string, detail = 'the store is down', retryable = true): MemorySink {
  const sink = memorySink(name);
  sink.failure = new DeliveryError(name, detail, { retryable: retryable });
  return sink;
}

/**
 * `inner` refusing, while `refusal.on`, the deliveries of gateway `gatewayId`'s insights and result
 * (scope `gateway`; with `readOnly`, only of a reading that succeeded) with a DeliveryError that
 * cannot pass, as the folder sink refuses a gateway folder holding a user's file; every other delivery
 * goes to `inner`, which keeps it.
 */
export function refusingSink(
  inner: MemorySink,
  gatewayId: string,
  options: { readonly readOnly?: boolean } = {},
): { readonly sink: InsightSink; readonly refusal: { on: boolean } } {
  const refusal = { on: true };
  const sink: InsightSink = {
    name: inner.name,
    async deliver(delivery) {
      const refused =
        refusal.on &&
        delivery.scope === 'gateway' &&
        delivery.report.gateways.some((g) => g.id === gatewayId && (g.ok || options.readOnly !== true));
      if (refused)
        throw new DeliveryError(inner.name, 'runbook.md in its folder is not one of ours: move it', {
          retryable: false,
        });
      return inner.deliver(delivery);
    },
  };
  return { sink, refusal };
}

/**
 * A sink that holds every `gateway` delivery (and so, in a direct run, the gateway's render place) until
 * `release` is called; other scopes are taken at once.
 */
export function holdingSink(): InsightSink & { release(): void } {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  return {
    name: 'holding',
    async deliver(delivery) {
      if (delivery.scope === 'gateway') await held;
      return { locations: [] };
    },
    release: () => release(),
  };
}
