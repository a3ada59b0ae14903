/**
 * `JSON.stringify(value, null, 2)`, the same text, in pieces: a run's report of 20 000 gateways is tens
 * of MB of JSON, and writing it as one string held the string, its UTF-8 copy and the serialiser's work
 * at once at the run's end (issue 14: memory). The outer `depth` levels of objects and arrays are walked
 * here, one piece per member (the report's fields; each gateway of `gateways`); anything deeper is
 * JSON.stringify's own text, indented to where it stands (a JSON string holds no raw line break, so
 * indenting every line break is exact).
 *
 * Walked levels follow JSON.stringify (ECMA-262 SerializeJSONProperty): `toJSON(key)` first; in an
 * object, members whose value is `undefined`, a function or a symbol are left out; in an array they are
 * `null`; `{}`/`[]` when nothing is written. Throws what JSON.stringify throws (a BigInt, a cycle below
 * the walked levels).
 */
export function* jsonChunks(value: unknown, depth = 2): Generator<string> {
  const text = yield* property(value, '', '', depth);
  if (text !== undefined) yield text;
}

const INDENT = '  ';

/** Like JSON.stringify of one property: the pieces, or undefined when it is left out (undefined, function, symbol). */
function* property(
  raw: unknown,
  key: string,
  indent: string,
  depth: number,
): Generator<string, string | undefined> {
  const value = withToJson(raw, key);
  if (depth <= 0 || value === null || typeof value !== 'object' || !isPlain(value)) {
    const text = JSON.stringify(value, null, 2) as string | undefined;
    return text === undefined ? undefined : text.split('\n').join(`\n${indent}`);
  }
  const inner = indent + INDENT;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? '' : ','}\n${inner}`;
      const last = yield* property(value[i], String(i), inner, depth - 1);
      yield last ?? 'null';
    }
    return `\n${indent}]`;
  }
  let written = 0;
  for (const [name, member] of Object.entries(value)) {
    const start = `${written === 0 ? '{' : ','}\n${inner}${JSON.stringify(name)}: `;
    // A member left out (only a value written whole can be) writes nothing, not even its name.
    const walk = property(member, name, inner, depth - 1);
    let started = false;
    let step = walk.next();
    while (step.done !== true) {
      if (!started) yield start;
      started = true;
      yield step.value;
      step = walk.next();
    }
    if (step.value === undefined) continue;
    if (!started) yield start;
    yield step.value;
    written++;
  }
  return written === 0 ? '{}' : `\n${indent}}`;
}

function withToJson(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object') {
    const toJson = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJson === 'function') return (toJson as (key: string) => unknown).call(value, key);
  }
  return value;
}

/** An array or an object of Object's prototype (or none): what is walked; anything else (boxed values …) JSON.stringify writes. */
function isPlain(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
