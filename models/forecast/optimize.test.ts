// Nelder-Mead on functions with known minima.
import { describe, expect, it } from 'vitest';
import { nelderMead } from './optimize.ts';

describe('nelderMead', () => {
  it('finds the minimum of a shifted quadratic bowl', () => {
    const best = nelderMead((v) => ((v[0] ?? 0) - 1) ** 2 + 3 * ((v[1] ?? 0) + 2) ** 2, [0, 0], 400);
    expect(best[0]).toBeCloseTo(1, 3);
    expect(best[1]).toBeCloseTo(-2, 3);
  });

  it('treats non-finite values as worse than anything', () => {
    // exp(u) − u is asymmetric around its minimum at u = 0 (x = 2)
    const best = nelderMead((v) => ((v[0] ?? 0) < 0 ? NaN : Math.exp((v[0] ?? 0) - 2) - ((v[0] ?? 0) - 2)), [0.5], 200);
    expect(best[0]).toBeCloseTo(2, 3);
  });
});
