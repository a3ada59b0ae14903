/**
 * FNV-1a (32-bit) as 8 hex digits, and a 64-bit variant from two seeds: stable across runs and
 * platforms, no crypto needed (the pure core may not import node:crypto). For keys, not for security.
 */
export function fnv1a32(text: string, seed = 0x811c9dc5): string {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export function hash64(text: string): string {
  return fnv1a32(text) + fnv1a32(text, 0x050c5d1f);
}
