// Seasonal naive ring buffer, including the NaN policy.
import { describe, expect, it } from 'vitest';
import { initSeasonalNaive, seasonalNaiveForecast, seasonalNaiveStep } from './seasonal-naive.ts';

describe('seasonal naive', () => {
  it('repeats the last cycle and keeps the older value where a NaN arrived', () => {
    const s = initSeasonalNaive(3);
    for (const y of [1, 2, 3, 4, NaN, 6]) seasonalNaiveStep(s, y);
    expect(seasonalNaiveForecast(s, 5)).toEqual([4, 2, 6, 4, 2]);
  });
});
