// Turns a raw surprise (non-negative, z-like) into a score in [0, 1] that means the same on every series:
// the surprise's tail probability under that series' own history (peaks over a moving threshold with an
// exponential tail, as in SPOT), on a log scale. Also the refractory gate that keeps one incident to one
// high score. It does not know which detector produced the surprise.

/** Calibration state: plain numbers, JSON-serialisable. */
export interface CalibrationState {
  /** Running mean and variance of log(1 + surprise) (winsorised at the tail threshold). */
  mean: number;
  variance: number;
  count: number;
  /** Running share of points above the tail threshold. */
  rate: number;
  /** Running mean excess of log surprise over the tail threshold. */
  excess: number;
}

/** Refractory gate state (kept by the detector, one per series). */
export interface GateState {
  /** Points left in the refractory period after the last firing. */
  refractory: number;
}

/** Calibration parameters (a subset of DetectorParams). */
export interface CalibrationParams {
  /** Smoothing factor of the running mean and variance of log surprise. */
  calibrationAlpha: number;
  /** The tail starts this many standard deviations above the mean of log surprise. */
  tailSigmas: number;
  /** Smoothing factor of the exceedance rate (per point). */
  tailRateAlpha: number;
  /** Smoothing factor of the mean excess (per exceedance). */
  tailExcessAlpha: number;
  /** An excess updates the mean excess capped at this many mean excesses (one incident cannot blind it). */
  tailExcessCap: number;
  /** Floor on the mean excess (log units): a series whose surprise is almost always 0 still needs a
   * large surprise, not merely a non-zero one, to score near 1. */
  tailExcessFloor: number;
  /** Floor on the standard deviation of log surprise, so very regular series do not page on noise. */
  calibrationMinStd: number;
  /** Decades of tail probability mapped onto [0, 1]: p = 10^-decades scores 1. */
  scoreDecades: number;
  /** Score at or above which the detector fires and enters the refractory period. */
  fireLevel: number;
  /** Quiet points (below rearmLevel) needed after a firing before the gate fires again. */
  refractoryPoints: number;
  /** Score below which a point counts as quiet for re-arming. */
  rearmLevel: number;
  /** Factor applied to scores inside the refractory period. */
  refractoryDamping: number;
}

/** A fresh calibration with no history. */
export function initCalibration(): CalibrationState {
  return { mean: 0, variance: 0, count: 0, rate: 0.05, excess: 0 };
}

/**
 * -log10 of the tail probability of log surprise x: log-linear to the threshold `t`, exponential beyond it
 * (the logarithm taken by hand: no pow or exp on the hot path).
 */
function tailDecades(state: CalibrationState, x: number, t: number, std: number, params: CalibrationParams): number {
  if (x <= state.mean) return 0;
  const rateDecades = -Math.log10(state.rate);
  if (x <= t) return rateDecades * ((x - state.mean) / (t - state.mean));
  const excess = Math.max(state.excess, 0.25 * std, params.tailExcessFloor);
  return rateDecades + (x - t) / excess / Math.LN10;
}

/**
 * Scores a surprise against the series' running tail, then folds it in. The score is
 * -log10(tail probability) / scoreDecades, clipped to [0, 1]. Mutates the state.
 */
export function calibrate(state: CalibrationState, surprise: number, params: CalibrationParams): number {
  const x = Math.log1p(Math.max(surprise, 0));
  const std = Math.max(Math.sqrt(Math.max(state.variance, 0)), params.calibrationMinStd);
  const t = state.mean + params.tailSigmas * std; // the tail threshold
  const score = Math.max(0, Math.min(1, tailDecades(state, x, t, std, params) / params.scoreDecades));

  const above = state.count > 10 && x > t;
  if (state.excess <= 0) state.excess = std;
  if (above) {
    const e = Math.min(x - t, params.tailExcessCap * state.excess);
    state.excess += params.tailExcessAlpha * (e - state.excess);
  }
  state.rate += params.tailRateAlpha * ((above ? 1 : 0) - state.rate);
  const clipped = state.count > 10 ? Math.min(x, t) : x;
  state.count = Math.min(state.count + 1, 1e9);
  const a = Math.max(params.calibrationAlpha, 1 / state.count);
  const diff = clipped - state.mean;
  state.mean += a * diff;
  state.variance = (1 - a) * (state.variance + a * diff * diff);
  return score;
}

/**
 * Applies the refractory gate with hysteresis: an armed gate passes a score at or above fireLevel and
 * disarms; while disarmed, scores are damped, and the gate re-arms only after refractoryPoints
 * consecutive points below rearmLevel, so a sustained condition fires once. Mutates the state.
 */
export function gate(state: GateState, score: number, params: CalibrationParams): number {
  if (state.refractory > 0) {
    state.refractory = score < params.rearmLevel ? state.refractory - 1 : params.refractoryPoints;
    return score * params.refractoryDamping;
  }
  if (score >= params.fireLevel) state.refractory = params.refractoryPoints;
  return score;
}
