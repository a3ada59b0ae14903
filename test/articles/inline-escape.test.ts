import fc from 'fast-check';
import { renderArticle } from '../../src/articles';
import { oneLine } from '../../src/articles/escape';
import { blockStart, delimiterFlags, escapeInlineText, STANDALONE } from '../../src/articles/inline-escape';
import { SEED, structure } from './helpers';

/** A template with the placeholder V where `V` stands. */
const place = (template: string): string => template.replace('V', '<!--$V-->v<!--/$V-->');
const FULL_FORM = /character references/;

/** The text a reader sees: tags dropped, markdown-it's five entities decoded, U+200B guards removed. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(
      /&(lt|gt|quot|amp|#39);/g,
      (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&', '#39': "'" })[e] ?? '',
    )
    .split('\u200b')
    .join('');
}

function fill(template: string, value: string): { markdown: string; html: string; warnings: string[] } {
  return renderArticle(place(template), { V: value });
}

/** The fragment of the filled markdown that the value became (the template is the bland `v` around it). */
function fragment(template: string, value: string): string {
  const [head = '', tail = ''] = template.split('V');
  const md = fill(template, value).markdown.replace(/\n$/, '');
  expect(md.startsWith(head)).toBe(true);
  expect(md.endsWith(tail.replace(/\n$/, ''))).toBe(true);
  return md.slice(head.length, md.length - tail.replace(/\n$/, '').length);
}

describe('minimal escaping: what cannot change the rendering stays as it is', () => {
  test.each([
    ["backend's HTTP response"],
    ["Received invalid status code: 401 in the backend server's HTTP response."],
    [
      'Cannot connect to backend server. Check whether any NSG/UDR/Firewall is blocking access to the server. To learn more visit - https://aka.ms/servernotreachable.',
    ],
    [
      'Status code of the backend’s HTTP response did not match the probe setting. Expected:200-399 Received:401.',
    ],
    ['"quoted" (parenthesised) 10.0.0.1:443 a-b +1 50% $5 x=y ~home #3 wow! a;b @host ^up {x}'],
    ['snake_case_name and my_var'],
    ['2 * 3 and 4 _ 5 and a ~ b'],
    ['AT&T and Q&A & more'],
    ['x < y, a > b, 10 <5'],
    ['C:\\Users\\app\\logs'],
    ['a # b - c + d 1. e 2) f > g = h | i'],
    ['trailing backslash C:\\'],
    ['appgw-prod-01'],
    ['2026-11-26 04:27:18'],
  ])('%j in running text', (value) => {
    expect(fragment('Error: V (end)', value)).toBe(value);
  });
});

describe('minimal escaping: what would change the rendering, per place', () => {
  test.each([
    // Inline syntax, anywhere.
    ['emphasis', 'Error: V end', '*bold* and _it_', '\\*bold\\* and \\_it\\_'],
    ['a strong run', 'Error: V end', '**x**', '\\*\\*x\\*\\*'],
    ['strikethrough', 'Error: V end', '~~gone~~', '\\~\\~gone\\~\\~'],
    ['a link', 'Error: V end', '[click](https://evil.example)', '\\[click](https://evil.example)'],
    ['an image', 'Error: V end', '![i](https://evil.example/x.png)', '!\\[i](https://evil.example/x.png)'],
    ['a code span', 'Error: V end', 'run `rm -rf` now', 'run \\`rm -rf\\` now'],
    ['a lone backtick stays', 'Error: V end', 'it`s', 'it`s'],
    ['raw HTML', 'Error: V end', '<b>x</b> <img src=x>', '&lt;b>x&lt;/b> &lt;img src=x>'],
    ['an autolink', 'Error: V end', '<https://evil.example>', '&lt;https://evil.example>'],
    ['an email autolink', 'Error: V end', '<ops@evil.example>', '&lt;ops@evil.example>'],
    ['entities', 'Error: V end', '&amp; &#35; &#x41;', '&amp;amp; &amp;#35; &amp;#x41;'],
    ['a backslash before punctuation', 'Error: V end', 'a\\*b', 'a\\\\\\*b'],
    ['a backslash before a backslash', 'Error: V end', '\\\\server\\share', '\\\\\\server\\share'],
    ['a placeholder marker', 'Error: V end', '<!--$X-->', '&lt;!--$X-->'],
    // Block syntax, where the value starts a line.
    ['a heading', 'V', '# x', '\\# x'],
    ['a bullet', 'V', '- x', '\\- x'],
    ['a plus bullet', 'V', '+ x', '\\+ x'],
    ['a star bullet', 'V', '* x', '\\* x'],
    ['an ordered item', 'V', '1. x', '1\\. x'],
    ['an ordered item with a parenthesis', 'V', '2) x', '2\\) x'],
    ['a blockquote', 'V', '> x', '\\> x'],
    ['a rule', 'V', '---', '\\---'],
    ['a star rule', 'V', '***', '\\*\\*\\*'],
    ['a setext underline', 'Intro\nV', '===', '\\==='],
    ['a fence', 'V', '```js', '\\`\\`\\`js'],
    ['a tilde fence', 'V', '~~~', '\\~\\~\\~'],
    ['an HTML block', 'V', '<div>', '&lt;div>'],
    ['a reference definition', 'V', '[x]: https://evil.example', '\\[x]: https://evil.example'],
    ['a delimiter row', 'a | b\nV', ':--', '\\:--'],
    ['a heading in a list item', '- V', '# x', '\\# x'],
    ['a bullet in a blockquote', '> V', '- x', '\\- x'],
    ['a line-start marker mid-line stays', 'Note: V', '# x - y 1. z > q', '# x - y 1. z > q'],
    ['an address is no list item', 'V', '10.220.1.5', '10.220.1.5'],
    // Places with their own syntax.
    ['a table cell: pipes', '| a |\n|---|\n| V |', 'x|y', 'x\\|y'],
    ['a table row start: a heading would end the table', 'a | b\n--|--\nV | 2', '# x', '\\# x'],
    ['a line above a delimiter row: a pipe would make a table', 'V\n---', 'a|b', 'a&#124;b'],
    ['elsewhere a pipe stays', 'Note: V', 'a|b', 'a|b'],
    ['an ATX heading: a trailing # would be dropped', '# Title V', 'issue #', 'issue \\#'],
    ['an ATX heading: # mid-line stays', '# Title V', '#1 of 3', '#1 of 3'],
    ['link text: a bracket would end it', '[go V](https://example.com)', 'a]b', 'a\\]b'],
    ['link text: a link inside', '[go V](https://example.com)', '[x', '\\[x'],
    [
      'after a link label: a parenthesis would make a link',
      '[x]V',
      '(https://evil.example)',
      '\\(https://evil.example)',
    ],
    ['before a link: a bang would make it an image', 'V[x](https://example.com)', 'wow!', 'wow\\!'],
    ['with references: brackets alone', 'V\n\n[known]: https://example.com', '[known]', '\\[known]'],
    ['after an open code span: backticks as references', 'a `b V', 'c` d', 'c&#96; d'],
    [
      'after an open tag: every punctuation character and space as a reference',
      'x <a title="V',
      'y">',
      'y&quot;&gt;',
    ],
    ['inside an open tag after a space', 'x <a V', 'b=c>', 'b&#61;c&gt;'],
    ['after a paragraph line, a line that could be a title of a definition', '[r]: /u\nV', '"t"', '\\"t"'],
  ])('%s', (_label, template, value, expected) => {
    const filled = fill(template, value);
    expect(fragment(template, value)).toBe(expected);
    expect(filled.warnings.filter((w) => FULL_FORM.test(w))).toEqual([]);
    expect(structure(filled.markdown)).toEqual(structure(fill(template, 'v').markdown));
  });

  test.each([
    [
      '"…"',
      '[x](https://a.example "V")',
      `it's "x" (y) \\ & &amp; \\*`,
      `it's \\"x\\" (y) \\ & &amp;amp; \\\\*`,
    ],
    ["'…'", "[x](https://a.example 'V')", `it's "x" (y)`, `it\\'s "x" (y)`],
    ['(…)', '[x](https://a.example (V))', `it's "x" (y)`, `it's "x" \\(y\\)`],
    ['a definition', '[x][r]\n\n[r]: https://a.example "V"', `say "hi"`, `say \\"hi\\"`],
  ])('a link title in %s escapes its own quote only', (_label, template, value, expected) => {
    expect(fragment(template, value)).toBe(expected);
    const title = /title="([^"]*)"/.exec(fill(template, value).html)?.[1] ?? '';
    expect(textOf(title)).toBe(value);
  });

  test('two values side by side guard each other', () => {
    const template = '<!--$A-->a<!--/$A--><!--$B-->b<!--/$B--> end';
    const pairs: [string, string][] = [
      ['*', '*x*'],
      ['[x', '](y)'],
      ['&amp', ';'],
      ['<', 'b>'],
      ['`', 'x`'],
      ['1', '. item'],
    ];
    for (const [a, b] of pairs) {
      const result = renderArticle(template, { A: a, B: b });
      expect(textOf(result.html).trim()).toBe(`${a}${b} end`);
      expect(structure(result.markdown)).toEqual(
        structure(renderArticle(template, { A: 'a', B: 'b' }).markdown),
      );
    }
  });
});

describe('what markdown-it parses decides, as configured (markdown.ts)', () => {
  test('no linkify, no typographer: URLs and quotes stay as they are', () => {
    expect(fill('Note: V', 'see https://aka.ms/x "quoted" -- (c)').html).toBe(
      '<p>Note: see https://aka.ms/x &quot;quoted&quot; -- (c)</p>\n',
    );
  });

  test('flanking follows markdown-it: intraword underscores never emphasise, stars do', () => {
    expect(delimiterFlags('a', '_', 'b')).toEqual({ open: false, close: false });
    expect(delimiterFlags('a', '*', 'b')).toEqual({ open: true, close: true });
    expect(delimiterFlags(' ', '*', ' ')).toEqual({ open: false, close: false });
    expect(delimiterFlags(' ', '*', '(')).toEqual({ open: true, close: false });
  });

  test('block starts are asked of markdown-it', () => {
    expect(blockStart('# x')).not.toBe(blockStart('x'));
    expect(blockStart('===')).not.toBe(blockStart('x'));
    expect(blockStart('10.220.1.5')).toBe(blockStart('x'));
    expect(blockStart('#1 of 3')).toBe(blockStart('x'));
    expect(blockStart('-x')).toBe(blockStart('x'));
  });

  test('standalone values (one-line markdown fields)', () => {
    expect(escapeInlineText("backend's pool_a (b)", STANDALONE)).toBe("backend's pool_a (b)");
    expect(escapeInlineText('- item', STANDALONE)).toBe('\\- item');
    expect(escapeInlineText('', STANDALONE)).toBe('\u200b');
  });
});

describe('the full form is the fallback: used where the minimal form would render otherwise', () => {
  test('a value completing what another value opened in raw HTML', () => {
    // The first value turns the template's `<!…>` declaration into an open comment; the second, minimally
    // escaped, would close it. Only the second falls back.
    const template = '# <!<!--$A-->a<!--/$A-->><!--$B-->b<!--/$B-->===\n';
    const result = renderArticle(template, { A: '--x', B: '-->x*y*' });
    expect(result.warnings).toEqual([
      'line 1: the value of "B" was written with character references: minimally escaped, it would have changed how the article renders.',
    ]);
    expect(result.markdown).toContain('&#45;&#45;&gt;x&#42;y&#42;');
    expect(result.html).not.toMatch(/<em>/);
  });

  test('the seed never needs it', () => {
    const values = {
      GatewayName: 'appgw_prod-01',
      CurrentTime: '2026-11-26 04:27:18',
      BackendSeverAddress: 'backend-01.contoso.com',
      HealthStatus: 'Unhealthy',
      ErrorDetails:
        "Received invalid status code: 401 in the backend server's HTTP response. *See* [docs](x) `curl` <b>",
    };
    const result = renderArticle(SEED, values);
    expect(result.warnings.filter((w) => FULL_FORM.test(w))).toEqual([]);
    expect(result.markdown).toContain(
      "- **Error Message:** Received invalid status code: 401 in the backend server's HTTP response. \\*See\\* \\[docs](x) \\`curl\\` &lt;b>",
    );
  });
});

/** Places for a value in markdown text, each with the placeholder at V. */
const TEXT_PLACES = [
  'Before V after.',
  'V',
  'Intro\nV',
  'V\nOutro',
  '- V\n- next',
  '- **Label:** V',
  '1. V',
  '> V',
  '# Title V',
  '# V',
  'V\n---',
  'V\n===',
  '| a | b |\n|---|---|\n| V | 2 |',
  'a | b\n--|--\nV | 2',
  '[go V](https://example.com)',
  'a **V** b',
  'a**V**b',
  'a _V_ b',
  '~~V~~',
  'C:\\V',
  'a &V b',
  'See [V].\n\n[known]: https://example.com',
  'V[x](https://example.com)',
  '[x]V',
  'a `b V',
  'x <a title="V',
  'a V\n|---|',
  '[r]: /u\nV',
  'Text\n\n    code\n\nV',
  '<b>V</b> and <br> V',
  'x*V*y and __V__',
  '***V***',
  '> - V',
  '- a\n\n  V',
  'Title\nV\n---',
  '| V |\n|---|',
  'a\n> V\nb',
  '![alt V](https://example.com/i.png)',
];

/** Values: any characters, and runs of markdown's syntax characters. */
const anyValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc
    .array(
      fc.constantFrom(
        ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ ab1é\u00a0'.split(''),
        '<!--',
        '-->',
        '```',
        '&amp;',
        '1. ',
        '# ',
        '---',
        '<div>',
        '<a@b.c>',
        '<https://x>',
        '[x](y)',
        '[known]',
        '&#35;',
        '\n',
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join('')),
);

describe('properties, in every place markdown text can be', () => {
  test.each(TEXT_PLACES.map((t) => [t]))(
    '%j: the rendered text is the value, the structure is the template’s, no fallback',
    (template) => {
      const bland = fill(template, 'QZQZ');
      fc.assert(
        fc.property(anyValue, (value) => {
          const filled = fill(template, value);
          expect(structure(filled.markdown)).toEqual(structure(bland.markdown));
          const expected = oneLine(value).trim().split('\u200b').join('');
          expect(textOf(filled.html)).toBe(textOf(bland.html).replace('QZQZ', () => expected));
          expect(filled.warnings.filter((w) => FULL_FORM.test(w))).toEqual([]);
        }),
        { numRuns: 60 },
      );
    },
  );

  /** Characters that mean nothing to markdown in running text: letters, digits, most punctuation. */
  const plainValue = fc
    .array(
      fc.constantFrom(...'abcXYZ0129 \'".,;:?()/%$@=+-'.split(''), 'é', '’', '日本', '\u{1f600}', '\u00a0'),
      { minLength: 1, maxLength: 20 },
    )
    .map((parts) => parts.join('').trim())
    .filter((v) => v !== '');

  test.each(
    [
      'Error: V end',
      '- **Label:** V',
      '# Title V',
      '| a |\n|---|\n| V |',
      '[go V](https://example.com)',
      'a **V** b',
    ].map((t) => [t]),
  )('%j: a value without markdown-significant characters is in the markdown verbatim', (template) => {
    fc.assert(
      fc.property(plainValue, (value) => {
        expect(fragment(template, value)).toBe(value);
      }),
      { numRuns: 100 },
    );
  });
});
