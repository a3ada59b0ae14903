import {
  fillArticle,
  markdownToText,
  parseArticle,
  renderArticle,
  renderMarkdown,
  trustedMarkdown,
} from '../../src/articles';
import { asArticleError, fixture, structure, thrown } from './helpers';

const render = (source: string, values: Record<string, string | { markdown: string }>) =>
  renderArticle(source, values);
const V = (def = 'd') => `<!--$V-->${def}<!--/$V-->`;

describe('where each placeholder lands', () => {
  test('positions.md: every position the corpus uses, and link targets', () => {
    expect(parseArticle(fixture('positions.md')).occurrences.map((o) => [o.name, o.line, o.context])).toEqual(
      [
        ['PoolName', 6, 'heading'],
        ['PoolName', 9, 'text'],
        ['State', 9, 'text'],
        ['Time', 9, 'text'],
        ['Server', 12, 'text'],
        ['Note', 13, 'text'],
        ['Code', 13, 'inline-code'],
        ['Server', 17, 'table-cell'],
        ['Code', 18, 'inline-code'],
        ['LinkText', 20, 'link-text'],
        ['Url', 20, 'link-target'],
        ['Title', 20, 'link-title'],
        ['Url', 20, 'link-target'],
        ['Url', 22, 'html-attribute'],
        ['Title', 22, 'html-attribute'],
        ['Note', 25, 'html-text'],
        ['Kind', 26, 'html-attribute'],
        ['Server', 30, 'code-block'],
        ['Report', 33, 'block'],
        ['Steps', 37, 'block'],
        ['Server', 40, 'heading'],
        ['Url', 43, 'link-target'],
      ],
    );
  });

  test.each([
    ['a paragraph line after text is text, not block', `para\n${V()}\n`, 'text'],
    ['a list item', `- ${V()}`, 'text'],
    ['a blockquote', `> ${V()}`, 'text'],
    ['a setext heading', `${V()}\n===`, 'heading'],
    ['an indented code block', `para\n\n    ${V()}\n`, 'code-block'],
    ['a tilde fence', `~~~\n${V()}\n~~~`, 'code-block'],
    ['an HTML comment inside a paragraph', `a <!-- note ${V()} --> b`, 'html-text'],
    ['an image alt text', `![${V()}](https://example.com/i.png)`, 'link-text'],
    ['a link destination in angle brackets', `[x](<${V()}>)`, 'link-target'],
    ['a reference title', `[a][r]\n\n[r]: https://example.com "${V()}"`, 'link-title'],
    ['a table header cell', `| ${V()} | b |\n|---|---|\n| 1 | 2 |`, 'table-cell'],
    ['an html_inline attribute in a table', `| <a href="${V()}">x</a> | b |\n|---|---|`, 'html-attribute'],
  ])('%s', (_label, source, context) => {
    expect(parseArticle(source).occurrences.map((o) => o.context)).toEqual([context]);
  });
});

describe('escaping per position', () => {
  const hostile = '*a* _b_ [c](d) <i>e</i> & `f` # g | h \\ ~i~ =j !k +l -m';
  test.each([
    [
      'text',
      `x ${V()} y`,
      hostile,
      '<p>x *a* _b_ [c](d) &lt;i&gt;e&lt;/i&gt; &amp; `f` # g | h \\ ~i~ =j !k +l -m y</p>\n',
    ],
    ['text: newlines collapse', `x ${V()} y`, 'a\n\n# b\r\n- c', '<p>x a # b - c y</p>\n'],
    ['text: an entity stays literal', `x ${V()} y`, '&amp; &#60;', '<p>x &amp;amp; &amp;#60; y</p>\n'],
    ['heading', `# T ${V()}`, 'a\n# b #', '<h1>T a # b #</h1>\n'],
    [
      'block: no list, heading, rule or code',
      `para\n\n${V()}\n\nend`,
      '1. x\n    - y\n***',
      '<p>para</p>\n<p>1. x - y ***</p>\n<p>end</p>\n',
    ],
    ['block: setext underline stays text', `para\n${V()}`, '===', '<p>para\n===</p>\n'],
    [
      'block: a reference definition stays text',
      `${V()}\n\n[x]`,
      '[x]: https://evil.example',
      '<p>[x]: https://evil.example</p>\n<p>[x]</p>\n',
    ],
    [
      'table cell: pipes stay in the cell',
      `| a | b |\n|---|---|\n| ${V()} | 2 |`,
      'x | y | z',
      '<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>x | y | z</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n',
    ],
    [
      'link text',
      `[go ${V()}](https://example.com)`,
      '](javascript:alert(1))',
      '<p><a href="https://example.com">go ](javascript:alert(1))</a></p>\n',
    ],
    [
      'link target: percent-encoded',
      `[x](${V()})`,
      'https://a.example/p q?x=1&y=(2)#z',
      '<p><a href="https://a.example/p%20q?x=1&amp;y=%282%29#z">x</a></p>\n',
    ],
    [
      'autolink: no backslash escapes',
      `<https://a.example/${V()}>`,
      'p q?a=1&b=<2>',
      '<p><a href="https://a.example/p%20q?a=1&amp;b=%3C2%3E">https://a.example/p q?a=1&amp;b=&lt;2&gt;</a></p>\n',
    ],
    [
      'link target: entities stay literal',
      `[x](${V()})`,
      'https://a.example/?q=&amp;',
      '<p><a href="https://a.example/?q=&amp;amp;">x</a></p>\n',
    ],
    [
      'link target inside a URL keeps a harmless "javascript:"',
      `[x](https://a.example/${V()})`,
      'javascript:alert(1)',
      '<p><a href="https://a.example/javascript:alert%281%29">x</a></p>\n',
    ],
    [
      'link title',
      `[x](https://a.example "${V()}")`,
      '" onclick="alert(1)',
      '<p><a href="https://a.example" title="&quot; onclick=&quot;alert(1)">x</a></p>\n',
    ],
    [
      'inline code: the fence grows past the value',
      `Run \`${V()}\` now`,
      'a `b` ``c``',
      '<p>Run <code>a `b` ``c``</code> now</p>\n',
    ],
    [
      'inline code: a value touching the fence is padded',
      `Run \`${V()}\` now`,
      '`x`',
      '<p>Run <code>`x`</code> now</p>\n',
    ],
    [
      'inline code in a table: pipes escaped',
      `| a |\n|---|\n| \`${V()}\` |`,
      'x|y',
      '<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td><code>x|y</code></td>\n</tr>\n</tbody>\n</table>\n',
    ],
    [
      'code block: cannot close the fence',
      `\`\`\`\n${V()}\n\`\`\`\nafter`,
      '```',
      '<pre><code>```\u200b\n</code></pre>\n<p>after</p>\n',
    ],
    [
      'code block: stays one line',
      `\`\`\`\n${V()}\n\`\`\``,
      'a\n```\n<b>',
      '<pre><code>a ``` &lt;b&gt;\n</code></pre>\n',
    ],
    [
      'HTML text',
      `<dl>\n<dt>${V()}</dt>\n</dl>`,
      '</dt><script>alert(1)</script>\n\nx',
      '<dl>\n<dt>&lt;/dt&gt;&lt;script&gt;alert(1)&lt;/script&gt; x</dt>\n</dl>',
    ],
    [
      'HTML attribute, double quotes',
      `<a href="https://a.example/${V()}">x</a>`,
      '" onmouseover="alert(1)',
      '<p><a href="https://a.example/&quot; onmouseover=&quot;alert(1)">x</a></p>\n',
    ],
    [
      'HTML attribute, single quotes',
      `<a title='${V()}'>x</a>`,
      "' onmouseover='alert(1)",
      "<p><a title='&#39; onmouseover=&#39;alert(1)'>x</a></p>\n",
    ],
    [
      'HTML attribute, unquoted',
      `<a title=${V()}>x</a>`,
      'a b=c>',
      '<p><a title=a&#32;b&#61;c&gt;>x</a></p>\n',
    ],
  ])('%s', (_label, source, value, html) => {
    const result = render(source, { V: value });
    expect(result.html).toBe(html);
    expect(structure(result.markdown)).toEqual(structure(render(source, { V: 'x' }).markdown));
  });

  test('HTML text keeps quotes as they are; attributes escape them', () => {
    const source = `<dl>\n<dt>${V()}</dt>\n<dd title="${V()}">x</dd>\n</dl>`;
    const result = render(source, { V: `backend's "x" & <y>` });
    expect(result.markdown).toBe(
      `<dl>\n<dt>backend's "x" &amp; &lt;y&gt;</dt>\n<dd title="backend&#39;s &quot;x&quot; &amp; &lt;y&gt;">x</dd>\n</dl>`,
    );
  });

  test.each([
    ['javascript:alert(1)'],
    ['JaVaScRiPt:alert(1)'],
    ['  javascript:alert(1)'],
    ['java\tscript:alert(1)'],
    ['java\nscript:alert(1)'],
    ['jav&#x61;script:alert(1)'],
    ['javascript&colon;alert(1)'],
    ['%6Aavascript:alert(1)'],
    ['vbscript:msgbox(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['file:///etc/passwd'],
  ])('the URL %j is refused', (value) => {
    for (const source of [
      `[x](${V()})`,
      `![x](${V()})`,
      `[x][r]\n\n[r]: ${V()}`,
      `<a href="${V()}">x</a>`,
      `<img src=${V()}>`,
    ]) {
      const result = render(source, { V: value });
      expect(result.html).toMatch(/(href|src)="?#/);
      expect(result.html.toLowerCase()).not.toMatch(/script:|data:|file:/);
      expect(result.warnings.join()).toMatch(/has a script or data scheme; it was replaced by "#"/);
    }
  });

  test('a URL split over two placeholders is checked as a whole', () => {
    const result = render('[x](<!--$A-->a<!--/$A--><!--$B-->b<!--/$B-->)', {
      A: 'java',
      B: 'script:alert(1)',
    });
    expect(result.html).toBe('<p><a href="#">x</a></p>\n');
    expect(result.warnings).toEqual([
      'line 1: the URL built from "A", "B" has a script or data scheme; it was replaced by "#".',
    ]);
  });

  test('a template that writes its own scheme is left to the template', () => {
    expect(render('[x](mailto:<!--$V-->v<!--/$V-->)', { V: 'ops@example.com' }).html).toBe(
      '<p><a href="mailto:ops@example.com">x</a></p>\n',
    );
  });

  test.each([
    ['text', `x ${V()} y`],
    ['bold', `**${V()}**`],
    ['block', `a\n\n${V()}\n\nb`],
    ['block between lines', `a\n${V()}\nb`],
    ['table cell', `| a |\n|---|\n| ${V()} |`],
    ['link target', `[x](${V()})`],
    ['link target, angle brackets', `[x](<${V()}>)`],
    ['reference', `[x][r]\n\n[r]: ${V()}`],
    ['image with title', `![x](${V()} "t")`],
    ['inline code', `a \`${V()}\` b`],
    ['HTML text alone on a line', `<div>\n${V()}\n</div>`],
    ['unquoted attribute', `<a title=${V()} href="x">y</a>`],
  ])('an empty value keeps the structure: %s', (_label, source) => {
    for (const empty of ['', '   ', '\n']) {
      expect(structure(render(source, { V: empty }).markdown)).toEqual(
        structure(render(source, { V: 'x' }).markdown),
      );
    }
  });

  test.each([
    ['punctuation after a bold opener inside a word', 'a**', '**b', '(x)'],
    ['punctuation before a closing underscore inside a word', 'a_', '_b', 'x.'],
    ['after a backslash', 'C:\\', ' end', '*x*'],
    ['after an ampersand', 'a &', ' b', 'amp;'],
    ['after an unfinished entity', 'a &am', ' b', 'p;'],
  ])('guards with U+200B where an edge would change the template: %s', (_label, before, after, value) => {
    const source = `${before}${V()}${after}`;
    expect(structure(render(source, { V: value }).markdown)).toEqual(
      structure(render(source, { V: 'x' }).markdown),
    );
    expect(render(source, { V: value }).markdown).toContain('\u200b');
  });

  test.each([
    ['punctuation after a bold opener after a space', 'at **', '**', '(x)'],
    ['punctuation inside underscores after a space', 'a _', '_ b', '.x.'],
    ['a backslash escaping itself', 'C:\\\\', ' end', '*x*'],
    ['an ampersand and a space', 'a & ', ' b', 'amp;'],
  ])('no guard where the edge changes nothing: %s', (_label, before, after, value) => {
    const source = `${before}${V()}${after}`;
    expect(structure(render(source, { V: value }).markdown)).toEqual(
      structure(render(source, { V: 'x' }).markdown),
    );
    expect(render(source, { V: value }).markdown).not.toContain('\u200b');
  });

  test.each([
    ['a template backtick left open', 'Run `a <!--$V-->v<!--/$V--> now', 'b` c'],
    ['an HTML tag left open at a quote', '<b title="<!--$V-->v<!--/$V-->> tail', '"'],
    ['an HTML tag left open', 'x <a href="u" <!--$V-->v<!--/$V--> y', '>'],
    [
      'brackets that could spell a reference',
      'See [<!--$V-->v<!--/$V-->].\n\n[known]: https://example.com',
      'known',
    ],
    [
      'brackets around more text',
      'See [the <!--$V-->v<!--/$V-->] page.\n\n[the known]: https://example.com',
      'known',
    ],
  ])('a value does not complete template syntax: %s', (_label, source, value) => {
    const filled = render(source, { V: value });
    expect(structure(filled.markdown)).toEqual(structure(render(source, { V: 'x' }).markdown));
    expect(filled.html).not.toMatch(/<(code|a)>/);
  });

  test('a value does not complete template syntax: the bland value may, the hostile one not', () => {
    // Without the U+200B guard, "known" would turn "[known]" into a link to the template's reference.
    const source = 'See [<!--$V-->v<!--/$V-->].\n\n[known]: https://example.com';
    expect(render(source, { V: 'known' }).html).toBe('<p>See [\u200bknown].</p>\n');
  });

  test('a value never brings a placeholder marker into the output, code included', () => {
    const value = 'x <!--$Y-->y<!--/$Y--> <!-- /$Z -->';
    for (const source of [
      `a ${V()}`,
      `\`${V()}\``,
      `\`\`\`\n${V()}\n\`\`\``,
      `[x](${V()})`,
      `<a title="${V()}">x</a>`,
      `<p>\n${V()}\n</p>`,
    ]) {
      const result = render(source, { V: value });
      expect(result.markdown).not.toMatch(/<!--\s*\/?\s*\$/);
      expect(result.html).not.toMatch(/<!--\s*\/?\s*\$/);
    }
    expect(render(`\`${V()}\``, { V: value }).warnings.join()).toMatch(
      /placeholder marker in the value of "V" was broken up/,
    );
  });
});

describe('trusted markdown', () => {
  const list = '1. one\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n';

  test('goes in verbatim for a placeholder alone on its line', () => {
    const result = render(`Intro\n\n${V()}\n\nEnd`, { V: trustedMarkdown(list) });
    expect(result.html).toContain('<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n<table>');
    expect(result.warnings).toEqual([]);
  });

  test('keeps the indentation of a placeholder inside a list item', () => {
    const result = render(`- item\n\n  ${V()}\n\nEnd`, { V: { markdown: '- nested a\n- nested b' } });
    expect(result.markdown).toContain('  - nested a\n  - nested b');
    expect(result.html).toContain('<li>\n<p>item</p>\n<ul>\n<li>nested a</li>');
  });

  test('is escaped as text anywhere else, with a warning', () => {
    const result = render(`Server: ${V()}`, { V: { markdown: '**bold**' } });
    expect(result.html).toBe('<p>Server: **bold**</p>\n');
    expect(result.warnings).toEqual([
      'line 1: "V" is not alone on its line (text); its trusted markdown was escaped as text.',
    ]);
  });

  test('loses placeholder markers', () => {
    const result = render(V(), { V: { markdown: 'a <!--$X-->x<!--/$X--> b <!--$Y\n-->' } });
    expect(result.markdown).toBe('a x b <!-\u200b-$Y\n-->');
    expect(result.warnings.join()).toMatch(
      /placeholder markers in the trusted markdown for "V" were removed/,
    );
  });
});

describe('values', () => {
  const article = parseArticle(fixture('name-variants.md'));

  test('are looked up case-insensitively and trimmed; every appearance is filled', () => {
    const { markdown } = fillArticle(article, {
      scenario: 'S1',
      ' slot name ': 'S2',
      REGION: 'S3',
      'Match.Reason': 'S4',
      'list of addresses': 'S5',
      rolename: 'S6',
      frontendip: 'S7',
      summary: 'S8',
    });
    expect(markdown).toBe(
      '# Name spellings\n\nSpaced open: S1.\nSpaced both: S2.\nTrailing space: S3.\nDotted: S4.\nWords: S5.\n' +
        'Close in other case: S6 and S7.\nAgain, lower case: S6.\nMulti-line default: S8\n',
    );
  });

  test('missing: the default stays, one warning per placeholder with its lines', () => {
    const result = fillArticle(article, { Scenario: 'S1' });
    expect(result.markdown).toContain('Close in other case: role and ip.\nAgain, lower case: role again.');
    expect(result.markdown).toContain('Multi-line default: first line\nsecond line\n');
    expect(result.warnings).toContain(
      'line 9, 10: placeholder "RoleName" has no value; its default text was kept.',
    );
    expect(result.warnings).toHaveLength(7);
  });

  test('missing with strict: ArticleError naming the placeholder and its line', () => {
    const error = asArticleError(thrown(() => fillArticle(article, { Scenario: 'S1' }, { strict: true })));
    expect(error.message).toBe('line 5: placeholder "Slot Name" has no value');
    expect(error.line).toBe(5);
  });

  test('unknown and duplicate names are warnings', () => {
    const result = fillArticle(parseArticle('<!--$A-->a<!--/$A-->'), { A: '1', a: '2', B: '3' });
    expect(result.markdown).toBe('1');
    expect(result.warnings).toEqual([
      'values "A" and "a" name the same placeholder; "A" was used.',
      'value "B" matches no placeholder of this article.',
    ]);
  });
});

describe('markers in the output', () => {
  test('section markers and orphan closes are removed; sections come back filled', () => {
    const result = renderArticle(fixture('placeholder-orphan-close.md'), { When: '10:00 *UTC*' });
    expect(result.markdown).toBe('The tunnel dropped at 10:00 \\*UTC\\*; a stray close follows.**.\n\n');
    expect(result.issueDescription).toBe('The tunnel dropped at 10:00 \\*UTC\\*; a stray close follows.**.');
    expect(result.markdown).not.toContain('<!--');
  });

  test('a one-line section leaves a paragraph, not raw HTML', () => {
    const result = renderArticle(fixture('sections-inline.md'), { Tenant: '<b>t</b>' });
    expect(result.html).toContain('<p>Policy for &lt;b&gt;t&lt;/b&gt; is incomplete</p>');
    expect(result.sections.map((s) => [s.name, s.markdown])).toEqual([
      ['issueDescription', 'Policy for &lt;b>t&lt;/b> is incomplete'],
      ['recommendedActions', 'Review the policy.'],
    ]);
  });

  test('issueDescription is the first of several, and undefined when never closed', () => {
    expect(renderArticle(fixture('sections-repeated.md'), { App: 'A', Link: 'L' }).issueDescription).toBe(
      'First description for A.',
    );
    expect(renderArticle(fixture('sections-nested.md'), { Port: '443' }).issueDescription).toBe(
      '"\nNothing listens on port 443.\n"',
    );
    expect(renderArticle(fixture('sections-unclosed.md'), {}).issueDescription).toBeUndefined();
  });

  test('comments that are not sections stay as they are', () => {
    const { markdown } = renderArticle(fixture('comments-not-sections.md'), { Value: 'v' });
    expect(markdown).toContain(
      '<!-- a note in several words -->\n<!--an-anchor-with-hyphens-->\n\nhttps://example.com/start',
    );
  });
});

test('renderMarkdown keeps the article HTML and does not linkify', () => {
  expect(renderMarkdown('<b>x</b> https://example.com')).toBe('<p><b>x</b> https://example.com</p>\n');
});

test('markdownToText gives the text a reader sees, for media that show plain text', () => {
  expect(markdownToText('Gateway **appgw\\-01** at _10:00_ (`UTC`) [docs](https://x) &amp; <b>b</b>')).toBe(
    'Gateway appgw-01 at 10:00 (UTC) docs & b',
  );
  expect(
    markdownToText(
      '# Title\n\nline one\nline two\n\n- item\n\n```\ncode\n```\n\n<div>\n<p>a &amp; b</p>\n</div>\n',
    ),
  ).toBe('Title\nline one line two\nitem\ncode\na & b');
});
