// Runs the prognos forecaster and the M4 benchmarks over a set of series and scores them; formats the table.
// Does no file reading (see data.ts); the test half goes only to the scorer, never to the model.
import { defaultForecasterParams, fitForecaster, forecast, type Forecast, type ForecasterParams, type ForecasterState } from '../../../models/forecast/index.ts';
import { naive1, naive2, seasonalNaive } from './benchmarks.ts';
import type { M4Series } from './data.ts';
import { coverage, msis, owa, scoreSet, type MethodScore } from './score.ts';

/** Published M4 hourly results (sMAPE, MASE, OWA) from the competition paper. */
export const PUBLISHED: readonly { name: string; smape: number | null; mase: number | null; owa: number }[] = [
  { name: 'Naive1 (published)', smape: 43.003, mase: 11.608, owa: 3.593 },
  { name: 'sNaive (published)', smape: 13.912, mase: 1.193, owa: 0.627 },
  { name: 'Naive2 (published)', smape: 18.383, mase: 2.395, owa: 1.0 },
  { name: 'Theta (published)', smape: 18.138, mase: 2.455, owa: 1.006 },
  { name: 'FFORMA (published)', smape: 11.506, mase: 0.819, owa: 0.484 },
  { name: 'Pawlikowski (published)', smape: 9.611, mase: 0.873, owa: 0.444 },
  { name: 'Smyl ES-RNN (published)', smape: 9.328, mase: 0.893, owa: 0.44 },
  { name: 'Doornik et al. (published, best)', smape: 8.913, mase: 0.801, owa: 0.41 },
];

/** Everything the bench prints. */
export interface BenchResult {
  readonly series: number;
  readonly horizon: number;
  readonly ours: MethodScore & { owa: number; coverage95: number; coverage80: number; msis: number };
  readonly benchmarks: readonly (MethodScore & { name: string; owa: number })[];
  readonly models: ReadonlyMap<string, number>;
  readonly seconds: number;
  readonly maxStateBytes: number;
  /** Each series' forecast, in order. */
  readonly forecasts: readonly Forecast[];
}

/** How a series' forecaster comes to be from its training half (by default: one fit on all of it). */
export type Prepare = (train: readonly number[], params: ForecasterParams) => ForecasterState;

/** Fits and forecasts every series with `params`, timing only the model, and scores everything. */
export function runBench(series: readonly M4Series[], params: ForecasterParams, now: () => number, prepare: Prepare = fitForecaster): BenchResult {
  const h = 48;
  const period = 24;
  const means: number[][] = [];
  const bounds: Forecast[] = [];
  const models = new Map<string, number>();
  let maxStateBytes = 0;
  const t0 = now();
  for (const s of series) {
    const state = prepare(s.train, params);
    const f = forecast(state, h, params);
    means.push(f.mean);
    bounds.push(f);
    models.set(f.model, (models.get(f.model) ?? 0) + 1);
    maxStateBytes = Math.max(maxStateBytes, JSON.stringify(state).length);
  }
  const seconds = (now() - t0) / 1000;
  const n2 = scoreSet(series, series.map((s) => naive2(s.train, h, period)), period);
  const bench = [
    { name: 'Naive1 (this scorer)', ...scoreSet(series, series.map((s) => naive1(s.train, h)), period) },
    { name: 'sNaive (this scorer)', ...scoreSet(series, series.map((s) => seasonalNaive(s.train, h, period)), period) },
    { name: 'Naive2 (this scorer)', ...n2 },
  ].map((b) => ({ ...b, owa: owa(b, n2) }));
  const ours = scoreSet(series, means, period);
  let c95 = 0;
  let c80 = 0;
  let ms = 0;
  series.forEach((s, i) => {
    const b = bounds[i];
    if (b === undefined) return;
    c95 += coverage(s.test, b.lo95, b.hi95);
    c80 += coverage(s.test, b.lo80, b.hi80);
    ms += msis(s.train, s.test, b.lo95, b.hi95, period, 0.05);
  });
  const k = series.length;
  return {
    series: k, horizon: h, seconds, models, maxStateBytes, benchmarks: bench, forecasts: bounds,
    ours: { ...ours, owa: owa(ours, n2), coverage95: c95 / k, coverage80: c80 / k, msis: ms / k },
  };
}

/** Default parameters re-exported so the CLI and the bench provably share one configuration. */
export const benchParams: ForecasterParams = defaultForecasterParams;

const fmt = (v: number | null, d = 3): string => (v === null ? '' : v.toFixed(d));

/** The Markdown table and summary lines the bench prints. */
export function formatBench(r: BenchResult): string {
  const rows = [
    '| method | sMAPE | MASE | OWA |',
    '|---|---:|---:|---:|',
    `| **prognos forecaster** | **${fmt(r.ours.smape)}** | **${fmt(r.ours.mase)}** | **${fmt(r.ours.owa)}** |`,
    ...r.benchmarks.map((b) => `| ${b.name} | ${fmt(b.smape)} | ${fmt(b.mase)} | ${fmt(b.owa)} |`),
    ...PUBLISHED.map((p) => `| ${p.name} | ${fmt(p.smape)} | ${fmt(p.mase)} | ${fmt(p.owa)} |`),
  ];
  const models = [...r.models].map(([m, c]) => `${m} ${c}`).join(', ');
  return [
    `M4 hourly: ${r.series} series, horizon ${r.horizon}, seasonality 24 (MASE scale: in-sample lag-24 naive)`,
    '',
    ...rows,
    '',
    `intervals: 95% coverage ${fmt(r.ours.coverage95)} (target 0.90-0.98), 80% coverage ${fmt(r.ours.coverage80)}, MSIS(alpha=0.05) ${fmt(r.ours.msis)}`,
    `models chosen: ${models}; largest state ${r.maxStateBytes} bytes of JSON`,
    `fit + forecast time: ${r.seconds.toFixed(1)} s for ${r.series} series (one core)`,
  ].join('\n');
}
