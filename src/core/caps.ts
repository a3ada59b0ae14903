/**
 * Size caps for values that come from the network. A backend-health body is the gateway's (or an
 * attacker-controlled backend's) text: four 1 MB probe logs once made an 8 MB report and a 1.46 GB
 * peak. Every value is cut where it enters the core, with a visible marker, so insights, reports,
 * notices and the notify state all carry the same bounded value.
 */

/** Longest kept value of each field, in characters (UTF-16 code units are never split mid-pair). */
export const VALUE_CAPS = {
  /**
   * Probe messages in the troubleshooting guide run to about 400 characters; 4 096 keeps any real one
   * whole, with room for a live gateway's longer forms.
   */
  probeLog: 4_096,
  /** ARM names are at most 80 characters (pools, HTTP settings); an FQDN at most 253. */
  name: 256,
  address: 256,
  /** Health values are one word ("Unhealthy"). */
  health: 64,
  /** Error names are one identifier ("HttpStatusCodeMismatchWithStatusCode"). */
  errorName: 128,
  /** An error message from ARM, storage or a receiver, in a report or the state. */
  errorMessage: 2_000,
} as const;

/** The marker appended to a cut value: what was cut, so nobody mistakes it for the whole. */
export function cutMarker(totalLength: number): string {
  return ` … [cut: ${totalLength} characters in all]`;
}

/**
 * `value` when it is at most `limit` characters, else its first characters and the marker, the whole
 * at most `limit` characters long plus the marker. Never splits a surrogate pair.
 */
export function capText(value: string, limit: number): string {
  if (value.length <= limit) return value;
  let end = limit;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate whose pair would be cut off
  return `${value.slice(0, end)}${cutMarker(value.length)}`;
}

/** capText for an optional value. */
export function capOptional(value: string | undefined, limit: number): string | undefined {
  return value === undefined ? undefined : capText(value, limit);
}
