import type { Notice } from '../../core/notice/notice';
import { formatCharactersShown } from '../../core/visible-text';
import { endingWords, severityLabel, shownHealth } from '../../core/notice/notice-labels';
/**
 * Helpers for untrusted text (probe logs, addresses, names): they may hold anything, including lone
 * surrogates, control characters, bidi overrides and 100 kB strings. Each format escapes for its medium
 * with `escapeClip`, which measures the ESCAPED result, so a limit holds whatever the input.
 */

/** Lone UTF-16 surrogates become U+FFFD, so every payload is well-formed Unicode. */
export function wellFormed(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** C0/C1 controls (but tab and newline). */
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const HIDDEN_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;

/**
 * For chat media: well-formed, CRLF → LF, hidden controls → space, tabs → space, and each format
 * character (bidi controls, zero-width ones) written as its escape (`\u200B`: formatCharactersShown), so
 * it neither reorders nor hides (a break trial: `10.0.9.4` + U+200B reached Teams as `10.0.9.4`).
 */
export function plainText(value: string): string {
  let out = '';
  for (const ch of wellFormed(value).replace(/\r\n?/g, '\n'))
    out += HIDDEN_CONTROL.test(ch) || ch === '\t' ? ' ' : ch;
  return formatCharactersShown(out);
}

/** One line: `plainText`, with every run of white space (newlines included) made one space. */
export function singleLine(value: string): string {
  return plainText(value).replace(/\s+/g, ' ').trim();
}

export const ELLIPSIS = '…';

/**
 * Escapes `value` character by character and stops before the result would exceed `max` UTF-16 code
 * units, ending with "…" when something was cut. Never splits a surrogate pair or an escape sequence.
 */
export function escapeClip(value: string, max: number, escape: (ch: string) => string = (ch) => ch): string {
  let full = '';
  for (const ch of value) full += escape(ch);
  if (full.length <= max) return full;
  let out = '';
  for (const ch of value) {
    const piece = escape(ch);
    if (out.length + piece.length > max - ELLIPSIS.length) break;
    out += piece;
  }
  return out + ELLIPSIS;
}

/** `escapeClip` without escaping. */
export function clip(value: string, max: number): string {
  return escapeClip(value, max);
}

/**
 * What makes a `degraded` sent again within its episode news, for a heading: ` · severity raised to
 * critical (was warning)` for a raise (Notice.raisedFrom), ` · cause changed from probe-timeout` for
 * a changed cause (Notice.causeChangedFrom), both when both; else empty. Unescaped: the caller escapes.
 */
export function raisedSuffix(
  notice: Pick<Notice, 'type' | 'severity' | 'raisedFrom' | 'causeChangedFrom'>,
): string {
  if (notice.type !== 'degraded') return '';
  const raised = notice.raisedFrom
    ? ` · severity raised to ${notice.severity} (was ${notice.raisedFrom})`
    : '';
  return raised + causeChangedSuffix(notice);
}

/** ` · cause changed from probe-timeout` for a `degraded` whose cause changed (Notice.causeChangedFrom), else empty. */
export function causeChangedSuffix(notice: Pick<Notice, 'type' | 'causeChangedFrom'>): string {
  return notice.type === 'degraded' && notice.causeChangedFrom
    ? ` · cause changed from ${notice.causeChangedFrom}`
    : '';
}

/**
 * How every format names one server in a heading or a one-line text: its address, backend pool,
 * backend settings and gateway (`10.220.1.5 in pool MFPool, settings MFSettings, of appgw-shop`). The
 * settings are part of it: the same address in one pool on two backend settings is two servers with
 * two episodes (core/notice/server-record.ts, serverKey), and without them two notices read as a
 * duplicate. A gateway-level notice (`scope: "gateway"`) names the gateway alone. Unescaped
 * (untrusted values: the caller escapes for its medium).
 */
export function serverIdentity(
  notice: Pick<Notice, 'scope' | 'gateway' | 'backendPool' | 'backendSettings' | 'server'>,
): string {
  if (notice.scope === 'gateway') return notice.gateway.name;
  return `${notice.server.address} in pool ${notice.backendPool}, settings ${notice.backendSettings}, of ${notice.gateway.name}`;
}

/**
 * The facts every chat format shows for a notice, in one order: label and the raw (untrusted) value.
 * Each format escapes and clips the values for its medium.
 */
export function noticeFacts(notice: Notice): Array<readonly [label: string, value: string]> {
  return [
    // First, as a pager puts it: how bad (core/notice/severity.ts); a recovered's is its episode's.
    // A raised one says so (`critical, raised from warning`): a new degraded, not a duplicate.
    notice.type === 'recovered'
      ? ['Severity (of the episode)', notice.severity]
      : ['Severity', severityLabel(notice)],
    ['Gateway', notice.gateway.name],
    ['Resource group', notice.gateway.resourceGroup],
    ['Subscription', notice.gateway.subscriptionId],
    ['Backend pool', notice.backendPool],
    ['Backend settings', notice.backendSettings],
    ['Server', notice.server.address],
    // A recovered's health is now's, never unhealthy (notice-labels.ts); the failure is `Was`.
    ...(notice.type === 'recovered'
      ? ([
          ['Health (now)', shownHealth(notice)],
          ['Was', notice.server.was?.health ?? ''],
        ] as const)
      : ([['Health', shownHealth(notice)]] as const)),
    [notice.type === 'recovered' ? 'Was degraded since' : 'Degraded since', notice.degradedSince],
  ];
}

/**
 * The probe messages a notice shows, each with its label: `degraded`/`still-degraded` the probe log;
 * `recovered` the current one (when one was read: recheck's on-demand probe) and the failure it recovered
 * from, labelled as the past (Notice.server.was). Unescaped (untrusted: the caller escapes).
 */
export function probeLogParts(notice: Notice): Array<{ readonly label: string; readonly text: string }> {
  if (notice.type !== 'recovered') return [{ label: 'Probe log', text: notice.server.probeLog }];
  return [
    ...(notice.server.probeLog ? [{ label: 'Probe log (now)', text: notice.server.probeLog }] : []),
    ...(notice.server.was
      ? [
          {
            label: `Was: ${notice.server.was.health} (${
              endingWords(notice) !== undefined
                ? 'the failure before the episode ended'
                : 'the failure it recovered from'
            })`,
            text: notice.server.was.probeLog,
          },
        ]
      : []),
  ];
}

/** The probe message the cause's steps are shown beside: a recovered's is its past failure's. */
export function failureProbeLog(notice: Notice): string {
  return notice.type === 'recovered' ? (notice.server.was?.probeLog ?? '') : notice.server.probeLog;
}

/** A grouped message's health: a recovered's as now, then "was …". Unescaped. */
export function groupHealthText(notice: Notice): string {
  if (notice.type !== 'recovered') return notice.server.health;
  const now = shownHealth(notice);
  return notice.server.was ? `${now}, was ${notice.server.was.health}` : now;
}
