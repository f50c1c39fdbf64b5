// End to end on the embedded deployment (embedded bus + chDB): the synthetic fleet through the forecast
// processor into forecasts, capacity_plans and the forecast_accuracy view, and a restart that resumes from
// the processor snapshot without duplicating or losing a forecast.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostSeries } from '../../ingest/synthetic/fleet.ts';
import { scalar, startTestPipeline, waitFor } from '../../lib/testing/pipeline.ts';
import { T0 } from '../../lib/testing/scenarios.ts';
import { seriesId } from '../samples/series-id.ts';

const HOUR = 3_600_000;
const BACKFILL = 50;
const SERIES = 7; // one host
const WARMUP = 24;
const dataDir = mkdtempSync(join(tmpdir(), 'prognos-fc-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const env = {
  PROGNOS_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: 'fc', BUS_METRICS_TOPIC: 'fc.metrics', SYNTHETIC_HOSTS: '1', SYNTHETIC_STEP_MS: '60000',
  SYNTHETIC_BACKFILL_HOURS: String(BACKFILL), SYNTHETIC_SEED: '7', SYNTHETIC_TENANT: 'acme', API_ANONYMOUS_TENANT: 'acme',
};

/** Forecast batches per series when samples cover [T0 - BACKFILL h, end): closed hours from the warm-up on. */
const issuesPerSeries = (end: number) => (end - T0) / HOUR + BACKFILL - 1 - (WARMUP - 1);

describe('forecast processor (embedded pipeline)', () => {
  const disk = hostSeries(7, 0, 0.3, 60_000).find((s) => s.metric === 'disk_used_bytes')!;
  const diskId = seriesId('acme', disk.metric, disk.labels);

  it('writes 48-step forecasts per closed hour, capacity plans and realised errors', async () => {
    const pipeline = await startTestPipeline({ env, now: () => T0 });
    try {
      const { store } = pipeline;
      const issues = issuesPerSeries(T0); // 26: hours 23..48 of 50 close (the newest stays open)
      await waitFor('every forecast stored', async () => (await scalar(store, 'SELECT count() AS v FROM fc.forecasts')) >= issues * 48 * SERIES
        && (await scalar(store, 'SELECT count() AS v FROM fc.capacity_plans')) >= issues * 2);
      expect(await scalar(store, 'SELECT count() AS v FROM fc.forecasts')).toBe(issues * 48 * SERIES);
      expect(await scalar(store, 'SELECT uniqExact(series_id, issued_at, target_ts) AS v FROM fc.forecasts')).toBe(issues * 48 * SERIES);
      expect(await scalar(store, 'SELECT uniqExact(series_id) AS v FROM fc.forecasts')).toBe(SERIES);
      const span = await store.query<{ first: number | string; last: number | string; steps: number | string }>(
        "SELECT toUnixTimestamp64Milli(min(issued_at)) AS first, toUnixTimestamp64Milli(max(issued_at)) AS last, uniqExact(step) AS steps FROM fc.forecasts",
      );
      expect(Object.values(span[0]!).map(Number)).toEqual([T0 - (BACKFILL - WARMUP) * HOUR, T0 - HOUR, 48]);
      expect(await scalar(store, 'SELECT countIf(NOT (lo95 <= lo80 AND lo80 <= forecast AND forecast <= hi80 AND hi80 <= hi95)) AS v FROM fc.forecasts')).toBe(0);

      // disk and memory carry capacity_bytes; the disk is far from full within 48 hours
      const plans = await store.query<{ metric: string; n: number | string }>('SELECT metric, count() AS n FROM fc.capacity_plans GROUP BY metric ORDER BY metric');
      expect(plans.map((p) => [p.metric, Number(p.n)])).toEqual([['disk_used_bytes', issues], ['memory_used_bytes', issues]]);
      const diskPlan = await store.query<{ within_horizon: number; headroom_ratio: number; summary: string }>(
        `SELECT within_horizon, headroom_ratio, summary FROM fc.capacity_plans WHERE series_id = ${diskId} ORDER BY issued_at DESC LIMIT 1`,
      );
      expect(diskPlan[0]).toMatchObject({ within_horizon: 0 });
      expect(diskPlan[0]!.headroom_ratio).toBeGreaterThan(0);
      expect(diskPlan[0]!.summary).toMatch(/^not within the horizon/);

      // every target hour up to T0 - 1 h has its actual: a forecast issued j hours before T0 has j of them
      const passed = (issues * (issues + 1)) / 2;
      expect(await scalar(store, 'SELECT count() AS v FROM fc.forecast_accuracy')).toBe(passed * SERIES);
      const rows = await store.query<{ step: number; forecast: number; actual: number; abs_error: number; inside95: number }>(
        `SELECT step, forecast, actual, abs_error, inside95 FROM fc.forecast_accuracy WHERE series_id = ${diskId} ORDER BY issued_at, step`,
      );
      expect(rows).toHaveLength(passed);
      for (const row of rows) expect(row.abs_error).toBeCloseTo(Math.abs(row.actual - row.forecast), 3);
      const lastHour = Array.from({ length: 60 }, (_, i) => disk.value(T0 - HOUR + i * 60_000));
      expect(rows.at(-1)!.actual).toBeCloseTo(lastHour.reduce((a, v) => a + v, 0) / 60, 0);

      // the API: the latest forecast of a series, and the capacity report as JSON and CSV
      const forecast = (await (await fetch(`${pipeline.apiUrl}/v1/series/${diskId}/forecast`)).json()) as { issued_at: string; points: { ts: string; lo95: number; hi95: number; forecast: number }[] };
      expect(forecast.issued_at).toBe(new Date(T0 - HOUR).toISOString());
      expect(forecast.points).toHaveLength(48);
      expect(forecast.points[0]!.ts).toBe(forecast.issued_at);
      expect(forecast.points.at(-1)!.ts).toBe(new Date(T0 + 46 * HOUR).toISOString());
      const capacity = (await (await fetch(`${pipeline.apiUrl}/v1/capacity`)).json()) as { plans: { series_id: string; metric: string; issued_at: string; labels: Record<string, string>; summary: string }[] };
      expect(capacity.plans.map((p) => p.metric).sort()).toEqual(['disk_used_bytes', 'memory_used_bytes']);
      const diskRow = capacity.plans.find((p) => p.series_id === diskId)!;
      expect(diskRow).toMatchObject({ issued_at: new Date(T0 - HOUR).toISOString(), summary: diskPlan[0]!.summary });
      expect(diskRow.labels['mount']).toBe('/');
      const csv = await fetch(`${pipeline.apiUrl}/v1/capacity?format=csv`);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const lines = (await csv.text()).trimEnd().split('\r\n');
      expect(lines[0]).toBe('series_id,metric,labels,issued_at,capacity,eta,eta80_from,eta80_to,eta95_from,eta95_to,headroom,headroom_ratio,summary');
      expect(lines).toHaveLength(3);
      expect((await fetch(`${pipeline.apiUrl}/v1/series/123/forecast`)).status).toBe(404);
    } finally {
      await pipeline.stop();
    }
  });

  it('resumes from its snapshot after a restart: later hours are forecast once, none twice', async () => {
    const later = T0 + 2 * HOUR;
    const pipeline = await startTestPipeline({ env, now: () => later });
    try {
      const { store } = pipeline;
      const issues = issuesPerSeries(later);
      await waitFor('the new forecasts stored', async () => (await scalar(store, 'SELECT count() AS v FROM fc.forecasts')) >= issues * 48 * SERIES);
      expect(await scalar(store, 'SELECT count() AS v FROM fc.forecasts')).toBe(issues * 48 * SERIES);
      expect(await scalar(store, 'SELECT uniqExact(series_id, issued_at, target_ts) AS v FROM fc.forecasts')).toBe(issues * 48 * SERIES);
      expect(await scalar(store, "SELECT count() AS v FROM fc.processor_snapshot_parts FINAL WHERE consumer_group = 'prognos-forecast' AND part = 0")).toBeGreaterThan(0);
    } finally {
      await pipeline.stop();
    }
  });
});
