// Forecaster state packed for holding many series at rest: its numbers in bytes (which the caller may keep
// in a slab of many series) and its names in one string array, instead of an object per member, weight set
// and season. Three kinds of numbers:
// - exact (float64): the error levels, points consumed, and each member's level, trend and position;
// - ints (float32, or float64 when one is beyond float32's exact integers): flags, counts, period lengths
//   and member indices;
// - reals: the seasons, seasonal naive buffers, smoothing weights and interval scales, rounded to the
//   narrowest width that keeps them: float24 (the float32 of the value with its mantissa rounded to the
//   top 15 bits, to even: relative error below 2^-16 + 2^-24, about 1.5e-5), else float32, else float64.
//   A width keeps the reals when each one rounds inside the float32 normal range (or is zero, NaN or
//   infinite), and when no seasonal naive buffer, which holds raw values, moves by more than a thousandth
//   of its spread (a large level that barely moves). float24 is judged on the values as float32 rounds
//   them (so a buffer may move by a thousandth plus float32's rounding), which makes a forecaster packed
//   at one width pack at that width again. Every NaN is stored as the one quiet NaN, so equal states give
//   equal bytes wherever their NaNs came from.
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
   * Two float64 header words ([exact count, real width] and [int count, int width], as count * 16 + width
   * in bytes), the exact values as float64, the ints (padded to a multiple of 8 bytes), then the reals.
   * Starts at a multiple of 8 bytes in its buffer; may run on past the last real.
   */
  readonly bytes: Uint8Array;
}

const SMOOTHING = 0;
const SEASONAL_NAIVE = 1;
const HEADER = 2;
const MIN_NORMAL_FLOAT32 = 2 ** -126;
/** A buffer's rounding may move its values by this share of their spread. */
const SPREAD_SHARE = 1e-3;

const bool = (b: boolean): number => (b ? 1 : 0);
/** `v`, or the quiet NaN for any NaN (whose bits may differ). */
const canonical = (v: number): number => (Number.isNaN(v) ? NaN : v);

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** A float24 (as its 24 bits) as a number. */
function fromFloat24Bits(bits: number): number {
  scratchBits[0] = bits * 256;
  return scratch[0]!;
}

/** The reals rounded to float32, and to float24 (float32 values whose 8 low bits are zero; `bits24` their bits). */
interface Rounded {
  f32: Float32Array;
  f24: Float32Array;
  bits24: Uint32Array;
}

function rounded(reals: Float64Array): Rounded {
  const f32 = new Float32Array(reals);
  const bits = new Uint32Array(f32.buffer);
  const bits24 = new Uint32Array(reals.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    // the 8 low bits rounded off to nearest, ties to even (a carry into the exponent is the right result);
    // NaN becomes the quiet NaN
    bits24[i] = Number.isNaN(f32[i]) ? 0x7fc00000 : (b + 0x7f + ((b >>> 8) & 1)) & 0xffffff00;
  }
  return { f32, f24: new Float32Array(bits24.buffer), bits24 };
}

/** Whether `rounded` moves `values[from..to)` by at most a thousandth of their spread (non-finite values aside). */
function keepsSpread(values: ArrayLike<number>, rounded: ArrayLike<number>, from: number, to: number): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  let error = 0;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    error = Math.max(error, Math.abs(rounded[i]! - v));
  }
  return error === 0 || error <= SPREAD_SHARE * (hi - lo);
}

/**
 * The reals' width in bytes: float64 unless float32 keeps them (each one zero, not finite, or rounding into
 * float32's normal range; each seasonal naive buffer, `buffers` as [from, to) ranges of `reals`, moved by
 * at most a thousandth of its spread); then float24 if it keeps float32's values the same way. Judging
 * float24 on float32's values makes the choice stable: values packed at a width keep choosing it (a
 * float32 value rounds to itself, and so does a float24 one). float24 never rounds a normal float32 below
 * the normal range, but may round one of the largest to infinity.
 */
function realWidth(reals: Float64Array, buffers: readonly (readonly [number, number])[], { f32, f24 }: Rounded): 3 | 4 | 8 {
  let float24Keeps = true;
  for (let i = 0; i < reals.length; i++) {
    const v = reals[i]!;
    if (v === 0 || !Number.isFinite(v)) continue;
    const f = Math.abs(f32[i]!);
    if (!(f >= MIN_NORMAL_FLOAT32 && f !== Infinity)) return 8;
    if (!Number.isFinite(f24[i]!)) float24Keeps = false;
  }
  for (const [from, to] of buffers) {
    if (!keepsSpread(reals, f32, from, to)) return 8;
    if (float24Keeps && !keepsSpread(f32, f24, from, to)) float24Keeps = false;
  }
  return float24Keeps ? 3 : 4;
}

/** How many reals `state` has: its interval scales and quantiles, buffers, weights and seasons. */
function realCount(state: ForecasterState): number {
  let n = state.intervals.scale.length + state.intervals.quantiles.length;
  for (const m of state.members) {
    if (m.kind === 'seasonal-naive') n += m.model.buffer.length;
    else n += 3 + m.model.weights.gammas.length + m.model.seasons.reduce((k, season) => k + season.length, 0);
  }
  return n;
}

/** Packs `state` (which is not changed or kept). */
export function packForecaster(state: ForecasterState): PackedForecaster {
  const exact: number[] = [state.errorLevel, state.errorLevelAtFit, state.points];
  const ints: number[] = [];
  const reals = new Float64Array(realCount(state));
  let at = 0;
  const real = (values: readonly number[]): void => {
    for (const v of values) reals[at++] = canonical(v);
  };
  const buffers: [number, number][] = [];
  const { intervals } = state;
  ints.push(bool(state.nonNegative), bool(intervals.log), intervals.scale.length, state.members.length, state.active.length, ...state.active);
  real(intervals.scale);
  real(intervals.quantiles);
  for (const m of state.members) {
    if (m.kind === 'seasonal-naive') {
      exact.push(m.model.t);
      ints.push(SEASONAL_NAIVE, m.model.period);
      buffers.push([at, at + m.model.buffer.length]);
      real(m.model.buffer);
      continue;
    }
    const s = m.model;
    exact.push(s.level, s.trend, s.t);
    ints.push(SMOOTHING, bool(m.log), bool(s.trended), s.periods.length, ...s.periods);
    real([s.weights.alpha, s.weights.beta, s.weights.phi]);
    real(s.weights.gammas);
    for (const season of s.seasons) real(season);
  }
  const intBytes = ints.every((v) => Math.fround(v) === v) ? 4 : 8;
  const round = rounded(reals);
  const realBytes = realWidth(reals, buffers, round);
  const intsAt = 8 * (HEADER + exact.length);
  const realsAt = intsAt + 8 * Math.ceil((ints.length * intBytes) / 8);
  const data = new ArrayBuffer(realsAt + reals.length * realBytes);
  const head = new Float64Array(data, 0, HEADER + exact.length);
  head[0] = exact.length * 16 + realBytes;
  head[1] = ints.length * 16 + intBytes;
  head.set(exact.map(canonical), HEADER);
  (intBytes === 4 ? new Float32Array(data, intsAt, ints.length) : new Float64Array(data, intsAt, ints.length)).set(ints.map(canonical));
  if (realBytes === 3) {
    const out = new Uint8Array(data, realsAt);
    const { bits24 } = round;
    for (let i = 0; i < reals.length; i++) {
      const bits = bits24[i]!;
      out[3 * i] = bits >>> 8;
      out[3 * i + 1] = bits >>> 16;
      out[3 * i + 2] = bits >>> 24;
    }
  } else if (realBytes === 4) {
    new Float32Array(data, realsAt, reals.length).set(round.f32);
  } else {
    new Float64Array(data, realsAt, reals.length).set(reals);
  }
  return { labels: [state.model, state.modelVersion, ...state.members.map((m) => m.name)], bytes: new Uint8Array(data) };
}

/** Reads numbers of `bytes` width (3: float24, 4: float32, 8: float64) from `at` (up to `end`), one run after another. */
function numberReader(buffer: ArrayBufferLike, at: number, end: number, bytes: number): (k: number) => number[] {
  const count = Math.floor((end - at) / bytes);
  let n = 0;
  if (bytes === 3) {
    const view = new Uint8Array(buffer, at, 3 * count);
    return (k) => {
      const values: number[] = [];
      for (let i = 0; i < k; i++, n++) values.push(fromFloat24Bits(view[3 * n]! | (view[3 * n + 1]! << 8) | (view[3 * n + 2]! << 16)));
      return values;
    };
  }
  const view = bytes === 4 ? new Float32Array(buffer, at, count) : new Float64Array(buffer, at, count);
  return (k) => {
    const values: number[] = [];
    for (let i = 0; i < k; i++, n++) values.push(view[n]!);
    return values;
  };
}

/** The state packForecaster packed, as fresh objects. */
export function unpackForecaster(packed: PackedForecaster): ForecasterState {
  const { buffer, byteOffset, byteLength } = packed.bytes;
  const head = new Float64Array(buffer, byteOffset, HEADER);
  const exactCount = Math.floor(head[0]! / 16);
  const intCount = Math.floor(head[1]! / 16);
  const intBytes = head[1]! % 16;
  const intsAt = byteOffset + 8 * (HEADER + exactCount);
  const exact = new Float64Array(buffer, byteOffset, HEADER + exactCount);
  const takeInts = numberReader(buffer, intsAt, intsAt + intCount * intBytes, intBytes);
  const takeReals = numberReader(buffer, intsAt + 8 * Math.ceil((intCount * intBytes) / 8), byteOffset + byteLength, head[0]! % 16);
  let at = HEADER;
  const next = (): number => exact[at++]!;
  const nextInt = (): number => takeInts(1)[0]!;
  const nextReal = (): number => takeReals(1)[0]!;
  const errorLevel = next();
  const errorLevelAtFit = next();
  const points = next();
  const nonNegative = nextInt() === 1;
  const log = nextInt() === 1;
  const scaleLength = nextInt();
  const memberCount = nextInt();
  const active = takeInts(nextInt());
  const scale = takeReals(scaleLength);
  const quantiles = takeReals(4) as [number, number, number, number];
  const members: MemberState[] = [];
  for (let k = 0; k < memberCount; k++) {
    const name = packed.labels[2 + k]!;
    if (nextInt() === SEASONAL_NAIVE) {
      const t = next();
      const period = nextInt();
      members.push({ kind: 'seasonal-naive', name, model: { period, buffer: takeReals(period), t } });
      continue;
    }
    const level = next();
    const trend = next();
    const t = next();
    const memberLog = nextInt() === 1;
    const trended = nextInt() === 1;
    const periods = takeInts(nextInt());
    const alpha = nextReal();
    const beta = nextReal();
    const phi = nextReal();
    const gammas = takeReals(periods.length);
    const seasons = periods.map((period) => takeReals(period));
    members.push({ kind: 'smoothing', name, log: memberLog, model: { periods, weights: { alpha, beta, phi, gammas }, level, trend, seasons, t, trended } });
  }
  return {
    model: packed.labels[0]!, modelVersion: packed.labels[1]!, members, active,
    intervals: { log, scale, quantiles }, nonNegative, errorLevel, errorLevelAtFit, points,
  };
}
