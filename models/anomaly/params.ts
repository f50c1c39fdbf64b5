// The detector's one global configuration: every field documented, defaults tuned once on the whole NAB
// corpus (ops/bench/nab/tune.ts, figures in ops/bench/results/nab.md). No per-series or per-category values.

import type { CalibrationParams } from './calibrate.ts';

/** The one global detector configuration (processor, CLI and benchmark all use defaultDetectorParams). */
export interface DetectorParams extends CalibrationParams {
  /** Points before scores are emitted (scores are 0 and warm is false until then). */
  warmupPoints: number;
  /** Rolling-median window of the deseasonalised level (points). */
  medianWindow: number;
  /** Smoothing factor of the residual spread (mean absolute residual). */
  spreadAlpha: number;
  /** Residuals are winsorised at this many spreads before updating the spread. */
  spreadClip: number;
  /** Smoothing factor of the short-scale residual mean (level shifts). */
  shiftAlpha: number;
  /** Weight of the level-shift surprise against the spike surprise. */
  shiftWeight: number;
  /** Smoothing factor of the long-scale residual mean (trend changes, slow drifts). */
  trendAlpha: number;
  /** Weight of the trend surprise. */
  trendWeight: number;
  /** Smoothing factor of each scale's running mean and spread. */
  scaleStatsAlpha: number;
  /** Scale statistics are updated with values winsorised at this many standard deviations. */
  scaleClip: number;
  /** Smoothing factors of short and long mean absolute first differences (flat-line test). */
  flatShortAlpha: number;
  flatLongAlpha: number;
  /** Weight of the flat-line surprise. */
  flatWeight: number;
  /** Range memory: the remembered range covers the last rangeEpochPoints to 2 * rangeEpochPoints points. */
  rangeEpochPoints: number;
  /** Distance beyond the remembered range (in residual spreads) that is still ignored. */
  rangeMargin: number;
  /** Weight of the out-of-range surprise (distance beyond the remembered range, in residual spreads). */
  rangeWeight: number;
  /** Smoothing factor of the slow level the seasonal profile is measured against. */
  levelAlpha: number;
  /** Seasonal profile resolution: 24 (hour of day), 48 (plus weekend split) or 168 (hour of week). */
  seasonalBins: number;
  /** Per-bin smoothing factor of the seasonal profile. */
  seasonalAlpha: number;
  /** Updates a bin needs before its offset is used. */
  seasonalMinCount: number;
  /** Profile is used only when its spread exceeds this many residual spreads. */
  seasonalGate: number;
  /** Half-width of the expected band in residual standard deviations. */
  bandSigmas: number;
  /** Recurrence memory (detector.ts): a raw score must exceed the decayed last firing-level score at the
   * same hour of day (±1 h) on an earlier day by this much, or it is damped like a refractory score. */
  recurMargin: number;
  /** Decay time constant of the recurrence memory in days (0 disables the memory). */
  recurDays: number;
  /** Recurrence memory: once an hour of day (±1 h) has fired on this many consecutive days up to yesterday
   * (a daily schedule), a raw score there that does not exceed yesterday's peak by recurMargin is damped
   * without decaying the peak (0 turns this off; the decayed comparison still applies). */
  recurStreak: number;
}

/** Default configuration, tuned once on the whole NAB corpus (see ops/bench/results/nab.md). */
export const defaultDetectorParams: DetectorParams = Object.freeze({
  warmupPoints: 60,
  medianWindow: 31,
  spreadAlpha: 0.0035,
  spreadClip: 1.25,
  shiftAlpha: 0.56,
  shiftWeight: 0.1,
  trendAlpha: 0.021,
  trendWeight: 0.125,
  scaleStatsAlpha: 0.0014,
  scaleClip: 5.6,
  flatShortAlpha: 0.098,
  flatLongAlpha: 0.005,
  flatWeight: 2.744,
  rangeEpochPoints: 7000,
  rangeMargin: 0,
  rangeWeight: 7,
  levelAlpha: 0.005,
  seasonalBins: 24,
  seasonalAlpha: 0.1,
  seasonalMinCount: 3,
  seasonalGate: 1,
  bandSigmas: 3,
  recurMargin: 0.1,
  recurDays: 4,
  recurStreak: 3,
  calibrationAlpha: 0.002,
  tailSigmas: 2.8,
  tailRateAlpha: 0.001,
  tailExcessAlpha: 0.005,
  tailExcessCap: 3,
  tailExcessFloor: 0,
  calibrationMinStd: 0.07,
  scoreDecades: 8,
  fireLevel: 0.5,
  refractoryPoints: 25,
  rearmLevel: 0.7,
  refractoryDamping: 0.5,
});
