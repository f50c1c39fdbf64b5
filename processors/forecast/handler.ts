// The forecast processor: folds accepted samples into per-series event-time hours and, each time a series'
// hour closes, issues a forecast with 80%/95% intervals (and a capacity plan when the series carries a
// `capacity_bytes` label). It writes no dead letters: what the samples processor refuses is skipped here.
//
// Late-data policy: an hour closes when the first sample of a later hour arrives for the same series (event
// time, never the wall clock). A sample of an already closed hour is late: it is ignored and counted in
// `skipped.late`; the forecast already issued for that hour stands (its actual, read from samples_1h by the
// forecast_accuracy view, still includes it). Hours skipped entirely count as missing (NaN) in the history.
// The newest hour of a series stays open until a later sample arrives, so a silent series issues nothing.
import type { AvroCodec } from '../../lib/avro/codec.ts';
import type { MetricBatch } from '../../lib/avro/metric-batch.ts';
import type { HandleResult, ProcessorDefinition } from '../../lib/runner/types.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { defaultForecasterParams } from '../../models/forecast/index.ts';
import { PrognosError } from '../../lib/errors.ts';
import { compileMetricPattern, forEachMatchedRecord, type MatchedSeries, type SampleRow, type Skipped } from '../samples/decode.ts';

export type { Skipped } from '../samples/decode.ts';
import type { SamplesConfig } from '../samples/config.ts';
import type { ForecastConfig } from './config.ts';
import { HOUR_MS, capacityPlanColumns, forecastColumns, type OutputRows } from './rows.ts';
import { addSample, newSeries, type HourPolicy } from './series.ts';
import { deserializeState, serializeState, type ForecastPartitionState } from './state.ts';

/** HandleResult plus the skipped figures; `accepted` counts samples folded into hours. */
export interface ForecastHandleResult extends HandleResult {
  skipped: Skipped;
}

/** The processor definition, with handle() typed to report the skipped figures. */
export interface ForecastProcessor extends ProcessorDefinition<ForecastPartitionState> {
  handle(state: ForecastPartitionState, records: readonly BusRecord[]): ForecastHandleResult;
}

/**
 * Build the forecast processor. `acceptance` is the samples processor's config: samples are validated by
 * the same rules and code, so this processor forecasts exactly the samples that are stored.
 */
export function createForecastProcessor(config: ForecastConfig, codec: AvroCodec<MetricBatch>, acceptance: SamplesConfig): ForecastProcessor {
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

  function fold(state: ForecastPartitionState, samples: readonly SampleRow[], series: ReadonlyMap<string, MatchedSeries>, out: OutputRows, skipped: Skipped): number {
    let accepted = 0;
    for (const [tenant, id, ts, value] of samples) {
      let entry = state.series.get(id);
      if (entry === undefined) {
        const meta = series.get(id)!;
        entry = newSeries(tenant, meta.metric, meta.labels, Math.floor(ts / HOUR_MS) * HOUR_MS);
        state.series.set(id, entry);
      }
      if (addSample(entry, id, ts, value, policy, out)) accepted++;
      else skipped.late++;
    }
    return accepted;
  }

  return {
    name: 'forecast',
    initState: () => ({ series: new Map() }),
    handle(state, records): ForecastHandleResult {
      const out: OutputRows = { forecasts: [], capacityPlans: [] };
      const skipped: Skipped = { undecodable: 0, invalid: 0, unmatched: 0, late: 0 };
      let accepted = 0;
      forEachMatchedRecord(codec, records, acceptance, pattern, skipped, (samples, series) => {
        accepted += fold(state, samples, series, out, skipped);
      });
      return {
        outputs: [
          { table: 'forecasts', columns: forecastColumns, rows: out.forecasts },
          { table: 'capacity_plans', columns: capacityPlanColumns, rows: out.capacityPlans },
        ],
        deadLetters: [],
        accepted,
        skipped,
      };
    },
    snapshot: { serialize: serializeState, deserialize: deserializeState },
  };
}
