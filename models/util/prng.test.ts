// Tests the seeded generators: reproducible, in range, roughly the right moments.
import { describe, expect, it } from 'vitest';
import { createGaussian, createPrng } from './prng.ts';

describe('createPrng', () => {
  it.each([[1], [42], [0xdeadbeef]])('repeats the same sequence for seed %d', (seed) => {
    const a = createPrng(seed);
    const b = createPrng(seed);
    for (let i = 0; i < 100; i++) expect(a()).toBe(b());
  });

  it('stays in [0, 1) with mean near 0.5', () => {
    const next = createPrng(7);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
  });
});

describe('createGaussian', () => {
  it('has mean near 0 and variance near 1', () => {
    const next = createGaussian(createPrng(3));
    let sum = 0;
    let sumSq = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const x = next();
      sum += x;
      sumSq += x * x;
    }
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sumSq / n).toBeCloseTo(1, 1);
  });
});
