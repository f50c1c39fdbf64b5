// State per series at scale, for `npm run bench:pipeline`: runs a pool of real series through the anomaly
// and forecast processors until their state is in steady state (anomaly: 2 days at 1-minute steps, so the
// windows, seasonal bins and recurrence memory are full; forecast: FORECAST_HISTORY_HOURS of hourly points, so the
// fit window is full and the weekly members are fitted; the history itself is in forecast_history, here
// an in-memory stand-in that is not counted), then holds N copies of those states in one
// partition and measures the V8 heap plus ArrayBuffer memory they take, for each N asked for, with
// 20-digit series ids as keys. Also reports the snapshot bytes per series. Anomaly series are copied slot by
// slot into one partition state (the processor's own layout); forecast series are deep copies that keep
// V8's array layout (number arrays stay unboxed doubles, as in the live state; structuredClone would box
// every element and triple the figure), with their forecasters packed into the partition's slabs as the
// processor holds them, and strings copied too, so nothing is shared between series that the processor
// does not share (its tenant and metric names are one string per partition).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AvroCodec } from '../../../lib/avro/codec.ts';
import type { MetricBatch } from '../../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../../lib/bus/types.ts';
import type { Config } from '../../../lib/config/load.ts';
import { buildBatch } from '../../../ingest/synthetic/collector.ts';
import { hostSeries } from '../../../ingest/synthetic/fleet.ts';
import { createAnomalyProcessor } from '../../../processors/anomaly/handler.ts';
import { createForecastProcessor } from '../../../processors/forecast/handler.ts';
import { createMetricReader } from '../../../processors/samples/reader.ts';
import { initPartitionState, seriesNumbers, type AnomalyPartitionState } from '../../../processors/anomaly/state.ts';
import { emptyState, type ForecastPartitionState, type SeriesState } from '../../../processors/forecast/state.ts';
import { heldForecaster, holdForecaster } from '../../../processors/forecast/held.ts';
import { memoryHistory } from '../../../processors/forecast/history.ts';
import { handleBatch } from '../../../lib/runner/runner.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** One processor's figures at one scale. */
export interface StateFigure {
  processor: string;
  series: number;
  /** V8 heap per series with `series` states held, bytes. */
  heapBytes: number;
  /** Snapshot JSON per series (average over the pool), bytes. */
  snapshotBytes: number;
  /** Heap of all states, bytes. */
  totalBytes: number;
}

const DAY_MS = 86_400_000;

/** Records carrying `days` days of `hosts` synthetic hosts at `stepMs`, one record per host and day. */
function records(codec: AvroCodec<MetricBatch>, hosts: number, end: number, days: number, stepMs: number): BusRecord[] {
  const out: BusRecord[] = [];
  let offset = 0;
  for (let d = days; d > 0; d--) {
    for (let h = 0; h < hosts; h++) {
      const host = { key: `bench/host-${h}`, source: `host-${h}`, series: hostSeries(3, h, 0.3, stepMs) };
      const batch = buildBatch('bench', host, end - d * DAY_MS, end - (d - 1) * DAY_MS, stepMs);
      out.push({ topic: 'bench', partition: 0, offset: offset++, key: host.key, value: codec.encode(batch), timestampMs: batch.sent_at });
    }
  }
  return out;
}

/** V8 heap plus ArrayBuffer backing stores (packed states keep their numbers off the V8 heap). */
function heapUsed(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * A deep copy with the live layout: number arrays by slice (keeps unboxed doubles), fresh strings.
 * Properties named in `shared` keep their value: the live state holds one copy of them for many series
 * (the forecast processor's tenant and metric names), or the caller replaces them.
 */
function copy(x: unknown, shared: ReadonlySet<string> = new Set()): unknown {
  if (typeof x === 'string') return Buffer.from(x).toString('utf8');
  if (Array.isArray(x)) return x.length > 0 && typeof x[0] === 'number' ? x.slice() : x.map((v) => copy(v, shared));
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = { ...x }; // the source's shape: its properties in-object, as the processor's literals have them
    for (const [k, v] of Object.entries(x)) if (!shared.has(k)) out[k] = copy(v, shared);
    return out;
  }
  return x;
}

/** A series id as the samples processor makes them (a 64-bit hash in decimal: 20 digits at most). */
const idOf = (i: number): string => String(10n ** 19n + BigInt(i));

/** Heap taken by what `build(n)` returns (n series held at once), in total and per series. */
function measure(n: number, build: (n: number) => { size: number }): { total: number; perSeries: number } {
  const before = heapUsed();
  const held = build(n);
  const total = heapUsed() - before;
  if (held.size !== n) throw new Error('lost a series');
  return { total, perSeries: total / n };
}

/**
 * A partition of `n` forecast series, each a deep copy of a pool series (tenant and metric names shared, as
 * the processor holds them) with its forecaster packed into the partition's slabs (the processor's own form).
 */
const forecastCopies = (pool: ForecastPartitionState, members?: string) => (n: number): { size: number; held: ForecastPartitionState } => {
  const from = [...pool.series.values()]
    .filter((s) => members === undefined || membersOf(s) === members)
    .map((s) => ({ s, forecaster: s.forecaster === null ? null : heldForecaster(pool.slabs, s.forecaster) }));
  const held = emptyState();
  const shared = new Set(['tenant', 'metric', 'forecaster']); // the forecaster is held anew below
  for (let i = 0; i < n; i++) {
    const { s, forecaster } = from[i % from.length]!;
    const series = copy(s, shared) as SeriesState;
    series.forecaster = forecaster === null ? null : holdForecaster(held.slabs, null, forecaster);
    held.series.set(idOf(i), series);
  }
  return { size: held.series.size, held };
};

/** The member names a forecast series combines ('none' before its first fit). */
const membersOf = (s: SeriesState): string => (s.forecaster === null ? 'none' : s.forecaster.labels.slice(2).join(' + '));

/** A partition of `n` anomaly series, slot numbers copied from the pool's (the processor's own form). */
const slots = (pool: AnomalyPartitionState) => (n: number): { size: number; held: AnomalyPartitionState } => {
  const from = [...pool.series.values()].map((slot) => seriesNumbers(pool, slot));
  const held = initPartitionState(pool.slab.stride);
  for (let i = 0; i < n; i++) {
    const slot = held.slab.alloc();
    held.series.set(idOf(i), slot);
    seriesNumbers(held, slot).set(from[i % from.length]!);
  }
  return { size: held.series.size, held };
};

/**
 * Steady-state heap and snapshot bytes per series for each scale in `scales`. A scale whose estimated heap
 * exceeds `maxHeapBytes` is not run (reported with NaN heap), so the bench never dies of its own weight.
 */
export async function stateAtScale(config: Config, codec: AvroCodec<MetricBatch>, scales: readonly number[], maxHeapBytes: number): Promise<StateFigure[]> {
  const end = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const figures: StateFigure[] = [];
  const reader = createMetricReader(codec, config.samples);
  const anomaly = createAnomalyProcessor(config.anomaly, reader);
  const forecast = createForecastProcessor(config.forecast, reader);
  const pools = [
    { processor: anomaly, input: records(codec, 10, end, 2, 60_000), holder: (state: unknown) => slots(state as AnomalyPartitionState) },
    {
      processor: forecast, input: records(codec, 1, end, Math.ceil(config.forecast.historyHours / 24) + 1, 3_600_000),
      holder: (state: unknown) => forecastCopies(state as ForecastPartitionState),
    },
  ];
  for (const { processor, input, holder } of pools) {
    const state = processor.initState(0);
    const history = memoryHistory(); // the forecast processor's refits read forecast_history
    for (const record of input) history.keep(await handleBatch(processor as never, state, [record], history.lookup));
    const count = (state as { series: Map<string, unknown> }).series.size;
    const snapshotBytes = [...processor.snapshot!.serialize(state as never, 1 << 20)].reduce((n, part) => n + Buffer.byteLength(part), 0) / count;
    const build = holder(state);
    let estimate = Infinity;
    for (const series of scales) {
      if (Number.isFinite(estimate) && estimate * series > maxHeapBytes) {
        figures.push({ processor: processor.name, series, heapBytes: NaN, snapshotBytes, totalBytes: estimate * series });
        continue;
      }
      const { total, perSeries } = measure(series, build);
      estimate = perSeries;
      figures.push({ processor: processor.name, series, heapBytes: perSeries, snapshotBytes, totalBytes: total });
    }
    if (processor !== forecast) continue;
    // the forecast pool mixes member sets of different sizes: each one alone, at the largest scale run
    // that its own size keeps under the cap (measured first at the smallest)
    const pool = state as ForecastPartitionState;
    const sets = new Map<string, number>();
    for (const s of pool.series.values()) {
      const members = membersOf(s);
      sets.set(members, (sets.get(members) ?? 0) + 1);
    }
    const run = figures.filter((f) => f.processor === processor.name && !Number.isNaN(f.heapBytes)).map((f) => f.series);
    for (const [members, k] of sets) {
      let series = Math.min(...run);
      let figure = measure(series, forecastCopies(pool, members));
      const largest = Math.max(...run.filter((n) => figure.perSeries * n <= maxHeapBytes));
      if (largest > series) figure = measure((series = largest), forecastCopies(pool, members));
      figures.push({ processor: `forecast, ${k} of ${count} in the pool: ${members}`, series, heapBytes: figure.perSeries, snapshotBytes: NaN, totalBytes: figure.total });
    }
  }
  return figures;
}
