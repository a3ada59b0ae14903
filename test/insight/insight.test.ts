import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fillArticle, markdownToText, parseArticle, renderMarkdown } from '../../src/articles';
import { gatewayRef } from '../../src/core/arm-id';
import { CAUSE_IDS, causeFor } from '../../src/core/causes';
import { classifyCause } from '../../src/core/classify';
import { exactCause } from '../../src/core/exact-steps';
import type { Finding } from '../../src/core/model';
import { causeSectionMarkdown, stepMarkdown } from '../../src/insight/cause-section';
import { escapeHtml, PROBE_MESSAGE_ABOVE, PROBE_MESSAGE_HEADING } from '../../src/insight/html-page';
import { composeInsight } from '../../src/insight/insight';
import { insightPath } from '../../src/insight/insight-path';
import { insightValues, NO_PROBE_MESSAGE } from '../../src/insight/values';

const seed = parseArticle(
  readFileSync(path.resolve(__dirname, '../../articles/degraded-backend-server-health.md')),
);
const now = new Date('2026-11-26T04:27:18.123Z');

function finding(over: Partial<Finding> = {}): Finding {
  const probeLog =
    over.probeLog ??
    'Status code of the backend’s HTTP response did not match the probe setting. Expected:200-399 Received:401.';
  return {
    gateway: gatewayRef('00000000-0000-0000-0000-000000000000', 'rg-prod', 'appgw-shop'),
    backendPool: 'MFPool',
    backendSettings: 'MFPoolSettings',
    address: '10.220.1.5',
    health: 'Unhealthy',
    state: 'unhealthy',
    probeLog,
    cause: classifyCause({ state: 'unhealthy', probeLog }),
    severity: 'critical',
    ...over,
  };
}

describe('composeInsight (seed article)', () => {
  const insight = composeInsight(seed, finding(), now);

  it('fills every placeholder and leaves no marker or mojibake', () => {
    expect(insight.markdown).toContain('- **Impacted Server:** 10.220.1.5\n');
    expect(insight.markdown).toContain('**appgw-shop** at **2026-11-26 04:27:18 (UTC)**');
    expect(insight.markdown).toContain('**Health Status:** Unhealthy');
    for (const text of [insight.markdown, insight.html]) {
      expect(text).not.toMatch(/<!--\/?\$/);
      expect(text).not.toContain('Â');
      expect(text).not.toMatch(/\bBackendSeverAddress\b|\bErrorDetails\b|\bCurrentTime\b/);
    }
    expect(insight.warnings).toEqual([]);
  });

  it('keeps the seed text as written and appends the cause section after it', () => {
    const seedEnd = insight.markdown.indexOf('Troubleshooting bad gateway errors in Application Gateway');
    const cause = insight.markdown.indexOf('## What the probe reported');
    expect(seedEnd).toBeGreaterThan(0);
    expect(cause).toBeGreaterThan(seedEnd);
    expect(insight.markdown).toContain('Received HTTP status: **401**');
    expect(insight.html).toContain('<h2>What the probe reported</h2>');
  });

  it('exposes the filled issue description as the summary, and the page title', () => {
    expect(insight.summary).toContain('**appgw-shop**');
    expect(insight.summary).toContain('(UTC)');
    expect(insight.title).toBe('Degraded Backend Server Health');
  });

  it('renders a standalone page with the facts header, inline CSS and no external assets', () => {
    expect(insight.html).toMatch(/^<!doctype html>/);
    for (const fact of [
      'appgw-shop',
      'MFPool',
      'MFPoolSettings',
      '10.220.1.5',
      'Unhealthy',
      '2026-11-26 04:27:18',
    ]) {
      expect(insight.html).toContain(fact);
    }
    expect(insight.html).toContain('<meta name="viewport"');
    expect(insight.html).not.toMatch(/<(link|script)\b|src=|@import/);
  });
});

describe('untrusted values never reach the HTML as markup', () => {
  const hostile = fc.oneof(
    fc.constantFrom(
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '](javascript:alert(1))',
      '[x](javascript:alert(1))',
      '`<b>`',
      '```\n<script>',
      '<!--$ErrorDetails-->x<!--/$ErrorDetails-->',
      '| a | b |\n|---|---|',
      '# heading\n- item',
      'x'.repeat(5000),
    ),
    fc.string(),
  );

  it('in the address, the names and the probe log', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (address, probeLog, name) => {
        const f = finding({
          address,
          probeLog,
          backendPool: name,
          cause: classifyCause({ state: 'unhealthy', probeLog }),
          gateway: gatewayRef('sub', 'rg', name),
        });
        const { html } = composeInsight(seed, f, now);
        // Escaped text such as `&lt;img onerror=…&gt;` is harmless; a raw tag or script URL is not.
        expect(html).not.toMatch(/<script|<img|href="javascript:/i);
        expect(html).not.toMatch(/<!--\/?\$/);
        // The page structure is fixed: exactly one article, one header table.
        expect(html.match(/<article>/g)).toHaveLength(1);
        expect(html.match(/<table class="facts">/g)).toHaveLength(1);
      }),
      { numRuns: 150 },
    );
  });
});

describe('cause section', () => {
  // Compared as rendered HTML: the exact escape spelling is the article engine's business.
  it.each([
    ['Run `nc -vz <address> 443` now.', '<p>Run <code>nc -vz &lt;address&gt; 443</code> now.</p>'],
    ['Plain <b>text</b> & more', '<p>Plain &lt;b&gt;text&lt;/b&gt; &amp; more</p>'],
    ['`a|b` in <table>', '<p><code>a|b</code> in &lt;table&gt;</p>'],
    ['unpaired ` tick', '<p>unpaired ` tick</p>'],
    ['*not bold* [no](link)', '<p>*not bold* [no](link)</p>'],
  ])('stepMarkdown(%p) renders as %p', (step, html) => {
    expect(renderMarkdown(stepMarkdown(step)).trim()).toBe(html);
  });

  it("says nothing of a missing probe message (the article's Error Message does)", () => {
    const md = causeSectionMarkdown(classifyCause({ state: 'unknown', probeLog: '' }), '');
    expect(md).not.toMatch(/probe message|no probe log/i);
    expect(md).toContain('### What to do');
  });

  it('escapes the title, the probe message and the steps minimally, as the article engine does', () => {
    const md = causeSectionMarkdown(
      {
        id: 'other',
        title: "The backend's *odd* state",
        steps: ['Run `a | b` for <host> [x](y)'],
        docUrl: 'https://learn.microsoft.com/x',
      },
      '# Probe 1. said: <b>no</b> & `x`',
    );
    expect(md).toContain("**The backend's \\*odd\\* state**");
    expect(md).toContain('> Probe message: # Probe 1. said: &lt;b>no&lt;/b> & \\`x\\`');
    expect(md).toContain('1. Run `a | b` for &lt;host> \\[x](y)');
    expect(renderMarkdown(md)).not.toMatch(/<(b|em|a|code)>(?!a \| b)/);
  });

  it('escapes brackets as links when the article defines references', () => {
    const cause = classifyCause({ state: 'unhealthy', probeLog: 'x' });
    expect(causeSectionMarkdown(cause, 'see [Errno 111]')).toContain('see [Errno 111]');
    expect(causeSectionMarkdown(cause, 'see [Errno 111]', { references: true })).toContain(
      'see \\[Errno 111]',
    );
  });
});

describe('cause sections written once, by all they are made of', () => {
  const base = {
    id: 'other' as const,
    title: 'Base title',
    steps: ['Check `base-step`.'],
    docUrl: 'https://learn.microsoft.com/base',
  };
  // Each variant differs from the base in one part: a section kept for the base must not answer for it.
  it.each([
    ['the title', { ...base, title: 'Other title' }, 'x', {}, '**Other title**'],
    ['a step', { ...base, steps: ['Check `other-step`.'] }, 'x', {}, '`other-step`'],
    ['the link', { ...base, docUrl: 'https://learn.microsoft.com/other' }, 'x', {}, '/other)'],
    ['the status', { ...base, receivedStatus: 418 }, 'x', {}, 'Received HTTP status: **418**'],
    ['the probe message', base, 'y [z]', {}, '> Probe message: y [z]'],
    ['references', base, 'y [z]', { references: true }, '> Probe message: y \\[z]'],
  ])('differing in %s, it is written afresh', (_, cause, probeLog, options, expected) => {
    const first = causeSectionMarkdown(base, 'x');
    expect(causeSectionMarkdown(base, 'x')).toBe(first);
    causeSectionMarkdown(base, 'y [z]'); // kept too: the references variant must not get it
    const section = causeSectionMarkdown(cause, probeLog, options);
    expect(section).toContain(expected);
    expect(section).not.toBe(first);
  });
});

describe('the .md insight reads as plain text (issue 10.6)', () => {
  it.each([
    ["Received invalid status code: 401 in the backend server's HTTP response."],
    [
      'Status code of the backend’s HTTP response did not match the probe setting. Expected:200-399 Received:401.',
    ],
    [
      'Cannot connect to backend server. Check whether any NSG/UDR/Firewall is blocking access to the server. To learn more visit - https://aka.ms/servernotreachable.',
    ],
    [
      "Time taken by the backend to respond to application gateway's health probe is more than the time-out threshold in the probe setting.",
    ],
    ['The Common Name (CN) of the backend certificate does not match the host header of the probe.'],
    [
      'Backend server certificate is not whitelisted with Application Gateway. Make sure that the certificate uploaded to the HTTP Setting matches with the backend certificate (without the private key).',
    ],
  ])(
    'the probe message %j appears verbatim, once, in Error Message; the cause section points there',
    (probeLog) => {
      const { markdown } = composeInsight(
        seed,
        finding({ probeLog, cause: classifyCause({ state: 'unhealthy', probeLog }) }),
        now,
      );
      expect(markdown).toContain(`- **Error Message:** ${probeLog}\u00a0\n`);
      expect(markdown.split(probeLog)).toHaveLength(2);
      expect(markdown).toContain('Probe message: see **Error Message** above.\n');
      expect(markdown).not.toMatch(/&#\d+;|&[a-z]+;/);
    },
  );

  it('names and addresses appear verbatim', () => {
    const f = finding({
      address: 'backend_01.contoso-web.net',
      gateway: gatewayRef('sub', 'rg', 'appgw_prod-01'),
    });
    const { markdown } = composeInsight(seed, f, now);
    expect(markdown).toContain('**appgw_prod-01**');
    expect(markdown).toContain('- **Impacted Server:** backend_01.contoso-web.net\n');
  });

  it('the steps read as written, commands in code spans', () => {
    const { markdown } = composeInsight(seed, finding(), now);
    expect(markdown).toContain("1. HTTP 401: the backend wants credentials and probes can't send any.");
    expect(markdown).toContain("`curl -i http://<address>:<port><probe path> -H 'Host: <probe host>'`");
    expect(markdown).not.toMatch(/&#39;|\\[-.'()!#+]/);
  });
});

describe('a server without a probe message gets that said once', () => {
  const saysNoMessage = /no probe (message|log)|gave no (probe )?message/gi;
  const empties = ['', '   ', '\n'];

  it.each(CAUSE_IDS.map((id) => [id]))('%s', (id) => {
    for (const probeLog of empties) {
      const cause = causeFor(id, { probeLog });
      const insight = composeInsight(seed, finding({ probeLog, cause }), now);
      expect(insight.markdown.match(saysNoMessage)).toHaveLength(1);
      expect(insight.markdown).toContain(`- **Error Message:** ${NO_PROBE_MESSAGE}`);
      expect(insight.markdown).not.toContain('Probe message:');
      expect(cause.steps.join('\n')).not.toMatch(saysNoMessage);
    }
  });

  it.each(['unhealthy', 'unknown', 'draining', 'partial', 'healthy'] as const)(
    'as classified for a %s server',
    (state) => {
      for (const probeLog of empties) {
        const insight = composeInsight(
          seed,
          finding({ probeLog, cause: classifyCause({ state, probeLog }) }),
          now,
        );
        expect(insight.markdown.match(saysNoMessage)).toHaveLength(1);
      }
    },
  );
});

describe('insightPath', () => {
  it('is stable, lower case, safe, and tells apart names that sanitise alike', () => {
    const a = insightPath(finding({ address: 'a/b' }));
    const b = insightPath(finding({ address: 'a?b' }));
    expect(a).toMatch(
      /^insights\/00000000-0000-0000-0000-000000000000\/rg-prod\/appgw-shop\/mfpool__mfpoolsettings__a_b-[0-9a-f]{8}$/,
    );
    expect(a).not.toBe(b);
    expect(insightPath(finding({ address: 'A/B' }))).toBe(a);
    fc.assert(
      fc.property(fc.string(), (address) => {
        expect(insightPath(finding({ address }))).toMatch(/^insights\/[a-z0-9._/-]+$/);
      }),
    );
  });
});

/** The text a reader sees in our HTML: tags gone, the entities our renderers write decoded. */
function pageText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>|<title>[\s\S]*?<\/title>/g, '')
    .replace(/<[^>]*>/g, '')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

const count = (text: string, part: string): number => text.split(part).length - 1;

describe('the probe message appears once in each form of the insight (issue 15.4)', () => {
  const messages = [
    'Status code of the backend’s HTTP response did not match the probe setting. Expected:200-399 Received:401.',
    'Backend server is draining & <b>gone</b> "soon"',
    'Something we do not know: see https://aka.ms/x?a=1&b=2 [Errno 111]',
    `Cannot connect: ${'x'.repeat(700)}`,
  ];
  const states = ['unhealthy', 'unknown', 'draining', 'partial', 'healthy'] as const;
  const cases = [
    ...CAUSE_IDS.flatMap((id) =>
      messages.map((probeLog) => [id, probeLog, causeFor(id, { probeLog })] as const),
    ),
    ...states.flatMap((state) =>
      messages.map((probeLog) => [state, probeLog, classifyCause({ state, probeLog })] as const),
    ),
  ];

  it.each(cases)('%s: %j', (_, probeLog, cause) => {
    const insight = composeInsight(seed, finding({ probeLog, cause }), now);
    // A quoted step carries at most its first 500 characters: look for the start of the message.
    const probe = probeLog.slice(0, 120);
    expect(count(markdownToText(insight.markdown), probe)).toBe(1);
    expect(count(pageText(insight.html), probe)).toBe(1);
    expect(count(pageText(insight.htmlFragment), probe)).toBe(1);
    // On the page it is at the top, under its heading; the article's Error Message points there.
    expect(pageText(insight.html)).toContain(`Error Message: ${PROBE_MESSAGE_ABOVE}`);
    expect(insight.html.indexOf(escapeHtml(probeLog))).toBeLessThan(insight.html.indexOf('<article>'));
  });

  it('an article without an Error Message placeholder leaves the message to the cause section, once', () => {
    const custom = parseArticle(
      '# Server <!--$BackendSeverAddress-->x<!--/$BackendSeverAddress--> is down\n',
    );
    const probeLog = 'Backend server timed out';
    const insight = composeInsight(
      custom,
      finding({ probeLog, cause: classifyCause({ state: 'unhealthy', probeLog }) }),
      now,
    );
    expect(insight.markdown).toContain(`> Probe message: ${probeLog}\n`);
    expect(count(insight.markdown, probeLog)).toBe(1);
    expect(count(pageText(insight.html), probeLog)).toBe(1);
  });
});

describe('the page leads with the fix and keeps the article whole (issue 15.4)', () => {
  const f = finding();
  const insight = composeInsight(seed, f, now);
  const html = insight.html;

  it('the likely cause, then what to do, first step first, before the facts and the article', () => {
    const order = [
      `<h1>${escapeHtml(f.cause.title)}</h1>`,
      '<h2>What to do</h2>',
      '<li>HTTP 401: the backend wants credentials',
      `<h2>${PROBE_MESSAGE_HEADING}</h2>`,
      '<table class="facts">',
      '<article>',
      '<h1>We have detected degraded back-end server health for your Application Gateway</h1>',
    ].map((part) => html.indexOf(part));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('shows every line of the filled article, in order, with only Error Message pointing up', () => {
    const filled = fillArticle(seed, {
      ...insightValues(f, now),
      ErrorDetails: PROBE_MESSAGE_ABOVE,
    });
    expect(html).toContain(renderMarkdown(filled.markdown).trim());
    for (const line of [
      '<li><strong>Impacted Server:</strong> 10.220.1.5</li>',
      '<li><strong>Health Status:</strong> Unhealthy</li>',
      '<h2><strong>Recommended Steps</strong></h2>',
      'General TCP connectivity troubleshooting',
      '<h2><strong>Recommended Documents</strong></h2>',
    ]) {
      expect(html).toContain(line);
    }
  });

  it('every step of the cause, as the markdown has them, its commands naming the gateway (issue 17)', () => {
    const steps = exactCause(f).steps;
    expect(steps.join('\n')).toContain('probe update -g rg-prod --gateway-name appgw-shop -n <probe>');
    for (const step of steps) expect(html).toContain(renderMarkdown(stepMarkdown(step)).trim().slice(3, -4));
  });

  it('a server without a probe message: no probe section, the article says so once', () => {
    const quiet = composeInsight(
      seed,
      finding({ probeLog: '', cause: classifyCause({ state: 'unknown', probeLog: '' }) }),
      now,
    );
    expect(quiet.html).not.toContain(`<h2>${PROBE_MESSAGE_HEADING}</h2>`);
    expect(pageText(quiet.html).match(/no probe message/g)).toHaveLength(1);
  });
});

describe('escapeHtml: control and bidi characters from the network never reach the page raw', () => {
  it.each([
    ['ESC (a terminal sequence)', '10.0.0.1\u001b[31mred', '10.0.0.1\uFFFD[31mred'],
    ['CR and BEL', 'a\r\u0007b', 'a\uFFFD\uFFFDb'],
    ['DEL and C1 (CSI)', 'a\u007f\u009bb', 'a\uFFFD\uFFFDb'],
    ['a right-to-left override (reverses what follows)', 'pool\u202eevil', 'pool\uFFFDevil'],
    [
      'bidi marks, embeddings and isolates',
      '\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u061c',
      '\uFFFD'.repeat(11),
    ],
    ['tab and line feed are text', 'a\tb\nc', 'a\tb\nc'],
    ['markup is still entities', '<b>&</b>', '&#60;b&#62;&#38;&#60;/b&#62;'],
  ])('%s', (_, text, html) => {
    expect(escapeHtml(text)).toBe(html);
  });
});

describe('an insight whose names carry bidi controls: none reaches the page or the markdown', () => {
  it.each(['\u202e', '\u2067', '\u200f'])('%j in pool, settings, address and probe message', (bidi) => {
    const hostile = composeInsight(
      seed,
      finding({
        backendPool: `pool${bidi}evil`,
        backendSettings: `settings${bidi}x`,
        address: `10.0.0.1${bidi}`,
        probeLog: `Received invalid status code: 503${bidi} in the backend server's HTTP response.`,
      }),
      now,
    );
    expect(hostile.html).not.toContain(bidi);
    expect(hostile.markdown).not.toContain(bidi);
    expect(hostile.html).toContain('pool');
  });
});
