// M4 accuracy measures: sMAPE, MASE (lag-m naive scale), OWA against Naive2, 95% coverage and MSIS.
// Pure arithmetic on arrays; knows nothing about files or models.

/** sMAPE of one series, in percent: (200/h)·Σ|y−ŷ|/(|y|+|ŷ|). */
export function smape(actual: readonly number[], forecast: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i] ?? NaN;
    const f = forecast[i] ?? NaN;
    const d = Math.abs(y) + Math.abs(f);
    s += d === 0 ? 0 : (200 * Math.abs(y - f)) / d;
  }
  return s / actual.length;
}

/** In-sample MAE of the lag-m naive forecast: the MASE and MSIS denominator. */
export function seasonalNaiveScale(train: readonly number[], period: number): number {
  let s = 0;
  let n = 0;
  for (let t = period; t < train.length; t++) {
    s += Math.abs((train[t] ?? 0) - (train[t - period] ?? 0));
    n++;
  }
  return s / n;
}

/** MASE of one series: out-of-sample MAE over the in-sample lag-m naive MAE. */
export function mase(train: readonly number[], actual: readonly number[], forecast: readonly number[], period: number): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs((actual[i] ?? NaN) - (forecast[i] ?? NaN));
  return s / actual.length / seasonalNaiveScale(train, period);
}

/** MSIS of one series (M4): mean interval width plus 2/α penalties for misses, scaled like MASE. */
export function msis(
  train: readonly number[], actual: readonly number[], lower: readonly number[], upper: readonly number[],
  period: number, alpha = 0.05,
): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i] ?? NaN;
    const lo = lower[i] ?? NaN;
    const hi = upper[i] ?? NaN;
    s += hi - lo;
    if (y < lo) s += (2 / alpha) * (lo - y);
    if (y > hi) s += (2 / alpha) * (y - hi);
  }
  return s / actual.length / seasonalNaiveScale(train, period);
}

/** Share of actual values inside [lower, upper]. */
export function coverage(actual: readonly number[], lower: readonly number[], upper: readonly number[]): number {
  let inside = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i] ?? NaN;
    if (y >= (lower[i] ?? NaN) && y <= (upper[i] ?? NaN)) inside++;
  }
  return inside / actual.length;
}

/** Set-level averages of one method. */
export interface MethodScore {
  readonly smape: number;
  readonly mase: number;
}

/** OWA: ½(sMAPE/sMAPE_Naive2 + MASE/MASE_Naive2) on the set averages. */
export function owa(score: MethodScore, naive2: MethodScore): number {
  return 0.5 * (score.smape / naive2.smape + score.mase / naive2.mase);
}

/** Averages sMAPE and MASE of point forecasts over a set of series. */
export function scoreSet(
  series: readonly { readonly train: readonly number[]; readonly test: readonly number[] }[],
  forecasts: readonly (readonly number[])[],
  period: number,
): MethodScore {
  let s = 0;
  let m = 0;
  series.forEach((x, i) => {
    const f = forecasts[i] ?? [];
    s += smape(x.test, f);
    m += mase(x.train, x.test, f, period);
  });
  return { smape: s / series.length, mase: m / series.length };
}
