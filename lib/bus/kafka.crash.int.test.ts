// The crash test on the Kafka adapter, against the librdkafka mock broker (one consumer per group, no
// idempotent producer): the processor process is SIGKILLed repeatedly and restarted; the final tables
// equal those of an uninterrupted run. Smaller than the embedded crash test: every restart waits for the
// dead member's session to expire before the group rebalances.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockBrokerUnavailable, startMockBroker, type MockBroker } from '../../ops/kafka-mock/launch.ts';
import { crashThenFinish, digestOf, killDelays, runCrashChild } from '../testing/crash.ts';

const unavailable = mockBrokerUnavailable('Kafka crash test');
const dataDir = mkdtempSync(join(tmpdir(), 'prognos-kcrash-'));
const nowMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const hosts = 10;
const hours = 4; // 10 hosts x 7 series x 1,440 ticks = 100,800 samples
let broker: MockBroker;

function env(database: string): NodeJS.ProcessEnv {
  return {
    ...process.env, PROGNOS_DATA_DIR: dataDir, CLICKHOUSE_DATABASE: database, BUS_METRICS_TOPIC: `${database}.metrics`, LOG_LEVEL: 'error', OPS_PORT: '0',
    KAFKA_BROKERS: broker.bootstrap, KAFKA_IDEMPOTENT: 'false', KAFKA_SESSION_TIMEOUT_MS: '6000',
    SYNTHETIC_HOSTS: String(hosts), SYNTHETIC_BACKFILL_HOURS: String(hours), SYNTHETIC_TENANT: 'kcrash', PROCESSOR_SNAPSHOT_INTERVAL_MS: '2000',
    // forecasts from hour 2, a refit every hour: each one reads the series' window from forecast_history
    FORECAST_MIN_HISTORY_HOURS: '2', FORECAST_REFIT_EVERY_HOURS: '1',
  };
}

describe.skipIf(unavailable !== undefined)('crash safety (Kafka mock broker)', () => {
  beforeAll(async () => {
    broker = await startMockBroker(1);
    for (const name of ['kref', 'kcrashed']) await broker.createTopic(`${name}.metrics`, 4);
    await broker.createTopic('telemetry.alerts.alert-event.v1', 2);
  });
  afterAll(async () => {
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends with exactly the rows of an uninterrupted run after 4 SIGKILLs', async () => {
    const reference = await runCrashChild(nowMs, env('kref'));
    expect(reference.code).toBe(0);
    const expected = digestOf(reference.out);
    expect(Number(expected['rollup_1m_count'])).toBe(hosts * 7 * hours * 360);
    expect(Number(expected['forecast_history']?.split('/')[0])).toBe(hosts * 7 * (hours - 1)); // the newest hour stays open
    expect(Number(expected['forecasts']?.split('/')[0])).toBeGreaterThan(0);

    const { killed, code, digest } = await crashThenFinish(nowMs, env('kcrashed'), killDelays(7, 4, 1500, 4000), 'kref');
    expect(killed).toBe(4);
    expect(code).toBe(0);
    const { samples_1m_sum_mismatches: m1, samples_1h_sum_mismatches: m2, ...got } = digest;
    expect(got).toEqual(expected);
    expect([m1, m2]).toEqual(['0', '0']);
  }, 600_000);
});
