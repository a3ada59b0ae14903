import { renderArticle } from '../../src/articles';
import { markdownIt } from '../../src/articles/markdown';

/**
 * Render stays near-linear in placeholders (issue 11: 40 000 once took 16.8 s, 200 000 took 348 s;
 * `npm run bench:render` prints the times). Times are not asserted here: the work is. Whatever the
 * layout, four times the placeholders must cost about four times the markdown-it parsing (characters
 * parsed), not sixteen.
 */
function article(n: number, layout: 'lines' | 'paragraphs' | 'dense' | 'links'): string {
  const lines = ['<properties pageTitle="T" articleId="T" service="s" />', '# T', ''];
  const ph = (i: number) => `<!--$P${i % 20}-->d<!--/$P${i % 20}-->`;
  for (let i = 0; i < n; i++) {
    if (layout === 'lines') lines.push(`Server ${i}: ${ph(i)} (prod) text`);
    if (layout === 'paragraphs') lines.push(`Line ${i}: ${ph(i)} x.`, '');
    if (layout === 'links') lines.push(`- [s ${i}](https://example.invalid/${ph(i)}) \`${ph(i + 1)}\``);
    if (layout === 'dense' && i % 10 === 0)
      lines.push(Array.from({ length: 10 }, (_, k) => `${ph(i + k)} and`).join(' '));
  }
  return lines.join('\n');
}

const values = Object.fromEntries(
  Array.from({ length: 20 }, (_, i) => [`P${i}`, i % 4 === 0 ? `gw_${i} (prod) *x* <b>` : `10.0.${i}.4`]),
);

/** Counts the characters handed to markdown-it's parse and parseInline while active. */
function countCalls(): { total: number; stop(): void } {
  const state = { total: 0, stop: () => undefined as void };
  const original = {
    parse: markdownIt.parse.bind(markdownIt),
    parseInline: markdownIt.parseInline.bind(markdownIt),
  };
  type Env = Parameters<typeof markdownIt.parse>[1];
  markdownIt.parse = (src: string, env: Env) => {
    state.total += src.length;
    return original.parse(src, env);
  };
  markdownIt.parseInline = (src: string, env: Env) => {
    state.total += src.length;
    return original.parseInline(src, env);
  };
  state.stop = () => {
    markdownIt.parse = original.parse;
    markdownIt.parseInline = original.parseInline;
  };
  return state;
}

describe('render is near-linear in placeholders', () => {
  it.each(['lines', 'paragraphs', 'dense', 'links'] as const)(
    '%s: 4× the placeholders, at most 5× the parsing',
    (layout) => {
      const small = countAll(article(400, layout));
      const large = countAll(article(1600, layout));
      expect(large / small).toBeLessThan(5);
    },
  );
});

function countAll(source: string): number {
  const counting = countCalls();
  try {
    renderArticle(source, values, {});
  } finally {
    counting.stop();
  }
  return counting.total;
}
