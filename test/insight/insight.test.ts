import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArticle, renderMarkdown } from '../../src/articles';
import { gatewayRef } from '../../src/core/arm-id';
import { classifyCause } from '../../src/core/classify';
import type { Finding } from '../../src/core/model';
import { causeSectionMarkdown, stepMarkdown } from '../../src/insight/cause-section';
import { composeInsight } from '../../src/insight/insight';
import { insightPath } from '../../src/insight/insight-path';

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
    ...over,
  };
}

describe('composeInsight (seed article)', () => {
  const insight = composeInsight(seed, finding(), now);

  it('fills every placeholder and leaves no marker or mojibake', () => {
    expect(insight.markdown).toContain('10\\.220.1.5');
    expect(insight.markdown).toContain('2026\\-11\\-26 04:27:18 (UTC)');
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
    expect(insight.summary).toContain('appgw\\-shop');
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

  it('says when the gateway gave no probe message', () => {
    const md = causeSectionMarkdown(classifyCause({ state: 'unknown', probeLog: '' }), '');
    expect(md).toContain('The gateway gave no probe message');
    expect(md).toContain('### What to do');
  });
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
