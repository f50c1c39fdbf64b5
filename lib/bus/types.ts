// The bus seam: what producers and the processor runner need from a partitioned log. Two sides implement
// it with the same keys, partitions and bytes: the embedded file-backed log and Kafka (kafkajs).

/** A record read from a partition. Offsets are dense per partition, starting at 0. */
export interface BusRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: Buffer;
  /** Append (broker) time, epoch ms. Used for validation windows so replays decide identically. */
  timestampMs: number;
}

/** A message to produce. The partition is derived from the key (Kafka's murmur2 default). */
export interface ProduceMessage {
  key: string;
  value: Buffer;
  /** Defaults to the bus clock at append. */
  timestampMs?: number;
}

/** Callbacks the consumer drives. `onRecords` is awaited before the partition fetches again. */
export interface PartitionHandler {
  /** Partitions now owned; returns where each should start (absent: the group's committed offset). */
  onAssigned(partitions: readonly number[]): Promise<ReadonlyMap<number, number>>;
  /** Partitions about to be given up; in-flight batches have finished. */
  onRevoked(partitions: readonly number[]): Promise<void>;
  /**
   * Records of one partition in offset order; `logEnd` is the partition's end offset (for lag). `alive`,
   * where the bus has group membership to keep (Kafka), tells the group this member is alive and confirms it
   * still owns its partitions: call it before each write and while waiting out retries. It rejects with
   * PARTITION_LOST once the member has lost them (the handler then writes nothing more for the batch), and
   * with a retriable BUS_UNAVAILABLE while membership cannot be confirmed.
   */
  onRecords(partition: number, records: readonly BusRecord[], logEnd: number, alive?: () => Promise<void>): Promise<void>;
  /**
   * Partitions this member may have lost without a revoke (its group session ended while a batch was in
   * flight): drop their state and write nothing for them. They are assigned afresh, with onAssigned, if they
   * come back.
   */
  onLost?(partitions: readonly number[]): Promise<void>;
}

/** A group member consuming one topic. */
export interface BusConsumer {
  start(handler: PartitionHandler): Promise<void>;
  /** Record that everything below `nextOffset` is done. */
  commit(partition: number, nextOffset: number): Promise<void>;
  /** Stop fetching, wait for in-flight batches, revoke, leave the group. Idempotent. */
  stop(): Promise<void>;
  /** False once the consumer has crashed or lost its connection for good. */
  healthy(): boolean;
}

export interface ConsumerOptions {
  group: string;
  topic: string;
  /** Upper bound of records handed to one onRecords call. */
  maxBatchRecords: number;
  /** Upper bound of record value bytes in one onRecords call (at least one record goes); default: no bound. */
  maxBatchBytes?: number;
}

/** A partitioned log. */
export interface Bus {
  readonly kind: 'embedded' | 'kafka';
  /** Create the topic if missing. Existing topics keep their partition count. */
  ensureTopic(topic: string, partitions: number): Promise<void>;
  partitionCount(topic: string): Promise<number>;
  /** Resolves once every message is durable on the log. */
  produce(topic: string, messages: readonly ProduceMessage[]): Promise<void>;
  /** The last record of each non-empty partition (collectors resume from it). */
  lastRecords(topic: string): Promise<BusRecord[]>;
  createConsumer(options: ConsumerOptions): BusConsumer;
  close(): Promise<void>;
}
