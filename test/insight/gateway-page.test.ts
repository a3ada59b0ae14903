import { gatewayRef } from '../../src/core/arm-id';
import { renderGatewayPage } from '../../src/insight/gateway-page';

const gateway = gatewayRef('00000000-0000-0000-0000-000000000000', 'rg-web', 'appgw-prod');
const now = new Date('2026-12-04T03:00:00Z');
const titleOf = (html: string) => /<title>(.*)<\/title>/.exec(html)?.[1];
const badgeOf = (html: string) => /<p class="status ([^"]+)">/.exec(html)?.[1];

// A break trial: a gateway with a server draining (Draining is left out of unhealthyStates by default)
// was "All 5 backend server(s) healthy" on the on-demand HTTP insight.
describe('renderGatewayPage: a gateway with no finding', () => {
  it.each([
    [undefined, 'appgw-prod: All 5 backend server(s) healthy', 'status-draining'],
    [{ draining: 1 }, 'appgw-prod: 4 of 5 backend server(s) healthy, 1 draining', 'status-unknown'],
    [
      { draining: 1, unknown: 2 },
      'appgw-prod: 2 of 5 backend server(s) healthy, 1 draining, 2 unknown (not counted: unhealthyStates leaves Unknown out)',
      'status-unknown',
    ],
  ] as const)('servers not reported %j: %s', (notReported, title, badge) => {
    const html = renderGatewayPage(gateway, 5, [], now, [], notReported);
    expect(titleOf(html)).toBe(title);
    expect(badgeOf(html)).toBe(badge);
  });

  it('an incomplete reading counts its servers not reported too', () => {
    const html = renderGatewayPage(gateway, 3, [], now, ['pool-b'], { draining: 1 });
    expect(titleOf(html)).toBe(
      'appgw-prod: Reading incomplete: 1 backend pool(s) not read (pool-b); 0 of the 3 backend server(s) read not healthy, 1 draining',
    );
    expect(badgeOf(html)).toBe('status-unhealthy');
  });
});
