/**
 * A cause's step as a message with a size budget carries it (pure): whole when it fits, and never a
 * command cut partway. Steps mark commands with backticks, and a command may chain several with `&&`
 * (create a probe, then attach it): a pasted front part of a cut chain runs, the rest fails, and the
 * gateway is left half-changed (issue 17's fourth trial: Teams and Slack cut 29 steps inside their
 * commands at 600 characters). A step too long keeps its words before its first command and points to
 * the insight, which has every command whole; a step without a command is the caller's to clip (text
 * cut at a word loses nothing that runs).
 */

/** What a step too long for a message says in place of its commands. */
export const COMMANDS_IN_INSIGHT = 'its commands are too long for this message: see the insight';

/**
 * `step`, or, when `fits(step)` is false and it holds a command (a backtick), its text before the first
 * command followed by COMMANDS_IN_INSIGHT. `fits` says whether a text fits the budget as the message
 * counts it (after its own escaping).
 */
export function fitStep(step: string, fits: (text: string) => boolean): string {
  if (fits(step)) return step;
  const command = step.indexOf('`');
  if (command < 0) return step;
  const lead = step
    .slice(0, command)
    .replace(/[\s:,(—-]+$/u, '')
    .trim();
  return lead === '' ? `A step whose ${COMMANDS_IN_INSIGHT}.` : `${lead} (${COMMANDS_IN_INSIGHT}).`;
}
