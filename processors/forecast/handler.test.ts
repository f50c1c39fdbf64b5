import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { createMetricBatchCodec, type MetricBatch } from '../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import type { TableRows } from '../../lib/store/types.ts';
import { samplesConfigSchema, type SamplesConfig } from '../samples/config.ts';
import { seriesId } from '../samples/series-id.ts';
import { forecastConfigSchema, type ForecastConfig } from './config.ts';
import { createForecastProcessor, type ForecastProcessor } from './handler.ts';
import { capacityPlanColumns, forecastColumns } from './rows.ts';
import type { ForecastPartitionState } from './state.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GIB = 1024 ** 3;
const T = Date.UTC(2026, 0, 1);
const STEP = 600_000;
const codec = createMetricBatchCodec();
const samplesConfig = Value.Default(samplesConfigSchema, {}) as SamplesConfig;
const defaults = Value.Default(forecastConfigSchema, {}) as ForecastConfig;

// A disk filling linearly from 30% of capacity at T to full at T + 6 days.
const capacity = 500 * GIB;
const fullAt = T + 6 * DAY;
const diskValue = (ts: number) => 0.3 * capacity + (0.7 * capacity * (ts - T)) / (6 * DAY);
const diskLabels = { host: 'host-1', mount: '/', capacity_bytes: String(capacity) };
const diskId = seriesId('acme', 'disk_used_bytes', diskLabels);

function encode(timestamps: number[], extra: MetricBatch['series'] = []): Buffer {
  return codec.encode({
    tenant: 'acme', source: 'host-1', sent_at: timestamps.at(-1) ?? T,
    series: [{ metric: 'disk_used_bytes', labels: diskLabels, kind: 'GAUGE', timestamps, values: timestamps.map(diskValue) }, ...extra],
  });
}

/** One record per hour of 10-minute samples over [from, to), appended 5 minutes after the hour. */
function hourlyRecords(from: number, to: number, firstOffset = 0): BusRecord[] {
  const records: BusRecord[] = [];
  for (let hour = from; hour < to; hour += HOUR) {
    const timestamps = Array.from({ length: HOUR / STEP }, (_, i) => hour + i * STEP);
    records.push({ topic: 't', partition: 0, offset: firstOffset + records.length, key: 'acme/host-1', value: encode(timestamps), timestampMs: hour + HOUR + 300_000 });
  }
  return records;
}

/** Feeds `records` in batches of `size`, returning every output row by table. */
function run(processor: ForecastProcessor, state: ForecastPartitionState, records: readonly BusRecord[], size = 5): { forecasts: unknown[][]; plans: unknown[][]; late: number } {
  const out = { forecasts: [] as unknown[][], plans: [] as unknown[][], late: 0 };
  for (let i = 0; i < records.length; i += size) {
    const result = processor.handle(state, records.slice(i, i + size));
    const table = (name: string): TableRows => result.outputs.find((o) => o.table === name)!;
    out.forecasts.push(...table('forecasts').rows);
    out.plans.push(...table('capacity_plans').rows);
    out.late += result.skipped.late;
    expect(result.deadLetters).toEqual([]);
  }
  return out;
}

const col = (name: string) => forecastColumns.indexOf(name);
const planCol = (name: string) => capacityPlanColumns.indexOf(name);

describe('forecast processor', () => {
  const processor = createForecastProcessor(defaults, codec, samplesConfig);
  const records = hourlyRecords(T, T + 5 * DAY); // 120 hours; the last stays open
  const baseline = run(processor, processor.initState(0), records);

  it('issues one 48-step forecast per closed hour after the 24-hour warm-up', () => {
    const issued = [...new Set(baseline.forecasts.map((r) => r[col('issued_at')]))];
    expect(issued).toEqual(Array.from({ length: 96 }, (_, k) => T + (24 + k) * HOUR)); // hours 23..118 closed
    expect(baseline.forecasts).toHaveLength(96 * 48);
    for (const row of baseline.forecasts) {
      expect(row[col('tenant')]).toBe('acme');
      expect(row[col('series_id')]).toBe(diskId);
      const step = row[col('step')] as number;
      expect(row[col('target_ts')]).toBe((row[col('issued_at')] as number) + (step - 1) * HOUR);
      const [lo95, lo80, f, hi80, hi95] = ['lo95', 'lo80', 'forecast', 'hi80', 'hi95'].map((c) => row[col(c)] as number);
      expect(lo95).toBeLessThanOrEqual(lo80!);
      expect(lo80).toBeLessThanOrEqual(f!);
      expect(f).toBeLessThanOrEqual(hi80!);
      expect(hi80).toBeLessThanOrEqual(hi95!);
      expect(row[col('model')]).toMatch(/^(snaive-daily|ensemble-daily)/);
      expect(row[col('model_version')]).toBe('1');
    }
    expect(baseline.forecasts.filter((r) => r[col('issued_at')] === T + 24 * HOUR).map((r) => r[col('step')])).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
  });

  it('writes a capacity plan per forecast whose eta is close to the true crossing', () => {
    expect(baseline.plans.map((p) => p[planCol('issued_at')])).toEqual(Array.from({ length: 96 }, (_, k) => T + (24 + k) * HOUR));
    const last = baseline.plans.at(-1)!;
    expect(last[planCol('metric')]).toBe('disk_used_bytes');
    expect(last[planCol('capacity')]).toBe(capacity);
    expect(last[planCol('within_horizon')]).toBe(1);
    // 25 hours ahead of the last issue; the damped multiplicative trend leads by about 2 hours
    expect(Math.abs((last[planCol('eta')] as number) - fullAt)).toBeLessThan(3 * HOUR);
    const [from80, to80, from95, to95] = ['eta80_from', 'eta80_to', 'eta95_from', 'eta95_to'].map((c) => last[planCol(c)] as number | null) as [number | null, number | null, number | null, number | null];
    expect(from95!).toBeLessThanOrEqual(from80!);
    expect(from80!).toBeLessThanOrEqual(last[planCol('eta')] as number);
    if (to80 !== null) expect(to80).toBeGreaterThanOrEqual(last[planCol('eta')] as number);
    if (to95 !== null && to80 !== null) expect(to95).toBeGreaterThanOrEqual(to80);
    expect(fullAt).toBeGreaterThanOrEqual(from95!);
    expect(fullAt).toBeLessThanOrEqual(to95 ?? Infinity);
    expect(last[planCol('summary')]).toMatch(/^full in \d+\.\d hours/);
    expect(last[planCol('headroom')]).toBeLessThan(0);
  });

  it('is deterministic: two runs give the same rows, byte for byte', () => {
    const again = run(createForecastProcessor(defaults, codec, samplesConfig), processor.initState(0), records, 7);
    expect(JSON.stringify(again)).toBe(JSON.stringify(baseline));
  });

  it.each([10, 30, 50, 80, 110])('continues from a snapshot taken after %i records exactly like an uninterrupted run', (cut) => {
    const first = processor.initState(0);
    const head = run(processor, first, records.slice(0, cut));
    const parts = [...processor.snapshot!.serialize(first, 2048)];
    const restored = processor.snapshot!.deserialize(parts);
    expect([...processor.snapshot!.serialize(restored, 2048)]).toEqual(parts);
    const tail = run(processor, restored, records.slice(cut));
    expect(JSON.stringify({ forecasts: [...head.forecasts, ...tail.forecasts], plans: [...head.plans, ...tail.plans] }))
      .toBe(JSON.stringify({ forecasts: baseline.forecasts, plans: baseline.plans }));
  });

  it('ignores and counts a sample of an hour already closed', () => {
    const late: BusRecord = { ...records[30]!, value: encode([T + 10 * HOUR + 60_000]) };
    const withLate = [...records.slice(0, 30), late, ...records.slice(30)].map((r, offset) => ({ ...r, offset }));
    const result = run(processor, processor.initState(0), withLate);
    expect(result.late).toBe(1);
    expect(result.forecasts).toEqual(baseline.forecasts);
    expect(result.plans).toEqual(baseline.plans);
  });

  it('skips undecodable records and invalid samples without dead-lettering them', () => {
    const state = processor.initState(0);
    const bad: BusRecord = { ...records[0]!, value: Buffer.from('not avro') };
    const nan: BusRecord = { ...records[0]!, value: codec.encode({ tenant: 'acme', source: 'h', sent_at: T, series: [{ metric: 'disk_used_bytes', labels: diskLabels, kind: 'GAUGE', timestamps: [T], values: [Number.NaN] }] }) };
    const result = processor.handle(state, [bad, nan]);
    expect(result.deadLetters).toEqual([]);
    expect(result.skipped).toMatchObject({ undecodable: 1, invalid: 1 });
    expect(result.accepted).toBe(0);
    expect(state.series.size).toBe(0);
  });

  it('forecasts only metrics matching the pattern, and no capacity plan without a capacity', () => {
    const only = createForecastProcessor({ ...defaults, metricPattern: 'cpu_.*' }, codec, samplesConfig);
    const withCpu = records.map((r, i) => {
      const hour = T + i * HOUR;
      const timestamps = Array.from({ length: 6 }, (_, k) => hour + k * STEP);
      return { ...r, value: encode(timestamps, [{ metric: 'cpu_utilization', labels: { host: 'host-1' }, kind: 'GAUGE', timestamps, values: timestamps.map((ts) => 50 + 20 * Math.sin((2 * Math.PI * ts) / DAY)) }]) };
    });
    const state = only.initState(0);
    const result = run(only, state, withCpu);
    expect(state.series.size).toBe(1);
    expect(new Set(result.forecasts.map((r) => r[col('series_id')]))).toEqual(new Set([seriesId('acme', 'cpu_utilization', { host: 'host-1' })]));
    expect(result.forecasts).toHaveLength(96 * 48);
    expect(result.plans).toEqual([]);
  });

  it('counts skipped hours as missing and issues nothing for them', () => {
    const gapped = [...hourlyRecords(T, T + 30 * HOUR), ...hourlyRecords(T + 33 * HOUR, T + 40 * HOUR, 30)];
    const state = processor.initState(0);
    const result = run(processor, state, gapped);
    const issued = [...new Set(result.forecasts.map((r) => r[col('issued_at')]))];
    // closed with data: hours 23..29 and 33..38; hours 30..32 are missing
    expect(issued).toEqual([...Array.from({ length: 7 }, (_, k) => T + (24 + k) * HOUR), ...Array.from({ length: 6 }, (_, k) => T + (34 + k) * HOUR)]);
    const history = state.series.get(diskId)!.history;
    expect(history).toHaveLength(39);
    expect(history.slice(30, 33)).toEqual([Number.NaN, Number.NaN, Number.NaN]);
  });

  it('keeps at most historyHours hourly means, the newest ones, and still forecasts every hour', () => {
    const short = createForecastProcessor({ ...defaults, historyHours: 30 }, codec, samplesConfig);
    const state = short.initState(0);
    const result = run(short, state, hourlyRecords(T, T + 40 * HOUR));
    const history = state.series.get(diskId)!.history;
    expect(history).toHaveLength(30);
    // hours 9..38 are closed and kept (hour 39 is open): the oldest kept one is hour 9
    expect(history[0]).toBeCloseTo(diskValue(T + 9 * HOUR + HOUR / 2 - STEP / 2), 0);
    expect(new Set(result.forecasts.map((r) => r[col('issued_at')])).size).toBe(38 - 23 + 1); // hours 23..38 closed with data
  });

  it('refuses a first-forecast threshold above the history it keeps', () => {
    expect(() => createForecastProcessor({ ...defaults, minHistoryHours: 48, historyHours: 36 }, codec, samplesConfig)).toThrow(/FORECAST_MIN_HISTORY_HOURS \(48\) is more than FORECAST_HISTORY_HOURS \(36\)/);
  });

  it('rejects an invalid metric pattern at construction', () => {
    expect(() => createForecastProcessor({ ...defaults, metricPattern: '(' }, codec, samplesConfig)).toThrow(/FORECAST_METRIC_PATTERN/);
  });
});
