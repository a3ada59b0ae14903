/**
 * The one reader of a backend-health body, whoever printed it: ARM itself (camelCase), `az network
 * application-gateway show-backend-health -o json` (camelCase, extra `null` fields, `resourceGroup`
 * beside ids, pool entries without their `backendAddressPool`), and Azure PowerShell's
 * `Get-AzApplicationGatewayBackendHealth | ConvertTo-Json` (PascalCase keys, depth-truncated type names,
 * Windows PowerShell 5.1's `*Text` copies and `{"value":[…],"Count":n}` arrays). Pure: a JSON value in,
 * the plain `BackendHealthBody` (camelCase, `null` = absent) or the problems out.
 *
 * What is a failed read and what is "absent" (REST spec `ApplicationGatewayBackendHealth`,
 * azure-rest-api-specs …/stable/2025-07-01/applicationGateway.json, where every property is optional):
 * - The three collections (`backendAddressPools`, a pool's `backendHttpSettingsCollection`, a settings
 *   entry's `servers`) ARE the read. The service always lists them: every REST example and every pasted
 *   CLI/PowerShell output carries them, and a pool no rule uses has an EMPTY collection (troubleshooting
 *   guide; ../shared/reference/backend-health-api.md §2). A missing or `null` collection cannot be told
 *   from a cut-off answer, and reading it as "no servers" would call every open episode under it
 *   recovered (issue 11), so it is a problem: the read failed. An explicit `[]` means "none".
 * - Everything else is optional and `null` means absent: the sub-resource references
 *   (`backendAddressPool`, `backendHttpSettings`, `ipConfiguration`: the CLI prints entries without
 *   them; the evaluator then names the pool "(unnamed)"), `address`, `health`, `healthProbeLog`,
 *   `healthProbeErrorName`, `id`, `name`.
 * - A value of the wrong kind (a number for `health`, a string where an object or array must be, a bare
 *   array of servers) is something ARM never sends: a problem naming its path, what was found and what
 *   is expected.
 *
 * Keys match case-insensitively at every level (PowerShell prints the same tree in PascalCase); the
 * output uses ARM's camelCase for the keys we model and keeps every other field as it came, so the
 * emulator can serve a pasted body back (our evaluator ignores them).
 *
 * ARM's own answer (`source: 'arm'`, the `run` path) is held to ARM's shape, because what a tool's
 * forgiveness would read into it decides notices: a server missing from a read ARM "answered" is sent
 * as `recovered` (issue 11). So, from ARM:
 * - the body is the top-level object: no wrapper is taken off (`{"value": …}`, a one-element array,
 *   `{"properties": …}`, a spec example's `responses`, `Invoke-AzRestMethod`'s `Content`, a JSON string),
 *   and no PowerShell form is read (`{"value":[…],"Count":n}` arrays, `…Text` copies);
 * - every field the server key is made of is present (src/core/notice/server-record.ts: pool, settings,
 *   address): each pool entry's `backendAddressPool` and each settings entry's `backendHttpSettings` with
 *   an `id` of this gateway's (ARM sends them on every entry: REST spec examples; without `$expand` they
 *   are all the entry names its pool or settings by), each server's `address`, and its `health` (what the
 *   read is for). A read without one of them cannot be matched to the previous run's servers: a server
 *   named "(unnamed)" or "(unknown address)" this run would make last run's look gone.
 */
import { describe, quote } from './json-describe';
import type { BackendHealthBody } from './model';

/** Where in the input a problem is: object keys as the input spelled them, array indexes. */
export type BodyPath = readonly (string | number)[];

export interface BodyProblem {
  readonly path: BodyPath;
  /** "expected …, found …", with what to do when we know it. */
  readonly message: string;
}

export type BackendHealthRead =
  | {
      readonly ok: true;
      readonly body: BackendHealthBody;
      /**
       * The gateways the body's pool and settings ids name (the id up to `applicationGateways/<name>`,
       * first spelling kept, compared case-insensitively), in order of appearance. Empty when the body
       * carries no ids (as the CLI prints it without `$expand`).
       */
      readonly gatewayIds: readonly string[];
    }
  | { readonly ok: false; readonly problems: readonly BodyProblem[] };

export type ReadBackendHealthOptions =
  | {
      /** What a tool printed or someone saved (the default): read as forgivingly as the module comment says. */
      readonly source?: 'tool';
      /**
       * The gateway the body belongs to: every pool and settings id present must be
       * `<gatewayId>/backendAddressPools/<name>` or `<gatewayId>/backendHttpSettingsCollection/<name>`
       * (compared case-insensitively, as ARM compares ids).
       */
      readonly gatewayId?: string;
    }
  | {
      /** ARM's own answer: ARM's shape only, every field of the server key present (module comment). */
      readonly source: 'arm';
      /** The gateway asked about: every pool and settings id must be one of its children. */
      readonly gatewayId: string;
    };

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (value: Json): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A .NET type name where data should be: what `ConvertTo-Json` writes for objects deeper than its
 * `-Depth` (default 2). PowerShell's JsonObject.ProcessValue converts them with
 * `LanguagePrimitives.ConvertTo(obj, typeof(string))`: the type's full name, and for a list the
 * element names joined by spaces (PowerShell/PowerShell src/.../WebCmdlet/JsonObject.cs).
 */
const TYPE_NAME = /^[A-Za-z_][\w`]*(\.[A-Za-z_][\w`]*){2,}(\[[^\]]*\])?$/;
function isTypeName(value: Json): value is string {
  if (typeof value !== 'string') return false;
  const tokens = value.trim().split(/\s+/);
  return tokens.length > 0 && tokens.every((t) => TYPE_NAME.test(t));
}

const DEPTH_HINT =
  "PowerShell's ConvertTo-Json stopped at its default depth (2) and wrote type names instead of data: " +
  're-run with ConvertTo-Json -Depth 10';

/** The known fields of each level, in ARM's camelCase (REST spec definitions). */
const FIELDS = {
  body: ['backendAddressPools'],
  pool: ['backendAddressPool', 'backendHttpSettingsCollection'],
  settings: ['backendHttpSettings', 'servers'],
  server: ['address', 'health', 'healthProbeLog', 'healthProbeErrorName', 'ipConfiguration'],
  reference: ['id', 'name'],
} as const;

interface Reader {
  readonly problems: BodyProblem[];
  readonly gatewayIds: Map<string, string>;
  readonly gatewayId: string | undefined;
  /** ARM's own answer: no wrappers, no PowerShell forms, the server key's fields required. */
  readonly arm: boolean;
  depthReported: boolean;
}

function problem(reader: Reader, path: BodyPath, message: string): void {
  reader.problems.push({ path, message });
}

/** A value of the wrong kind: the depth hint when it is a .NET type name (said once), else found/expected. */
function wrongKind(reader: Reader, path: BodyPath, value: Json, expected: string): void {
  if (!reader.arm && isTypeName(value)) {
    if (reader.depthReported) return;
    reader.depthReported = true;
    problem(reader, path, `expected ${expected}, found the .NET type name ${quote(value)}: ${DEPTH_HINT}`);
    return;
  }
  problem(reader, path, `expected ${expected}, found ${describe(value)}`);
}

interface Fields {
  /** canonical camelCase key → [key as spelled in the input, value] */
  readonly known: Map<string, [string, Json]>;
  /** canonical key → its PowerShell 5.1 `<Key>Text` copy, [key as spelled, value] */
  readonly text: Map<string, [string, Json]>;
  /** Every other key, as it came. */
  readonly unknown: [string, Json][];
}

/**
 * Splits an object's keys into the level's known fields (matched case-insensitively) and the rest.
 * PowerShell 5.1's `<Known>Text` display properties (Newtonsoft copies of a known field, which 5.1's
 * ConvertTo-Json prints because it ignores [JsonIgnore]) are dropped here and used only as a fallback.
 */
function splitFields(reader: Reader, object: JsonObject, names: readonly string[], path: BodyPath): Fields {
  const known = new Map<string, [string, Json]>();
  const text = new Map<string, [string, Json]>();
  const unknown: [string, Json][] = [];
  for (const [key, value] of Object.entries(object)) {
    const lower = key.toLowerCase();
    const name = names.find((n) => n.toLowerCase() === lower);
    // ARM prints no `…Text` copies: from ARM such a key is just another field.
    const textOf = reader.arm ? undefined : names.find((n) => `${n.toLowerCase()}text` === lower);
    if (name) {
      const seen = known.get(name);
      if (seen) {
        problem(
          reader,
          [...path, key],
          `the field ${quote(name)} appears twice (${quote(seen[0])} and ${quote(key)})`,
        );
        continue;
      }
      known.set(name, [key, value]);
    } else if (textOf) {
      text.set(textOf, [key, value]);
    } else {
      unknown.push([key, value]);
    }
  }
  return { known, unknown, text };
}

/**
 * The value of a known field whose data PowerShell truncated, recovered from its `<Field>Text` sibling
 * (a JSON string of the full subtree) when 5.1 printed one; else the value as it came.
 */
function withTextFallback(
  field: [string, Json] | undefined,
  text: [string, Json] | undefined,
  accepts: (value: Json) => boolean,
): { key: string; value: Json } | undefined {
  if (!field && !text) return undefined;
  const [key, value] = field ?? text ?? ['', undefined];
  if ((!field || isTypeName(value) || value === '') && text && typeof text[1] === 'string') {
    try {
      const parsed: Json = JSON.parse(text[1]);
      if (accepts(parsed)) return { key: text[0], value: parsed };
    } catch {
      // not JSON after all: report the truncated field itself
    }
  }
  return field ? { key, value } : undefined;
}

/**
 * The elements of a collection field, or undefined (with a problem) when it is not one. Accepts
 * Windows PowerShell 5.1's `{"value":[…],"Count":n}` for an array it had wrapped in a PSObject.
 */
function readArray(
  reader: Reader,
  value: Json,
  path: BodyPath,
  what: string,
): { items: Json[]; path: BodyPath } | undefined {
  if (Array.isArray(value)) return { items: value, path };
  if (reader.arm) {
    wrongKind(reader, path, value, `an array of ${what}`);
    return undefined;
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    const inner = entries.find(([k]) => k.toLowerCase() === 'value');
    if (
      inner &&
      Array.isArray(inner[1]) &&
      entries.every(([k]) => ['value', 'count'].includes(k.toLowerCase()))
    ) {
      return { items: inner[1], path: [...path, inner[0]] };
    }
  }
  if (value === '') {
    // An empty list deeper than -Depth: PowerShell joins its (no) element type names into "".
    if (!reader.depthReported) {
      reader.depthReported = true;
      problem(reader, path, `expected an array of ${what}, found an empty string: ${DEPTH_HINT}`);
    }
    return undefined;
  }
  wrongKind(reader, path, value, `an array of ${what}`);
  return undefined;
}

/** A required collection: missing or null is a failed read (see the module comment). */
function requiredArray(
  reader: Reader,
  fields: Fields,
  name: string,
  path: BodyPath,
  what: string,
  missing: string,
): { items: Json[]; path: BodyPath } | undefined {
  const field = withTextFallback(fields.known.get(name), fields.text.get(name), Array.isArray);
  if (!field || field.value === null) {
    problem(
      reader,
      [...path, field?.key ?? name],
      `expected an array of ${what}, found ${field ? 'null' : 'nothing'}: ${missing}`,
    );
    return undefined;
  }
  return readArray(reader, field.value, [...path, field.key], what);
}

function optionalString(
  reader: Reader,
  field: [string, Json] | undefined,
  path: BodyPath,
  expected: string,
): string | undefined {
  if (!field || field[1] === null) return undefined;
  if (typeof field[1] === 'string') return field[1];
  wrongKind(reader, [...path, field[0]], field[1], expected);
  return undefined;
}

/** `{ id?, name?, …unknown }` for backendAddressPool / backendHttpSettings / ipConfiguration. */
function readReference(
  reader: Reader,
  fields: Fields,
  name: string,
  path: BodyPath,
): { readonly value: JsonObject; readonly idPath: BodyPath } | undefined {
  const recovered = withTextFallback(fields.known.get(name), fields.text.get(name), isObject);
  if (!recovered || recovered.value === null) return undefined;
  const at = [...path, recovered.key];
  if (!isObject(recovered.value)) {
    wrongKind(reader, at, recovered.value, 'an object {"id": …}');
    return undefined;
  }
  const own = splitFields(reader, recovered.value, FIELDS.reference, at);
  const value: JsonObject = {};
  const id = optionalString(reader, own.known.get('id'), at, 'the ARM id as a string');
  const label = optionalString(reader, own.known.get('name'), at, 'a name string');
  if (id !== undefined) value.id = id;
  if (label !== undefined) value.name = label;
  for (const [k, v] of own.unknown) value[k] = v;
  return { value, idPath: [...at, own.known.get('id')?.[0] ?? 'id'] };
}

const GATEWAY_CHILD =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/applicationGateways\/[^/]+)\/(backendAddressPools|backendHttpSettingsCollection|backendSettingsCollection)\/[^/]+$/i;

/**
 * The collections a settings entry's `backendHttpSettings.id` may name: the HTTP settings, or the TCP/TLS
 * proxy's backend settings (`properties.backendSettingsCollection`, REST spec
 * `ApplicationGatewayPropertiesFormat`, Azure/azure-rest-api-specs applicationGateway.json), whose
 * servers backend health lists under the same `backendHttpSettingsCollection` of the pool.
 */
const SETTINGS_COLLECTIONS = ['backendHttpSettingsCollection', 'backendSettingsCollection'] as const;

/**
 * Records the gateway an id names, and checks it is `<gatewayId>/<collection>/<name>` for one of
 * `collections` when one is given (the problem names the first).
 */
function checkChildId(
  reader: Reader,
  reference: { readonly value: JsonObject; readonly idPath: BodyPath },
  collections: readonly [string, ...string[]],
): void {
  const id = reference.value.id;
  if (typeof id !== 'string') return;
  const allowed = collections.map((c) => c.toLowerCase());
  const m = GATEWAY_CHILD.exec(id);
  const gateway = m?.[1];
  if (
    gateway &&
    allowed.includes(m[2]?.toLowerCase() ?? '') &&
    !reader.gatewayIds.has(gateway.toLowerCase())
  ) {
    reader.gatewayIds.set(gateway.toLowerCase(), gateway);
  }
  const expected = reader.gatewayId;
  if (expected === undefined) return;
  const fits = allowed.some((collection) => {
    const prefix = `${expected}/${collection}/`.toLowerCase();
    const name = id.slice(prefix.length);
    return id.toLowerCase().startsWith(prefix) && name !== '' && !name.includes('/');
  });
  if (!fits) {
    problem(
      reader,
      reference.idPath,
      `expected "${expected}/${collections[0]}/<name>", got ${quote(id, 400)}`,
    );
  }
}

/**
 * From ARM: the entry's reference (`backendAddressPool` / `backendHttpSettings`) must be there with this
 * gateway's child id (checkChildId), and a `name` beside it (`$expand`) must be the id's: the server key
 * is made of it (module comment).
 */
function requireArmReference(
  reader: Reader,
  reference: { readonly value: JsonObject; readonly idPath: BodyPath } | undefined,
  fields: Fields,
  name: string,
  path: BodyPath,
  collection: string,
): void {
  if (!reader.arm) return;
  const expected = `an object {"id": "${reader.gatewayId ?? '<gateway id>'}/${collection}/<name>"}`;
  const why = `ARM names the ${collection === 'backendAddressPools' ? 'pool' : 'HTTP settings'} of every entry, and the servers below are known by it`;
  const field = fields.known.get(name);
  if (!field || field[1] === null) {
    problem(
      reader,
      [...path, field?.[0] ?? name],
      `expected ${expected}, found ${field ? 'null' : 'nothing'}: ${why}`,
    );
    return;
  }
  if (!reference) return; // a value of the wrong kind: already a problem
  if (typeof reference.value.id !== 'string') {
    // No id, or `null` (a value of the wrong kind is a problem already).
    if (!problemAt(reader, reference.idPath)) {
      problem(
        reader,
        reference.idPath,
        `expected the ARM id "${reader.gatewayId ?? '<gateway id>'}/${collection}/<name>", found nothing: ${why}`,
      );
    }
    return;
  }
  const id = reference.value.id;
  const label = reference.value.name;
  const fromId = id.slice(id.lastIndexOf('/') + 1);
  if (typeof label === 'string' && label.toLowerCase() !== fromId.toLowerCase()) {
    problem(
      reader,
      [...reference.idPath.slice(0, -1), 'name'],
      `expected the name its id ends in (${quote(fromId)}), found ${quote(label)}`,
    );
  }
}

const problemAt = (reader: Reader, path: BodyPath): boolean =>
  reader.problems.some((p) => formatBodyPath(p.path) === formatBodyPath(path));

/** From ARM: a server's `address` and `health` are non-empty strings (module comment). */
function requireArmServerField(
  reader: Reader,
  fields: Fields,
  name: 'address' | 'health',
  path: BodyPath,
  value: string | undefined,
): void {
  if (!reader.arm || (value !== undefined && value !== '')) return;
  const field = fields.known.get(name);
  if (field && field[1] !== null && typeof field[1] !== 'string') return; // wrong kind: already a problem
  const found = !field ? 'nothing' : field[1] === null ? 'null' : 'an empty string';
  const why =
    name === 'address'
      ? 'ARM names every server it probed, and a server is known by its address from run to run'
      : 'ARM gives every server its health: that is what the read is for';
  problem(
    reader,
    [...path, field?.[0] ?? name],
    `expected ${name === 'address' ? 'an address string (IP or FQDN)' : 'a health string'}, found ${found}: ${why}`,
  );
}

function readServer(reader: Reader, value: Json, path: BodyPath): JsonObject | undefined {
  if (!isObject(value)) {
    wrongKind(reader, path, value, 'a server object {"address", "health", …}');
    return undefined;
  }
  const fields = splitFields(reader, value, FIELDS.server, path);
  const out: JsonObject = {};
  const address = optionalString(reader, fields.known.get('address'), path, 'an address string (IP or FQDN)');
  const health = optionalString(
    reader,
    fields.known.get('health'),
    path,
    'a health string (Healthy/Unhealthy/Unknown, or Up/Down/Partial/Draining)',
  );
  const log = optionalString(reader, fields.known.get('healthProbeLog'), path, 'the probe log as a string');
  const errorName = optionalString(
    reader,
    fields.known.get('healthProbeErrorName'),
    path,
    'the probe error name as a string',
  );
  const ipConfiguration = readReference(reader, fields, 'ipConfiguration', path);
  requireArmServerField(reader, fields, 'address', path, address);
  requireArmServerField(reader, fields, 'health', path, health);
  if (address !== undefined) out.address = address;
  if (health !== undefined) out.health = health;
  if (log !== undefined) out.healthProbeLog = log;
  if (errorName !== undefined) out.healthProbeErrorName = errorName;
  if (ipConfiguration) out.ipConfiguration = ipConfiguration.value;
  for (const [k, v] of fields.unknown) out[k] = v;
  return out;
}

function readSettings(reader: Reader, value: Json, path: BodyPath): JsonObject | undefined {
  if (!isObject(value)) {
    wrongKind(reader, path, value, 'an HTTP settings entry {"backendHttpSettings", "servers"}');
    return undefined;
  }
  const fields = splitFields(reader, value, FIELDS.settings, path);
  const out: JsonObject = {};
  const reference = readReference(reader, fields, 'backendHttpSettings', path);
  if (reference) {
    checkChildId(reader, reference, SETTINGS_COLLECTIONS);
    out.backendHttpSettings = reference.value;
  }
  requireArmReference(
    reader,
    reference,
    fields,
    'backendHttpSettings',
    path,
    'backendHttpSettingsCollection',
  );
  const servers = requiredArray(
    reader,
    fields,
    'servers',
    path,
    'servers',
    'ARM lists every server probed under these settings (an empty array when there is none)',
  );
  if (servers) out.servers = servers.items.map((s, i) => readServer(reader, s, [...servers.path, i]));
  for (const [k, v] of fields.unknown) out[k] = v;
  return out;
}

function readPool(reader: Reader, value: Json, path: BodyPath): JsonObject | undefined {
  if (!isObject(value)) {
    wrongKind(reader, path, value, 'a pool entry {"backendAddressPool", "backendHttpSettingsCollection"}');
    return undefined;
  }
  const fields = splitFields(reader, value, FIELDS.pool, path);
  const out: JsonObject = {};
  const reference = readReference(reader, fields, 'backendAddressPool', path);
  if (reference) {
    checkChildId(reader, reference, ['backendAddressPools']);
    out.backendAddressPool = reference.value;
  }
  requireArmReference(reader, reference, fields, 'backendAddressPool', path, 'backendAddressPools');
  const settings = requiredArray(
    reader,
    fields,
    'backendHttpSettingsCollection',
    path,
    'HTTP settings entries',
    'ARM lists the HTTP settings of every pool (an empty array for a pool no rule uses)',
  );
  if (settings) {
    out.backendHttpSettingsCollection = settings.items.map((s, i) =>
      readSettings(reader, s, [...settings.path, i]),
    );
  }
  for (const [k, v] of fields.unknown) out[k] = v;
  return out;
}

const hasKey = (object: JsonObject, ...names: string[]): boolean =>
  Object.keys(object).some((k) => names.includes(k.toLowerCase()));
const looksLikeServer = (v: Json) => isObject(v) && hasKey(v, 'address', 'health', 'healthprobelog');
const looksLikePool = (v: Json) =>
  isObject(v) && hasKey(v, 'backendaddresspool', 'backendhttpsettingscollection');
const looksLikeBody = (v: Json) => isObject(v) && hasKey(v, 'backendaddresspools');
const field = (object: JsonObject, name: string): [string, Json] | undefined =>
  Object.entries(object).find(([k]) => k.toLowerCase() === name);

const EXPECTED_BODY = 'the backend-health body, an object {"backendAddressPools": […]}';

/** `an ARM error response "Code": "message"`, from ARM's `{"error": {"code", "message"}}`. */
function armErrorResponse(error: JsonObject): string {
  const code = field(error, 'code')?.[1];
  const message = field(error, 'message')?.[1];
  return (
    `an ARM error response` +
    `${typeof code === 'string' ? ` ${quote(code)}` : ''}${typeof message === 'string' ? `: ${quote(message)}` : ''}`
  );
}

/**
 * ARM's answer is the body itself: an object with `backendAddressPools` (any case, as everywhere). ARM
 * wraps it in nothing, so a wrapper a saved file may have is, from ARM, an answer that is not a read.
 */
function armTopLevel(
  reader: Reader,
  value: Json,
  path: BodyPath,
): { value: JsonObject; path: BodyPath } | undefined {
  if (isObject(value) && field(value, 'backendaddresspools')) return { value, path };
  const error = isObject(value) ? field(value, 'error') : undefined;
  if (error && isObject(error[1])) {
    problem(reader, path, `expected ${EXPECTED_BODY}, found ${armErrorResponse(error[1])}`);
    return undefined;
  }
  problem(
    reader,
    path,
    `expected ${EXPECTED_BODY} at the top level (ARM answers the body itself, in no wrapper), found ${describe(value)}`,
  );
  return undefined;
}

/**
 * The body inside what a tool saved around it, or a problem saying what was found. Wrappers taken
 * off: a one-element array (`ConvertTo-Json -AsArray`, `jq -s`), `{"value": …}` (list envelopes and
 * PowerShell 5.1's PSObject-wrapped arrays), ARM's `{"properties": …}` envelope, a REST spec example
 * file (`responses.200.body`), `Invoke-AzRestMethod`'s response (`Content` holds the body as text), and
 * a body saved as one JSON string.
 */
function unwrap(
  reader: Reader,
  value: Json,
  path: BodyPath,
  depth = 0,
): { value: JsonObject; path: BodyPath } | undefined {
  const fail = (message: string) => {
    problem(reader, path, message);
    return undefined;
  };
  if (reader.arm) return armTopLevel(reader, value, path);
  if (depth > 4) return fail(`expected ${EXPECTED_BODY}, found wrappers nested too deep`);
  if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
    try {
      return unwrap(reader, JSON.parse(value) as Json, path, depth + 1);
    } catch {
      return fail(`expected ${EXPECTED_BODY}, found a string that is not JSON`);
    }
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(looksLikeServer)) {
      return fail(
        `expected ${EXPECTED_BODY}, found a bare array of ${value.length} servers: save the whole output of ` +
          'show-backend-health / Get-AzApplicationGatewayBackendHealth, not one list from inside it',
      );
    }
    if (value.length > 0 && value.every(looksLikePool)) {
      return fail(
        `expected ${EXPECTED_BODY}, found a bare array of ${value.length} pool entries (what --query backendAddressPools ` +
          'or PowerShell\'s BackendAddressPoolsText prints): wrap it as {"backendAddressPools": […]}',
      );
    }
    if (value.length === 1 && isObject(value[0])) return unwrap(reader, value[0], [...path, 0], depth + 1);
    if (value.length > 1 && value.every(looksLikeBody)) {
      return fail(
        `expected ${EXPECTED_BODY}, found ${value.length} backend-health bodies: give one gateway's body`,
      );
    }
    return fail(`expected ${EXPECTED_BODY}, found ${describe(value)}`);
  }
  if (!isObject(value)) return fail(`expected ${EXPECTED_BODY}, found ${describe(value)}`);
  if (field(value, 'backendaddresspools') || field(value, 'backendaddresspoolstext')) return { value, path };

  const error = field(value, 'error');
  if (error && isObject(error[1]))
    return fail(`expected ${EXPECTED_BODY}, found ${armErrorResponse(error[1])}`);
  const content = field(value, 'content');
  const status = field(value, 'statuscode');
  if (content && status) {
    if (status[1] === 202) {
      return fail(
        `expected ${EXPECTED_BODY}, found ARM's 202 Accepted answer (the operation had not finished): ` +
          'run Invoke-AzRestMethod with -WaitForCompletion, or use Get-AzApplicationGatewayBackendHealth',
      );
    }
    return unwrap(reader, content[1], [...path, content[0]], depth + 1);
  }
  const responses = field(value, 'responses');
  const ok = responses && isObject(responses[1]) ? field(responses[1], '200') : undefined;
  const okBody = ok && isObject(ok[1]) ? field(ok[1], 'body') : undefined;
  if (responses && ok && okBody)
    return unwrap(reader, okBody[1], [...path, responses[0], ok[0], okBody[0]], depth + 1);
  for (const wrapper of ['value', 'properties']) {
    const inner = field(value, wrapper);
    if (inner && inner[1] !== null && typeof inner[1] === 'object') {
      return unwrap(reader, inner[1], [...path, inner[0]], depth + 1);
    }
  }
  if (looksLikePool(value)) {
    return fail(
      `expected ${EXPECTED_BODY}, found one pool entry: save the whole output, not one pool from inside it`,
    );
  }
  if (looksLikeServer(value)) {
    return fail(
      `expected ${EXPECTED_BODY}, found one server: save the whole output, not one server from inside it`,
    );
  }
  return fail(
    `expected ${EXPECTED_BODY}, found ${describe(value)}: ARM lists every pool in backendAddressPools ` +
      '(an empty array when there is none), so an answer without it is not a backend-health read',
  );
}

/**
 * Reads a backend-health body printed by ARM, the az CLI or Azure PowerShell (see the module comment).
 * Never throws. On success the body has every collection as an array, the modelled fields in camelCase
 * with `null`s dropped, and every other field kept as it came.
 */
export function readBackendHealthBody(
  value: unknown,
  options: ReadBackendHealthOptions = {},
): BackendHealthRead {
  const reader: Reader = {
    problems: [],
    gatewayIds: new Map(),
    gatewayId: options.gatewayId,
    arm: options.source === 'arm',
    depthReported: false,
  };
  const found = unwrap(reader, value, []);
  if (!found) return { ok: false, problems: reader.problems };
  const fields = splitFields(reader, found.value, FIELDS.body, found.path);
  const pools = requiredArray(
    reader,
    fields,
    'backendAddressPools',
    found.path,
    'pool entries',
    'ARM lists every pool (an empty array when there is none), so an answer without it is not a backend-health read',
  );
  const body: JsonObject = {};
  if (pools) body.backendAddressPools = pools.items.map((p, i) => readPool(reader, p, [...pools.path, i]));
  for (const [k, v] of fields.unknown) body[k] = v;
  if (reader.problems.length > 0) return { ok: false, problems: reader.problems };
  return { ok: true, body: body as BackendHealthBody, gatewayIds: [...reader.gatewayIds.values()] };
}

/** `backendAddressPools[0].servers[2].health`: a problem's path as users see it in their file. */
export function formatBodyPath(path: BodyPath): string {
  const text = path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key),
    '',
  );
  return text || '(root)';
}

/** `path: message` lines, for error messages. */
export function describeBodyProblems(problems: readonly BodyProblem[]): string[] {
  return problems.map((p) => `${formatBodyPath(p.path)}: ${p.message}`);
}
