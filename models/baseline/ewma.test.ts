// Tests the EWMA mean/variance: plain averages while young, convergence on stationary noise.
import { describe, expect, it } from 'vitest';
import { createGaussian, createPrng } from '../util/prng.ts';
import { ewmaStd, initEwma, stepEwma } from './ewma.ts';

describe('stepEwma', () => {
  it.each([
    [[5], 5, 0],
    [[1, 3], 2, 1],
    [[2, 2, 2, 2], 2, 0],
  ])('averages %j to mean %d, variance %d while count < 1/alpha', (xs, mean, variance) => {
    const s = initEwma();
    for (const x of xs) stepEwma(s, x, 0.01);
    expect(s.mean).toBeCloseTo(mean, 10);
    expect(s.variance).toBeCloseTo(variance, 10);
  });

  it.each([[1], [2], [3]])('converges to the mean and spread of seeded noise (seed %d)', (seed) => {
    const next = createGaussian(createPrng(seed));
    const s = initEwma();
    for (let i = 0; i < 20_000; i++) stepEwma(s, 10 + 2 * next(), 0.005);
    expect(s.mean).toBeCloseTo(10, 0);
    expect(ewmaStd(s)).toBeGreaterThan(1.7);
    expect(ewmaStd(s)).toBeLessThan(2.3);
  });
});
