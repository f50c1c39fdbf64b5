// Exponential-smoothing equations against hand-computed steps, plus a fit on a noiseless seasonal ramp.
import { describe, expect, it } from 'vitest';
import { fitHorizons, fitSmoothingWeights, initialState, predictNext, smoothingForecast, smoothingStep, type SmoothingState } from './smoothing.ts';

function handState(): SmoothingState {
  return {
    periods: [4], weights: { alpha: 0.5, beta: 0.1, phi: 0.9, gammas: [0.2] },
    level: 10, trend: 1, seasons: [[1, -1, 2, -2]], t: 0, trended: true,
  };
}

describe('smoothingStep', () => {
  it('updates level, trend and season by the error-correction equations (hand-computed)', () => {
    const s = handState();
    expect(predictNext(s)).toBeCloseTo(11.9, 12); // 10 + 0.9·1 + 1
    const e = smoothingStep(s, 13);
    expect(e).toBeCloseTo(1.1, 12);
    expect(s.level).toBeCloseTo(11.45, 12); // 10 + 0.9 + 0.5·1.1
    expect(s.trend).toBeCloseTo(1.01, 12); // 0.9 + 0.1·1.1
    expect(s.seasons[0]).toEqual([expect.closeTo(1.22, 12), -1, 2, -2]);
    expect(s.t).toBe(1);
  });

  it('carries the prediction through a NaN (no correction, position advances)', () => {
    const s = handState();
    expect(smoothingStep(s, NaN)).toBe(0);
    expect(s.level).toBeCloseTo(10.9, 12);
    expect(s.trend).toBeCloseTo(0.9, 12);
    expect(s.seasons[0]).toEqual([1, -1, 2, -2]);
  });
});

describe('smoothingForecast', () => {
  it('damps the trend and cycles the seasons (hand-computed)', () => {
    const s = handState();
    smoothingStep(s, 13);
    const f = smoothingForecast(s, 2);
    expect(f[0]).toBeCloseTo(11.45 + 0.9 * 1.01 - 1, 10);
    expect(f[1]).toBeCloseTo(11.45 + 1.71 * 1.01 + 2, 10);
  });
});

describe('fitHorizons', () => {
  it.each([[48, [1, 6, 12, 24, 36, 48]], [24, [1, 3, 6, 12, 18, 24]], [2, [1, 2]]])('for h = %i is %j', (h, ks) => {
    expect(fitHorizons(h)).toEqual(ks);
  });
});

describe('fitSmoothingWeights', () => {
  it('fits a noiseless seasonal ramp well enough to extend it (within what the damping gives up)', () => {
    const x = Array.from({ length: 24 * 14 }, (_, t) => 100 + 0.5 * t + 10 * Math.sin((2 * Math.PI * t) / 24));
    const { init } = fitSmoothingWeights(x, [24], true, 150, 24);
    for (const y of x) smoothingStep(init, y);
    const f = smoothingForecast(init, 24);
    f.forEach((v, i) => {
      const t = x.length + i;
      // phi <= 0.98 by design: after h steps the damped trend adds 0.5·Σφ^j instead of 0.5·h (2.6 short at 24)
      const dampingShortfall = 0.5 * (i + 1 - (0.98 * (1 - 0.98 ** (i + 1))) / 0.02);
      expect(Math.abs(v - (100 + 0.5 * t + 10 * Math.sin((2 * Math.PI * t) / 24)))).toBeLessThan(dampingShortfall + 1);
    });
  });

  it('starts from the first cycle: level is its mean, seasons its deviations', () => {
    const x = Array.from({ length: 16 }, (_, t) => [11, 9, 12, 8][t % 4] ?? 0);
    const s = initialState(x, [4], { alpha: 0.1, beta: 0, phi: 1, gammas: [0.1] }, false);
    expect(s.level).toBeCloseTo(10, 10);
    s.seasons[0]?.forEach((v, i) => expect(v).toBeCloseTo([1, -1, 2, -2][i] ?? NaN, 10));
  });
});
