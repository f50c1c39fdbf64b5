// The end-to-end scenario against a real Kafka (KRaft) broker and a real ClickHouse server, started with
// testcontainers. Runs where a Docker engine answers; elsewhere (this project's CI machines have none) it
// skips and says so: there the librdkafka mock broker and chDB suites prove the same behaviour.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { knownInputScenario } from './testing/scenarios.ts';

async function dockerProblem(): Promise<string | undefined> {
  try {
    await getContainerRuntimeClient();
    return undefined;
  } catch (err) {
    return `no container runtime (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
  }
}

const problem = await dockerProblem();
if (problem) console.warn(`SKIPPING real Kafka + ClickHouse suite: ${problem}`);
const dataDir = mkdtempSync(join(tmpdir(), 'prognos-containers-'));
let kafka: StartedTestContainer;
let clickhouse: StartedTestContainer;

describe.skipIf(problem !== undefined)('real Kafka and ClickHouse (testcontainers)', () => {
  beforeAll(async () => {
    [kafka, clickhouse] = await Promise.all([
      new GenericContainer('apache/kafka:3.8.0')
        .withExposedPorts({ container: 9092, host: 19092 })
        .withEnvironment({
          KAFKA_NODE_ID: '1', KAFKA_PROCESS_ROLES: 'broker,controller', KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
          KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093', KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:19092',
          KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER', KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1', KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1', KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1', KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        })
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .start(),
      new GenericContainer('clickhouse/clickhouse-server:24.8')
        .withExposedPorts(8123)
        .withEnvironment({ CLICKHOUSE_USER: 'prognos', CLICKHOUSE_PASSWORD: 'prognos', CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT: '1' })
        .withWaitStrategy(Wait.forHttp('/ping', 8123))
        .start(),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([kafka?.stop(), clickhouse?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves exactly the generated points through real Kafka (idempotent producer) and ClickHouse', async () => {
    await knownInputScenario(dataDir, {
      KAFKA_BROKERS: '127.0.0.1:19092',
      CLICKHOUSE_URL: `http://${clickhouse.getHost()}:${clickhouse.getMappedPort(8123)}`,
      CLICKHOUSE_USER: 'prognos',
      CLICKHOUSE_PASSWORD: 'prognos',
    });
  });
});
