import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunReport } from '../../src/core/run-report';
import { launchChromium } from '../helpers/chromium';
import { ROOT, assertBuilt, runCli } from '../helpers/cli';

const AXE = path.join(ROOT, 'node_modules/axe-core/axe.min.js');

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: readonly string[] }>;
}

/** axe-core in the page: its serious and critical violations (rule, help, where). */
async function seriousViolations(tab: Page): Promise<string[]> {
  await tab.addScriptTag({ content: await readFile(AXE, 'utf8') });
  const result = (await tab.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as {
    violations: AxeViolation[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * The status page as a person sees it: the demo (three runs of the default scenario, so there is
 * history) run twice more into the same folder, then out/index.html opened in headless Chromium
 * (file://, offline). Screenshots land in the temp folder; docs/status-page.png in the README is
 * refreshed with SCREENSHOT_TO_DOCS=1.
 */
describe('status page in a real browser', () => {
  let browser: Browser;
  let out: string;
  let index: string;
  let report: RunReport;

  beforeAll(async () => {
    assertBuilt();
    out = await mkdtemp(path.join(os.tmpdir(), 'appgw-status-'));
    for (let demo = 0; demo < 2; demo++) {
      const { code, stderr } = await runCli(['demo', '--out', out]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    }
    index = path.join(out, 'index.html');
    report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as RunReport;
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('shows every gateway, server and state of the run, with its history, and no request leaves the file', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const tab = await context.newPage();
    const requests: string[] = [];
    tab.on('request', (r) => requests.push(r.url()));
    await tab.goto(`file://${index}`);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    const text = await tab.locator('body').innerText();
    for (const gateway of report.gateways) expect(text).toContain(gateway.name);
    // Every server of the run has its row, healthy ones too.
    const rows = await tab.locator('tbody tr:has(td)').count();
    expect(rows).toBe(report.gateways.reduce((n, g) => n + g.servers, 0));
    for (const finding of report.gateways.flatMap((g) => g.findings)) {
      const row = tab.locator('tbody tr', {
        has: tab.locator(`td:text-is(${JSON.stringify(finding.address)})`),
      });
      expect(await row.allInnerTexts()).toEqual(
        expect.arrayContaining([expect.stringContaining(finding.health)]),
      );
    }
    // Two demos of three runs, each first run before the servers went down: a server down now was
    // read healthy twice and not healthy four times, and its timeline says so in words.
    // Each timeline's accessible name: its own, or the page's label it refers to (steady ones).
    const labels = await tab
      .locator('td svg[role=img]')
      .evaluateAll((svgs) =>
        svgs.map(
          (svg) =>
            svg.getAttribute('aria-label') ??
            svg.ownerDocument.getElementById(svg.getAttribute('aria-labelledby') ?? '')?.textContent,
        ),
      );
    expect(labels).toHaveLength(rows);
    expect(labels).toContain('unhealthy 67%, healthy 33%');
    expect(labels).toContain('healthy 100%');
    expect(await tab.locator('td svg path.d').count()).toBeGreaterThan(0);
    // A steady timeline's bar is its CSS background, in its row's colour.
    const bars = await tab
      .locator('tbody tr.d svg:not([class]):empty, tbody tr:not([class]) svg:not([class]):empty')
      .evaluateAll((svgs) =>
        svgs.map((svg) => svg.ownerDocument.defaultView?.getComputedStyle(svg).backgroundImage),
      );
    expect(bars.length).toBeGreaterThan(0);
    for (const bar of bars) expect(bar).toMatch(/^linear-gradient\(/);
    expect(text).toMatch(/Run at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(text).toMatch(/Last successful read: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    const shot = path.join(out, 'status-desktop.png');
    await tab.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(20_000);
    if (process.env['SCREENSHOT_TO_DOCS'] === '1') {
      // The README's picture: the top of the page, small.
      await tab.setViewportSize({ width: 960, height: 640 });
      await tab.screenshot({ path: path.join(ROOT, 'docs/status-page.png') });
    }
    await context.close();
  });

  it('links every cause to an insight file the run wrote', async () => {
    const tab = await browser.newPage();
    await tab.goto(`file://${index}`);
    const all = await tab.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    // The top's links to the sections of gateways not healthy: each lands on an element of the page.
    const anchors = all.filter((href) => href.startsWith('#'));
    expect(anchors.length).toBeGreaterThan(0);
    for (const anchor of anchors) expect(await tab.locator(anchor).count()).toBe(1);
    const hrefs = all.filter((href) => !href.startsWith('#'));
    // Relative to the page, so they resolve wherever out/ is served from (a folder, a static website):
    // short copies of the insight pages, one per finding, each the page the run wrote for it.
    for (const href of hrefs) expect(href).toMatch(/^s\/[0-9a-z]+\/[0-9a-z]+\.html$/);
    const linked = await Promise.all(hrefs.map((href) => readFile(path.join(out, href), 'utf8')));
    const written = await Promise.all(
      report.gateways.flatMap((g) => g.findings.map((f) => readFile(path.join(out, f.insight.html), 'utf8'))),
    );
    expect(new Set(hrefs).size).toBe(hrefs.length);
    expect([...linked].sort()).toEqual([...written].sort());
    // Each link's text is its finding's cause, next to its server.
    for (const finding of report.gateways.flatMap((g) => g.findings)) {
      const row = tab.locator('tbody tr', {
        has: tab.locator(`td:text-is(${JSON.stringify(finding.address)})`),
      });
      expect(await row.locator('a').count()).toBeGreaterThan(0);
    }
    await tab.close();
  });

  it('the axe-core check can fail: a page with a known serious violation is caught', async () => {
    const tab = await browser.newPage();
    await tab.setContent(
      '<!doctype html><html lang="en"><title>t</title><p style="color:#bbb;background:#fff">faint</p><img src="x.png">',
    );
    expect((await seriousViolations(tab)).join('\n')).toMatch(
      /color-contrast \(serious\)[\s\S]*|image-alt \(critical\)/,
    );
    await tab.close();
  });

  it.each(['light', 'dark'] as const)(
    'axe-core finds no serious or critical violation (%s scheme)',
    async (colorScheme) => {
      const context = await browser.newContext({ colorScheme });
      const tab = await context.newPage();
      await tab.goto(`file://${index}`);
      expect(await seriousViolations(tab)).toEqual([]);
      await context.close();
    },
  );

  it('works without JavaScript, which only adds a filter', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const tab = await context.newPage();
    await tab.goto(`file://${index}`);
    expect(await tab.locator('tbody tr:has(td)').count()).toBeGreaterThan(0);
    expect(await tab.locator('input[type=checkbox]').count()).toBe(0);
    await context.close();

    const scripted = await browser.newPage();
    await scripted.goto(`file://${index}`);
    const all = await scripted.locator('tbody tr:has(td):visible').count();
    await scripted.getByLabel('Show only servers that are not healthy').check();
    const bad = await scripted.locator('tbody tr:has(td):visible').count();
    // Not healthy: every finding, and a state the config does not report (Draining) too.
    expect(bad).toBe(await scripted.locator('tbody tr.d, tbody tr.w').count());
    expect(bad).toBeGreaterThanOrEqual(report.summary.findings);
    expect(bad).toBeLessThan(all);
    await scripted.close();
  });

  // At 360 px every cell's short words (IPv4 addresses too) stay whole; at 320 px the four columns'
  // words leave the address column less than an IPv4 address, which may then break (never a word).
  it.each([
    [320, 'thead th, tbody td:nth-child(2), tbody td:nth-child(3)'],
    [360, 'thead th, tbody td:nth-child(2), tbody td:nth-child(3), tbody td:first-child'],
  ])(
    'fits a %i px phone without sideways scrolling, and splits no header, health or cause word',
    async (width, cells) => {
      const context = await browser.newContext({ viewport: { width, height: 800 }, isMobile: true });
      const tab = await context.newPage();
      await tab.goto(`file://${index}`);
      const { scrollWidth, clientWidth } = await tab.locator('html').evaluate((html) => ({
        scrollWidth: html.scrollWidth,
        clientWidth: html.clientWidth,
      }));
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      // Each word (a run of non-space characters) of these cells on one line: a word split over two
      // lines has two boxes ("Health y", "Unhea lthy", "10.0.1.1 0").
      const split = await tab.locator(cells).evaluateAll((cells) =>
        cells.flatMap((cell) => {
          const found: string[] = [];
          const walker = cell.ownerDocument.createTreeWalker(cell, 4 /* NodeFilter.SHOW_TEXT */);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent ?? '';
            // Longer tokens (an FQDN, an IPv6 address) may break where they must; words never.
            for (const match of text.matchAll(/\S{1,16}(?!\S)/g)) {
              if (match.index > 0 && /\S/.test(text.charAt(match.index - 1))) continue;
              const range = cell.ownerDocument.createRange();
              range.setStart(node, match.index);
              range.setEnd(node, match.index + match[0].length);
              const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
              if (lines.size > 1) found.push(match[0]);
            }
          }
          return found;
        }),
      );
      expect(split).toEqual([]);
      await tab.screenshot({ path: path.join(out, `status-phone-${width}.png`), fullPage: true });
      await context.close();
    },
  );

  it('the word check can fail: a cell that breaks anywhere at 320 px is caught', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 800 }, isMobile: true });
    const tab = await context.newPage();
    await tab.setContent(
      '<!doctype html><html lang="en"><meta name="viewport" content="width=device-width"><title>t</title><table style="table-layout:fixed;width:100%"><tr><td style="width:10%;overflow-wrap:anywhere">Unhealthy<td>x</table>',
    );
    const lines = await tab
      .locator('td')
      .first()
      .evaluate((cell) => {
        const range = cell.ownerDocument.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      });
    expect(lines).toBeGreaterThan(1);
    await context.close();
  });
});
