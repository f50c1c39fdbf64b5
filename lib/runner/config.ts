// Configuration of the processor runner (shared by every processor).
import { Type, type Static } from '@sinclair/typebox';

export const runnerConfigSchema = Type.Object({
  maxBatchRecords: Type.Integer({ env: 'PROCESSOR_MAX_BATCH_RECORDS', description: 'Most bus records handled (and inserted) as one batch.', default: 10_000, minimum: 1 }),
  maxBatchBytes: Type.Integer({ env: 'PROCESSOR_MAX_BATCH_BYTES', description: 'Most bytes of bus records handled as one batch (a larger record goes alone); whichever of this and PROCESSOR_MAX_BATCH_RECORDS comes first ends the batch.', default: 4_194_304, minimum: 1 }),
  storeConcurrency: Type.Integer({ env: 'PROCESSOR_STORE_CONCURRENCY', description: 'Inserts in flight at once per process (p-queue); bounds memory when the store is slow.', default: 4, minimum: 1 }),
  checkpointIntervalMs: Type.Integer({ env: 'PROCESSOR_CHECKPOINT_INTERVAL_MS', description: 'Longest a partition goes without storing a checkpoint and committing to the bus while batches finish. A batch with outputs always stores its range first; one without outputs stores nothing. A restart replays at most this much, without duplicates.', default: 5_000, minimum: 0 }),
  snapshotIntervalMs: Type.Integer({ env: 'PROCESSOR_SNAPSHOT_INTERVAL_MS', description: 'How often stateful processors snapshot their state (also on revoke and shutdown).', default: 60_000, minimum: 100 }),
  snapshotPartBytes: Type.Integer({ env: 'PROCESSOR_SNAPSHOT_PART_BYTES', description: 'Size of one stored snapshot part; the event loop is held for about one part at a time while a snapshot is written.', default: 1_048_576, minimum: 1024 }),
  snapshotBufferBytes: Type.Integer({ env: 'PROCESSOR_SNAPSHOT_BUFFER_BYTES', description: 'A partition snapshot up to this size is serialised, then stored in the background while the partition goes on; a larger one holds the partition until it is stored. Memory: up to this much per partition.', default: 33_554_432, minimum: 0 }),
  retryBaseDelayMs: Type.Integer({ env: 'PROCESSOR_RETRY_BASE_DELAY_MS', description: 'First back-off delay for retriable store and bus errors.', default: 100, minimum: 1 }),
  retryMaxDelayMs: Type.Integer({ env: 'PROCESSOR_RETRY_MAX_DELAY_MS', description: 'Cap of the jittered exponential back-off for retriable store and bus errors.', default: 30_000, minimum: 10 }),
});

export type RunnerConfig = Static<typeof runnerConfigSchema>;
