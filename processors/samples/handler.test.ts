import { describe, expect, it } from 'vitest';
import { createMetricBatchCodec, type MetricBatch } from '../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { allRows } from '../../lib/store/types.ts';
import { Value } from '@sinclair/typebox/value';
import { samplesConfigSchema, type SamplesConfig } from './config.ts';
import { createSamplesProcessor } from './handler.ts';
import { createMetricReader } from './reader.ts';
import { seriesId } from './series-id.ts';

const codec = createMetricBatchCodec();
const config = Value.Default(samplesConfigSchema, {}) as SamplesConfig;
const processor = createSamplesProcessor(createMetricReader(codec, config));
const appendMs = Date.UTC(2026, 0, 1);

function record(value: Buffer, key = 'acme/host-1', offset = 0): BusRecord {
  return { topic: 't', partition: 0, offset, key, value, timestampMs: appendMs };
}

function batch(values: number[], timestamps = values.map((_, i) => appendMs - 10_000 * (values.length - i))): MetricBatch {
  return { tenant: 'acme', source: 'host-1', sent_at: appendMs, series: [{ metric: 'cpu', labels: { host: 'host-1' }, kind: 'GAUGE', timestamps, values }] };
}

describe('samples processor', () => {
  it('maps every valid sample to a row with the stable series id', () => {
    const result = processor.handle(undefined, [record(codec.encode(batch([1, 2.5])))]);
    const samples = result.outputs.find((o) => o.table === 'samples')!;
    const id = seriesId('acme', 'cpu', { host: 'host-1' });
    expect(allRows(samples)).toEqual([
      ['acme', id, appendMs - 20_000, 1],
      ['acme', id, appendMs - 10_000, 2.5],
    ]);
    expect(result.outputs.find((o) => o.table === 'series')!.rows).toEqual([['acme', id, 'cpu', { host: 'host-1' }, 'GAUGE', 'host-1', appendMs - 20_000, appendMs - 10_000, 2]]);
    expect(result.deadLetters).toEqual([]);
  });

  it.each([
    ['NaN', Number.NaN, appendMs - 1000, 'non_finite_value'],
    ['+Inf', Number.POSITIVE_INFINITY, appendMs - 1000, 'non_finite_value'],
    ['-Inf', Number.NEGATIVE_INFINITY, appendMs - 1000, 'non_finite_value'],
    ['10 years ahead', 1, appendMs + 10 * 365 * 86_400_000, 'timestamp_in_future'],
    ['a year old', 1, appendMs - 365 * 86_400_000, 'timestamp_too_old'],
  ])('dead-letters a %s sample and keeps the valid ones of the batch', (_name, value, ts, reason) => {
    const result = processor.handle(undefined, [record(codec.encode(batch([5, value, 6], [appendMs - 3000, ts, appendMs - 1000])))]);
    expect(allRows(result.outputs.find((o) => o.table === 'samples')!).map((row) => row[3])).toEqual([5, 6]);
    expect(result.deadLetters.map((d) => d.reason)).toEqual([reason]);
    expect(result.accepted).toBe(2);
  });

  it.each([
    ['garbage bytes', Buffer.from('definitely not avro'), 'bad_framing'],
    ['a wrong schema id', Buffer.concat([Buffer.from([0, 0, 0, 0x7f, 0x7f]), Buffer.from('xx')]), 'unknown_schema'],
  ])('dead-letters %s with the reason and the payload', (_name, bytes, reason) => {
    const result = processor.handle(undefined, [record(bytes), record(codec.encode(batch([7])), 'acme/host-1', 1)]);
    expect(result.deadLetters).toHaveLength(1);
    expect(result.deadLetters[0]).toMatchObject({ reason, tenant: 'acme', offset: 0, payload: bytes.toString('base64') });
    expect(result.accepted).toBe(1);
  });

  it.each([
    ['an invalid metric name', { metric: 'cpu usage', labels: {} }, 'invalid_metric_name'],
    ['too many labels', { metric: 'cpu', labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, 'x'])) }, 'too_many_labels'],
    ['an oversized label', { metric: 'cpu', labels: { host: 'x'.repeat(2000) } }, 'label_too_long'],
  ])('dead-letters a series with %s', (_name, shape, reason) => {
    const bad: MetricBatch = { ...batch([1]), series: [{ ...batch([1]).series[0]!, ...shape }] };
    const result = processor.handle(undefined, [record(codec.encode(bad))]);
    expect(result.deadLetters.map((d) => d.reason)).toEqual([reason]);
    expect(result.accepted).toBe(0);
  });

  it('dead-letters every refused sample of a record that refuses 200,000 of them, and keeps its valid one', () => {
    const values = [...new Array<number>(200_000).fill(Number.NaN), 4];
    const result = processor.handle(undefined, [record(codec.encode(batch(values)))]);
    expect(result.deadLetters).toHaveLength(200_000);
    expect(result.deadLetters.every((d) => d.reason === 'non_finite_value')).toBe(true);
    expect(allRows(result.outputs.find((o) => o.table === 'samples')!).map((row) => row[3])).toEqual([4]);
  });

  it('refuses a batch whose tenant differs from its record key', () => {
    const result = processor.handle(undefined, [record(codec.encode(batch([1])), 'other/host-1')]);
    expect(result.deadLetters.map((d) => d.reason)).toEqual(['tenant_mismatch']);
  });

  it('is deterministic: the same records give the same rows', () => {
    const records = [record(codec.encode(batch([1, 2, 3])))];
    expect(processor.handle(undefined, records)).toEqual(processor.handle(undefined, records));
  });
});
