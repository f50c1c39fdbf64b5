// Seasonal naive forecaster over a ring buffer of the last cycle: the robust member and the fallback for
// short histories. A NaN keeps the previous cycle's value; no trend, no level adjustment, no intervals.

/** Last `period` observations indexed by cycle position. */
export interface SeasonalNaiveState {
  period: number;
  /** buffer[i]: latest value seen at cycle position i (NaN until seen). */
  buffer: number[];
  /** Points consumed so far. */
  t: number;
}

/** Empty state for a cycle of `period` points. */
export function initSeasonalNaive(period: number): SeasonalNaiveState {
  return { period, buffer: new Array<number>(period).fill(NaN), t: 0 };
}

/** Consumes one point in O(1); a NaN leaves the previous cycle's value in place. */
export function seasonalNaiveStep(s: SeasonalNaiveState, y: number): void {
  if (Number.isFinite(y)) s.buffer[s.t % s.period] = y;
  s.t++;
}

/** Forecasts steps 1..h: the value one cycle back at each position (NaN where never seen). */
export function seasonalNaiveForecast(s: SeasonalNaiveState, h: number): number[] {
  return Array.from({ length: h }, (_, i) => s.buffer[(s.t + i) % s.period] ?? NaN);
}
