import { parseArticle } from '../../src/articles';
import { asArticleError, fixture, thrown } from './helpers';

describe('the <properties> header', () => {
  test('keeps every attribute, in any quoting, case or spacing the corpus shows', () => {
    const article = parseArticle(fixture('header-variants.md'));
    expect(article.metadata).toEqual({
      pageTitle: 'A title with "double" quotes inside',
      description: "It's got an apostrophe & a > sign",
      articleId: 'FixtureHeaderVariants',
      infoBubbleText: 'Ampersands &quot;twice&quot; and <tags>',
      selfHelpType: 'diagnostics',
      supportTopicIds: '1,2,3',
      'ms.author': 'someone',
      customThing: 'kept as written',
    });
    expect(article.warnings).toEqual([
      'line 6: attribute "selfHelpType" of the <properties> header has an unquoted value.',
      'line 7: stray "\\"" in the <properties> header ignored.',
      'line 10: header attribute "articleId" repeats "articleid"; the first one is kept.',
    ]);
  });

  test.each([
    [
      'no-break-space indentation',
      'header-nbsp.md',
      { pageTitle: 'No-break indented', articleId: 'FixtureNbspIndent', service: 'microsoft.example' },
      [],
    ],
    [
      'after a comment',
      'header-after-comment.md',
      { pageTitle: 'Header after a comment', articleId: 'FixtureHeaderAfterComment' },
      [],
    ],
    [
      'after a heading',
      'header-after-heading.md',
      { pageTitle: 'Header after a heading', articleId: 'FixtureHeaderAfterHeading' },
      ['line 3: content before the <properties> header is kept in the body.'],
    ],
    ['absent', 'no-header.md', {}, []],
  ])('%s', (_label, name, metadata, warnings) => {
    const article = parseArticle(fixture(name));
    expect(article.metadata).toEqual(metadata);
    expect(article.warnings).toEqual(warnings);
  });

  test('a quote left open on its line ends with the line; a real two-line value stays', () => {
    const article = parseArticle(fixture('header-open-quote.md'));
    expect(article.metadata).toEqual({
      pageTitle: 'A value on two lines\nthat is still one value',
      'ms.author': 'someone',
      displayOrder: '2',
      articleId: 'FixtureOpenQuote',
    });
    expect(article.warnings).toEqual([
      'line 4: the quote of header attribute "ms.author" is not closed on its line; the value ends there.',
    ]);
  });

  test('a one-line header with single quotes and no space before "/>"', () => {
    expect(parseArticle("<properties articleId='one'/>\nText").metadata).toEqual({ articleId: 'one' });
  });

  test('content before the header stays in the body', () => {
    const article = parseArticle(fixture('header-after-heading.md'));
    expect(article.placeholders).toEqual(['Value']);
    expect(article.occurrences[0]?.line).toBe(8);
  });

  test.each([
    ['header-unclosed.md', 3, /never closes/],
    [
      'header-unclosed-quote.md',
      1,
      /never closes with "\/>" \(the quote of "pageTitle" at line 2 is not closed\)/,
    ],
  ])('%s is an ArticleError at the header line', (name, line, message) => {
    const error = asArticleError(thrown(() => parseArticle(fixture(name))));
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(new RegExp(`^line ${line}: `));
  });
});

describe('placeholders', () => {
  test('names are trimmed, case-insensitive, may hold spaces and dots; first spelling wins', () => {
    const article = parseArticle(fixture('name-variants.md'));
    expect(article.placeholders).toEqual([
      'Scenario',
      'Slot Name',
      'Region',
      'match.Reason',
      'List of Addresses',
      'RoleName',
      'FrontEndIP',
      'Summary',
    ]);
    expect(article.occurrences.map((o) => [o.name, o.key, o.defaultText, o.line])).toEqual([
      ['Scenario', 'scenario', 'scenario', 4],
      ['Slot Name', 'slot name', ' slot ', 5],
      ['Region', 'region', 'region', 6],
      ['match.Reason', 'match.reason', 'reason', 7],
      ['List of Addresses', 'list of addresses', '[addresses]', 8],
      ['RoleName', 'rolename', 'role', 9],
      ['FrontEndIP', 'frontendip', 'ip', 9],
      ['rolename', 'rolename', 'role again', 10],
      ['Summary', 'summary', 'first line\nsecond line', 11],
    ]);
    expect(article.warnings).toEqual([]);
  });

  test('an orphan close tag is a warning and is dropped', () => {
    const article = parseArticle(fixture('placeholder-orphan-close.md'));
    expect(article.placeholders).toEqual(['When']);
    expect(article.warnings).toEqual([
      'line 3: closing marker <!--/$Stamp--> closes no placeholder; it was dropped.',
    ]);
  });

  test.each([
    ['placeholder-unclosed.md', 5, /placeholder "Broken" is never closed/],
    [
      'placeholder-nested.md',
      3,
      /placeholder "Inner" opens inside the default text of "Outer" \(opened at line 2\)/,
    ],
    [
      'placeholder-mismatched.md',
      3,
      /closing marker <!--\/\$Second--> does not match the open placeholder "First"/,
    ],
  ])('%s is an ArticleError naming the line', (name, line, message) => {
    const error = asArticleError(thrown(() => parseArticle(fixture(name))));
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
  });

  test.each([
    ['a marker without a name', 'a\n<!--$-->x<!--/$-->', 2, /has no name/],
    ['a marker broken across lines', 'a\nb <!--$Na\nme-->x', 2, /malformed placeholder marker/],
    [
      'a broken marker inside a default',
      '<!--$A-->x <!--$B\n-->y<!--/$A-->',
      1,
      /malformed placeholder marker in the default text of "A"/,
    ],
    [
      'a placeholder in an event handler',
      '<a onclick="<!--$X-->x<!--/$X-->">x</a>',
      1,
      /"onclick" attribute/,
    ],
    [
      'a placeholder in a style attribute',
      'text\n\n<span style="<!--$X-->x<!--/$X-->">x</span>',
      3,
      /"style" attribute/,
    ],
    [
      'a placeholder inside <script>',
      '<script>\nvar a = "<!--$X-->x<!--/$X-->";\n</script>',
      2,
      /<script> element/,
    ],
    ['a placeholder inside inline <style>', 'a <style>b <!--$X-->x<!--/$X--></style>', 1, /<style> element/],
    [
      'a placeholder as an attribute name',
      '<div <!--$X-->x<!--/$X-->="1">a</div>',
      1,
      /inside an HTML tag outside an attribute value/,
    ],
    ['a placeholder as an autolink scheme', 'see <<!--$X-->x<!--/$X-->:path>', 1, /scheme of an autolink/],
    [
      'a placeholder in a link label',
      '[<!--$X-->x<!--/$X-->]: https://example.com',
      1,
      /cannot tell how to escape/,
    ],
  ])('%s is an ArticleError', (_label, source, line, message) => {
    const error = asArticleError(thrown(() => parseArticle(source)));
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
  });
});

describe('sections', () => {
  const sections = (name: string) =>
    parseArticle(fixture(name)).sections.map((s) => [s.name, s.line, s.endLine, s.template]);
  const warnings = (name: string) => parseArticle(fixture(name)).warnings;

  test.each([
    [
      'positions.md',
      [
        ['issueDescription', 8, 10, 'The pool **pool** reported _state_ at time.'],
        ['recommendedActions', 39, 41, '## Recommended for server'],
      ],
      [],
    ],
    [
      'sections-double-open.md',
      [['issueDescription', 3, 5, 'Runs began failing after a change.']],
      [
        /line 3: section <!--issueDescription--> with no closing marker; the same marker at line 5 is read as its other end/,
      ],
    ],
    [
      'sections-double-close.md',
      [['issueDescription', 3, 5, 'The account user is locked.']],
      [/line 3: section <!--\/issueDescription--> with no opening marker; the same marker at line 5/],
    ],
    ['sections-unclosed.md', [], [/line 3: section <!--issueDescription--> is never closed; it was ignored/]],
    [
      'sections-extra-close.md',
      [['issueDescription', 2, 4, 'Storage is over 90% used.']],
      [/line 8: section marker <!--\/issueDescription--> closes nothing/],
    ],
    [
      'sections-nested.md',
      [
        ['issueDescription', 2, 8, '"\nNothing listens on port port.\n"'],
        ['issueDescription', 4, 6, 'Nothing listens on port port.'],
      ],
      [],
    ],
    [
      'sections-repeated.md',
      [
        ['issueDescription', 2, 4, 'First description for app.'],
        ['issueDescription', 8, 10, 'link'],
      ],
      [],
    ],
    [
      'sections-inline.md',
      [
        ['issueDescription', 3, 3, 'Policy for tenant is incomplete'],
        ['recommendedActions', 5, 7, 'Review the policy.'],
      ],
      [],
    ],
    [
      'sections-rca.md',
      [
        ['salutation', 2, 4, 'Hello customer,'],
        ['rcaDescription', 6, 8, 'The host under vm restarted.'],
        ['resolutionDetails', 10, 12, 'It came back at time.'],
        ['additionalInfo', 14, 16, 'Nothing else is known.'],
      ],
      [/line 18: section <!--recommendedActions--> is never closed/],
    ],
    ['comments-not-sections.md', [], [/line 4: section <!--Link--> is never closed/]],
  ])('%s', (name, expected, expectedWarnings) => {
    expect(sections(name)).toEqual(expected);
    const got = warnings(name);
    expect(got).toHaveLength(expectedWarnings.length);
    expectedWarnings.forEach((w, i) => expect(got[i]).toMatch(w));
  });
});
