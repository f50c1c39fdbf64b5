// The forecaster packer: exact numbers and ints stay exact, the reals become their nearest float24 (and only
// those), float32 or float64 when float24 or float32 would not keep them, packing is idempotent, and a series
// unpacked, stepped and packed at every point forecasts within a ten-thousandth of its interval of one kept
// as objects.
import { describe, expect, it } from 'vitest';
import { defaultForecasterParams, fitForecaster, forecast, updateForecaster, type ForecasterState } from './index.ts';
import { packForecaster, unpackForecaster } from './packed.ts';

const params = { ...defaultForecasterParams, optimizerEvals: 30 };
/** Hourly values with daily and weekly cycles, a trend, noise from a fixed generator, and a few gaps. */
function series(n: number, offset = 100): number[] {
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 4;
  return Array.from({ length: n }, (_, t) => (t % 97 === 50 ? NaN : offset + 0.05 * t + 20 * Math.sin((2 * Math.PI * t) / 24) + 8 * Math.sin((2 * Math.PI * t) / 168) + noise()));
}

/** float24 by arithmetic: float32, then 16 significant bits, ties to even (within float32's normal range). */
function round24(v: number): number {
  const f = Math.fround(v);
  if (f === 0 || !Number.isFinite(f)) return f;
  const step = 2 ** (Math.floor(Math.log2(Math.abs(f))) - 15);
  const q = f / step;
  const down = Math.floor(q);
  const up = q - down > 0.5 || (q - down === 0.5 && down % 2 !== 0);
  const r = (up ? down + 1 : down) * step;
  return Math.abs(r) >= 2 ** 128 ? Math.sign(r) * Infinity : r;
}

/** `state` with the reals (seasons, buffers, weights, interval scales) rounded by hand: to float24, or float32 with `round`. */
function narrowed(state: ForecasterState, round: (v: number) => number = round24): ForecasterState {
  const f32 = (values: readonly number[]): number[] => values.map(round);
  const copy = structuredClone(state);
  copy.intervals.scale = f32(copy.intervals.scale);
  copy.intervals.quantiles = f32(copy.intervals.quantiles) as [number, number, number, number];
  for (const m of copy.members) {
    if (m.kind === 'seasonal-naive') {
      m.model.buffer = f32(m.model.buffer);
      continue;
    }
    const w = m.model.weights;
    m.model.weights = { alpha: round(w.alpha), beta: round(w.beta), phi: round(w.phi), gammas: f32(w.gammas) };
    m.model.seasons = m.model.seasons.map(f32);
  }
  return copy;
}

/** Every number of the state, in a fixed order. */
const numbers = (x: unknown): number[] => (typeof x === 'number' ? [x] : x !== null && typeof x === 'object' ? Object.values(x).flatMap(numbers) : []);

describe('packForecaster', () => {
  // daily seasonal naive, the daily ensemble, the weekly ensemble; and a series with negative values (raw scale only)
  it.each([[30, 100], [100, 100], [600, 100], [600, -50]])('rounds only the reals of a forecaster fitted on %i hours (offset %i), to float24', (n, offset) => {
    const state = fitForecaster(series(n, offset), params);
    const back = unpackForecaster(packForecaster(state));
    expect(back).toStrictEqual(narrowed(state)); // levels, trends, positions, error levels and counts exactly as they were
    expect(JSON.stringify(back)).toBe(JSON.stringify(narrowed(state))); // same key order: snapshots keep their shape
    const before = numbers(state);
    expect(numbers(back).some((v, i) => v !== before[i])).toBe(true); // something was rounded
  });

  it('is idempotent: a packed state packs to the same bytes again', () => {
    const packed = packForecaster(fitForecaster(series(600), params));
    const again = packForecaster(unpackForecaster(packed));
    expect(Buffer.from(again.bytes).equals(Buffer.from(packed.bytes))).toBe(true);
    expect(again.labels).toStrictEqual(packed.labels);
  });

  it('takes about three eighths of the bytes of float64 for a weekly forecaster', () => {
    const state = fitForecaster(series(600), params);
    const packed = packForecaster(state);
    expect(state.members.some((m) => m.kind === 'smoothing' && m.model.periods.includes(168))).toBe(true);
    expect(packed.bytes.byteLength).toBeLessThan(0.42 * 8 * numbers(state).length);
  });

  it('unpacks from bytes inside a larger buffer (a slab slot), padding after them ignored', () => {
    const state = fitForecaster(series(600), params);
    const packed = packForecaster(state);
    const slab = new Uint8Array(64 + packed.bytes.byteLength + 16).fill(0xff);
    slab.set(packed.bytes, 64);
    const slot = slab.subarray(64, 64 + packed.bytes.byteLength + 4);
    expect(unpackForecaster({ labels: packed.labels, bytes: slot })).toStrictEqual(unpackForecaster(packed));
  });

  it('keeps NaN, infinities and -0 as they were', () => {
    const state = fitForecaster(series(100), params);
    state.errorLevel = -0;
    state.errorLevelAtFit = Infinity;
    state.intervals.scale[3] = NaN;
    state.intervals.scale[4] = -Infinity;
    state.intervals.scale[5] = -0;
    const back = unpackForecaster(packForecaster(state));
    expect(Object.is(back.errorLevel, -0)).toBe(true);
    expect(back.errorLevelAtFit).toBe(Infinity);
    expect(back.intervals.scale[3]).toBeNaN();
    expect(back.intervals.scale[4]).toBe(-Infinity);
    expect(Object.is(back.intervals.scale[5], -0)).toBe(true);
  });

  it.each([
    ['float24', (v: number) => v],
    ['float32', (v: number) => (Math.abs(v) === 0.5 ? 3.4028e38 * Math.sign(v) : v)], // a value float24 cannot hold makes the reals float32
    ['float64', (v: number) => (Math.abs(v) === 0.5 ? 1e300 : v)], // one float32 cannot hold makes them float64
  ])('stores every NaN as the same bytes at %s, wherever it came from', (_width, tweak) => {
    const payloads = [NaN, 0 / 0, new Float64Array(new BigUint64Array([0xfff8_0000_dead_beefn]).buffer)[0]!, Math.sqrt(-1)];
    const packedWith = (nan: number): Buffer => {
      const state = fitForecaster(series(600), params);
      state.intervals.scale[1] = nan;
      state.intervals.scale[2] = tweak(0.5);
      state.errorLevelAtFit = nan;
      const member = state.members.find((m) => m.kind === 'smoothing')!;
      if (member.kind === 'smoothing') member.model.seasons[0]![2] = nan;
      return Buffer.from(packForecaster(state).bytes);
    };
    const bytes = payloads.map(packedWith);
    expect(new Set(bytes.map((b) => b.toString('hex'))).size).toBe(1);
  });

  it.each([[1e300, 'too large for float32'], [1e-300, 'below float32 normal range'], [-3e-39, 'a float32 subnormal']])('keeps every number exact when a season holds %d (%s)', (value) => {
    const state = fitForecaster(series(600), params);
    const member = state.members.find((m) => m.kind === 'smoothing')!;
    if (member.kind !== 'smoothing') throw new Error('no smoothing member');
    member.model.seasons[0]![3] = value;
    const packed = packForecaster(state);
    expect(unpackForecaster(packed)).toStrictEqual(state);
    expect(packed.bytes.byteLength).toBeGreaterThan(packForecaster(narrowed(fitForecaster(series(600), params))).bytes.byteLength);
  });

  it('keeps the ints exact when a count or index is beyond what float32 holds exactly', () => {
    const state = fitForecaster(series(600), params);
    state.active = [...state.active, 2 ** 24 + 1];
    expect(unpackForecaster(packForecaster(state))).toStrictEqual(narrowed(state));
  });

  it('keeps float32 when float24 would round a real past float32\'s range', () => {
    const state = fitForecaster(series(600), params);
    state.intervals.scale[2] = 3.4028e38; // float32's largest values round up to infinity in float24
    expect(Number.isFinite(Math.fround(3.4028e38))).toBe(true);
    const back = unpackForecaster(packForecaster(state));
    expect(back).toStrictEqual(narrowed(state, Math.fround));
    expect(back.intervals.scale[2]).toBe(Math.fround(3.4028e38));
  });

  it('keeps zeros in float32 (an untrended member has beta 0)', () => {
    const state = fitForecaster(series(600), params);
    const float32Bytes = packForecaster(state).bytes.byteLength;
    for (const m of state.members) if (m.kind === 'smoothing') m.model.weights.beta = 0;
    state.intervals.scale[0] = 0;
    expect(packForecaster(state).bytes.byteLength).toBe(float32Bytes);
  });

  it('keeps the naive model (a buffer of one value, no spread) exact', () => {
    const state = fitForecaster(series(12), params);
    expect(state.model).toBe('naive');
    expect(unpackForecaster(packForecaster(state))).toStrictEqual(state);
  });

  it('keeps a seasonal naive buffer exact when float32 would blur it: a large level that barely moves', () => {
    const flat = fitForecaster(series(30, 5e11).map((v) => 5e11 + (v - 5e11) / 100), params); // spread ~0.4 around 5e11 (float32 steps of 65536)
    expect(flat.members.some((m) => m.kind === 'seasonal-naive')).toBe(true);
    expect(unpackForecaster(packForecaster(flat))).toStrictEqual(flat);
    const moving = fitForecaster(series(30, 5e11).map((v) => 5e11 + (v - 5e11) * 1e6), params); // spread ~4e7: float32 is fine, float24's steps are 2^23
    expect(unpackForecaster(packForecaster(moving))).toStrictEqual(narrowed(moving, Math.fround));
    const packed = packForecaster(moving);
    expect(packForecaster(unpackForecaster(packed)).bytes).toStrictEqual(packed.bytes); // and stays float32
  });

  it('keeps a seasonal naive buffer of huge values exact', () => {
    const state = fitForecaster(series(30, 1e39), params);
    expect(state.members.some((m) => m.kind === 'seasonal-naive')).toBe(true);
    expect(unpackForecaster(packForecaster(state))).toStrictEqual(state);
  });

  it('forecasts within a ten-thousandth of the interval of the object form when unpacked, stepped and packed at every point', () => {
    const history = series(1200);
    const plain = fitForecaster(history.slice(0, 600), params);
    let packed = packForecaster(fitForecaster(history.slice(0, 600), params));
    for (const y of history.slice(600)) {
      updateForecaster(plain, y, params);
      const state = unpackForecaster(packed);
      updateForecaster(state, y, params);
      packed = packForecaster(state);
    }
    const a = forecast(unpackForecaster(packed), 48, params);
    const b = forecast(plain, 48, params);
    for (const key of ['mean', 'lo80', 'hi80', 'lo95', 'hi95'] as const) {
      a[key].forEach((v, i) => expect(Math.abs(v - b[key][i]!)).toBeLessThanOrEqual(1e-4 * (b.hi80[i]! - b.lo80[i]!)));
    }
    expect(a.mean).not.toStrictEqual(b.mean); // rounded, not exact: the bound above is what holds
  });
});
