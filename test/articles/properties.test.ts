import fc from 'fast-check';
import { decodeArticleSource, parseArticle, renderArticle } from '../../src/articles';
import { ArticleError } from '../../src/errors';
import { fixture, mojibake, SEED, structure, tagsOf, withoutComments } from './helpers';

/** Pieces of hostile values: markup, link syntax, table pipes, backticks, line breaks, markers. */
const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '](javascript:alert(1))',
  'javascript:alert(1)',
  'JAVASCRIPT:',
  'data:text/html,',
  'vbscript:',
  '&#106;',
  '&colon;',
  '&amp;',
  '&',
  '|',
  '\\|',
  '`',
  '``',
  '```',
  '~~~',
  '\n',
  '\n\n',
  '\r\n',
  '\r',
  '\u2028',
  '<!--$X-->',
  '<!--/$X-->',
  '<!--$ GatewayName -->',
  '<!--',
  '-->',
  '*',
  '**',
  '_',
  '[',
  ']',
  '(',
  ')',
  '![',
  '#',
  '# ',
  '> ',
  '- ',
  '+ ',
  '1. ',
  '2) ',
  '===',
  '---',
  '\\',
  '"',
  "'",
  '<',
  '>',
  '=',
  '%',
  '%0a',
  '%3Cscript',
  '    ',
  '\t',
  ' ',
  '\u00a0',
  '\u200b',
  '\u0000',
  '\u001b',
  'x',
  'é',
  '日本',
  '\u{1f600}',
  '<b>',
  '</dt>',
  '</a>',
  '<a href="',
  '" onclick="',
  "' onclick='",
  '{',
  '}',
  '$',
  '^',
  '@',
  ':',
  '/',
  '?',
  '.',
];

const hostileValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom(...HOSTILE), { maxLength: 12 }).map((parts) => parts.join('')),
  fc
    .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 4 })), { maxLength: 12 })
    .map((p) => p.join('')),
  fc.constantFrom('', ' ', '\n', 'x'.repeat(20000), `${'`'.repeat(50)}x`, `${'*'.repeat(5000)}`),
);

/** A real tag (not escaped text) whose href or src starts with a script or data scheme. */
const DANGEROUS_HREF = /<[a-z][^<>]*\s(?:href|src)\s*=\s*["']?\s*(?:javascript|vbscript|data|file):/gi;

function checkInvariants(
  source: string | Uint8Array,
  names: readonly string[],
  values: readonly string[],
): void {
  const bland = renderArticle(source, Object.fromEntries(names.map((n) => [n, 'x'])));
  const filled = renderArticle(
    source,
    Object.fromEntries(names.map((n, i) => [n, values[i % values.length] ?? ''])),
  );
  expect(structure(filled.markdown)).toEqual(structure(bland.markdown));
  expect(tagsOf(filled.html)).toEqual(tagsOf(bland.html));
  const count = (html: string, re: RegExp): number => withoutComments(html).match(re)?.length ?? 0;
  expect(count(filled.html, /<script/gi)).toBe(count(bland.html, /<script/gi));
  expect(count(filled.html, DANGEROUS_HREF)).toBe(count(bland.html, DANGEROUS_HREF));
  for (const out of [filled.markdown, filled.html]) expect(out).not.toMatch(/<!--\s*\/?\s*\$/);
}

describe('arbitrary values never change the structure nor reach the HTML unescaped', () => {
  test.each([
    ['the seed article', SEED],
    ['every position (positions.md)', fixture('positions.md')],
    ['name variants', fixture('name-variants.md')],
    ['sections', fixture('sections-rca.md')],
    [
      'edges next to emphasis, code and links',
      'a**<!--$A-->a<!--/$A-->**b _<!--$B-->b<!--/$B-->_ ~~<!--$C-->c<!--/$C-->~~ C:\\<!--$A-->a<!--/$A--> &<!--$B-->b<!--/$B-->\n' +
        '<!--$C-->c<!--/$C-->\n===\n\n`` <!--$A-->a<!--/$A--> `` [<!--$B-->b<!--/$B-->](<!--$C-->c<!--/$C-->)\n\n' +
        '| <!--$A-->a<!--/$A--> | `<!--$B-->b<!--/$B-->` |\n|---|---|\n| [x](<<!--$C-->c<!--/$C-->>) | <img alt="<!--$A-->a<!--/$A-->"> |\n\n' +
        '    <!--$B-->b<!--/$B-->\n\n<!--$C-->c<!--/$C--><!--$A-->a<!--/$A-->\n\n<https://h.example/<!--$B-->b<!--/$B-->>\n',
    ],
  ])('%s', (_label, source) => {
    const names = parseArticle(source).placeholders;
    // A counterexample CI met (seed -673056858): a value ending in `<!--` whose next occurrence, after
    // a blank line in an indented code block, begins with `$`: a marker across two values.
    checkInvariants(source, names, ['$<!--']);
    checkInvariants(source, names, ['x<!-- ', '/$y']);
    fc.assert(
      fc.property(fc.array(hostileValue, { minLength: 1, maxLength: names.length }), (values) => {
        checkInvariants(source, names, values);
      }),
      { numRuns: 150 },
    );
  });
});

/** Pieces of templates: markers (well- and ill-formed), markdown and HTML constructs. */
const TEMPLATE_PIECES = [
  'text ',
  'word',
  '\n',
  '\n\n',
  '    ',
  '<!--$A-->',
  '<!--/$A-->',
  '<!--$B-->',
  '<!--/$b-->',
  '<!--$ C -->',
  '<!--/$C-->',
  '<!--$-->',
  '<!--issueDescription-->',
  '<!--/issueDescription-->',
  '<!--note-->',
  '<!--',
  '-->',
  '`',
  '``',
  '```\n',
  '~~~\n',
  '| a | b |\n|---|---|\n| ',
  ' | ',
  '[l](',
  '[l]: ',
  ')',
  '](',
  '<a href="',
  '" title=\'',
  "'>",
  '">x</a>',
  '<img src=',
  '>',
  '<',
  '<div>\n',
  '\n</div>\n',
  '<dl><dt>',
  '</dt></dl>',
  '<script>',
  '</script>',
  '<span style="',
  '<b onclick="',
  '# ',
  '- ',
  '1. ',
  '> ',
  '**',
  '_',
  '~~',
  '\\',
  '&',
  '"',
  "'",
  '<properties a="1"',
  ' />\n',
  '/>',
  '=',
  '<https://h/',
  ':',
];

// That property's counterexample (CI, seed unknown): the template's own `<!--` right before a value
// starting with `$` made `<!--$` in the output.
test.each(['$', '/$', ' $x', '$<!--'])(
  'a value %j right after the template’s own "<!--": no marker in the output',
  (value) => {
    checkInvariants('<!--<!--$A--><!--/$A-->', ['A'], [value]);
    checkInvariants('a <!-- / <!--$A-->d<!--/$A--> b\n\n`<!--<!--$A-->d<!--/$A-->`', ['A'], [value]);
  },
);

test('arbitrary templates: an ArticleError or a document with no marker left and values kept in place', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...TEMPLATE_PIECES), { maxLength: 30 }).map((p) => p.join('')),
      fc.array(hostileValue, { minLength: 1, maxLength: 3 }),
      (template, values) => {
        let names: readonly string[];
        try {
          names = parseArticle(template).placeholders;
        } catch (error) {
          expect(error).toBeInstanceOf(ArticleError);
          expect((error as ArticleError).line).toBeGreaterThanOrEqual(1);
          return;
        }
        checkInvariants(template, names, values);
      },
    ),
    { numRuns: 1500 },
  );
});

describe('decoding', () => {
  /** Text with no character that maps to a Windows-1252 byte 0x80-0xBF: real text never looks like mojibake. */
  const realText = fc.string({
    unit: fc
      .oneof(
        fc.integer({ min: 0x20, max: 0x7e }),
        fc.integer({ min: 0xc0, max: 0xff }),
        fc.integer({ min: 0x3040, max: 0x30ff }),
        fc.integer({ min: 0x4e00, max: 0x4fff }),
        fc.integer({ min: 0x1f300, max: 0x1f64f }),
      )
      .map((c) => String.fromCodePoint(c)),
  });

  test('real text is never "repaired"', () => {
    fc.assert(
      fc.property(realText, (text) => {
        const result = decodeArticleSource(text);
        expect(result.text).toBe(text);
        expect(result.warnings).toEqual([]);
      }),
    );
  });

  test('text double-encoded once comes back whole (text beyond Latin-1)', () => {
    const beyondLatin1 = fc.string({
      unit: fc
        .oneof(
          fc.integer({ min: 0x20, max: 0x7e }),
          fc.integer({ min: 0x100, max: 0x1fff }),
          fc.integer({ min: 0x4e00, max: 0x4fff }),
          fc.integer({ min: 0x1f300, max: 0x1f64f }),
        )
        .map((c) => String.fromCodePoint(c)),
    });
    fc.assert(
      fc.property(beyondLatin1, (text) => {
        // Characters that Windows-1252 itself holds (e.g. "€", "’") are not in this range's mojibake alphabet issue.
        expect(decodeArticleSource(mojibake(text)).text).toBe(text);
      }),
    );
  });

  test('any bytes decode without throwing, with LF-only line ends', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const { text } = decodeArticleSource(bytes);
        expect(text).not.toMatch(/\r/);
      }),
    );
  });
});
