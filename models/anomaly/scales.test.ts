// Tests the multi-scale residual statistics: unit z-scores on white noise, a sustained shift shows at
// the slow scales more than at the point scale.
import { describe, expect, it } from 'vitest';
import { createGaussian, createPrng } from '../util/prng.ts';
import { initScales, stepScales } from './scales.ts';

const alphas = [1, 0.3, 0.03];

describe('stepScales', () => {
  it.each([[1], [2], [3]])('gives z-scores of about unit spread on white noise (seed %d)', (seed) => {
    const g = createGaussian(createPrng(seed));
    const state = initScales(3);
    const z = [0, 0, 0];
    const sumSq = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) {
      stepScales(state, g(), alphas, 0.002, 4, z);
      if (i >= 5000) for (let k = 0; k < 3; k++) sumSq[k] = (sumSq[k] ?? 0) + (z[k] ?? 0) ** 2;
    }
    for (const s of sumSq) expect(Math.sqrt(s / 15_000)).toBeGreaterThan(0.7);
    for (const s of sumSq) expect(Math.sqrt(s / 15_000)).toBeLessThan(1.4);
  });

  it('shows a sustained shift most at the slow scales', () => {
    const g = createGaussian(createPrng(9));
    const state = initScales(3);
    const z = [0, 0, 0];
    for (let i = 0; i < 5000; i++) stepScales(state, g(), alphas, 0.002, 4, z);
    for (let i = 0; i < 30; i++) stepScales(state, 2 + g(), alphas, 0.002, 4, z);
    expect(z[2]).toBeGreaterThan(4);
    expect(z[2]).toBeGreaterThan(Math.abs(z[0] ?? 0));
  });
});
