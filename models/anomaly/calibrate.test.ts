// Tests the tail calibration and the refractory gate on seeded surprise streams.
import { describe, expect, it } from 'vitest';
import { createGaussian, createPrng } from '../util/prng.ts';
import { calibrate, gate, initCalibration } from './calibrate.ts';
import { defaultDetectorParams as params } from './detector.ts';

describe('calibrate', () => {
  it.each([[1], [2], [3]])('keeps scores in [0, 1] and ranks a 10x surprise top (seed %d)', (seed) => {
    const g = createGaussian(createPrng(seed));
    const state = initCalibration();
    let maxNoise = 0;
    for (let i = 0; i < 3000; i++) {
      const s = calibrate(state, Math.abs(g()), params);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      if (i > 500) maxNoise = Math.max(maxNoise, s);
    }
    expect(calibrate(state, 40, params)).toBeGreaterThan(maxNoise);
  });

  it('scores -log10 of the tail probability in scoreDecades: log-linear to the threshold, exponential past it', () => {
    const state = { mean: 0.5, variance: 0.04, count: 100, rate: 0.01, excess: 0.3 };
    const std = Math.max(0.2, params.calibrationMinStd);
    const t = 0.5 + params.tailSigmas * std;
    const scoreOf = (p: number) => Math.min(1, -Math.log10(p) / params.scoreDecades);
    const inside = (0.5 + t) / 2; // halfway to the threshold: p = rate^0.5
    expect(calibrate({ ...state }, Math.expm1(inside), params)).toBeCloseTo(scoreOf(Math.pow(0.01, 0.5)), 12);
    const beyond = t + 0.2; // past it: p = rate * exp(-0.2 / excess)
    const excess = Math.max(0.3, 0.25 * std, params.tailExcessFloor);
    expect(calibrate({ ...state }, Math.expm1(beyond), params)).toBeCloseTo(scoreOf(0.01 * Math.exp(-0.2 / excess)), 12);
    expect(calibrate({ ...state }, Math.expm1(0.4), params)).toBe(0); // below the mean
  });

  it('scores zero surprise 0', () => {
    const state = initCalibration();
    for (let i = 0; i < 100; i++) expect(calibrate(state, 0, params)).toBe(0);
  });
});

describe('gate', () => {
  const p = { ...params, fireLevel: 0.5, refractoryPoints: 2, rearmLevel: 0.3, refractoryDamping: 0.5 };

  it('passes a firing score, damps what follows and re-arms after a quiet run', () => {
    const state = { refractory: 0 };
    expect([0.9, 0.8, 0.1, 0.1, 0.8].map((s) => gate(state, s, p))).toEqual([0.9, 0.4, 0.05, 0.05, 0.8]);
  });

  it('fires once for a sustained condition', () => {
    const state = { refractory: 0 };
    const out = Array.from({ length: 50 }, () => gate(state, 0.9, p));
    expect(out.filter((s) => s >= p.fireLevel)).toHaveLength(1);
  });
});
