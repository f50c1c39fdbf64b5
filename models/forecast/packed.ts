// Forecaster state packed for holding many series at rest: its numbers in one Float64Array and its names in
// one string array, instead of an object per member, weight set and season (about a third of the memory of
// the object form). Exact: every number is a float64 as it was (NaN, ±Infinity and -0 survive), so a series
// unpacked at each hour close continues like one that stayed unpacked. Pure; the layout is described
// by the numbers themselves (member kinds and period lengths come before what they size).
import type { ForecasterState } from './index.ts';
import type { MemberState } from './members.ts';

/** A packed forecaster: the model name, version and member names, and every number. */
export interface PackedForecaster {
  /** [model, modelVersion, ...member names]; equal label lists may be one shared (frozen) array. */
  readonly labels: readonly string[];
  readonly numbers: Float64Array;
}

const SMOOTHING = 0;
const SEASONAL_NAIVE = 1;

const bool = (b: boolean): number => (b ? 1 : 0);

/** Packs `state` (which is not changed or kept). */
export function packForecaster(state: ForecasterState): PackedForecaster {
  const out: number[] = [
    bool(state.nonNegative), state.errorLevel, state.errorLevelAtFit, state.points,
    bool(state.intervals.log), state.intervals.scale.length, ...state.intervals.scale, ...state.intervals.quantiles,
    state.members.length, state.active.length, ...state.active,
  ];
  for (const m of state.members) {
    if (m.kind === 'seasonal-naive') {
      out.push(SEASONAL_NAIVE, m.model.period, m.model.t, ...m.model.buffer);
      continue;
    }
    const s = m.model;
    out.push(SMOOTHING, bool(m.log), bool(s.trended), s.level, s.trend, s.t, s.weights.alpha, s.weights.beta, s.weights.phi, s.periods.length, ...s.periods, ...s.weights.gammas);
    s.seasons.forEach((season) => out.push(...season));
  }
  return { labels: [state.model, state.modelVersion, ...state.members.map((m) => m.name)], numbers: Float64Array.from(out) };
}

/** The state packForecaster packed, as fresh objects. */
export function unpackForecaster(packed: PackedForecaster): ForecasterState {
  const p = packed.numbers;
  let at = 0;
  const next = (): number => p[at++]!;
  const take = (n: number): number[] => {
    const values = Array.from(p.subarray(at, at + n));
    at += n;
    return values;
  };
  const nonNegative = next() === 1;
  const errorLevel = next();
  const errorLevelAtFit = next();
  const points = next();
  const log = next() === 1;
  const scale = take(next());
  const quantiles = take(4) as [number, number, number, number];
  const memberCount = next();
  const active = take(next());
  const members: MemberState[] = [];
  for (let k = 0; k < memberCount; k++) {
    const name = packed.labels[2 + k]!;
    if (next() === SEASONAL_NAIVE) {
      const period = next();
      const t = next();
      members.push({ kind: 'seasonal-naive', name, model: { period, buffer: take(period), t } });
      continue;
    }
    const memberLog = next() === 1;
    const trended = next() === 1;
    const level = next();
    const trend = next();
    const t = next();
    const alpha = next();
    const beta = next();
    const phi = next();
    const periods = take(next());
    const gammas = take(periods.length);
    const seasons = periods.map((period) => take(period));
    members.push({ kind: 'smoothing', name, log: memberLog, model: { periods, weights: { alpha, beta, phi, gammas }, level, trend, seasons, t, trended } });
  }
  return {
    model: packed.labels[0]!, modelVersion: packed.labels[1]!, members, active,
    intervals: { log, scale, quantiles }, nonNegative, errorLevel, errorLevelAtFit, points,
  };
}
