import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parseArticle } from '../../src/articles';
import { gatewayRef } from '../../src/core/arm-id';
import { classifyCause } from '../../src/core/classify';
import type { Finding, HealthState } from '../../src/core/model';
import { renderGatewayPage } from '../../src/insight/gateway-page';
import { composeInsight } from '../../src/insight/insight';
import { launchChromium } from '../helpers/chromium';
import { ROOT, assertBuilt, runCli } from '../helpers/cli';

/**
 * The standalone insight page, as a person sees it: the demo's output opened in headless Chromium
 * (file://, offline), on a desktop and a phone, and printed; the pages we render for the longest values
 * a gateway can send, and for an article of our users' with tables and code, at every width from 320 px,
 * in light and dark, checked by axe-core. Screenshots land in the temp folder; docs/insight.png in the
 * README is refreshed with SCREENSHOT_TO_DOCS=1.
 */

const AXE_SOURCE = readFile(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const SCHEMES = ['light', 'dark'] as const;
const WIDTHS = [320, 360, 375, 768] as const;

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: unknown; readonly failureSummary?: string }>;
}

/** axe-core's serious and critical violations on the open page (its source injected: no network). */
async function seriousViolations(tab: Page): Promise<string[]> {
  await tab.addScriptTag({ content: await AXE_SOURCE });
  const violations = (await tab.evaluate('axe.run().then((r) => r.violations)')) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join('; ')}`,
    );
}

/** The longest values a gateway can hand us, unbroken: what makes a page scroll sideways. */
const LONG_PROBE_LOG = `Cannot connect to backend server ${'x'.repeat(600)}. To learn more visit - https://aka.ms/${'servernotreachable'.repeat(20)}?${'a=1&'.repeat(40)}`;

function longFinding(state: HealthState, health: string): Finding {
  const gateway = gatewayRef(
    '00000000-0000-0000-0000-000000000000',
    `rg-${'resource-group'.repeat(6)}`,
    `appgw-${'g'.repeat(74)}`,
  );
  return {
    gateway,
    backendPool: `pool-${'p'.repeat(75)}`,
    backendSettings: `settings-${'s'.repeat(71)}`,
    address: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.contoso.internal`,
    health,
    state,
    probeLog: LONG_PROBE_LOG,
    cause: classifyCause({ state, probeLog: LONG_PROBE_LOG }),
    severity: 'critical',
  };
}

/** A user's own article (config `article`) with what the seed lacks: a table, code, a long link. */
const CUSTOM_ARTICLE = `# Server <!--$BackendSeverAddress-->x<!--/$BackendSeverAddress--> on <!--$GatewayName-->g<!--/$GatewayName-->

| Field | Value | Note | More | Most |
| --- | --- | --- | --- | --- |
| Server | <!--$BackendSeverAddress-->x<!--/$BackendSeverAddress--> | <!--$ErrorDetails-->e<!--/$ErrorDetails--> | /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw | \`az network application-gateway show-backend-health --ids /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg\` |

\`\`\`sh
az network application-gateway show-backend-health --resource-group rg-${'r'.repeat(80)} --name appgw-${'g'.repeat(74)} --query "backendAddressPools[].backendHttpSettingsCollection[].servers[?health!='Healthy']"
\`\`\`

See [the runbook](https://runbooks.contoso.com/${'x'.repeat(200)}) and \`${'y'.repeat(200)}\`.
`;

/** The pages checked at every width and with axe. */
const PAGE_NAMES = [
  'demo: status code mismatch (unhealthy)',
  'demo: unknown',
  'demo: partial',
  'longest values, unhealthy',
  'longest values, draining',
  'an article with a table and code',
  'gateway page',
] as const;
type PageName = (typeof PAGE_NAMES)[number];

describe('insight page in a real browser', () => {
  let browser: Browser;
  let out: string;
  let page: string;
  let probeLog: string;
  /** Every page we check for width and with axe: name → file. */
  const pages: Record<PageName, string> = Object.create(null);

  beforeAll(async () => {
    assertBuilt();
    out = await mkdtemp(path.join(os.tmpdir(), 'appgw-page-'));
    const { code } = await runCli(['demo', '--out', out]);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    type DemoFinding = { state: string; probeLog: string; cause: { id: string }; insight: { html: string } };
    const findings = report.gateways.flatMap((g: { findings: DemoFinding[] }) => g.findings) as DemoFinding[];
    const finding = findings.find((f) => f.cause.id === 'status-code-mismatch');
    if (!finding) throw new Error('the demo has no status-code mismatch');
    page = path.join(out, finding.insight.html);
    probeLog = finding.probeLog;
    pages['demo: status code mismatch (unhealthy)'] = page;
    for (const state of ['unknown', 'partial'] as const) {
      const one = findings.find((f) => f.state === state);
      if (!one) throw new Error(`the demo has no ${state} server`);
      pages[`demo: ${state}`] = path.join(out, one.insight.html);
    }
    const seed = parseArticle(await readFile(path.join(ROOT, 'articles/degraded-backend-server-health.md')));
    const now = new Date('2026-11-30T05:55:00Z');
    const write = async (name: PageName, file: string, html: string): Promise<void> => {
      pages[name] = path.join(out, file);
      await writeFile(pages[name], html);
    };
    const longest = [longFinding('unhealthy', 'Unhealthy'), longFinding('draining', 'Draining')];
    await write(
      'longest values, unhealthy',
      'long-unhealthy.html',
      composeInsight(seed, longest[0]!, now).html,
    );
    await write(
      'longest values, draining',
      'long-draining.html',
      composeInsight(seed, longest[1]!, now).html,
    );
    await write(
      'an article with a table and code',
      'custom-article.html',
      composeInsight(parseArticle(CUSTOM_ARTICLE), longest[0]!, now).html,
    );
    const insights = longest.map((f) => composeInsight(seed, f, now));
    await write('gateway page', 'gateway.html', renderGatewayPage(longest[0]!.gateway, 7, insights, now));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('shows the fix, the facts header, the seed text, with no request leaving the file', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const tab = await context.newPage();
    const requests: string[] = [];
    tab.on('request', (r) => requests.push(r.url()));
    await tab.goto(`file://${page}`);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    const text = await tab.locator('body').innerText();
    for (const expected of [
      'Likely cause',
      'What to do',
      'What the probe reported',
      'Gateway',
      'Backend pool',
      'Backend settings',
      'Server',
      'Health',
      'Checked (UTC)',
      'Impacted Server',
      'Recommended Steps',
      'Recommended Documents',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toMatch(/Â|<!--/);
    const shot = path.join(out, 'insight-desktop.png');
    await tab.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(20_000);
    if (process.env['SCREENSHOT_TO_DOCS'] === '1')
      await tab.screenshot({ path: path.join(ROOT, 'docs/insight.png'), fullPage: true });
    await context.close();
  });

  it.each([
    ['a desktop', { width: 1000, height: 900 }],
    ['a phone', { width: 390, height: 844 }],
  ])(
    'on %s, the likely cause and the first step are on the first screen, above the article',
    async (_, viewport) => {
      const context = await browser.newContext({ viewport });
      const tab = await context.newPage();
      await tab.goto(`file://${page}`);
      const cause = await tab.locator('header.fix h1').boundingBox();
      const firstStep = await tab.locator('header.fix ol > li').first().boundingBox();
      const article = await tab.locator('article').boundingBox();
      expect(await tab.locator('header.fix h1').innerText()).toMatch(/HTTP 401/);
      expect(cause && firstStep && article).toBeTruthy();
      expect(firstStep!.y + firstStep!.height).toBeLessThanOrEqual(viewport.height);
      expect(cause!.y).toBeLessThan(firstStep!.y);
      expect(firstStep!.y).toBeLessThan(article!.y);
      await context.close();
    },
  );

  it("shows the probe's message once; the article's Error Message points at it", async () => {
    const tab = await browser.newPage();
    await tab.goto(`file://${page}`);
    const text = await tab.locator('body').innerText();
    expect(probeLog.length).toBeGreaterThan(40);
    expect(text.split(probeLog)).toHaveLength(2);
    expect(text).toMatch(/Error Message: shown above, under “What the probe reported”/);
    await tab.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
    });
    const tab = await context.newPage();
    await tab.goto(`file://${page}`);
    const { scrollWidth, clientWidth } = (await tab.evaluate(
      '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
    )) as { scrollWidth: number; clientWidth: number };
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    expect(clientWidth).toBe(390);
    await tab.screenshot({ path: path.join(out, 'insight-phone.png'), fullPage: true });
    await context.close();
  });

  it.each(SCHEMES)(
    '%s: no page scrolls sideways at 320, 360, 375 or 768 px',
    async (colorScheme) => {
      const context = await browser.newContext({ colorScheme, viewport: { width: 320, height: 800 } });
      const tab = await context.newPage();
      const wider: string[] = [];
      for (const [name, file] of Object.entries(pages)) {
        for (const width of WIDTHS) {
          await tab.setViewportSize({ width, height: 800 });
          await tab.goto(`file://${file}`);
          const { scrollWidth, innerWidth, culprits } = (await tab.evaluate(`(() => {
          const culprits = [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
            .slice(0, 3)
            .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
          return { scrollWidth: document.scrollingElement.scrollWidth, innerWidth, culprits };
        })()`)) as { scrollWidth: number; innerWidth: number; culprits: string[] };
          expect(innerWidth).toBe(width);
          if (scrollWidth > innerWidth)
            wider.push(`${name} at ${width} px: ${scrollWidth} px (${culprits.join(', ')})`);
        }
      }
      expect(wider).toEqual([]);
      await context.close();
    },
    120_000,
  );

  it.each(SCHEMES.flatMap((scheme) => PAGE_NAMES.map((name) => [scheme, name] as const)))(
    '%s: axe-core finds no serious or critical violation on %s',
    async (colorScheme, name) => {
      const context = await browser.newContext({ colorScheme, viewport: { width: 1000, height: 900 } });
      const tab = await context.newPage();
      await tab.goto(`file://${pages[name]}`);
      expect(await tab.evaluate(`matchMedia('(prefers-color-scheme: ${colorScheme})').matches`)).toBe(true);
      expect(await seriousViolations(tab)).toEqual([]);
      await context.close();
    },
    120_000,
  );

  it('prints to PDF', async () => {
    const tab = await browser.newPage();
    await tab.goto(`file://${page}`);
    const pdf = await tab.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await tab.close();
  });
});
