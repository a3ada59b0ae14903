/**
 * Splits an article body into template text, placeholders and section markers.
 *
 * Placeholders: `<!--$Name-->default<!--/$Name-->`. Names are trimmed and matched case-insensitively
 * (`<!--$ Name -->`, `<!--/$name-->` close `Name`); they may hold spaces and dots. The default may span
 * lines. A close tag with no open placeholder is a warning (the marker is dropped). An open placeholder
 * that never closes, a close tag naming another placeholder, or a placeholder inside another's default
 * (nesting: the corpus has none) is an ArticleError naming the line.
 *
 * Sections: `<!--word-->…<!--/word-->` (issueDescription, recommendedActions, rcaDescription, …), paired
 * per name; repairs for what the corpus shows: a second open with no close acts as the close, a first
 * close with no open acts as the open; anything else unpaired is a warning.
 */
import { ArticleError } from '../errors';
import { LineIndex } from './lines';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'placeholder'; readonly index: number }
  /** A marker dropped from the output; `section` marks where a section's content starts or ends. */
  | { readonly kind: 'marker'; readonly section?: { readonly index: number; readonly edge: 'start' | 'end' } }
  /** The backtick run opening or closing a code span that holds a placeholder (may be widened). */
  | { readonly kind: 'ticks'; readonly span: number; readonly edge: 'open' | 'close' };

export interface RawOccurrence {
  readonly name: string;
  readonly key: string;
  readonly defaultText: string;
  readonly line: number;
}

export interface RawSection {
  readonly name: string;
  readonly line: number;
  readonly endLine: number;
  /** Part indices of the opening and closing markers. */
  readonly startPart: number;
  readonly endPart: number;
}

export interface MarkerScan {
  readonly parts: TemplatePart[];
  readonly occurrences: RawOccurrence[];
  readonly sections: RawSection[];
  readonly warnings: string[];
}

/** A placeholder marker (`$` name up to `-->`) or a section marker (one identifier, no `-` or `.`). */
const MARKER = /<!--[ \t]*(\/?)[ \t]*(?:\$([^\n]*?)|([A-Za-z][A-Za-z0-9_]*)[ \t]*)-->/g;

export const placeholderKey = (name: string): string => name.trim().toLowerCase();

interface SectionMarker {
  readonly name: string;
  readonly key: string;
  readonly close: boolean;
  readonly line: number;
  readonly part: number;
}

export function scanMarkers(body: string): MarkerScan {
  const lines = new LineIndex(body);
  const parts: TemplatePart[] = [];
  const occurrences: RawOccurrence[] = [];
  const warnings: string[] = [];
  const sectionMarkers: SectionMarker[] = [];
  let open: { name: string; key: string; line: number; end: number } | undefined;
  let textFrom = 0;

  const pushText = (to: number): void => {
    if (to <= textFrom) return;
    const text = body.slice(textFrom, to);
    const stray = /<!--[ \t]*\/?[ \t]*\$/.exec(text);
    if (stray !== null) {
      throw new ArticleError(
        'malformed placeholder marker (a marker is "<!--$Name-->" or "<!--/$Name-->", on one line)',
        lines.lineAt(textFrom + stray.index),
      );
    }
    parts.push({ kind: 'text', text });
  };

  for (const m of body.matchAll(MARKER)) {
    const start = m.index;
    const end = start + m[0].length;
    const close = m[1] === '/';
    const line = lines.lineAt(start);
    const rawName = m[2];
    if (rawName === undefined) {
      // A section marker: inside a placeholder's default it is default text.
      if (open !== undefined) continue;
      const name = m[3] ?? '';
      pushText(start);
      sectionMarkers.push({ name, key: name.toLowerCase(), close, line, part: parts.length });
      parts.push({ kind: 'marker' });
      textFrom = end;
      continue;
    }
    const name = rawName.trim();
    if (name === '') throw new ArticleError(`placeholder marker ${JSON.stringify(m[0])} has no name`, line);
    const key = placeholderKey(name);
    if (open === undefined) {
      pushText(start);
      textFrom = end;
      if (close) {
        warnings.push(`line ${line}: closing marker <!--/$${name}--> closes no placeholder; it was dropped.`);
        parts.push({ kind: 'marker' });
      } else {
        open = { name, key, line, end };
      }
      continue;
    }
    if (!close) {
      throw new ArticleError(
        `placeholder "${name}" opens inside the default text of "${open.name}" (opened at line ${open.line}); ` +
          `placeholders do not nest`,
        line,
      );
    }
    if (key !== open.key) {
      throw new ArticleError(
        `closing marker <!--/$${name}--> does not match the open placeholder "${open.name}" (line ${open.line})`,
        line,
      );
    }
    const defaultText = body.slice(open.end, start);
    const stray = /<!--[ \t]*\/?[ \t]*\$/.exec(defaultText);
    if (stray !== null) {
      throw new ArticleError(
        `malformed placeholder marker in the default text of "${open.name}"`,
        lines.lineAt(open.end + stray.index),
      );
    }
    occurrences.push({ name: open.name, key, defaultText, line: open.line });
    parts.push({ kind: 'placeholder', index: occurrences.length - 1 });
    open = undefined;
    textFrom = end;
  }
  if (open !== undefined) {
    throw new ArticleError(
      `placeholder "${open.name}" is never closed with <!--/$${open.name}-->`,
      open.line,
    );
  }
  pushText(body.length);

  const sections = pairSections(sectionMarkers, warnings);
  sections.forEach((section, index) => {
    parts[section.startPart] = { kind: 'marker', section: { index, edge: 'start' } };
    parts[section.endPart] = { kind: 'marker', section: { index, edge: 'end' } };
  });
  return { parts, occurrences, sections, warnings };
}

function pairSections(markers: readonly SectionMarker[], warnings: string[]): RawSection[] {
  const byKey = new Map<string, SectionMarker[]>();
  for (const marker of markers) {
    const list = byKey.get(marker.key);
    if (list === undefined) byKey.set(marker.key, [marker]);
    else list.push(marker);
  }
  const pairs: [SectionMarker, SectionMarker][] = [];
  for (const list of byKey.values()) {
    const stack: SectionMarker[] = [];
    const orphans: SectionMarker[] = [];
    const found: [SectionMarker, SectionMarker][] = [];
    for (const marker of list) {
      if (!marker.close) stack.push(marker);
      else {
        const opener = stack.pop();
        if (opener === undefined) orphans.push(marker);
        else found.push([opener, marker]);
      }
    }
    const [a, b] =
      stack.length === 2 && orphans.length === 0
        ? stack
        : orphans.length === 2 && stack.length === 0
          ? orphans
          : [];
    if (found.length === 0 && a !== undefined && b !== undefined) {
      const what = a.close
        ? `<!--/${a.name}--> with no opening marker`
        : `<!--${a.name}--> with no closing marker`;
      warnings.push(
        `line ${a.line}: section ${what}; the same marker at line ${b.line} is read as its other end.`,
      );
      found.push([a, b]);
    } else {
      for (const m of stack)
        warnings.push(`line ${m.line}: section <!--${m.name}--> is never closed; it was ignored.`);
      for (const m of orphans)
        warnings.push(`line ${m.line}: section marker <!--/${m.name}--> closes nothing; it was ignored.`);
    }
    pairs.push(...found);
  }
  pairs.sort((x, y) => x[0].part - y[0].part);
  return pairs.map(([o, c]) => ({
    name: o.name,
    line: o.line,
    endLine: c.line,
    startPart: o.part,
    endPart: c.part,
  }));
}
