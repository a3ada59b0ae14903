'use strict';
/**
 * Status page size: renders the page for fleets of 100 gateways × 10 servers with a week of 5-minute
 * readings (short or long names, some or all servers not healthy, flapping at several periods) and
 * prints its bytes with a breakdown by element kind (style, script, links, timeline names, svgs,
 * gateway headings, pool headers, other tags, whitespace, text), to see where the bytes go.
 *
 * Usage: node bench/status-size.js (after npm run build). It prints figures; it asserts nothing (the
 * limits are in test/insight/status/status-page.test.ts).
 */
const { Buffer } = require('node:buffer');
const path = require('node:path');
const dist = (p) => require(path.join(__dirname, '..', 'dist', 'src', p));
const { renderStatusPage } = dist('insight/status/status-page');
const { statusView } = dist('insight/status/status-view');
const { serverKey } = dist('core/notice/server-record');

const MINUTE = 60_000;
const DAY = 86_400_000;
const NOW = Date.parse('2026-11-30T06:00:00.000Z');
const hex = (n, width) => n.toString(16).padStart(width, '0');

function gatewayRef(name, resourceGroup, subscriptionId) {
  const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/applicationGateways/${name}`;
  return { id, name, resourceGroup, subscriptionId };
}

/** 100 × 10 histories: `bad` servers per gateway not healthy now, flapping every `flap` readings (0: never). */
function fleet({ bad, flap = 0, long = false }) {
  const count = (7 * DAY) / (5 * MINUTE);
  const readings = Array.from({ length: count }, (_, i) =>
    new Date(NOW - 5 * MINUTE * (count - 1 - i)).toISOString(),
  );
  return Array.from({ length: 100 }, (_, gi) => {
    const id = String(gi).padStart(3, '0');
    const g = long
      ? gatewayRef(
          `appgw-contoso-retail-commerce-platform-production-westeurope-public-ingress-${id}`.slice(-80),
          `rg-contoso-retail-commerce-prod-weu-${id}`,
          `${hex(0x3f2504e0 + gi, 8)}-4f89-11d3-9a0c-${hex(0x0305e82c3301 + gi, 12)}`,
        )
      : gatewayRef(
          `appgw-prod-weu-${id}`,
          `rg-prod-workload-${gi % 7}`,
          '00000000-0000-0000-0000-000000000000',
        );
    const servers = {};
    for (let si = 0; si < 10; si++) {
      const pool = long ? `bepool-checkout-api-blue-${si % 3}-weu` : `pool-web-${si % 3}`;
      const settings = long ? 'behttpsettings-checkout-api-443' : 'settings-https';
      const address = !long
        ? `10.${gi}.${si}.${100 + si}`
        : gi % 2 === 0
          ? `2001:0db8:${hex(gi, 4)}:${hex(si, 4)}:0000:0000:0000:${hex(0x100 + si, 4)}`
          : `checkout-api-${hex(gi, 3)}-${si}.blue.weu.internal.contoso-retail.example`.padEnd(60, 'x');
      const isBad = si < bad;
      const shift = Math.floor((si * flap) / 10);
      const samples = Array.from({ length: count }, (_, i) =>
        isBad && (flap === 0 || i === count - 1 || Math.floor((i + shift) / flap) % 2 === 1) ? '1' : '0',
      ).join('');
      servers[serverKey({ gateway: g, backendPool: pool, backendSettings: settings, address })] = {
        backendPool: pool,
        backendSettings: settings,
        address,
        values: [
          ['Healthy', 'healthy', null],
          ['Unhealthy', 'unhealthy', 'status-code-mismatch'],
        ],
        samples,
      };
    }
    return {
      version: 1,
      gateway: g,
      lastReadAt: readings.at(-1),
      readings,
      outcomes: '+'.repeat(count),
      servers,
    };
  });
}

/** Bytes by element kind: each kind's matches are taken out before the next is looked for. */
function breakdown(html) {
  const kinds = {};
  let rest = html;
  const take = (kind, re) => {
    rest = rest.replace(re, (m) => {
      kinds[kind] = (kinds[kind] ?? 0) + Buffer.byteLength(m);
      return '';
    });
  };
  take('style', /<style>[\s\S]*?<\/style>/g);
  take('script', /<script>[\s\S]*?<\/script>/g);
  take('href', /href=("[^"]*"|[^\s>]+)/g);
  take('timeline name', /aria-label(ledby)?=("[^"]*"|[^\s>]+)/g);
  take('svg', /<svg[^>]*\/>|<svg[\s\S]*?<\/svg>/g);
  take('h2', /<h2>[\s\S]*?<\/h2>/g);
  take('pool header', /<tbody><tr><th[^\n]*/g);
  take('other tags', /<[^>]*>/g);
  take('whitespace', /\s/g);
  kinds.text = Buffer.byteLength(rest);
  return kinds;
}

const SHAPES = [
  ['short names, 1 in 10 not healthy, flapping every 3 h', { bad: 1, flap: 36 }],
  ['short names, 3 in 10 not healthy, flapping every 3 h', { bad: 3, flap: 36 }],
  ['short names, all not healthy', { bad: 10 }],
  ['short names, all not healthy, flapping every 14 h', { bad: 10, flap: 168 }],
  ['long names, all healthy', { bad: 0, long: true }],
  ['long names, all not healthy', { bad: 10, long: true }],
  ['long names, all not healthy, flapping every 14 h', { bad: 10, flap: 168, long: true }],
];
for (const [label, shape] of SHAPES) {
  const html = renderStatusPage(
    statusView({
      now: new Date(NOW),
      runStartedAt: new Date(NOW - 5 * MINUTE),
      retentionInMs: 7 * DAY,
      histories: fleet(shape),
    }),
  );
  const parts = Object.entries(breakdown(html))
    .map(([kind, bytes]) => `${kind} ${(bytes / 1000).toFixed(1)}`)
    .join(', ');
  console.log(`${label.padEnd(52)} ${String(Buffer.byteLength(html)).padStart(7)} bytes (KB: ${parts})`);
}
