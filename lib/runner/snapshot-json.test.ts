import { describe, expect, it } from 'vitest';
import { decodeFloat64, encodeFloat64, seriesFromParts, seriesParts, snapshotReplacer, snapshotReviver } from './snapshot-json.ts';

describe('snapshot JSON', () => {
  it('round-trips the numbers plain JSON loses', () => {
    const state = { a: Number.NaN, b: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1.5], c: { d: 2 } };
    const back = JSON.parse(JSON.stringify(state, snapshotReplacer), snapshotReviver) as typeof state;
    expect(back.a).toBeNaN();
    expect(back.b[0]).toBe(Number.POSITIVE_INFINITY);
    expect(back.b[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(back.b[2], -0)).toBe(true);
    expect(back.b[3]).toBe(1.5);
    expect(back.c).toEqual({ d: 2 });
  });
});

describe('float64 as base64', () => {
  const numbers = [1.5, Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1_700_000_000_123, Number.MIN_VALUE];

  it('writes a plain array and a Float64Array view into a larger buffer alike, little-endian', () => {
    const backing = new Float64Array(numbers.length + 3);
    backing.set(numbers, 2);
    const view = backing.subarray(2, 2 + numbers.length);
    const plain = encodeFloat64(numbers);
    expect(encodeFloat64(view)).toBe(plain);
    const bytes = Buffer.from(plain, 'base64');
    expect(bytes).toHaveLength(numbers.length * 8);
    expect(bytes.readDoubleLE(0)).toBe(1.5);
    expect(bytes.readDoubleLE(5 * 8)).toBe(1_700_000_000_123);
  });

  it('reads back exactly what it wrote, NaN, -0 and infinities included', () => {
    const back = decodeFloat64(encodeFloat64(new Float64Array(numbers)));
    expect(back).toHaveLength(numbers.length);
    back.forEach((x, i) => expect(Object.is(x, numbers[i])).toBe(true));
  });
});

describe('series snapshot parts', () => {
  const series = new Map(Array.from({ length: 50 }, (_, i) => [`id${i}`, { n: i, x: i === 7 ? Number.NaN : i / 3 }] as const));

  it.each([1, 100, 400, 1e9])('round-trips a series map in parts of %i characters, in order', (partBytes) => {
    const parts = [...seriesParts(series, partBytes)];
    const back = seriesFromParts<{ n: number; x: number }>(parts, 'test');
    expect([...back.keys()]).toEqual([...series.keys()]);
    expect(back.get('id7')?.x).toBeNaN();
    expect(back.get('id8')).toEqual(series.get('id8'));
    // A part closes once it reaches the size: only the last may be smaller, none holds two past it.
    if (partBytes === 1) expect(parts).toHaveLength(50);
    if (partBytes === 1e9) expect(parts).toHaveLength(1);
    for (const part of parts.slice(0, -1)) expect(part.length).toBeGreaterThanOrEqual(partBytes);
  });

  it('reads a whole-state snapshot written before parts existed as one part', () => {
    const legacy = JSON.stringify({ v: 1, series: [['a', { n: 1 }], ['b', { n: 2 }]] });
    expect(seriesFromParts([legacy], 'test')).toEqual(new Map([['a', { n: 1 }], ['b', { n: 2 }]]));
  });

  it('has no parts for an empty map and reads none back as empty', () => {
    expect([...seriesParts(new Map(), 10)]).toEqual([]);
    expect(seriesFromParts([], 'test').size).toBe(0);
  });

  it('refuses a part of an unknown format version, naming the processor', () => {
    expect(() => seriesFromParts(['{"v":2,"series":[]}'], 'anomaly')).toThrow(/anomaly snapshot has unknown format version 2/);
  });
});
