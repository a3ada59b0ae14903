import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildTeamsGroupCard } from '../../../src/adapters/webhooks/teams/teams-group';
import { buildTeamsCard } from '../../../src/adapters/webhooks/teams/teams-payload';
import { causeFor } from '../../../src/core/causes';
import { noticeGroup } from '../../../src/core/notice/grouping';
import { launchChromium } from '../../helpers/chromium';
import { ROOT } from '../../helpers/cli';
import { sampleNotice } from './support/notices';

/**
 * The grouped Teams card as a person sees it: rendered by the Adaptive Cards SDK (the package's UMD
 * build, its default host config) in headless Chromium, offline. The screenshot lands in the temp
 * folder; docs/grouped-teams-card.png in the README ("Grouping") is refreshed from it with
 * SCREENSHOT_TO_DOCS=1, so the picture is always the card the code builds.
 */

/** Three servers of two pools went bad in one run: pool-api wholly (critical), pool-web partly (warning). */
const GROUP = noticeGroup([
  sampleNotice({ id: 'appgw-00000000000000a1', occurredAt: '2026-11-30T10:15:00.000Z' }),
  sampleNotice({
    id: 'appgw-00000000000000a2',
    occurredAt: '2026-11-30T10:15:00.000Z',
    server: { address: '10.0.1.5', health: 'Unhealthy', probeLog: 'Received invalid status code: 503' },
  }),
  sampleNotice({
    id: 'appgw-00000000000000a3',
    occurredAt: '2026-11-30T10:15:00.000Z',
    backendPool: 'pool-web',
    backendSettings: 'settings-http',
    severity: 'warning',
    server: {
      address: 'web-02.contoso.internal',
      health: 'Unhealthy',
      probeLog:
        'Time taken by the backend to respond to application gateway health probe is more than the timeout threshold.',
    },
    cause: causeFor('probe-timeout'),
  }),
]);

const SDK = readFile(path.join(ROOT, 'node_modules/adaptivecards/dist/adaptivecards.min.js'), 'utf8');

describe('grouped Teams card in a real browser (Adaptive Cards SDK)', () => {
  let browser: Browser;
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'appgw-teams-card-'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await rm(out, { recursive: true, force: true });
  });

  /** The card's text as the SDK renders it in the page, white space folded. */
  const renderedText = async (card: Record<string, unknown>): Promise<string> => {
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      await tab.setContent('<!doctype html><html lang="en"><body><div id="card"></div></body></html>');
      await tab.addScriptTag({ content: await SDK });
      await tab.evaluate((json) => {
        const sdk = (globalThis as unknown as { AdaptiveCards: typeof import('adaptivecards') })
          .AdaptiveCards;
        const adaptiveCard = new sdk.AdaptiveCard();
        adaptiveCard.parse(json);
        const page = globalThis as unknown as {
          document: { getElementById(id: string): { appendChild(node: unknown): void } | null };
        };
        page.document.getElementById('card')?.appendChild(adaptiveCard.render());
      }, card);
      return (await tab.locator('#card').innerText()).replace(/\s+/g, ' ');
    } finally {
      await context.close();
    }
  };

  /**
   * Adaptive Cards turn `{{DATE(…)}}` and `{{TIME(…)}}` in a text into a date in the reader's locale: a
   * probe message or a name written so showed `1/1/2020` (a break trial). Each shows as the gateway has it.
   */
  it.each([
    ['the per-server card', (notice: ReturnType<typeof sampleNotice>) => buildTeamsCard(notice)],
    [
      'the grouped card',
      (notice: ReturnType<typeof sampleNotice>) => buildTeamsGroupCard(noticeGroup([notice])),
    ],
  ])('%s shows {{DATE(…)}} and {{TIME(…)}} in untrusted values as written', async (_, build) => {
    const date = '{{DATE(2020-01-01T00:00:00Z)}}';
    const time = '{{TIME(2020-01-01T13:45:00Z)}}';
    const notice = sampleNotice({
      gateway: { ...sampleNotice().gateway, name: `agw-${date}` },
      backendPool: `pool-${time}`,
      server: {
        address: `10.0.1.4 ${date}`,
        health: 'Unhealthy',
        probeLog: `Received ${date} ${time} {{{DATE(2020-01-01T00:00:00Z)}}}`,
      },
    });
    const text = (await renderedText(build(notice))).replace(/\u200B/g, '');
    expect(text).toContain(`10.0.1.4 ${date}`);
    expect(text).toContain(`agw-${date}`);
    if (!text.includes('…'))
      expect(text).toContain(`Received ${date} ${time} {{{DATE(2020-01-01T00:00:00Z)}}}`);
    expect(text).not.toMatch(/\b2020\b(?!-01-01T)/);
  });

  it('renders the headline, the gateway, each pool and each server with its severity, health and cause', async () => {
    const context = await browser.newContext({ viewport: { width: 560, height: 400 }, deviceScaleFactor: 2 });
    const tab = await context.newPage();
    await tab.setContent(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><style>body{margin:0;background:#fff}#card{width:560px}</style></head><body><div id="card"></div></body></html>',
    );
    await tab.addScriptTag({ content: await SDK });
    const card = buildTeamsGroupCard(GROUP);
    const problems = await tab.evaluate((json) => {
      const sdk = (globalThis as unknown as { AdaptiveCards: typeof import('adaptivecards') }).AdaptiveCards;
      const adaptiveCard = new sdk.AdaptiveCard();
      const found: string[] = [];
      adaptiveCard.parse(json);
      const rendered = adaptiveCard.render();
      if (!rendered) found.push('the SDK rendered nothing');
      else {
        // The page's DOM (this project compiles without the DOM types).
        const page = globalThis as unknown as {
          document: { getElementById(id: string): { appendChild(node: unknown): void } | null };
        };
        page.document.getElementById('card')?.appendChild(rendered);
      }
      return found;
    }, card);
    expect(problems).toEqual([]);
    const text = (await tab.locator('#card').innerText()).replace(/\s+/g, ' ');
    for (const expected of [
      'Backend servers: 3 degraded',
      'agw-prod',
      'Resource group',
      'Pool pool-api · settings settings-https',
      '10.0.1.4 · critical · Unhealthy ·',
      '10.0.1.5 · critical · Unhealthy ·',
      'Pool pool-web · settings settings-http',
      'web-02.contoso.internal · warning · Unhealthy ·',
      `Group ${GROUP.id} · 3 notices · 2026-11-30T10:15:00.000Z`,
    ]) {
      expect(text).toContain(expected);
    }
    const shot = path.join(out, 'grouped-teams-card.png');
    await tab.locator('#card').screenshot({ path: shot });
    expect((await stat(shot)).size).toBeGreaterThan(20_000);
    if (process.env['SCREENSHOT_TO_DOCS'] === '1')
      await tab.locator('#card').screenshot({ path: path.join(ROOT, 'docs/grouped-teams-card.png') });
    await context.close();
  });
});
