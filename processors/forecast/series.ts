// Event-time hours of one series: accumulates samples into the open hour and, when a sample of a later
// hour arrives, closes it (and any skipped hours as missing), fits, refits or updates the forecaster and
// issues the forecast and capacity plan. Pure and deterministic; samples of closed hours are refused.
import { fitForecaster, forecast, updateForecaster, type ForecasterParams } from '../../models/forecast/index.ts';
import { HOUR_MS, capacityPlanRow, forecastRows, type OutputRows } from './rows.ts';
import type { SeriesState } from './state.ts';

/** What hour closing needs to know (from config and the model defaults). */
export interface HourPolicy {
  params: ForecasterParams;
  minHistoryHours: number;
  refitEveryHours: number;
  horizonHours: number;
}

/** A new series whose first sample falls in the hour starting at `hourStart`. */
export function newSeries(tenant: string, metric: string, labels: Readonly<Record<string, string>>, hourStart: number): SeriesState {
  const raw = labels['capacity_bytes'];
  const capacity = raw === undefined ? NaN : Number(raw);
  return { tenant, metric, capacity: Number.isFinite(capacity) && capacity > 0 ? capacity : null, hourStart, sum: 0, count: 0, history: [], forecaster: null, sinceRefit: 0, fitTier: 0 };
}

/**
 * Adds one sample. Returns false (and changes nothing) for a late sample: one whose hour was already
 * closed by a later sample. A sample of a later hour first closes the open hour.
 */
export function addSample(s: SeriesState, seriesId: string, ts: number, value: number, policy: HourPolicy, out: OutputRows): boolean {
  const hour = Math.floor(ts / HOUR_MS) * HOUR_MS;
  if (hour < s.hourStart) return false;
  if (hour > s.hourStart) advanceTo(s, seriesId, hour, policy, out);
  s.sum += value;
  s.count++;
  return true;
}

/** Closes the open hour and the empty hours up to `hour`, which becomes the open one. */
function advanceTo(s: SeriesState, seriesId: string, hour: number, policy: HourPolicy, out: OutputRows): void {
  closeHour(s, seriesId, s.hourStart, s.count > 0 ? s.sum / s.count : NaN, policy, out);
  const skipped = (hour - s.hourStart) / HOUR_MS - 1;
  if (skipped >= policy.params.maxFitPoints) {
    // silent for longer than the whole history window: nothing left to fit on, start over
    s.history = [];
    s.forecaster = null;
    s.sinceRefit = 0;
    s.fitTier = 0;
  } else {
    for (let k = 1; k <= skipped; k++) closeHour(s, seriesId, s.hourStart + k * HOUR_MS, NaN, policy, out);
  }
  s.hourStart = hour;
  s.sum = 0;
  s.count = 0;
}

const finiteCount = (values: readonly number[]): number => values.reduce((n, v) => (Number.isFinite(v) ? n + 1 : n), 0);

/**
 * Which member set a fit on `finite` points gets: the forecaster picks richer models at one day, three
 * days and three weeks of hourly points (models/forecast/ensemble.ts chooseMembers).
 */
function tierOf(finite: number, params: ForecasterParams): number {
  return finite >= 3 * params.weeklySeason ? 3 : finite >= 3 * params.season ? 2 : finite >= params.season ? 1 : 0;
}

/** Per-series offset of the first refit, so that series warmed up together do not all refit in one hour. */
function refitOffset(seriesId: string, every: number): number {
  return Number(BigInt(seriesId) % BigInt(every));
}

/** Appends the mean of the hour starting at `hourStart` (NaN: no samples), steps the forecaster, issues. */
function closeHour(s: SeriesState, seriesId: string, hourStart: number, mean: number, policy: HourPolicy, out: OutputRows): void {
  s.history.push(mean);
  if (s.history.length > policy.params.maxFitPoints) s.history.splice(0, s.history.length - policy.params.maxFitPoints);
  if (s.forecaster === null) {
    if (finiteCount(s.history) < policy.minHistoryHours) return;
    s.forecaster = fitForecaster(s.history, policy.params);
    s.fitTier = tierOf(finiteCount(s.history), policy.params);
    s.sinceRefit = refitOffset(seriesId, policy.refitEveryHours);
  } else if (tierOf(finiteCount(s.history), policy.params) > s.fitTier) {
    // enough history for a richer member set (see chooseMembers): refit now rather than up to a day later
    s.forecaster = fitForecaster(s.history, policy.params);
    s.fitTier = tierOf(finiteCount(s.history), policy.params);
    s.sinceRefit = refitOffset(seriesId, policy.refitEveryHours);
  } else if (++s.sinceRefit >= policy.refitEveryHours) {
    s.forecaster = fitForecaster(s.history, policy.params);
    s.sinceRefit = 0;
  } else {
    updateForecaster(s.forecaster, mean, policy.params);
  }
  if (!Number.isFinite(mean)) return; // forecasts are issued when an hour with data closes
  const f = forecast(s.forecaster, policy.horizonHours, policy.params);
  const issue = { tenant: s.tenant, seriesId, metric: s.metric, issuedAt: hourStart + HOUR_MS };
  for (const row of forecastRows(issue, f)) out.forecasts.push(row);
  if (s.capacity !== null) {
    const plan = capacityPlanRow(issue, f, s.capacity, mean);
    if (plan !== undefined) out.capacityPlans.push(plan);
  }
}
