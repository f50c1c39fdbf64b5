// A Kafka broker outage mid-stream, against the librdkafka mock broker: the broker drops every connection
// and refuses new ones for a while, then comes back with its log and offsets. The collector retries its
// produce, the processors' consumers reconnect and resume; afterwards every sample is stored exactly once,
// the rollups count each once, and the processors report healthy again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockBrokerUnavailable, startMockBroker, type MockBroker } from '../../ops/kafka-mock/launch.ts';
import { backlog, scalar, startTestPipeline, waitFor } from '../testing/pipeline.ts';
import { T0, expectedSamples, fleetEnv } from '../testing/scenarios.ts';

const unavailable = mockBrokerUnavailable('Kafka outage test');
const dataDir = mkdtempSync(join(tmpdir(), 'prognos-koutage-'));
const hosts = 10;
const hours = 6; // 10 hosts x 7 series x 2,160 ticks = 151,200 samples
let broker: MockBroker;

describe.skipIf(unavailable !== undefined)('kafka broker outage (mock broker)', () => {
  beforeAll(async () => {
    broker = await startMockBroker(1);
    await broker.createTopic('outage.metrics', 4);
    await broker.createTopic('telemetry.alerts.alert-event.v1', 2);
  });
  afterAll(async () => {
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses and doubles nothing when the broker goes away mid-stream and comes back', async () => {
    const env = {
      PROGNOS_DATA_DIR: dataDir, ...fleetEnv('outage', 'outage.metrics', hosts, hours), SYNTHETIC_MAX_POINTS_PER_BATCH: '30',
      KAFKA_BROKERS: broker.bootstrap, KAFKA_IDEMPOTENT: 'false', KAFKA_SESSION_TIMEOUT_MS: '6000', PROCESSOR_RETRY_MAX_DELAY_MS: '2000',
    };
    const pipeline = await startTestPipeline({ env, roles: ['ingest', 'process'], now: () => T0 });
    try {
      const expected = expectedSamples(hosts, T0 - hours * 3_600_000, T0);
      const stored = () => scalar(pipeline.store, 'SELECT sum(count) AS v FROM outage.samples_1m');
      await waitFor('the first samples stored', async () => (await stored()) > 0);
      const before = await stored();
      await broker.setDown(-1);
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      const duringOutage = await stored();
      await broker.setUp(-1);

      await waitFor('every sample stored and every group caught up', async () => (await stored()) >= expected && (await backlog(pipeline, 'outage.metrics')) === 0, 240_000);
      // the outage really interrupted the stream: the run was not over before it
      expect(before).toBeLessThan(expected);
      expect(duringOutage).toBeLessThan(expected);
      expect(await scalar(pipeline.store, 'SELECT uniqExact(series_id, ts) AS v FROM outage.samples')).toBe(expected);
      expect(await scalar(pipeline.store, 'SELECT count() AS v FROM outage.samples')).toBe(expected);
      expect(await stored()).toBe(expected);
      expect(await scalar(pipeline.store, 'SELECT sum(count) AS v FROM outage.samples_1h')).toBe(expected);
      expect(await scalar(pipeline.store, 'SELECT count() AS v FROM outage.baselines')).toBe(await scalar(pipeline.store, 'SELECT uniqExact(series_id, bucket) AS v FROM outage.baselines'));
      expect(pipeline.runners.map((r) => [r.name, r.healthy()])).toEqual(pipeline.runners.map((r) => [r.name, true]));
      await expect(Promise.race([pipeline.fatal, Promise.resolve('no fatal error')])).resolves.toBe('no fatal error');
    } finally {
      await pipeline.stop();
    }
  }, 300_000);
});
