// Exponentially weighted mean and variance of one series (West's incremental form). Level and spread
// only: no seasonality (seasonal.ts) and no robustness to outliers (robust.ts or clip the input).

/** EWMA state: plain numbers, JSON-serialisable. */
export interface EwmaState {
  /** Weighted mean. */
  mean: number;
  /** Weighted variance. */
  variance: number;
  /** Points seen, capped at 1e9 (used to warm up with a 1/n step). */
  count: number;
}

/** A fresh EWMA with no data. */
export function initEwma(): EwmaState {
  return { mean: 0, variance: 0, count: 0 };
}

/**
 * Folds one value in with smoothing factor alpha (0 < alpha <= 1). The first points use 1/n so that
 * early estimates are plain averages rather than biased towards zero. Mutates and returns the state.
 */
export function stepEwma(state: EwmaState, x: number, alpha: number): EwmaState {
  state.count = Math.min(state.count + 1, 1e9);
  const a = Math.max(alpha, 1 / state.count);
  const diff = x - state.mean;
  const incr = a * diff;
  state.mean += incr;
  state.variance = (1 - a) * (state.variance + diff * incr);
  return state;
}

/** Standard deviation of the state (0 before two points). */
export function ewmaStd(state: EwmaState): number {
  return Math.sqrt(Math.max(state.variance, 0));
}
