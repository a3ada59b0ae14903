/**
 * What a 2xx from a `teams` URL says when Teams did not post the message. The legacy Office 365
 * connectors (Teams "incoming webhook" URLs, `…webhook.office.com/webhookb2/…`) answer HTTP 200 even
 * when the post failed, with a body such as "Webhook message delivery failed with error: Microsoft
 * Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=…,cv=…": by design, say
 * Microsoft's answers in MicrosoftDocs/msteams-docs issues #1810 and #7425. Success is a body of "1"
 * (connectors) or an empty 202 (Teams Workflows, Power Automate's "When a Teams webhook request is
 * received"), neither of which starts so.
 */

/** Leading text of a connector's failure, case-insensitive, after whitespace. */
const DELIVERY_FAILED = /^\s*webhook message delivery failed\b/i;

/** The status Teams' own endpoint returned, as the connector quotes it ("returned HTTP error 429"). */
const INNER_STATUS = /\bHTTP error (\d{3})\b/i;

/**
 * `undefined` when `answer` (the start of a 2xx body) is not a connector's failure; else the failure,
 * with the status Teams' endpoint returned when the body names one (a 429 or a 5xx is worth another
 * try, anything else, or none, is not).
 */
export function teamsDeliveryFailure(answer: string): { readonly status?: number } | undefined {
  if (!DELIVERY_FAILED.test(answer)) return undefined;
  const inner = INNER_STATUS.exec(answer)?.[1];
  return inner === undefined ? {} : { status: Number(inner) };
}
