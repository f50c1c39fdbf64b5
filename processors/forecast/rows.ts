// Maps one issued forecast, and the capacity plan derived from it, to `forecasts` and `capacity_plans`
// rows (times as epoch ms, absent times as null). Does not forecast and does not decide when to issue.
// History rows (forecast_history) are made where hours close, in series.ts.
import { describeExhaustion, timeToExhaustion } from '../../models/capacity/index.ts';
import type { Forecast } from '../../models/forecast/index.ts';

export const forecastColumns = ['tenant', 'series_id', 'issued_at', 'target_ts', 'step', 'forecast', 'lo80', 'hi80', 'lo95', 'hi95', 'model', 'model_version'];
export const capacityPlanColumns = [
  'tenant', 'series_id', 'metric', 'issued_at', 'capacity', 'eta', 'eta80_from', 'eta80_to', 'eta95_from', 'eta95_to',
  'headroom', 'headroom_ratio', 'within_horizon', 'summary',
];

export const HOUR_MS = 3_600_000;

/** Start (epoch ms) of the hour holding `ts`. */
export const hourOf = (ts: number): number => Math.floor(ts / HOUR_MS) * HOUR_MS;

/** Rows accumulated over one handle() call. */
export interface OutputRows {
  forecasts: unknown[][];
  capacityPlans: unknown[][];
  /** forecast_history rows: tenant, series id, hour start, mean (hours with samples only). */
  history: unknown[][];
}

/** Who a forecast is for and when it was issued (the start of its first target hour). */
export interface Issue {
  tenant: string;
  seriesId: string;
  metric: string;
  issuedAt: number;
}

/**
 * One row per step whose point forecast and bounds are all finite (a series with missing hours can leave
 * a seasonal member without a value for some steps: those steps are left out rather than written as 0).
 */
export function forecastRows(issue: Issue, f: Forecast): unknown[][] {
  const rows: unknown[][] = [];
  for (let i = 0; i < f.mean.length; i++) {
    const values = [f.mean[i], f.lo80[i], f.hi80[i], f.lo95[i], f.hi95[i]];
    if (!values.every((v) => v !== undefined && Number.isFinite(v))) continue;
    rows.push([issue.tenant, issue.seriesId, issue.issuedAt, issue.issuedAt + i * HOUR_MS, i + 1, ...values, f.model, f.modelVersion]);
  }
  return rows;
}

const msOrNull = (t: number | null): number | null => (t === null ? null : Math.round(t));

/**
 * The capacity plan of a rising resource, or undefined when the forecast has no finite peak. An hourly
 * mean stands for the middle of its hour, so the grid handed to the capacity model is shifted by half an
 * hour (targets are labelled by their hour's start); `lastMean` is the mean of the hour just closed.
 */
export function capacityPlanRow(issue: Issue, f: Forecast, capacity: number, lastMean: number): unknown[] | undefined {
  const e = timeToExhaustion(
    { startMs: issue.issuedAt + HOUR_MS / 2, stepMs: HOUR_MS, mean: f.mean, lo80: f.lo80, hi80: f.hi80, lo95: f.lo95, hi95: f.hi95, lastObserved: lastMean },
    capacity,
    { direction: 'up' },
  );
  if (!Number.isFinite(e.headroomAtPeak)) return undefined;
  const summary = describeExhaustion({ ...e, fromMs: issue.issuedAt }); // durations read from the issue time
  return [
    issue.tenant, issue.seriesId, issue.metric, issue.issuedAt, capacity, msOrNull(e.etaMs),
    msOrNull(e.eta80[0]), msOrNull(e.eta80[1]), msOrNull(e.eta95[0]), msOrNull(e.eta95[1]),
    e.headroomAtPeak, e.headroomRatio, e.withinHorizon ? 1 : 0, summary,
  ];
}
