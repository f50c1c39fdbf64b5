// Interval calibration from backtests, checked against hand-computed scales and quantiles.
import { describe, expect, it } from 'vitest';
import { applyIntervals, calibrateIntervals, quantileSorted } from './intervals.ts';

describe('quantileSorted', () => {
  it.each([[0, 0], [0.1, 0.4], [0.5, 2], [1, 4]])('interpolates the %f quantile of 0..4 to %f', (p, q) => {
    expect(quantileSorted([0, 1, 2, 3, 4], p)).toBeCloseTo(q, 12);
  });
});

describe('calibrateIntervals', () => {
  it('averages |error| per horizon, smooths over ±2 steps and falls back to normal quantiles when few', () => {
    const backtests = [
      { forecast: [0, 0], actual: [1, 2] },
      { forecast: [0, 0], actual: [-1, -2] },
      { forecast: [0, 0], actual: [1, 2] },
    ];
    const m = calibrateIntervals(backtests, 2, false, 1, 1);
    // raw MAE by horizon [1, 2]; both steps see the window [1, 2] -> 1.5
    expect(m.scale).toEqual([1.5, 1.5]);
    expect(m.quantiles).toEqual([-2.456, -1.606, 1.606, 2.456]);
    const b = applyIntervals(m, [10, 10], 1);
    expect(b.hi95[0]).toBeCloseTo(10 + 2.456 * 1.5, 12);
    expect(b.lo80[1]).toBeCloseTo(10 - 1.606 * 1.5, 12);
  });

  it('uses pooled empirical quantiles of scaled errors, widened by the inflation', () => {
    // 100 one-step backtests with errors −49.5..49.5: MAE 25, scaled errors uniform on ±1.98
    const backtests = Array.from({ length: 100 }, (_, i) => ({ forecast: [0], actual: [i - 49.5] }));
    const m = calibrateIntervals(backtests, 1, false, 1, 2);
    expect(m.scale[0]).toBeCloseTo(25, 12);
    expect(m.quantiles[3]).toBeCloseTo((2 * quantileSorted(backtests.map((b) => (b.actual[0] ?? 0) / 25), 0.975)), 12);
  });

  it('measures log errors for positive series so bounds are ratios of the forecast', () => {
    const backtests = Array.from({ length: 80 }, (_, i) => ({ forecast: [100], actual: [100 * Math.exp((i % 2 ? 1 : -1) * 0.1)] }));
    const m = calibrateIntervals(backtests, 1, true, 1, 1);
    expect(m.scale[0]).toBeCloseTo(0.1, 12);
    const b = applyIntervals(m, [200], 1);
    expect(b.hi95[0]).toBeCloseTo(200 * Math.exp(0.1), 8);
    expect(b.lo95[0]).toBeCloseTo(200 * Math.exp(-0.1), 8);
  });

  it('grows the scale with the square root of h where no backtest reaches', () => {
    const m = calibrateIntervals([], 4, false, 2, 1);
    expect(m.scale[3]).toBeGreaterThan(m.scale[0] ?? Infinity);
    expect(m.scale.every(Number.isFinite)).toBe(true);
  });
});
