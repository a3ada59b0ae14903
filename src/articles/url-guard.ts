/**
 * The URLs that values help build, checked once filled: a script or data scheme (escape.ts
 * isDangerousUrl) makes the URL `#`; an empty markdown destination is written `<>`.
 */
import { isDangerousUrl } from './escape';
import type { ParsedArticle } from './parse';
import { replaceSentinels, sentinelFinder } from './sentinels';

/** Rewrites `filled` (the occurrences' outputs) where a URL they build must change; warns for each. */
export function guardUrls(article: ParsedArticle, filled: string[], warnings: string[]): void {
  const { template, occurrences } = article;
  const bySlot = placeholdersBySlot(article);
  const sentinelsIn = sentinelFinder(template.sentinels);
  template.urls.forEach((slot, slotIndex) => {
    const written = new Set(sentinelsIn(slot.skeleton).map((hit) => hit.index));
    const inSlot = (bySlot.get(slotIndex) ?? []).filter((i) => written.has(i));
    const members = new Set(inSlot);
    const assemble = (pick: (i: number) => string): string =>
      replaceSentinels(slot.skeleton, sentinelsIn, (i) => (members.has(i) ? pick(i) : undefined));
    const url = assemble((i) => filled[i] ?? '');
    const first = inSlot[0];
    if (url.trim() === '' && slot.kind === 'markdown' && first !== undefined) {
      // An empty destination must be written `<>` (unless the template already brackets it).
      if (template.contexts[first]?.before !== '<') filled[first] = '<>';
      return;
    }
    // A scheme the template itself spells (whatever the values) is the author's, not a value's.
    if (!isDangerousUrl(url) || isDangerousUrl(assemble(() => 'x'))) return;
    const names = inSlot.map((i) => `"${occurrences[i]?.name ?? ''}"`).join(', ');
    const line = occurrences[inSlot[0] ?? 0]?.line ?? 0;
    warnings.push(
      `line ${line}: the URL built from ${names} has a script or data scheme; it was replaced by "#".`,
    );
    inSlot.forEach((i, k) => {
      filled[i] = k === 0 ? '#' : '';
    });
  });
}

/** Each URL slot's placeholders, from their contexts (asking every slot about every sentinel is quadratic). */
function placeholdersBySlot(article: ParsedArticle): Map<number, number[]> {
  const bySlot = new Map<number, number[]>();
  article.template.contexts.forEach((ctx, i) => {
    if (ctx.url === undefined) return;
    const list = bySlot.get(ctx.url);
    if (list) list.push(i);
    else bySlot.set(ctx.url, [i]);
  });
  return bySlot;
}
