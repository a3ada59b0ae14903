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
  const kept = new Map<string, V>();
  return (key) => {
    if (kept.has(key)) {
      const value = kept.get(key) as V;
      kept.delete(key); // the most recently used is dropped last
      kept.set(key, value);
      return value;
    }
    const value = compute(key);
    if (key.length <= maxKeyChars) {
      if (kept.size >= size) {
        const oldest = kept.keys().next();
        if (oldest.done !== true) kept.delete(oldest.value);
      }
      kept.set(key, value);
    }
    return value;
  };
}
