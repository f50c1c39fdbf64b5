// Forecaster state packed for holding many series at rest: its numbers in bytes (which the caller may keep
// in a slab of many series) and its names in one string array, instead of an object per member, weight set
// and season (under a fifth of the memory of the object form). Two kinds of numbers:
// - exact (float64): the error levels, points consumed, and each member's level, trend and position;
// - narrow (float32 where it can): flags, counts, period lengths and member indices, which float32 holds
//   exactly, then the seasons, seasonal naive buffers, smoothing weights and interval scales, rounded to
//   the nearest float32 (relative error below 6e-8; NaN, ±Infinity and -0 survive). A forecaster keeps
//   its narrow numbers as float64 when float32 would not do: a rounded value outside float32's normal range
//   (a magnitude over 3.4e38 or below 1.2e-38, zero aside), or a seasonal naive buffer, which holds raw
//   values, whose rounding would exceed a thousandth of its spread (a large level that barely moves).
// Packing and unpacking are deterministic, and rounding twice is rounding once, so a series packed at every
// hour close continues the same however its samples were batched. Pure; the layout is described by the
// numbers themselves (member kinds and period lengths come before what they size).
import type { ForecasterState } from './index.ts';
import type { MemberState } from './members.ts';

/** A packed forecaster: the model name, version and member names, and every number. */
export interface PackedForecaster {
  /** [model, modelVersion, ...member names]; equal label lists may be one shared (frozen) array. */
  readonly labels: readonly string[];
  /**
   * [exact count (negated when the narrow values are float64), ...exact values] as float64, then the
   * narrow values. Starts at a multiple of 8 bytes in its buffer; may run on past the last narrow value.
   */
  readonly bytes: Uint8Array;
}

const SMOOTHING = 0;
const SEASONAL_NAIVE = 1;
const HEADER = 1;
const MIN_NORMAL_FLOAT32 = 2 ** -126;

const bool = (b: boolean): number => (b ? 1 : 0);

/** Whether float32 keeps `v`'s scale: zero, not finite, or a magnitude in float32's normal range. */
function keepsScale(v: number): boolean {
  return v === 0 || !Number.isFinite(v) || (Math.abs(v) >= MIN_NORMAL_FLOAT32 && Number.isFinite(Math.fround(v)));
}

/**
 * Whether rounding a seasonal naive buffer to float32 leaves its forecasts alone: the rounding stays within
 * a thousandth of the spread of its values. Rounded values round to themselves, so a buffer that passed
 * passes again.
 */
function keepsSpread(buffer: readonly number[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  let error = 0;
  for (const v of buffer) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    error = Math.max(error, Math.abs(Math.fround(v) - v));
  }
  return error === 0 || error <= 1e-3 * (hi - lo);
}

/** Packs `state` (which is not changed or kept). */
export function packForecaster(state: ForecasterState): PackedForecaster {
  const exact: number[] = [state.errorLevel, state.errorLevelAtFit, state.points];
  const narrow: number[] = [];
  let float32 = true;
  /** Counts, flags, lengths: float32 must hold them exactly. */
  const ints = (...values: number[]): void => {
    for (const v of values) {
      if (Math.fround(v) !== v) float32 = false;
      narrow.push(v);
    }
  };
  /** Values float32 may round. */
  const reals = (values: readonly number[]): void => {
    for (const v of values) {
      if (!keepsScale(v)) float32 = false;
      narrow.push(v);
    }
  };
  const { intervals } = state;
  ints(bool(state.nonNegative), bool(intervals.log), intervals.scale.length, state.members.length, state.active.length, ...state.active);
  reals(intervals.scale);
  reals(intervals.quantiles);
  for (const m of state.members) {
    if (m.kind === 'seasonal-naive') {
      exact.push(m.model.t);
      ints(SEASONAL_NAIVE, m.model.period);
      reals(m.model.buffer);
      if (!keepsSpread(m.model.buffer)) float32 = false;
      continue;
    }
    const s = m.model;
    exact.push(s.level, s.trend, s.t);
    ints(SMOOTHING, bool(m.log), bool(s.trended), s.periods.length, ...s.periods);
    reals([s.weights.alpha, s.weights.beta, s.weights.phi, ...s.weights.gammas]);
    s.seasons.forEach(reals);
  }
  const wide = HEADER + exact.length;
  const data = new ArrayBuffer(8 * wide + narrow.length * (float32 ? 4 : 8));
  const head = new Float64Array(data, 0, wide);
  head[0] = float32 ? exact.length : -exact.length;
  head.set(exact, HEADER);
  (float32 ? new Float32Array(data, 8 * wide) : new Float64Array(data, 8 * wide)).set(narrow);
  return { labels: [state.model, state.modelVersion, ...state.members.map((m) => m.name)], bytes: new Uint8Array(data) };
}

/** The state packForecaster packed, as fresh objects. */
export function unpackForecaster(packed: PackedForecaster): ForecasterState {
  const { buffer, byteOffset, byteLength } = packed.bytes;
  const count = new Float64Array(buffer, byteOffset, HEADER)[0]!;
  const wide = HEADER + Math.abs(count);
  const exact = new Float64Array(buffer, byteOffset, wide);
  const rest = byteLength - 8 * wide;
  const narrow = count > 0 ? new Float32Array(buffer, byteOffset + 8 * wide, rest >> 2) : new Float64Array(buffer, byteOffset + 8 * wide, rest >> 3);
  let at = HEADER;
  let n = 0;
  const next = (): number => exact[at++]!;
  const nextNarrow = (): number => narrow[n++]!;
  const takeNarrow = (k: number): number[] => {
    const values = Array.from(narrow.subarray(n, n + k));
    n += k;
    return values;
  };
  const errorLevel = next();
  const errorLevelAtFit = next();
  const points = next();
  const nonNegative = nextNarrow() === 1;
  const log = nextNarrow() === 1;
  const scaleLength = nextNarrow();
  const memberCount = nextNarrow();
  const active = takeNarrow(nextNarrow());
  const scale = takeNarrow(scaleLength);
  const quantiles = takeNarrow(4) as [number, number, number, number];
  const members: MemberState[] = [];
  for (let k = 0; k < memberCount; k++) {
    const name = packed.labels[2 + k]!;
    if (nextNarrow() === SEASONAL_NAIVE) {
      const t = next();
      const period = nextNarrow();
      members.push({ kind: 'seasonal-naive', name, model: { period, buffer: takeNarrow(period), t } });
      continue;
    }
    const level = next();
    const trend = next();
    const t = next();
    const memberLog = nextNarrow() === 1;
    const trended = nextNarrow() === 1;
    const periods = takeNarrow(nextNarrow());
    const alpha = nextNarrow();
    const beta = nextNarrow();
    const phi = nextNarrow();
    const gammas = takeNarrow(periods.length);
    const seasons = periods.map((period) => takeNarrow(period));
    members.push({ kind: 'smoothing', name, log: memberLog, model: { periods, weights: { alpha, beta, phi, gammas }, level, trend, seasons, t, trended } });
  }
  return {
    model: packed.labels[0]!, modelVersion: packed.labels[1]!, members, active,
    intervals: { log, scale, quantiles }, nonNegative, errorLevel, errorLevelAtFit, points,
  };
}
