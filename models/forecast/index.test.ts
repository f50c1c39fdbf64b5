// The public forecaster contract on seeded synthetic series: accuracy, bands, gaps, fallbacks, update, size.
// Quality on real data is the M4 benchmark's job (npm run bench:m4), not these tests'.
import { describe, expect, it } from 'vitest';
import { fitEnsemble } from './ensemble.ts';
import { defaultForecasterParams as params, fitForecaster, forecast, stateBytes, updateForecaster } from './index.ts';

/** Seeded LCG uniform in [0, 1): deterministic noise for the tests. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Hourly series with a daily and a weekly cycle, a slow rise and uniform noise of ±noise. */
function synthetic(n: number, noise: number, seed = 1): number[] {
  const r = lcg(seed);
  return Array.from({ length: n }, (_, t) => truth(t) + noise * (2 * r() - 1));
}
const truth = (t: number): number => 200 + 0.05 * t + 40 * Math.sin((2 * Math.PI * t) / 24) + (Math.floor(t / 24) % 7 >= 5 ? -30 : 0);

describe('fitForecaster + forecast', () => {
  it('follows the daily and weekly pattern with ordered bands on four weeks of history', () => {
    const x = synthetic(24 * 28, 5);
    const state = fitForecaster(x, params);
    const f = forecast(state, 48, params);
    expect(f.model).toMatch(/^ensemble-weekly/);
    f.mean.forEach((m, i) => {
      expect(Math.abs(m - truth(x.length + i))).toBeLessThan(15);
      expect(f.lo95[i]).toBeLessThanOrEqual(f.lo80[i] ?? NaN);
      expect(f.lo80[i]).toBeLessThanOrEqual(m);
      expect(f.hi80[i]).toBeGreaterThanOrEqual(m);
      expect(f.hi95[i]).toBeGreaterThanOrEqual(f.hi80[i] ?? NaN);
    });
    const inside = f.mean.filter((_, i) => {
      const y = truth(x.length + i);
      return y >= (f.lo95[i] ?? NaN) && y <= (f.hi95[i] ?? NaN);
    }).length;
    expect(inside).toBeGreaterThanOrEqual(44);
  });

  it('survives NaN gaps in the history', () => {
    const x = synthetic(24 * 10, 5).map((v, t) => (t % 17 === 3 ? NaN : v));
    const f = forecast(fitForecaster(x, params), 24, params);
    expect(f.mean.every(Number.isFinite)).toBe(true);
    expect(f.hi95.every(Number.isFinite)).toBe(true);
  });

  it.each([[0, 'naive'], [5, 'naive'], [30, 'snaive-daily'], [100, 'ensemble-daily'], [600, 'ensemble-weekly']])(
    'falls back by history length: %i points -> %s', (n, model) => {
      const state = fitForecaster(synthetic(n, 5), params);
      expect(state.model.split('/')[0]).toBe(model);
      const f = forecast(state, 48, params);
      expect(f.mean).toHaveLength(48);
      if (n > 0) expect(f.mean.every(Number.isFinite)).toBe(true);
    },
  );

  it('never forecasts below zero for a non-negative series', () => {
    const x = Array.from({ length: 24 * 10 }, (_, t) => (t % 24 < 12 ? 0 : 1 + (t % 5)));
    const f = forecast(fitForecaster(x, params), 48, params);
    expect(Math.min(...f.mean, ...f.lo95)).toBeGreaterThanOrEqual(0);
  });
});

describe('updateForecaster', () => {
  it('gives the same forecast from a JSON round-tripped state', () => {
    const x = synthetic(24 * 25, 5);
    const a = fitForecaster(x, params);
    const b = JSON.parse(JSON.stringify(a)) as typeof a;
    for (const v of synthetic(30, 5, 9)) { updateForecaster(a, v, params); updateForecaster(b, v, params); }
    expect(forecast(b, 48, params)).toEqual(forecast(a, 48, params));
  });

  it('tracks new data about as well as a full refit does', () => {
    const x = synthetic(24 * 30, 5);
    const incremental = fitForecaster(x.slice(0, -48), params);
    for (const v of x.slice(-48)) updateForecaster(incremental, v, params);
    const f = forecast(incremental, 24, params);
    const g = forecast(fitForecaster(x, params), 24, params);
    f.mean.forEach((m, i) => {
      expect(Math.abs(m - truth(x.length + i))).toBeLessThan(15);
      expect(Math.abs(m - (g.mean[i] ?? NaN))).toBeLessThan(15);
    });
  });

  it('accepts a missing hour (NaN) without breaking the forecast', () => {
    const s = fitForecaster(synthetic(24 * 10, 5), params);
    updateForecaster(s, NaN, params);
    expect(forecast(s, 5, params).mean.every(Number.isFinite)).toBe(true);
    expect(s.points).toBe(24 * 10 + 1);
  });
});

describe('fitted members kept', () => {
  it.each([[5, 1], [20, 4]])('keeps only the members it combines and forecasts as a state holding all of them (noise %i: %i combined)', (noise, combined) => {
    const x = synthetic(24 * 28, noise);
    const compact = fitForecaster(x, params);
    const fitted = fitEnsemble(x, params);
    expect(fitted.members).toHaveLength(4);
    expect(fitted.active).toHaveLength(combined);
    expect(compact.members.map((m) => m.name)).toEqual(fitted.active.map((i) => fitted.members[i]?.name));
    const full = { ...compact, members: fitted.members, active: fitted.active };
    for (const v of synthetic(40, noise, 3)) { updateForecaster(compact, v, params); updateForecaster(full, v, params); }
    expect(forecast(compact, 48, params)).toEqual(forecast(full, 48, params));
    expect(compact.errorLevel).toBe(full.errorLevel);
  });
});

describe('stateBytes', () => {
  it('stays bounded however long the history is', () => {
    const small = stateBytes(fitForecaster(synthetic(600, 5), params));
    const large = stateBytes(fitForecaster(synthetic(6000, 5), params));
    expect(large).toBeLessThan(20_000);
    expect(large).toBeLessThan(small * 1.2);
  });
});
