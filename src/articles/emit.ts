/**
 * Writes the filled markdown from the template's parts: text as it is, each placeholder's chosen form,
 * section markers dropped (their offsets kept), code spans' backtick runs widened past any run in
 * their filled content.
 */
import type { ArticleTemplate } from './parse';
import { replaceSentinels, sentinelFinder } from './sentinels';

export interface Emitted {
  readonly markdown: string;
  /** Section index → offset in `markdown` where its content starts, and where it ends. */
  readonly sectionStart: ReadonlyMap<number, number>;
  readonly sectionEnd: ReadonlyMap<number, number>;
  /** Occurrence index → offset in `markdown` where its form starts. */
  readonly formStart: readonly number[];
}

/** The backtick run a code span is written with, and the space that pads its content. */
export interface SpanFence {
  readonly fence: string;
  readonly pad: string;
}

/** Code spans: a fence no run inside can close, padded when the content touches a backtick. */
export function codeSpanFences(template: ArticleTemplate, filled: readonly string[]): SpanFence[] {
  const bySpan = new Map<number, number[]>();
  template.spanOf.forEach((span, i) => {
    if (span === undefined) return;
    const list = bySpan.get(span);
    if (list) list.push(i);
    else bySpan.set(span, [i]);
  });
  const sentinelsIn = sentinelFinder(template.sentinels);
  return template.codeSpans.map((span, spanIndex) => {
    const members = new Set(bySpan.get(spanIndex) ?? []);
    const content = replaceSentinels(span.skeletonContent, sentinelsIn, (i) =>
      members.has(i) ? (filled[i] ?? '') : undefined,
    );
    let longest = 0;
    let clash = false;
    for (const m of content.matchAll(/`+/g)) {
      longest = Math.max(longest, m[0].length);
      clash ||= m[0].length === span.ticks;
    }
    const ticks = clash ? longest + 1 : span.ticks;
    const pad = content === '' || content.startsWith('`') || content.endsWith('`') ? ' ' : '';
    return { fence: '`'.repeat(ticks), pad };
  });
}

/** The markdown with `forms[i]` for occurrence i. */
export function emitParts(
  parts: ArticleTemplate['parts'],
  forms: readonly string[],
  spanFences: readonly SpanFence[],
): Emitted {
  let out = '';
  const sectionStart = new Map<number, number>();
  const sectionEnd = new Map<number, number>();
  const formStart: number[] = [];
  for (const part of parts) {
    switch (part.kind) {
      case 'text':
        out += part.text;
        break;
      case 'placeholder':
        formStart[part.index] = out.length;
        out += forms[part.index] ?? '';
        break;
      case 'marker':
        if (part.section !== undefined)
          (part.section.edge === 'start' ? sectionStart : sectionEnd).set(part.section.index, out.length);
        break;
      case 'ticks': {
        const f = spanFences[part.span];
        out +=
          part.edge === 'open' ? `${f?.fence ?? '`'}${f?.pad ?? ''}` : `${f?.pad ?? ''}${f?.fence ?? '`'}`;
        break;
      }
    }
  }
  return { markdown: out, sectionStart, sectionEnd, formStart };
}
