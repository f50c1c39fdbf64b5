// Tests the rolling median/MAD against a brute-force computation on seeded data.
import { describe, expect, it } from 'vitest';
import { createPrng } from '../util/prng.ts';
import { initRobust, robustMad, robustMedian, stepRobust } from './robust.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

describe('robust window', () => {
  it.each([
    [1, 3],
    [5, 11],
    [9, 44],
  ])('matches a brute-force median over the last values (seed %d, size %d)', (seed, size) => {
    const next = createPrng(seed);
    const state = initRobust(size);
    const recent: number[] = [];
    for (let i = 0; i < 500; i++) {
      const x = Math.round(next() * 100);
      stepRobust(state, x);
      recent.push(x);
      if (recent.length > size) recent.shift();
      expect(robustMedian(state)).toBe(median(recent));
      expect(state.sorted).toHaveLength(recent.length);
    }
  });

  it('gives the MAD of an odd window exactly', () => {
    const state = initRobust(5);
    for (const x of [1, 2, 3, 4, 100]) stepRobust(state, x);
    // deviations from 3: 2, 1, 0, 1, 97 -> median 1
    expect(robustMad(state, robustMedian(state))).toBe(1);
  });

  it('ignores a single spike in the median', () => {
    const state = initRobust(11);
    for (let i = 0; i < 11; i++) stepRobust(state, i === 5 ? 1e6 : 10);
    expect(robustMedian(state)).toBe(10);
  });
});
