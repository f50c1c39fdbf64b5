// Tests the seasonal profile: bin arithmetic on fixed UTC times and learning a daily cycle.
import { describe, expect, it } from 'vitest';
import { hourOfBin, hourOfDay, initSeasonal, seasonalBin, seasonalOffset, stepSeasonal } from './seasonal.ts';

const monday = 1_396_828_800_000; // 2014-04-07T00:00:00Z, a Monday (models/ may not use Date)

describe('hourOfDay', () => {
  const byModulo = (ts: number) => Math.floor((((ts % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000);

  it('agrees with the modulo form on integer times around hour and day boundaries, before and after 1970', () => {
    for (const day of [-20_000, -1, 0, 1, 19_700, 2_000_000]) {
      for (let hour = 0; hour <= 24; hour++) {
        for (const delta of [-1, 0, 1, 1_799_999]) {
          const ts = day * 86_400_000 + hour * 3_600_000 + delta;
          expect(hourOfDay(ts)).toBe(byModulo(ts));
        }
      }
    }
  });

  it('puts the closest time below midnight in hour 23, fractional or not', () => {
    for (const day of [1, 19_676, 2_000_000]) {
      const midnight = day * 86_400_000;
      const below = new Float64Array([midnight]);
      new BigInt64Array(below.buffer)[0]! -= 1n; // the next double down
      expect(below[0]!).toBeLessThan(midnight);
      expect(hourOfDay(below[0]!)).toBe(23);
      expect(hourOfDay(midnight)).toBe(0);
    }
  });
});

describe('hourOfBin', () => {
  it.each([24, 48, 168])('gives the hour of day of every bin of the %i-bin layout', (bins) => {
    const state = initSeasonal(bins);
    for (let h = 0; h < 14 * 24; h++) {
      const ts = monday + h * 3_600_000 + 1_234_567;
      expect(hourOfBin(seasonalBin(state, ts))).toBe(hourOfDay(ts));
    }
  });
});

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
