/**
 * Reading the ARM JSON the real Bicep compiler wrote (scripts/infra-build.js → dist/infra/): the
 * template tests look at what Azure Resource Manager will be sent, not at Bicep text.
 *
 * - `compileInfra()` runs the build script (restore the pinned Bicep CLI from NuGet, lint with zero
 *   warnings, build); it is a no-op when dist/infra is up to date with the templates.
 * - `Scope` walks a compiled template: its resources (by symbolic name under languageVersion 2.0, or
 *   in order), its modules (nested `Microsoft.Resources/deployments` with their own template) and
 *   their parameters.
 * - `scope.evaluate(value)` evaluates ARM template expressions (`[format('…', parameters('x'))]`) as far
 *   as they depend only on parameters, variables and pure functions, following a module's parameters to
 *   the values its parent passes. What only a deployment knows (`reference(…)`, `resourceId(…)`,
 *   `tenant()`) stays an `Unresolved` carrying the expression text. `subscription()` and
 *   `uniqueString()` get fixed stand-ins, so names derived from them are comparable across modules.
 *   `if()` evaluates only the branch it picks, `filter()` and `map()` run their `lambda()` per element, and `fail()`
 *   (or `int()` of a non-number) throws a DeploymentFailure, as the deployment would stop.
 *   Function semantics: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
export const COMPILED_DIR = path.join(ROOT, 'dist', 'infra');

/**
 * Lints and builds infra/ with the pinned Bicep CLI (see scripts/infra-build.js), or reuses an
 * up-to-date build. Throws with the script's output when a template has a warning or an error, or the
 * compiler cannot be had. Takes tens of seconds on a cold NuGet cache.
 */
export function compileInfra(): void {
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'infra-build.js')], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run infra:build failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface ArmResource {
  readonly type: string;
  readonly apiVersion?: string;
  readonly name: string;
  readonly condition?: string | boolean;
  readonly existing?: boolean;
  readonly scope?: string;
  readonly kind?: string;
  readonly sku?: Record<string, Json>;
  readonly identity?: Record<string, Json>;
  readonly copy?: { name: string; count: Json };
  readonly dependsOn?: string[];
  readonly properties?: Record<string, Json> & {
    template?: ArmTemplate;
    parameters?: Record<string, PassedParameter>;
  };
  readonly [key: string]: unknown;
}

/** A module argument: `{ value }`, or one expression that gives it (Bicep's form for `cond ? a : b`). */
export type PassedParameter = { value: Json } | string;

export interface ArmTemplate {
  readonly languageVersion?: string;
  readonly parameters?: Record<string, { type: string; defaultValue?: Json; allowedValues?: Json[] }>;
  readonly variables?: Record<string, Json>;
  readonly resources: ArmResource[] | Record<string, ArmResource>;
  readonly outputs?: Record<string, { type: string; value: Json }>;
  readonly [key: string]: unknown;
}

/** One resource of a template, with its symbolic name where the template has them. */
export interface Entry {
  readonly symbol?: string;
  readonly resource: ArmResource;
}

/** What a deployment alone knows: the text of the (sub-)expression that needs it. */
export class Unresolved {
  constructor(readonly expression: string) {}
}

export type Value = string | number | boolean | null | Unresolved | Value[] | { [key: string]: Value };

export function loadCompiled(relativePath: string): ArmTemplate {
  return JSON.parse(readFileSync(path.join(COMPILED_DIR, relativePath), 'utf8')) as ArmTemplate;
}

/** Stand-ins for functions whose value comes from the deployment. */
export const STAND_IN_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';

/** A template in the context it is deployed in: the top-level one with inputs, or a module in its parent. */
export class Scope {
  private constructor(
    readonly template: ArmTemplate,
    private readonly args: Record<string, PassedParameter> | undefined,
    private readonly parent: Scope | undefined,
    private readonly inputs: Record<string, Json>,
    private readonly copyIndexValue?: number,
  ) {}

  /** The same scope inside iteration `index` of a copy loop (`copyIndex()`). */
  withCopyIndex(index: number): Scope {
    return new Scope(this.template, this.args, this.parent, this.inputs, index);
  }

  get copyIndex(): number | undefined {
    return this.copyIndexValue;
  }

  /** The top-level template, its parameters set from `inputs` (or their defaults). */
  static root(template: ArmTemplate, inputs: Record<string, Json> = {}): Scope {
    return new Scope(template, undefined, undefined, inputs);
  }

  entries(): Entry[] {
    const { resources } = this.template;
    return Array.isArray(resources)
      ? resources.map((resource) => ({ resource }))
      : Object.entries(resources).map(([symbol, resource]) => ({ symbol, resource }));
  }

  /** Resources of one type (exact, without api version), existing ones left out unless asked. */
  ofType(type: string, options: { existing?: boolean } = {}): Entry[] {
    return this.entries().filter(
      (e) => e.resource.type === type && Boolean(e.resource.existing) === Boolean(options.existing),
    );
  }

  /** A module by its symbolic name, or by its (evaluated) deployment name. */
  module(symbolOrName: string): Scope {
    const found = this.entries().find(
      (e) =>
        e.resource.type === 'Microsoft.Resources/deployments' &&
        (e.symbol === symbolOrName || this.evaluate(e.resource.name) === symbolOrName),
    );
    const template = found?.resource.properties?.template;
    if (!found || !template) throw new Error(`no module ${symbolOrName}`);
    return this.enter(found.resource);
  }

  /** The scope of a module deployment resource of this template. */
  enter(deployment: ArmResource): Scope {
    const template = deployment.properties?.template;
    if (!template) throw new Error(`${deployment.name} is not a nested template deployment`);
    return new Scope(template, deployment.properties?.parameters ?? {}, this, {});
  }

  /** Every module below this one (depth first), with this one first. */
  descendants(): Scope[] {
    const modules = this.entries()
      .filter((e) => e.resource.type === 'Microsoft.Resources/deployments' && e.resource.properties?.template)
      .map((e) => this.enter(e.resource));
    return [this, ...modules.flatMap((m) => m.descendants())];
  }

  /** Whether a resource is deployed, as far as its condition can be decided (`undefined` when not). */
  deploys(resource: ArmResource): boolean | undefined {
    if (resource.condition === undefined) return true;
    const value = this.evaluate(resource.condition);
    return typeof value === 'boolean' ? value : undefined;
  }

  parameter(name: string): Value {
    const passed = this.args?.[name];
    if (passed !== undefined && this.parent) {
      if (typeof passed !== 'string') return this.parent.evaluate(passed.value);
      // Bicep writes a conditional argument as one expression giving the whole `{ value }` entry.
      const entry = this.parent.evaluate(passed);
      return isObject(entry) && 'value' in entry ? (entry['value'] as Value) : new Unresolved(passed);
    }
    if (!this.parent && name in this.inputs) return this.evaluate(this.inputs[name] as Json);
    const declared = this.template.parameters?.[name];
    if (declared && 'defaultValue' in declared) return this.evaluate(declared.defaultValue as Json);
    return new Unresolved(`parameters('${name}')`);
  }

  variable(name: string): Value {
    const variables = this.template.variables ?? {};
    if (!(name in variables)) throw new Error(`no variable ${name}`);
    return this.evaluate(variables[name] as Json);
  }

  /** A template value with its expressions evaluated (objects and arrays element by element). */
  evaluate(value: Json | undefined): Value {
    if (value === undefined) return null;
    if (typeof value === 'string') {
      if (value.startsWith('[[')) return value.slice(1); // an escaped literal "[…"
      if (value.startsWith('[') && value.endsWith(']')) return this.evaluateExpression(value.slice(1, -1));
      return value;
    }
    if (Array.isArray(value)) return value.map((v) => this.evaluate(v));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.evaluate(v)]));
    return value;
  }

  evaluateExpression(expression: string): Value {
    return evaluateNode(parseExpression(expression), this);
  }
}

// ---------------------------------------------------------------- expressions

type Node =
  | { kind: 'string'; value: string; text: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'call'; name: string; args: Node[]; text: string }
  | { kind: 'property'; target: Node; name: string; text: string }
  | { kind: 'index'; target: Node; index: Node; text: string };

/** Parses one ARM template expression (without its brackets). Throws on text that is not one. */
export function parseExpression(source: string): Node {
  let at = 0;
  const skip = () => {
    while (/\s/.test(source[at] ?? '')) at++;
  };
  const expect = (char: string) => {
    skip();
    if (source[at] !== char) throw new Error(`expected "${char}" at ${at} in ${source}`);
    at++;
  };
  const primary = (): Node => {
    skip();
    const start = at;
    if (source[at] === "'") {
      let value = '';
      at++;
      for (;;) {
        if (at >= source.length) throw new Error(`unterminated string in ${source}`);
        if (source[at] === "'" && source[at + 1] === "'") {
          value += "'"; // '' is a quote inside a string
          at += 2;
        } else if (source[at] === "'") break;
        else value += source[at++];
      }
      at++;
      return { kind: 'string', value, text: source.slice(start, at) };
    }
    const number = /^-?\d+/.exec(source.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: 'number', value: Number(number[0]), text: number[0] };
    }
    const name = /^[A-Za-z_][\w.]*/.exec(source.slice(at));
    if (!name) throw new Error(`unexpected "${source[at]}" at ${at} in ${source}`);
    at += name[0].length;
    expect('(');
    const args: Node[] = [];
    skip();
    if (source[at] === ')') at++;
    else
      for (;;) {
        args.push(postfix());
        skip();
        if (source[at] === ',') at++;
        else {
          expect(')');
          break;
        }
      }
    return { kind: 'call', name: name[0], args, text: source.slice(start, at) };
  };
  const postfix = (): Node => {
    skip();
    const start = at;
    let node = primary();
    for (;;) {
      skip();
      if (source[at] === '.') {
        at++;
        skip();
        const name = /^[A-Za-z_]\w*/.exec(source.slice(at));
        if (!name) throw new Error(`expected a property name at ${at} in ${source}`);
        at += name[0].length;
        node = { kind: 'property', target: node, name: name[0], text: source.slice(start, at) };
      } else if (source[at] === '[') {
        at++;
        const index = postfix();
        expect(']');
        node = { kind: 'index', target: node, index, text: source.slice(start, at) };
      } else return node;
    }
  };
  const node = postfix();
  skip();
  if (at !== source.length) throw new Error(`trailing text at ${at} in ${source}`);
  return node;
}

const isUnresolved = (v: Value): v is Unresolved => v instanceof Unresolved;
const isObject = (v: Value): v is { [key: string]: Value } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !isUnresolved(v);

/** Lambda variables in force (`lambda('x', …)` inside `filter`): name → value. */
type Bindings = ReadonlyMap<string, Value>;
const NO_BINDINGS: Bindings = new Map();

/** What ARM's `fail(message)` does to a deployment: it stops, with that message. */
export class DeploymentFailure extends Error {}

function evaluateNode(node: Node, scope: Scope, bindings: Bindings = NO_BINDINGS): Value {
  switch (node.kind) {
    case 'string':
    case 'number':
      return node.value;
    case 'property': {
      const target = evaluateNode(node.target, scope, bindings);
      return isObject(target) && node.name in target
        ? (target[node.name] as Value)
        : new Unresolved(node.text);
    }
    case 'index': {
      const target = evaluateNode(node.target, scope, bindings);
      const index = evaluateNode(node.index, scope, bindings);
      if (Array.isArray(target) && typeof index === 'number' && index < target.length)
        return target[index] as Value;
      if (isObject(target) && typeof index === 'string' && index in target) return target[index] as Value;
      return new Unresolved(node.text);
    }
    case 'call':
      return call(node, scope, bindings);
  }
}

/** Functions whose result follows from their arguments; anything else stays Unresolved. */
function call(node: Extract<Node, { kind: 'call' }>, scope: Scope, bindings: Bindings): Value {
  const name = node.name.toLowerCase();
  const unresolved = () => new Unresolved(node.text);
  // if() evaluates only the branch its condition picks (template-functions-logical, "if": "only the
  // true value is evaluated"), so a fail() or an index in the other branch is never reached.
  if (name === 'if') {
    const [condition, yes, no] = node.args;
    const picked = condition && evaluateNode(condition, scope, bindings);
    if (typeof picked !== 'boolean' || !yes || !no) return unresolved();
    return evaluateNode(picked ? yes : no, scope, bindings);
  }
  // filter(array, lambda('x', predicate)): the predicate evaluated with x bound to each element.
  if (name === 'filter') {
    const [source, lambda] = node.args;
    const items = source && evaluateNode(source, scope, bindings);
    const [param, body] = lambda?.kind === 'call' && lambda.name === 'lambda' ? lambda.args : [];
    if (!Array.isArray(items) || param?.kind !== 'string' || !body) return unresolved();
    const kept: Value[] = [];
    for (const item of items) {
      const keep = evaluateNode(body, scope, new Map([...bindings, [param.value, item]]));
      if (typeof keep !== 'boolean') return unresolved();
      if (keep) kept.push(item);
    }
    return kept;
  }
  // map(array, lambda('x', expression)): the expression evaluated with x bound to each element.
  if (name === 'map') {
    const [source, lambda] = node.args;
    const items = source && evaluateNode(source, scope, bindings);
    const [param, body] = lambda?.kind === 'call' && lambda.name === 'lambda' ? lambda.args : [];
    if (!Array.isArray(items) || param?.kind !== 'string' || !body) return unresolved();
    const mapped = items.map((item) =>
      evaluateNode(body, scope, new Map([...bindings, [param.value, item]])),
    );
    return mapped.some(isUnresolved) ? unresolved() : mapped;
  }
  const args = node.args.map((a) => evaluateNode(a, scope, bindings));
  // Containers keep what is known inside them.
  if (name === 'createarray') return args;
  if (name === 'createobject') {
    const object: Record<string, Value> = {};
    for (let i = 0; i + 1 < args.length; i += 2) {
      const key = args[i] as Value;
      if (typeof key !== 'string') return unresolved();
      object[key] = args[i + 1] as Value;
    }
    return object;
  }
  if (name === 'union') {
    if (args.every(isObject)) return Object.assign({}, ...args);
    if (args.every(Array.isArray)) return [...new Set(args.flat())];
    return unresolved();
  }
  if (name === 'subscription')
    return { id: `/subscriptions/${STAND_IN_SUBSCRIPTION_ID}`, subscriptionId: STAND_IN_SUBSCRIPTION_ID };
  if (args.some(isUnresolved) && name !== 'parameters' && name !== 'variables') return unresolved();
  const [first, second] = args;
  const numbers = args.every((a): a is number => typeof a === 'number') ? (args as number[]) : undefined;
  switch (name) {
    case 'lambdavariables':
      return typeof first === 'string' && bindings.has(first) ? (bindings.get(first) as Value) : unresolved();
    case 'fail':
      throw new DeploymentFailure(String(first));
    case 'true':
      return true;
    case 'false':
      return false;
    case 'int':
      if (typeof first === 'number') return first;
      if (typeof first === 'string' && /^[+-]?\d+$/.test(first.trim())) return Number(first);
      // ARM fails the deployment on a value int() cannot read.
      throw new DeploymentFailure(`int(): "${String(first)}" is not an integer`);
    case 'add':
      return numbers && numbers.length === 2 ? numbers[0]! + numbers[1]! : unresolved();
    case 'sub':
      return numbers && numbers.length === 2 ? numbers[0]! - numbers[1]! : unresolved();
    case 'mul':
      return numbers && numbers.length === 2 ? numbers[0]! * numbers[1]! : unresolved();
    case 'div':
      // Integer division, as ARM's div.
      return numbers && numbers.length === 2 ? Math.trunc(numbers[0]! / numbers[1]!) : unresolved();
    case 'min':
      return numbers?.length ? Math.min(...numbers) : unresolved();
    case 'max':
      return numbers?.length ? Math.max(...numbers) : unresolved();
    case 'greater':
    case 'greaterorequals':
    case 'less':
    case 'lessorequals': {
      if (!numbers || numbers.length !== 2) return unresolved();
      const [a, b] = numbers as [number, number];
      return { greater: a > b, greaterorequals: a >= b, less: a < b, lessorequals: a <= b }[name];
    }
    case 'split':
      return typeof first === 'string' && typeof second === 'string' ? first.split(second) : unresolved();
    case 'join':
      return Array.isArray(first) && typeof second === 'string'
        ? first.map(String).join(second)
        : unresolved();
    case 'contains':
      if (typeof first === 'string' && typeof second === 'string') return first.includes(second);
      if (Array.isArray(first)) return first.some((v) => JSON.stringify(v) === JSON.stringify(second));
      return first !== undefined && isObject(first) && typeof second === 'string'
        ? second in first
        : unresolved();
    case 'skip':
      return (typeof first === 'string' || Array.isArray(first)) && typeof second === 'number'
        ? (first.slice(Math.max(0, second)) as Value)
        : unresolved();
    case 'first':
      return Array.isArray(first)
        ? (first[0] ?? null)
        : typeof first === 'string'
          ? first.slice(0, 1)
          : unresolved();
    case 'last':
      return Array.isArray(first)
        ? (first.at(-1) ?? null)
        : typeof first === 'string'
          ? first.slice(-1)
          : unresolved();
    case 'coalesce':
      return args.find((a) => a !== null) ?? null;
    case 'parameters':
      return typeof first === 'string' ? scope.parameter(first) : unresolved();
    case 'variables':
      return typeof first === 'string' ? scope.variable(first) : unresolved();
    case 'format':
      return typeof first === 'string'
        ? first.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i) + 1] ?? ''))
        : unresolved();
    case 'concat':
      return args.every(Array.isArray)
        ? args.flat()
        : args.every((a) => typeof a === 'string' || typeof a === 'number')
          ? args.join('')
          : unresolved();
    case 'empty': {
      if (first === null || first === '') return true;
      if (typeof first === 'string') return false;
      if (Array.isArray(first)) return first.length === 0;
      if (first !== undefined && isObject(first)) return Object.keys(first).length === 0;
      return unresolved();
    }
    case 'equals':
      return JSON.stringify(first) === JSON.stringify(second);
    case 'not':
      return typeof first === 'boolean' ? !first : unresolved();
    case 'and':
      return args.every((a) => typeof a === 'boolean') ? args.every(Boolean) : unresolved();
    case 'or':
      return args.every((a) => typeof a === 'boolean') ? args.some(Boolean) : unresolved();
    case 'trim':
      return typeof first === 'string' ? first.trim() : unresolved();
    case 'tolower':
      return typeof first === 'string' ? first.toLowerCase() : unresolved();
    case 'length':
      return typeof first === 'string' || Array.isArray(first) ? first.length : unresolved();
    case 'take':
      return (typeof first === 'string' || Array.isArray(first)) && typeof second === 'number'
        ? (first.slice(0, second) as Value)
        : unresolved();
    case 'copyindex':
      return scope.copyIndex ?? unresolved();
    case 'guid': {
      // A stand-in: a GUID-shaped value, stable for the same arguments (not ARM's own algorithm).
      const hex = createHash('sha256').update(JSON.stringify(args)).digest('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    }
    case 'subscriptionresourceid':
      // subscriptionResourceId(type, name…): the id ARM gives a subscription-level resource.
      return args.every((a) => typeof a === 'string') && args.length >= 2
        ? `/subscriptions/${STAND_IN_SUBSCRIPTION_ID}/providers/${first}/${args.slice(1).join('/')}`
        : unresolved();
    case 'extensionresourceid':
      // extensionResourceId(scopeId, type, name…)
      return args.every((a) => typeof a === 'string') && args.length >= 3
        ? `${first}/providers/${second}/${args.slice(2).join('/')}`
        : unresolved();
    case 'resourceid':
      // resourceId(type, name…) in the deployment's own resource group: that group is only known to
      // ARM, so the stand-in names it "{resourceGroup}".
      return args.every((a) => typeof a === 'string') && args.length >= 2
        ? `/subscriptions/${STAND_IN_SUBSCRIPTION_ID}/resourceGroups/{resourceGroup}/providers/${first}/${args.slice(1).join('/')}`
        : unresolved();
    case 'uniquestring':
      // A stand-in: 13 lowercase characters, stable for the same arguments (not ARM's own hash).
      return createHash('sha256').update(JSON.stringify(args)).digest('hex').slice(0, 13);
    default:
      return unresolved();
  }
}
