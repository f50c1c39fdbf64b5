// The scorer's self-test: hand-computed measures, then the published M4 hourly Naive1/sNaive/Naive2 figures
// reproduced from the data (skipped, loudly, when the benchmark data is not present).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { naive1, naive2, seasonalNaive } from './benchmarks.ts';
import { loadM4Hourly } from './data.ts';
import { coverage, mase, msis, owa, scoreSet, smape } from './score.ts';

const DIR = process.env['M4_DIR'] ?? new URL('../../../../shared/benchmarks/m4-hourly', import.meta.url).pathname;

describe('M4 measures on hand-computed cases', () => {
  it('sMAPE is (200/h)·Σ|y−ŷ|/(|y|+|ŷ|)', () => {
    // |100−90|/190 and |50−50|/100: (200/2)·(10/190) = 5.263…
    expect(smape([100, 50], [90, 50])).toBeCloseTo(1000 / 190, 12);
  });

  it('MASE scales the MAE by the in-sample lag-m naive MAE', () => {
    // lag-2 differences of 1,2,4,6 are 3,4: scale 3.5; MAE 1.75 -> 0.5
    expect(mase([1, 2, 4, 6], [10, 10], [8.25, 11.75], 2)).toBeCloseTo(0.5, 12);
  });

  it('MSIS adds 2/α times each miss to the width, scaled like MASE', () => {
    // widths 2 and 2; y=5 above hi=4 by 1 -> 40·1; scale 3.5: (2 + 2 + 40)/2/3.5
    expect(msis([1, 2, 4, 6], [2, 5], [1, 2], [3, 4], 2, 0.05)).toBeCloseTo(44 / 2 / 3.5, 12);
    expect(coverage([2, 5], [1, 2], [3, 4])).toBe(0.5);
  });

  it('OWA averages the relative sMAPE and MASE against Naive2', () => {
    expect(owa({ smape: 9, mase: 1 }, { smape: 18, mase: 2 })).toBe(0.5);
  });
});

describe.skipIf(!existsSync(DIR))(`M4 hourly benchmarks reproduced from ${DIR}`, () => {
  const series = existsSync(DIR) ? loadM4Hourly(DIR) : [];
  const n2 = scoreSet(series, series.map((s) => naive2(s.train, 48, 24)), 24);
  it.each([
    ['Naive1', (x: readonly number[]) => naive1(x, 48), 43.003, 11.608, 3.593],
    ['sNaive', (x: readonly number[]) => seasonalNaive(x, 48, 24), 13.912, 1.193, 0.627],
    ['Naive2', (x: readonly number[]) => naive2(x, 48, 24), 18.383, 2.395, 1.0],
  ])('%s matches the published sMAPE/MASE/OWA', (_name, method, sm, ms, ow) => {
    expect(series).toHaveLength(414);
    const score = scoreSet(series, series.map((s) => method(s.train)), 24);
    expect(Math.abs(score.smape - sm)).toBeLessThanOrEqual(0.0005);
    expect(Math.abs(score.mase - ms)).toBeLessThanOrEqual(0.0005);
    // the paper's OWA is from its rounded averages (sNaive: 0.62750 here vs 0.627 printed)
    expect(Math.abs(owa(score, n2) - ow)).toBeLessThanOrEqual(0.001);
  });
});
