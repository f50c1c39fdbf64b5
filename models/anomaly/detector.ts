// Streaming anomaly detector for one series: robust seasonal baseline (expected value and band), spike/dip,
// level-shift, trend, flat-line and out-of-range surprises, one calibrated score in [0, 1], hour-of-day
// recurrence memory, refractory gate.
// Pure and O(1) per point over bounded plain-JSON state; it does not group points into incidents (events.ts).

import { initEwma, stepEwma, type EwmaState } from '../baseline/ewma.ts';
import { initRobust, robustMedian, stepRobust, type RobustState } from '../baseline/robust.ts';
import { hourOfBin, initSeasonal, seasonalBin, seasonalOffset, stepSeasonal, type SeasonalState } from '../baseline/seasonal.ts';
import { filledArray } from '../util/arrays.ts';
import { winsorizedSpreadFactor } from '../util/normal.ts';
import { initScales, stepScales, type ScalesState } from './scales.ts';
import { calibrate, gate, initCalibration, type CalibrationState } from './calibrate.ts';
import type { DetectorParams } from './params.ts';

export { defaultDetectorParams, type DetectorParams } from './params.ts';

/** Per-series detector state: plain numbers and number arrays, JSON-serialisable, bounded size. */
export interface DetectorState {
  count: number;
  lastValue: number;
  window: RobustState;
  season: SeasonalState;
  level: EwmaState;
  spread: number;
  scales: ScalesState;
  flatShort: number;
  flatLong: number;
  /** Points into the current range epoch. */
  rangeAge: number;
  /** Highest and lowest values of the current and the previous range epoch. */
  high: number;
  low: number;
  prevHigh: number;
  prevLow: number;
  /** One tail calibration per surprise: spike/dip, level shift, trend, flat line, out of range. */
  calibrations: CalibrationState[];
  /** Points left in the refractory period after the last firing. */
  refractory: number;
  /** Recurrence memory per UTC hour of day: last firing-level raw score there and its time (ms). Absent in
   * checkpoints written before it existed (created on first use). */
  recurPeak?: number[];
  recurTs?: number[];
  /** Per UTC hour of day: consecutive days (up to the last firing there) with a firing at that hour (±1 h).
   * Absent in checkpoints written before it existed (created on first use). */
  recurStreak?: number[];
}

/** Name of the detector that dominated a point's score. */
export type DetectorName = 'spike' | 'dip' | 'level_shift' | 'trend' | 'flatline' | 'out_of_range' | 'none';

/** What the detector says about one point. */
export interface DetectorOutput {
  /** Expected value from data before this point. */
  expected: number;
  lower: number;
  upper: number;
  /** Calibrated anomaly score in [0, 1], damped for refractoryPoints after a firing (use for alerting). */
  score: number;
  /** The same score before refractory damping (use for incident extent, e.g. events.ts). */
  rawScore: number;
  detector: DetectorName;
  /** False during warm-up (score is then 0). */
  warm: boolean;
}

/** A fresh state for one series. */
export function initDetector(params: DetectorParams): DetectorState {
  return {
    count: 0,
    lastValue: 0,
    window: initRobust(params.medianWindow),
    season: initSeasonal(params.seasonalBins),
    level: initEwma(),
    spread: 0,
    scales: initScales(3),
    flatShort: 0,
    flatLong: 0,
    rangeAge: 0,
    high: 0,
    low: 0,
    prevHigh: 0,
    prevLow: 0,
    calibrations: [initCalibration(), initCalibration(), initCalibration(), initCalibration(), initCalibration()],
    refractory: 0,
    recurPeak: filledArray(24, 0),
    recurTs: filledArray(24, 0),
    recurStreak: filledArray(24, 0),
  };
}

/** A reusable output object for stepDetector's `out` argument. */
export function createDetectorOutput(): DetectorOutput {
  return { expected: 0, lower: 0, upper: 0, score: 0, rawScore: 0, detector: 'none', warm: false };
}

/** Standard deviation of the profile's offsets (how much the time of day explains). */
function profileSpread(season: SeasonalState, minCount: number): number {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < season.offsets.length; i++) {
    if ((season.counts[i] ?? 0) < minCount) continue;
    const v = season.offsets[i] ?? 0;
    n++;
    sum += v;
    sumSq += v * v;
  }
  return n < 2 ? 0 : Math.sqrt(Math.max(sumSq / n - (sum / n) ** 2, 0));
}

let memoClip = NaN;
let memoFactor = 1;
/** Normal-consistent sigma per unit of winsorised spread, memoised on the clip (params rarely change). */
function spreadToSigma(clip: number): number {
  if (clip !== memoClip) {
    memoClip = clip;
    memoFactor = winsorizedSpreadFactor(clip);
  }
  return memoFactor;
}

// Residual z-scores feed the multi-scale statistics from this point on.
const scaleStart = 10;

// Surprises feed the calibration from this point on (warm-up only gates the output, not the learning).
const calibrationStart = 6;

// Scratch buffers reused across calls (module-level, never part of the state).
const zScratch = [0, 0, 0];
const alphaScratch = [1, 0, 0];
const surpriseScratch = [0, 0, 0, 0, 0];
const weightScratch = [1, 0, 0, 0, 0];
const names: readonly DetectorName[] = ['spike', 'level_shift', 'trend', 'flatline', 'out_of_range'];

/**
 * The point being scored and what stepDetector derives from it, read by the helpers below (and `raw`
 * written by them) through this one reused object. V8 boxes a number passed to or returned from a function
 * it does not inline, and these helpers are too large to inline: as arguments, each number cost a heap
 * number on every point. Fields start as doubles (NaN) so V8 stores them unboxed from the first point.
 */
const point = { ts: NaN, value: NaN, residual: NaN, z: NaN, flatShort: NaN, diff: NaN, tiny: NaN, raw: NaN };

/**
 * Scores one point and then learns from it. Mutates `state` in place (callers checkpoint it as JSON).
 * Writes into `out` when given (no allocation in the hot loop) and returns it; otherwise returns a new
 * object. Non-finite values must be filtered by the caller. The score uses data up to this point only.
 */
export function stepDetector(
  state: DetectorState,
  tsMs: number,
  value: number,
  params: DetectorParams,
  out: DetectorOutput = createDetectorOutput(),
): DetectorOutput {
  const bin = seasonalBin(state.season, tsMs);
  const sigma0 = state.spread * 1.2533;
  const useSeason = state.count > 0 && profileSpread(state.season, params.seasonalMinCount) > params.seasonalGate * sigma0;
  const offset = useSeason ? seasonalOffset(state.season, bin, params.seasonalMinCount) : 0;
  const expected = (state.count > 0 ? robustMedian(state.window) : value) + offset;
  const residual = value - expected;
  const tiny = 1e-9 * (Math.abs(expected) + 1);
  const half = params.bandSigmas * spreadToSigma(params.spreadClip) * state.spread + tiny;
  out.expected = expected;
  out.lower = expected - half;
  out.upper = expected + half;

  const diff = state.count > 0 ? Math.abs(value - state.lastValue) : 0;
  point.ts = tsMs;
  point.value = value;
  point.residual = residual;
  point.z = residual / (sigma0 + tiny);
  point.flatShort = state.flatShort + params.flatShortAlpha * (diff - state.flatShort);
  point.diff = diff;
  point.tiny = tiny;
  fillSurprises(state, params);
  scoreSurprises(state, params, out);
  recur(state, hourOfBin(bin), params);
  const raw = point.raw;
  if (out.detector === 'spike' && (zScratch[0] ?? 0) < 0) out.detector = 'dip';

  const warm = state.count >= params.warmupPoints;
  out.warm = warm;
  out.rawScore = warm ? raw : 0;
  out.score = warm ? gate(state, raw, params) : 0;
  if (out.rawScore === 0) out.detector = 'none';

  learn(state, bin, params);
  return out;
}

/**
 * Writes the five raw surprises into surpriseScratch: spike/dip, level shift and trend from the
 * multi-scale residual z-scores, flat line from short/long mean absolute differences, out of range
 * from the distance beyond the remembered range (both in residual spreads).
 */
function fillSurprises(state: DetectorState, params: DetectorParams): void {
  const { value, z, flatShort, tiny } = point;
  alphaScratch[1] = params.shiftAlpha;
  alphaScratch[2] = params.trendAlpha;
  // The spread is unreliable over the first points: feed 0 until then so no early z poisons the scales.
  const zIn = state.count < scaleStart ? 0 : z;
  stepScales(state.scales, zIn, alphaScratch, params.scaleStatsAlpha, params.scaleClip, zScratch);
  surpriseScratch[0] = Math.abs(zScratch[0] ?? 0);
  surpriseScratch[1] = params.shiftWeight * Math.abs(zScratch[1] ?? 0);
  surpriseScratch[2] = params.trendWeight * Math.abs(zScratch[2] ?? 0);
  const flatRatio = flatShort / state.flatLong + 1e-6;
  surpriseScratch[3] = state.flatLong > tiny ? params.flatWeight * Math.max(0, -Math.log(flatRatio) - 2) : 0;
  const beyond = Math.max(0, value - Math.max(state.high, state.prevHigh), Math.min(state.low, state.prevLow) - value);
  const inSpreads = beyond / (state.spread * 1.2533 + tiny);
  surpriseScratch[4] = state.count > 0 ? params.rangeWeight * Math.max(0, inSpreads - params.rangeMargin) : 0;
}

/** Calibrates each enabled surprise on its own tail; the highest score goes to point.raw, its detector's name to out. */
function scoreSurprises(state: DetectorState, params: DetectorParams, out: DetectorOutput): void {
  out.detector = 'none';
  point.raw = 0;
  if (state.count < calibrationStart) return;
  weightScratch[1] = params.shiftWeight;
  weightScratch[2] = params.trendWeight;
  weightScratch[3] = params.flatWeight;
  weightScratch[4] = params.rangeWeight;
  let best = 0;
  for (let k = 0; k < weightScratch.length; k++) {
    const cal = state.calibrations[k];
    if ((weightScratch[k] ?? 0) <= 0 || cal === undefined) continue;
    const score = calibrate(cal, surpriseScratch[k] ?? 0, params);
    if (score > best) {
      best = score;
      out.detector = names[k] ?? 'none';
    }
  }
  point.raw = best;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;
// A memory is compared only once it is this old, so it matches earlier days, not the current incident.
const recurMinAgeMs = 12 * hourMs;
// A memory at most this old is from the previous day (a firing then extends that hour's streak of days).
const recurYesterdayMs = 36 * hourMs;

/**
 * Recurrence memory: a raw score that does not exceed, by recurMargin, the last firing-level score at the
 * same UTC hour of day (±1 hour) on an earlier day, decayed with its age (time constant recurDays), is
 * damped like a refractory score, so a burst that recurs daily (cron jobs, batch loads) stops paging.
 * Once the hour has fired on recurStreak consecutive days up to yesterday, yesterday's peak is not decayed
 * (a saturated daily score would otherwise always clear the decayed memory). Then remembers firing-level
 * scores and the hour's streak of days. Label-blind; recurDays <= 0 disables it.
 */
function recur(state: DetectorState, hour: number, params: DetectorParams): void {
  if (params.recurDays <= 0) return;
  const { ts: tsMs, raw } = point;
  const peaks = (state.recurPeak ??= filledArray(24, 0));
  const times = (state.recurTs ??= filledArray(24, 0));
  const streaks = (state.recurStreak ??= filledArray(24, 0));
  const firing = raw >= params.fireLevel;
  let damp = false;
  let streak = 0;
  for (let d = 23; d <= 25; d++) {
    const h = (hour + d) % 24;
    const peak = peaks[h] ?? 0;
    const age = tsMs - (times[h] ?? 0);
    if (peak <= 0 || age < recurMinAgeMs) continue;
    const yesterday = age <= recurYesterdayMs;
    if (firing && yesterday) streak = Math.max(streak, streaks[h] ?? 0);
    // The decayed memory never exceeds the peak, so most points skip the exponential.
    if (damp || raw >= peak + params.recurMargin) continue;
    damp =
      (yesterday && params.recurStreak > 0 && (streaks[h] ?? 0) >= params.recurStreak) ||
      raw < peak * Math.exp(-age / (params.recurDays * dayMs)) + params.recurMargin;
  }
  if (firing) {
    if (tsMs - (times[hour] ?? 0) >= recurMinAgeMs) {
      peaks[hour] = raw;
      times[hour] = tsMs;
      streaks[hour] = Math.min(streak + 1, 1000);
    } else if (raw > (peaks[hour] ?? 0)) peaks[hour] = raw;
  }
  // A damped score stays below fireLevel: a saturated score halved would otherwise land on it and still fire.
  if (damp) point.raw = Math.min(raw * params.refractoryDamping, params.fireLevel - 1e-6);
}

function learn(state: DetectorState, bin: number, params: DetectorParams): void {
  const { value, residual, flatShort, diff } = point;
  const offset = seasonalOffset(state.season, bin, params.seasonalMinCount);
  stepEwma(state.level, value - offset, params.levelAlpha);
  stepSeasonal(state.season, bin, value - state.level.mean, params.seasonalAlpha);
  stepRobust(state.window, value - offset);
  const clip = state.count > 10 ? params.spreadClip * state.spread : Infinity;
  const a = Math.max(params.spreadAlpha, 1 / (state.count + 1));
  state.spread += a * (Math.min(Math.abs(residual), clip) - state.spread);
  state.flatShort = flatShort;
  const b = Math.max(params.flatLongAlpha, 1 / (state.count + 1));
  state.flatLong += b * (diff - state.flatLong);
  // Two epochs of min/max (JSON-safe: no infinities): the range forgets extremes older than 2 epochs.
  if (state.count === 0) {
    state.prevHigh = value;
    state.prevLow = value;
  }
  if (state.count === 0 || state.rangeAge >= params.rangeEpochPoints) {
    if (state.count > 0) {
      state.prevHigh = state.high;
      state.prevLow = state.low;
    }
    state.high = value;
    state.low = value;
    state.rangeAge = 0;
  }
  state.rangeAge++;
  state.high = Math.max(state.high, value);
  state.low = Math.min(state.low, value);
  state.lastValue = value;
  state.count = Math.min(state.count + 1, 1e9);
}

/** Size of the checkpointed state in bytes (UTF-8 JSON). */
export function stateBytes(state: DetectorState): number {
  return JSON.stringify(state).length;
}
