/**
 * The skeleton as text: the article body with each placeholder replaced by its sentinel (sentinels.ts),
 * section markers dropped. Looks up lines by offset and sentinels by text, each in time linear in the
 * text looked at (never in the number of placeholders).
 */
import type { SentinelHit } from './inline-scan';
import { LineIndex } from './lines';
import { blindSentinels, sentinelFinder } from './sentinels';

export interface Skeleton {
  readonly text: string;
  readonly sentinels: readonly string[];
  /** The skeleton's lines (split at LF). */
  readonly lines: readonly string[];
  readonly lineIndex: LineIndex;
  /** Offset of each placeholder's sentinel in the skeleton (-1 when absent). */
  readonly offsets: readonly number[];
  /** Every sentinel `text` holds, in order, with its offset in `text`. */
  readonly sentinelsIn: (text: string) => SentinelHit[];
}

export function readSkeleton(text: string, sentinels: readonly string[]): Skeleton {
  const sentinelsIn = sentinelFinder(sentinels);
  // One pass finds every sentinel (looking each one up would be quadratic in placeholders).
  const offsets: number[] = sentinels.map(() => -1);
  for (const { index, at } of sentinelsIn(text)) if ((offsets[index] ?? -1) < 0) offsets[index] = at;
  return { text, sentinels, lines: text.split('\n'), lineIndex: new LineIndex(text), offsets, sentinelsIn };
}

/** The placeholders whose sentinel `text` holds, in index order (linear in the text). */
export const placeholdersIn = (skeleton: Skeleton, text: string): number[] =>
  [...new Set(skeleton.sentinelsIn(text).map((hit) => hit.index))].sort((a, b) => a - b);

/** `text` with other placeholders' sentinels as UNKNOWN (their values could be anything). */
export const blind = (skeleton: Skeleton, text: string): string => blindSentinels(text, skeleton.sentinelsIn);
