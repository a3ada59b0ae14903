/**
 * What each verb accepts, and its help: the one option table each verb parses its arguments with
 * (verb-args.ts), and `--help` prints. It imports nothing, so `appgw-insights --help` and
 * `appgw-insights VERB --help` load this file and not the verbs (which load the Azure SDK, the
 * article engine and zod: hundreds of modules).
 */

/** One option of a verb: what `node:util` parseArgs takes, plus its help. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly default?: string | boolean;
  /** What the value stands for in help (`FILE`, `DIR`, `N`); string options only. */
  readonly value?: string;
  /**
   * One line: what the option does (and its default, when it has one worth saying). Not "(repeatable)":
   * help-text.ts adds that marker from `multiple`, the one place it comes from.
   */
  readonly help: string;
  /**
   * The verb cannot run without it: parseVerbArgs refuses the arguments when it is missing (or empty),
   * and the usage line shows it outside `[…]` and `(…|…)` (test/cli/usage-lines.test.ts holds the two
   * together). A string is said after "--NAME VALUE is required: " (what to give).
   */
  readonly required?: true | string;
}

/** A positional argument, for help only (verbs check their positionals themselves). */
export interface PositionalSpec {
  readonly name: string;
  readonly help: string;
}

export interface VerbSpec {
  /** As typed after `appgw-insights`: `run`, `notify list`. */
  readonly name: string;
  /** One line for the tool's help. */
  readonly summary: string;
  /** The synopsis, without the leading `appgw-insights `. */
  readonly usage: string;
  readonly positionals?: readonly PositionalSpec[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Further lines of help: exit codes, where output goes. */
  readonly details?: readonly string[];
}

/** A verb with sub-verbs (`notify list`, `notify resend`). */
export interface VerbGroupSpec {
  readonly name: string;
  readonly summary: string;
  readonly subverbs: Readonly<Record<string, VerbSpec>>;
}

export const TOOL = 'appgw-insights';

const EXIT_CODES =
  'Exit 0 when everything was done; 2 when a target, gateway, sink or notice failed, or the input was wrong (the summary and stderr say which); 1 is a bug.';

/** `node:util` parseArgs' option table, checked as such at compile time (verb-args.ts). */
function options<const T extends Record<string, OptionSpec>>(table: T): T {
  return table;
}

export const RUN = {
  name: 'run',
  summary: 'check every target once: insights, report.json, notifications',
  usage: 'run [--config FILE] [--out DIR] [--json] [--verbose]',
  options: options({
    config: {
      type: 'string',
      value: 'FILE',
      help: 'the run configuration, a JSON file (README: Configuration); without it, the APPGW_* settings from the environment, as the Functions app reads them',
    },
    out: {
      type: 'string',
      value: 'DIR',
      help: "write insights and report.json to DIR instead of the configuration's sinks.dir",
    },
    json: {
      type: 'boolean',
      default: false,
      help: 'print the run report as JSON on stdout instead of the summary',
    },
    verbose: {
      type: 'boolean',
      default: false,
      help: "also print progress messages and the run's telemetry records on stderr",
    },
  }),
  details: [
    EXIT_CODES,
    // A new-user trial met exit 3 and found it nowhere in this help.
    "Exit 3 when nothing failed but some insight gives the general steps, because a gateway's configuration could not be read (its GET: 403, 404, 429 or 5xx) or did not say the server's probe: the summary's second line says which, and what to grant on a 403; 2 outranks it.",
    'Ctrl-C, SIGTERM or SIGHUP stop it after writing the report: exit 128 + the signal number (130, 143, 129); past runDeadlineInMs, exit 124.',
  ],
} as const satisfies VerbSpec;

export const EVALUATE = {
  name: 'evaluate',
  summary: 'the same insights and report for a saved backend-health output, without calling ARM',
  usage: 'evaluate FILE|- [--gateway ID] [--out DIR] [--json]',
  positionals: [
    {
      name: 'FILE|-',
      help: 'what `az network application-gateway show-backend-health -o json` or Get-AzApplicationGatewayBackendHealth printed; - reads standard input',
    },
  ],
  options: options({
    gateway: {
      type: 'string',
      value: 'ID',
      help: "the gateway's ARM id, when the body's ids name none (az prints some entries without ids)",
    },
    out: {
      type: 'string',
      value: 'DIR',
      default: 'out',
      help: 'write insights and report.json to DIR (default ./out)',
    },
    json: {
      type: 'boolean',
      default: false,
      help: 'print the run report as JSON on stdout instead of the summary',
    },
  }),
  details: [
    EXIT_CODES,
    'No notify state, no webhooks, no status page or history: a saved body is no reading of the gateway now.',
  ],
} as const satisfies VerbSpec;

export const EMULATOR = {
  name: 'emulator',
  summary: 'run the backend-health emulator (an HTTPS stand-in for ARM) until Ctrl-C',
  usage: 'emulator [--scenario FILE [--watch]] [--port N] [--out DIR] [--counts FILE] [--config-out FILE]',
  options: options({
    scenario: {
      type: 'string',
      value: 'FILE',
      help: 'the scenario to serve (JSON); default: the default scenario the demo uses',
    },
    watch: {
      type: 'boolean',
      default: false,
      help: 'serve --scenario FILE again each time it changes (looked at every second): make a server sick or well without a restart',
    },
    port: {
      type: 'string',
      value: 'N',
      default: '0',
      help: 'the port to listen on, on 127.0.0.1; 0 (default) takes any free port',
    },
    out: {
      type: 'string',
      value: 'DIR',
      default: 'out',
      help: 'the sinks.dir of the run configuration it writes (default ./out)',
    },
    counts: {
      type: 'string',
      value: 'FILE',
      help: 'when it stops, write the requests it answered by route and status to FILE, as JSON',
    },
    'config-out': {
      type: 'string',
      value: 'FILE',
      help: 'once it answers, also write its first stdout line to FILE (atomically; removed when it stops), so another shell can wait for FILE',
    },
  }),
  details: [
    'Its first stdout line is one JSON object {"url","caCertFile","config"}; config is a ready run configuration pointing at it.',
  ],
} as const satisfies VerbSpec;

export const DEMO = {
  name: 'demo',
  summary:
    'start the emulator on the default scenario, check it three times (the first all healthy), write the insights, the status page and a summary',
  usage: 'demo [--out DIR]',
  options: options({
    out: {
      type: 'string',
      value: 'DIR',
      default: 'out',
      help: 'write insights, report.json and the status page to DIR (default ./out): a new or empty folder, or one a demo wrote (marked .appgw-demo); any other is refused',
    },
  }),
} as const satisfies VerbSpec;

export const RENDER = {
  name: 'render',
  summary: 'fill any article in the Azure self-help format and print it',
  usage: 'render ARTICLE [--set NAME=VALUE ...] [--values FILE.json] [--format md|html|json] [--strict]',
  positionals: [
    { name: 'ARTICLE', help: 'the article (markdown with <!--$Name-->default<!--/$Name--> placeholders)' },
  ],
  options: options({
    set: {
      type: 'string',
      multiple: true,
      value: 'NAME=VALUE',
      help: "a placeholder's value; wins over --values",
    },
    values: { type: 'string', value: 'FILE.json', help: 'a JSON object of placeholder name → value' },
    format: {
      type: 'string',
      value: 'md|html|json',
      default: 'md',
      help: 'md (default), html, or json: {"metadata","placeholders","issueDescription","markdown","html","warnings"}',
    },
    strict: {
      type: 'boolean',
      default: false,
      help: 'exit 2 when a placeholder has no value (otherwise a warning, and its default is kept)',
    },
  }),
  details: [
    'Warnings go to stderr with exit 0; an unreadable template, or a missing value with --strict, exits 2 naming the line.',
  ],
} as const satisfies VerbSpec;

export const NOTIFY_LIST = {
  name: 'notify list',
  summary: "every undelivered notice in the configuration's notify state",
  usage: 'notify list [--config FILE] [--json]',
  options: options({
    config: {
      type: 'string',
      value: 'FILE',
      help: 'the run configuration whose notify state (state.dir or state.blob) to read (README: Configuration); without it, the APPGW_* settings from the environment, as run reads them',
    },
    json: { type: 'boolean', default: false, help: 'print {notices, errors, read, listed} as JSON' },
  }),
  details: ['Exit 2 when a state document cannot be listed or read.'],
} as const satisfies VerbSpec;

export const NOTIFY_RESEND = {
  name: 'notify resend',
  summary:
    'move matching dead letters back to their outbox; the next run sends them first (not those of an ended episode)',
  usage: 'notify resend [--config FILE] (--notice ID | --receiver NAME | --gateway ARM-ID | --all) [--json]',
  options: options({
    config: {
      type: 'string',
      value: 'FILE',
      help: 'the run configuration whose notify state (state.dir or state.blob) to change (README: Configuration); without it, the APPGW_* settings from the environment, as run reads them',
    },
    notice: { type: 'string', value: 'ID', help: 'the dead letter with this notice id' },
    receiver: {
      type: 'string',
      value: 'NAME',
      help: 'the dead letters of this receiver (ops for webhook[ops])',
    },
    gateway: { type: 'string', value: 'ARM-ID', help: 'the dead letters of this gateway (its ARM id)' },
    all: { type: 'boolean', default: false, help: 'every dead letter' },
    json: {
      type: 'boolean',
      default: false,
      help: 'print {requeued, notResent, errors} as JSON',
    },
  }),
  details: [
    'Filters combine. Exit 2 when nothing matched.',
    'A degraded or reminder of an episode that has ended (the server recovered since) is not re-sent, as it would open an alert that is over: it is removed, and said so.',
  ],
} as const satisfies VerbSpec;

export const NOTIFY_TEST = {
  name: 'notify test',
  summary: 'send a test notice, marked [TEST], to one receiver in its format and say what it answered',
  usage: 'notify test --receiver NAME [--config FILE] [--resolve] [--json]',
  options: options({
    receiver: {
      type: 'string',
      value: 'NAME',
      required: 'a name from sinks.webhooks',
      help: 'the receiver of sinks.webhooks to send it to (ops for webhook[ops])',
    },
    config: {
      type: 'string',
      value: 'FILE',
      help: 'the run configuration holding the receiver (its url, routingKey or secret may be {"fromEnv"}) (README: Configuration); without it, the APPGW_* settings from the environment, as run reads them',
    },
    resolve: {
      type: 'boolean',
      default: false,
      help: "once delivered, also send the test episode's recovered (PagerDuty: resolves the test alert)",
    },
    json: {
      type: 'boolean',
      default: false,
      help: 'print {receiver, format, target, shape, grouping, sends} as JSON',
    },
  }),
  details: [
    'Sent in the shape a run sends the receiver: a grouped message (id appgw-test-grp-…) with the test notice inside when it groups by gateway (its grouping, else notify.grouping); per-server otherwise, and to PagerDuty.',
    'Reads and writes no notify state: no episode, outbox or dead letter changes.',
    "The receiver's match (routing) is ignored: a test notice (severity warning) always goes to the receiver named.",
    "Exit 0 when the receiver took every notice sent; 2 when it did not (its answer is printed, scrubbed of the URL's secrets), or the receiver or configuration is wrong.",
  ],
} as const satisfies VerbSpec;

export const RECHECK = {
  name: 'recheck',
  summary: "confirm a fix: ARM's on-demand probe of one pool under one backend setting, per server",
  usage: 'recheck --gateway ARM-ID --pool NAME [--settings NAME] [--config FILE] [--json]',
  options: options({
    gateway: { type: 'string', value: 'ARM-ID', required: true, help: "the application gateway's ARM id" },
    pool: { type: 'string', value: 'NAME', required: true, help: 'the backend pool to probe' },
    settings: {
      type: 'string',
      value: 'NAME',
      help: "the backend setting whose probe to send; left out, the one the pool's routing rules pair it with (with several, or none, the error lists them)",
    },
    config: {
      type: 'string',
      value: 'FILE',
      help: 'the run configuration (ARM, notify state, receivers); without it, the APPGW_* settings from the environment',
    },
    json: {
      type: 'boolean',
      default: false,
      help: 'print {gateway, backendPool, backendSettings, servers, notify} as JSON',
    },
  }),
  details: [
    'The probe sends what the gateway\'s own probe of that setting sends (its configuration: one GET). A server found healthy ends its open episode at once (whatever notify.recoverAfter) and its recovered is sent with the reason "confirmed by an on-demand probe" (to a receiver grouping by gateway, in the group\'s next message: notify.groupInterval, said under the receiver); a server still not healthy is reported with its probe message and cause, and nothing changes.',
    'Exit 0 when every server was found healthy; 2 when one is not, the pool or setting is not in the gateway (the names it has are listed), the identity lacks Microsoft.Network/applicationGateways/getBackendHealthOnDemand/action, or a notice was not delivered.',
  ],
} as const satisfies VerbSpec;

export const NOTIFY = {
  name: 'notify',
  summary: 'list undelivered notices, re-send dead letters, or send a test notice',
  subverbs: { list: NOTIFY_LIST, resend: NOTIFY_RESEND, test: NOTIFY_TEST },
} as const satisfies VerbGroupSpec;

const SILENCE_CONFIG = {
  type: 'string',
  value: 'FILE',
  help: 'the run configuration whose notify state (state.dir or state.blob) keeps the silences (README: Configuration); without it, the APPGW_* settings from the environment, as run reads them',
} as const;

export const SILENCE_ADD = {
  name: 'silence add',
  summary: 'silence matching servers for a time window: their notices are recorded, not sent',
  usage:
    'silence add [--config FILE] --id ID (--gateway GLOB | --resource-group GLOB | --subscription ID | --pool GLOB | --cause ID | --severity LEVEL | --tag NAME=VALUE)… ([--starts ISO] (--ends ISO | --for DURATION) | --weekly DAYS --from HH:MM --to HH:MM --time-zone ZONE) [--comment TEXT]',
  options: options({
    config: SILENCE_CONFIG,
    id: {
      type: 'string',
      value: 'ID',
      required: '1–64 letters, digits, "_", "." or "-" (never reused)',
      help: 'a name for it (letters, digits, "_", "." or "-"); silence expire takes it',
    },
    gateway: { type: 'string', value: 'GLOB', help: 'gateway name glob (* and ?, case-insensitive)' },
    'resource-group': { type: 'string', value: 'GLOB', help: 'resource group name glob' },
    subscription: { type: 'string', value: 'ID', help: 'subscription id' },
    pool: { type: 'string', value: 'GLOB', help: 'backend pool name glob' },
    cause: { type: 'string', value: 'ID', help: 'cause id (e.g. probe-timeout, cert-expired)' },
    severity: { type: 'string', value: 'LEVEL', help: "the episode's severity: critical or warning" },
    tag: {
      type: 'string',
      multiple: true,
      value: 'NAME=VALUE',
      help: "gateway tag, exact; repeat for more (all must match); matched against the gateway's ARM tags as its configuration GET gave them (README, Silences)",
    },
    starts: { type: 'string', value: 'ISO', help: 'start, ISO 8601 with a zone (default: now)' },
    ends: { type: 'string', value: 'ISO', help: 'end, ISO 8601 with a zone' },
    for: {
      type: 'string',
      value: 'DURATION',
      help: 'instead of --ends: how long from the start: a number and a unit, no space (2h, 90m, 1h30m, 1d)',
    },
    weekly: {
      type: 'string',
      value: 'DAYS',
      help: 'recurring on these days: sat,sun, or ranges: mon-fri, fri-mon (sun mon tue wed thu fri sat)',
    },
    from: { type: 'string', value: 'HH:MM', help: 'weekly: start time on the wall clock of --time-zone' },
    to: {
      type: 'string',
      value: 'HH:MM',
      help: 'weekly: end time (past midnight when not after --from; 24:00 allowed)',
    },
    'time-zone': {
      type: 'string',
      value: 'ZONE',
      help: 'weekly, required: IANA zone (Europe/Berlin), UTC or an offset (+02:00)',
    },
    comment: { type: 'string', value: 'TEXT', help: 'why (shown by silence list)' },
  }),
  details: [
    "Matchers combine (all must match); globs and values are checked as in a receiver's match. Exit 2 when the silence is not valid or its id was ever used (a silence id is never reused, expired or not).",
  ],
} as const satisfies VerbSpec;

export const SILENCE_LIST = {
  name: 'silence list',
  summary: 'the silences in force: from the configuration (notify.silences) and stored',
  usage: 'silence list [--config FILE] [--all] [--json]',
  options: options({
    config: SILENCE_CONFIG,
    all: {
      type: 'boolean',
      default: false,
      help: 'also the expired and ended ones, and stored entries never applied: not-valid, and set-aside (when, why)',
    },
    json: { type: 'boolean', default: false, help: 'print {silences, errors} as JSON' },
  }),
  details: [
    'Exit 2 when the stored silences cannot be read, or one of them is not valid (each said on stderr).',
  ],
} as const satisfies VerbSpec;

export const SILENCE_EXPIRE = {
  name: 'silence expire',
  summary: 'end a stored silence now; a held degraded goes out on the next run if the server is still bad',
  usage: 'silence expire [--config FILE] ID',
  positionals: [{ name: 'ID', help: 'the id given to silence add' }],
  options: options({ config: SILENCE_CONFIG }),
  details: [
    'Silences in the configuration (notify.silences) are ended by editing it. A stored silence not valid is set aside (kept as stored, under "setAside"); one set aside already is said so, nothing changed. Exit 2 when no stored silence has that id.',
  ],
} as const satisfies VerbSpec;

export const SILENCE = {
  name: 'silence',
  summary: 'add, list or expire silences and maintenance windows',
  subverbs: { add: SILENCE_ADD, list: SILENCE_LIST, expire: SILENCE_EXPIRE },
} as const satisfies VerbGroupSpec;

/** Every verb, in the order help lists them. */
export const VERBS = {
  run: RUN,
  evaluate: EVALUATE,
  emulator: EMULATOR,
  demo: DEMO,
  render: RENDER,
  notify: NOTIFY,
  silence: SILENCE,
  recheck: RECHECK,
} as const satisfies Record<string, VerbSpec | VerbGroupSpec>;

export type VerbName = keyof typeof VERBS;

export function isVerbGroup(spec: VerbSpec | VerbGroupSpec): spec is VerbGroupSpec {
  return 'subverbs' in spec;
}

/** Every verb and sub-verb that parses arguments (`run` … `notify list`, `notify resend`, `notify test`). */
export function leafVerbs(): VerbSpec[] {
  const specs: ReadonlyArray<VerbSpec | VerbGroupSpec> = Object.values(VERBS);
  return specs.flatMap((spec): VerbSpec[] => (isVerbGroup(spec) ? Object.values(spec.subverbs) : [spec]));
}
