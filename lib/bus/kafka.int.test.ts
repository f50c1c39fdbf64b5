// The Kafka adapter against a Kafka-protocol broker on loopback (librdkafka's mock cluster): the same
// end-to-end scenario as the embedded suite, plus produce/consume/commit/resume and tail reads. Skips,
// saying why, only when librdkafka-dev is absent; .ci/run installs it, so CI always runs this.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockBrokerUnavailable, startMockBroker, type MockBroker } from '../../ops/kafka-mock/launch.ts';
import { scalar, startTestPipeline, waitFor } from '../testing/pipeline.ts';
import { T0, expectedSamples, fleetEnv, knownInputScenario } from '../testing/scenarios.ts';
import { createKafkaBus } from './kafka.ts';
import { partitionFor } from './partitioner.ts';
import type { BusRecord } from './types.ts';

const unavailable = mockBrokerUnavailable('Kafka adapter tests');
const log = pino({ level: 'silent' });
const dataDir = mkdtempSync(join(tmpdir(), 'prognos-kafka-'));
let broker: MockBroker;

describe.skipIf(unavailable !== undefined)('kafka bus (mock broker)', () => {
  beforeAll(async () => {
    broker = await startMockBroker(1);
    await broker.createTopic('adapter.t', 3);
    await broker.createTopic('e2e.metrics', 2);
    await broker.createTopic('roles.metrics', 2);
    await broker.createTopic('telemetry.alerts.alert-event.v1', 2);
  });
  afterAll(async () => {
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('produces on the murmur2 partition, consumes in order, commits and resumes', async () => {
    const bus = createKafkaBus({ brokers: [broker.bootstrap], clientId: 'test', idempotent: false, sessionTimeoutMs: 6000, log });
    await bus.ensureTopic('adapter.t', 3);
    const keys = ['acme/a', 'acme/b', 'acme/c', 'acme/d'];
    await bus.produce('adapter.t', keys.flatMap((key) => [1, 2, 3].map((i) => ({ key, value: Buffer.from(`${key}:${i}`) }))));

    const consumeUntil = async (count: number) => {
      const seen: BusRecord[] = [];
      const consumer = bus.createConsumer({ group: 'g1', topic: 'adapter.t', maxBatchRecords: 100 });
      await new Promise<void>((resolve) => {
        void consumer.start({
          onAssigned: async () => new Map(),
          onRevoked: async () => undefined,
          onRecords: async (partition, records) => {
            seen.push(...records);
            await consumer.commit(partition, records.at(-1)!.offset + 1);
            if (seen.length >= count) resolve();
          },
        });
      });
      await consumer.stop();
      return seen;
    };

    const first = await consumeUntil(12);
    for (const record of first) expect(record.partition).toBe(partitionFor(record.key, 3));
    for (const key of keys) expect(first.filter((r) => r.key === key).map((r) => r.value.toString())).toEqual([1, 2, 3].map((i) => `${key}:${i}`));

    await bus.produce('adapter.t', [{ key: 'acme/a', value: Buffer.from('acme/a:4') }]);
    const resumed = await consumeUntil(1);
    expect(resumed.map((r) => r.value.toString())).toEqual(['acme/a:4']);

    const tails = await bus.lastRecords('adapter.t');
    expect(tails.map((r) => r.value.toString())).toContain('acme/a:4');
    await bus.close();
  });

  it('runs ingest, process and api as separate pipelines that share only Kafka and the store', async () => {
    const env = { PROGNOS_DATA_DIR: dataDir, ...fleetEnv('roles', 'roles.metrics', 1, 1), KAFKA_BROKERS: broker.bootstrap, KAFKA_IDEMPOTENT: 'false', KAFKA_SESSION_TIMEOUT_MS: '6000' };
    const api = await startTestPipeline({ env, roles: ['api'], now: () => T0 });
    const processor = await startTestPipeline({ env, roles: ['process'], now: () => T0 });
    const ingest = await startTestPipeline({ env, roles: ['ingest'], now: () => T0 });
    try {
      expect(api.runners).toHaveLength(0);
      expect(processor.apiUrl).toBeUndefined();
      const expected = expectedSamples(1, T0 - 3_600_000, T0);
      await waitFor('samples through the separate processor', async () => (await scalar(api.store, 'SELECT sum(count) AS v FROM roles.samples_1m')) >= expected);
      const listed = (await (await fetch(`${api.apiUrl}/v1/series`)).json()) as { series: unknown[] };
      expect(listed.series).toHaveLength(7);
    } finally {
      await ingest.stop();
      await processor.stop();
      await api.stop();
    }
  });

  it('runs the end-to-end scenario with exact points over Kafka', async () => {
    await knownInputScenario(dataDir, { KAFKA_BROKERS: broker.bootstrap, KAFKA_IDEMPOTENT: 'false', KAFKA_SESSION_TIMEOUT_MS: '6000', BUS_PARTITIONS: '2' });
  });
});
