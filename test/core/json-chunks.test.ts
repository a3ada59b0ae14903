import fc from 'fast-check';
import { jsonChunks } from '../../src/core/json-chunks';

const joined = (value: unknown, depth?: number): string => [...jsonChunks(value, depth)].join('');

describe('jsonChunks: JSON.stringify(value, null, 2) in pieces', () => {
  it.each([0, 1, 2, 3, 5])('is the same text for any JSON-like value, walked %i levels deep', (depth) => {
    fc.assert(
      fc.property(
        fc.anything({ withDate: true, withMap: true, withBoxedValues: true, withNullPrototype: true }),
        (v) => {
          expect(joined(v, depth)).toBe(JSON.stringify(v, null, 2) ?? '');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves out what JSON.stringify leaves out, writes null where it does, calls toJSON with the key', () => {
    const keys: string[] = [];
    const stamp = { toJSON: (key: string) => (keys.push(key), `at ${key}`) };
    const value = {
      a: undefined,
      f: () => 1,
      s: Symbol('x'),
      list: [undefined, () => 1, Symbol('y'), stamp, new Date(0), { deep: [1, { deeper: 'x\ny' }] }],
      stamp,
      empty: { gone: undefined },
      none: [],
      'quo"te\n': 'line\nbreak',
      toJsonUndefined: { toJSON: () => undefined },
    };
    expect(joined(value)).toBe(JSON.stringify(value, null, 2));
    expect(keys).toEqual(['3', 'stamp', '3', 'stamp']);
    expect(joined(undefined)).toBe('');
    expect(joined({ toJSON: () => undefined })).toBe('');
  });

  it('writes a report one gateway at a time: no piece holds two gateways', () => {
    const gateways = Array.from({ length: 50 }, (_, i) => ({
      id: `gw-${i}`,
      findings: [{ probeLog: 'x'.repeat(100) }],
    }));
    const pieces = [...jsonChunks({ runId: 'r', gateways })];
    expect(pieces.join('')).toBe(JSON.stringify({ runId: 'r', gateways }, null, 2));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(
      JSON.stringify(gateways[0], null, 2).length * 2,
    );
  });

  it('throws what JSON.stringify throws', () => {
    expect(() => joined({ n: 1n })).toThrow(TypeError);
    const cycle: Record<string, unknown> = {};
    cycle['self'] = { again: cycle };
    expect(() => joined({ deep: { deeper: cycle } })).toThrow(TypeError);
  });
});
