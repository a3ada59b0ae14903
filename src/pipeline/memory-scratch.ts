import type { Scratch, ScratchPlace } from '../ports';

/**
 * A Scratch that keeps its texts in memory (place: the text's index): the default of a run given no
 * temporary files (tests, the Functions app, whose invocations handle one gateway each), so a run
 * takes the same steps either way. Bounds nothing: the CLI's run uses src/adapters/files/temp-scratch.ts.
 */
export function memoryScratch(): Scratch {
  return {
    async file() {
      const texts: string[] = [];
      const readSync = (place: ScratchPlace): string => {
        const text = texts[place.offset];
        if (text === undefined) throw new RangeError(`no text at ${place.offset}`);
        return text;
      };
      return {
        async append(text: string): Promise<ScratchPlace> {
          texts.push(text);
          return { offset: texts.length - 1, length: text.length };
        },
        async read(place: ScratchPlace): Promise<string> {
          return readSync(place);
        },
        readSync,
      };
    },
    async dispose() {},
  };
}
