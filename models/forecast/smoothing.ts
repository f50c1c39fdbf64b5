// Additive exponential smoothing with damped trend and one or two seasonal cycles (Holt-Winters, and
// Taylor's double-seasonal form for 24 + 168). Works on whatever scale it is given (the caller takes logs
// for the multiplicative variant); skips NaN points by carrying the prediction. Does not compute intervals.
import { seasonalFigure } from './decompose.ts';
import { nelderMead } from './optimize.ts';

/** Smoothing weights: level, trend, damping, one weight per seasonal cycle. */
export interface SmoothingWeights {
  alpha: number;
  beta: number;
  phi: number;
  gammas: number[];
}

/** Filter state of one smoothing model; plain numbers only so it serialises as JSON. */
export interface SmoothingState {
  periods: number[];
  weights: SmoothingWeights;
  level: number;
  trend: number;
  /** seasons[k][i]: component k at cycle position i. */
  seasons: number[][];
  /** Points consumed so far (the cycle position of the next point is t mod period). */
  t: number;
  /** Whether the damped trend is used (false: level + seasons only). */
  trended: boolean;
}

const sig = (x: number): number => 1 / (1 + Math.exp(-x));

/** One-step prediction of the next point. */
export function predictNext(s: SmoothingState): number {
  let y = s.level + (s.trended ? s.weights.phi * s.trend : 0);
  s.periods.forEach((p, k) => { y += s.seasons[k]?.[s.t % p] ?? 0; });
  return y;
}

/** Consumes one point (NaN: no correction) and returns the one-step error (0 for NaN). */
export function smoothingStep(s: SmoothingState, y: number): number {
  const yhat = predictNext(s);
  const e = Number.isFinite(y) ? y - yhat : 0;
  const w = s.weights;
  const damped = s.trended ? w.phi * s.trend : 0;
  s.level = s.level + damped + w.alpha * e;
  s.trend = s.trended ? damped + w.beta * e : 0;
  s.periods.forEach((p, k) => {
    const season = s.seasons[k];
    if (season !== undefined) season[s.t % p] = (season[s.t % p] ?? 0) + (w.gammas[k] ?? 0) * e;
  });
  s.t++;
  return e;
}

/** Point forecasts for steps 1..h from the current state (does not change it). */
export function smoothingForecast(s: SmoothingState, h: number): number[] {
  const out: number[] = [];
  let damp = 0;
  let phiPow = 1;
  for (let i = 0; i < h; i++) {
    phiPow *= s.weights.phi;
    damp += phiPow;
    let y = s.level + (s.trended ? damp * s.trend : 0);
    s.periods.forEach((p, k) => { y += s.seasons[k]?.[(s.t + i) % p] ?? 0; });
    out.push(y);
  }
  return out;
}

/** Initial state from the first cycles: level = mean of the first longest cycle, seasons from decompositions. */
export function initialState(x: readonly number[], periods: readonly number[], weights: SmoothingWeights, trended: boolean): SmoothingState {
  const longest = Math.max(1, ...periods);
  const span = Math.min(x.length, Math.max(2 * longest, 4 * (periods[0] ?? 1)));
  const head = x.slice(0, span);
  const seasons: number[][] = [];
  let residual = [...head];
  for (const p of periods) {
    const fig = head.length >= 2 * p ? seasonalFigure(residual, p, 'additive') : new Array<number>(p).fill(0);
    seasons.push(fig);
    residual = residual.map((v, t) => v - (fig[t % p] ?? 0));
  }
  const cycleMean = (from: number): number => {
    const part = residual.slice(from, from + longest).filter((v) => Number.isFinite(v));
    return part.length > 0 ? part.reduce((a, v) => a + v, 0) / part.length : NaN;
  };
  const first = cycleMean(0);
  const second = cycleMean(longest);
  const level = Number.isFinite(first) ? first : 0;
  // level sits at mid-cycle of the first cycle; the trend is the cycle-to-cycle change per point
  const trend = trended && Number.isFinite(second) && residual.length >= 2 * longest ? (second - level) / longest : 0;
  return { periods: [...periods], weights, level, trend, seasons, t: 0, trended };
}

function weightsFrom(v: readonly number[], nSeasons: number, trended: boolean): SmoothingWeights {
  const alpha = 0.001 + 0.998 * sig(v[0] ?? 0);
  const beta = trended ? alpha * 0.3 * sig(v[1] ?? 0) : 0;
  const phi = trended ? 0.8 + 0.199 * sig(v[2] ?? 0) : 1;
  const off = trended ? 3 : 1;
  const gammas = Array.from({ length: nSeasons }, (_, k) => (1 - alpha) * sig(v[off + k] ?? 0));
  return { alpha, beta, phi, gammas };
}

/**
 * Horizons whose in-sample squared errors the fit minimises: 1, h/8, h/4, h/2, 3h/4 and h (for h = 48:
 * 1, 6, 12, 24, 36, 48). Multi-step forecasts need more than a one-step fit, which over-weights the level.
 */
export function fitHorizons(h: number): number[] {
  const ks = [1, h / 8, h / 4, h / 2, (3 * h) / 4, h].map((k) => Math.max(1, Math.round(k)));
  return [...new Set(ks)].sort((a, b) => a - b);
}

/**
 * Mean squared k-step error over `horizons` of a full pass over x from a precomputed initial state (the
 * first `skip` points not scored). A tight typed-array kernel: it runs a few hundred times per fit.
 */
function multiStepLoss(x: Float64Array, init: SmoothingState, w: SmoothingWeights, skip: number, horizons: readonly number[]): number {
  const p1 = init.periods[0] ?? 1;
  const p2 = init.periods[1] ?? 1;
  const two = init.periods.length > 1;
  const s1 = Float64Array.from(init.seasons[0] ?? [0]);
  const s2 = Float64Array.from(init.seasons[1] ?? [0]);
  const g1 = w.gammas[0] ?? 0;
  const g2 = w.gammas[1] ?? 0;
  const { alpha, beta } = w;
  const phi = init.trended ? w.phi : 0;
  const nh = horizons.length;
  const damp = new Float64Array(nh);
  let ringSize = 1;
  horizons.forEach((k, j) => { damp[j] = init.trended ? (phi * (1 - phi ** k)) / (1 - phi) : 0; ringSize = Math.max(ringSize, k); });
  const ks = Int32Array.from(horizons);
  const ring = new Float64Array(nh * ringSize).fill(NaN);
  let level = init.level;
  let trend = init.trend;
  let total = 0;
  let count = 0;
  for (let t = 0; t < x.length; t++) {
    const y = x[t] ?? NaN;
    const finite = y === y;
    const slot = t % ringSize;
    if (finite && t >= skip) {
      for (let j = 0; j < nh; j++) {
        const due = ring[j * ringSize + slot] ?? NaN;
        if (due === due) { total += (y - due) * (y - due); count++; }
      }
    }
    const i1 = t % p1;
    const i2 = t % p2;
    const yhat = level + phi * trend + (s1[i1] ?? 0) + (two ? (s2[i2] ?? 0) : 0);
    const e = finite ? y - yhat : 0;
    level = level + phi * trend + alpha * e;
    trend = phi * trend + beta * e;
    s1[i1] = (s1[i1] ?? 0) + g1 * e;
    if (two) s2[i2] = (s2[i2] ?? 0) + g2 * e;
    for (let j = 0; j < nh; j++) {
      const k = ks[j] ?? 1;
      const target = t + k;
      const f = level + (damp[j] ?? 0) * trend + (s1[target % p1] ?? 0) + (two ? (s2[target % p2] ?? 0) : 0);
      ring[j * ringSize + (target % ringSize)] = f;
    }
  }
  return count > 0 ? total / count : Infinity;
}

/**
 * Fits the weights by minimising the mean squared in-sample error at fitHorizons(horizon) (Nelder-Mead over
 * logits) and returns them with the initial state they start from. At most two seasonal periods.
 */
export function fitSmoothingWeights(
  x: readonly number[], periods: readonly number[], trended: boolean, maxEvals: number, horizon: number,
): { weights: SmoothingWeights; init: SmoothingState } {
  const dims = (trended ? 3 : 1) + periods.length;
  const start = trended ? [-1, -1, 1, ...periods.map(() => -2)] : [-1, ...periods.map(() => -2)];
  const skip = Math.min(x.length - 1, Math.max(...periods, 1));
  const init = initialState(x, periods, weightsFrom(start, periods.length, trended), trended);
  const xs = Float64Array.from(x);
  const horizons = fitHorizons(horizon);
  const best = nelderMead((v) => multiStepLoss(xs, init, weightsFrom(v, periods.length, trended), skip, horizons), start.slice(0, dims), maxEvals);
  const weights = weightsFrom(best, periods.length, trended);
  return { weights, init: { ...init, weights, seasons: init.seasons.map((k) => [...k]) } };
}
