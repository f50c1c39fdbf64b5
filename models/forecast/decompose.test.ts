// Hand-computed checks of the decomposition helpers and the M4 seasonality test.
import { describe, expect, it } from 'vitest';
import { autocorrelations, centredMovingAverage, isSeasonal, seasonalFigure } from './decompose.ts';

const repeat = (cycle: number[], times: number): number[] => Array.from({ length: times }, () => cycle).flat();

describe('autocorrelations', () => {
  it('matches the hand-computed acf of 1,2,3,4 (as R acf computes it)', () => {
    // mean 2.5, deviations ±1.5 ±0.5, denominator 5: lag 1 = 1.25/5, lag 2 = −1.5/5
    const acf = autocorrelations([1, 2, 3, 4], 2);
    expect(acf[0]).toBeCloseTo(0.25, 12);
    expect(acf[1]).toBeCloseTo(-0.3, 12);
  });
});

describe('centredMovingAverage', () => {
  it('reproduces a straight line with the 2x4 average and leaves the edges NaN', () => {
    const ma = centredMovingAverage([1, 2, 3, 4, 5, 6, 7, 8], 4);
    expect(ma.slice(2, 6)).toEqual([3, 4, 5, 6]);
    expect(ma.filter(Number.isNaN)).toHaveLength(4);
  });
});

describe('seasonalFigure', () => {
  it.each([
    ['additive' as const, repeat([11, 9, 12, 8], 4), [1, -1, 2, -2]],
    ['multiplicative' as const, repeat([11, 9, 12, 8], 4), [1.1, 0.9, 1.2, 0.8]],
  ])('recovers the %s pattern of a pure periodic series', (type, x, expected) => {
    seasonalFigure(x, 4, type).forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? NaN, 10));
  });
});

describe('isSeasonal', () => {
  it('passes a daily sine (and, as in M4, a steep trend) and fails a constant and a too-short series', () => {
    const sine = Array.from({ length: 240 }, (_, t) => 10 + Math.sin((2 * Math.PI * t) / 24));
    expect(isSeasonal(sine, 24)).toBe(true);
    expect(isSeasonal(sine.slice(0, 71), 24)).toBe(false);
    // a trend's slowly decaying acf passes the M4 test too: Naive2 then divides by a near-flat figure
    expect(isSeasonal(Array.from({ length: 240 }, (_, t) => t), 24)).toBe(true);
    expect(isSeasonal(Array.from({ length: 240 }, () => 5), 24)).toBe(false);
  });
});
