import { Value } from '@sinclair/typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMetricBatchCodec, type MetricBatch } from '../../lib/avro/metric-batch.ts';
import PQueue from 'p-queue';
import { pino } from 'pino';
import type { BusConsumer, BusRecord } from '../../lib/bus/types.ts';
import { createRegistry, pipelineMetrics } from '../../lib/observability/metrics.ts';
import { createMemoryCheckpoints } from '../../lib/runner/checkpoints.ts';
import { createRunner, handleBatch } from '../../lib/runner/runner.ts';
import { createMemorySnapshots } from '../../lib/runner/snapshots.ts';
import type { TableRows } from '../../lib/store/types.ts';
import { samplesConfigSchema, type SamplesConfig } from '../samples/config.ts';
import { createMetricReader } from '../samples/reader.ts';
import { seriesId } from '../samples/series-id.ts';
import { forecastConfigSchema, type ForecastConfig } from './config.ts';
import { createForecastProcessor, type ForecastHandleResult, type ForecastProcessor } from './handler.ts';
import { HISTORY_TABLE, memoryHistory, type HistoryRange, type HistoryRequest } from './history.ts';
import { encodeFloat64 } from '../../lib/runner/snapshot-json.ts';
import { heldForecaster } from './held.ts';
import { capacityPlanColumns, forecastColumns } from './rows.ts';
import type { ForecastPartitionState } from './state.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GIB = 1024 ** 3;
const T = Date.UTC(2026, 0, 1);
const STEP = 600_000;
const codec = createMetricBatchCodec();
const samplesConfig = Value.Default(samplesConfigSchema, {}) as SamplesConfig;
const reader = createMetricReader(codec, samplesConfig);
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

interface Run { forecasts: unknown[][]; plans: unknown[][]; history: unknown[][]; late: number }

/**
 * Feeds `records` in batches of `size` as the runner does (prepare, look-up, handle, store the rows),
 * with `history` standing in for forecast_history; returns every output row by table.
 */
async function run(processor: ForecastProcessor, state: ForecastPartitionState, records: readonly BusRecord[], size = 5, history = memoryHistory()): Promise<Run> {
  const out: Run = { forecasts: [], plans: [], history: [], late: 0 };
  for (let i = 0; i < records.length; i += size) {
    const result = (await handleBatch(processor, state, records.slice(i, i + size), history.lookup)) as ForecastHandleResult;
    history.keep(result);
    const table = (name: string): TableRows => result.outputs.find((o) => o.table === name)!;
    out.forecasts.push(...table('forecasts').rows);
    out.plans.push(...table('capacity_plans').rows);
    out.history.push(...table(HISTORY_TABLE).rows);
    out.late += result.skipped.late;
    expect(result.deadLetters).toEqual([]);
  }
  return out;
}

/**
 * The state as a snapshot written before forecast_history existed: each series carries its closed hours'
 * means (from the history rows written so far) as `history`, and has no historyStart or finite.
 */
function oldSnapshot(processor: ForecastProcessor, state: ForecastPartitionState, historyRows: readonly unknown[][]): string[] {
  const means = new Map(historyRows.map((r) => [r[2] as number, r[3] as number]));
  return [...processor.snapshot!.serialize(state, 1 << 20)].map((text) => {
    const part = JSON.parse(text) as { v: number; series: [string, Record<string, unknown>][] };
    for (const [, s] of part.series) {
      const from = s['historyStart'] as number;
      const hours = Array.from({ length: ((s['hourStart'] as number) - from) / HOUR }, (_, k) => means.get(from + k * HOUR) ?? NaN);
      s['history'] = encodeFloat64(hours);
      delete s['historyStart'];
      delete s['finite'];
    }
    return JSON.stringify(part);
  });
}

const col = (name: string) => forecastColumns.indexOf(name);
const planCol = (name: string) => capacityPlanColumns.indexOf(name);

describe('forecast processor', () => {
  const processor = createForecastProcessor(defaults, reader);
  const records = hourlyRecords(T, T + 5 * DAY); // 120 hours; the last stays open
  let baseline: Run;
  beforeAll(async () => {
    baseline = await run(processor, processor.initState(0), records);
  });

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
      expect(row[col('model_version')]).toBe('2');
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

  it('is deterministic: two runs give the same rows, byte for byte', async () => {
    const again = await run(createForecastProcessor(defaults, reader), processor.initState(0), records, 7);
    expect(JSON.stringify(again)).toBe(JSON.stringify(baseline));
  });

  it.each([10, 30, 50, 80, 110])('continues from a snapshot taken after %i records exactly like an uninterrupted run', async (cut) => {
    const first = processor.initState(0);
    const history = memoryHistory();
    const head = await run(processor, first, records.slice(0, cut), 5, history);
    const parts = [...processor.snapshot!.serialize(first, 2048)];
    const restored = processor.snapshot!.deserialize(parts);
    expect([...processor.snapshot!.serialize(restored, 2048)]).toEqual(parts);
    const tail = await run(processor, restored, records.slice(cut), 5, history);
    expect(JSON.stringify({ forecasts: [...head.forecasts, ...tail.forecasts], plans: [...head.plans, ...tail.plans] }))
      .toBe(JSON.stringify({ forecasts: baseline.forecasts, plans: baseline.plans }));
  });

  it('keeps one copy of each tenant and metric name per partition, in a restored one too', async () => {
    const state = processor.initState(0);
    const second = { metric: 'disk_used_bytes', labels: { ...diskLabels, host: 'host-2' }, kind: 'GAUGE' as const, timestamps: [T], values: [1] };
    await handleBatch(processor, state, [{ ...records[0]!, value: encode([T], [second]) }]);
    expect(state.series.size).toBe(2);
    expect([...state.names.keys()].sort()).toEqual(['acme', 'disk_used_bytes']);
    const restored = processor.snapshot!.deserialize([...processor.snapshot!.serialize(state, 2048)]);
    expect([...restored.names.keys()].sort()).toEqual(['acme', 'disk_used_bytes']);
    expect([...restored.series.values()].map((s) => [s.tenant, s.metric])).toEqual([['acme', 'disk_used_bytes'], ['acme', 'disk_used_bytes']]);
  });

  it('ignores and counts a sample of an hour already closed', async () => {
    const late: BusRecord = { ...records[30]!, value: encode([T + 10 * HOUR + 60_000]) };
    const withLate = [...records.slice(0, 30), late, ...records.slice(30)].map((r, offset) => ({ ...r, offset }));
    const result = await run(processor, processor.initState(0), withLate);
    expect(result.late).toBe(1);
    expect(result.forecasts).toEqual(baseline.forecasts);
    expect(result.plans).toEqual(baseline.plans);
  });

  it('skips undecodable records and invalid samples without dead-lettering them', async () => {
    const state = processor.initState(0);
    const bad: BusRecord = { ...records[0]!, value: Buffer.from('not avro') };
    const nan: BusRecord = { ...records[0]!, value: codec.encode({ tenant: 'acme', source: 'h', sent_at: T, series: [{ metric: 'disk_used_bytes', labels: diskLabels, kind: 'GAUGE', timestamps: [T], values: [Number.NaN] }] }) };
    const result = (await handleBatch(processor, state, [bad, nan])) as ForecastHandleResult;
    expect(result.deadLetters).toEqual([]);
    expect(result.skipped).toMatchObject({ undecodable: 1, invalid: 1 });
    expect(result.accepted).toBe(0);
    expect(state.series.size).toBe(0);
  });

  it('forecasts only metrics matching the pattern, and no capacity plan without a capacity', async () => {
    const only = createForecastProcessor({ ...defaults, metricPattern: 'cpu_.*' }, reader);
    const withCpu = records.map((r, i) => {
      const hour = T + i * HOUR;
      const timestamps = Array.from({ length: 6 }, (_, k) => hour + k * STEP);
      return { ...r, value: encode(timestamps, [{ metric: 'cpu_utilization', labels: { host: 'host-1' }, kind: 'GAUGE', timestamps, values: timestamps.map((ts) => 50 + 20 * Math.sin((2 * Math.PI * ts) / DAY)) }]) };
    });
    const state = only.initState(0);
    const result = await run(only, state, withCpu);
    expect(state.series.size).toBe(1);
    expect(new Set(result.forecasts.map((r) => r[col('series_id')]))).toEqual(new Set([seriesId('acme', 'cpu_utilization', { host: 'host-1' })]));
    expect(result.forecasts).toHaveLength(96 * 48);
    expect(result.plans).toEqual([]);
  });

  it('counts skipped hours as missing: no history row, no forecast for them', async () => {
    const gapped = [...hourlyRecords(T, T + 30 * HOUR), ...hourlyRecords(T + 33 * HOUR, T + 40 * HOUR, 30)];
    const result = await run(processor, processor.initState(0), gapped);
    const issued = [...new Set(result.forecasts.map((r) => r[col('issued_at')]))];
    // closed with data: hours 23..29 and 33..38; hours 30..32 are missing
    expect(issued).toEqual([...Array.from({ length: 7 }, (_, k) => T + (24 + k) * HOUR), ...Array.from({ length: 6 }, (_, k) => T + (34 + k) * HOUR)]);
    const hours = result.history.map((r) => ((r[2] as number) - T) / HOUR);
    expect(hours).toEqual([...Array.from({ length: 30 }, (_, k) => k), ...Array.from({ length: 6 }, (_, k) => 33 + k)]);
    expect(result.history[0]).toEqual(['acme', diskId, T, diskValue(T + HOUR / 2 - STEP / 2)]);
  });

  it('refits on at most historyHours of stored means, the newest ones, and still forecasts every hour', async () => {
    const short = createForecastProcessor({ ...defaults, historyHours: 30, refitEveryHours: 5 }, reader);
    const history = memoryHistory();
    const ranges: HistoryRange[] = [];
    const recording = { ...history, lookup: (request: unknown) => { ranges.push(...(request as HistoryRequest).ranges); return history.lookup(request); } };
    const result = await run(short, short.initState(0), hourlyRecords(T, T + 60 * HOUR), 1, recording);
    expect(ranges.length).toBeGreaterThan(5);
    for (const r of ranges) expect(r.to - r.from).toBeLessThanOrEqual(30 * HOUR);
    expect(ranges.at(-1)!.from).toBeGreaterThan(T); // the oldest hours have left the window
    expect(new Set(result.forecasts.map((r) => r[col('issued_at')])).size).toBe(58 - 23 + 1); // hours 23..58 closed with data
  });

  it('gives the same rows whether a refit reads its window from the store or gets it from its own batch', async () => {
    const oneBatch = await run(processor, processor.initState(0), records, records.length);
    expect(JSON.stringify(oneBatch)).toBe(JSON.stringify(baseline));
  });

  it('reads the window of a series whose newest sample is not the last one in the record', async () => {
    const state = processor.initState(0);
    const history = memoryHistory();
    await run(processor, state, hourlyRecords(T, T + 24 * HOUR), 5, history); // hours 0..22 closed, 23 open
    // hour 24 first (closes hour 23: the first fit), then a late sample of hour 22
    const record: BusRecord = { ...records[24]!, value: encode([T + 24 * HOUR, T + 22 * HOUR + 60_000]) };
    const result = await run(processor, state, [record], 1, history);
    expect(result.late).toBe(1);
    expect(new Set(result.forecasts.map((r) => r[col('issued_at')]))).toEqual(new Set([T + 24 * HOUR]));
  });

  it('reads the store only in batches that fit or refit a series', async () => {
    const history = memoryHistory();
    let reads = 0;
    const counting = { ...history, lookup: (request: unknown) => { reads++; return history.lookup(request); } };
    const state = processor.initState(0);
    const fitted: number[] = [];
    const read: number[] = [];
    // a fit sets errorLevelAtFit afresh; an hourly update leaves it alone
    const fitMark = () => {
      const held = state.series.get(diskId)?.forecaster;
      return held === undefined || held === null ? undefined : heldForecaster(state.slabs, held).errorLevelAtFit;
    };
    for (const [i, record] of records.entries()) {
      const before = fitMark();
      const readsBefore = reads;
      await run(processor, state, [record], 1, counting);
      const after = fitMark();
      if (after !== undefined && after !== before) fitted.push(i);
      if (reads > readsBefore) read.push(i);
    }
    // first fit when hour 23 closes, richer members at hour 71, then refits one day apart
    expect(fitted.length).toBeGreaterThanOrEqual(4);
    expect(read).toEqual(fitted);
  });

  it('continues a snapshot written before forecast_history existed (history in the snapshot) like an uninterrupted run', async () => {
    const cut = 80;
    const first = processor.initState(0);
    const head = await run(processor, first, records.slice(0, cut));
    const parts = oldSnapshot(processor, first, head.history);
    const restored = processor.snapshot!.deserialize(parts);
    expect(restored.series.get(diskId)!.unstored).toHaveLength(cut - 1);
    const tail = await run(processor, restored, records.slice(cut), 5, memoryHistory());
    expect(JSON.stringify({ forecasts: [...head.forecasts, ...tail.forecasts], plans: [...head.plans, ...tail.plans] }))
      .toBe(JSON.stringify({ forecasts: baseline.forecasts, plans: baseline.plans }));
  });

  it.each([[80, 80], [80, 92]])('after restoring a pre-forecast_history snapshot at %i with checkpoint %i, hours the rebuild closes are in later windows', async (cut, stored) => {
    // The old version snapshotted after `cut` records, stored the outputs of records up to `stored`
    // (checkpoint), and was killed. The new version restores the snapshot, rebuilds cut..stored (no
    // writes), then processes the rest: its refits must see the same hours as an uninterrupted run.
    const first = processor.initState(0);
    const head = await run(processor, first, records.slice(0, cut));
    const parts = oldSnapshot(processor, first, head.history);
    const snapshots = createMemorySnapshots();
    const target = { group: 'g', topic: 't', partition: 0, slot: 0 as const, offset: cut, takenAt: 0 };
    for (const [i, text] of parts.entries()) await snapshots.savePart(target, i + 1, text);
    await snapshots.commit(target, parts.length);
    const checkpoints = createMemoryCheckpoints();
    await checkpoints.save('g', 't', 0, { nextOffset: stored, pendingTo: -1, version: 1 }, 0);
    const table = memoryHistory(); // the old version never wrote forecast_history
    const forecasts: unknown[][] = [];
    const sink = {
      async insert(rows: TableRows) {
        if (rows.table === 'forecasts') forecasts.push(...rows.rows);
        table.keep({ outputs: [rows], deadLetters: [], accepted: 0 });
      },
    };
    let done: () => void = () => undefined;
    const drained = new Promise<void>((resolve) => (done = resolve));
    const consumer: BusConsumer = {
      async start(handler) {
        const from = (await handler.onAssigned([0])).get(0)!;
        void (async () => {
          for (let at = from; at < records.length; at += 5) await handler.onRecords(0, records.slice(at, at + 5), records.length);
          done();
        })();
      },
      async commit() {},
      async stop() {},
      healthy: () => true,
    };
    const runner = createRunner({
      definition: processor, consumer, topic: 't', group: 'g', sink, lookup: table.lookup, checkpoints, snapshots,
      config: { maxBatchRecords: 100, maxBatchBytes: 1 << 20, storeConcurrency: 2, checkpointIntervalMs: 0, snapshotIntervalMs: 1e9, snapshotPartBytes: 1 << 20, snapshotBufferBytes: 1 << 20, retryBaseDelayMs: 1, retryMaxDelayMs: 10 },
      queue: new PQueue({ concurrency: 2 }), log: pino({ level: 'silent' }), metrics: pipelineMetrics(createRegistry()), now: () => 0, onFatal: () => done(),
    });
    await runner.start();
    await drained;
    expect(runner.healthy()).toBe(true);
    const expected = baseline.forecasts.filter((r) => (r[col('issued_at')] as number) >= T + stored * HOUR);
    expect(forecasts.length).toBe(expected.length);
    const differing = forecasts.filter((r, i) => JSON.stringify(r) !== JSON.stringify(expected[i])).length;
    expect(differing).toBe(0);
  });

  it('an hour whose mean overflows gives the same rows whether its window comes from the store or the batch', async () => {
    const big = records.map((r, i) => {
      const timestamps = Array.from({ length: HOUR / STEP }, (_, k) => T + i * HOUR + k * STEP);
      const values = timestamps.map((ts) => (i === 30 ? 1.5e308 : diskValue(ts)));
      return { ...r, value: codec.encode({ tenant: 'acme', source: 'host-1', sent_at: T, series: [{ metric: 'disk_used_bytes', labels: diskLabels, kind: 'GAUGE', timestamps, values }] }) };
    });
    const byOne = await run(processor, processor.initState(0), big, 1);
    const whole = await run(processor, processor.initState(0), big, big.length);
    expect(JSON.stringify(whole.forecasts)).toBe(JSON.stringify(byOne.forecasts));
  });

  it('starts a series over after a silence longer than its history: it then forecasts like a new series', async () => {
    // 100 hours of history: long enough for the daily ensemble, whose fit depends on where the window starts
    const short = createForecastProcessor({ ...defaults, historyHours: 100 }, reader);
    const before = hourlyRecords(T, T + 40 * HOUR);
    const after = hourlyRecords(T + 150 * HOUR, T + 260 * HOUR, before.length);
    const state = short.initState(0);
    await run(short, state, before);
    const { words, slot } = state.series.get(diskId)!.forecaster!;
    const first = await run(short, state, after.slice(0, 1));
    expect(state.series.get(diskId)!.forecaster).toBeNull();
    expect(() => state.slabs.get(words)!.view(slot)).toThrow(/not allocated/); // started over: its forecaster's slot was given back
    const rest = await run(short, state, after.slice(1));
    const resumed = { forecasts: [...first.forecasts, ...rest.forecasts] };
    const fresh = await run(short, short.initState(0), after);
    const since = (rows: unknown[][]) => rows.filter((r) => (r[col('issued_at')] as number) > T + 41 * HOUR);
    expect(since(fresh.forecasts).length).toBeGreaterThan(0);
    expect(JSON.stringify(since(resumed.forecasts))).toBe(JSON.stringify(since(fresh.forecasts)));
  });

  it('caps a window at historyHours inside a batch too, and knows its exact count of hours with data', async () => {
    const short = createForecastProcessor({ ...defaults, historyHours: 30, refitEveryHours: 5 }, reader);
    const sixty = hourlyRecords(T, T + 60 * HOUR);
    const byOne = await run(short, short.initState(0), sixty, 1);
    const state = short.initState(0);
    const whole = await run(short, state, sixty, sixty.length);
    expect(JSON.stringify(whole)).toBe(JSON.stringify(byOne));
    expect(state.series.get(diskId)!.finite).toBe(30);
  });

  it('restores an old snapshot taken before the first fit, and drops its unstored hours once they leave the window', async () => {
    const short = createForecastProcessor({ ...defaults, historyHours: 30 }, reader);
    const sixty = hourlyRecords(T, T + 60 * HOUR);
    const expected = await run(short, short.initState(0), sixty);
    const first = short.initState(0);
    const head = await run(short, first, sixty.slice(0, 10));
    const restored = short.snapshot!.deserialize(oldSnapshot(short, first, head.history));
    expect(restored.series.get(diskId)!.unstored).toHaveLength(9);
    const tail = await run(short, restored, sixty.slice(10), 5, memoryHistory());
    expect(JSON.stringify([...head.forecasts, ...tail.forecasts])).toBe(JSON.stringify(expected.forecasts));
    expect(restored.series.get(diskId)!.unstored).toBeUndefined();
  });

  it('refuses a first-forecast threshold above the history it keeps', () => {
    expect(() => createForecastProcessor({ ...defaults, minHistoryHours: 48, historyHours: 36 }, reader)).toThrow(/FORECAST_MIN_HISTORY_HOURS \(48\) is more than FORECAST_HISTORY_HOURS \(36\)/);
  });

  it('rejects an invalid metric pattern at construction', () => {
    expect(() => createForecastProcessor({ ...defaults, metricPattern: '(' }, reader)).toThrow(/FORECAST_METRIC_PATTERN/);
  });
});
