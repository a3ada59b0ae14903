/**
 * A bounded memo for the engine's pure questions to markdown-it (how a line starts a block, what a
 * template's text leaves open): a run asks the same few questions for every insight, thousands of
 * times, and each answer costs a parse (issue 14: about 150 small parses per insight, almost all
 * repeats). Past `size` entries the least recently used is dropped; a key longer than `maxKeyChars` is
 * answered but not kept, so a long value never holds memory.
 */
export function boundedMemo<V>(
  compute: (key: string) => V,
  size = 2048,
  maxKeyChars = 4096,
): (key: string) => V {
  const kept = boundedCache<V>(size, maxKeyChars);
  return (key) => {
    const found = kept.get(key);
    if (found !== undefined) return found.value;
    const value = compute(key);
    kept.set(key, value);
    return value;
  };
}

/** Answers kept by key, at most `size`, the least recently used dropped first (boundedCache). */
export interface BoundedCache<V> {
  /** The answer kept for `key` (now the most recently used), or undefined. */
  get(key: string): { readonly value: V } | undefined;
  /** Keeps `value` for `key`, unless the key is longer than the cache's maxKeyChars. */
  set(key: string, value: V): void;
}

/**
 * The store behind boundedMemo, for answers whose question is more than their key (escapeInlineForms:
 * a value and its surroundings). Same bounds: `size` entries, keys up to `maxKeyChars`.
 */
export function boundedCache<V>(size: number, maxKeyChars: number): BoundedCache<V> {
  const kept = new Map<string, V>();
  return {
    get(key) {
      if (!kept.has(key)) return undefined;
      const value = kept.get(key) as V;
      kept.delete(key); // the most recently used is dropped last
      kept.set(key, value);
      return { value };
    },
    set(key, value) {
      if (key.length > maxKeyChars) return;
      if (kept.size >= size) {
        const oldest = kept.keys().next();
        if (oldest.done !== true) kept.delete(oldest.value);
      }
      kept.set(key, value);
    },
  };
}
