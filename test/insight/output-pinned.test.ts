/**
 * The insights' output, byte for byte, pinned by a digest: what the default scenario's gateways make
 * (every finding of `src/emulator/scenarios/default.json`), every probe message of the troubleshooting
 * guide, and values that exercise the escaping (markdown syntax, HTML, control characters, line breaks,
 * long and empty texts) in every value a finding carries. A change to how the article engine or the
 * insight works inside (memos, tokens reused instead of parsed again, issue 14) must keep this digest;
 * a change to what an insight says changes it on purpose (then update DIGEST, saying why in the commit).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArticle, renderArticle } from '../../src/articles';
import { gatewayRef, parseGatewayId } from '../../src/core/arm-id';
import type { BackendHealthBody, Finding } from '../../src/core/model';
import { classifyCause } from '../../src/core/classify';
import { evaluateBackendHealth } from '../../src/core/evaluate';
import { DEFAULT_UNHEALTHY_STATES } from '../../src/core/health';

import { composeInsight, type Insight } from '../../src/insight/insight';

const ROOT = path.resolve(__dirname, '../..');
const seed = parseArticle(readFileSync(path.join(ROOT, 'articles/degraded-backend-server-health.md')));
const now = new Date('2026-11-30T06:00:00.000Z');

/** Every field of an insight, in a fixed order, separated so no two outputs hash alike. */
function digestOf(insights: readonly Insight[]): string {
  const hash = createHash('sha256');
  for (const i of insights) {
    for (const part of [i.path, i.title, i.summary, i.markdown, i.html, i.htmlFragment, ...i.warnings])
      hash.update(part).update('\0');
    hash.update('\u0001');
  }
  return hash.digest('hex');
}

function defaultScenarioFindings(): Finding[] {
  const scenario = JSON.parse(
    readFileSync(path.join(ROOT, 'src/emulator/scenarios/default.json'), 'utf8'),
  ) as { gateways: Array<{ id: string; backendHealth?: unknown }> };
  return scenario.gateways.flatMap((g) => {
    const gateway = parseGatewayId(g.id);
    if (!gateway || !g.backendHealth) return [];
    return evaluateBackendHealth(gateway, g.backendHealth as BackendHealthBody, {
      unhealthyStates: DEFAULT_UNHEALTHY_STATES,
    });
  });
}

const guide = (
  JSON.parse(
    readFileSync(path.join(ROOT, 'test/fixtures/probe-logs/troubleshooting-guide.json'), 'utf8'),
  ) as Array<{
    message: string;
  }>
).map((m) => m.message);

/** Values that take every escaping path: markdown and HTML syntax, line breaks, controls, long, empty. */
const TRICKY = [
  '',
  '*bold* _it_ ~~strike~~ `code` ``two`` [link](http://x) ![img](y) <b>html</b> &amp; &#65; \\',
  '# heading\n- item\n1. one\n> quote\n```\nfence\n```\n| a | b |\n|---|---|',
  '<!--$ErrorDetails-->x<!--/$ErrorDetails--> <script>alert(1)</script> <a href="javascript:x">',
  'tab\tcr\rlf\nnul\u0000del\u007fc1\u0085 zwsp\u200b bidi\u202e',
  'a'.repeat(3000) + ' *' + 'b_'.repeat(200),
  '[label]: http://example.com "title"',
  '10.0.0.1:443 | pipe | 2 * 3 | a_b_c | x < y | AT&T | C:\\Users',
];

function trickyFindings(): Finding[] {
  return TRICKY.flatMap((text, i) => {
    const probeLog = text === '' ? '' : `Received ${text}`;
    const base: Finding = {
      gateway: gatewayRef('00000000-0000-4000-8000-000000000001', `rg-${i}`, `appgw-${i}`),
      backendPool: 'pool-web',
      backendSettings: 'settings-https',
      address: `10.0.${i}.4`,
      health: 'Unhealthy',
      state: 'unhealthy',
      probeLog,
      cause: classifyCause({ state: 'unhealthy', probeLog }),
      severity: 'critical',
    };
    return [
      base,
      { ...base, backendPool: text, backendSettings: text, address: text === '' ? 'x' : text },
      { ...base, health: text, gateway: gatewayRef('00000000-0000-4000-8000-000000000001', 'rg', `g${i}`) },
    ];
  });
}

/**
 * The digest of every insight below (changed on purpose since issue 14: bidi controls in values are no
 * longer written raw; the steps' commands name the gateway and its resource group, issue 17; format
 * characters in values, zero-width ones included, are written as their escapes (`\u200B`), break trials
 * of 2026-12-06: the same digests without the tricky value's U+200B and U+202E before and after).
 */
const DIGEST = '7be8dfd74e71d4934109fa8949feb493af133661e1435bf6661e376df1f573f7';

describe('insight output (pinned)', () => {
  it('is byte-identical for the default scenario, the guide and tricky values, twice over (memos warm)', () => {
    const findings = [
      ...defaultScenarioFindings(),
      ...guide.map((probeLog, i): Finding => ({
        gateway: gatewayRef('00000000-0000-4000-8000-000000000002', 'rg-guide', `appgw-${i}`),
        backendPool: 'pool',
        backendSettings: 'settings',
        address: `10.1.${i}.4`,
        health: 'Unhealthy',
        state: 'unhealthy',
        probeLog,
        cause: classifyCause({ state: 'unhealthy', probeLog }),
        severity: 'critical',
      })),
      ...trickyFindings(),
    ];
    expect(findings.length).toBeGreaterThan(200);
    const first = digestOf(findings.map((f) => composeInsight(seed, f, now)));
    // The second pass meets every memo warm: it must write the same bytes.
    const second = digestOf(findings.map((f) => composeInsight(seed, f, now)));
    expect(second).toBe(first);
    expect(first).toBe(DIGEST);
  });

  it('renders the test articles as before', () => {
    const dir = path.join(ROOT, 'test/fixtures/articles');
    const hash = createHash('sha256');
    for (const name of ['positions.md', 'name-variants.md', 'header-variants.md', 'sections-rca.md']) {
      const source = readFileSync(path.join(dir, name));
      for (const value of TRICKY) {
        const article = parseArticle(source);
        const all = Object.fromEntries(article.placeholders.map((p) => [p, value]));
        const rendered = renderArticle(source, all);
        hash.update(name).update('\0').update(rendered.markdown).update('\0').update(rendered.html);
        hash.update('\0').update(rendered.warnings.join('\n')).update('\u0001');
      }
    }
    expect(hash.digest('hex')).toBe(ARTICLES_DIGEST);
  });
});

const ARTICLES_DIGEST = '80235160f2e7e3dcb191749de50ae8436d3b8e24282d13dc49922d8c393d185f';
