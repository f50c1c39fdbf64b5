// The M4 statistical benchmarks the scorer checks itself against: Naive1, seasonal naive and Naive2
// (naive on data seasonally adjusted by classical multiplicative decomposition when the 90% ACF test passes).
import { isSeasonal, seasonalFigure } from '../../../models/forecast/decompose.ts';

/** Naive1: the last value repeated. */
export function naive1(train: readonly number[], h: number): number[] {
  const last = train[train.length - 1] ?? 0;
  return new Array<number>(h).fill(last);
}

/** Seasonal naive: the last full season repeated. */
export function seasonalNaive(train: readonly number[], h: number, period: number): number[] {
  const n = train.length;
  return Array.from({ length: h }, (_, i) => train[n - period + (i % period)] ?? 0);
}

/** Naive2 exactly as M4's Benchmarks(): seasonal indices of the last `period` points, repeated over h. */
export function naive2(train: readonly number[], h: number, period: number): number[] {
  const n = train.length;
  if (!isSeasonal(train, period)) return naive1(train, h);
  const figure = seasonalFigure(train, period, 'multiplicative');
  const index = (t: number): number => figure[t % period] ?? 1;
  const lastAdjusted = (train[n - 1] ?? 0) / index(n - 1);
  return Array.from({ length: h }, (_, i) => lastAdjusted * index(n - period + (i % period)));
}
