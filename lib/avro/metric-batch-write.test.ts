// The specialised metric-batch.v1 encoder against avsc: the same bytes for every batch it takes, and what it
// leaves (non-ASCII text, values of the wrong type, longs near 2^53) encoded or refused by avsc as before.
import { describe, expect, it } from 'vitest';
import { createPrng } from '../../models/util/prng.ts';
import { createAvroCodec, schemaIds } from './codec.ts';
import { createMetricBatchCodec, type MetricBatch, type MetricKind } from './metric-batch.ts';
import { writeMetricBatchV1 } from './metric-batch-write.ts';

const avsc = createAvroCodec<MetricBatch>('metric-batch.v1', ['metric-batch.v1', 'metric-batch.v2']);
const codec = createMetricBatchCodec();
const id = schemaIds['metric-batch.v1'];

function randomBatch(rand: () => number, texts: readonly string[]): MetricBatch {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const long = () => pick([0, 1, -1, 63, 64, -64, -65, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31, 1_700_000_000_123, -(2 ** 51), 2 ** 51, Math.floor(rand() * 2 ** 45) * (rand() < 0.5 ? -1 : 1)]);
  const double = () => pick([0, -0, 1.5, -2.25e-300, 1e308, NaN, Infinity, -Infinity, rand() * 1000]);
  return {
    tenant: pick(texts),
    source: pick(texts),
    sent_at: long(),
    series: Array.from({ length: Math.floor(rand() * 4) }, () => {
      const n = Math.floor(rand() * 5);
      return {
        metric: pick(texts),
        labels: Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, (_, i) => [`${pick(texts)}${i}`, pick(texts)])),
        kind: pick<MetricKind>(['UNKNOWN', 'GAUGE', 'COUNTER']),
        timestamps: Array.from({ length: n }, long),
        values: Array.from({ length: n }, double),
      };
    }),
  };
}

describe('writeMetricBatchV1', () => {
  it('writes the bytes avsc writes, for random ASCII batches (longs to +-2^51 on both varint paths, NaN, -0)', () => {
    const rand = createPrng(3);
    for (let i = 0; i < 500; i++) {
      const batch = randomBatch(rand, ['', 'a', 'host-17', 'x'.repeat(200), 'node_cpu_seconds_total']);
      const fast = writeMetricBatchV1(batch, id);
      expect(fast).toBeDefined();
      expect(fast!.equals(avsc.encode(batch))).toBe(true);
    }
  });

  it('leaves non-ASCII text to avsc, whose bytes the codec then writes', () => {
    const rand = createPrng(5);
    for (let i = 0; i < 200; i++) {
      const batch = randomBatch(rand, ['région', '✓', 'emoji 😀', 'lone \ud800 surrogate', 'a']);
      expect(codec.encode(batch).equals(avsc.encode(batch))).toBe(true);
    }
    expect(writeMetricBatchV1({ tenant: 'é', source: 's', sent_at: 0, series: [] }, id)).toBeUndefined();
  });

  it('leaves bad values to avsc, so the codec writes or refuses them exactly as avsc does', () => {
    const outcome = (encode: () => Buffer): string => {
      try {
        return encode().toString('hex');
      } catch (err) {
        return `refused: ${(err as Error).message}`;
      }
    };
    const good: MetricBatch = { tenant: 't', source: 's', sent_at: 1, series: [{ metric: 'm', labels: { a: 'b' }, kind: 'GAUGE', timestamps: [1], values: [2] }] };
    const bad: unknown[] = [
      { ...good, sent_at: 1.5 },
      { ...good, tenant: 7 },
      { ...good, series: [{ ...good.series[0], kind: 'HISTOGRAM' }] },
      { ...good, series: [{ ...good.series[0], kind: 'toString' }] }, // avsc finds it on its index object's prototype
      { ...good, series: [{ ...good.series[0], values: ['2'] }] },
      { ...good, series: [{ ...good.series[0], labels: { a: 1 } }] },
      { ...good, series: [null] },
    ];
    for (const batch of bad) {
      expect(writeMetricBatchV1(batch as MetricBatch, id)).toBeUndefined();
      expect(outcome(() => codec.encode(batch as MetricBatch))).toBe(outcome(() => avsc.encode(batch as MetricBatch)));
    }
    expect(bad.filter((batch) => outcome(() => codec.encode(batch as MetricBatch)).startsWith('refused')).length).toBe(bad.length - 1);
    const big = { ...good, sent_at: 2 ** 52 };
    expect(writeMetricBatchV1(big, id)).toBeUndefined();
    expect(codec.encode(big).equals(avsc.encode(big))).toBe(true);
  });

  it('frames with the schema id it is given (a registry id) and round-trips through the codec', () => {
    const batch: MetricBatch = { tenant: 't', source: 's', sent_at: 5, series: [{ metric: 'm', labels: {}, kind: 'COUNTER', timestamps: [1, 2], values: [3, 4] }] };
    expect(writeMetricBatchV1(batch, 0x01020304)!.subarray(0, 5).toString('hex')).toBe('0001020304');
    expect(codec.decode(codec.encode(batch))).toEqual(batch);
  });
});
