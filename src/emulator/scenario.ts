/**
 * The scenario file: which gateways the emulator serves and how it misbehaves. A product contract
 * (documented in README.md), so every rejection names the field by path and says what was expected.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../adapters/package-root';
import { formatPath as formatConfigPath } from '../core/input/format-issues';
import { readJsonFile } from '../adapters/files/json-file';
import { ScenarioError } from '../errors';
import { readBackendHealthBody } from '../core/backend-health-body';
import type { BackendHealthBody } from '../core/model';
import { gatewayChildNameProblem } from '../core/arm-name';
import { GATEWAY_ID_SHAPE, key, lastSegment, parseGatewayId } from './arm-id';
import { ARM_REQUEST_LIMITS } from '../core/pacing/request-limits';
import type { ScenarioLimits } from './limits';

const whole = (min: number, max?: number) => {
  const msg =
    max === undefined ? `expected a whole number >= ${min}` : `expected a whole number from ${min} to ${max}`;
  const error = (iss: { input?: unknown }) => (iss.input === undefined ? 'required' : msg);
  const n = z.number({ error }).int({ error: msg }).min(min, { error: msg });
  return max === undefined ? n : n.max(max, { error: msg });
};
const text = () => z.string().min(1, { error: 'expected a non-empty string' });

const gatewayId = z.string().superRefine((id, ctx) => {
  if (!parseGatewayId(id)) {
    ctx.addIssue({
      code: 'custom',
      message: `not an application gateway ARM id ("${id}"; expected ${GATEWAY_ID_SHAPE})`,
    });
  }
});

// Any JSON here: what a body may be is the one reader's rule (src/core/backend-health-body.ts), applied
// in crossCheck with the gateway's id, so a body pasted from ARM, az or PowerShell is taken as printed.
const backendHealthSchema = z.unknown().refine((value) => value !== undefined, { error: 'required' });

// prefault({}): an absent `lro` is parsed as {} so each field takes its own default.
const lroSchema = z
  .strictObject({
    polls: whole(0).default(1),
    // null: no Retry-After header at all (the client's own interval applies).
    retryAfterSeconds: whole(0).nullable().default(1),
    // Set: the operation runs this long after its POST (by the emulator's clock), however often it is polled.
    runsForMs: whole(0).optional(),
    style: z.enum(['location', 'azure-async-operation']).default('location'),
    outcome: z.enum(['succeeded', 'failed']).default('succeeded'),
  })
  .prefault({});

/**
 * Broken 200 answers of the backend-health operation (the final answer that carries the body):
 * - `malformed`: not JSON (a trailing comma);
 * - `truncated`: `Content-Length` announces the whole body, half of it is sent, the connection closes;
 * - `empty-object` `{}`, `empty-array` `[]`, `null-pools` `{"backendAddressPools":null}`;
 * - `missing-settings` / `missing-servers`: the body without every pool's `backendHttpSettingsCollection`
 *   / every settings entry's `servers`;
 * - `slow`: half the body, then the rest after `delayMs` (longer than the client waits).
 */
export const BODY_FAULTS = [
  'malformed',
  'truncated',
  'empty-object',
  'empty-array',
  'null-pools',
  'missing-settings',
  'missing-servers',
  'slow',
] as const;
export type BodyFaultKind = (typeof BODY_FAULTS)[number];

/**
 * Requests that get no HTTP answer at all:
 * - `reset`: the request is read, then the connection is destroyed (the client sees ECONNRESET);
 * - `hang`: the request is read and never answered (the connection stays open until the client gives
 *   up or the emulator closes).
 */
export const CONNECTION_FAULTS = ['reset', 'hang'] as const;
export type ConnectionFaultKind = (typeof CONNECTION_FAULTS)[number];

/**
 * One injected fault: an error answer (`status`), a broken backend-health body (`body`), the exact
 * text of a `200` answer (`text`: the backend-health operation's final answer, or a list page), so a
 * test can serve what ARM never sends (a wrapped body, a list entry without an id, a garbage page), or
 * no answer at all (`connection`).
 * `page` (list only) limits the fault to that page of a listing (1 = the first, 2 = the first nextLink…).
 */
const faultSchema = z
  .strictObject({
    on: z.enum(['backendHealth', 'poll', 'list', 'get', 'resourceGraph', 'onDemand']),
    status: whole(400, 599).optional(),
    body: z.enum(BODY_FAULTS).optional(),
    connection: z.enum(CONNECTION_FAULTS).optional(),
    text: z.string().optional(),
    page: whole(1).optional(),
    times: whole(1).default(1),
    retryAfterSeconds: whole(0).optional(),
    code: text().optional(),
    message: text().optional(),
    delayMs: whole(0).optional(),
  })
  .superRefine((fault, ctx) => {
    const issue = (message: string, path: string[] = []) => ctx.addIssue({ code: 'custom', message, path });
    const kinds = [fault.status, fault.body, fault.connection, fault.text].filter((k) => k !== undefined);
    if (kinds.length !== 1) {
      issue(
        'give one of "status" (an error answer), "body" (a broken 200 answer), "text" (the exact 200 answer) or "connection" (no answer)',
      );
    }
    if (fault.body !== undefined && fault.on !== 'backendHealth') {
      issue('body faults break the backend-health answer: use "on": "backendHealth"', ['on']);
    }
    if (
      fault.text !== undefined &&
      fault.on !== 'backendHealth' &&
      fault.on !== 'list' &&
      fault.on !== 'get' &&
      fault.on !== 'resourceGraph'
    ) {
      issue(
        'text replaces the backend-health answer, the gateway resource or a list page: use "on": "backendHealth", "get", "list" or "resourceGraph"',
        ['on'],
      );
    }
    if (fault.page !== undefined && fault.on !== 'list' && fault.on !== 'resourceGraph')
      issue('only with "on": "list" or "resourceGraph"', ['page']);
    if (fault.body === 'slow' && fault.delayMs === undefined) {
      issue('required with "body": "slow" (how long the rest of the body waits)', ['delayMs']);
    }
    if (fault.delayMs !== undefined && fault.body !== 'slow') issue('only with "body": "slow"', ['delayMs']);
    if (fault.status === undefined) {
      for (const field of ['retryAfterSeconds', 'code', 'message'] as const) {
        if (fault[field] !== undefined) issue('only with "status" (an error answer)', [field]);
      }
    }
  });

const portSchema = () => whole(1, 65_535);
const secondsSchema = () => whole(1, 86_400);
const nameSchema = () =>
  z
    .string()
    .min(1, { error: 'expected a non-empty string' })
    .max(80, { error: 'expected at most 80 characters (an ARM name)' });

/**
 * A custom health probe, in the fields of ARM's `ApplicationGatewayProbePropertiesFormat` (served under
 * `properties`). Not validated against ARM's own rules beyond types and ranges, so a scenario can serve
 * the configurations ARM's validation would refuse and live gateways still hold. Names are the
 * exception (crossCheck, childNameIssues): a name is part of the child's ARM id, so no gateway holds one
 * outside ARM's naming rule (a `/` would even make another id).
 */
const probeSchema = z.strictObject({
  name: nameSchema(),
  protocol: z.enum(['Http', 'Https', 'Tcp', 'Tls']).default('Http'),
  host: z.string().optional(),
  path: z.string().default('/'),
  interval: secondsSchema().default(30),
  timeout: secondsSchema().default(30),
  unhealthyThreshold: whole(1, 20).default(3),
  pickHostNameFromBackendHttpSettings: z.boolean().default(false),
  /** TCP/TLS probes: send the PROXY protocol header (ARM `enableProbeProxyProtocolHeader`). */
  enableProbeProxyProtocolHeader: z.boolean().optional(),
  /** TLS probes: take the SNI from the backend settings (ARM `pickHostNameFromBackendSettings`). */
  pickHostNameFromBackendSettings: z.boolean().optional(),
  port: portSchema().optional(),
  match: z.strictObject({ statusCodes: z.array(text()).optional(), body: z.string().optional() }).optional(),
});

/**
 * The fields HTTP and TCP/TLS proxy settings share (after `name` and `protocol`, in ARM's order);
 * `probe` names a probe above.
 */
const settingsFieldsBoth = {
  port: portSchema().optional(),
  hostName: z.string().optional(),
  pickHostNameFromBackendAddress: z.boolean().default(false),
  probe: nameSchema().optional(),
  trustedRootCertificates: z.array(nameSchema()).default([]),
};

/** HTTP settings (`ApplicationGatewayBackendHttpSettingsPropertiesFormat`); `probe` names a probe above. */
const httpSettingsSchema = z.strictObject({
  name: nameSchema(),
  protocol: z.enum(['Http', 'Https']).default('Http'),
  ...settingsFieldsBoth,
  authenticationCertificates: z.array(nameSchema()).default([]),
  requestTimeout: secondsSchema().default(20),
  sniName: z.string().optional(),
});

/**
 * A TCP/TLS proxy backend setting (`backendSettingsCollection`, REST spec
 * `ApplicationGatewayBackendSettingsPropertiesFormat`: protocol, port, timeout, probe,
 * trustedRootCertificates, hostName, pickHostNameFromBackendAddress); `probe` names a probe above.
 * The backend-health body names it by an id under `…/backendSettingsCollection/`.
 */
const backendSettingsSchema = z.strictObject({
  name: nameSchema(),
  protocol: z.enum(['Tcp', 'Tls']).default('Tcp'),
  ...settingsFieldsBoth,
  timeout: secondsSchema().default(20),
});

/**
 * What `GET …/applicationGateways/{name}` serves beyond the pools and settings the backend-health body
 * names (routes/gateway.ts): the SKU, custom probes, and settings of one's own. A settings entry the
 * body names and this does not gets the defaults (`Http`, port 80, the default probe).
 */
const configurationSchema = z
  .strictObject({
    sku: z
      .strictObject({
        name: z
          .enum([
            'Standard_Small',
            'Standard_Medium',
            'Standard_Large',
            'WAF_Medium',
            'WAF_Large',
            'Standard_v2',
            'WAF_v2',
            'Basic',
          ])
          .default('Standard_v2'),
        tier: z.enum(['Standard', 'WAF', 'Standard_v2', 'WAF_v2', 'Basic']).optional(),
      })
      .prefault({}),
    probes: z.array(probeSchema).default([]),
    backendHttpSettings: z.array(httpSettingsSchema).default([]),
    /** The TCP/TLS proxy's backend settings (served as `backendSettingsCollection`). */
    backendSettings: z.array(backendSettingsSchema).default([]),
  })
  .prefault({});

const gatewaySchema = z.strictObject({
  id: gatewayId,
  location: text().default('westeurope'),
  backendHealth: backendHealthSchema,
  lro: lroSchema,
  faults: z.array(faultSchema).default([]),
  delayMs: whole(0).default(0),
  /** The resource's tags, as Resource Graph's `tags` column holds them (the discovery filter reads them). */
  tags: z.record(z.string(), z.string()).optional(),
  /** What GET of the gateway serves: SKU, probes, HTTP settings (the rest derived from `backendHealth`). */
  configuration: configurationSchema,
  /**
   * What the on-demand probe (`POST …/getBackendHealthOnDemand`, routes/on-demand.ts) finds for the
   * pool's servers: `as-reported` (default) their health and probe log as `backendHealth` has them under
   * the asked settings; `healthy` every one of them `Healthy` (the backend was fixed since).
   */
  onDemand: z.enum(['as-reported', 'healthy']).default('as-reported'),
});

const BUCKET_SHAPE = 'an object {"burst": <whole number >= 1>, "perSecond": <number > 0>}';

/** One token bucket: `burst` tokens when full, refilled at `perSecond` (more than 0; fractions allowed). */
const bucketSchema = z.strictObject({
  burst: whole(1),
  perSecond: z
    .number({ error: (iss) => (iss.input === undefined ? 'required' : 'expected a number > 0') })
    .positive({ error: 'expected a number > 0' }),
});

/**
 * ARM's request limits (src/emulator/limits.ts has the sources): on by default with ARM's numbers, so
 * every test meets the limit a real subscription has; `false` turns them off, as a whole or per kind.
 */
const limitsSchema = falseOr(
  z.strictObject({
    reads: falseOr(bucketSchema, 'no read limit', BUCKET_SHAPE).default(ARM_REQUEST_LIMITS.reads),
    writes: falseOr(bucketSchema, 'no write limit', BUCKET_SHAPE).default(ARM_REQUEST_LIMITS.writes),
  }),
  'no limits',
  'an object with "reads" and/or "writes"',
).default({ reads: ARM_REQUEST_LIMITS.reads, writes: ARM_REQUEST_LIMITS.writes });

/**
 * Resource Graph's per-user query quota (x-ms-user-quota-remaining / -resets-after: "at most 15 queries
 * within every 5-second window", learn.microsoft.com azure/governance/resource-graph/concepts/
 * guidance-for-throttled-requests) and its subscription limit for tenant and management-group scopes
 * (10,000 there: past it the answer holds the first ones and says `x-ms-tenant-subscription-limit-hit`).
 */
const resourceGraphSchema = z
  .strictObject({
    quota: whole(1).default(15),
    windowSeconds: whole(1).default(5),
    subscriptionLimit: whole(1).default(10_000),
  })
  .prefault({});

const scenarioSchema = z.strictObject({
  gateways: z.array(gatewaySchema).min(1, { error: 'expected at least one gateway' }),
  limits: limitsSchema,
  /** Management group name → the subscriptions under it (a parent lists its children's too). */
  managementGroups: z.record(text(), z.array(text())).optional(),
  resourceGraph: resourceGraphSchema,
  auth: z
    .strictObject({
      acceptTokens: z.array(text()).min(1, { error: 'expected at least one token' }).optional(),
    })
    .optional(),
});

type ParsedScenario = z.output<typeof scenarioSchema>;
type ParsedGateway = ParsedScenario['gateways'][number];
type ParsedFault = ParsedGateway['faults'][number];

type FaultBase = Omit<ParsedFault, 'status' | 'body' | 'connection' | 'text'>;
/** An injected error answer (`status`). */
export type StatusFault = FaultBase & { readonly status: number };
/** An injected broken 200 answer of the backend-health operation (`body`). */
export type BodyFault = FaultBase & { readonly body: BodyFaultKind };
/** A request that gets no answer: the connection is reset, or left hanging (`connection`). */
export type ConnectionFault = FaultBase & { readonly connection: ConnectionFaultKind };
/** An injected 200 answer sent exactly as given (`text`): the backend-health body, or a list page. */
export type TextFault = FaultBase & { readonly text: string };
export type ScenarioFault = StatusFault | BodyFault | ConnectionFault | TextFault;

/**
 * A validated gateway: `backendHealth` as the one reader gives it back (ARM's camelCase, nulls
 * dropped, every other field kept), which is what the emulator serves.
 */
export type ScenarioGateway = Omit<ParsedGateway, 'backendHealth' | 'faults'> & {
  readonly backendHealth: BackendHealthBody;
  readonly faults: ScenarioFault[];
};
/** A validated scenario with every default filled in. */
export type Scenario = Omit<ParsedScenario, 'gateways' | 'limits'> & {
  readonly gateways: ScenarioGateway[];
  readonly limits: ScenarioLimits;
};
/** What a scenario file may contain (defaults not yet applied). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type FaultTarget = ScenarioFault['on'];

/** `gateways[2].lro.polls`: the form users see in their editor (the config's own formatter). */
const formatPath = (segments: readonly PropertyKey[]): string => formatConfigPath(segments) || '(root)';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

// Per-parse messages for the generic cases; field-specific messages are set on the schemas above.
const errorMap: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === 'invalid_type') {
    return iss.input === undefined ? 'required' : `expected ${iss.expected}, got ${describe(iss.input)}`;
  }
  if (iss.code === 'invalid_value') {
    return `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return undefined;
};

/**
 * `false` (meaning `off`), or what `schema` accepts. Not a zod union: a union reports only "Invalid
 * input" at its own path, where this reports the object's own problems at theirs (`limits.reads.burst`).
 */
function falseOr<T extends z.ZodType>(schema: T, off: string, shape: string) {
  return z
    .custom<false | z.input<T>>(() => true)
    .transform((value, ctx): false | z.output<T> => {
      if (value === false) return false;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected false (${off}) or ${shape}, got ${describe(value)}`,
          input: value,
        });
        return z.NEVER;
      }
      const parsed = schema.safeParse(value, { error: errorMap });
      if (parsed.success) return parsed.data;
      for (const iss of parsed.error.issues) {
        const found =
          iss.code === 'unrecognized_keys'
            ? iss.keys.map((k) => ({ path: [...iss.path, k], message: 'unknown field' }))
            : [{ path: iss.path, message: iss.message }];
        for (const f of found)
          ctx.addIssue({ code: 'custom', message: f.message, path: f.path, input: value });
      }
      return z.NEVER;
    });
}

function issueText(iss: z.core.$ZodIssue): string {
  if (iss.code === 'unrecognized_keys') {
    return iss.keys.map((k) => `${formatPath([...iss.path, k])}: unknown field`).join('\n');
  }
  return `${formatPath(iss.path)}: ${iss.message}`;
}

/**
 * Checks that need more than one field: unique ids, and each backend-health body read by the one
 * reader with its gateway's id (so pool and settings ids, where present, belong to that gateway).
 * Returns the problems, or the scenario with every body as the reader gives it back.
 */
function crossCheck(parsed: ParsedScenario): { issues: string[]; scenario: Scenario } {
  const issues: string[] = [];
  const seen = new Map<string, number>();
  const gateways = parsed.gateways.map((gw, g): ScenarioGateway => {
    const first = seen.get(key(gw.id));
    if (first !== undefined) {
      issues.push(
        `gateways[${g}].id: duplicate of gateways[${first}].id (ARM ids compare case-insensitively)`,
      );
    } else {
      seen.set(key(gw.id), g);
    }
    issues.push(...configurationIssues(gw.configuration, g));
    issues.push(...childNameIssues(gw.configuration, g));
    const read = readBackendHealthBody(gw.backendHealth, { gatewayId: gw.id });
    if (!read.ok) {
      for (const p of read.problems) {
        issues.push(`${formatPath(['gateways', g, 'backendHealth', ...p.path])}: ${p.message}`);
      }
    } else {
      issues.push(...bodyNameIssues(read.body, g));
    }
    return {
      ...gw,
      backendHealth: read.ok ? read.body : {},
      faults: gw.faults as ScenarioFault[], // the refinement guarantees exactly one of status / body / connection / text
    };
  });
  return { issues, scenario: { ...parsed, gateways } };
}

/** Names unique (ARM compares them case-insensitively) and each settings' `probe` one of the probes. */
function configurationIssues(configuration: ParsedGateway['configuration'], g: number): string[] {
  const issues: string[] = [];
  const at = (...segments: PropertyKey[]) => formatPath(['gateways', g, 'configuration', ...segments]);
  const unique = (kind: 'probes' | 'backendHttpSettings' | 'backendSettings') => {
    const seen = new Map<string, number>();
    configuration[kind].forEach((entry, i) => {
      const first = seen.get(key(entry.name));
      if (first !== undefined) issues.push(`${at(kind, i, 'name')}: duplicate of ${at(kind, first, 'name')}`);
      else seen.set(key(entry.name), i);
    });
  };
  unique('probes');
  unique('backendHttpSettings');
  unique('backendSettings');
  const probes = new Set(configuration.probes.map((p) => key(p.name)));
  for (const kind of ['backendHttpSettings', 'backendSettings'] as const)
    configuration[kind].forEach((settings, i) => {
      if (settings.probe !== undefined && !probes.has(key(settings.probe)))
        issues.push(`${at(kind, i, 'probe')}: no probe "${settings.probe}" in configuration.probes`);
    });
  return issues;
}

/** `at: kind "value" is not a name a gateway can have: the rule` when `value` breaks ARM's naming rule. */
function nameIssue(at: string, kind: string, value: string): string[] {
  const problem = gatewayChildNameProblem(kind, value);
  return problem === undefined ? [] : [`${at}: ${problem}`];
}

/**
 * Every name the gateway's configuration gives its children, and every child a setting names (its
 * probe, its certificates), held to ARM's naming rule for application gateways (core/arm-name.ts): the
 * emulator serves each as the last segment of an id, which ARM never makes of a name it refuses.
 */
function childNameIssues(configuration: ParsedGateway['configuration'], g: number): string[] {
  const at = (...segments: PropertyKey[]) => formatPath(['gateways', g, 'configuration', ...segments]);
  const issues: string[] = [];
  configuration.probes.forEach((probe, i) =>
    issues.push(...nameIssue(at('probes', i, 'name'), 'probe', probe.name)),
  );
  const certificates = (kind: string, names: readonly string[], ...segments: PropertyKey[]) =>
    names.forEach((name, j) => issues.push(...nameIssue(at(...segments, j), kind, name)));
  for (const kind of ['backendHttpSettings', 'backendSettings'] as const)
    configuration[kind].forEach((settings, i) => {
      issues.push(...nameIssue(at(kind, i, 'name'), 'backend setting', settings.name));
      if (settings.probe !== undefined)
        issues.push(...nameIssue(at(kind, i, 'probe'), 'probe', settings.probe));
      certificates(
        'trusted root certificate',
        settings.trustedRootCertificates,
        kind,
        i,
        'trustedRootCertificates',
      );
    });
  configuration.backendHttpSettings.forEach((settings, i) =>
    certificates(
      'authentication certificate',
      settings.authenticationCertificates,
      'backendHttpSettings',
      i,
      'authenticationCertificates',
    ),
  );
  return issues;
}

/**
 * The pools and settings the backend-health body names by id (the emulator's GET serves them under
 * those names, and builds a routing rule per pair): each id's last segment held to the naming rule.
 */
function bodyNameIssues(body: BackendHealthBody, g: number): string[] {
  const at = (...segments: PropertyKey[]) => formatPath(['gateways', g, 'backendHealth', ...segments]);
  const issues: string[] = [];
  (body.backendAddressPools ?? []).forEach((pool, i) => {
    const poolId = pool.backendAddressPool?.id;
    if (poolId !== undefined)
      issues.push(
        ...nameIssue(
          at('backendAddressPools', i, 'backendAddressPool', 'id'),
          'backend pool',
          lastSegment(poolId),
        ),
      );
    (pool.backendHttpSettingsCollection ?? []).forEach((settings, j) => {
      const settingsId = settings.backendHttpSettings?.id;
      if (settingsId !== undefined)
        issues.push(
          ...nameIssue(
            at('backendAddressPools', i, 'backendHttpSettingsCollection', j, 'backendHttpSettings', 'id'),
            'backend setting',
            lastSegment(settingsId),
          ),
        );
    });
  });
  return issues;
}

/** Validates a parsed scenario document and fills in defaults; throws ScenarioError listing every problem. */
export function parseScenario(json: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(json, { error: errorMap });
  if (!result.success) {
    throw new ScenarioError(
      result.error.issues.flatMap((i) => issueText(i).split('\n')),
      source,
    );
  }
  const { issues, scenario } = crossCheck(result.data);
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return scenario;
}

/** Reads and validates a scenario file. Unreadable files and bad JSON are ScenarioErrors naming the file. */
export async function loadScenarioFile(file: string): Promise<Scenario> {
  const absolute = path.resolve(file);
  const source = `scenario file ${absolute}`;
  const read = await readJsonFile(absolute);
  if (!read.ok) throw new ScenarioError([read.problem], source);
  return parseScenario(read.value, source);
}

/** The shipped default scenario. tsc does not copy JSON, so it is always read from src/. */
export const defaultScenarioPath = path.join(packageRoot(), 'src', 'emulator', 'scenarios', 'default.json');

/** The shipped default scenario, validated. */
export function loadDefaultScenario(): Promise<Scenario> {
  return loadScenarioFile(defaultScenarioPath);
}
