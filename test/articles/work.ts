import { markdownIt } from '../../src/articles/markdown';

/**
 * The work a call does, counted deterministically (never timed): the characters handed to markdown-it,
 * plus what every search primitive the call makes scans (the engine's own code and markdown-it's):
 * - a regular expression's exec (which test, match, matchAll, replace and split with a pattern go
 *   through while exec is replaced): from where it starts to the end of its match, or to the end (a
 *   sticky pattern, or one anchored with `^`, is tried at one place only: what it matched, or one);
 * - String indexOf / includes: from where they start to the match (or the end); lastIndexOf likewise
 *   backwards; split and replace with a string, and toLowerCase: the whole string;
 * - Array indexOf, includes, find, findIndex, some, every, join: the array's length; slice: its result's.
 * A loop over the characters of a string by index is not counted: the test layouts are chosen so that
 * each super-linear cost found in the engine shows in these (issue s14: an article with 20 000 links
 * took 37 s, 40 000 took 345 s). Builtins are restored when the call returns or throws.
 */
export function workOf(call: () => unknown): number {
  let total = 0;
  const restore: (() => void)[] = [];
  const wrap = <T extends object>(
    target: T,
    name: string,
    weigh: (self: never, args: never[], result: never) => number,
  ): void => {
    const holder = target as Record<string, unknown>;
    const original = holder[name] as (...args: unknown[]) => unknown;
    holder[name] = function (this: unknown, ...args: unknown[]): unknown {
      const result = original.apply(this, args);
      total += weigh(this as never, args as never[], result as never);
      return result;
    };
    restore.push(() => {
      holder[name] = original;
    });
  };
  const from = (at: unknown): number => Math.max(0, Math.trunc(Number(at ?? 0)) || 0);
  const isPattern = (x: unknown): boolean => x instanceof RegExp;
  const indexOf = String.prototype.indexOf;

  const exec = RegExp.prototype.exec;
  RegExp.prototype.exec = function (this: RegExp, input: string): RegExpExecArray | null {
    const text = String(input);
    const start = this.global || this.sticky ? Math.min(this.lastIndex, text.length) : 0;
    const match = exec.call(this, text);
    // A sticky pattern, or one anchored at the start (`^`, one line), is tried at one place only.
    const anchored = this.sticky || (this.source.startsWith('^') && !this.multiline && !this.global);
    const end = match !== null ? match.index + match[0].length : text.length;
    total += anchored ? Math.max(1, match?.[0].length ?? 1) : Math.max(1, end - start);
    return match;
  };
  restore.push(() => {
    RegExp.prototype.exec = exec;
  });
  wrap(
    String.prototype,
    'indexOf',
    (s: string, [needle, at]: string[], found: number) =>
      (found >= 0 ? found + String(needle).length : s.length) - from(at),
  );
  wrap(String.prototype, 'includes', (s: string, [needle, at]: string[]) => {
    const found = indexOf.call(s, needle ?? '', from(at));
    return (found >= 0 ? found + String(needle).length : s.length) - from(at);
  });
  wrap(String.prototype, 'lastIndexOf', (s: string, [, at]: string[], found: number) => {
    const top = at === undefined ? s.length : Math.min(s.length, from(at) + 1);
    return top - Math.max(0, found);
  });
  wrap(String.prototype, 'split', (s: string, [separator]: unknown[]) =>
    isPattern(separator) ? 0 : s.length,
  );
  wrap(String.prototype, 'replace', (s: string, [pattern]: unknown[]) => (isPattern(pattern) ? 0 : s.length));
  wrap(String.prototype, 'replaceAll', (s: string, [pattern]: unknown[]) =>
    isPattern(pattern) ? 0 : s.length,
  );
  wrap(String.prototype, 'toLowerCase', (s: string) => s.length);
  for (const name of ['indexOf', 'includes', 'find', 'findIndex', 'some', 'every', 'join']) {
    wrap(Array.prototype, name, (a: unknown[]) => a.length);
  }
  wrap(Array.prototype, 'slice', (_a: unknown[], _args: unknown[], result: unknown[]) => result.length);
  const original = { parse: markdownIt.parse, parseInline: markdownIt.parseInline };
  markdownIt.parse = (src, env) => {
    total += src.length;
    return original.parse.call(markdownIt, src, env);
  };
  markdownIt.parseInline = (src, env) => {
    total += src.length;
    return original.parseInline.call(markdownIt, src, env);
  };
  restore.push(() => {
    markdownIt.parse = original.parse;
    markdownIt.parseInline = original.parseInline;
  });
  try {
    call();
  } finally {
    for (const undo of restore.reverse()) undo();
  }
  return total;
}
