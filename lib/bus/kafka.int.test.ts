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
import type { PrognosError } from '../errors.ts';

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
    await broker.createTopic('session.t', 2);
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

  // A batch that outlasts the group session: with heartbeats while it waits (as the runner sends them
  // between store retries) the member keeps its partitions; without, its membership check fails, the
  // handler is told to drop every partition, and the member rejoins and is assigned them afresh.
  describe('group session during a long batch', () => {
    const sessionTimeoutMs = 6000; // the broker's group.min.session.timeout.ms
    const produced = ['a', 'b', 'c', 'd', 'e', 'f'].map((key) => ({ key: `acme/${key}`, value: Buffer.from(key) }));

    async function longBatch(group: string, heartbeats: boolean, stallOnAssign = false) {
      const bus = createKafkaBus({ brokers: [broker.bootstrap], clientId: 'test', idempotent: false, sessionTimeoutMs, log });
      const consumer = bus.createConsumer({ group, topic: 'session.t', maxBatchRecords: 100 });
      const assignments: number[][] = [];
      const lost: number[][] = [];
      const checks: string[] = [];
      const seen: string[] = [];
      let stalled = false;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${produced.length} records after 30 s`)), 30_000);
        void consumer.start({
          onAssigned: async (partitions) => {
            assignments.push([...partitions]);
            if (stallOnAssign && assignments.length === 1) await new Promise((r) => setTimeout(r, 2 * sessionTimeoutMs)); // no heartbeats meanwhile
            return new Map();
          },
          onRevoked: async () => undefined,
          onLost: async (partitions) => void lost.push([...partitions]),
          onRecords: async (_partition, records, _end, alive) => {
            const stall = !stalled && !stallOnAssign;
            if (stall) {
              stalled = true;
              // two session timeouts, as a batch retrying a store outage spends them
              for (const until = Date.now() + 2 * sessionTimeoutMs; Date.now() < until; ) {
                await new Promise((r) => setTimeout(r, 200));
                if (heartbeats) await alive!();
              }
            }
            if (stall || stallOnAssign) {
              // as the runner does before each write
              const check = await alive!().then(() => 'owner', (err: PrognosError) => err.code);
              checks.push(check);
              if (check !== 'owner') return; // nothing written: the records come again after the rejoin
            }
            seen.push(...records.map((r) => r.value.toString()));
            if (seen.length >= produced.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.stop();
      await bus.close();
      return { assignments, lost, checks, seen };
    }

    beforeAll(async () => {
      const bus = createKafkaBus({ brokers: [broker.bootstrap], clientId: 'test', idempotent: false, log });
      await bus.produce('session.t', produced);
      await bus.close();
    });

    it('keeps its partitions while it heartbeats', async () => {
      const run = await longBatch('session-kept', true);
      expect(run.checks).toEqual(['owner']);
      expect(run.lost).toEqual([]);
      expect(run.assignments).toEqual([[0, 1]]);
      expect(run.seen.slice().sort()).toEqual(produced.map((m) => m.value.toString()).sort());
    });

    it('writes nothing for a batch fetched after its session ended (a long assignment), and is assigned afresh', async () => {
      const run = await longBatch('session-evicted', false, true);
      expect(run.checks[0]).toBe('PARTITION_LOST');
      expect(run.checks.slice(1).every((c) => c === 'owner')).toBe(true);
      expect(run.lost).toEqual([[0, 1]]);
      expect(run.assignments).toEqual([[0, 1], [0, 1]]);
      expect(run.seen.slice().sort()).toEqual(produced.map((m) => m.value.toString()).sort());
    });

    it('drops every partition and is assigned them afresh once its session has ended', async () => {
      const run = await longBatch('session-lost', false);
      expect(run.checks).toEqual(['PARTITION_LOST']);
      expect(run.lost).toEqual([[0, 1]]);
      expect(run.assignments).toEqual([[0, 1], [0, 1]]);
      expect(run.seen.slice().sort()).toEqual(produced.map((m) => m.value.toString()).sort());
    });
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
