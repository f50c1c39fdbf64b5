// Public forecaster: one global configuration, full refit from hourly history, O(season) incremental
// update, and forecasts with 80%/95% intervals. Pure (no clock, no IO); the processor owns persistence.
import { ensembleMean, fitEnsemble, median } from './ensemble.ts';
import { applyIntervals, type IntervalModel } from './intervals.ts';
import { forecastMember, stepMember, type MemberState } from './members.ts';

/** The one global forecaster configuration (no per-series settings). */
export interface ForecasterParams {
  /** Daily cycle in points (hourly data: 24). */
  readonly season: number;
  /** Weekly cycle in points (hourly data: 168); used once three weeks of history exist. */
  readonly weeklySeason: number;
  /** Horizon the intervals are calibrated for, in points. */
  readonly horizon: number;
  /** Only the most recent this-many points are fitted (bounds refit cost). */
  readonly maxFitPoints: number;
  /** Nelder-Mead evaluations per smoothing member. */
  readonly optimizerEvals: number;
  /** Number of rolling backtest origins used to calibrate the intervals. */
  readonly backtestOrigins: number;
  /** Points between backtest origins. */
  readonly backtestSpacing: number;
  /** Multiplier on the backtested error quantiles (1 = as measured in-sample; 1.2 calibrated on M4 train-only holdouts). */
  readonly intervalInflation: number;
  /** Use a single member instead of the median when its backtest MAE is below this times the median's (0: never). */
  readonly selectionMargin: number;
  /** Weight of each new one-step error in the running error level that widens or narrows intervals. */
  readonly errorAdaptRate: number;
}

/** Defaults for hourly telemetry: daily and weekly cycles, 48 h horizon. */
export const defaultForecasterParams: ForecasterParams = Object.freeze({
  season: 24,
  weeklySeason: 168,
  horizon: 48,
  maxFitPoints: 2016,
  optimizerEvals: 120,
  backtestOrigins: 28,
  backtestSpacing: 12,
  intervalInflation: 1.2,
  errorAdaptRate: 1 / 168,
  selectionMargin: 0.9,
});

/** Serialisable forecaster state (plain numbers and arrays; a few KB, independent of history length). */
export interface ForecasterState {
  model: string;
  modelVersion: string;
  /** The fitted members the forecast combines (states written before this may hold others too). */
  members: MemberState[];
  /** Indices of the members combined (by median) into the forecast. */
  active: number[];
  intervals: IntervalModel;
  /** True when the history had no negative values: forecasts and bounds are clipped at 0. */
  nonNegative: boolean;
  /** Running mean absolute one-step error since the fit, and its value at fit time. */
  errorLevel: number;
  errorLevelAtFit: number;
  /** Points consumed (fit plus updates), NaN gaps included. */
  points: number;
}

/** Point forecast and 80%/95% intervals for steps 1..h. */
export interface Forecast {
  model: string;
  modelVersion: string;
  mean: number[];
  lo80: number[];
  hi80: number[];
  lo95: number[];
  hi95: number[];
}

const MODEL_VERSION = '2'; // 2: the weekly ensemble has no raw-scale double-seasonal member

/**
 * Full refit from hourly history (values at consecutive hours, oldest first; NaN marks a missing hour).
 * Only the last `maxFitPoints` are used. An empty history gives a state that forecasts NaN until updated.
 */
export function fitForecaster(history: readonly number[], params: ForecasterParams = defaultForecasterParams): ForecasterState {
  const x = history.slice(Math.max(0, history.length - params.maxFitPoints));
  const fitted = fitEnsemble(x, params);
  const errorLevel = fitted.intervals.scale[0] ?? 0;
  // only the combined members are kept: the others would be stepped until the next refit and never read
  const members = fitted.active.map((i) => fitted.members[i]).filter((m) => m !== undefined);
  return {
    model: fitted.name,
    modelVersion: MODEL_VERSION,
    members,
    active: members.map((_, k) => k),
    intervals: fitted.intervals,
    nonNegative: x.every((v) => !Number.isFinite(v) || v >= 0),
    errorLevel,
    errorLevelAtFit: errorLevel,
    points: x.length,
  };
}

/**
 * Consumes the next hourly value (NaN for a missing hour) in O(1) per member, mutating `state`. The
 * member set and smoothing weights stay as fitted; refit periodically (e.g. daily) to revisit them.
 */
export function updateForecaster(state: ForecasterState, value: number, params: ForecasterParams = defaultForecasterParams): void {
  if (Number.isFinite(value)) {
    const predicted = median(state.active.map((i) => (state.members[i] === undefined ? NaN : forecastMember(state.members[i], 1)[0] ?? NaN)));
    const e = state.intervals.log ? Math.log(value) - Math.log(Math.max(predicted, 1e-9)) : value - predicted;
    if (Number.isFinite(e)) state.errorLevel += params.errorAdaptRate * (Math.abs(e) - state.errorLevel);
    if (value < 0) state.nonNegative = false;
  }
  for (const m of state.members) stepMember(m, value);
  state.points++;
}

/** Forecast for steps 1..horizon after the last consumed point. */
export function forecast(state: ForecasterState, horizon: number, _params: ForecasterParams = defaultForecasterParams): Forecast {
  const clip = (v: number[]): number[] => (state.nonNegative ? v.map((y) => Math.max(0, y)) : v);
  const mean = clip(ensembleMean(state.members, state.active, horizon));
  const ratio = state.errorLevelAtFit > 0 ? state.errorLevel / state.errorLevelAtFit : 1;
  const widen = Math.min(2, Math.max(0.75, Number.isFinite(ratio) ? ratio : 1));
  const b = applyIntervals(state.intervals, mean, widen);
  return { model: state.model, modelVersion: state.modelVersion, mean, lo80: clip(b.lo80), hi80: clip(b.hi80), lo95: clip(b.lo95), hi95: clip(b.hi95) };
}

/** Size of the state as serialised JSON, in bytes (UTF-16 code units; the JSON is ASCII). */
export function stateBytes(state: ForecasterState): number {
  return JSON.stringify(state).length;
}
