/**
 * The scenario file: which gateways the emulator serves and how it misbehaves. A product contract
 * (documented in README.md), so every rejection names the field by path and says what was expected.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../adapters/package-root';
import { formatPath as formatConfigPath } from '../config/format-issues';
import { readJsonFile } from '../config/json-file';
import { ScenarioError } from '../errors';
import { GATEWAY_ID_SHAPE, key, lastSegment, parseGatewayId } from './arm-id';

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

// Loose objects: a body pasted from a real gateway keeps the fields we do not model (etag, properties...).
const serverSchema = z.looseObject({
  address: text(),
  // Any string: live gateways say Healthy/Unhealthy/Unknown, the REST spec says Up/Down/Partial/Draining/Unknown.
  health: text(),
  healthProbeLog: z.string().optional(),
  ipConfiguration: z.looseObject({ id: text() }).nullable().optional(),
});
const settingsHealthSchema = z.looseObject({
  backendHttpSettings: z.looseObject({ id: text(), name: z.string().optional() }),
  servers: z.array(serverSchema),
});
const poolHealthSchema = z.looseObject({
  backendAddressPool: z.looseObject({ id: text(), name: z.string().optional() }),
  backendHttpSettingsCollection: z.array(settingsHealthSchema),
});
const backendHealthSchema = z.looseObject({ backendAddressPools: z.array(poolHealthSchema) });

// prefault({}): an absent `lro` is parsed as {} so each field takes its own default.
const lroSchema = z
  .strictObject({
    polls: whole(0).default(1),
    retryAfterSeconds: whole(0).default(1),
    style: z.enum(['location', 'azure-async-operation']).default('location'),
    outcome: z.enum(['succeeded', 'failed']).default('succeeded'),
  })
  .prefault({});

const faultSchema = z.strictObject({
  on: z.enum(['backendHealth', 'poll', 'list', 'get']),
  status: whole(400, 599),
  times: whole(1).default(1),
  retryAfterSeconds: whole(0).optional(),
  code: text().optional(),
  message: text().optional(),
});

const gatewaySchema = z.strictObject({
  id: gatewayId,
  location: text().default('westeurope'),
  backendHealth: backendHealthSchema,
  lro: lroSchema,
  faults: z.array(faultSchema).default([]),
  delayMs: whole(0).default(0),
});

const scenarioSchema = z.strictObject({
  gateways: z.array(gatewaySchema).min(1, { error: 'expected at least one gateway' }),
  auth: z
    .strictObject({
      acceptTokens: z.array(text()).min(1, { error: 'expected at least one token' }).optional(),
    })
    .optional(),
});

/** A validated scenario with every default filled in. */
export type Scenario = z.output<typeof scenarioSchema>;
/** What a scenario file may contain (defaults not yet applied). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioGateway = Scenario['gateways'][number];
export type ScenarioFault = ScenarioGateway['faults'][number];
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

function issueText(iss: z.core.$ZodIssue): string {
  if (iss.code === 'unrecognized_keys') {
    return iss.keys.map((k) => `${formatPath([...iss.path, k])}: unknown field`).join('\n');
  }
  return `${formatPath(iss.path)}: ${iss.message}`;
}

/** Checks that need more than one field: unique ids, sub-resource ids that belong to their gateway. */
function crossCheck(scenario: Scenario): string[] {
  const issues: string[] = [];
  const seen = new Map<string, number>();
  scenario.gateways.forEach((gw, g) => {
    const first = seen.get(key(gw.id));
    if (first !== undefined) {
      issues.push(
        `gateways[${g}].id: duplicate of gateways[${first}].id (ARM ids compare case-insensitively)`,
      );
    } else {
      seen.set(key(gw.id), g);
    }
    const expectChild = (id: string, collection: string, at: string) => {
      const prefix = key(`${gw.id}/${collection}/`);
      const name = lastSegment(id);
      if (!key(id).startsWith(prefix) || name === '' || id.length !== prefix.length + name.length) {
        issues.push(`${at}: expected "${gw.id}/${collection}/<name>", got "${id}"`);
      }
    };
    gw.backendHealth.backendAddressPools.forEach((pool, p) => {
      const at = `gateways[${g}].backendHealth.backendAddressPools[${p}]`;
      expectChild(pool.backendAddressPool.id, 'backendAddressPools', `${at}.backendAddressPool.id`);
      pool.backendHttpSettingsCollection.forEach((s, i) =>
        expectChild(
          s.backendHttpSettings.id,
          'backendHttpSettingsCollection',
          `${at}.backendHttpSettingsCollection[${i}].backendHttpSettings.id`,
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
  const issues = crossCheck(result.data);
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return result.data;
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
