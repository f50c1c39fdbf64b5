// The embedded bus: an in-process partitioned log under <dataDir>/bus with Kafka's keying, partition
// numbers and message bytes. One consumer per group (the process is the group); committed offsets are
// written atomically per group. Gives the single-process deployment the same crash semantics as Kafka.
// Retention (checked at most once a minute per topic, on produce) deletes old segments that every group
// known on the topic (an offsets file) has committed past.
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { PrognosError } from '../errors.ts';
import type { Logger } from '../observability/log.ts';
import { createSerial } from '../serial.ts';
import { PartitionLog } from './partition-log.ts';
import { partitionFor } from './partitioner.ts';
import type { Bus, BusConsumer, BusRecord, ConsumerOptions, PartitionHandler, ProduceMessage } from './types.ts';

export interface EmbeddedBusOptions {
  dir: string;
  /** fsync every append (durable against power loss, not only process crashes). */
  fsync: boolean;
  /** Segments last written longer ago than this, and committed past by every group, are deleted; 0 keeps all. */
  retentionMs?: number;
  /** A partition starts a new segment past this size (default 64 MiB). */
  segmentBytes?: number;
  /** Wall clock for append timestamps; injectable for tests. */
  now?: () => number;
  log: Logger;
}

interface Topic {
  dir: string;
  partitions: PartitionLog[];
  retentionCheckedAt: number;
}

const RETENTION_CHECK_MS = 60_000;

/**
 * Per partition, the oldest offset some consumer group still needs: the lowest offset committed by any group
 * with an offsets file in `dir` (a group with no commit on a partition needs all of it). With no group on the
 * topic nothing is held back.
 */
function neededFrom(dir: string, partitions: number): number[] {
  const groups = readdirSync(dir).filter((name) => /^offsets\..+\.json$/.test(name));
  const needed = new Array<number>(partitions).fill(groups.length === 0 ? Infinity : 0);
  for (const [i, name] of groups.entries()) {
    const committed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, number>;
    for (let p = 0; p < partitions; p++) {
      const offset = committed[String(p)] ?? 0;
      needed[p] = i === 0 ? offset : Math.min(needed[p]!, offset);
    }
  }
  return needed;
}

/** writeFileAtomic off the event loop: the consumer's offset commits, which come often. */
async function writeFileAtomicAsync(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}

function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

/** Create the embedded bus rooted at `options.dir`. */
export function createEmbeddedBus(options: EmbeddedBusOptions): Bus {
  const topics = new Map<string, Topic>();
  const appended = new EventEmitter();
  appended.setMaxListeners(0);
  const now = options.now ?? Date.now;
  mkdirSync(options.dir, { recursive: true });

  function openTopic(name: string): Topic | undefined {
    const existing = topics.get(name);
    if (existing) return existing;
    const dir = join(options.dir, name);
    const metaPath = join(dir, 'topic.json');
    if (!existsSync(metaPath)) return undefined;
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { partitions: number };
    const partitions: PartitionLog[] = [];
    for (let p = 0; p < meta.partitions; p++) {
      const log = new PartitionLog(join(dir, String(p)), name, p, { fsync: options.fsync, segmentBytes: options.segmentBytes ?? 64 * 2 ** 20, now }, join(dir, `${p}.log`));
      if (log.truncatedBytes > 0) options.log.warn({ topic: name, partition: p, bytes: log.truncatedBytes }, 'cut a torn tail from the embedded log');
      if (log.unreadableBytes > 0) options.log.error({ topic: name, partition: p, bytes: log.unreadableBytes }, 'corrupt frames in sealed log segments: the records after them are skipped');
      partitions.push(log);
    }
    const topic: Topic = { dir, partitions, retentionCheckedAt: now() };
    topics.set(name, topic);
    return topic;
  }

  function enforceRetention(name: string, topic: Topic): void {
    topic.retentionCheckedAt = now();
    const retentionMs = options.retentionMs ?? 0;
    if (retentionMs <= 0) return;
    const needed = neededFrom(topic.dir, topic.partitions.length);
    for (const [p, log] of topic.partitions.entries()) {
      const deleted = log.deleteSegmentsBefore(now() - retentionMs, needed[p]!);
      if (deleted > 0) options.log.info({ topic: name, partition: p, segments: deleted, startOffset: log.startOffset() }, 'retention deleted old log segments');
    }
  }

  function requireTopic(name: string): Topic {
    const topic = openTopic(name);
    if (!topic) throw new PrognosError('INTERNAL', `topic ${name} does not exist; call ensureTopic first`);
    return topic;
  }

  return {
    kind: 'embedded',
    async ensureTopic(name, partitions) {
      if (openTopic(name)) return;
      const dir = join(options.dir, name);
      mkdirSync(dir, { recursive: true });
      writeFileAtomic(join(dir, 'topic.json'), JSON.stringify({ partitions }));
      openTopic(name);
    },
    async partitionCount(name) {
      return requireTopic(name).partitions.length;
    },
    async produce(name, messages: readonly ProduceMessage[]) {
      const topic = requireTopic(name);
      const byPartition = new Map<number, { key: string; value: Buffer; timestampMs: number }[]>();
      const at = now();
      for (const message of messages) {
        const p = partitionFor(message.key, topic.partitions.length);
        let list = byPartition.get(p);
        if (!list) byPartition.set(p, (list = []));
        list.push({ key: message.key, value: message.value, timestampMs: message.timestampMs ?? at });
      }
      // the partitions' appends (and fsyncs) run side by side; what was appended is readable even when
      // another partition's append failed
      const results = await Promise.allSettled([...byPartition].map(([p, list]) => topic.partitions[p]!.append(list)));
      appended.emit(name);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      if (now() - topic.retentionCheckedAt >= RETENTION_CHECK_MS) {
        // The append is durable: a retention failure must not fail it (the caller would produce it again).
        try {
          enforceRetention(name, topic);
        } catch (err) {
          options.log.warn({ err, topic: name }, 'log retention failed; retrying at the next check');
        }
      }
    },
    async lastRecords(name) {
      const topic = openTopic(name);
      if (!topic) return [];
      const out: BusRecord[] = [];
      for (const log of topic.partitions) {
        const end = log.endOffset();
        if (end > 0) out.push(...log.read(end - 1, 1));
      }
      return out;
    },
    createConsumer(consumerOptions) {
      return createEmbeddedConsumer(consumerOptions, () => requireTopic(consumerOptions.topic), join(options.dir, consumerOptions.topic), appended, options.log);
    },
    async close() {
      for (const topic of topics.values()) for (const log of topic.partitions) await log.settled();
      for (const topic of topics.values()) for (const log of topic.partitions) log.close();
      topics.clear();
    },
  };
}

function createEmbeddedConsumer(
  options: ConsumerOptions,
  topicOf: () => Topic,
  dir: string,
  appended: EventEmitter,
  log: Logger,
): BusConsumer {
  const offsetsPath = join(dir, `offsets.${encodeURIComponent(options.group)}.json`);
  const committed: Record<string, number> = existsSync(offsetsPath) ? (JSON.parse(readFileSync(offsetsPath, 'utf8')) as Record<string, number>) : {};
  const commits = createSerial(); // one write at a time: they share the temporary file
  const positions = new Map<number, number>();
  let running = false;
  let loop: Promise<void> | undefined;
  const wakers = new Set<() => void>();
  let failed = false;

  async function waitForAppend(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        appended.off(options.topic, done);
        wakers.delete(done);
        resolve();
      }
      wakers.add(done);
      appended.on(options.topic, done);
    });
  }

  /** One fetch loop per partition, so one partition's store write overlaps another's decoding. */
  async function runPartition(handler: PartitionHandler, p: number): Promise<void> {
    const partitionLog = topicOf().partitions[p]!;
    while (running) {
      const position = positions.get(p)!;
      const records = partitionLog.read(position, options.maxBatchRecords, options.maxBatchBytes);
      if (records.length === 0) {
        await waitForAppend(250);
        continue;
      }
      await handler.onRecords(p, records, partitionLog.endOffset());
      positions.set(p, records.at(-1)!.offset + 1);
    }
  }

  async function run(handler: PartitionHandler): Promise<void> {
    await Promise.all([...positions.keys()].map((p) => runPartition(handler, p)));
  }

  return {
    async start(handler) {
      const topic = topicOf();
      const all = topic.partitions.map((_, p) => p);
      const starts = await handler.onAssigned(all);
      for (const p of all) positions.set(p, starts.get(p) ?? committed[String(p)] ?? 0);
      running = true;
      log.info({ topic: options.topic, group: options.group, partitions: all.length }, 'embedded consumer assigned every partition');
      loop = run(handler).then(
        () => handler.onRevoked(all),
        (err: unknown) => {
          failed = true;
          running = false;
          throw err;
        },
      );
      loop.catch(() => undefined); // observed through stop() and healthy(); the runner logs the cause
    },
    commit(partition, nextOffset) {
      committed[String(partition)] = nextOffset;
      // each write stores the offsets as they are when it starts
      return commits.run(() => writeFileAtomicAsync(offsetsPath, JSON.stringify(committed)));
    },
    async stop() {
      running = false;
      for (const wake of [...wakers]) wake();
      if (loop) await loop.catch(() => undefined);
      loop = undefined;
      await commits.settled();
    },
    healthy() {
      return !failed;
    },
  };
}
