/**
 * The run's cap on ARM requests being answered at once, over the one HTTP client every ARM client of a
 * run shares (client.ts). The cap used to be the HTTP agent's `maxSockets` alone (ARM_MAX_CONNECTIONS):
 * a request that hung held its connection until its gateway's time-out, and past 128 such (polls,
 * POSTs and GETs that ARM never answered, together) every other request waited in the agent's line for
 * one of them, so healthy gateways failed at their time-out (a break trial). Now a request holds its
 * place ARM_UNANSWERED_AFTER_IN_MS at most: past it, it goes on on its own connection without counting,
 * and the next in line goes out. The agent's own cap is higher (ARM_OPEN_CONNECTIONS_PER_PLACE times
 * the places), so connections stay bounded while requests hang.
 */
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { ARM_UNANSWERED_AFTER_IN_MS } from '../../core/arm-answer-time';
import { fifoSemaphore } from '../../core/fifo-semaphore';
import { abortedWait } from './abortable-wait';

/** How long a request to ARM holds its place among those being answered, in ms (core/arm-answer-time.ts). */
export { ARM_UNANSWERED_AFTER_IN_MS };

/**
 * Most connections the HTTP agent opens, per place (ARM_MAX_CONNECTIONS × 8 = 1 024): room for the
 * requests that hang beside the ones being answered, bounded (about 80 KB of TLS state each).
 */
export const ARM_OPEN_CONNECTIONS_PER_PLACE = 8;

/**
 * `inner` with at most `places` requests being answered at once, in the order sent: a request waits
 * for a place (rejecting with an AbortError when its abort signal fires first, as the HTTP client's
 * own abort does) and holds it until its answer (its body read) or for `unansweredAfterInMs`, which
 * comes first.
 */
export function answeringAtMost(
  inner: HttpClient,
  places: number,
  unansweredAfterInMs = ARM_UNANSWERED_AFTER_IN_MS,
): HttpClient {
  const answering = fifoSemaphore(places);
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const signal = request.abortSignal as AbortSignal | undefined;
      try {
        await answering.acquire(signal ? { abortSignal: signal } : {});
      } catch {
        throw abortedWait('the wait for a connection to ARM');
      }
      let held = true;
      const giveBack = () => {
        if (!held) return;
        held = false;
        answering.release();
      };
      const timer = setTimeout(giveBack, unansweredAfterInMs);
      try {
        return await inner.sendRequest(request);
      } finally {
        clearTimeout(timer);
        giveBack();
      }
    },
  };
}
