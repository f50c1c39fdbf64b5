// Every dashboard query runs against chDB holding data the real pipeline produced (Grafana itself cannot
// run here): the synthetic fleet through samples, anomaly and forecast processors, plus a dead letter.
// Grafana's macros are expanded the way the ClickHouse plugin does for these queries.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scalar, startTestPipeline, waitFor } from '../lib/testing/pipeline.ts';
import { T0 } from '../lib/testing/scenarios.ts';
import type { RunningPipeline } from '../lib/topology.ts';
import { dashboards } from './src/panels.ts';

const HOUR = 3_600_000;
const dataDir = mkdtempSync(join(tmpdir(), 'prognos-dash-'));
let pipeline: RunningPipeline;

/** Expand the macros the panels use, for the range [from, to). */
function expand(sql: string, fromMs: number, toMs: number): string {
  return sql
    .replaceAll('$__fromTime', `toDateTime(${Math.floor(fromMs / 1000)})`)
    .replaceAll('$__toTime', `toDateTime(${Math.floor(toMs / 1000)})`)
    .replaceAll('$__interval_s', '300')
    .replaceAll('${tenant}', 'acme');
}

/** Panels that must show rows for this data (the rest may legitimately be empty). */
const mustHaveRows = new Set(['Samples stored per minute', 'Open anomalies', 'Dead letters by reason', 'CPU by host, with the expected band', 'Time to exhaustion', 'Disk used: actual and 48 h forecast with 80% and 95% intervals', 'Forecast error by horizon (MAPE %) and 95% coverage']);

beforeAll(async () => {
  pipeline = await startTestPipeline({
    env: { PROGNOS_DATA_DIR: dataDir, SYNTHETIC_HOSTS: '2', SYNTHETIC_STEP_MS: '60000', SYNTHETIC_BACKFILL_HOURS: '40', SYNTHETIC_TENANT: 'acme', API_ANONYMOUS_TENANT: 'acme', SYNTHETIC_INCIDENTS_PER_HOST_DAY: '1' },
    now: () => T0,
  });
  await pipeline.bus.produce('telemetry.ingest.metric-batch.v1', [{ key: 'acme/h', value: Buffer.from('not avro') }]);
  await waitFor('forecasts and dead letters', async () => (await scalar(pipeline.store, 'SELECT count() AS v FROM prognos.forecast_accuracy')) > 0
    && (await scalar(pipeline.store, 'SELECT count() AS v FROM prognos.dead_letters')) > 0
    && (await scalar(pipeline.store, 'SELECT count() AS v FROM prognos.capacity_plans')) > 0);
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard queries on seeded data', () => {
  const panels = dashboards.flatMap((d) => d.panels.map((p) => [`${d.uid}: ${p.title}`, p] as const));
  it.each(panels)('%s runs and returns what the panel shows', async (_name, panel) => {
    const rows = await pipeline.store.query<Record<string, unknown>>(expand(panel.sql, T0 - 40 * HOUR, T0 + 48 * HOUR));
    if (mustHaveRows.has(panel.title)) expect(rows.length).toBeGreaterThan(0);
    if (panel.format === 0 && rows.length > 0) expect(Object.keys(rows[0]!)[0]).toBe('time');
  });
});
