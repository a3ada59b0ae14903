/**
 * Splits the template's text parts at the backtick runs of the code spans that hold placeholders, so
 * that filling can widen those runs (emit.ts). Linear in parts and spans: parts and cuts are both in
 * skeleton order, so one walk pairs each cut with the text part holding it (looking the part up for
 * each cut was quadratic in code spans: 20 000 spans once took most of a 37 s render).
 */
import type { OccurrenceContext } from './context';
import type { TemplatePart } from './markers';
import type { TemplateCodeSpan } from './parse';

/** Where a code span's opening or closing backtick run stands in the skeleton. */
interface Cut {
  readonly at: number;
  readonly ticks: number;
  readonly span: number;
  readonly edge: 'open' | 'close';
}

/** A template part and the skeleton offset where it starts. */
interface Placed {
  readonly part: TemplatePart;
  readonly start: number;
}

export interface PlacedCodeSpans {
  readonly parts: TemplatePart[];
  readonly codeSpans: TemplateCodeSpan[];
  /** For each occurrence, the code span it sits in (inline-code only). */
  readonly spanOf: (number | undefined)[];
  /** The contexts, without the code span of any span whose runs could not be isolated. */
  readonly contexts: OccurrenceContext[];
}

/**
 * The parts split at the runs of every code span that holds a placeholder (`contexts[i].codeSpan`, as
 * skeleton offsets). A span whose runs do not each lie inside one text part keeps its runs; its
 * placeholders lose the span info.
 */
export function placeCodeSpans(
  parts: readonly TemplatePart[],
  sentinels: readonly string[],
  skeleton: string,
  contexts: readonly OccurrenceContext[],
): PlacedCodeSpans {
  const byOpen = new Map<number, number>();
  const codeSpans: TemplateCodeSpan[] = [];
  const spanOf: (number | undefined)[] = contexts.map(() => undefined);
  const cuts: Cut[] = [];
  contexts.forEach((c, i) => {
    if (c.codeSpan === undefined) return;
    let span = byOpen.get(c.codeSpan.open);
    if (span === undefined) {
      span = codeSpans.length;
      byOpen.set(c.codeSpan.open, span);
      codeSpans.push({
        ticks: c.codeSpan.ticks,
        skeletonContent: skeleton.slice(c.codeSpan.open + c.codeSpan.ticks, c.codeSpan.close),
      });
      cuts.push({ at: c.codeSpan.open, ticks: c.codeSpan.ticks, span, edge: 'open' });
      cuts.push({ at: c.codeSpan.close, ticks: c.codeSpan.ticks, span, edge: 'close' });
    }
    spanOf[i] = span;
  });
  if (cuts.length === 0) return { parts: [...parts], codeSpans, spanOf, contexts: [...contexts] };
  cuts.sort((a, b) => a.at - b.at);

  const placed = placedParts(parts, sentinels);
  const hosts = hostsOf(placed, cuts);
  const failed = new Set<number>();
  cuts.forEach((cut, c) => {
    if (hosts[c] === undefined) failed.add(cut.span);
  });
  const finalContexts = contexts.map((c, i) => {
    const span = spanOf[i];
    if (span !== undefined && failed.has(span)) {
      spanOf[i] = undefined;
      const { codeSpan: _dropped, ...rest } = c;
      return rest;
    }
    return c;
  });
  return { parts: splitAtCuts(placed, cuts, hosts, failed), codeSpans, spanOf, contexts: finalContexts };
}

/** Each part with its skeleton offset (a placeholder stands as its sentinel, a marker as nothing). */
function placedParts(parts: readonly TemplatePart[], sentinels: readonly string[]): Placed[] {
  const placed: Placed[] = [];
  let offset = 0;
  for (const part of parts) {
    placed.push({ part, start: offset });
    offset +=
      part.kind === 'text'
        ? part.text.length
        : part.kind === 'placeholder'
          ? (sentinels[part.index] ?? '').length
          : 0;
  }
  return placed;
}

/**
 * For each cut (in skeleton order), the index in `placed` of the text part that holds its whole run, or
 * undefined. Parts do not overlap, so the holder can only be the last part starting at or before the
 * cut, or an empty part starting at the same offset: a cursor that only moves forward finds it.
 */
function hostsOf(placed: readonly Placed[], cuts: readonly Cut[]): (number | undefined)[] {
  const holds = (cut: Cut, p: Placed | undefined): boolean =>
    p?.part.kind === 'text' && cut.at >= p.start && cut.at + cut.ticks <= p.start + p.part.text.length;
  const hosts: (number | undefined)[] = [];
  let last = 0;
  for (const cut of cuts) {
    while (last + 1 < placed.length && (placed[last + 1]?.start ?? Infinity) <= cut.at) last++;
    const start = placed[last]?.start;
    let host: number | undefined;
    for (let k = last; k >= 0 && placed[k]?.start === start; k--) if (holds(cut, placed[k])) host = k;
    hosts.push(host);
  }
  return hosts;
}

/** The parts with each held cut of a span that did not fail written as a `ticks` part. */
function splitAtCuts(
  placed: readonly Placed[],
  cuts: readonly Cut[],
  hosts: readonly (number | undefined)[],
  failed: ReadonlySet<number>,
): TemplatePart[] {
  const cutsOf = new Map<number, Cut[]>();
  cuts.forEach((cut, c) => {
    const host = hosts[c];
    if (host === undefined || failed.has(cut.span)) return;
    const list = cutsOf.get(host);
    if (list) list.push(cut);
    else cutsOf.set(host, [cut]);
  });
  const out: TemplatePart[] = [];
  placed.forEach(({ part, start }, k) => {
    if (part.kind !== 'text') {
      out.push(part);
      return;
    }
    let from = 0;
    for (const cut of cutsOf.get(k) ?? []) {
      const local = cut.at - start;
      if (local > from) out.push({ kind: 'text', text: part.text.slice(from, local) });
      out.push({ kind: 'ticks', span: cut.span, edge: cut.edge });
      from = local + cut.ticks;
    }
    if (from < part.text.length) out.push({ kind: 'text', text: part.text.slice(from) });
  });
  return out;
}
