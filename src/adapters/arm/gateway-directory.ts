import { clipMessage } from '../../core/text-clip';
import { gatewayKey, type Target } from '../../core/arm-id';
import { readGatewayListPage, type ListScope } from '../../core/gateway-list-page';
import type { ConfigurationResource } from '../../core/gateway-config';
import type { GatewayRef } from '../../core/model';
import {
  isCancellation,
  isTargetListUnavailableError,
  isTargetNotFoundError,
  TargetListUnavailableError,
} from '../../errors';
import type { GatewayDirectory, ListOptions, TargetListing } from '../../ports';
import type { ArmClientFactory } from './client';
import { armAnswered, toArmError, type ListTarget } from './errors';
import { tellingFailedAttempts } from './failed-attempts';
import { answerJson, capturingResponses, type CapturedAnswer } from './response-capture';

const READ_ACTION = 'Microsoft.Network/applicationGateways/read';

/**
 * Expands targets with ARM's list calls (paged; the SDK fetches each page and follows nextLink). A
 * gateway target is taken as is: its backend-health call reports a missing gateway, so no extra read
 * is spent on it.
 *
 * Each page is read from ARM's own text by src/core/gateway-list-page.ts, not from the SDK's model
 * (which would let an entry without an id, or of another scope, pass or vanish): a listing says which
 * gateways are gone, so any page that is not ARM's complete shape, including a `nextLink` page after
 * good ones, fails the whole listing with a TargetListUnavailableError saying what ARM sent. A partial
 * listing is never returned. Each page's configurations go to `keepConfigurations` as it is read.
 */
export function createArmGatewayDirectory(clientFor: ArmClientFactory): GatewayDirectory {
  return {
    async listGateways(target: Target, callOptions: ListOptions = {}): Promise<TargetListing> {
      if (target.kind === 'gateway')
        return { gateways: [target.gateway], present: [target.gateway], shownScopes: [] };
      // ARM has no list call across a management group: discovery-directory.ts sends it to Resource Graph.
      if (target.kind === 'managementGroup')
        throw new TargetListUnavailableError(
          target.id,
          'a management group is listed through Azure Resource Graph',
        );
      const call = { kind: 'list', target, action: READ_ACTION } as const;
      const capture: CapturedAnswer = {};
      let pageNumber = 1;
      try {
        const client = await clientFor(target.subscriptionId);
        const options = callOptions.abortSignal ? { abortSignal: callOptions.abortSignal } : {};
        const pages =
          target.kind === 'resourceGroup'
            ? client.applicationGateways.list(target.resourceGroup, options)
            : client.applicationGateways.listAll(options);
        const gateways: GatewayRef[] = [];
        const listed = new Set<string>();
        const telling = (work: () => Promise<void>) => tellingFailedAttempts(callOptions, work);
        await telling(() =>
          capturingResponses(capture, async () => {
            // The SDK's items are not used: each page is read from the text ARM sent (captured).
            for await (const _ of pages.byPage()) {
              const page = readPage(capture, target, listed, pageNumber);
              for (const gateway of page.gateways) {
                gateways.push(gateway);
                listed.add(gatewayKey(gateway.id));
              }
              // Handed on page by page: the listing holds none of them.
              if (page.configurations.size > 0) await callOptions.keepConfigurations?.(page.configurations);
              pageNumber += 1;
            }
          }),
        );
        // ARM answers 404 (or 403) for a scope it cannot list, so a successful listing shows it whole.
        const scope =
          target.kind === 'resourceGroup'
            ? { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup }
            : { subscriptionId: target.subscriptionId };
        return { gateways, present: gateways, shownScopes: [scope] };
      } catch (error) {
        // The SDK failed on a 200 page it could not take (`{}`: "Cannot read properties of undefined",
        // a `value` that is not an array, text that is not JSON): say what ARM sent instead.
        if (capture.last && !isTargetListUnavailableError(error) && !isCancellation(error)) {
          const text = capture.last.text;
          capture.last = undefined;
          const read = readPageText(text, target, new Set(), pageNumber);
          throw new TargetListUnavailableError(
            target.id,
            read.ok
              ? `ARM answered 200 with a list page the SDK could not read (${firstLine(error)})`
              : read.detail,
            { cause: error, unreadableAnswer: true },
          );
        }
        const mapped = toArmError(error, call, clientFor);
        // A 404 to a nextLink: the scope exists (its earlier pages were read); what ARM no longer knows is
        // the link. Not "the target does not exist", which would send the user to fix a good target.
        if (pageNumber > 1 && isTargetNotFoundError(mapped)) {
          throw new TargetListUnavailableError(
            target.id,
            `${armAnswered(404, (error as { code?: unknown }).code)} to the call for list page ` +
              `${pageNumber} (the previous page's nextLink), after ${pageNumber - 1} good page(s)`,
            { cause: error, unreadableAnswer: true },
          );
        }
        throw mapped;
      }
    },
  };
}

/** The gateways of the page the SDK just took, or a TargetListUnavailableError saying what ARM sent. */
function readPage(
  capture: CapturedAnswer,
  target: Exclude<ListTarget, { kind: 'managementGroup' }>,
  listed: ReadonlySet<string>,
  page: number,
) {
  const text = capture.last?.text;
  capture.last = undefined; // the next page's answer is its own
  const read = readPageText(text, target, listed, page);
  if (!read.ok) throw new TargetListUnavailableError(target.id, read.detail, { unreadableAnswer: true });
  return read;
}

function readPageText(
  text: string | undefined,
  target: Exclude<ListTarget, { kind: 'managementGroup' }>,
  listedBefore: ReadonlySet<string>,
  page: number,
):
  | {
      readonly ok: true;
      readonly gateways: readonly GatewayRef[];
      readonly configurations: ReadonlyMap<string, ConfigurationResource>;
    }
  | { readonly ok: false; readonly detail: string } {
  const call = page === 1 ? 'the list call' : `the call for list page ${page} (the previous page's nextLink)`;
  const answer = answerJson(text, ` to ${call}`);
  if (!answer.ok) return answer;
  const value = answer.value;
  const scope: ListScope =
    target.kind === 'resourceGroup'
      ? { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup }
      : { subscriptionId: target.subscriptionId };
  const read = readGatewayListPage(value, { scope, listedBefore });
  if (read.ok) return read;
  const more = read.problems.length > 3 ? ` (and ${read.problems.length - 3} more)` : '';
  return {
    ok: false,
    detail: `ARM answered 200 to ${call} with what is not a complete listing of the scope: ${read.problems.slice(0, 3).join('; ')}${more}`,
  };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return clipMessage(text, 300, { oneLine: true });
}
