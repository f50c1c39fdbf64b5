// Member choice by history length, the median combination and the holdout selection, on hand-made inputs.
import { describe, expect, it } from 'vitest';
import { chooseMembers, combine, median, selectMembers } from './ensemble.ts';
import { defaultForecasterParams } from './index.ts';

describe('median', () => {
  it.each([[[3, 1, 2], 2], [[4, 1, 3, 2], 2.5], [[NaN, 5], 5], [[], NaN]])('of %j is %f', (v, m) => {
    expect(median(v)).toBe(m);
  });
});

describe('combine', () => {
  it('takes the step-wise median of the members', () => {
    expect(combine([[1, 10], [2, 20], [30, 0]], 2)).toEqual([2, 10]);
  });
});

describe('chooseMembers', () => {
  it.each([
    [0, 'naive'], [23, 'naive'], [24, 'snaive-daily'], [71, 'snaive-daily'],
    [72, 'ensemble-daily'], [503, 'ensemble-daily'], [504, 'ensemble-weekly'],
  ])('picks the right family for %i points', (n, name) => {
    expect(chooseMembers(n, defaultForecasterParams).name).toBe(name);
  });
});

describe('selectMembers', () => {
  const config = { ...defaultForecasterParams, horizon: 2 };
  // actual 10, 10; member 0 is exact, members 1 and 2 are off by 4 and 5: the median (member 1) has MAE 4
  const byOrigin = [{ fs: [[10, 10], [14, 14], [15, 15]], actual: [10, 10] }];

  it('keeps the median of all members unless one is clearly better on the backtests', () => {
    expect(selectMembers(byOrigin, 3, config)).toEqual([0]); // MAE 0 < 0.9 × 4
    const close = [{ fs: [[13.8, 13.8], [14, 14], [15, 15]], actual: [10, 10] }]; // 3.8 is not < 0.9 × 4
    expect(selectMembers(close, 3, config)).toEqual([0, 1, 2]);
    expect(selectMembers(byOrigin, 3, { ...config, selectionMargin: 0 })).toEqual([0, 1, 2]);
  });
});
