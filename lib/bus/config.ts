// Configuration of the bus seam: Kafka when KAFKA_BROKERS is set, otherwise the embedded log.
import { Type, type Static } from '@sinclair/typebox';

export const busConfigSchema = Type.Object({
  brokers: Type.Array(Type.String(), { env: 'KAFKA_BROKERS', description: 'Kafka bootstrap servers, comma-separated. Empty: the embedded bus under PROGNOS_DATA_DIR/bus (single process).', default: [] }),
  clientId: Type.String({ env: 'KAFKA_CLIENT_ID', description: 'Kafka client id.', default: 'prognos' }),
  idempotent: Type.Boolean({ env: 'KAFKA_IDEMPOTENT', description: 'Idempotent Kafka producer (no duplicates on producer retries). Turn off only for brokers without it, such as the librdkafka mock.', default: true }),
  sessionTimeoutMs: Type.Integer({ env: 'KAFKA_SESSION_TIMEOUT_MS', description: 'Consumer group session timeout: how long a silent member keeps its partitions.', default: 30_000, minimum: 1000 }),
  schemaRegistryUrl: Type.String({ env: 'SCHEMA_REGISTRY_URL', description: 'Confluent-compatible schema registry. Set: schemas are registered under <topic>-value at start and messages carry the registry ids. Empty: built-in ids.', default: '' }),
  metricsTopic: Type.String({ env: 'BUS_METRICS_TOPIC', description: 'Topic of MetricBatch records.', default: 'telemetry.ingest.metric-batch.v1' }),
  alertsTopic: Type.String({ env: 'BUS_ALERTS_TOPIC', description: 'Topic of AlertEvent records (anomaly triggers and resolves).', default: 'telemetry.alerts.alert-event.v1' }),
  partitions: Type.Integer({ env: 'BUS_PARTITIONS', description: 'Partitions of topics prognos creates (existing topics keep theirs).', default: 4, minimum: 1 }),
  fsync: Type.Boolean({ env: 'BUS_FSYNC', description: 'Embedded bus: fsync every append (survives power loss, not only crashes).', default: true }),
  retentionHours: Type.Number({ env: 'BUS_RETENTION_HOURS', description: 'Embedded bus: a log segment is deleted once it was last written this long ago and every consumer group has committed past it. 0 keeps everything.', default: 24, minimum: 0 }),
  segmentBytes: Type.Integer({ env: 'BUS_SEGMENT_BYTES', description: 'Embedded bus: size at which a partition starts a new log segment (retention deletes whole segments).', default: 67_108_864, minimum: 1024 }),
});

export type BusConfig = Static<typeof busConfigSchema>;
