// The Kafka side of the bus seam (kafkajs). Partitions are chosen by our murmur2 partitioner so they match
// the embedded bus; offsets are committed only when the runner says so; where to start on assignment is
// the runner's answer (its store checkpoint), applied with seek. kafkajs logs go through pino.
import { Kafka, logLevel as KafkaLogLevel, type Consumer, type LogEntry, type Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { PrognosError, messageOf } from '../errors.ts';
import type { Logger } from '../observability/log.ts';
import { batchLength } from './batch.ts';
import { partitionFor } from './partitioner.ts';
import type { Bus, BusConsumer, BusRecord, ConsumerOptions, PartitionHandler } from './types.ts';

export interface KafkaBusOptions {
  brokers: readonly string[];
  clientId: string;
  /** Idempotent producer (needs a real broker; the librdkafka mock does not support it). */
  idempotent: boolean;
  /** Group session timeout; a stopped member's partitions move on after at most this. */
  sessionTimeoutMs?: number;
  log: Logger;
}

function pinoLogCreator(log: Logger) {
  return () =>
    ({ level, log: entry }: LogEntry) => {
      const { message, ...fields } = entry;
      if (level <= KafkaLogLevel.ERROR) log.error(fields, message);
      else if (level <= KafkaLogLevel.WARN) log.warn(fields, message);
      else log.debug(fields, message);
    };
}

function toBusRecord(topic: string, partition: number, message: { offset: string; key: Buffer | null; value: Buffer | null; timestamp: string }): BusRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key ? message.key.toString('utf8') : '',
    value: message.value ?? Buffer.alloc(0),
    timestampMs: Number(message.timestamp),
  };
}

/** kafkajs errors carry `retriable`; keep it, under our code. */
function toBusError(err: unknown, what: string): PrognosError {
  if (err instanceof PrognosError) return err;
  const retriable = (err as { retriable?: unknown }).retriable;
  return new PrognosError('BUS_UNAVAILABLE', `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err, retriable: retriable === undefined ? true : Boolean(retriable) });
}

/** Create the Kafka bus. Connections open lazily on first use. */
export function createKafkaBus(options: KafkaBusOptions): Bus {
  const kafka = new Kafka({ clientId: options.clientId, brokers: [...options.brokers], logLevel: KafkaLogLevel.WARN, logCreator: pinoLogCreator(options.log) });
  const admin = kafka.admin();
  let adminReady: Promise<void> | undefined;
  let producer: Producer | undefined;
  let producerReady: Promise<void> | undefined;
  const partitionCounts = new Map<string, number>();
  const consumers = new Set<BusConsumer>();

  async function withAdmin() {
    adminReady ??= admin.connect();
    await adminReady;
    return admin;
  }

  async function partitionCount(topic: string): Promise<number> {
    const cached = partitionCounts.get(topic);
    if (cached !== undefined) return cached;
    const metadata = await (await withAdmin()).fetchTopicMetadata({ topics: [topic] });
    const count = metadata.topics[0]?.partitions.length ?? 0;
    if (count === 0) throw new PrognosError('BUS_UNAVAILABLE', `topic ${topic} has no partitions`);
    partitionCounts.set(topic, count);
    return count;
  }

  return {
    kind: 'kafka',
    async ensureTopic(topic, partitions) {
      const client = await withAdmin();
      const existing = await client.listTopics();
      if (!existing.includes(topic)) {
        await client.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: -1 }] });
      }
    },
    partitionCount,
    async produce(topic, messages) {
      try {
        const count = await partitionCount(topic);
        if (!producer) {
          producer = kafka.producer({ idempotent: options.idempotent, allowAutoTopicCreation: false, ...(options.idempotent ? { maxInFlightRequests: 1 } : {}) });
          producerReady = producer.connect();
        }
        await producerReady;
        await producer.send({
          topic,
          acks: -1,
          messages: messages.map((m) => ({ key: m.key, value: m.value, partition: partitionFor(m.key, count), ...(m.timestampMs === undefined ? {} : { timestamp: String(m.timestampMs) }) })),
        });
      } catch (err) {
        throw toBusError(err, `produce to ${topic}`); // kafkajs reconnects by itself; the caller retries

      }
    },
    async lastRecords(topic) {
      return readLastRecords(kafka, await withAdmin(), topic);
    },
    createConsumer(consumerOptions) {
      const consumer = createKafkaConsumer(kafka.consumer({ groupId: consumerOptions.group, allowAutoTopicCreation: false, ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeout: options.sessionTimeoutMs, heartbeatInterval: Math.max(100, Math.floor(options.sessionTimeoutMs / 10)) }) }), consumerOptions, options.log, options.sessionTimeoutMs ?? 30_000);
      consumers.add(consumer);
      return consumer;
    },
    async close() {
      for (const consumer of consumers) await consumer.stop();
      if (producer) await producer.disconnect();
      if (adminReady) await admin.disconnect();
    },
  };
}

/** Read the last record of every non-empty partition with a throwaway group. */
async function readLastRecords(kafka: Kafka, admin: ReturnType<Kafka['admin']>, topic: string): Promise<BusRecord[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const wanted = new Map(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high) - 1]));
  if (wanted.size === 0) return [];
  const groupId = `prognos-tail-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId });
  const found = new Map<number, BusRecord>();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new PrognosError('BUS_UNAVAILABLE', `timed out reading the tail of ${topic}`)), 30_000);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const [partition, offset] of wanted) consumer.seek({ topic, partition, offset: String(offset) });
      });
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (Number(message.offset) === wanted.get(partition)) found.set(partition, toBusRecord(topic, partition, message));
          if (found.size === wanted.size) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined); // best effort: an empty group expires anyway
  }
  return [...found.values()];
}

/**
 * Coordinator answers that mean this member is no longer in the group's current generation: another member
 * may own its partitions now. (REBALANCE_IN_PROGRESS is not one of them: the member still owns its
 * partitions until it rejoins, and the group waits for it to finish its batch.)
 */
const membershipLost = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']);
/** The error type kafkajs gives a broker answer (undefined for errors of its own). */
const kafkaErrorType = (err: unknown): unknown => (err as { type?: unknown } | undefined)?.type;
const lostMembership = (err: unknown): boolean => membershipLost.has(String(kafkaErrorType(err)));

function createKafkaConsumer(consumer: Consumer, options: ConsumerOptions, log: Logger, sessionTimeoutMs: number): BusConsumer {
  let assigned: number[] = [];
  /** The member id of the last join: a new one means the group dropped this member in between. */
  let memberId: string | undefined;
  let failed = false;
  let stopped = false;
  let assigning: Promise<void> = Promise.resolve();
  /** Partitions whose seek has not taken effect yet: fetches that started elsewhere are dropped. */
  const awaitingSeek = new Map<number, { offset: number; sinceMs: number }>();
  const { topic } = options;

  /** Whether a fetched batch may be delivered, given a pending seek on its partition. */
  function deliverable(partition: number, firstOffset: number, lastOffset: number): boolean {
    const pending = awaitingSeek.get(partition);
    if (!pending) return true;
    if (firstOffset <= pending.offset && lastOffset >= pending.offset) {
      awaitingSeek.delete(partition);
      return true;
    }
    if (firstOffset > pending.offset && Date.now() - pending.sinceMs > 30_000) {
      // The offset is gone from the broker (retention): go on from what exists, loudly.
      log.error({ partition, wanted: pending.offset, got: firstOffset }, 'records below the checkpoint are no longer on the broker');
      awaitingSeek.delete(partition);
      return true;
    }
    return firstOffset <= pending.offset; // entirely below: the runner skips what it has done already
  }

  return {
    async start(handler: PartitionHandler) {
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) failed = true;
        log.error({ err: event.payload.error, restart: event.payload.restart }, 'kafka consumer crashed');
      });
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        const now = (event.payload.memberAssignment[topic] ?? []).slice().sort((a, b) => a - b);
        // Rejoined under a new member id (kafkajs found the session ended on its own heartbeat): another
        // member may have owned every partition meanwhile, so none keeps its state.
        const evicted = memberId !== undefined && event.payload.memberId !== memberId ? assigned : [];
        memberId = event.payload.memberId;
        if (evicted.length > 0) {
          log.warn({ partitions: evicted }, 'rejoined the group under a new member id: partitions dropped and assigned afresh');
          assigned = [];
        }
        const lost = assigned.filter((p) => !now.includes(p));
        const added = now.filter((p) => !assigned.includes(p));
        assigned = now;
        // Partitions kept across a rebalance keep their in-memory state and position; only changes count.
        assigning = assigning.then(async () => {
          if (evicted.length > 0) await handler.onLost?.(evicted);
          if (lost.length > 0) await handler.onRevoked(lost);
          if (added.length === 0) return;
          const starts = await handler.onAssigned(added);
          for (const [partition, offset] of starts) {
            awaitingSeek.set(partition, { offset, sinceMs: Date.now() });
            consumer.seek({ topic, partition, offset: String(offset) });
          }
        }).catch((err: unknown) => {
          failed = true;
          log.error({ err }, 'partition assignment failed');
        });
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          await assigning;
          if (!assigned.includes(batch.partition) || batch.messages.length === 0) return;
          const records = batch.messages.map((m) => toBusRecord(topic, batch.partition, m));
          if (!deliverable(batch.partition, records[0]!.offset, records.at(-1)!.offset)) return;
          let lost: unknown;
          let confirmedAt = Date.now(); // kafkajs has just fetched this batch as a member
          const lostError = (err: unknown) => new PrognosError('PARTITION_LOST', `partition ${batch.partition} of ${topic}: the group session ended (${messageOf(err)})`, { cause: err });
          /**
           * Heartbeat (sent when one is due) as the membership check the handler makes before writing. Once
           * lost, always lost: writes still queued for the batch must not pass after kafkajs has rejoined.
           * A member that cannot confirm its membership for a whole session timeout (coordinator moved or
           * unreachable) counts as lost too: kafkajs finds the coordinator again only when it rejoins.
           */
          const alive = async () => {
            if (lost !== undefined) throw lostError(lost);
            try {
              await heartbeat();
              confirmedAt = Date.now();
            } catch (err) {
              if (lostMembership(err) || Date.now() - confirmedAt > sessionTimeoutMs) {
                lost ??= err;
                throw lostError(err);
              }
              if (kafkaErrorType(err) === 'REBALANCE_IN_PROGRESS') return; // still the owner until it rejoins
              throw new PrognosError('BUS_UNAVAILABLE', `heartbeat for ${topic}: ${messageOf(err)}`, { cause: err });
            }
          };
          /** Every partition may have moved while this member was out of the group: the handler drops them all. */
          const loseAll = async (err: unknown) => {
            const gone = assigned;
            assigned = [];
            log.warn({ err: messageOf(err), partitions: gone }, 'group session ended mid-batch: partitions dropped, rejoining');
            await handler.onLost?.(gone);
            throw err; // kafkajs rejoins; whatever the new assignment holds is assigned afresh
          };
          for (let i = 0; i < records.length && isRunning() && !isStale(); ) {
            const rest = records.slice(i, i + options.maxBatchRecords);
            const chunk = rest.slice(0, batchLength(rest, options.maxBatchRecords, options.maxBatchBytes));
            i += chunk.length;
            await handler.onRecords(batch.partition, chunk, Number(batch.highWatermark), alive);
            if (lost !== undefined) await loseAll(lost);
            resolveOffset(String(chunk.at(-1)!.offset));
            await heartbeat().catch((err: unknown) => (lostMembership(err) ? loseAll(err) : Promise.reject(err)));
          }
        },
      });
    },
    async commit(partition, nextOffset) {
      await consumer.commitOffsets([{ topic, partition, offset: String(nextOffset) }]);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await consumer.disconnect();
    },
    healthy() {
      return !failed;
    },
  };
}
