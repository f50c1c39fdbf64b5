// The forecast processor: folds accepted samples into per-series event-time hours and, each time a series'
// hour closes, issues a forecast with 80%/95% intervals (and a capacity plan when the series carries a
// `capacity_bytes` label). It writes no dead letters: what the samples processor refuses is skipped here.
//
// Late-data policy: an hour closes when the first sample of a later hour arrives for the same series (event
// time, never the wall clock). A sample of an already closed hour is late: it is ignored and counted in
// `skipped.late`; the forecast already issued for that hour stands (its actual, read from samples_1h by the
// forecast_accuracy view, still includes it). Hours skipped entirely count as missing (NaN) in the history.
// The newest hour of a series stays open until a later sample arrives, so a silent series issues nothing.
//
// History: every closed hour with samples is written to forecast_history (tenant, series, hour, mean). A
// refit reads the series' window back instead of keeping six weeks of means in memory: prepare() decodes
// the batch and asks for the stored window of each series that could fit or refit in it (mayRefit), the
// runner reads it, and handle() appends the hours the batch closes. Every hour before the batch was
// written by an earlier batch, which the runner stored before preparing this one, so a replay reads the
// same window and issues the same forecasts.
import type { HandleResult, Loaded, Prepared, ProcessorDefinition } from '../../lib/runner/types.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { defaultForecasterParams } from '../../models/forecast/index.ts';
import { PrognosError } from '../../lib/errors.ts';
import { compileMetricPattern, forEachMatchedRecord, type MatchedSeries, type SampleRun, type Skipped } from '../samples/decode.ts';

export type { Skipped } from '../samples/decode.ts';
import type { MetricReader } from '../samples/reader.ts';
import type { ForecastConfig } from './config.ts';
import { HOUR_MS, capacityPlanColumns, forecastColumns, hourOf, type OutputRows } from './rows.ts';
import { HISTORY_TABLE, historyColumns, windowsFrom, type HistoryRequest, type HistoryRow } from './history.ts';
import { addSample, historyRange, mayRefit, newSeries, openWindow, type HourBatch, type HourPolicy, type Windows } from './series.ts';
import { deserializeState, emptyState, interned, serializeState, type ForecastPartitionState } from './state.ts';

/** HandleResult plus the skipped figures; `accepted` counts samples folded into hours. */
export interface ForecastHandleResult extends HandleResult {
  skipped: Skipped;
}

/** The processor definition, with handle() typed to report the skipped figures. */
export interface ForecastProcessor extends ProcessorDefinition<ForecastPartitionState> {
  prepare(state: ForecastPartitionState, records: readonly BusRecord[]): Prepared;
  handle(state: ForecastPartitionState, records: readonly BusRecord[], loaded?: Loaded): ForecastHandleResult;
}

/** What prepare() hands to handle(): the batch decoded once, and the series that need their window. */
interface BatchContext {
  decoded: [runs: readonly SampleRun[], series: ReadonlyMap<string, MatchedSeries>][];
  skipped: Skipped;
  /** Series that may refit in the batch, and the stored part of their windows to read. */
  refitting: string[];
  request: HistoryRequest;
}

/**
 * Build the forecast processor. `reader` is the samples processor's (same acceptance rules), so this
 * processor forecasts exactly the samples that are stored.
 */
export function createForecastProcessor(config: ForecastConfig, reader: MetricReader): ForecastProcessor {
  const pattern = compileMetricPattern(config.metricPattern, 'FORECAST_METRIC_PATTERN');
  if (config.minHistoryHours > config.historyHours) {
    throw new PrognosError('CONFIG_INVALID', `FORECAST_MIN_HISTORY_HOURS (${config.minHistoryHours}) is more than FORECAST_HISTORY_HOURS (${config.historyHours}): no series would ever be forecast`);
  }
  const policy: HourPolicy = {
    params: { ...defaultForecasterParams, horizon: config.horizonHours, maxFitPoints: config.historyHours },
    minHistoryHours: config.minHistoryHours,
    refitEveryHours: config.refitEveryHours,
    horizonHours: config.horizonHours,
  };

  function fold(state: ForecastPartitionState, runs: readonly SampleRun[], series: ReadonlyMap<string, MatchedSeries>, batch: HourBatch, skipped: Skipped): number {
    let accepted = 0;
    for (const { tenant, id, timestamps, values } of runs) {
      // a run is never empty; a new series starts at its first sample's hour
      let entry = state.series.get(id);
      if (entry === undefined) {
        const meta = series.get(id)!;
        entry = newSeries(interned(state, tenant), interned(state, meta.metric), meta.labels, hourOf(timestamps[0]!));
        state.series.set(id, entry);
        batch.windows.set(id, []); // nothing stored before its first hour
      }
      for (let i = 0; i < timestamps.length; i++) {
        if (addSample(entry, id, timestamps[i]!, values[i]!, batch)) accepted++;
        else skipped.late++;
      }
    }
    return accepted;
  }

  /** Decodes the batch and names the series whose stored window it needs (see mayRefit). */
  function prepare(state: ForecastPartitionState, records: readonly BusRecord[]): Prepared {
    const context: BatchContext = { decoded: [], skipped: { undecodable: 0, invalid: 0, unmatched: 0, late: 0 }, refitting: [], request: { ranges: [] } };
    const latestTs = new Map<string, number>();
    forEachMatchedRecord(reader, records, pattern, context.skipped, (runs, series) => {
      context.decoded.push([runs, series]);
      for (const { id, timestamps } of runs) {
        let latest = latestTs.get(id) ?? -Infinity;
        for (const ts of timestamps) latest = Math.max(latest, ts);
        latestTs.set(id, latest);
      }
    });
    const ranges = context.request.ranges;
    for (const [id, ts] of latestTs) {
      const s = state.series.get(id);
      if (s === undefined || !mayRefit(s, (hourOf(ts) - s.hourStart) / HOUR_MS, policy)) continue;
      context.refitting.push(id);
      const range = historyRange(s, policy);
      if (range.from < range.to) ranges.push({ seriesId: id, ...range });
    }
    return { context, ...(ranges.length > 0 ? { request: context.request } : {}) };
  }

  return {
    name: 'forecast',
    initState: emptyState,
    prepare,
    // a rebuild from a snapshot older than forecast_history replays hours no batch stored
    rebuildWrites: [HISTORY_TABLE],
    handle(state, records, loaded): ForecastHandleResult {
      if (loaded === undefined) throw new PrognosError('INTERNAL', 'forecast: handle() needs the batch prepared (lib/runner/runner.ts handleBatch)');
      const { decoded, skipped, refitting, request } = loaded.context as BatchContext;
      const stored = windowsFrom(request, (loaded.answer ?? []) as HistoryRow[]);
      const windows: Windows = new Map(refitting.map((id) => [id, openWindow(state.series.get(id)!, stored.get(id) ?? [], policy)]));
      const out: OutputRows = { forecasts: [], capacityPlans: [], history: [] };
      let accepted = 0;
      const batch: HourBatch = { policy, out, windows, slabs: state.slabs };
      for (const [runs, series] of decoded) accepted += fold(state, runs, series, batch, skipped);
      return {
        outputs: [
          { table: 'forecasts', columns: forecastColumns, rows: out.forecasts },
          { table: 'capacity_plans', columns: capacityPlanColumns, rows: out.capacityPlans },
          { table: HISTORY_TABLE, columns: historyColumns, rows: out.history },
        ],
        deadLetters: [],
        accepted,
        skipped,
      };
    },
    snapshot: { serialize: serializeState, deserialize: deserializeState },
  };
}
