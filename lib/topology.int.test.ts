// End to end on the embedded deployment (embedded bus + chDB): known input, restart mid-stream, and bad
// input. One data directory per file (chDB binds one per process); tests separate by database and topic.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricBatchCodec } from './avro/metric-batch.ts';
import { scalar, startTestPipeline, waitFor } from './testing/pipeline.ts';
import { T0, expectedSamples, fleetEnv, knownInputScenario } from './testing/scenarios.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'prognos-e2e-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('embedded pipeline', () => {
  it('stores the synthetic fleet and serves exactly the generated points', async () => {
    await knownInputScenario(dataDir, {});
  });

  it('loses and duplicates nothing when stopped mid-stream and restarted later', async () => {
    const env = { PROGNOS_DATA_DIR: dataDir, ...fleetEnv('restart', 'restart.metrics', 3, 6), SYNTHETIC_MAX_POINTS_PER_BATCH: '5', PROCESSOR_MAX_BATCH_RECORDS: '7' };
    const first = await startTestPipeline({ env, now: () => T0 });
    await waitFor('some samples stored', async () => (await scalar(first.store, 'SELECT count() AS v FROM restart.samples')) > 0);
    await first.stop();
    const afterFirst = await (async () => {
      const probe = await startTestPipeline({ env: { ...env, SYNTHETIC_ENABLED: 'false' }, roles: ['api'], now: () => T0 });
      const n = await scalar(probe.store, 'SELECT sum(count) AS v FROM restart.samples_1m');
      await probe.stop();
      return n;
    })();
    expect(afterFirst).toBeLessThan(expectedSamples(3, T0 - 6 * 3_600_000, T0)); // it really stopped mid-stream

    const later = T0 + 600_000; // ten minutes later: the collector resumes and catches up to the new clock
    const second = await startTestPipeline({ env, now: () => later });
    const expected = expectedSamples(3, T0 - 6 * 3_600_000, later);
    await waitFor('every sample stored', async () => (await scalar(second.store, 'SELECT sum(count) AS v FROM restart.samples_1m')) >= expected);
    expect(await scalar(second.store, 'SELECT sum(count) AS v FROM restart.samples_1m')).toBe(expected);
    expect(await scalar(second.store, 'SELECT sum(count) AS v FROM restart.samples_1h')).toBe(expected);
    expect(await scalar(second.store, 'SELECT uniqExact(series_id, ts) AS v FROM restart.samples')).toBe(expected);
    await second.stop();
  });

  it('dead-letters bad input with a reason and keeps the valid samples of the same batch', async () => {
    const env = { PROGNOS_DATA_DIR: dataDir, ...fleetEnv('bad', 'bad.metrics', 1, 0), SYNTHETIC_ENABLED: 'false' };
    const pipeline = await startTestPipeline({ env, now: () => T0 });
    const codec = createMetricBatchCodec();
    const good = codec.encode({
      tenant: 'acme', source: 'h', sent_at: T0,
      series: [{ metric: 'cpu', labels: { host: 'h' }, kind: 'GAUGE', timestamps: [T0 - 2000, T0 - 1000, T0, T0 + 10 * 365 * 86_400_000, T0 + 1000], values: [1, Number.NaN, Number.POSITIVE_INFINITY, 4, 5] }],
    });
    const wrongId = Buffer.from(good);
    wrongId.writeUInt32BE(4242, 1);
    await pipeline.bus.produce('bad.metrics', [
      { key: 'acme/h', value: Buffer.from('garbage that is not avro') },
      { key: 'acme/h', value: wrongId },
      { key: 'acme/h', value: good },
    ]);
    await waitFor('dead letters stored', async () => (await scalar(pipeline.store, 'SELECT count() AS v FROM bad.dead_letters')) >= 5);
    const letters = await pipeline.store.query<{ reason: string }>('SELECT reason FROM bad.dead_letters ORDER BY offset, reason');
    expect(letters.map((l) => l.reason).sort()).toEqual(['bad_framing', 'non_finite_value', 'non_finite_value', 'timestamp_in_future', 'unknown_schema']);
    const kept = await pipeline.store.query<{ v: number }>('SELECT value AS v FROM bad.samples ORDER BY ts');
    expect(kept.map((r) => r.v)).toEqual([1, 5]);
    await pipeline.stop();
  });
});
