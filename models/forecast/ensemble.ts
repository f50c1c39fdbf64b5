// Chooses the ensemble members for a history, fits them, backtests them in the same pass, picks the median of
// all members or (by holdout error) one member, and calibrates the intervals from those h-step errors.
// Does not update or serialise (see index.ts).
import { fitMember, forecastMember, memberCycle, type MemberSpec, type MemberState } from './members.ts';
import { calibrateIntervals, type Backtest, type IntervalModel } from './intervals.ts';

/** The knobs fitting needs (a subset of ForecasterParams). */
export interface EnsembleConfig {
  readonly season: number;
  readonly weeklySeason: number;
  readonly horizon: number;
  readonly optimizerEvals: number;
  readonly backtestOrigins: number;
  readonly backtestSpacing: number;
  readonly intervalInflation: number;
  readonly selectionMargin: number;
}

/**
 * Members by history length: with three weeks, Holt-Winters daily on log and raw scale, daily+weekly on the
 * log scale, and weekly seasonal naive; with three days, daily Holt-Winters (log, raw) plus daily seasonal
 * naive; with one day, daily seasonal naive alone; below that, the last value (seasonal naive with period 1).
 * There is no raw-scale daily+weekly member: on a series that is not all positive the log member runs on the
 * raw scale anyway (the same model twice), and on M4's validation split dropping it left OWA at 0.420
 * (0.422 with it) while saving 192 numbers of state per series.
 */
export function chooseMembers(n: number, c: EnsembleConfig): { name: string; specs: MemberSpec[] } {
  const d = c.season;
  const w = c.weeklySeason;
  if (n >= 3 * w) {
    return {
      name: 'ensemble-weekly',
      specs: [
        { kind: 'smoothing', name: 'hw-daily-mult', periods: [d], trended: true, log: true },
        { kind: 'smoothing', name: 'hw-daily-add', periods: [d], trended: true, log: false },
        { kind: 'smoothing', name: 'hw-double-mult', periods: [d, w], trended: true, log: true },
        { kind: 'seasonal-naive', name: 'snaive-weekly', period: w },
      ],
    };
  }
  if (n >= 3 * d) {
    return {
      name: 'ensemble-daily',
      specs: [
        { kind: 'smoothing', name: 'hw-daily-mult', periods: [d], trended: true, log: true },
        { kind: 'smoothing', name: 'hw-daily-add', periods: [d], trended: true, log: false },
        { kind: 'seasonal-naive', name: 'snaive-daily', period: d },
      ],
    };
  }
  if (n >= d) return { name: 'snaive-daily', specs: [{ kind: 'seasonal-naive', name: 'snaive-daily', period: d }] };
  return { name: 'naive', specs: [{ kind: 'seasonal-naive', name: 'naive', period: 1 }] };
}

/** Median of the finite values (NaN when none). */
export function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? (v[mid] ?? NaN) : ((v[mid - 1] ?? NaN) + (v[mid] ?? NaN)) / 2;
}

/** Step-wise median of the members' forecasts. */
export function combine(forecasts: readonly (readonly number[])[], h: number): number[] {
  return Array.from({ length: h }, (_, i) => median(forecasts.map((f) => f[i] ?? NaN)));
}

/** Backtest origins: every `spacing` points back from the end, never before `earliest`. */
function backtestOrigins(n: number, earliest: number, c: EnsembleConfig): Set<number> {
  const origins = new Set<number>();
  for (let j = 1; j <= c.backtestOrigins; j++) {
    const t = n - j * c.backtestSpacing;
    if (t < earliest) break;
    origins.add(t);
  }
  return origins;
}

/** Mean absolute lag-1 difference of the finite history: the interval scale of last resort. */
function spread(x: readonly number[], log: boolean): number {
  let s = 0;
  let k = 0;
  for (let t = 1; t < x.length; t++) {
    const a = x[t - 1] ?? NaN;
    const b = x[t] ?? NaN;
    const d = log ? Math.log(b) - Math.log(a) : b - a;
    if (Number.isFinite(d)) { s += Math.abs(d); k++; }
  }
  return k > 0 ? Math.max(s / k, 1e-9) : 1;
}

/** A fitted ensemble: members, the model name and the interval calibration. */
export interface FittedEnsemble {
  name: string;
  members: MemberState[];
  /** Indices of the members whose median is the forecast (all, or the one the holdout picked). */
  active: number[];
  intervals: IntervalModel;
}

/** Fits every member on `x` (finite points only counted for the member choice) and calibrates intervals. */
export function fitEnsemble(x: readonly number[], c: EnsembleConfig): FittedEnsemble {
  const finite = x.filter((v) => Number.isFinite(v));
  const { name, specs } = chooseMembers(finite.length, c);
  const longest = Math.max(...specs.map(memberCycle));
  const origins = backtestOrigins(x.length, Math.max(2 * longest, Math.floor(x.length / 3)), c);
  const atOrigin = new Map<number, number[][]>();
  const members = specs.map((spec) => fitMember(spec, x, c.optimizerEvals, origins, c.horizon, (t, f) => {
    const list = atOrigin.get(t) ?? [];
    list.push(f);
    atOrigin.set(t, list);
  }));
  const byOrigin = [...atOrigin].map(([t, fs]) => ({ fs, actual: x.slice(t, t + c.horizon) }));
  const active = selectMembers(byOrigin, members.length, c);
  const backtests: Backtest[] = byOrigin.map((o) => ({ forecast: combine(active.map((i) => o.fs[i] ?? []), c.horizon), actual: o.actual }));
  const log = finite.length > 0 && finite.every((v) => v > 0);
  const intervals = calibrateIntervals(backtests, c.horizon, log, spread(x, log), c.intervalInflation);
  const only = active.length === 1 && members.length > 1 ? members[active[0] ?? 0]?.name : undefined;
  return { name: only === undefined ? name : `${name}/${only}`, members, active, intervals };
}

/** Mean absolute backtest error of the median of the members in `use`. */
function backtestMae(byOrigin: readonly { fs: number[][]; actual: number[] }[], use: readonly number[], h: number): number {
  let sum = 0;
  let n = 0;
  for (const o of byOrigin) {
    const f = combine(use.map((i) => o.fs[i] ?? []), h);
    o.actual.forEach((y, k) => {
      const e = Math.abs(y - (f[k] ?? NaN));
      if (Number.isFinite(e)) { sum += e; n++; }
    });
  }
  return n > 0 ? sum / n : NaN;
}

/**
 * Holdout choice: the median of all members, unless one member's backtest MAE is below `selectionMargin`
 * times the median's (then that member alone). Returns the indices of the members to combine.
 */
export function selectMembers(byOrigin: readonly { fs: number[][]; actual: number[] }[], count: number, c: EnsembleConfig): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (count < 2 || c.selectionMargin <= 0 || byOrigin.length === 0) return all;
  const comboMae = backtestMae(byOrigin, all, c.horizon);
  let best = -1;
  let bestMae = comboMae * c.selectionMargin;
  for (const i of all) {
    const mae = backtestMae(byOrigin, [i], c.horizon);
    if (mae < bestMae) { best = i; bestMae = mae; }
  }
  return best >= 0 ? [best] : all;
}

/** Median point forecast of the active members for steps 1..h. */
export function ensembleMean(members: readonly MemberState[], active: readonly number[], h: number): number[] {
  return combine(active.map((i) => members[i]).filter((m) => m !== undefined).map((m) => forecastMember(m, h)), h);
}
