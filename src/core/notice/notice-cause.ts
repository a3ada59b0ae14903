import type { Cause } from '../causes';
import type { Finding } from '../model';
import { exactCause, exactSteps, exactTitle, GENERAL_REPRODUCTION, type KnownValues } from '../exact-steps';
import { fixCommands } from '../probe-commands';
import { contradiction } from '../config-observations';
import { reproduceProbe } from '../probe-reproduction';
import { recheckCommands } from '../recheck-commands';

/** "What we see" steps a notice carries at most: the insight has them all. */
const MAX_OBSERVATION_STEPS = 2;

/**
 * The cause a `degraded` or `still-degraded` notice carries: the finding's, with its steps made exact
 * from the gateway's own configuration when it was read (issue 17: the insight had the real values,
 * the notice, read first, the general `curl -i http://<address>:<port><probe path> -H 'Host: <probe
 * host>'`). Steps, in order:
 * - what we see in the configuration that explains the failure (at most MAX_OBSERVATION_STEPS, each
 *   naming the probe or setting it comes from);
 * - the command that reproduces the probe from the gateway's virtual network, and what a healthy
 *   answer is (probe-reproduction.ts), or why no command can;
 * - the commands that change what is likely wrong, as the insight gives them (probe-commands.ts);
 * - the cause's own steps, less the general reproductions the exact one replaces;
 * - the command that confirms a fix at once (`appgw-insights recheck …`, recheck-commands.ts).
 * Values from ARM are shell-quoted in the commands; each format escapes the step where it lands.
 * When the configuration was not read: the finding's cause, its commands naming the resource group and
 * gateway of its ARM id (exact-steps.ts), the rest general. Pure.
 */
export function noticeCause(finding: Finding): Cause {
  return causeWithConfiguration(finding, recheckCommands(finding).cli);
}

/**
 * noticeCause's steps for what is known of one server: its cause, gateway and configuration;
 * `recheck`: the command that confirms a fix, or none where the steps are a recheck's own answer
 * (issue 17's third trial: a recheck of a server still bad printed less than its notice). Pure.
 */
export function causeWithConfiguration(
  finding: KnownValues & { readonly cause: Cause },
  recheck?: string,
): Cause {
  const configuration = finding.configuration;
  if (!configuration?.read) return exactCause(finding);
  const reproduction = reproduceProbe(configuration.probe);
  // A Partial server's caveat comes first and takes no slot of what it qualifies (issue 17's fourth trial).
  const partial = configuration.observations.filter((o) => o.id === 'health-partial');
  const observed = [
    ...partial,
    ...configuration.observations.filter((o) => o.id !== 'health-partial').slice(0, MAX_OBSERVATION_STEPS),
  ].map((o) => `In your configuration: ${o.text}`);
  const reproduce =
    reproduction.command !== undefined
      ? `Reproduce the probe from a VM in the gateway's virtual network: \`${reproduction.command}\`. ${reproduction.expects}`
      : reproduction.why;
  const own = exactSteps(
    finding.cause.steps.filter((step) => !GENERAL_REPRODUCTION.test(step)),
    finding,
  );
  const facts = {
    causeId: finding.cause.id,
    ...(finding.cause.receivedStatus !== undefined ? { receivedStatus: finding.cause.receivedStatus } : {}),
  };
  // The insight's own "change what is likely wrong" commands (issue 17's second trial: a notice lacked
  // the host-name change its insight gave); left to the insight if one could not sit in a code span.
  const commands = fixCommands(configuration.probe, facts, configuration.observations);
  const change =
    commands.length > 0 && !commands.some((c) => c.includes('`'))
      ? [
          `Change what is likely wrong with the Azure CLI: ${commands.map((c) => `\`${c}\``).join(', then ')}.`,
        ]
      : [];
  // The pasted line must name the configuration file when there is one (the notice cannot know).
  const confirm =
    recheck === undefined
      ? []
      : [
          `${contradiction(configuration.observations) !== undefined ? 'Before changing anything, send the on-demand probe now' : 'Once fixed, confirm it at once with an on-demand probe'}: \`${recheck}\` (add \`--config FILE\` when you run appgw-insights from a configuration file).`,
        ];
  // A step of the cause's whose every command is one of those is said once, by the change step.
  const told = new Set(change.length > 0 ? commands : []);
  const untold = own.filter((step) => !azCommandsOf(step).every((command) => told.has(command)));
  return {
    ...finding.cause,
    title: exactTitle(finding),
    steps: [...observed, reproduce, ...change, ...untold, ...confirm],
  };
}

/**
 * The `az` commands of a step's code spans (one span may join several with `&&`); a step with a span
 * that is not only `az` commands, or with none, gets one no command equals: it is kept. (A span of two
 * joined commands was counted as one span against two commands, so the cause's "From the CLI: `probe
 * update … && http-settings update …`" stayed beside the change step of the same two: a new-user trial.)
 */
function azCommandsOf(step: string): string[] {
  const spans = [...step.matchAll(/`([^`]*)`/g)].map((m) => (m[1] as string).split(' && '));
  const onlyAz = spans.length > 0 && spans.every((commands) => commands.every((c) => c.startsWith('az ')));
  return onlyAz ? spans.flat() : ['(not only az)'];
}
