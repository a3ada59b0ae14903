/** The configuration a fan-out message carries: short enough for a queue message, read strictly when used. */
import { readGatewayConfig } from '../../src/core/gateway-config';
import {
  CARRIED_CONFIGURATION_MAX_BYTES,
  QUEUE_MESSAGE_MAX_CHARS,
  carried,
  configurationOf,
  readCarriedConfiguration,
  withinQueueMessage,
} from '../../src/pipeline/carried-configuration';
import { readGatewayMessage } from '../../src/pipeline/fan-out';
import { encodeMessage } from '../../src/adapters/queue/storage-queue';
import type { GatewayMessage } from '../../src/ports';
import { gatewayNamed } from '../helpers/memory';

const gw = gatewayNamed('gw-a');
const resource = (pools = 1) => ({
  tags: { env: 'prod' },
  properties: {
    sku: { name: 'Standard_v2', tier: 'Standard_v2' },
    backendAddressPools: Array.from({ length: pools }, (_, i) => ({
      name: `pool-${i}`,
      properties: { backendAddresses: [{ ipAddress: '10.0.0.4' }, { fqdn: `app-${i}.contoso.net` }] },
    })),
  },
});
const messageWith = (configuration: unknown): GatewayMessage =>
  ({ version: 1, runId: 'r', gatewayId: gw.id, configuration }) as GatewayMessage;

/** A continuation with every field at its longest (an operation URL of 2 000 `char`s), carrying `carried`. */
function longestContinuation(
  char: string,
  runIdLength: number,
  carriedPart: ReturnType<typeof carried>,
): GatewayMessage {
  return {
    version: 2,
    runId: char.repeat(runIdLength),
    gatewayId: gw.id,
    discoveredAt: new Date(0).toISOString(),
    operation: { location: `https://management.azure.com/${char.repeat(2000)}` },
    startedAt: new Date(0).toISOString(),
    polls: Number.MAX_SAFE_INTEGER,
    invocations: Number.MAX_SAFE_INTEGER,
    handlerActiveInMs: Number.MAX_SAFE_INTEGER,
    deferrals: { count: Number.MAX_SAFE_INTEGER, handlerActiveInMs: Number.MAX_SAFE_INTEGER },
    deferredSince: new Date(0).toISOString(),
    ...carriedPart,
  };
}

describe('carried: what a message carries', () => {
  it('a configuration short enough rides with the message, and the message stays within a queue message', () => {
    let pools = 1;
    while (JSON.stringify(resource(pools + 1)).length <= CARRIED_CONFIGURATION_MAX_BYTES) pools += 1;
    const largest = carried(resource(pools));
    expect(largest.configuration).toEqual(resource(pools));
    // Put Message takes at most 64 KiB: the largest carried configuration with the longest continuation.
    const continuation = longestContinuation('x', 100, largest);
    expect(encodeMessage(continuation).length).toBeLessThanOrEqual(64 * 1024 - 8 * 1024);
  });

  it('one longer than a message carries stays behind: the GET reads it', () => {
    let pools = 1;
    while (JSON.stringify(resource(pools)).length <= CARRIED_CONFIGURATION_MAX_BYTES) pools += 1;
    expect(carried(resource(pools))).toEqual({});
    expect(carried(undefined)).toEqual({});
  });
});

// Break trial: the cap counted characters, while a message's Base64 counts UTF-8 bytes: 50 tags of 256
// CJK characters and two probes' body matches of 4 090 (each within ARM's limits) made an 85 KB message,
// Put Message answered 413, and the timer queued no gateway at all.
describe('withinQueueMessage: every message within Put Message’s 64 KiB', () => {
  const cjk = (n: number) => '界'.repeat(n);
  const wide = {
    tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, cjk(256)])),
    properties: {
      sku: { name: 'Standard_v2', tier: 'Standard_v2' },
      probes: [0, 1].map((i) => ({
        name: `p${i}`,
        properties: { protocol: 'Http', path: '/', match: { body: cjk(4_090) } },
      })),
    },
  };

  it('a configuration of 3-byte characters under the cap in characters is measured in bytes: not carried', () => {
    expect(readGatewayConfig(wide).ok).toBe(true);
    expect(JSON.stringify(wide).length).toBeLessThanOrEqual(CARRIED_CONFIGURATION_MAX_BYTES);
    expect(carried(wide)).toEqual({});
  });

  it.each<[string, number]>([
    ['ASCII', 1],
    ['2-byte characters', 2],
    ['3-byte characters', 3],
  ])('the largest configuration carried, in %s, with the longest continuation: within 64 KiB', (_, width) => {
    const char = width === 1 ? 'a' : width === 2 ? 'é' : '界';
    // Tags of ARM's longest values, as many as fit under the cap.
    const tags: Record<string, string> = {};
    for (let i = 0; ; i++) {
      const next = { ...tags, [`t${i}`]: char.repeat(256) };
      if (carried({ tags: next, properties: { sku: {} } }).configuration === undefined) break;
      tags[`t${i}`] = char.repeat(256);
    }
    const largest = carried({ tags, properties: { sku: {} } });
    expect(largest.configuration).toBeDefined();
    const continuation = longestContinuation(char, 1000, largest);
    expect(encodeMessage(withinQueueMessage(continuation)).length).toBeLessThanOrEqual(
      QUEUE_MESSAGE_MAX_CHARS,
    );
  });

  it('a message the configuration would take past 64 KiB drops it (the GET reads it), and keeps the rest', () => {
    const config = carried({
      properties: { sku: {}, pad: 'x'.repeat(CARRIED_CONFIGURATION_MAX_BYTES - 100) },
    });
    expect(config.configuration).toBeDefined();
    const message: GatewayMessage = { version: 1, runId: 'r'.repeat(40_000), gatewayId: gw.id, ...config };
    expect(encodeMessage(message).length).toBeGreaterThan(QUEUE_MESSAGE_MAX_CHARS);
    const fitted = withinQueueMessage(message);
    expect(fitted).toEqual({ version: 1, runId: 'r'.repeat(40_000), gatewayId: gw.id });
    expect(withinQueueMessage({ version: 1, runId: 'r', gatewayId: gw.id, ...config })).toEqual({
      version: 1,
      runId: 'r',
      gatewayId: gw.id,
      ...config,
    });
  });
});

// Break trial: a configuration nested 20 000 deep (a 53 KB message) made readGatewayMessage throw a
// RangeError on every try, and the poison handler too: the gateway was never reported for its run.
describe('a configuration nested too deep to be written', () => {
  const deep = (depth: number) => JSON.parse(`{"tags":${'['.repeat(depth)}${']'.repeat(depth)}}`);

  it('in a message read back: left behind, not thrown; the message is read', () => {
    const text = `{"version":1,"runId":"r","gatewayId":"${gw.id}","configuration":{"tags":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    expect(Buffer.from(text).toString('base64').length).toBeLessThan(QUEUE_MESSAGE_MAX_CHARS);
    expect(readGatewayMessage(JSON.parse(text))).toEqual({ version: 1, runId: 'r', gatewayId: gw.id });
  });

  it('given by a listing: not carried, never thrown', () => {
    expect(carried(deep(20_000))).toEqual({});
    expect(readCarriedConfiguration(deep(20_000))).toBeUndefined();
  });
});

describe('readCarriedConfiguration and configurationOf: a message read back', () => {
  it.each<[string, unknown]>([
    ['a string', 'x'],
    ['an array', [resource()]],
    ['null', null],
    [
      'an object longer than a message carries',
      { properties: { pad: 'x'.repeat(CARRIED_CONFIGURATION_MAX_BYTES) } },
    ],
  ])('%s is no configuration', (_name, value) => {
    expect(readCarriedConfiguration(value)).toBeUndefined();
  });

  it('one that reads is the configuration the GET of the same resource gives', async () => {
    const byGet = readGatewayConfig(resource(2));
    if (!byGet.ok) throw new Error(byGet.detail);
    expect(await configurationOf(messageWith(readCarriedConfiguration(resource(2))))).toEqual(byGet.config);
  });

  it.each<[string, unknown]>([
    ['none carried', undefined],
    ['no properties', { tags: {} }],
    ['probes that are not a list', { properties: { sku: {}, probes: 'x' } }],
    ['a name longer than ARM allows', { properties: { sku: { name: 'x'.repeat(500) } } }],
  ])('%s: undefined, so the GET reads it', async (_name, configuration) => {
    expect(await configurationOf(messageWith(configuration))).toBeUndefined();
  });
});
