import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { ROOT, assertBuilt, runCli } from '../helpers/cli';

/**
 * The standalone insight page, as a person sees it: the demo's output opened in headless Chromium
 * (file://, offline), on a desktop and a phone, and printed. Screenshots land in the temp folder;
 * docs/insight.png in the README is refreshed with SCREENSHOT_TO_DOCS=1.
 */
describe('insight page in a real browser', () => {
  let browser: Browser;
  let out: string;
  let page: string;

  beforeAll(async () => {
    assertBuilt();
    out = await mkdtemp(path.join(os.tmpdir(), 'appgw-page-'));
    const { code } = await runCli(['demo', '--out', out]);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const finding = report.gateways
      .flatMap((g: { findings: Array<{ cause: { id: string }; insight: { html: string } }> }) => g.findings)
      .find((f: { cause: { id: string } }) => f.cause.id === 'status-code-mismatch');
    page = path.join(out, finding.insight.html);
    browser = await launchChromium();
  }, 60_000);
  afterAll(() => browser?.close());

  it('shows the facts header, the seed text and the cause section, with no request leaving the file', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const tab = await context.newPage();
    const requests: string[] = [];
    tab.on('request', (r) => requests.push(r.url()));
    await tab.goto(`file://${page}`);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    const text = await tab.locator('body').innerText();
    for (const expected of [
      'Gateway',
      'Backend pool',
      'Backend settings',
      'Server',
      'Health',
      'Checked (UTC)',
      'Recommended Steps',
      'What the probe reported',
      'What to do',
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
    await tab.screenshot({ path: path.join(out, 'insight-phone.png'), fullPage: true });
    await context.close();
  });

  it('prints to PDF', async () => {
    const tab = await browser.newPage();
    await tab.goto(`file://${page}`);
    const pdf = await tab.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await tab.close();
  });
});
