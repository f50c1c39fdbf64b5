// Online seasonal profile: the typical deviation from the level for each hour of day (24 bins), hour of
// day split into weekdays and weekends (48) or hour of week (168), learned by per-bin EWMA. Time comes in as event-time ms (UTC); no holiday
// calendar and no sub-hour shape.

import { filledArray } from '../util/arrays.ts';

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** Seasonal profile state: plain number arrays, JSON-serialisable. */
export interface SeasonalState {
  /** Per-bin mean deviation from the level. */
  offsets: number[];
  /** Per-bin number of updates (capped). */
  counts: number[];
}

/** A fresh, empty profile with 24, 48 or 168 bins (other values round to the nearest of these). */
export function initSeasonal(bins: number): SeasonalState {
  const n = bins >= 108 ? 168 : bins >= 36 ? 48 : 24;
  return { offsets: filledArray(n, 0), counts: filledArray(n, 0) };
}

/**
 * The UTC hour of day (0-23) of a timestamp. By floor division: `%` on doubles is a libm fmod call, which
 * cost more than the rest of the hour arithmetic on the detector's per-point path. The quotient never
 * rounds up to the next day (dayMs is under 2^27, so a time below a day boundary is at least half an ulp
 * of the quotient below it), and the product and difference are exact.
 */
export function hourOfDay(tsMs: number): number {
  return Math.floor((tsMs - Math.floor(tsMs / dayMs) * dayMs) / hourMs);
}

/** The bin of a UTC timestamp: hour of day, +24 on weekends (48 bins) or + 24 * weekday (168 bins). */
export function seasonalBin(state: SeasonalState, tsMs: number): number {
  const hour = hourOfDay(tsMs);
  const n = state.offsets.length;
  if (n === 24) return hour;
  // 1970-01-01 was a Thursday, so (days + 4) % 7 gives 0 = Sunday.
  const dow = (((Math.floor(tsMs / dayMs) + 4) % 7) + 7) % 7;
  if (n === 168) return dow * 24 + hour;
  return dow === 0 || dow === 6 ? hour + 24 : hour;
}

/** The UTC hour of day of a bin from seasonalBin: every layout keeps it in bin % 24. */
export function hourOfBin(bin: number): number {
  return bin % 24;
}

/** Learned offset for the bin, or 0 while the bin has fewer than minCount updates. */
export function seasonalOffset(state: SeasonalState, bin: number, minCount: number): number {
  return (state.counts[bin] ?? 0) >= minCount ? (state.offsets[bin] ?? 0) : 0;
}

/** Folds one deviation into its bin with smoothing alpha (1/n while young). Mutates the state. */
export function stepSeasonal(state: SeasonalState, bin: number, deviation: number, alpha: number): void {
  const count = Math.min((state.counts[bin] ?? 0) + 1, 1e9);
  state.counts[bin] = count;
  const a = Math.max(alpha, 1 / count);
  const old = state.offsets[bin] ?? 0;
  state.offsets[bin] = old + a * (deviation - old);
}
