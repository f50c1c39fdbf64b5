// Forecaster state packed for holding many series at rest: its numbers in bytes (which the caller may keep
// in a slab of many series) and its names in one string array, instead of an object per member, weight set
// and season. Three kinds of numbers:
// - exact (float64): the error levels, points consumed, and each member's level, trend and position;
// - ints (float32, or float64 when one is beyond float32's exact integers): flags, counts, period lengths
//   and member indices;
// - reals: the seasons, seasonal naive buffers, smoothing weights and interval scales, rounded to the
//   narrowest width that keeps them: float24 (a float32 whose mantissa is rounded to its top 15 bits, to
//   even: relative error at most 2^-16, about 1.5e-5), else float32, else float64. A width keeps the reals
//   when each one rounds inside the float32 normal range (or is zero, NaN or infinite), and when no
//   seasonal naive buffer, which holds raw values, moves by more than a thousandth of its spread (a large
//   level that barely moves). float24 is judged on the values as float32 rounds them, so a forecaster
//   packed at one width packs at that width again.
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

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);
/** A quiet NaN's top 24 bits. */
const NAN24 = 0x7fc000;

/** `v` rounded to float32, then to float24: its 24 bits (float32's top 24 bits). */
function float24Bits(v: number): number {
  if (Number.isNaN(v)) return NAN24;
  scratch[0] = v;
  const bits = scratchBits[0]!;
  // round the 8 low bits off to nearest, ties to even; a carry into the exponent is the right result
  return Math.floor((bits + 0x7f + ((bits >>> 8) & 1)) / 256);
}

function fromFloat24Bits(bits: number): number {
  scratchBits[0] = bits * 256;
  return scratch[0]!;
}

/** `v` rounded to float24 (through float32). */
const float24 = (v: number): number => fromFloat24Bits(float24Bits(v));

const identity = (v: number): number => v;

/**
 * Whether `round` keeps `values` as `seen` shows them (float32 rounding, or themselves): each one zero, not
 * finite, or rounding into float32's normal range; and each buffer of `buffers` moved by at most a
 * thousandth of its spread.
 */
function keeps(round: (v: number) => number, seen: (v: number) => number, values: readonly number[], buffers: readonly (readonly number[])[]): boolean {
  for (const raw of values) {
    const v = seen(raw);
    if (v === 0 || !Number.isFinite(v)) continue;
    const r = round(v);
    if (!(Math.abs(r) >= MIN_NORMAL_FLOAT32 && Number.isFinite(r))) return false;
  }
  return buffers.every((buffer) => {
    let lo = Infinity;
    let hi = -Infinity;
    let error = 0;
    for (const raw of buffer) {
      const v = seen(raw);
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      error = Math.max(error, Math.abs(round(v) - v));
    }
    return error === 0 || error <= SPREAD_SHARE * (hi - lo);
  });
}

/**
 * The reals' width in bytes: float64 unless float32 keeps them; then float24 if it keeps them as float32
 * rounds them. Judging float24 on float32's values makes the choice stable: values packed at a width keep
 * choosing it (a float32 value rounds to itself, and so does a float24 one).
 */
function realWidth(reals: readonly number[], buffers: readonly (readonly number[])[]): 3 | 4 | 8 {
  if (!keeps(Math.fround, identity, reals, buffers)) return 8;
  return keeps(float24, Math.fround, reals, buffers) ? 3 : 4;
}

/** Packs `state` (which is not changed or kept). */
export function packForecaster(state: ForecasterState): PackedForecaster {
  const exact: number[] = [state.errorLevel, state.errorLevelAtFit, state.points];
  const ints: number[] = [];
  const reals: number[] = [];
  const buffers: number[][] = [];
  const { intervals } = state;
  ints.push(bool(state.nonNegative), bool(intervals.log), intervals.scale.length, state.members.length, state.active.length, ...state.active);
  reals.push(...intervals.scale, ...intervals.quantiles);
  for (const m of state.members) {
    if (m.kind === 'seasonal-naive') {
      exact.push(m.model.t);
      ints.push(SEASONAL_NAIVE, m.model.period);
      reals.push(...m.model.buffer);
      buffers.push(m.model.buffer);
      continue;
    }
    const s = m.model;
    exact.push(s.level, s.trend, s.t);
    ints.push(SMOOTHING, bool(m.log), bool(s.trended), s.periods.length, ...s.periods);
    reals.push(s.weights.alpha, s.weights.beta, s.weights.phi, ...s.weights.gammas);
    for (const season of s.seasons) reals.push(...season);
  }
  const intBytes = ints.every((v) => Math.fround(v) === v) ? 4 : 8;
  const realBytes = realWidth(reals, buffers);
  const intsAt = 8 * (HEADER + exact.length);
  const realsAt = intsAt + 8 * Math.ceil((ints.length * intBytes) / 8);
  const data = new ArrayBuffer(realsAt + reals.length * realBytes);
  const head = new Float64Array(data, 0, HEADER + exact.length);
  head[0] = exact.length * 16 + realBytes;
  head[1] = ints.length * 16 + intBytes;
  head.set(exact, HEADER);
  (intBytes === 4 ? new Float32Array(data, intsAt, ints.length) : new Float64Array(data, intsAt, ints.length)).set(ints);
  if (realBytes === 3) {
    const out = new Uint8Array(data, realsAt);
    reals.forEach((v, i) => {
      const bits = float24Bits(v);
      out[3 * i] = bits & 0xff;
      out[3 * i + 1] = (bits >>> 8) & 0xff;
      out[3 * i + 2] = bits >>> 16;
    });
  } else {
    (realBytes === 4 ? new Float32Array(data, realsAt, reals.length) : new Float64Array(data, realsAt, reals.length)).set(reals);
  }
  return { labels: [state.model, state.modelVersion, ...state.members.map((m) => m.name)], bytes: new Uint8Array(data) };
}

/** Reads reals of `bytes` width from `at` (up to `end`), one after another. */
function realReader(buffer: ArrayBufferLike, at: number, end: number, bytes: number): (k: number) => number[] {
  const count = Math.floor((end - at) / bytes);
  let n = 0;
  if (bytes === 3) {
    const view = new Uint8Array(buffer, at, 3 * count);
    return (k) => {
      const values = new Array<number>(k);
      for (let i = 0; i < k; i++, n++) values[i] = fromFloat24Bits(view[3 * n]! | (view[3 * n + 1]! << 8) | (view[3 * n + 2]! << 16));
      return values;
    };
  }
  const view = bytes === 4 ? new Float32Array(buffer, at, count) : new Float64Array(buffer, at, count);
  return (k) => {
    const values = Array.from(view.subarray(n, n + k));
    n += k;
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
  const ints = intBytes === 4 ? new Float32Array(buffer, intsAt, intCount) : new Float64Array(buffer, intsAt, intCount);
  const takeReals = realReader(buffer, intsAt + 8 * Math.ceil((intCount * intBytes) / 8), byteOffset + byteLength, head[0]! % 16);
  let at = HEADER;
  let n = 0;
  const next = (): number => exact[at++]!;
  const nextInt = (): number => ints[n++]!;
  const takeInts = (k: number): number[] => {
    const values = Array.from(ints.subarray(n, n + k));
    n += k;
    return values;
  };
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
