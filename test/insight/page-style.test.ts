import { gatewayRef } from '../../src/core/arm-id';
import { renderGatewayPage } from '../../src/insight/gateway-page';
import { PAGE_STYLE, PALETTE, TEXT_ON_BACKGROUND } from '../../src/insight/page-style';
import { contrastRatio } from '../helpers/wcag-contrast';

/** WCAG 2.2 SC 1.4.3 (Contrast, minimum) for text of normal size. */
const TEXT_MINIMUM = 4.5;

describe('contrastRatio (WCAG 2.2)', () => {
  it.each([
    ['#000000', '#ffffff', 21],
    ['#ffffff', '#ffffff', 1],
    ['#777777', '#ffffff', 4.48],
    ['#767676', '#ffffff', 4.54],
    ['#fff', '#000', 21],
    // The issue's measurements of the old dark badges: white on the dark scheme's --warn and --bad.
    ['#ffffff', '#fdb022', 1.84],
    ['#ffffff', '#f97066', 2.78],
  ])('%s on %s is %d:1', (fg, bg, ratio) => {
    expect(contrastRatio(fg, bg)).toBeCloseTo(ratio, 1);
  });
});

/** The custom properties of a `:root{…}` block, by name. */
function customProperties(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/(--[\w-]+):([^;}]+)/g)].map((m) => [m[1], m[2]?.trim()]));
}

const cssName = (token: string): string => `--${token.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

describe('every text colour of the stylesheet on every background it is drawn on', () => {
  // Read from the stylesheet itself, so a colour changed in the CSS cannot escape the table.
  const light = customProperties(/^:root\{([^}]*)\}/m.exec(PAGE_STYLE)?.[1] ?? '');
  const dark = customProperties(
    /@media \(prefers-color-scheme:dark\)\{:root\{([^}]*)\}\}/.exec(PAGE_STYLE)?.[1] ?? '',
  );

  it('defines the palette in both schemes', () => {
    for (const [scheme, props] of [
      ['light', light],
      ['dark', dark],
    ] as const) {
      for (const token of Object.keys(PALETTE[scheme]))
        expect(props[cssName(token)]).toMatch(/^#[0-9a-f]{6}$/);
    }
  });

  it.each(
    TEXT_ON_BACKGROUND.flatMap(([what, fg, bg]) =>
      (['light', 'dark'] as const).map((scheme) => [scheme, what, cssName(fg), cssName(bg)] as const),
    ),
  )('%s: %s (%s on %s) is at least 4.5:1', (scheme, _, fg, bg) => {
    const props = scheme === 'light' ? light : dark;
    const ratio = contrastRatio(props[fg] ?? '', props[bg] ?? '');
    expect(ratio).toBeGreaterThanOrEqual(TEXT_MINIMUM);
  });

  const gatewayStyle =
    /<style>([\s\S]*?)<\/style>/.exec(
      renderGatewayPage(gatewayRef('sub', 'rg', 'appgw'), 2, [], new Date(0)),
    )?.[1] ?? '';

  it.each([
    ['the insight page', PAGE_STYLE],
    ['the gateway page', gatewayStyle],
  ])('%s: each color and background is a palette token the table lists', (_, css) => {
    const rules = css.replace(/^:root\{[^}]*\}$|^@media \(prefers-color-scheme:dark\)\{.*\}$/gm, '');
    const texts = new Set(TEXT_ON_BACKGROUND.map(([, fg]) => cssName(fg)));
    const backgrounds = new Set(TEXT_ON_BACKGROUND.map(([, , bg]) => cssName(bg)));
    const colours = [...rules.matchAll(/(?<![\w-])color:([^;}]+)/g)].map((m) => m[1]?.trim());
    const fills = [...rules.matchAll(/background(?:-color)?:([^;}]+)/g)].map((m) => m[1]?.trim());
    expect(colours.length).toBeGreaterThan(3);
    for (const value of colours) expect(texts).toContain(/^var\((--[\w-]+)\)$/.exec(value ?? '')?.[1]);
    for (const value of fills) expect(backgrounds).toContain(/^var\((--[\w-]+)\)$/.exec(value ?? '')?.[1]);
    // No colour outside the palette: a literal would bypass the table.
    expect(rules).not.toMatch(/#[0-9a-f]{3,8}\b|rgba?\(|hsla?\(/i);
  });
});
