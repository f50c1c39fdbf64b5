// Tests the normal tail approximation against tabulated values.
import { describe, expect, it } from 'vitest';
import { erfc, normalTail, winsorizedSpreadFactor } from './normal.ts';

describe('normalTail', () => {
  it.each([
    [0, 0.5],
    [1, 0.158655],
    [1.959964, 0.025],
    [3, 0.0013499],
    [-1, 0.841345],
  ])('gives P(Z > %d) = %d', (z, p) => {
    expect(normalTail(z)).toBeCloseTo(p, 5);
  });

  it('is relatively accurate far in the tail', () => {
    expect(normalTail(6) / 9.8659e-10).toBeCloseTo(1, 3);
  });
});

describe('erfc', () => {
  it.each([
    [0, 1],
    [0.5, 0.4795001],
    [-0.5, 1.5204999],
  ])('erfc(%d) = %d', (x, y) => {
    expect(erfc(x)).toBeCloseTo(y, 6);
  });
});

describe('winsorizedSpreadFactor', () => {
  it.each([
    [Infinity, 1.2533],
    [1.25, 2.4403],
    [5, 1.2535],
  ])('for clip %d gives sigma / spread %d', (clip, factor) => {
    expect(winsorizedSpreadFactor(clip)).toBeCloseTo(factor, 3);
  });
});
