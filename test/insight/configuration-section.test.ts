import fc from 'fast-check';
import { markdownToText, renderMarkdown } from '../../src/articles';
import { gatewayRef } from '../../src/core/arm-id';
import { causeFor } from '../../src/core/causes';
import { observeConfiguration } from '../../src/core/config-observations';
import type { Finding, FindingConfiguration } from '../../src/core/model';
import type { Severity } from '../../src/core/notice/severity';
import { reproduceProbe } from '../../src/core/probe-reproduction';
import type { ResolvedProbe } from '../../src/core/probe-resolution';
import { causeSectionMarkdown, configurationMarkdown } from '../../src/insight/cause-section';
import { composeInsight } from '../../src/insight/insight';
import { seedArticle } from '../helpers/memory/run-dependencies';
import { probe, resolved, settings } from '../core/config-fixtures';

const cause = causeFor('status-code-mismatch', { receivedStatus: 404 });
/** A status-code-mismatch finding for 10.0.0.5 on `pool`/settings-a of appgw, with what ARM said of its settings. */
const finding = (
  pool: string,
  configuration?: FindingConfiguration,
  severity: Severity = 'warning',
): Finding => ({
  gateway: gatewayRef('00000000-0000-0000-0000-000000000000', 'rg', 'appgw'),
  backendPool: pool,
  backendSettings: 'settings-a',
  address: '10.0.0.5',
  health: 'Unhealthy',
  state: 'unhealthy',
  probeLog: 'Status code mismatch. Received:404.',
  cause,
  severity,
  ...(configuration ? { configuration } : {}),
});
const read = (p: ResolvedProbe): FindingConfiguration => ({
  read: true,
  probe: p,
  observations: observeConfiguration(p, { causeId: cause.id, receivedStatus: 404 }),
});

/** The lines of every fenced code block of `markdown`. */
const codeLines = (markdown: string): string[] =>
  [...markdown.matchAll(/```sh\n([\s\S]*?)\n```/g)].flatMap((m) => (m[1] ?? '').split('\n'));

/** Every element of `html`, in order (attributes left out). */
const tags = (html: string): string[] => [...html.matchAll(/<\/?([a-z0-9]+)[\s>]/gi)].map((m) => m[0]);

const HOSTILE_HOSTS = [
  '<script>alert(1)</script>.contoso.com',
  'a.com"><img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '**bold** _em_ `code` ~~s~~',
  '```\nrm -rf /\n```',
  'a.com\n# Heading\n- item',
  '<!-- x --> &amp; &#60;',
];

describe('the configuration section with values from ARM', () => {
  it.each(HOSTILE_HOSTS)('host %j adds no markup, and every command stays one line', (host) => {
    const p = resolved(settings({ hostName: host }), probe({ host, path: `/${host}`, body: host }));
    const markdown = causeSectionMarkdown(cause, '', { configuration: read(p) });
    // The same elements as with a plain host name: the value added none. A line break no request can
    // carry: no curl, a sentence saying why, as for any other control character.
    const unsendable = /[\r\n]/.test(host);
    const plainHost = unsendable ? 'www.contoso.com\u0001' : 'www.contoso.com';
    const plain = resolved(
      settings({ hostName: plainHost }),
      probe({ host: plainHost, path: '/x', body: 'x' }),
    );
    if (unsendable) expect(markdownToText(markdown)).toContain('No command reproduces this probe');
    expect(tags(renderMarkdown(markdown))).toEqual(
      tags(renderMarkdown(causeSectionMarkdown(cause, '', { configuration: read(plain) }))),
    );
    // One code block per kind of command, each command one line, the curl exactly as built (or with a
    // zero-width space where a line would have closed the fence).
    const curl = reproduceProbe(p).command;
    if (curl !== undefined)
      expect(codeLines(markdown).map((l) => l.replace(/\u200B/g, ''))).toContain(curl.replace(/\u200B/g, ''));
    else expect(codeLines(markdown).join('\n')).not.toContain('curl');
    expect(markdownToText(markdown)).toContain('### In your configuration'.replace('### ', ''));
  });

  it('any host, path and body: no element beyond the template, the curl one line', () => {
    const value = fc.string({ unit: 'grapheme', maxLength: 40 });
    fc.assert(
      fc.property(value, value, value, (host, path, body) => {
        const p = resolved(settings(), probe({ host: host || 'h', path, body }));
        const html = renderMarkdown(configurationMarkdown(cause, read(p)));
        const tags = new Set([...html.matchAll(/<([a-z0-9]+)[\s>]/g)].map((m) => m[1]));
        for (const tag of tags) expect(['h3', 'p', 'ul', 'li', 'code', 'pre']).toContain(tag);
      }),
      { numRuns: 150 },
    );
  });

  describe('a value with a control character is shown faithfully, escaped, everywhere it appears', () => {
    /** The section as markdown, as the text a reader sees (rendered), and as the page's HTML. */
    const views = (p: ResolvedProbe) => {
      const markdown = configurationMarkdown(cause, read(p));
      return { markdown, text: markdownToText(markdown), html: renderMarkdown(markdown) };
    };
    const noRawControl = (value: string) =>
      // eslint-disable-next-line no-control-regex -- the point
      expect(value.replace(/\n/g, '')).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F\u202E]/);

    it('a body match with a newline: "\\n" where it is, not a space, in the statement, the match and the expectation', () => {
      const p = resolved(settings(), probe({ body: 'status:\nok' }));
      const { text, html } = views(p);
      expect(text).toContain('with a body that contains "status:\\nok", within');
      const statements = observeConfiguration(p, { causeId: 'body-mismatch' }).map((o) => o.text);
      expect(statements.join('\n')).toContain('requires the response body to contain "status:\\nok"');
      expect(text).toContain('Healthy: status 200-399, with a body that contains "status:\\nok"');
      expect(text).not.toContain('status: ok');
      expect(html).toContain('status:\\nok');
      // The curl is unchanged by the body (it is not sent): still one correct command.
      expect(codeLines(views(p).markdown)).toContain(reproduceProbe(p).command);
    });

    it.each([
      ['a tab in the path', probe({ path: '/a\tb' }), '/a\\tb'],
      [
        'CR LF in the host name',
        probe({ host: 'a.contoso.com\r\nX-Injected: 1' }),
        'a.contoso.com\\r\\nX-Injected: 1',
      ],
      ['ESC in the probe name', probe({ name: 'probe\u001b[31m' }), 'probe\\u001B[31m'],
      ['a bidi override in the body', probe({ body: 'ok\u202Eko' }), 'ok\\u202Eko'],
    ])('%s: shown escaped, no raw control character, no command that would carry it', (_n, pr, shown) => {
      const p = resolved(settings(), pr);
      const { markdown, text, html } = views(p);
      expect(text).toContain(shown);
      expect(html).toContain(shown);
      noRawControl(markdown);
      noRawControl(html);
      for (const line of codeLines(markdown)) noRawControl(line);
    });

    // F6: `it's "ok"` was shown `"it's \\"ok\\""` in markdown and `it's \"ok\"` on the page (JSON, then markdown).
    it('a body match with quotes: shown once, as it is, in the statement, the match and the expectation', () => {
      const p = resolved(settings(), probe({ body: `it's "ok"` }));
      const body = configurationMarkdown(causeFor('body-mismatch'), {
        read: true,
        probe: p,
        observations: observeConfiguration(p, { causeId: 'body-mismatch' }),
      });
      const text = markdownToText(body);
      const html = renderMarkdown(body);
      expect(text).toContain(`requires the response body to contain "it's "ok""`);
      expect(text).toContain(`with a body that contains "it's "ok"", within`);
      expect(text).not.toContain('\\');
      expect(html).not.toContain('\\');
      expect(html).toContain("&quot;it's &quot;ok&quot;&quot;");
    });

    // Issue 17's third trial: "ok " showed as `ok` (a code span drops its outer spaces); a zero-width
    // space and a bidi override in the Host showed as nothing, hiding the likely cause.
    it.each([
      [
        'a trailing space in the body match',
        probe({ body: 'ok ' }),
        'Healthy: status 200-399, with a body that contains "ok "',
      ],
      [
        'a zero-width space in the host',
        probe({ host: 'h\u200B.contoso.com' }),
        'With Host: h\\u200B.contoso.com',
      ],
      // Issue 17's fourth trial: a code span dropped the edge spaces ("trail.example " shown `trail.example`).
      ['a trailing space in the host', probe({ host: 'trail.example ' }), 'With "Host: trail.example "'],
      [
        'a bidi override in the host',
        probe({ host: 'x.contoso.com\u202E' }),
        'With Host: x.contoso.com\\u202E',
      ],
      [
        'a zero-width space in the path',
        probe({ path: '/he\u200Balth' }),
        'Sends GET /he%E2%80%8Balth over HTTP',
      ],
    ])('%s: shown where the probe is described', (_n, pr, shown) => {
      const { text, html } = views(resolved(settings(), pr));
      expect(text).toContain(shown);
      expect(html).not.toMatch(/[\u200B\u202E]/);
    });

    it('a plain value is shown as it is (no escape added)', () => {
      const { text } = views(resolved(settings(), probe({ body: 'healthy', path: '/health' })));
      expect(text).toContain('"healthy"');
      expect(text).not.toContain('\\');
    });
  });

  // F3: `SITE_HOST_NAME=www.example.com` above the commands changed a live gateway to a made-up value.
  it('a value only the reader knows: set empty above the commands, each command refusing it empty', () => {
    const markdown = configurationMarkdown(cause, read(resolved(settings())));
    const lines = codeLines(markdown);
    expect(lines).toContain(
      "SITE_HOST_NAME=''; : 'set SITE_HOST_NAME to the name the site answers to, on its certificate; the commands refuse to run while it is empty, we cannot know it'",
    );
    const uses = lines.filter((l) => l.includes('SITE_HOST_NAME') && !l.startsWith('SITE_HOST_NAME='));
    expect(uses.length).toBeGreaterThan(0);
    for (const l of uses)
      expect(l).toContain(
        '"${SITE_HOST_NAME:?set SITE_HOST_NAME to the name the site answers to, on its certificate}"',
      );
    expect(markdown).not.toContain('example.com');
  });

  it('says why when the configuration could not be read, and shows no command', () => {
    const markdown = configurationMarkdown(cause, {
      read: false,
      reason: 'ARM answered 403 AuthorizationFailed: <b>no</b>',
    });
    expect(markdown).toContain(
      "The gateway's configuration could not be read, so these steps are the general ones:",
    );
    expect(renderMarkdown(markdown)).not.toContain('<b>');
    expect(markdown).not.toContain('```');
  });

  // A new-user trial: "… it is not the whole resource" closed the paragraph with no full stop.
  it.each<[string, string, boolean]>([
    [
      'a reason of ours without a stop',
      "ARM's answer to the gateway's GET has no routing rule: it is not the whole resource",
      false,
    ],
    [
      'an error message, which ends with one',
      'ARM answered 500 InternalServerError. It is tried again on the next run.',
      true,
    ],
    ['one closing in a parenthesis after its stop', 'Grant it Reader (or the custom role.)', true],
    ['one closing in a quote without a stop', 'the backend setting "web"', false],
    ['a question', 'is the endpoint ARM?', true],
    // A trial: "…: Ends with a colon:." and "Ends with ellipsis….".
    ['a colon', 'ARM answered 500: Ends with a colon:', true],
    ['an ellipsis', 'ARM answered 500: Ends with ellipsis…', true],
  ])('%s: the sentence ends with one full stop, whatever the reason', (_, reason, hasStop) => {
    for (const unresolved of [false, true]) {
      const markdown = configurationMarkdown(cause, {
        read: false,
        reason,
        ...(unresolved ? { unresolved } : {}),
      } as never);
      const text = markdownToText(markdown).trim();
      expect(text.endsWith(hasStop ? reason : `${reason}.`)).toBe(true);
    }
  });

  it('the insight page shows it under the steps, escaped', () => {
    const p = resolved(settings({ hostName: '<b>x</b>' }), undefined, '10.0.0.5');
    const insight = composeInsight(
      seedArticle,
      finding('pool', read(p), 'critical'),
      new Date('2026-11-30T10:00:00Z'),
    );
    expect(insight.html).toContain('<section class="configuration">');
    expect(insight.html).not.toContain('<b>x</b>');
    expect(insight.markdown.indexOf('### In your configuration')).toBeLessThan(
      insight.markdown.indexOf('### What to do'),
    );
  });

  describe('Confirm the fix: the recheck commands for this server', () => {
    const NOW = new Date('2026-11-30T10:00:00Z');
    const p = resolved(settings(), undefined, '10.0.0.5');

    it('follows the configuration and comes before the general steps, in the markdown and on the page', () => {
      const insight = composeInsight(seedArticle, finding('pool-web', read(p)), NOW);
      const at = insight.markdown.indexOf('### Confirm the fix');
      expect(at).toBeGreaterThan(insight.markdown.indexOf('### In your configuration'));
      expect(at).toBeLessThan(insight.markdown.indexOf('### What to do'));
      expect(codeLines(insight.markdown)).toContain(
        'appgw-insights recheck --gateway /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/appgw --pool pool-web --settings settings-a',
      );
      expect(insight.html).toContain('Confirm the fix');
      expect(insight.html).toContain('recheck --gateway');
      expect(insight.markdown).toContain(
        'Add `--config FILE` when you run appgw-insights from a configuration file.',
      );
    });

    // The final trial: "recheck before changing anything" beside "When you have changed it".
    it('a reading the configuration contradicts (404 accepted): the recheck is the first check', () => {
      const wide = resolved(settings(), probe({ statusCodes: ['200-399', '404'] }), '10.0.0.5');
      const insight = composeInsight(seedArticle, finding('pool-web', read(wide)), NOW);
      expect(insight.markdown).toContain(
        "Before changing anything (the configuration already accepts what this reading refused), send the gateway's probe now",
      );
      expect(insight.markdown).not.toContain('When you have changed it');
      expect(composeInsight(seedArticle, finding('pool-web', read(p)), NOW).markdown).toContain(
        "When you have changed it, send the gateway's probe now",
      );
    });

    it.each([
      ['no configuration (a saved body: evaluate)', undefined],
      [
        'a configuration that could not be read (recheck reads it too)',
        { read: false, reason: 'ARM answered 403' } as const,
      ],
    ])('is not offered with %s', (_, configuration) => {
      const insight = composeInsight(seedArticle, finding('pool-web', configuration), NOW);
      expect(insight.markdown).not.toContain('Confirm the fix');
      expect(insight.html).not.toContain('Confirm the fix');
    });

    it.each(HOSTILE_HOSTS)('pool %j adds no markup to the insight', (pool) => {
      const plain = composeInsight(seedArticle, finding('pool-web', read(p)), NOW);
      const hostile = composeInsight(seedArticle, finding(pool, read(p)), NOW);
      const section = (html: string) => html.slice(html.indexOf('<section class="configuration">'));
      expect(tags(section(hostile.html))).toEqual(tags(section(plain.html)));
    });
  });
});
