import fc from 'fast-check';
import type { CauseId } from '../../../src/core/causes';
import { readHealth } from '../../../src/core/health';
import type { GatewayRef } from '../../../src/core/model';
import { serverKey } from '../../../src/core/notice/server-record';
import {
  addReading,
  VALUE_ALPHABET,
  type GatewayReading,
  type HistoryDocument,
  type HistoryValue,
  type ServerReading,
} from '../../../src/core/status/history';
import { insightPath } from '../../../src/insight/insight-path';
import { renderStatusPage } from '../../../src/insight/status/status-page';
import { statusView, TIMELINE_SLOTS, type SlotState } from '../../../src/insight/status/status-view';
import { gatewayRef } from '../../helpers/delivery-builder';

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
const NOW = Date.parse('2026-11-30T06:00:00.000Z');

function gw(
  name: string,
  resourceGroup = 'rg-prod-weu',
  subscriptionId = '00000000-0000-0000-0000-000000000000',
): GatewayRef {
  return gatewayRef(name, resourceGroup, subscriptionId);
}
function server(
  gateway: GatewayRef,
  address: string,
  health = 'Healthy',
  cause: CauseId | null = null,
  pool = 'pool-web',
  settings = 'settings-https',
): ServerReading {
  return {
    key: serverKey({ gateway, backendPool: pool, backendSettings: settings, address }),
    backendPool: pool,
    backendSettings: settings,
    address,
    health,
    state: readHealth(health),
    cause,
  };
}
const ok = (atMs: number, servers: ServerReading[]): GatewayReading => ({
  at: new Date(atMs),
  ok: true,
  servers,
});
const failed = (atMs: number, message = 'ARM answered 503'): GatewayReading => ({
  at: new Date(atMs),
  ok: false,
  error: { code: 'BackendHealthUnavailable', message },
});
function history(gateway: GatewayRef, readings: GatewayReading[]): HistoryDocument {
  return readings.reduce<HistoryDocument | undefined>(
    (d, r) => addReading(d, gateway, r, WEEK),
    undefined,
  ) as HistoryDocument;
}
const page = (histories: HistoryDocument[], runStartedAt = NOW - MINUTE) =>
  renderStatusPage(
    statusView({ now: new Date(NOW), runStartedAt: new Date(runStartedAt), retentionInMs: WEEK, histories }),
  );
const view = (histories: HistoryDocument[], runStartedAt = NOW - MINUTE) =>
  statusView({ now: new Date(NOW), runStartedAt: new Date(runStartedAt), retentionInMs: WEEK, histories });

describe('status view: gateways → pools → servers, as last read', () => {
  const shop = gw('appgw-shop');
  const doc = history(shop, [
    ok(NOW - 2 * DAY, [
      server(shop, '10.0.0.1'),
      server(shop, '10.0.0.2', 'Down', 'probe-timeout'),
      server(shop, 'old'),
    ]),
    ok(NOW - 10_000, [
      server(shop, '10.0.0.10'),
      server(shop, '10.0.0.2', 'Down', 'probe-timeout'),
      server(shop, '10.0.0.1', 'Healthy', null, 'pool-api'),
    ]),
  ]);

  it('lists the servers of the last successful read only, by pool and settings, sorted by name', () => {
    const [status] = view([doc]).gateways;
    expect(status?.stale).toBeUndefined();
    expect(status?.pools.map((p) => [p.backendPool, p.servers.map((s) => s.address)])).toEqual([
      ['pool-api', ['10.0.0.1']],
      ['pool-web', ['10.0.0.2', '10.0.0.10']],
    ]);
  });

  it("links a reported server to the insight the run wrote for it (the insight writer's own path)", () => {
    const down = view([doc]).gateways[0]?.pools[1]?.servers[0];
    expect(down?.insightHref).toBe(
      `${insightPath({ gateway: shop, backendPool: 'pool-web', backendSettings: 'settings-https', address: '10.0.0.2' })}.html`,
    );
    expect(view([doc]).gateways[0]?.pools[1]?.servers[1]?.insightHref).toBeUndefined();
  });

  it.each<[string, GatewayReading[], number, 'failed' | 'not-read' | undefined, RegExp | undefined]>([
    ['read by this run', [ok(NOW - 10_000, [])], NOW - MINUTE, undefined, undefined],
    [
      'its read failed this run',
      [ok(NOW - DAY, [server(shop, 'a')]), failed(NOW - 10_000)],
      NOW - MINUTE,
      'failed',
      /this run's read failed at .*2026-11-30 05:59:50 UTC.*BackendHealthUnavailable: ARM answered 503.*as last read/,
    ],
    [
      'not read by this run',
      [ok(NOW - DAY, [server(shop, 'a')])],
      NOW - MINUTE,
      'not-read',
      /this run did not read this gateway/,
    ],
    ['never read successfully', [failed(NOW - 10_000)], NOW - MINUTE, 'failed', /no successful read is kept/],
    [
      // The Functions app judges by the previous discovery: both readings are since then.
      'read since the reference, then its read failed',
      [ok(NOW - 20_000, [server(shop, 'a')]), failed(NOW - 10_000)],
      NOW - MINUTE,
      'failed',
      /this run's read failed at .*2026-11-30 05:59:50 UTC.*BackendHealthUnavailable: ARM answered 503.*as last read/,
    ],
    [
      'failed before the reference, not read since',
      [ok(NOW - DAY, [server(shop, 'a')]), failed(NOW - 2 * MINUTE)],
      NOW - MINUTE,
      'not-read',
      /this run did not read this gateway.*BackendHealthUnavailable/,
    ],
  ])(
    'a gateway %s is marked stale (in words, with the time) or not',
    (_, readings, runStartedAt, stale, note) => {
      const histories = [history(shop, readings)];
      expect(view(histories, runStartedAt).gateways[0]?.stale).toBe(stale);
      const html = page(histories, runStartedAt);
      if (note) {
        expect(html).toMatch(note);
        expect(html).toContain('appgw-shop <span class="stale-tag">(stale)</span>');
      } else expect(html).not.toContain('Stale');
    },
  );

  it('leaves out a gateway with no reading within the retention', () => {
    expect(view([history(shop, [ok(NOW - WEEK - 1, [server(shop, 'a')])])]).gateways).toEqual([]);
  });
});

describe('timeline: the window in slots, each the worst state read in it', () => {
  const g = gw('gw');
  const slotsOf = (readings: GatewayReading[], address = 'a') =>
    view([history(g, readings)]).gateways[0]?.pools[0]?.servers.find((s) => s.address === address)?.timeline;
  const start = NOW - DAY; // the oldest reading below: the window's left edge
  const slot = DAY / TIMELINE_SLOTS;
  const all = (state: SlotState) => Array<SlotState>(TIMELINE_SLOTS).fill(state);

  it.each<[string, GatewayReading[], SlotState[]]>([
    ['steady healthy', [ok(start, [server(g, 'a')]), ok(NOW, [server(g, 'a')])], all('up')],
    [
      'down in the middle slot only',
      [
        ok(start, [server(g, 'a')]),
        ok(start + 24 * slot + 1, [server(g, 'a', 'Down', 'other')]),
        ok(start + 25 * slot + 1, [server(g, 'a')]),
        ok(NOW, [server(g, 'a')]),
      ],
      [...all('up').slice(0, 24), 'down', ...all('up').slice(25)],
    ],
    [
      'one bad reading among good ones in a slot: the slot is bad',
      [
        ok(start, [server(g, 'a')]),
        ok(start + 1, [server(g, 'a', 'Unknown', 'health-unknown')]),
        ok(start + 2, [server(g, 'a')]),
        ok(NOW, [server(g, 'a')]),
      ],
      ['warn', ...all('up').slice(1)],
    ],
    [
      'a failed read: not read until the next reading',
      [
        ok(start, [server(g, 'a')]),
        failed(start + 10 * slot + 1),
        ok(start + 20 * slot + 1, [server(g, 'a')]),
        ok(NOW, [server(g, 'a')]),
      ],
      [...all('up').slice(0, 10), ...all('none').slice(0, 10), ...all('up').slice(20)],
    ],
    [
      'a server added later: not read before',
      [
        ok(start, [server(g, 'b')]),
        ok(start + 40 * slot + 1, [server(g, 'a'), server(g, 'b')]),
        ok(NOW, [server(g, 'a'), server(g, 'b')]),
      ],
      [...all('none').slice(0, 40), ...all('up').slice(40)],
    ],
  ])('%s', (_, readings, expected) => {
    expect(slotsOf(readings)).toEqual(expected);
  });

  it('draws each run of equal slots as one segment, each state at its own height (not only its colour)', () => {
    const html = page([
      history(g, [
        ok(start, [server(g, 'a')]),
        ok(start + 24 * slot + 1, [server(g, 'a', 'Down', 'other')]),
        ok(NOW, [server(g, 'a', 'Down', 'other')]),
      ]),
    ]);
    expect(html).toContain('<path class=u d="M0 3.5h24"/><path class=d d="M24 2h24"/>');
    expect(html).toContain('role=img aria-label="unhealthy 67%, healthy 33%"');
  });
});

describe('status page: HTML', () => {
  it('says each state in words and a symbol beside its colour, the value as reported with the normalised state', () => {
    const g = gw('gw');
    const html = page([
      history(g, [
        ok(NOW - 1_000, [
          server(g, 'a', 'Down', 'probe-timeout'),
          server(g, 'b', 'Healthy'),
          server(g, 'c', 'Unknown', 'health-unknown'),
          server(g, 'd', 'Up'),
        ]),
      ]),
    ]);
    expect(html).toMatch(
      /<td class=d>✕ Down <small>\(unhealthy\)<\/small><td><a href="insights\/[^"]+\.html">Probe timeout<\/a>/,
    );
    expect(html).toContain('<td>✓ Healthy<td><td>');
    expect(html).toContain('<td class=w>? Unknown<td><a');
    expect(html).toContain('<td>✓ Up <small>(healthy)</small>');
  });

  const hostile = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom(
      '<script>alert(1)</script>',
      '"><img src=x onerror=alert(1)>',
      "' onmouseover='x",
      '&lt;',
      '</table><h1>x',
      '<!--',
      ']]>',
      '\u202e',
    ),
  );

  it('escapes every value from the network: names, addresses, health and error messages add no markup', () => {
    fc.assert(
      fc.property(
        hostile,
        hostile,
        hostile,
        hostile,
        hostile,
        hostile,
        (name, rg, pool, address, health, message) => {
          const g = gw(name, rg);
          const readings = [
            ok(NOW - 2_000, [server(g, address, health, 'other', pool, pool)]),
            failed(NOW - 1_000, message),
          ];
          const html = page([history(g, readings)]);
          // The same page with harmless values has the same tags: the values changed no structure.
          const plain = gw('g', 'r');
          const reference = page([
            history(plain, [
              ok(NOW - 2_000, [
                server(
                  plain,
                  'x',
                  readHealth(health) === 'healthy' ? 'Healthy' : health.replace(/[<>&"']/g, '') || 'Sick',
                  'other',
                  'p',
                  'p',
                ),
              ]),
              failed(NOW - 1_000, 'm'),
            ]),
          ]);
          expect(tags(html)).toEqual(tags(reference));
        },
      ),
    );
  });

  it('is one standalone file: no external URL, no request', () => {
    const g = gw('gw');
    const html = page([history(g, [ok(NOW - 1_000, [server(g, 'a', 'Down', 'probe-timeout')])])]);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/@import|url\(/);
  });

  // 100 gateways of 10 servers in 3 pools each, GUID subscriptions, 20-character names, a week of
  // 5-minute runs (2 016 readings): the page is mostly rows, and a not-healthy row carries its insight's
  // path (about 130 bytes), so its size follows how many servers are not healthy.
  it.each([
    { label: 'one server in ten not healthy, flapping every 3 hours', bad: 1, flapEvery: 36, limit: 200_000 },
    { label: 'three in ten not healthy, flapping', bad: 3, flapEvery: 36, limit: 240_000 },
    { label: 'every server not healthy', bad: 10, flapEvery: 0, limit: 360_000 },
  ])('100 gateways × 10 servers, $label: under $limit bytes', ({ bad, flapEvery, limit }) => {
    const html = page(fleet(100, 10, { bad, flapEvery }), NOW - 5 * MINUTE);
    expect(html).toContain('1000 servers');
    expect(Buffer.byteLength(html)).toBeLessThan(limit);
  });
});

/** The page's tags and attribute names, in order, without values or text. */
function tags(html: string): string[] {
  return [...html.matchAll(/<\/?([a-z0-9]+)((?:\s+[a-z-]+(?:="[^"]*"|=[^\s"'=<>`]+)?)*)\s*\/?>/g)].map(
    (m) => `${m[1]}${(m[2] ?? '').replace(/=("[^"]*"|[^\s"'=<>`]+)/g, '')}`,
  );
}

/**
 * `gateways` × `servers` with a week of 5-minute readings, built as addReading would leave them (one
 * sample per server and reading) without making 2 016 readings each: `bad` servers per gateway are
 * unhealthy now, and flap every `flapEvery` readings (0: always down).
 */
function fleet(
  gateways: number,
  servers: number,
  options: { bad: number; flapEvery: number },
): HistoryDocument[] {
  const count = (7 * DAY) / (5 * MINUTE);
  const readings = Array.from({ length: count }, (_, i) =>
    new Date(NOW - 5 * MINUTE * (count - 1 - i)).toISOString(),
  );
  return Array.from({ length: gateways }, (_, gi) => {
    const g = gw(`appgw-prod-weu-${String(gi).padStart(3, '0')}`, `rg-prod-workload-${gi % 7}`);
    const docServers: Record<string, HistoryDocument['servers'][string]> = {};
    for (let si = 0; si < servers; si++) {
      const pool = `pool-web-${si % 3}`;
      const address = `10.${gi}.${si}.${100 + si}`;
      const isBad = si < options.bad;
      const values: HistoryValue[] = [
        ['Healthy', 'healthy', null],
        ['Unhealthy', 'unhealthy', 'status-code-mismatch'],
      ];
      const samples = Array.from({ length: count }, (_, i) =>
        !isBad
          ? '0'
          : options.flapEvery === 0 || i === count - 1 || Math.floor(i / options.flapEvery) % 2 === 1
            ? '1'
            : '0',
      ).join('');
      docServers[serverKey({ gateway: g, backendPool: pool, backendSettings: 'settings-https', address })] = {
        backendPool: pool,
        backendSettings: 'settings-https',
        address,
        values: isBad ? values : [values[0] as HistoryValue],
        samples: isBad ? samples : samples.replaceAll('1', '0'),
      };
    }
    expect(VALUE_ALPHABET.charAt(1)).toBe('1');
    return {
      version: 1,
      gateway: g,
      lastReadAt: readings.at(-1),
      readings,
      outcomes: '+'.repeat(count),
      servers: docServers,
    } as HistoryDocument;
  });
}
