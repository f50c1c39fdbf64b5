// End-to-end scenarios shared by the embedded and the Kafka integration suites: the same known input,
// the same expected rows, whatever bus carries them.
import { expect } from 'vitest';
import { hostSeries } from '../../ingest/synthetic/fleet.ts';
import { seriesId } from '../../processors/samples/series-id.ts';
import { scalar, startTestPipeline, waitFor } from './pipeline.ts';

/** A fixed clock for the whole run: the start of the current hour (recent enough for the samples TTL). */
export const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const STEP = 10_000;

/** Env for a fleet of `hosts` hosts with `hours` of backfill ending at the clock. */
export function fleetEnv(database: string, topic: string, hosts: number, hours: number): Record<string, string> {
  return { CLICKHOUSE_DATABASE: database, BUS_METRICS_TOPIC: topic, SYNTHETIC_HOSTS: String(hosts), SYNTHETIC_STEP_MS: String(STEP), SYNTHETIC_BACKFILL_HOURS: String(hours), SYNTHETIC_SEED: '7', SYNTHETIC_TENANT: 'acme', API_ANONYMOUS_TENANT: 'acme' };
}

/** The number of samples a fleet produces over [from, to). */
export function expectedSamples(hosts: number, from: number, to: number): number {
  return hosts * 7 * Math.ceil((to - from) / STEP);
}

/** Run the synthetic fleet end to end and check the API returns exactly the generated points. */
export async function knownInputScenario(dataDir: string, env: Record<string, string>): Promise<void> {
  const hosts = 2;
  const pipeline = await startTestPipeline({ env: { PROGNOS_DATA_DIR: dataDir, ...fleetEnv('e2e', 'e2e.metrics', hosts, 1), ...env }, now: () => T0 });
  try {
    const { store } = pipeline;
    const expected = expectedSamples(hosts, T0 - 3_600_000, T0);
    await waitFor('every sample stored', async () => (await scalar(store, 'SELECT sum(count) AS v FROM e2e.samples_1m')) >= expected);
    expect(await scalar(store, 'SELECT sum(count) AS v FROM e2e.samples_1m')).toBe(expected);
    expect(await scalar(store, 'SELECT uniqExact(series_id, ts) AS v FROM e2e.samples')).toBe(expected);

    const list = (await (await fetch(`${pipeline.apiUrl}/v1/series?limit=1000`)).json()) as { series: { id: string; metric: string; labels: Record<string, string> }[] };
    expect(list.series).toHaveLength(hosts * 7);

    const cpu = hostSeries(7, 0, 0.3, STEP)[0]!;
    const id = seriesId('acme', cpu.metric, cpu.labels);
    expect(list.series.map((s) => s.id)).toContain(id);
    const raw = (await (await fetch(`${pipeline.apiUrl}/v1/series/${id}/samples?from=${T0 - 3_600_000}&to=${T0}`)).json()) as { points: { ts: string; value: number }[] };
    const want = Array.from({ length: 360 }, (_, i) => T0 - 3_600_000 + i * STEP).map((ts) => ({ ts: new Date(ts).toISOString(), value: cpu.value(ts) }));
    expect(raw.points).toEqual(want);

    const hourly = (await (await fetch(`${pipeline.apiUrl}/v1/series/${id}/samples?from=${T0 - 3_600_000}&to=${T0}&step=1h`)).json()) as { source: string; points: { value: number; count: number; min: number; max: number }[] };
    expect(hourly.source).toBe('samples_1h');
    expect(hourly.points).toHaveLength(1);
    expect(hourly.points[0]!.count).toBe(360);
    expect(hourly.points[0]!.value).toBeCloseTo(want.reduce((sum, p) => sum + p.value, 0) / 360, 9);
    expect(hourly.points[0]!.max).toBe(Math.max(...want.map((p) => p.value)));
  } finally {
    await pipeline.stop();
  }
}
