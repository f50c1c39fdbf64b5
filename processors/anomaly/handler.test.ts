import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { createMetricBatchCodec, type WireSeries } from '../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { handleBatch } from '../../lib/runner/runner.ts';
import type { BusMessage } from '../../lib/runner/types.ts';
import type { TableRows } from '../../lib/store/types.ts';
import { createGaussian, createPrng } from '../../models/util/prng.ts';
import { samplesConfigSchema, type SamplesConfig } from '../samples/config.ts';
import { createMetricReader } from '../samples/reader.ts';
import { seriesId } from '../samples/series-id.ts';
import { createAlertEventCodec } from './alert-event.ts';
import { anomalyConfigSchema, type AnomalyConfig } from './config.ts';
import { createAnomalyProcessor, defaultAlertsTopic, inTimeOrder, type AnomalyProcessor } from './handler.ts';
import { baselineColumns, eventColumns } from './rows.ts';
import { createSeriesPacker, seriesNumbers, seriesStateBytes, type AnomalyPartitionState, type SeriesState } from './state.ts';
import { encodeFloat64, snapshotReplacer } from '../../lib/runner/snapshot-json.ts';
import { defaultDetectorParams, initDetector } from '../../models/anomaly/detector.ts';
import { createDetectorPacker } from '../../models/anomaly/packed.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const STEP = 10_000;
const T = Date.UTC(2026, 0, 1);
const codec = createMetricBatchCodec();
const alerts = createAlertEventCodec();
const samplesConfig = Value.Default(samplesConfigSchema, {}) as SamplesConfig;
const reader = createMetricReader(codec, samplesConfig);
const defaults = Value.Default(anomalyConfigSchema, {}) as AnomalyConfig;

// A steady gauge with unit noise. The noise repeats every 37 points: on fresh white noise the detector
// (still being tuned) also flags new extremes while its remembered range is short, which is model
// behaviour, not what this suite tests. Then a 10-sigma spike for 3 minutes at T + 3 h.
const gauss = createGaussian(createPrng(3));
const pattern = Array.from({ length: 37 }, () => gauss());
const SPIKE_FROM = T + 3 * HOUR;
const SPIKE_TO = SPIKE_FROM + 3 * MINUTE;
const cpu = (ts: number): number => 50 + (pattern[Math.round((ts - T) / STEP) % 37] ?? 0) + (ts >= SPIKE_FROM && ts < SPIKE_TO ? 10 : 0);
const cpuLabels = { host: 'host-1', cpu: 'total' };
const cpuId = seriesId('acme', 'cpu_utilization', cpuLabels);

type Extra = (timestamps: number[]) => WireSeries[];

/** One record per 10 minutes of 10-second samples over [from, to), appended when the window ends. */
function records(from: number, to: number, extra: Extra = () => [], value = cpu): BusRecord[] {
  const out: BusRecord[] = [];
  for (let start = from; start < to; start += 10 * MINUTE) {
    const timestamps = Array.from({ length: 60 }, (_, i) => start + i * STEP);
    const series: WireSeries[] = [{ metric: 'cpu_utilization', labels: cpuLabels, kind: 'GAUGE', timestamps, values: timestamps.map(value) }, ...extra(timestamps)];
    out.push({ topic: 't', partition: 0, offset: out.length, key: 'acme/host-1', value: codec.encode({ tenant: 'acme', source: 'host-1', sent_at: start + 10 * MINUTE, series }), timestampMs: start + 10 * MINUTE });
  }
  return out;
}

interface Run {
  baselines: unknown[][];
  events: unknown[][];
  messages: BusMessage[];
  late: number;
  accepted: number;
}

/** Feeds `input` in batches of `size`, collecting every output. */
function run(processor: AnomalyProcessor, state: AnomalyPartitionState, input: readonly BusRecord[], size = 4): Run {
  const out: Run = { baselines: [], events: [], messages: [], late: 0, accepted: 0 };
  for (let i = 0; i < input.length; i += size) {
    const result = processor.handle(state, input.slice(i, i + size));
    const table = (name: string): TableRows => result.outputs.find((o) => o.table === name)!;
    out.baselines.push(...table('baselines').rows);
    out.events.push(...table('anomaly_events').rows);
    out.messages.push(...(result.messages ?? []));
    out.late += result.skipped.late;
    out.accepted += result.accepted;
    expect(result.deadLetters).toEqual([]);
  }
  return out;
}

const bcol = (row: unknown[], name: string) => row[baselineColumns.indexOf(name)];
const ecol = (row: unknown[], name: string) => row[eventColumns.indexOf(name)];
const same = (a: Run, b: Run) => JSON.stringify({ ...a, messages: a.messages.map((m) => [m.topic, m.key, m.value.toString('hex')]) }) === JSON.stringify({ ...b, messages: b.messages.map((m) => [m.topic, m.key, m.value.toString('hex')]) });

describe('anomaly processor', () => {
  const processor = createAnomalyProcessor(defaults, reader);
  const input = records(T, T + 4 * HOUR);
  const state = processor.initState(0);
  const baseline = run(processor, state, input);

  it('opens and resolves exactly one event for the spike, with its start, peak and values', () => {
    expect(baseline.events).toHaveLength(2);
    const [open, resolved] = baseline.events as [unknown[], unknown[]];
    expect(ecol(open, 'status')).toBe('open');
    expect(ecol(resolved, 'status')).toBe('resolved');
    for (const row of [open, resolved]) {
      expect(ecol(row, 'tenant')).toBe('acme');
      expect(ecol(row, 'series_id')).toBe(cpuId);
      expect(ecol(row, 'metric')).toBe('cpu_utilization');
      expect(ecol(row, 'labels')).toEqual(cpuLabels);
      expect(ecol(row, 'transform')).toBe('value');
      expect(ecol(row, 'event_id')).toBe(`${cpuId}:${SPIKE_FROM}`);
      expect(ecol(row, 'start')).toBe(SPIKE_FROM);
    }
    expect(ecol(open, 'end')).toBeNull();
    const end = ecol(resolved, 'end') as number;
    expect(end).toBeGreaterThanOrEqual(SPIKE_FROM);
    expect(end).toBeLessThan(SPIKE_TO + 10 * MINUTE); // the last point still scored above the close threshold
    expect(ecol(resolved, 'version')).toBeGreaterThan(ecol(open, 'version') as number);
    expect(ecol(resolved, 'peak_score')).toBeGreaterThanOrEqual(0.8);
    expect(ecol(resolved, 'severity')).toBe('critical');
    expect(ecol(resolved, 'observed')).toBe(cpu(SPIKE_FROM)); // the first spike point scores 1
    expect(Math.abs((ecol(resolved, 'expected') as number) - 50)).toBeLessThan(1.5);
    expect(ecol(resolved, 'detector')).not.toBe('none');
  });

  it('emits a trigger and a resolve AlertEvent with the event as dedup key', () => {
    expect(baseline.messages).toHaveLength(2);
    const [trigger, resolve] = baseline.messages.map((m) => {
      expect(m.topic).toBe(defaultAlertsTopic);
      expect(m.key).toBe(`acme/${cpuId}`);
      return alerts.decode(m.value);
    }) as [ReturnType<typeof alerts.decode>, ReturnType<typeof alerts.decode>];
    const resolved = baseline.events[1]!;
    expect(trigger).toMatchObject({ tenant: 'acme', source: 'anomaly', action: 'trigger', dedup_key: `${cpuId}:${SPIKE_FROM}`, series_id: cpuId, metric: 'cpu_utilization', labels: cpuLabels, start_ms: SPIKE_FROM, end_ms: null });
    expect(resolve).toMatchObject({
      action: 'resolve', dedup_key: trigger.dedup_key, severity: 'critical', start_ms: SPIKE_FROM, end_ms: ecol(resolved, 'end'),
      peak_score: ecol(resolved, 'peak_score'), expected: ecol(resolved, 'expected'), observed: ecol(resolved, 'observed'), detector: ecol(resolved, 'detector'),
    });
    expect(trigger.summary).toContain('cpu_utilization{cpu="total",host="host-1"}');
    expect(resolve.summary).toMatch(/^resolved after /);
  });

  it('writes one baseline row per closed minute after warm-up, with lower <= expected <= upper', () => {
    // warm from the 61st point (minute 10); minutes 10..238 close, minute 239 stays open
    expect(baseline.baselines.map((r) => bcol(r, 'bucket'))).toEqual(Array.from({ length: 229 }, (_, k) => (T + (10 + k) * MINUTE) / 1000));
    for (const row of baseline.baselines) {
      expect(bcol(row, 'series_id')).toBe(cpuId);
      expect(bcol(row, 'points')).toBe(6);
      expect(bcol(row, 'lower')).toBeLessThanOrEqual(bcol(row, 'expected') as number);
      expect(bcol(row, 'expected')).toBeLessThanOrEqual(bcol(row, 'upper') as number);
      expect(Math.abs((bcol(row, 'expected') as number) - 50)).toBeLessThan(11);
    }
    const spikeMinute = baseline.baselines.find((r) => bcol(r, 'bucket') === SPIKE_FROM / 1000)!;
    expect(bcol(spikeMinute, 'max_score')).toBeGreaterThanOrEqual(0.8);
    const quiet = baseline.baselines.find((r) => bcol(r, 'bucket') === (T + 2 * HOUR) / 1000)!;
    expect(bcol(quiet, 'max_score')).toBeLessThan(0.5);
  });

  it.each([
    ['a constant gauge', () => 42],
    ['the steady noisy gauge without the spike', (ts: number) => 50 + (pattern[Math.round((ts - T) / STEP) % 37] ?? 0)],
  ])('opens no event on %s', (_name, value) => {
    const quiet = run(processor, processor.initState(0), records(T, T + 4 * HOUR, () => [], value));
    expect(quiet.events).toEqual([]);
    expect(quiet.messages).toEqual([]);
    expect(quiet.baselines).toHaveLength(229);
  });

  it.each(['object', 'packed'] as const)('restores a snapshot written before series were slots (each series an object, its detector %s)', (form) => {
    const cut = 9;
    const first = processor.initState(0);
    const head = run(processor, first, input.slice(0, cut));
    const packer = createDetectorPacker(defaultDetectorParams);
    const seriesPacker = createSeriesPacker(packer);
    const old = JSON.stringify({
      v: 1,
      series: [...first.series].map(([id, slot]) => {
        const s: SeriesState = {
          tenant: 'acme', metric: 'old', labels: { from: 'an old snapshot' }, transform: 'value', lastTs: 0, lastRaw: 0, stepMs: 0, samples: 0,
          events: { open: null, quiet: 0 }, bucket: { start: 0, points: 0, sumExpected: 0, sumLower: 0, sumUpper: 0, maxScore: 0 },
        };
        const detector = initDetector(defaultDetectorParams);
        seriesPacker.unpack(seriesNumbers(first, slot), 0, s, detector);
        return [id, { ...s, detector: form === 'object' ? detector : encodeFloat64(packer.pack(detector)) }];
      }),
    }, snapshotReplacer);
    const restored = processor.snapshot!.deserialize([old]);
    const tail = run(processor, restored, input.slice(cut));
    const joined: Run = { baselines: [...head.baselines, ...tail.baselines], events: [...head.events, ...tail.events], messages: [...head.messages, ...tail.messages], late: 0, accepted: head.accepted + tail.accepted };
    expect(same(joined, baseline)).toBe(true);
  });

  it('refuses a snapshot whose series slots have another layout, saying what to do', () => {
    const part = JSON.stringify({ v: 1, series: [['x', Buffer.alloc(24).toString('base64')]] });
    expect(() => processor.snapshot!.deserialize([part])).toThrow(/series states of 3 numbers.*processor_snapshot_parts and processor_snapshots/);
  });

  it('refuses a snapshot whose packed detector has another layout, saying what to do', () => {
    const part = JSON.stringify({ v: 1, series: [['x', { detector: Buffer.alloc(16).toString('base64') }]] });
    expect(() => processor.snapshot!.deserialize([part])).toThrow(/detector states of 2 numbers.*processor_snapshot_parts and processor_snapshots/);
  });

  it('is deterministic: two runs give the same rows and message bytes', () => {
    const again = run(createAnomalyProcessor(defaults, reader), processor.initState(0), input, 7);
    expect(same(again, baseline)).toBe(true);
  });

  it.each([1, 9, 18, 19, 20])('continues from a snapshot taken after %i records exactly like an uninterrupted run', (cut) => {
    const first = processor.initState(0);
    const head = run(processor, first, input.slice(0, cut));
    const parts = [...processor.snapshot!.serialize(first, 2048)];
    const restored = processor.snapshot!.deserialize(parts);
    expect([...processor.snapshot!.serialize(restored, 2048)]).toEqual(parts);
    const tail = run(processor, restored, input.slice(cut));
    const joined: Run = { baselines: [...head.baselines, ...tail.baselines], events: [...head.events, ...tail.events], messages: [...head.messages, ...tail.messages], late: 0, accepted: head.accepted + tail.accepted };
    expect(same(joined, baseline)).toBe(true);
  });

  it('writes one label order whatever order each record carries a series\' labels in (the id hashes them sorted)', () => {
    const reordered = input.map((r, k) => {
      if (k % 2 === 0) return r;
      const batch = codec.decode(r.value);
      return { ...r, value: codec.encode({ ...batch, series: batch.series.map((s) => ({ ...s, labels: Object.fromEntries(Object.entries(s.labels).reverse()) })) }) };
    });
    const result = run(processor, processor.initState(0), reordered);
    expect(result.events.length).toBeGreaterThan(1);
    expect(same(result, baseline)).toBe(true);
    for (const row of result.events) expect(Object.keys(ecol(row, 'labels') as object)).toEqual(['cpu', 'host']);
  });

  it('gives the same rows however the samples are split into records (a restarted collector re-splits them)', () => {
    const sizes = [7, 13, 60, 1, 33];
    const split: BusRecord[] = [];
    for (let start = T, k = 0; start < T + 4 * HOUR; k++) {
      const end = Math.min(T + 4 * HOUR, start + sizes[k % sizes.length]! * STEP);
      const timestamps = Array.from({ length: (end - start) / STEP }, (_, i) => start + i * STEP);
      const value = codec.encode({ tenant: 'acme', source: 'host-1', sent_at: end, series: [{ metric: 'cpu_utilization', labels: cpuLabels, kind: 'GAUGE', timestamps, values: timestamps.map(cpu) }] });
      split.push({ topic: 't', partition: 0, offset: k, key: 'acme/host-1', value, timestampMs: end });
      start = end;
    }
    expect(same(run(processor, processor.initState(0), split, 9), baseline)).toBe(true);
  });

  it('gives the rows of a whole batch when the runner hands it over in slices', async () => {
    // a second series in every record, and records out of time order across a slice boundary
    const extra: Extra = (timestamps) => [{ metric: 'cpu_utilization', labels: { host: 'host-2', cpu: 'total' }, kind: 'GAUGE', timestamps, values: timestamps.map((ts) => cpu(ts) * 2) }];
    const batch = records(T, T + 4 * HOUR, extra);
    [batch[10], batch[11]] = [batch[11]!, batch[10]!];
    const whole = processor.handle(processor.initState(0), batch);
    const sliced = await handleBatch({ ...processor, sliceRecords: 5 }, processor.initState(0), batch);
    expect(whole.outputs.find((o) => o.table === 'baselines')!.rows.length).toBeGreaterThan(400);
    expect(whole.skipped.late).toBeGreaterThan(0);
    expect(sliced).toEqual(whole);
  });

  it('ignores and counts a sample not newer than the last one of its series', () => {
    const lateTs = T + 2 * HOUR + 30_000;
    const late: BusRecord = { ...input[15]!, value: codec.encode({ tenant: 'acme', source: 'host-1', sent_at: T + 3 * HOUR, series: [{ metric: 'cpu_utilization', labels: cpuLabels, kind: 'GAUGE', timestamps: [lateTs], values: [500] }] }) };
    const withLate = [...input.slice(0, 15), late, ...input.slice(15)].map((r, offset) => ({ ...r, offset }));
    const result = run(processor, processor.initState(0), withLate);
    expect(result.late).toBe(1);
    expect(same({ ...result, late: 0 }, { ...baseline, late: 0 })).toBe(true);
  });

  it('scores the samples of a record in event-time order whatever their order on the wire', () => {
    const shuffled = input.map((r) => {
      const batch = codec.decode(r.value);
      const s = batch.series[0]!;
      const order = s.timestamps.map((_, i) => i).reverse();
      return { ...r, value: codec.encode({ ...batch, series: [{ ...s, timestamps: order.map((i) => s.timestamps[i]!), values: order.map((i) => s.values[i]!) }] }) };
    });
    expect(same(run(processor, processor.initState(0), shuffled), baseline)).toBe(true);
  });

  it('scores a counter on its per-second rate across a reset', () => {
    // 5 per second; the service restarts 5 s after a sample, so the next sample counts only 5 s of it
    const reset = T + 2 * HOUR + 5_000;
    const counter: Extra = (timestamps) => [{ metric: 'http_requests_total', labels: { host: 'host-1' }, kind: 'COUNTER', timestamps, values: timestamps.map((ts) => 5 * ((ts - (ts >= reset ? reset : T)) / 1000)) }];
    const result = run(processor, processor.initState(0), records(T, T + 3 * HOUR, counter));
    const id = seriesId('acme', 'http_requests_total', { host: 'host-1' });
    const rows = result.baselines.filter((r) => bcol(r, 'series_id') === id);
    expect(rows).toHaveLength(169); // like the gauge: minutes 10..178 close
    for (const row of rows) {
      expect(bcol(row, 'transform')).toBe('rate');
      const bucket = (bcol(row, 'bucket') as number) * 1000;
      if (bucket < reset - MINUTE) expect(bcol(row, 'expected')).toBeCloseTo(5, 6);
      else if (bucket > reset + 10 * MINUTE) expect(bcol(row, 'expected')).toBeCloseTo(5, 1); // the model's seasonal profile remembers the dip a while
    }
    // the restart reads as a rate of 2.5 for one point, never as a negative rate
    const events = result.events.filter((r) => ecol(r, 'series_id') === id);
    for (const row of events) {
      expect(ecol(row, 'start')).toBe(reset + 5_000);
      expect(ecol(row, 'observed')).toBe(2.5);
    }
  });

  it('skips undecodable records, invalid samples and unmatched metrics without dead-lettering them', () => {
    const only = createAnomalyProcessor({ ...defaults, metricPattern: 'disk_.*' }, reader);
    const state = only.initState(0);
    const bad: BusRecord = { ...input[0]!, value: Buffer.from('not avro') };
    const nan: BusRecord = { ...input[0]!, value: codec.encode({ tenant: 'acme', source: 'h', sent_at: T, series: [{ metric: 'disk_used_bytes', labels: {}, kind: 'GAUGE', timestamps: [T], values: [Number.NaN] }] }) };
    const result = only.handle(state, [bad, nan, input[0]!]);
    expect(result.deadLetters).toEqual([]);
    expect(result.skipped).toEqual({ undecodable: 1, invalid: 1, unmatched: 60, late: 0 });
    expect(result.accepted).toBe(0);
    expect(state.series.size).toBe(0);
  });

  it('keeps a bounded state per series', () => {
    const bytes = seriesStateBytes(state, cpuId);
    expect(bytes).toBeLessThan(2500);
  });

  it('rejects an invalid metric pattern at construction', () => {
    expect(() => createAnomalyProcessor({ ...defaults, metricPattern: '(' }, reader)).toThrow(/ANOMALY_METRIC_PATTERN/);
  });
});

describe('inTimeOrder', () => {
  const run = (id: string, timestamps: number[], values: number[]) => ({ tenant: 'acme', id, timestamps, values });

  it('merges the runs of one series in first-seen order and sorts them stably by event time', () => {
    const ordered = inTimeOrder([run('b', [5, 6], [50, 60]), run('a', [3, 1], [30, 10]), run('b', [4, 5], [40, 51])]);
    expect([...ordered.keys()]).toEqual(['b', 'a']);
    expect(ordered.get('a')).toMatchObject({ timestamps: [1, 3], values: [10, 30] });
    // equal times keep record order: 50 (first run) before 51 (second run)
    expect(ordered.get('b')).toMatchObject({ timestamps: [4, 5, 5, 6], values: [40, 50, 51, 60] });
  });

  it('joins a series named many times in one record into one run in time order', () => {
    const runs = Array.from({ length: 5000 }, (_, i) => run('a', [5000 - i], [i]));
    const ordered = inTimeOrder(runs).get('a')!;
    expect(ordered.timestamps).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(ordered.values).toEqual(Array.from({ length: 5000 }, (_, i) => 4999 - i));
  });

  it('passes a single run already in order through untouched', () => {
    const only = run('a', [1, 2, 2, 3], [1, 2, 3, 4]);
    expect(inTimeOrder([only]).get('a')).toBe(only);
  });
});
