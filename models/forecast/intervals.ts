// Prediction intervals from backtested h-step errors: a per-horizon error scale (smoothed, non-decreasing)
// times pooled empirical quantiles of the scaled errors. Errors are on the log scale for positive series
// (relative errors: widths follow the daily swing). Does not forecast; the caller supplies backtests.

/** Calibrated interval model; plain numbers so it serialises as JSON. */
export interface IntervalModel {
  /** Errors measured as log(actual) − log(forecast) (true) or actual − forecast (false). */
  log: boolean;
  /** scale[h−1]: mean absolute error at step h, smoothed and non-decreasing in h. */
  scale: number[];
  /** Scaled-error quantiles at 2.5%, 10%, 90%, 97.5%. */
  quantiles: [number, number, number, number];
}

/** One backtest: the forecast made at some origin and the values that followed (may be shorter). */
export interface Backtest {
  readonly forecast: readonly number[];
  readonly actual: readonly number[];
}

/** Quantiles of N(0, σ) with σ = 1.2533·MAE, used when too few backtest errors exist. */
const NORMAL_QUANTILES: [number, number, number, number] = [-2.456, -1.606, 1.606, 2.456];
const MIN_PER_HORIZON = 3;
const MIN_POOLED = 60;
/**
 * Log-scale bounds stay within a factor of 10 of the forecast: a level shift inside the backtest window
 * (say ×100 two days ago) would otherwise give bounds of ×10⁹; beyond ×10 the number says nothing more.
 */
const MAX_LOG_WIDTH = Math.log(10);

function errorOf(log: boolean, actual: number, forecast: number): number {
  // a non-positive forecast has no log error: skipped rather than clamped, which would blow the scale up
  return log ? (forecast > 0 ? Math.log(actual) - Math.log(forecast) : NaN) : actual - forecast;
}

/** Empirical quantile by linear interpolation on a sorted array. */
export function quantileSorted(sorted: readonly number[], p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? NaN;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? a;
  return a + (pos - lo) * (b - a);
}

/** Per-horizon mean absolute error: smoothed over ±2 steps, extrapolated by √h, then made non-decreasing. */
function horizonScale(errors: number[][], horizon: number, fallback: number): number[] {
  const raw = errors.map((e) => (e.length >= MIN_PER_HORIZON ? e.reduce((a, v) => a + Math.abs(v), 0) / e.length : NaN));
  let lastKnown = -1;
  raw.forEach((v, i) => { if (Number.isFinite(v)) lastKnown = i; });
  const base = lastKnown >= 0 ? (raw[lastKnown] ?? fallback) : fallback;
  const anchor = lastKnown >= 0 ? lastKnown + 1 : 1;
  const filled = raw.map((v, i) => (Number.isFinite(v) ? v : base * Math.sqrt((i + 1) / anchor)));
  const smooth = filled.map((_, i) => {
    const window = filled.slice(Math.max(0, i - 2), Math.min(horizon, i + 3));
    return window.reduce((a, v) => a + v, 0) / window.length;
  });
  let max = 0;
  return smooth.map((v) => (max = Math.max(max, v, 1e-12)));
}

/**
 * Calibrates the interval model from backtests. `fallbackScale` (e.g. the spread of the history) is used
 * when no backtest reaches a horizon at all; `inflation` widens the quantiles for out-of-sample optimism.
 */
export function calibrateIntervals(backtests: readonly Backtest[], horizon: number, log: boolean, fallbackScale: number, inflation: number): IntervalModel {
  const errors: number[][] = Array.from({ length: horizon }, () => []);
  for (const b of backtests) {
    for (let i = 0; i < Math.min(horizon, b.actual.length); i++) {
      const e = errorOf(log, b.actual[i] ?? NaN, b.forecast[i] ?? NaN);
      if (Number.isFinite(e)) errors[i]?.push(e);
    }
  }
  const scale = horizonScale(errors, horizon, fallbackScale);
  const pooled: number[] = [];
  errors.forEach((e, i) => { for (const v of e) pooled.push(v / (scale[i] ?? 1)); });
  pooled.sort((a, b) => a - b);
  const q: [number, number, number, number] = pooled.length >= MIN_POOLED
    ? [quantileSorted(pooled, 0.025), quantileSorted(pooled, 0.1), quantileSorted(pooled, 0.9), quantileSorted(pooled, 0.975)]
    : [...NORMAL_QUANTILES];
  return { log, scale, quantiles: [q[0] * inflation, q[1] * inflation, q[2] * inflation, q[3] * inflation] };
}

/** Scale at step h (1-based); beyond the calibrated horizon it grows with √h. */
function scaleAt(model: IntervalModel, h: number): number {
  const n = model.scale.length;
  if (h <= n) return model.scale[h - 1] ?? 0;
  return (model.scale[n - 1] ?? 0) * Math.sqrt(h / n);
}

/** 80% and 95% bounds around `mean`, each widened by `widen` (≥ 0; 1 = as calibrated). */
export function applyIntervals(model: IntervalModel, mean: readonly number[], widen: number): { lo80: number[]; hi80: number[]; lo95: number[]; hi95: number[] } {
  const [q025, q10, q90, q975] = model.quantiles;
  const at = (m: number, h: number, q: number): number => {
    const d = q * scaleAt(model, h) * widen;
    return model.log ? Math.max(m, 1e-9) * Math.exp(Math.max(-MAX_LOG_WIDTH, Math.min(d, MAX_LOG_WIDTH))) : m + d;
  };
  return {
    lo80: mean.map((m, i) => Math.min(m, at(m, i + 1, q10))),
    hi80: mean.map((m, i) => Math.max(m, at(m, i + 1, q90))),
    lo95: mean.map((m, i) => Math.min(m, at(m, i + 1, q025))),
    hi95: mean.map((m, i) => Math.max(m, at(m, i + 1, q975))),
  };
}
