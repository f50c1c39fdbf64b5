// The specialised metric-batch.v1 reader against avsc: the same value for every batch it reads, including
// multi-block arrays and maps; each kind of corruption refused as avsc refuses it; and from corrupt bytes
// (seeded fuzz) either a refusal or exactly what avsc reads. avsc itself never gets fuzzed bytes here: a
// corrupt count can make it allocate and loop for minutes, which is one reason the reader checks counts.
import { describe, expect, it } from 'vitest';
import { createPrng } from '../../models/util/prng.ts';
import { createAvroCodec } from './codec.ts';
import { createMetricBatchCodec, type MetricBatch, type MetricKind } from './metric-batch.ts';
import { CorruptBody, readMetricBatchV1 } from './metric-batch-read.ts';

const avsc = createAvroCodec<MetricBatch>('metric-batch.v1', ['metric-batch.v1', 'metric-batch.v2']);
const codec = createMetricBatchCodec();
const kinds: MetricKind[] = ['UNKNOWN', 'GAUGE', 'COUNTER'];

function randomBatch(rand: () => number): MetricBatch {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const text = () => pick(['', 'a', 'host-17', 'région', '✓ ok', 'x'.repeat(200), 'emoji 😀']);
  const long = () => pick([0, 1, -1, 63, 64, -65, 2 ** 31, -(2 ** 31) - 1, 1_700_000_000_123, -(2 ** 51), 2 ** 51, Math.floor(rand() * 2 ** 40)]);
  const double = () => pick([0, -0, 1.5, -2.25e-300, 1e308, NaN, Infinity, -Infinity, rand() * 1000]);
  return {
    tenant: text(),
    source: text(),
    sent_at: long(),
    series: Array.from({ length: Math.floor(rand() * 4) }, () => {
      const n = Math.floor(rand() * 5);
      return {
        metric: text(),
        labels: Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, (_, i) => [`${text()}${i}`, text()])),
        kind: pick(kinds),
        timestamps: Array.from({ length: n }, long),
        values: Array.from({ length: n }, double),
      };
    }),
  };
}

/** Avro varint of a zigzag long (small values only). */
const zz = (n: number): number[] => {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z & 0x7f) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return out;
};
const str = (s: string): number[] => [...zz(Buffer.byteLength(s)), ...Buffer.from(s)];
const dbl = (x: number): number[] => [...Buffer.from(new Float64Array([x]).buffer)];
const framed = (body: number[]): Buffer => Buffer.from([0, 0, 0, 0, 1, ...body]);

describe('readMetricBatchV1', () => {
  it('reads what avsc reads, for random batches (strings, longs to +-2^51, NaN, -0, infinities)', () => {
    const rand = createPrng(7);
    for (let i = 0; i < 500; i++) {
      const bytes = avsc.encode(randomBatch(rand));
      const fast = readMetricBatchV1(bytes, 5);
      expect(fast).toBeDefined();
      expect(fast).toEqual(avsc.decode(bytes));
    }
  });

  it('reads many distinct short strings right, twice over (the string cache fills, clears and refills)', () => {
    const batch: MetricBatch = { tenant: 't', source: 's', sent_at: 0, series: Array.from({ length: 10_000 }, (_, i) => ({ metric: `m${i}`, labels: { [`k${i % 7}`]: `v${i}` }, kind: 'GAUGE', timestamps: [], values: [] })) };
    const bytes = avsc.encode(batch);
    expect(readMetricBatchV1(bytes, 5)).toEqual(batch);
    expect(readMetricBatchV1(bytes, 5)).toEqual(batch);
  });

  it('reads arrays and maps written in several blocks, with negative counts and their byte sizes', () => {
    const body = [
      ...str('t'), ...str('s'), ...zz(5),
      ...zz(-1), ...zz(99), // one series, in a block with a (skipped) byte size
      ...str('cpu'),
      ...zz(1), ...str('a'), ...str('1'), ...zz(1), ...str('b'), ...str('2'), ...zz(0),
      ...zz(2),
      ...zz(1), ...zz(10), ...zz(-2), ...zz(2), ...zz(20), ...zz(30), ...zz(0),
      ...zz(2), ...dbl(1), ...dbl(2), ...zz(1), ...dbl(3), ...zz(0),
      ...zz(0),
    ];
    const bytes = framed(body);
    const expected: MetricBatch = { tenant: 't', source: 's', sent_at: 5, series: [{ metric: 'cpu', labels: { a: '1', b: '2' }, kind: 'COUNTER', timestamps: [10, 20, 30], values: [1, 2, 3] }] };
    expect(avsc.decode(bytes)).toEqual(expected);
    expect(readMetricBatchV1(bytes, 5)).toEqual(expected);
  });

  it('refuses corrupt bodies as avsc does, and leaves longs past 2^51 to avsc', () => {
    const good = avsc.encode({ tenant: 't', source: 's', sent_at: 1, series: [{ metric: 'm', labels: {}, kind: 'GAUGE', timestamps: [1], values: [2] }] });
    expect(readMetricBatchV1(good, 5)).toBeDefined();
    const corrupt: [string, Buffer, RegExp][] = [
      ['truncated', good.subarray(0, good.length - 1), /truncated/],
      ['trailing', Buffer.concat([good, Buffer.from([0])]), /trailing/],
      ['bad enum', framed([...str('t'), ...str('s'), ...zz(1), ...zz(1), ...str('m'), ...zz(0), ...zz(3), ...zz(0), ...zz(0), ...zz(0)]), /enum index: 3/],
      ['negative length', framed([...zz(-3), ...zz(0), ...zz(0), ...zz(0)]), /negative string length/],
      ['count past the bytes', framed([...str('t'), ...str('s'), ...zz(1), ...zz(1000), ...zz(0)]), /block count 1000/],
      // 2^53 labels: avsc would loop that many times reading past the end
      ['count past 2^51', framed([...str('t'), ...str('s'), ...zz(1), ...zz(1), ...str('m'), 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, ...zz(0)]), /count or length past 2\^51/],
    ];
    for (const [what, bytes, message] of corrupt) {
      expect(() => readMetricBatchV1(bytes, 5), what).toThrow(CorruptBody);
      expect(() => readMetricBatchV1(bytes, 5), what).toThrow(message);
      if (what !== 'count past 2^51') expect(() => avsc.decode(bytes), what).toThrow(/corrupt Avro body/);
      expect(() => codec.decode(bytes), what).toThrow(/corrupt Avro body for schema id 1/);
    }
    const big = avsc.encode({ tenant: 't', source: 's', sent_at: 2 ** 52, series: [] });
    expect(readMetricBatchV1(big, 5)).toBeUndefined();
    expect(codec.decode(big).sent_at).toBe(2 ** 52); // avsc reads it
  });

  it('from corrupt bytes (seeded fuzz) reads only what avsc reads, and the codec refuses the rest', () => {
    const rand = createPrng(11);
    let read = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = Buffer.from(avsc.encode(randomBatch(rand)));
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) bytes[5 + Math.floor(rand() * (bytes.length - 5))] = Math.floor(rand() * 256);
      const cut = rand() < 0.2 ? bytes.subarray(0, 5 + Math.floor(rand() * (bytes.length - 5))) : bytes;
      let fast: MetricBatch | undefined;
      try {
        fast = readMetricBatchV1(cut, 5);
      } catch (err) {
        expect(err).toBeInstanceOf(CorruptBody);
        expect(() => codec.decode(cut)).toThrow(/corrupt Avro body/);
        refused++;
        continue;
      }
      if (fast === undefined) continue; // a long past 2^51: avsc's call
      read++;
      expect(avsc.decode(cut)).toEqual(fast);
    }
    expect(read).toBeGreaterThan(100); // both outcomes were exercised
    expect(refused).toBeGreaterThan(100);
  });
});
