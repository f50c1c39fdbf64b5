// Multi-scale residual surprise: EWMAs of the standardised residual at a few time scales, each
// standardised again against its own running mean and spread (which absorbs autocorrelation and heavy
// tails). Scale 0 is the point itself (spikes), then short (level shifts) and long (trends).

import { filledArray } from '../util/arrays.ts';

/** Running statistics of the residual at each scale: plain number arrays. */
export interface ScalesState {
  /** Current EWMA of the standardised residual per scale. */
  level: number[];
  /** Running mean of that EWMA per scale. */
  mean: number[];
  /** Running variance of that EWMA per scale. */
  variance: number[];
  count: number;
}

/** Fresh statistics for `n` scales. */
export function initScales(n: number): ScalesState {
  return { level: filledArray(n, 0), mean: filledArray(n, 0), variance: filledArray(n, 1), count: 0 };
}

/**
 * Folds the standardised residual `r` into every scale (smoothing factors `alphas`, 1 for the point
 * scale), writes each scale's z-score into `z`, then updates the running statistics with the value
 * winsorised at `clip` standard deviations (smoothing `statsAlpha`). Mutates state and z.
 */
export function stepScales(
  state: ScalesState,
  r: number,
  alphas: readonly number[],
  statsAlpha: number,
  clip: number,
  z: number[],
): void {
  state.count = Math.min(state.count + 1, 1e9);
  const a = Math.max(statsAlpha, 1 / state.count);
  for (let k = 0; k < alphas.length; k++) {
    const alpha = alphas[k] ?? 1;
    const level = (state.level[k] ?? 0) + alpha * (r - (state.level[k] ?? 0));
    const mean = state.mean[k] ?? 0;
    // Floor: r is already in residual spreads, so a scale can never be trusted below 0.05 of one.
    const std = Math.max(Math.sqrt(Math.max(state.variance[k] ?? 1, 0)), 0.05);
    z[k] = (level - mean) / std;
    const limited = Math.min(Math.max(level, mean - clip * std), mean + clip * std);
    state.level[k] = level;
    const diff = limited - mean;
    state.mean[k] = mean + a * diff;
    state.variance[k] = (1 - a) * ((state.variance[k] ?? 1) + a * diff * diff);
  }
}
