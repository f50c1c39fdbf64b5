// Time-to-exhaustion on hand-computed forecasts (linear disk, slow fill, seasonal load, falling resource)
// and end to end from a fitted forecast of a noisy linearly filling disk.
import { describe, expect, it } from 'vitest';
import { defaultForecasterParams, fitForecaster, forecast } from '../forecast/index.ts';
import { describeExhaustion, firstCrossing, timeToExhaustion, type CapacityForecast } from './index.ts';

const H = 3_600_000;
const T0 = 1_704_067_200_000; // 2024-01-01T00:00:00Z

/** A forecast grid starting one hour after T0 with fixed-width bands around `mean`. */
function grid(mean: number[], w80: number, w95: number): CapacityForecast {
  return {
    startMs: T0 + H, stepMs: H, mean,
    lo80: mean.map((m) => m - w80), hi80: mean.map((m) => m + w80),
    lo95: mean.map((m) => m - w95), hi95: mean.map((m) => m + w95),
  };
}

describe('firstCrossing', () => {
  it('interpolates inside the step and honours the direction', () => {
    expect(firstCrossing([3, 4], 2, 'up', 0, 10)).toBe(0); // first point already over, nothing before it
    expect(firstCrossing([1, 3], 0.5, 'up', 0, 10, 0)).toBe(-5); // from the last observation (t = -10)
    expect(firstCrossing([1, 3], 2, 'up', 0, 10, 5)).toBe(-10); // already over at the last observation
    expect(firstCrossing([1, 3], 2.5, 'up', 0, 10)).toBe(7.5);
    expect(firstCrossing([5, 3, 1], 2, 'down', 0, 10)).toBe(15);
    expect(firstCrossing([1, 1], 2, 'up', 0, 10)).toBeNull();
  });
});

describe('timeToExhaustion', () => {
  it('answers for a linearly filling disk (hand-computed)', () => {
    // used = 50 + i at T0 + (i+1) h; capacity 80.5 is crossed between i = 30 and 31: 31.5 h from T0
    const f = { ...grid(Array.from({ length: 48 }, (_, i) => 50 + i), 5, 10), lastObserved: 49 };
    const e = timeToExhaustion(f, 80.5, { direction: 'up' });
    expect(e.fromMs).toBe(T0);
    expect(e.etaMs).toBe(T0 + 31.5 * H);
    expect(e.eta80).toEqual([T0 + 26.5 * H, T0 + 36.5 * H]);
    expect(e.eta95).toEqual([T0 + 21.5 * H, T0 + 41.5 * H]);
    expect(e.headroomAtPeak).toBe(80.5 - 97);
    expect(e.peakMs).toBe(T0 + 48 * H);
    expect(e.withinHorizon).toBe(true);
    expect(describeExhaustion(e)).toBe('full in 31.5 hours, 80% between 26.5 and 36.5 hours');
  });

  it('says "full in 3.2 days" for a slow fill, with an open-ended band when the horizon ends first', () => {
    // +1 per day; capacity 53.2 is reached 76.8 h after the first point, i.e. 77.8 h = 3.24 days from T0;
    // hi80 (= mean + 1) reaches it 24 h earlier, lo80 24 h later
    const mean = Array.from({ length: 24 * 7 }, (_, i) => 50 + i / 24);
    const e = timeToExhaustion({ ...grid(mean, 1, 2), lastObserved: 50 - 1 / 24 }, 53.2, { direction: 'up' });
    expect((e.etaMs ?? 0) - T0).toBeCloseTo(77.8 * H, -3);
    expect(describeExhaustion(e)).toBe('full in 3.2 days, 80% between 2.2 and 4.2 days');
    const short = timeToExhaustion({ ...grid(mean.slice(0, 96), 1, 2), lastObserved: 50 - 1 / 24 }, 53.2, { direction: 'up' });
    expect(short.eta80[1]).toBeNull();
    expect(describeExhaustion(short)).toBe('full in 3.2 days, 80% from 2.2 days to beyond the horizon');
  });

  it('finds the first daily peak over capacity for a seasonal load, long before the trend line', () => {
    // 50 + 0.25·i plus 20 during hours 9..17 of each day; capacity 78 is first reached on entering the busy
    // hours at i = 33 (78.25), from 58 at i = 32: crossing at 32 + 20/20.25 steps after the first point
    const mean = Array.from({ length: 48 }, (_, i) => 50 + 0.25 * i + (i % 24 >= 9 && i % 24 <= 17 ? 20 : 0));
    const e = timeToExhaustion(grid(mean, 0, 0), 78, { direction: 'up' });
    expect(e.etaMs).toBeCloseTo(T0 + H + (32 + 20 / 20.25) * H, 6);
    expect(e.headroomAtPeak).toBeCloseTo(78 - (50 + 0.25 * 41 + 20), 12);
    expect(e.peakMs).toBe(T0 + 42 * H);
  });

  it('handles a falling resource and a capacity not reached within the horizon', () => {
    const down = timeToExhaustion(grid(Array.from({ length: 48 }, (_, i) => 100 - 2 * i), 0, 0), 10, { direction: 'down' });
    expect(down.etaMs).toBe(T0 + 46 * H);
    expect(describeExhaustion(down)).toBe('exhausted in 46.0 hours, 80% between 46.0 and 46.0 hours');
    const never = timeToExhaustion(grid(Array.from({ length: 48 }, () => 10), 1, 2), 100, { direction: 'up' });
    expect(never.etaMs).toBeNull();
    expect(never.eta80).toEqual([null, null]);
    expect(never.withinHorizon).toBe(false);
    expect(never.headroomRatio).toBeCloseTo(0.9, 12);
    expect(describeExhaustion(never)).toBe('not within the horizon (2.0 days)');
  });

  it('brackets the true exhaustion time of a forecast disk that fills linearly with noise', () => {
    let s = 7;
    const noise = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 2;
    const n = 24 * 21;
    const x = Array.from({ length: n }, (_, t) => 100 + 0.5 * t + noise());
    const f = forecast(fitForecaster(x, defaultForecasterParams), 48, defaultForecasterParams);
    const capacity = 100 + 0.5 * (n - 1 + 30); // reached 30 h after the last observation
    const e = timeToExhaustion({ startMs: T0 + H, stepMs: H, ...f, lastObserved: x[n - 1] ?? NaN }, capacity, { direction: 'up' });
    // the damped trend (phi <= 0.999) lags a pure ramp slightly: ETA about 3 h late at 30 h
    expect(Math.abs((e.etaMs ?? Infinity) - (T0 + 30 * H))).toBeLessThan(4 * H);
    const [early, late] = e.eta95;
    expect(early).toBeLessThanOrEqual(T0 + 30 * H);
    expect(late ?? Infinity).toBeGreaterThanOrEqual(T0 + 30 * H);
  });
});
