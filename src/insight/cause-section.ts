import {
  boundedCache,
  boundedMemo,
  fillWithTokens,
  parseArticle,
  type ParsedArticle,
  type RenderableFill,
} from '../articles';
import { stepsBesideProbeLog, type Cause } from '../core/causes';
import type { FindingConfiguration } from '../core/model';
import type { RecheckTarget } from '../core/recheck-commands';
import { configurationTemplate } from './configuration-section';

export interface CauseSectionOptions {
  /**
   * The article the section is appended to defines link references: a `[label]` in a value could then
   * become a link, so brackets are escaped as if the section defined them too.
   */
  readonly references?: boolean;
  /**
   * Where the probe message is shown: `here` (default) quotes it in the section; `above` says the
   * article's "Error Message" above shows it, so the insight carries it once.
   */
  readonly probeMessage?: 'here' | 'above';
  /**
   * The gateway's configuration behind this server's probe (src/core/finding-configuration.ts): the
   * section then shows the probe's real values, what the configuration explains, and the exact
   * commands (configuration-section.ts); `read: false` says it could not be read. Absent: nothing.
   */
  readonly configuration?: FindingConfiguration;
  /**
   * The server's gateway, pool and backend setting: with a configuration that was read, the section ends
   * with the commands that confirm a fix (configuration-section.ts, "Confirm the fix"). Absent: none.
   */
  readonly recheck?: RecheckTarget;
}

/**
 * The section appended after the article's own text: what this server's probe actually reported and
 * the steps for that cause. Steps are plain text in which `backticks` mark commands (our catalogue's
 * convention). The section is written as a small template whose placeholders take the cause's texts
 * and the probe message, and filled by the article engine: every value gets the same minimal, context-
 * aware escaping as the article's own placeholders (a plain probe message appears verbatim).
 * The probe message appears once in the insight: here, or (`probeMessage: 'above'`) a pointer to the
 * article's "Error Message"; steps that only quote it are left out (the message is shown whole).
 * No probe message: the section says nothing about it; the article's "Error Message" does (values.ts).
 */
export function causeSectionMarkdown(
  cause: Cause,
  probeLog: string,
  options: CauseSectionOptions = {},
): string {
  // Everything the section is made of, and nothing else: the same key is the same text.
  const key = JSON.stringify([
    cause.title,
    cause.steps,
    cause.docUrl,
    cause.receivedStatus ?? null,
    probeLog,
    options.references === true,
    options.probeMessage ?? 'here',
    options.configuration ?? null,
    options.recheck ?? null,
  ]);
  const written = writtenSections.get(key);
  if (written !== undefined) return written.value;
  const section = writeCauseSection(cause, probeLog, options);
  writtenSections.set(key, section);
  return section;
}

/**
 * Sections already written, by what they are made of (causeSectionMarkdown's key). A run writes the same
 * few sections for thousands of servers, one per cause and probe message, and filling one took two
 * thirds of an insight's CPU (markdown-it reads each escaped line, several times; 2.7 of 4 ms per
 * insight in bench/insight-cpu.js). Bounded: past 512 sections the least recently used is
 * dropped, and a key longer than 16 384 characters (a very long probe message) is not kept.
 */
const writtenSections = boundedCache<string>(512, 16_384);

function writeCauseSection(cause: Cause, probeLog: string, options: CauseSectionOptions): string {
  const slots = new Slots();
  const lines = ['## What the probe reported', '', `**${slots.add(cause.title)}**`, ''];
  if (probeLog.trim() !== '') {
    lines.push(
      options.probeMessage === 'above'
        ? 'Probe message: see **Error Message** above.'
        : `> Probe message: ${slots.add(probeLog)}`,
      '',
    );
  }
  if (cause.receivedStatus !== undefined)
    lines.push(`Received HTTP status: **${Number(cause.receivedStatus)}**`, '');
  if (options.configuration)
    lines.push(
      ...configurationTemplate(
        options.configuration,
        causeFacts(cause),
        (v) => slots.add(v),
        options.recheck,
      ),
    );
  lines.push('### What to do', '', stepsTemplate(stepsBesideProbeLog(cause, probeLog), slots));
  lines.push(
    '',
    `Reference: [Troubleshoot backend health issues in Application Gateway](${slots.add(cause.docUrl)})`,
    '',
  );
  return slots.fill(lines.join('\n'), options);
}

const causeFacts = (cause: Cause) => ({
  causeId: cause.id,
  ...(cause.receivedStatus !== undefined ? { receivedStatus: cause.receivedStatus } : {}),
});

/**
 * The configuration part alone (configuration-section.ts), filled as the cause section is: the HTML
 * page shows it under the steps at its top.
 */
export function configurationMarkdown(
  cause: Cause,
  configuration: FindingConfiguration,
  options: CauseSectionOptions = {},
): string {
  return configurationFill(cause, configuration, options).fill.markdown;
}

/**
 * configurationMarkdown as HTML (markdown-it's), rendered from the tokens its fill's check parsed: not
 * parsed a second time (issue 14: two of an insight's 12 parses were of a fill just checked).
 */
export function configurationHtml(
  cause: Cause,
  configuration: FindingConfiguration,
  options: CauseSectionOptions = {},
): string {
  return configurationFill(cause, configuration, options).html();
}

function configurationFill(
  cause: Cause,
  configuration: FindingConfiguration,
  options: CauseSectionOptions,
): RenderableFill {
  const slots = new Slots();
  return slots.fillWithTokens(
    configurationTemplate(configuration, causeFacts(cause), (v) => slots.add(v), options.recheck).join('\n'),
    options,
  );
}

/**
 * Steps as a markdown ordered list (`1. …` a line each), filled as the cause section's are, as HTML
 * (markdown-it's) rendered from the tokens its fill's check parsed: the fix at the top of the insight
 * page.
 */
export function stepsHtml(steps: readonly string[], options: CauseSectionOptions = {}): string {
  const slots = new Slots();
  return slots.fillWithTokens(stepsTemplate(steps, slots), options).html();
}

function stepsTemplate(steps: readonly string[], slots: Slots): string {
  return steps.map((step, i) => `${i + 1}. ${stepTemplate(step, slots)}`).join('\n');
}

/** One step as markdown: text outside backtick pairs escaped, text inside a code span no value can leave. */
export function stepMarkdown(step: string): string {
  const slots = new Slots();
  return slots.fill(stepTemplate(step, slots), {});
}

/** Placeholders `<!--$vN-->` of a generated template, and their values. */
class Slots {
  private readonly values: Record<string, string> = {};

  add(value: string): string {
    const name = `v${Object.keys(this.values).length}`;
    this.values[name] = value;
    return `<!--$${name}-->${name}<!--/$${name}-->`;
  }

  fill(template: string, options: CauseSectionOptions): string {
    return this.fillWithTokens(template, options).fill.markdown;
  }

  /** The fill, and its HTML from the tokens its check parsed (fillWithTokens). */
  fillWithTokens(template: string, options: CauseSectionOptions): RenderableFill {
    const article = parsedTemplate(`${options.references === true ? 'r' : '-'}${template}`);
    return fillWithTokens(article, this.values, { strict: true });
  }
}

/**
 * A generated template parsed, by its first character (`r`: as if the document defined link
 * references) and its text. The values are in the slots, not the template: thousands of servers with
 * one cause and one kind of configuration share a few templates, and parsing one was a fifth of an
 * insight's CPU (issue 14, `node bench/insight-cpu.js --configured`). A parsed article is read, never
 * changed, by a fill. Bounded by what a parsed template holds (about 80 bytes per character of its
 * text): at most 64, of up to 8 192 characters, so at most about 40 MB; a run has a few dozen, of 1–3 KB.
 */
const parsedTemplate = boundedMemo(
  (key: string): ParsedArticle => parseArticle(key.slice(1), { assumeReferences: key.startsWith('r') }),
  64,
  8_192,
);

/**
 * A step's template: code spans for backtick pairs (an odd backtick left unpaired is text), text
 * placeholders between them, with the white space next to a code span kept (values are trimmed).
 */
function stepTemplate(step: string, slots: Slots): string {
  const parts = step.split('`');
  const paired =
    parts.length % 2 === 1
      ? parts
      : [...parts.slice(0, -2), `${parts[parts.length - 2]}\`${parts[parts.length - 1]}`];
  return paired
    .map((part, i) => {
      if (i % 2 === 1) return `\`${slots.add(part)}\``;
      const core = part.trim();
      if (core === '') return part === '' ? '' : ' ';
      return `${/^\s/.test(part) ? ' ' : ''}${slots.add(core)}${/\s$/.test(part) ? ' ' : ''}`;
    })
    .join('');
}
