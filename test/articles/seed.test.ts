import { parseArticle, renderArticle } from '../../src/articles';
import { asArticleError, SEED, structure, thrown } from './helpers';

const values = {
  GatewayName: 'appgw-prod-01',
  CurrentTime: '2026-11-26 04:27:18',
  BackendSeverAddress: '10.1.2.4',
  HealthStatus: 'Unhealthy',
  ErrorDetails:
    'Cannot connect to backend server. Check whether any NSG/UDR/Firewall is blocking access to the server. To learn more visit - https://aka.ms/servernotreachable.',
};

describe('the seed article (degraded back-end server health)', () => {
  const article = parseArticle(SEED);

  test('metadata', () => {
    expect(article.metadata['articleId']).toBe('AppGwDegradedBackendServerHealthInsight');
    expect(article.metadata['pageTitle']).toBe('Degraded Backend Server Health');
    expect(article.metadata['service']).toBe('microsoft.network');
    expect(article.metadata['selfHelpType']).toBe('diagnostics');
    expect(article.metadata['supportTopicIds']).toBe('32436961,32573483,32582834');
    expect(article.metadata['resourceTags']).toBe('');
    expect(Object.keys(article.metadata)).toHaveLength(15);
  });

  test('placeholders, typo included, in order of first appearance', () => {
    expect(article.placeholders).toEqual([
      'GatewayName',
      'CurrentTime',
      'BackendSeverAddress',
      'HealthStatus',
      'ErrorDetails',
    ]);
    expect(article.occurrences.map((o) => [o.name, o.line, o.context])).toEqual([
      ['GatewayName', 21, 'text'],
      ['CurrentTime', 21, 'text'],
      ['BackendSeverAddress', 24, 'text'],
      ['HealthStatus', 25, 'text'],
      ['ErrorDetails', 26, 'text'],
    ]);
  });

  test('the mojibake after ErrorDetails is repaired, and reported', () => {
    expect(article.warnings).toEqual([
      'Repaired 1 double-encoded UTF-8 sequence(s) (first at line 26: "\\u00c2\\u00a0" → "\\u00a0").',
    ]);
  });

  test('the issueDescription section is exposed', () => {
    expect(article.sections.map((s) => [s.name, s.line, s.endLine])).toEqual([['issueDescription', 20, 22]]);
  });

  test('filled: no markers, no Â, values escaped, issueDescription filled', () => {
    const result = renderArticle(SEED, values, { strict: true });
    for (const out of [result.markdown, result.html]) {
      expect(out).not.toContain('<!--$');
      expect(out).not.toContain('<!--/$');
      expect(out).not.toContain('\u00c2');
    }
    expect(result.markdown).not.toContain('issueDescription');
    expect(result.warnings).toEqual([article.warnings[0]]);
    expect(result.issueDescription).toBe(
      'Your Azure services appear to be running normally, however we have detected degraded health in the back-end ' +
        'server pool behind your Application Gateway **appgw-prod-01** at **2026-11-26 04:27:18 (UTC)**',
    );
    expect(result.html).toContain(
      '<strong>appgw-prod-01</strong> at <strong>2026-11-26 04:27:18 (UTC)</strong>',
    );
    expect(result.html).toContain('<li><strong>Impacted Server:</strong> 10.1.2.4</li>');
    expect(result.html).toContain('<li><strong>Health Status:</strong> Unhealthy</li>');
    expect(result.html).toContain(`<li><strong>Error Message:</strong> ${values.ErrorDetails}\u00a0</li>`);
    expect(result.html).toContain('<h2><strong>Recommended Steps</strong></h2>');
    // Plain values read in the markdown as written (issue 10.6).
    expect(result.markdown).toContain(
      `- **Impacted Server:** 10.1.2.4\n- **Health Status:** Unhealthy\n- **Error Message:** ${values.ErrorDetails}\u00a0\n`,
    );
    expect(structure(result.markdown)).toEqual(
      structure(renderArticle(SEED, Object.fromEntries(Object.keys(values).map((k) => [k, 'x']))).markdown),
    );
  });

  test('a probe log full of markup stays text', () => {
    const result = renderArticle(SEED, {
      ...values,
      ErrorDetails: '<h1>502</h1>\n\n* [retry](javascript:alert(1)) | `x`',
    });
    expect(result.html).toContain(
      '<li><strong>Error Message:</strong> &lt;h1&gt;502&lt;/h1&gt; * [retry](javascript:alert(1)) | `x`\u00a0</li>',
    );
  });

  test('without values the defaults stay, each reported', () => {
    const result = renderArticle(SEED, {});
    expect(result.html).toContain(
      '<strong>Application Gateway</strong> at <strong>CurrentTime (UTC)</strong>',
    );
    expect(result.warnings.filter((w) => w.includes('has no value'))).toHaveLength(5);
    expect(result.markdown).not.toContain('<!--');
  });

  test('strict without a value names it and its line', () => {
    const error = asArticleError(
      thrown(() =>
        renderArticle(SEED, { ...values, HealthStatus: undefined as unknown as string }, { strict: true }),
      ),
    );
    expect(error.message).toBe('line 25: placeholder "HealthStatus" has no value');
    const missing = asArticleError(thrown(() => renderArticle(SEED, { GatewayName: 'g' }, { strict: true })));
    expect(missing.message).toBe('line 21: placeholder "CurrentTime" has no value');
    expect(missing.line).toBe(21);
  });
});
