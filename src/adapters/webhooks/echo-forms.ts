/**
 * Finding a secret in a receiver's answer whatever way the receiver wrote it back. A break trial found
 * tokens kept whole in reports and notify state when a receiver echoed its URL in upper or lower case,
 * as HTML character references (`&#47;`), as JSON escapes (`\u0054`, `\/`) or in base64: the scrub
 * compared the text as written. Here the answer and each secret are both read in one canonical form
 * (each escape decoded, again and again until nothing changes: `%252B`, `&#37;2B` and `&amp;#84;` are escapes written as escapes; ASCII
 * letters in lower case, `+` a space, every character as its UTF-8 bytes), so one comparison covers
 * every mix of those writings, and what matched is cut out of the answer as it was written. Base64 is
 * decoded where the answer holds a run of it (lines joined: MIME wraps it), at each of its 4
 * alignments, and a run whose bytes hold a secret goes whole.
 */

/** A text read canonically: `text`, and for each of its characters where it was in the original. */
interface CanonicalView {
  readonly text: string;
  /** Start (inclusive) in the original of each canonical character. */
  readonly from: readonly number[];
  /** End (exclusive) in the original of each canonical character. */
  readonly to: readonly number[];
}

/** HTML's named references for the characters a URL is written with (WHATWG HTML, named character references). */
const NAMED_REFERENCES: Readonly<Record<string, string>> = {
  amp: '&',
  sol: '/',
  quest: '?',
  equals: '=',
  num: '#',
  percnt: '%',
  colon: ':',
  period: '.',
  lowbar: '_',
  hyphen: '-',
  dash: '-',
  plus: '+',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  commat: '@',
  comma: ',',
  semi: ';',
  excl: '!',
  dollar: '$',
  lpar: '(',
  rpar: ')',
  ast: '*',
  tilde: '~',
  Tilde: '~',
  lsqb: '[',
  rsqb: ']',
  lcub: '{',
  rcub: '}',
  verbar: '|',
  bsol: '\\',
};

/** JSON's one-character escapes (RFC 8259 section 7). */
const JSON_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/' };

/** One escape at `at`: the code points or bytes it stands for and its length; undefined when none starts there. */
function escapeAt(
  text: string,
  at: number,
): { readonly bytes: number[]; readonly length: number } | undefined {
  const first = text[at];
  if (first !== '&' && first !== '\\' && first !== '%') return undefined;
  const rest = text.slice(at, at + 16);
  // Browsers take any number of leading zeros (`&#00000085;`); the slice looked at is long enough.
  const long = text.slice(at, at + 32);
  let m = /^&#[xX]0*([0-9a-fA-F]{1,6});?/.exec(long) ?? /^&#0*([0-9]{1,7});?/.exec(long);
  if (m) {
    const cp = Number.parseInt(m[1] as string, m[0].startsWith('&#x') || m[0].startsWith('&#X') ? 16 : 10);
    if (cp <= 0x10ffff) return { bytes: utf8Bytes(String.fromCodePoint(cp)), length: m[0].length };
  }
  m = /^&([a-zA-Z]{2,8});/.exec(rest);
  const named = m ? NAMED_REFERENCES[m[1] as string] : undefined;
  if (m && named !== undefined) return { bytes: utf8Bytes(named), length: m[0].length };
  m = /^\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(rest);
  if (m) {
    const pair = String.fromCharCode(
      Number.parseInt(m[1] as string, 16),
      Number.parseInt(m[2] as string, 16),
    );
    return { bytes: utf8Bytes(pair), length: m[0].length };
  }
  m = /^\\u([0-9a-fA-F]{4})/.exec(rest) ?? /^\\x([0-9a-fA-F]{2})/.exec(rest);
  if (m)
    return {
      bytes: utf8Bytes(String.fromCharCode(Number.parseInt(m[1] as string, 16))),
      length: m[0].length,
    };
  const json = rest[0] === '\\' && rest[1] !== undefined ? JSON_ESCAPES[rest[1]] : undefined;
  if (json !== undefined) return { bytes: utf8Bytes(json), length: 2 };
  m = /^%([0-9a-fA-F]{2})/.exec(rest);
  if (m) return { bytes: [Number.parseInt(m[1] as string, 16)], length: 3 };
  return undefined;
}

function utf8Bytes(text: string): number[] {
  return [...Buffer.from(text, 'utf8')];
}

/** A byte as a canonical character: ASCII letters in lower case, `+` as a space. */
function canonicalByte(byte: number): string {
  if (byte === 0x2b) return ' ';
  return byte >= 0x41 && byte <= 0x5a ? String.fromCharCode(byte + 32) : String.fromCharCode(byte);
}

/**
 * One reading of `text` (see the file's comment), each character mapped back to where it was written.
 * `asBytes`: each character of `text` is a byte already (a reading's output, read again).
 */
function readOnce(text: string, asBytes: boolean): CanonicalView {
  let out = '';
  const from: number[] = [];
  const to: number[] = [];
  for (let at = 0; at < text.length;) {
    const escape = escapeAt(text, at);
    const cp = text.codePointAt(at) as number;
    const length = escape?.length ?? (cp > 0xffff ? 2 : 1);
    const bytes = escape?.bytes ?? (asBytes ? [cp & 0xff] : utf8Bytes(String.fromCodePoint(cp)));
    for (const byte of bytes) {
      out += canonicalByte(byte);
      from.push(at);
      to.push(at + length);
    }
    at += length;
  }
  return { text: out, from, to };
}

/**
 * Most readings: escapes are decoded again until nothing changes, up to this many times. A URL already
 * escaped (`%2B` in a SAS signature), encoded twice over by a receiver, is three layers deep
 * (`%25252B`), and `&#37;` writes a `%` (a new-user trial found both kept whole at two readings).
 */
const MAX_READINGS = 6;

/** `text` read canonically until a reading changes nothing, each character mapped back to where it was written. */
function canonicalView(text: string): CanonicalView {
  let view = readOnce(text, false);
  for (let reading = 1; reading < MAX_READINGS; reading++) {
    const next = readOnce(view.text, true);
    if (next.text === view.text) break;
    const { from, to } = view;
    view = {
      text: next.text,
      from: next.from.map((i) => from[i] as number),
      to: next.to.map((i) => to[i - 1] as number),
    };
  }
  return view;
}

/** `secret` in its canonical form (the same reading as an answer's). */
function canonicalForm(secret: string): string {
  return canonicalView(secret).text;
}

/**
 * `text` with every occurrence of each secret, in any writing (see the file's comment), replaced by
 * `replacement`. `secrets`: the forms to look for, as written (each is read canonically here, and
 * those shorter than 4 canonical characters are left out: "%41%42" would cut every "ab"). With
 * `cutOff` (the text is the start of a longer answer), an end that begins a secret, 2 characters or
 * more, is cut as well. Never throws.
 */
export function redactEchoes(
  text: string,
  secrets: readonly string[],
  replacement: string,
  options: { readonly cutOff?: boolean } = {},
): string {
  const forms = new Map([...new Set(secrets)].map((s) => [s, canonicalForm(s)] as const));
  const canonical = [...new Set(forms.values())].filter((s) => s.length >= 4);
  const view = canonicalView(text);
  const cuts: Array<[number, number]> = [];
  for (const secret of canonical) {
    for (let at = view.text.indexOf(secret); at >= 0; at = view.text.indexOf(secret, at + 1)) {
      cuts.push([view.from[at] as number, view.to[at + secret.length - 1] as number]);
    }
  }
  // A secret of 4 characters or more whose canonical form is shorter (`!\\!`: its `\\` reads as one
  // JSON-escaped backslash; `\\\\` as one) is looked for as written, exactly: left out, it stayed whole
  // in the answer (a property test's seed); read canonically, it would cut every `!\!` or `\`.
  for (const [secret, form] of forms) {
    if (secret.length < 4 || form.length >= 4) continue;
    for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1))
      cuts.push([at, at + secret.length]);
  }
  cuts.push(...base64Echoes(text, secrets, options.cutOff === true));
  if (options.cutOff) {
    // An escape the cut left unfinished (`%2`, `&#4`, `\u00`; `%252` is `%2` read once) is no character
    // yet, or one it did not mean (`&#4` without its `;`): what comes before it may still begin a secret.
    const written = UNFINISHED_WRITTEN.exec(text)?.[0].length ?? 0;
    const head = written > 0 ? canonicalView(text.slice(0, text.length - written)) : view;
    const end = head.text.length - (UNFINISHED_READ.exec(head.text)?.[0].length ?? 0);
    const tail = longestSecretStartAtEnd(head.text.slice(0, end), canonical);
    if (tail > 0) cuts.push([head.from[end - tail] as number, text.length]);
  }
  return cutOut(text, cuts, replacement);
}

/** The start of an escape at the end of an answer, which a cut may have left unfinished. */
const UNFINISHED_WRITTEN =
  /(?:%[0-9a-fA-F]?|&#[xX]?[0-9a-fA-F]*|&[a-zA-Z]*|\\(?:u[0-9a-fA-F]{0,3}|x[0-9a-fA-F]?)?)$/;
/** The same at the end of a canonical reading (lower case). */
const UNFINISHED_READ = /(?:%[0-9a-f]?|&#x?[0-9a-f]*|&[a-z]*|\\(?:u[0-9a-f]{0,3}|x[0-9a-f]?)?)$/;

/**
 * Runs of base64 (RFC 4648, either alphabet) of 12 characters or more, line breaks within them allowed
 * (MIME wraps it), with their padding (`=` only at the end: decoding stops there).
 */
const BASE64_RUN = /[A-Za-z0-9+/_-](?:[A-Za-z0-9+/_-]|\r?\n(?=[A-Za-z0-9+/_-])){11,}=*/g;

/**
 * Where `text` holds base64 whose bytes hold one of `secrets` (as written or decoded, in any letter
 * case: a URL may be upper-cased before it is encoded), or, with `cutOff`, end with the start of one
 * (4 bytes or more): each such run whole. Each run is decoded at each of its 4 alignments (where the
 * encoded text starts within the run is not known).
 */
function base64Echoes(text: string, secrets: readonly string[], cutOff: boolean): Array<[number, number]> {
  const needles = [...new Set(secrets.flatMap((s) => [s, decodedOrSame(s)]))]
    .map((s) => Buffer.from(s, 'utf8').toString('latin1').toLowerCase())
    .filter((s) => s.length >= 6);
  const cuts: Array<[number, number]> = [];
  for (const run of text.matchAll(BASE64_RUN)) {
    const joined = run[0].replace(/\r?\n/g, '');
    const atEnd = cutOff && run.index + run[0].length === text.length;
    for (let offset = 0; offset < 4; offset++) {
      const bytes = Buffer.from(joined.slice(offset), 'base64').toString('latin1').toLowerCase();
      const found =
        needles.some((n) => bytes.includes(n)) || (atEnd && longestSecretStartAtEnd(bytes, needles) >= 4);
      if (found) {
        cuts.push([run.index, run.index + run[0].length]);
        break;
      }
    }
  }
  return cuts;
}

/** `secret` percent-decoded, or as it is when it is no valid percent-encoding. */
function decodedOrSame(secret: string): string {
  try {
    return decodeURIComponent(secret);
  } catch {
    return secret;
  }
}

/** The length of the longest end of `text` (2 or more) that is the start of one of `secrets` (shorter than it). */
function longestSecretStartAtEnd(text: string, secrets: readonly string[]): number {
  let longest = 0;
  for (const secret of secrets) {
    for (let k = Math.min(secret.length - 1, text.length); k > Math.max(1, longest); k--) {
      if (text.endsWith(secret.slice(0, k))) {
        longest = k;
        break;
      }
    }
  }
  return longest;
}

/** `text` with each of `cuts` (overlapping ones merged) replaced by one `replacement`. */
function cutOut(text: string, cuts: Array<[number, number]>, replacement: string): string {
  if (cuts.length === 0) return text;
  cuts.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let kept = 0;
  let open: [number, number] | undefined;
  for (const cut of cuts) {
    if (open && cut[0] <= open[1]) {
      open[1] = Math.max(open[1], cut[1]);
      continue;
    }
    if (open) {
      out += text.slice(kept, open[0]) + replacement;
      kept = open[1];
    }
    open = [cut[0], cut[1]];
  }
  if (open) {
    out += text.slice(kept, open[0]) + replacement;
    kept = open[1];
  }
  return out + text.slice(kept);
}
