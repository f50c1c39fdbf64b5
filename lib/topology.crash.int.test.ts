// Crash test (correctness contract): >= 1,000,000 samples through the embedded pipeline while the process
// is SIGKILLed at random moments, at least 10 times, and restarted; at the end every sample is stored
// exactly once and every derived table equals that of an uninterrupted run of the same input.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crashThenFinish, digestOf, killDelays, runCrashChild } from './testing/crash.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'prognos-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const nowMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const hosts = 20;
const hours = 20; // 20 hosts x 7 series x 7,200 ticks = 1,008,000 samples
const expectedSamples = hosts * 7 * hours * 360;

function env(database: string): NodeJS.ProcessEnv {
  return {
    ...process.env, PROGNOS_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: database, BUS_METRICS_TOPIC: `${database}.metrics`, LOG_LEVEL: 'warn', BUS_FSYNC: 'false', OPS_PORT: '0',
    SYNTHETIC_HOSTS: String(hosts), SYNTHETIC_BACKFILL_HOURS: String(hours), SYNTHETIC_TENANT: 'crash', PROCESSOR_SNAPSHOT_INTERVAL_MS: '2000',
    // forecasts from hour 4, refits every 3 hours: the 20 hours fit and refit every series several times,
    // each refit reading its window back from forecast_history
    FORECAST_MIN_HISTORY_HOURS: '4', FORECAST_REFIT_EVERY_HOURS: '3',
  };
}

describe('crash safety (embedded)', () => {
  it('ends with exactly the rows of an uninterrupted run after 10 SIGKILLs', async () => {
    const reference = await runCrashChild(nowMs, env('reference'));
    expect(reference.code).toBe(0);
    const expected = digestOf(reference.out);
    expect(Number(expected['rollup_1m_count'])).toBe(expectedSamples);
    expect(Number(expected['samples_unique'])).toBe(expectedSamples);
    const rowsOf = (table: string) => Number(expected[table]?.split('/')[0]);
    expect(rowsOf('forecast_history')).toBe(hosts * 7 * (hours - 1)); // every closed hour; the newest stays open
    expect(rowsOf('forecasts')).toBeGreaterThan(0);

    const { killed, code, digest } = await crashThenFinish(nowMs, env('crashed'), killDelays(20261122, 10, 800, 2500), 'reference');
    expect(killed).toBeGreaterThanOrEqual(10);
    expect(code).toBe(0);
    const { samples_1m_sum_mismatches: m1, samples_1h_sum_mismatches: m2, ...got } = digest;
    expect(got).toEqual(expected);
    expect([m1, m2]).toEqual(['0', '0']);
  }, 600_000);
});
