// Event-time hours of one series: accumulates samples into the open hour and, when a sample of a later
// hour arrives, closes it (and any skipped hours as missing), fits, refits or updates the forecaster and
// issues the forecast, the capacity plan and the hour's history row. The hourly history a fit needs is not
// kept here: a batch that may refit a series reads it from forecast_history first (see mayRefit and
// handler.ts) and hands it in as the series' window. Pure and deterministic; samples of closed hours are
// refused.
import { fitForecaster, forecast, updateForecaster, type ForecasterParams, type ForecasterState } from '../../models/forecast/index.ts';
import { heldForecaster, holdForecaster, releaseForecaster, type ForecasterSlabs } from './held.ts';
import { PrognosError } from '../../lib/errors.ts';
import { HOUR_MS, capacityPlanRow, forecastRows, hourOf, type OutputRows } from './rows.ts';
import type { SeriesState } from './state.ts';

/** What hour closing needs to know (from config and the model defaults). */
export interface HourPolicy {
  params: ForecasterParams;
  minHistoryHours: number;
  refitEveryHours: number;
  horizonHours: number;
}

/**
 * The closed hours of the series a batch may refit, by series id: the stored ones first, then each hour
 * the batch closes. At most `params.maxFitPoints` (the newest), NaN for an hour without samples. Lives for
 * one batch only.
 */
export type Windows = Map<string, number[]>;

/** What closing hours in one batch works with: the policy, the rows issued, the windows read, the partition's forecaster slabs. */
export interface HourBatch {
  policy: HourPolicy;
  out: OutputRows;
  windows: Windows;
  slabs: ForecasterSlabs;
}

/** A new series whose first sample falls in the hour starting at `hourStart`. */
export function newSeries(tenant: string, metric: string, labels: Readonly<Record<string, string>>, hourStart: number): SeriesState {
  const raw = labels['capacity_bytes'];
  const capacity = raw === undefined ? NaN : Number(raw);
  return {
    tenant, metric, capacity: Number.isFinite(capacity) && capacity > 0 ? capacity : null, hourStart, sum: 0, count: 0,
    historyStart: hourStart, finite: 0, forecaster: null, sinceRefit: 0, fitTier: 0,
  };
}

/**
 * Adds one sample. Returns false (and changes nothing) for a late sample: one whose hour was already
 * closed by a later sample. A sample of a later hour first closes the open hour.
 */
export function addSample(s: SeriesState, seriesId: string, ts: number, value: number, batch: HourBatch): boolean {
  const hour = hourOf(ts);
  if (hour < s.hourStart) return false;
  if (hour > s.hourStart) advanceTo(s, seriesId, hour, batch);
  s.sum += value;
  s.count++;
  return true;
}

/** Closes the open hour and the empty hours up to `hour`, which becomes the open one. */
function advanceTo(s: SeriesState, seriesId: string, hour: number, batch: HourBatch): void {
  closeHour(s, seriesId, s.hourStart, s.count > 0 ? s.sum / s.count : NaN, batch);
  const skipped = (hour - s.hourStart) / HOUR_MS - 1;
  if (skipped >= batch.policy.params.maxFitPoints) {
    // silent for longer than the whole history window: nothing left to fit on, start over
    s.historyStart = hour;
    s.finite = 0;
    if (s.forecaster !== null) releaseForecaster(batch.slabs, s.forecaster);
    s.forecaster = null;
    s.sinceRefit = 0;
    s.fitTier = 0;
    delete s.unstored;
    batch.windows.set(seriesId, []);
  } else {
    for (let k = 1; k <= skipped; k++) closeHour(s, seriesId, s.hourStart + k * HOUR_MS, NaN, batch);
  }
  s.hourStart = hour;
  s.sum = 0;
  s.count = 0;
}

/** Hours with data (finite means) among `values`. */
export const finiteCount = (values: readonly number[]): number => values.reduce((n, v) => (Number.isFinite(v) ? n + 1 : n), 0);

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

/**
 * Whether closing `closes` more hours could fit or refit the series. `s.finite` never undercounts the
 * hours with data in the window (it is exact after a fit and only counts up between), so when this says
 * no, closeHour will not fit: the batch need not read the series' history.
 */
export function mayRefit(s: SeriesState, closes: number, policy: HourPolicy): boolean {
  if (closes <= 0) return false;
  const finite = s.finite + closes;
  if (s.forecaster === null) return finite >= policy.minHistoryHours;
  return tierOf(finite, policy.params) > s.fitTier || s.sinceRefit + closes >= policy.refitEveryHours;
}

/** Start of the fit window of a series whose open hour starts at `hourStart`. */
const windowStart = (s: SeriesState, hourStart: number, policy: HourPolicy): number => Math.max(s.historyStart, hourStart - policy.params.maxFitPoints * HOUR_MS);

/** End of the hours kept in the series' `unstored` (= historyStart without any). */
const unstoredEnd = (s: SeriesState): number => s.historyStart + (s.unstored?.length ?? 0) * HOUR_MS;

/** The closed hours a refit of the series reads from forecast_history before the batch: [from, to). */
export function historyRange(s: SeriesState, policy: HourPolicy): { from: number; to: number } {
  return { from: Math.max(unstoredEnd(s), windowStart(s, s.hourStart, policy)), to: s.hourStart };
}

/** The series' window at the start of a batch: its unstored hours in the window, then the stored ones read. */
export function openWindow(s: SeriesState, stored: readonly number[], policy: HourPolicy): number[] {
  if (s.unstored === undefined) return [...stored];
  const skip = (windowStart(s, s.hourStart, policy) - s.historyStart) / HOUR_MS;
  return [...s.unstored.slice(skip), ...stored];
}

/**
 * Appends the mean of the hour starting at `hourStart` (NaN: no samples) to the series' window if the batch
 * has one, steps or (re)fits the forecaster, and issues the hour's rows.
 */
function closeHour(s: SeriesState, seriesId: string, hourStart: number, mean: number, batch: HourBatch): void {
  const { policy, out, slabs } = batch;
  const window = batch.windows.get(seriesId);
  if (window !== undefined) {
    window.push(Number.isFinite(mean) ? mean : NaN); // as the store gives it back: an overflowed mean has no row
    if (window.length > policy.params.maxFitPoints) window.splice(0, window.length - policy.params.maxFitPoints);
    s.finite = finiteCount(window);
  } else if (Number.isFinite(mean)) {
    s.finite++; // an upper bound: the hour leaving the window is not known here
  }
  if (Number.isFinite(mean)) out.history.push([s.tenant, seriesId, hourStart, mean]);
  if (s.unstored !== undefined && unstoredEnd(s) <= windowStart(s, hourStart + HOUR_MS, policy)) delete s.unstored;
  const fit = () => {
    if (window === undefined) throw new PrognosError('INTERNAL', `forecast: series ${seriesId} refits without its history (prepare() did not ask for it)`);
    return fitForecaster(window, policy.params);
  };
  let forecaster: ForecasterState;
  if (s.forecaster === null) {
    if (s.finite < policy.minHistoryHours) return;
    forecaster = fit();
    s.fitTier = tierOf(s.finite, policy.params);
    s.sinceRefit = refitOffset(seriesId, policy.refitEveryHours);
  } else if (tierOf(s.finite, policy.params) > s.fitTier) {
    // enough history for a richer member set (see chooseMembers): refit now rather than up to a day later
    forecaster = fit();
    s.fitTier = tierOf(s.finite, policy.params);
    s.sinceRefit = refitOffset(seriesId, policy.refitEveryHours);
  } else if (++s.sinceRefit >= policy.refitEveryHours) {
    forecaster = fit();
    s.sinceRefit = 0;
  } else {
    forecaster = heldForecaster(slabs, s.forecaster);
    updateForecaster(forecaster, mean, policy.params);
  }
  s.forecaster = holdForecaster(slabs, s.forecaster, forecaster);
  if (!Number.isFinite(mean)) return; // forecasts are issued when an hour with data closes
  const f = forecast(forecaster, policy.horizonHours, policy.params);
  const issue = { tenant: s.tenant, seriesId, metric: s.metric, issuedAt: hourStart + HOUR_MS };
  for (const row of forecastRows(issue, f)) out.forecasts.push(row);
  if (s.capacity !== null) {
    const plan = capacityPlanRow(issue, f, s.capacity, mean);
    if (plan !== undefined) out.capacityPlans.push(plan);
  }
}
