// The derived processors' view of a record: the samples processor's acceptance, then the metric pattern.
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { createMetricBatchCodec, type MetricBatch, type WireSeries } from '../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { allRows } from '../../lib/store/types.ts';
import { samplesConfigSchema, type SamplesConfig } from './config.ts';
import { forEachMatchedRecord, type MatchedSeries, type SampleRun, type Skipped } from './decode.ts';
import { createSamplesProcessor } from './handler.ts';
import { createMetricReader } from './reader.ts';
import { seriesId } from './series-id.ts';

const codec = createMetricBatchCodec();
const config = Value.Default(samplesConfigSchema, {}) as SamplesConfig;
const appendMs = Date.UTC(2026, 0, 1);
const t = (secondsAgo: number) => appendMs - secondsAgo * 1000;

function record(series: WireSeries[], offset = 0): BusRecord {
  const batch: MetricBatch = { tenant: 'acme', source: 'host-1', sent_at: appendMs, series };
  return { topic: 't', partition: 0, offset, key: 'acme/host-1', value: codec.encode(batch), timestampMs: appendMs };
}

function matched(records: BusRecord[]) {
  const skipped: Skipped = { undecodable: 0, invalid: 0, unmatched: 0, late: 0 };
  const seen: { runs: readonly SampleRun[]; series: ReadonlyMap<string, MatchedSeries> }[] = [];
  forEachMatchedRecord(createMetricReader(codec, config), records, /^cpu.*$/, skipped, (runs, series) => seen.push({ runs, series }));
  return { skipped, seen };
}

describe('forEachMatchedRecord', () => {
  it('gives each record the samples the samples processor stores, minus unmatched metrics', () => {
    const records = [
      record([
        { metric: 'cpu', labels: { host: 'a' }, kind: 'GAUGE', timestamps: [t(30), t(20), t(10)], values: [1, Number.NaN, 3] },
        { metric: 'mem', labels: { host: 'a' }, kind: 'GAUGE', timestamps: [t(30), t(20)], values: [5, 6] },
        { metric: 'cpu', labels: { host: 'b' }, kind: 'COUNTER', timestamps: [t(30), t(20), appendMs + 10 * 365 * 86_400_000], values: [7, 8, 9] },
        { metric: 'cpu_bad name', labels: {}, kind: 'GAUGE', timestamps: [t(30)], values: [1] },
      ]),
      record([{ metric: 'cpu', labels: { host: 'a' }, kind: 'GAUGE', timestamps: [t(5)], values: [4] }], 1),
      { ...record([], 2), value: Buffer.from('not avro') },
    ];
    const { skipped, seen } = matched(records);
    const a = seriesId('acme', 'cpu', { host: 'a' });
    const b = seriesId('acme', 'cpu', { host: 'b' });
    expect(seen.map(({ runs }) => runs.map(({ tenant, id, timestamps, values }) => ({ tenant, id, timestamps, values })))).toEqual([
      [
        { tenant: 'acme', id: a, timestamps: [t(30), t(10)], values: [1, 3] },
        { tenant: 'acme', id: b, timestamps: [t(30), t(20)], values: [7, 8] },
      ],
      [{ tenant: 'acme', id: a, timestamps: [t(5)], values: [4] }],
    ]);
    expect(seen[0]!.series.get(b)).toEqual({ metric: 'cpu', labels: { host: 'b' }, kind: 'COUNTER' });
    expect(skipped).toEqual({ undecodable: 1, invalid: 3, unmatched: 2, late: 0 });

    // the same records through the samples processor: the matched runs are exactly its stored cpu samples
    const stored = allRows(createSamplesProcessor(createMetricReader(codec, config)).handle(undefined, records).outputs.find((o) => o.table === 'samples')!);
    const runs = seen.flatMap(({ runs }) => runs.flatMap((r) => r.timestamps.map((ts, i) => [r.tenant, r.id, ts, r.values[i]])));
    expect(stored.filter((row) => row[1] === a || row[1] === b)).toEqual(runs);
  });

  it('keeps a series named twice in one record as two runs, with the last entry metadata', () => {
    const { seen } = matched([
      record([
        { metric: 'cpu', labels: { host: 'a', dc: 'x' }, kind: 'GAUGE', timestamps: [t(20)], values: [1] },
        { metric: 'cpu', labels: { dc: 'x', host: 'a' }, kind: 'COUNTER', timestamps: [t(30)], values: [2] },
      ]),
    ]);
    const id = seriesId('acme', 'cpu', { host: 'a', dc: 'x' });
    expect(seen[0]!.runs.map((r) => [r.id, r.timestamps])).toEqual([
      [id, [t(20)]],
      [id, [t(30)]],
    ]);
    expect(seen[0]!.series.get(id)?.kind).toBe('COUNTER');
  });
});
