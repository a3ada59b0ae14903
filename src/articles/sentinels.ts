/**
 * Sentinels: the inert words that stand for the placeholders in the skeleton markdown-it parses to find
 * where each one lands (context.ts). Lower-case letters and digits only (inert in every markdown and
 * HTML position, unchanged by link normalisation): `<start><index><end>`, one prefix and one suffix
 * shared by all, so one regex pass finds them all.
 */
import { UNKNOWN } from './inline-escape';
import type { SentinelHit } from './inline-scan';

/**
 * The sentinels for `count` placeholders and the skeleton `build` makes with them. Checks that the
 * skeleton holds exactly the sentinels it placed (the article's own text could spell one), lengthening
 * the affixes otherwise.
 */
export function makeSentinels(
  count: number,
  build: (sentinels: readonly string[]) => string,
): { skeleton: string; sentinels: string[] } {
  for (let extra = 0; ; extra++) {
    const start = `qzph${'q'.repeat(extra)}`;
    const end = `hpzq${'q'.repeat(extra)}`;
    const sentinels = Array.from({ length: count }, (_, i) => `${start}${i}${end}`);
    const skeleton = build(sentinels);
    const seen = [...skeleton.matchAll(new RegExp(`${start}(\\d+)${end}`, 'g'))].map((m) => m[0]);
    const lower = skeleton.toLowerCase();
    const affixes = lower.split(start).length - 1 + lower.split(end).length - 1;
    if (seen.length === count && seen.every((s, i) => s === sentinels[i]) && affixes === 2 * count) {
      return { skeleton, sentinels };
    }
  }
}

/**
 * Finds sentinels in a text in one regex pass: they share one prefix and one suffix around their
 * index (see makeSentinels), so a text's hits are found in time linear in the text, whatever the number
 * of placeholders.
 */
export function sentinelFinder(sentinels: readonly string[]): (text: string) => SentinelHit[] {
  const parts = /^([a-z]+?)0([a-z]+)$/.exec(sentinels[0] ?? '');
  if (parts === null) return () => [];
  const [, start = '', end = ''] = parts;
  const pattern = new RegExp(`${start}(\\d+)${end}`, 'g');
  return (text) => {
    if (!text.includes(start)) return [];
    const out: SentinelHit[] = [];
    for (const m of text.matchAll(pattern)) {
      const index = Number(m[1]);
      if (sentinels[index] === m[0]) out.push({ index, at: m.index ?? 0, length: m[0].length });
    }
    return out;
  };
}

/** `text` with every sentinel replaced by UNKNOWN (other placeholders' values could be anything). */
export function blindSentinels(text: string, sentinelsIn: (text: string) => SentinelHit[]): string {
  const found = sentinelsIn(text);
  if (found.length === 0) return text;
  let out = '';
  let from = 0;
  for (const hit of found) {
    out += text.slice(from, hit.at) + UNKNOWN;
    from = hit.at + hit.length;
  }
  return out + text.slice(from);
}

/**
 * `text` with the sentinel of each placeholder `pick` gives a string for replaced by that string (the
 * others kept), in one pass: replacing placeholder after placeholder re-read the text for each, which
 * was quadratic for a URL or code span holding many.
 */
export function replaceSentinels(
  text: string,
  sentinelsIn: (text: string) => SentinelHit[],
  pick: (index: number) => string | undefined,
): string {
  let out = '';
  let from = 0;
  for (const hit of sentinelsIn(text)) {
    const value = pick(hit.index);
    if (value === undefined) continue;
    out += text.slice(from, hit.at) + value;
    from = hit.at + hit.length;
  }
  return out + text.slice(from);
}
