// Classical (moving-average) seasonal decomposition and the M4 90% autocorrelation seasonality test.
// Pure arithmetic on complete arrays; does not handle gaps (callers fill NaN first) and does not forecast.

/** Sample autocorrelation at lags 1..maxLag, as R's acf() computes it (mean removed, common denominator). */
export function autocorrelations(x: readonly number[], maxLag: number): number[] {
  const n = x.length;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  let denom = 0;
  for (const v of x) denom += (v - mean) ** 2;
  const acf: number[] = [];
  for (let k = 1; k <= maxLag; k++) {
    let s = 0;
    for (let t = 0; t + k < n; t++) s += ((x[t] ?? 0) - mean) * ((x[t + k] ?? 0) - mean);
    acf.push(denom > 0 ? s / denom : 0);
  }
  return acf;
}

/**
 * M4's SeasonalityTest: seasonal when |acf(m)| exceeds 1.645/sqrt(n)·sqrt(1 + 2·Σ_{k<m} acf(k)²)
 * (90% one-sided, Bartlett's variance); never seasonal with fewer than 3 periods.
 */
export function isSeasonal(x: readonly number[], period: number): boolean {
  if (x.length < 3 * period) return false;
  const acf = autocorrelations(x, period);
  let cum = 1;
  for (let k = 0; k < period - 1; k++) cum += 2 * (acf[k] ?? 0) ** 2;
  const limit = (1.645 / Math.sqrt(x.length)) * Math.sqrt(cum);
  const at = acf[period - 1] ?? 0;
  return Number.isFinite(at) && Math.abs(at) > limit;
}

/** Centred moving average of order `period` (2×m MA for even m); NaN where the window is incomplete. */
export function centredMovingAverage(x: readonly number[], period: number): number[] {
  const n = x.length;
  const half = Math.floor(period / 2);
  const even = period % 2 === 0;
  const out = new Array<number>(n).fill(NaN);
  for (let t = half; t < n - half; t++) {
    let s = 0;
    for (let k = -half; k <= half; k++) {
      const w = even && (k === -half || k === half) ? 0.5 : 1;
      s += w * (x[t + k] ?? 0);
    }
    out[t] = s / period;
  }
  return out;
}

/**
 * Seasonal figure of R's decompose(): mean ratio (multiplicative) or difference (additive) of the series to
 * its centred moving average per position in the cycle, normalised to mean 1 (or 0). Index 0 is the cycle
 * position of x[0].
 */
export function seasonalFigure(x: readonly number[], period: number, type: 'multiplicative' | 'additive'): number[] {
  const trend = centredMovingAverage(x, period);
  const sums = new Array<number>(period).fill(0);
  const counts = new Array<number>(period).fill(0);
  for (let t = 0; t < x.length; t++) {
    const tr = trend[t] ?? NaN;
    const v = x[t] ?? NaN;
    const d = type === 'multiplicative' ? v / tr : v - tr;
    if (!Number.isFinite(d)) continue;
    sums[t % period] = (sums[t % period] ?? 0) + d;
    counts[t % period] = (counts[t % period] ?? 0) + 1;
  }
  const figure = sums.map((s, i) => ((counts[i] ?? 0) > 0 ? s / (counts[i] ?? 1) : type === 'multiplicative' ? 1 : 0));
  const mean = figure.reduce((a, b) => a + b, 0) / period;
  return figure.map((f) => (type === 'multiplicative' ? f / mean : f - mean));
}
