// Tests the seasonal profile: bin arithmetic on fixed UTC times and learning a daily cycle.
import { describe, expect, it } from 'vitest';
import { initSeasonal, seasonalBin, seasonalOffset, stepSeasonal } from './seasonal.ts';

const monday = 1_396_828_800_000; // 2014-04-07T00:00:00Z, a Monday (models/ may not use Date)

describe('seasonalBin', () => {
  it.each([
    [24, monday + 5 * 3_600_000, 5],
    [48, monday + 5 * 3_600_000, 5],
    [48, monday + 5 * 86_400_000 + 3_600_000, 25], // Saturday 01:00
    [168, monday + 23 * 3_600_000, 24 + 23], // Monday is day 1
    [168, monday - 86_400_000, 0], // Sunday 00:00
  ])('with %d bins puts %d in bin %d', (bins, ts, bin) => {
    expect(seasonalBin(initSeasonal(bins), ts)).toBe(bin);
  });
});

describe('stepSeasonal', () => {
  it('learns an hour-of-day cycle and holds back young bins', () => {
    const s = initSeasonal(24);
    for (let day = 0; day < 10; day++) {
      for (let h = 0; h < 24; h++) {
        const ts = monday + day * 86_400_000 + h * 3_600_000;
        stepSeasonal(s, seasonalBin(s, ts), h < 12 ? -5 : 5, 0.1);
      }
    }
    expect(seasonalOffset(s, 3, 3)).toBeCloseTo(-5, 6);
    expect(seasonalOffset(s, 15, 3)).toBeCloseTo(5, 6);
    expect(seasonalOffset(s, 15, 11)).toBe(0);
  });
});
