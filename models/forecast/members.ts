// The ensemble's members: Holt-Winters variants (daily, or daily + weekly; log scale = multiplicative, raw
// scale = additive) and seasonal naive. Fits, steps and forecasts one member; does not combine them.
import { fitSmoothingWeights, smoothingForecast, smoothingStep, type SmoothingState } from './smoothing.ts';
import { initSeasonalNaive, seasonalNaiveForecast, seasonalNaiveStep, type SeasonalNaiveState } from './seasonal-naive.ts';

/** What a member is: a smoothing model over `periods` (on the log scale when `log`), or seasonal naive. */
export type MemberSpec =
  | { readonly kind: 'smoothing'; readonly name: string; readonly periods: readonly number[]; readonly trended: boolean; readonly log: boolean }
  | { readonly kind: 'seasonal-naive'; readonly name: string; readonly period: number };

/** A fitted member; `log` says whether it runs on log values (decided once at fit: history all positive). */
export type MemberState =
  | { kind: 'smoothing'; name: string; log: boolean; model: SmoothingState }
  | { kind: 'seasonal-naive'; name: string; model: SeasonalNaiveState };

/** Longest cycle a member needs to be meaningful. */
export function memberCycle(spec: MemberSpec): number {
  return spec.kind === 'smoothing' ? Math.max(...spec.periods) : spec.period;
}

const toScale = (log: boolean, y: number): number => (log ? (y > 0 ? Math.log(y) : NaN) : y);

/**
 * Fits one member on `x` and runs it through the history, calling `atOrigin(t, forecast)` after the first t
 * points for every t in `origins` (used to backtest h-step errors in the same pass).
 */
export function fitMember(
  spec: MemberSpec, x: readonly number[], maxEvals: number, origins: ReadonlySet<number>, h: number,
  atOrigin: (t: number, forecast: number[]) => void,
): MemberState {
  if (spec.kind === 'seasonal-naive') {
    const state: MemberState = { kind: 'seasonal-naive', name: spec.name, model: initSeasonalNaive(spec.period) };
    x.forEach((y, t) => {
      if (origins.has(t)) atOrigin(t, forecastMember(state, h));
      stepMember(state, y);
    });
    return state;
  }
  const log = spec.log && x.every((v) => !Number.isFinite(v) || v > 0) && x.some((v) => v > 0);
  const z = x.map((v) => toScale(log, v));
  const { init } = fitSmoothingWeights(z, spec.periods, spec.trended, maxEvals, h);
  const state: MemberState = { kind: 'smoothing', name: spec.name, log, model: init };
  z.forEach((y, t) => {
    if (origins.has(t)) atOrigin(t, forecastMember(state, h));
    smoothingStep(init, y);
  });
  return state;
}

/** Consumes one new observation in O(longest period). */
export function stepMember(state: MemberState, y: number): void {
  if (state.kind === 'seasonal-naive') seasonalNaiveStep(state.model, y);
  else smoothingStep(state.model, toScale(state.log, y));
}

/** Point forecasts for steps 1..h on the original scale. */
export function forecastMember(state: MemberState, h: number): number[] {
  if (state.kind === 'seasonal-naive') return seasonalNaiveForecast(state.model, h);
  const f = smoothingForecast(state.model, h);
  return state.log ? f.map((v) => Math.exp(Math.min(v, 700))) : f;
}
