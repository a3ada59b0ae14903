/**
 * Writes the filled markdown from the template's parts: text as it is, each placeholder's chosen form,
 * section markers dropped (their offsets kept), code spans' backtick runs widened past any run in
 * their filled content.
 */
import type { ArticleTemplate } from './parse';

export interface Emitted {
  readonly markdown: string;
  /** Section index → offset in `markdown` where its content starts, and where it ends. */
  readonly sectionStart: ReadonlyMap<number, number>;
  readonly sectionEnd: ReadonlyMap<number, number>;
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
  return template.codeSpans.map((span, spanIndex) => {
    const content = (bySpan.get(spanIndex) ?? []).reduce(
      (text, i) => text.split(template.sentinels[i] ?? '').join(filled[i] ?? ''),
      span.skeletonContent,
    );
    const runs = [...content.matchAll(/`+/g)].map((m) => m[0].length);
    const ticks = runs.includes(span.ticks) ? Math.max(...runs) + 1 : span.ticks;
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
  for (const part of parts) {
    switch (part.kind) {
      case 'text':
        out += part.text;
        break;
      case 'placeholder':
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
  return { markdown: out, sectionStart, sectionEnd };
}
