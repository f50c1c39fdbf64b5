// The one processor runner: fetch -> handle (decode failures are dead letters) -> checkpoint the range ->
// insert -> commit. Inserts carry deterministic tokens derived from (group, topic, partition, offset range,
// table), and the range of a batch with outputs is checkpointed before its inserts, so a crash at any
// instant replays exactly the same batches with the same tokens: at-least-once delivery, exactly-once
// effect. Finished batches are checkpointed lazily (every `checkpointIntervalMs`, before a snapshot, on
// revoke): the next batch's range implies them, a batch without outputs needs no range, and a restart
// replays the unrecorded tail, whose inserts deduplicate. Stateful processors restore their latest snapshot
// and replay up to the checkpoint without writing.
import { setImmediate } from 'node:timers/promises';
import type PQueue from 'p-queue';
import type { BusConsumer, BusRecord, PartitionHandler } from '../bus/types.ts';
import { PrognosError, isRetriable, messageOf } from '../errors.ts';
import type { Logger } from '../observability/log.ts';
import type { PipelineMetrics } from '../observability/metrics.ts';
import { retry, sleep } from '../retry.ts';
import { rowCount, type RowRun, type TableRows } from '../store/types.ts';
import { nextGeneration, type Checkpoint, type CheckpointStore } from './checkpoints.ts';
import type { SnapshotStore, SnapshotTarget } from './snapshots.ts';
import type { RunnerConfig } from './config.ts';
import type { BusMessage, DeadLetter, HandleResult, Lookup, ProcessorDefinition } from './types.ts';

/** Where rows go: the store, or a fake in tests. */
export interface RowSink {
  insert(rows: TableRows, token?: string): Promise<void>;
}

/** Where a processor's bus messages go. */
export interface MessageSink {
  produce(topic: string, messages: readonly { key: string; value: Buffer }[]): Promise<void>;
}

export interface RunnerDeps<S> {
  definition: ProcessorDefinition<S>;
  /** Needed only by processors that emit messages. */
  producer?: MessageSink;
  /** Needed only by processors with prepare(): reads the stored rows a batch asks for. */
  lookup?: Lookup;
  consumer: BusConsumer;
  topic: string;
  group: string;
  sink: RowSink;
  checkpoints: CheckpointStore;
  snapshots: SnapshotStore;
  config: RunnerConfig;
  queue: PQueue;
  log: Logger;
  metrics: PipelineMetrics;
  now: () => number;
  /** Called once when the runner cannot go on (non-retriable store error, bug). */
  onFatal: (err: unknown) => void;
}

interface PartitionWork<S> {
  state: S;
  /** Next offset expected from the bus; undefined until the first record when nothing is checkpointed. */
  position: number | undefined;
  /** Where the partition has got to; stored as a checkpoint one version above `stored` when written. */
  checkpoint: Omit<Checkpoint, 'version'>;
  /** The checkpoint last stored, and when (deps.now()) a finished position was last stored and committed. */
  stored: Checkpoint;
  storedAt: number;
  /** Records below this offset only rebuild state (their outputs are already durable). */
  restoreUntil: number;
  /** Records gathered to replay the in-flight batch [checkpoint.nextOffset, checkpoint.pendingTo]. */
  replay: BusRecord[];
  /** The state reflects every record below this offset (what a snapshot records). */
  stateOffset: number;
  lastSnapshotAt: number;
  lastSnapshotOffset: number;
  /** Slot of the newest complete snapshot (the next one goes to the other slot). */
  snapshotSlot: 0 | 1;
  /** The snapshot being written, if any (one at a time per partition), and while its state is being serialised. */
  snapshotting: Promise<void> | undefined;
  snapshotHeld: Promise<void> | undefined;
  /** Checkpoint writes of this partition, chained so they land in version order. */
  checkpointWrites: Promise<void>;
  /** True while onRecords works on the partition; the idle flush leaves it alone then. */
  busy: boolean;
  /** Stores a deferred finished position once the partition has been idle for the interval. */
  flushTimer: NodeJS.Timeout | undefined;
  flushing: Promise<void> | undefined;
  /**
   * True from handle() until the batch's outputs are stored: the state then holds records its offsets do
   * not cover yet, so a snapshot taken now (say, on revoke after an abandoned batch) would double-apply them.
   */
  dirty: boolean;
}

/** A batch's membership check (PartitionHandler.onRecords). */
type Alive = () => Promise<void>;

const isLost = (err: unknown): boolean => err instanceof PrognosError && err.code === 'PARTITION_LOST';

/** One membership check during a wait: only a lost partition is an error; other failures wait for the next check. */
async function keepAlive(alive: Alive): Promise<void> {
  await alive().catch((err: unknown) => {
    if (isLost(err)) throw err;
  });
}

/**
 * A back-off wait that keeps the group session: `alive` every 250 ms (the bus sends a heartbeat only when
 * one is due). Only a lost partition ends the wait early; other failures wait for the next attempt.
 */
async function sleepAlive(ms: number, alive: Alive): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    await sleep(Math.min(250, left));
    await keepAlive(alive);
  }
}

/**
 * Waits for `work` (a flush, or a snapshot holding the partition) while keeping the group session the
 * same way; a lost partition ends the wait early and the work goes on by itself.
 */
async function waitAlive(work: Promise<void>, alive: Alive | undefined): Promise<void> {
  if (alive === undefined) return work;
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  settled.catch(() => undefined); // its failure is the work's owner's to report, also once this wait has ended
  while (!done) {
    await Promise.race([settled, sleep(250)]);
    if (done) break;
    await keepAlive(alive);
  }
  return settled;
}

const deadLetterColumns = ['tenant', 'received_at', 'component', 'topic', 'partition', 'offset', 'reason', 'detail', 'payload'];

export interface Runner {
  /** The processor's name (readiness checks, logs). */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  healthy(): boolean;
}

/**
 * One batch through a processor: prepare, look up what it asked for, handle. Shared by the runner (whose
 * look-up retries) and by benches and tests that drive a processor without one.
 */
export async function handleBatch<S>(definition: ProcessorDefinition<S>, state: S, records: readonly BusRecord[], lookup?: Lookup): Promise<HandleResult> {
  if (!definition.prepare) {
    const slice = definition.sliceRecords ?? records.length;
    if (records.length <= slice) return definition.handle(state, records);
    const results: HandleResult[] = [];
    for (let from = 0; from < records.length; from += slice) {
      if (from > 0) await setImmediate(); // the state is mid-batch (the partition is dirty): nothing else reads it
      results.push(definition.handle(state, records.slice(from, from + slice)));
    }
    return joinResults(results);
  }
  const { context, request } = definition.prepare(state, records);
  if (request !== undefined && lookup === undefined) throw new PrognosError('INTERNAL', `${definition.name} asked for stored rows but has no look-up`);
  const answer = request === undefined ? undefined : await lookup!(request);
  return definition.handle(state, records, { context, answer });
}

/** The results of handling consecutive slices of a batch as one: tables joined by name and columns, in order. */
export function joinResults(results: readonly HandleResult[]): HandleResult {
  const tables = new Map<string, { table: string; columns: readonly string[]; rows: unknown[][]; runs: RowRun[] }>();
  const messages: BusMessage[] = [];
  const deadLetters: DeadLetter[] = [];
  const skipped: Record<string, number> = {};
  let accepted = 0;
  let skips = false;
  for (const result of results) {
    for (const t of result.outputs) {
      const key = `${t.table}(${t.columns.join(',')})`;
      let joined = tables.get(key);
      if (joined === undefined) tables.set(key, (joined = { table: t.table, columns: t.columns, rows: [], runs: [] }));
      for (const row of t.rows) joined.rows.push(row); // not push(...): a slice may hold 100k+ rows
      for (const run of t.runs ?? []) joined.runs.push(run);
    }
    for (const m of result.messages ?? []) messages.push(m);
    for (const letter of result.deadLetters) deadLetters.push(letter);
    accepted += result.accepted;
    for (const [reason, count] of Object.entries(result.skipped ?? {})) {
      skipped[reason] = (skipped[reason] ?? 0) + count;
      skips = true;
    }
  }
  const outputs = [...tables.values()].map(({ table, columns, rows, runs }): TableRows => (runs.length > 0 ? { table, columns, rows, runs } : { table, columns, rows }));
  return { outputs, ...(messages.length > 0 ? { messages } : {}), deadLetters, accepted, ...(skips ? { skipped } : {}) };
}

/** Build a runner for one processor on one topic. */
export function createRunner<S>(deps: RunnerDeps<S>): Runner {
  const { definition, consumer, topic, group, config, log, metrics } = deps;
  const component = definition.name;
  if (definition.prepare && !deps.lookup) throw new PrognosError('INTERNAL', `${component} reads stored rows: the runner needs a look-up`);
  const work = new Map<number, PartitionWork<S>>();
  /** Background work (a snapshot, a flush) of partitions dropped with a lost session, still finishing. */
  const orphans = new Set<Promise<void>>();
  let stopping = false;
  let fatal: unknown;

  /**
   * `operation` with capped, jittered retries. `alive` (a batch's membership check, see PartitionHandler)
   * runs before every attempt: a retrying batch keeps its group session, and writes nothing once the
   * partition is lost.
   */
  const withRetry = <T>(what: string, operation: () => Promise<T>, alive?: Alive) =>
    retry(alive === undefined ? operation : async () => (await alive(), operation()), {
      ...(alive === undefined ? {} : { sleep: (ms: number) => sleepAlive(ms, alive) }),
      baseDelayMs: config.retryBaseDelayMs,
      maxDelayMs: config.retryMaxDelayMs,
      isRetriable,
      shouldStop: () => stopping,
      onRetry: (err, attempt, delayMs) => {
        metrics.retries.inc({ component });
        log.warn({ err: messageOf(err), attempt, delayMs, what }, 'store call failed; retrying');
      },
    });

  const lookupFor = (alive?: Alive): Lookup | undefined => deps.lookup && ((request: unknown) => withRetry('look-up', () => deps.lookup!(request), alive));

  const saveCheckpoint = (partition: number, checkpoint: Checkpoint, alive?: Alive) =>
    withRetry('checkpoint', () => deps.checkpoints.save(group, topic, partition, checkpoint, deps.now()), alive);

  /**
   * Commits to the bus where a restart reads from: the next offset for stateless processors, the newest
   * snapshot's offset for stateful ones (they replay from it). The embedded bus keeps what groups have not
   * committed past, so its retention never deletes what a restore needs. Informational for Kafka tooling:
   * the store checkpoint stays authoritative.
   */
  async function commitResumePoint(partition: number, entry: PartitionWork<S>, next: number): Promise<void> {
    entry.storedAt = deps.now();
    const resumeFrom = definition.snapshot ? Math.max(entry.lastSnapshotOffset, 0) : next;
    await consumer.commit(partition, resumeFrom).catch((err: unknown) => log.warn({ err: messageOf(err), partition }, 'bus offset commit failed; the store checkpoint stays authoritative'));
  }

  /** True when the in-memory position differs from the stored one. */
  const unstored = (entry: PartitionWork<S>) => entry.checkpoint.nextOffset !== entry.stored.nextOffset || entry.checkpoint.pendingTo !== entry.stored.pendingTo;

  /**
   * Stores the in-memory checkpoint as it is when the write starts, unless it is stored already. Writes of
   * one partition go one after another (a background snapshot stores one too), each one version above the
   * last stored. The first is above the generation claimed on assignment, so a previous owner's late write
   * after a handover never outranks the new owner's.
   */
  function storeCheckpoint(partition: number, entry: PartitionWork<S>, alive?: Alive): Promise<void> {
    // a background snapshot's write before this one can be waiting out a store outage: keep the session meanwhile
    const write = waitAlive(entry.checkpointWrites, alive).then(async () => {
      if (!unstored(entry)) return;
      const checkpoint = { ...entry.checkpoint, version: entry.stored.version + 1 };
      await saveCheckpoint(partition, checkpoint, alive);
      entry.stored = checkpoint;
      metrics.checkpointed(component, topic, partition, Date.now()); // wall clock on purpose: an operational age, not event time
    });
    entry.checkpointWrites = write.catch(() => undefined); // the caller sees the failure; the next write may go on
    return write;
  }

  /** Stores the finished position and commits it to the bus (the partition holds no batch in flight). */
  async function storeFinished(partition: number, entry: PartitionWork<S>, alive?: Alive): Promise<void> {
    await storeCheckpoint(partition, entry, alive);
    await commitResumePoint(partition, entry, entry.checkpoint.nextOffset);
  }

  /** Waits for the partition's background work (idle flush, snapshot being stored) and disarms the flush. */
  async function settle(entry: PartitionWork<S>): Promise<void> {
    clearTimeout(entry.flushTimer);
    entry.flushTimer = undefined;
    await entry.flushing;
    await entry.snapshotting;
  }

  /**
   * A finished position left unstored when the stream pauses is stored after one interval of quiet, so
   * the stored checkpoint (and the lag tools read from it) reaches the log end.
   */
  function scheduleFlush(partition: number, entry: PartitionWork<S>): void {
    if (entry.flushTimer !== undefined || entry.dirty || !unstored(entry)) return;
    entry.flushTimer = setTimeout(() => {
      entry.flushTimer = undefined;
      if (entry.busy || fatal !== undefined || stopping || work.get(partition) !== entry) return; // the batch in progress stores it or reschedules
      entry.flushing = storeFinished(partition, entry)
        .catch((err: unknown) => failOwned(partition, entry, err))
        .finally(() => {
          entry.flushing = undefined;
        });
    }, Math.min(config.checkpointIntervalMs, 2 ** 31 - 1));
    entry.flushTimer.unref();
  }

  /**
   * Starts a snapshot unless one is being written already, and resolves once the partition may go on: when
   * its state is serialised (the parts are then stored in the background) or, for a state larger than
   * PROCESSOR_SNAPSHOT_BUFFER_BYTES, once it is stored. `entry.snapshotting` resolves when it is stored; a
   * failure stops the processor like a failed batch.
   */
  function takeSnapshot(partition: number, entry: PartitionWork<S>): Promise<void> {
    if (entry.snapshotting) return Promise.resolve();
    let release: () => void = () => undefined;
    entry.snapshotHeld = new Promise<void>((resolve) => (release = resolve)).finally(() => {
      entry.snapshotHeld = undefined;
    });
    const held = entry.snapshotHeld;
    entry.snapshotting = writeSnapshot(partition, entry, release)
      .catch((err: unknown) => failOwned(partition, entry, err))
      .finally(() => {
        release();
        entry.snapshotting = undefined;
      });
    return held;
  }

  /**
   * Writes the state into the slot not holding the newest snapshot: the parts, then the manifest. The
   * partition is held (no handle() runs) while the parts are serialised, yielding to the event loop between
   * parts so other partitions and processors keep flowing, so every part reflects the same offset. Parts
   * are kept in memory up to PROCESSOR_SNAPSHOT_BUFFER_BYTES and the partition released before they are
   * stored; past that, the parts are stored as they are made and the partition is held until the end.
   */
  async function writeSnapshot(partition: number, entry: PartitionWork<S>, release: () => void): Promise<void> {
    const offset = entry.stateOffset;
    if (!definition.snapshot || entry.dirty || offset === entry.lastSnapshotOffset) return;
    const started = performance.now();
    const target: SnapshotTarget = { group, topic, partition, slot: entry.snapshotSlot === 0 ? 1 : 0, offset, takenAt: deps.now() };
    entry.lastSnapshotAt = target.takenAt;
    const savePart = async (part: number, text: string) => {
      await withRetry('snapshot', () => deps.snapshots.savePart(target, part, text));
      metrics.snapshotBytes.inc({ component }, text.length);
    };
    let parts = 0;
    let buffered: [number, string][] | undefined = [];
    let bufferedBytes = 0;
    for (const text of definition.snapshot.serialize(entry.state, config.snapshotPartBytes)) {
      const part = ++parts;
      if (buffered !== undefined && bufferedBytes + text.length <= config.snapshotBufferBytes) {
        buffered.push([part, text]);
        bufferedBytes += text.length;
      } else {
        for (const [n, t] of buffered ?? []) await savePart(n, t);
        buffered = undefined;
        await savePart(part, text);
      }
      await setImmediate();
    }
    release();
    for (const [n, t] of buffered ?? []) await savePart(n, t);
    await storeCheckpoint(partition, entry); // a restore uses a snapshot only up to the stored checkpoint
    await withRetry('snapshot', () => deps.snapshots.commit(target, parts));
    entry.snapshotSlot = target.slot;
    entry.lastSnapshotOffset = offset;
    await commitResumePoint(partition, entry, entry.checkpoint.nextOffset);
    metrics.snapshotDuration.observe({ component }, (performance.now() - started) / 1000);
    log.debug({ partition, offset, slot: target.slot, parts }, 'state snapshot written');
  }

  const handler: PartitionHandler = {
    async onAssigned(partitions) {
      const checkpoints = await withRetry('load checkpoints', () => deps.checkpoints.load(group, topic, partitions));
      // a snapshot past the stored checkpoint (a previous owner's, stored after the checkpoint this one
      // loaded) cannot be used; the other slot, if older, still can
      const ceilings = new Map(partitions.map((partition) => [partition, checkpoints.get(partition)?.nextOffset ?? 0]));
      const snapshots = definition.snapshot ? await withRetry('load snapshots', () => deps.snapshots.load(group, topic, partitions, ceilings)) : new Map();
      // Claim each checkpointed partition for a new generation before touching it: from here on the
      // checkpoints of every earlier owner rank below this one's, whenever their writes land.
      const claimed = new Map<number, Checkpoint>();
      for (const [partition, loaded] of checkpoints) claimed.set(partition, { ...loaded, version: nextGeneration(loaded.version) });
      await Promise.all([...claimed].map(([partition, checkpoint]) => saveCheckpoint(partition, checkpoint)));
      const starts = new Map<number, number>();
      for (const partition of partitions) {
        const checkpoint = claimed.get(partition) ?? { nextOffset: 0, pendingTo: -1, version: 0 };
        const snapshot = snapshots.get(partition);
        const usable = snapshot !== undefined && snapshot.offset <= checkpoint.nextOffset;
        const state = usable && definition.snapshot ? definition.snapshot.deserialize(snapshot.parts) : definition.initState(partition);
        const from = usable ? snapshot.offset : definition.snapshot ? 0 : checkpoint.nextOffset;
        const known = checkpoints.has(partition) || usable;
        work.set(partition, { state, position: known ? from : undefined, checkpoint, stored: checkpoint, storedAt: deps.now(), restoreUntil: checkpoint.nextOffset, replay: [], stateOffset: from, dirty: false, lastSnapshotAt: deps.now(), lastSnapshotOffset: usable ? snapshot.offset : -1, snapshotSlot: snapshot?.slot ?? 1, snapshotting: undefined, snapshotHeld: undefined, checkpointWrites: Promise.resolve(), busy: false, flushTimer: undefined, flushing: undefined });
        if (known) starts.set(partition, from);
        metrics.checkpointed(component, topic, partition, Date.now());
        log.info({ partition, from, checkpoint: checkpoint.nextOffset, pendingTo: checkpoint.pendingTo }, 'partition assigned');
      }
      return starts;
    },

    async onRevoked(partitions) {
      for (const partition of partitions) {
        const entry = work.get(partition);
        if (entry) {
          try {
            await settle(entry);
            if (fatal === undefined) await takeSnapshot(partition, entry); // the one in flight may be of an older offset
            await entry.snapshotting;
            if (fatal === undefined && !entry.dirty && unstored(entry)) await storeFinished(partition, entry);
          } catch (err) {
            fail(err);
          }
        }
        work.delete(partition);
        metrics.forgetPartition(component, topic, partition);
      }
      log.info({ partitions }, 'partitions revoked');
    },

    async onRecords(partition, records, logEnd, alive) {
      if (fatal !== undefined) return;
      const entry = work.get(partition);
      if (!entry) return;
      entry.busy = true;
      try {
        // waits that keep the group session (a snapshot held through a store outage can outlast it)
        if (entry.flushing) await waitAlive(entry.flushing, alive);
        // A snapshot being serialised must see the state of one offset throughout.
        if (entry.snapshotHeld) await waitAlive(entry.snapshotHeld, alive);
        await consume(partition, entry, records, alive);
        metrics.consumerLag.set({ component, topic, partition: String(partition) }, Math.max(0, logEnd - entry.checkpoint.nextOffset));
        if (definition.snapshot && deps.now() - entry.lastSnapshotAt >= config.snapshotIntervalMs) await waitAlive(takeSnapshot(partition, entry), alive);
      } catch (err) {
        if (isLost(err)) drop(partition, err);
        else fail(err);
      } finally {
        entry.busy = false;
      }
      if (fatal === undefined && work.get(partition) === entry) scheduleFlush(partition, entry);
    },

    async onLost(partitions) {
      for (const partition of partitions) drop(partition, undefined);
    },
  };

  /**
   * Forgets a partition this member may no longer own, writing nothing: its state may hold a batch whose
   * outputs were never stored, and the new owner restores from the store. A snapshot already being stored
   * goes on; what it writes ranks below the new owner's checkpoints (generations) and is used only up to them.
   */
  function drop(partition: number, err: unknown): void {
    const entry = work.get(partition);
    if (!entry) return;
    clearTimeout(entry.flushTimer);
    entry.flushTimer = undefined;
    work.delete(partition);
    const pending = settle(entry); // stop() waits for it before the store closes
    orphans.add(pending);
    void pending.finally(() => orphans.delete(pending));
    metrics.forgetPartition(component, topic, partition);
    metrics.partitionsLost.inc({ component });
    log.warn({ partition, err: err === undefined ? undefined : messageOf(err) }, 'partition lost with the group session: state dropped, nothing written; restored from the store if assigned again');
  }

  async function consume(partition: number, entry: PartitionWork<S>, records: readonly BusRecord[], alive?: Alive): Promise<void> {
    let rest = records;
    if (entry.position !== undefined) {
      const position = entry.position;
      rest = rest.filter((record) => record.offset >= position);
      const first = rest[0];
      if (first && first.offset > position) log.warn({ partition, expected: position, got: first.offset }, 'offset gap: records missing from the bus (retention?)');
    }
    while (rest.length > 0) {
      const first = rest[0]!;
      if (first.offset < entry.restoreUntil) {
        const prefix = rest.filter((record) => record.offset < entry.restoreUntil);
        entry.dirty = true; // until the rows re-written below are stored
        const result = await handleBatch(definition, entry.state, prefix, lookupFor(alive)); // outputs already durable: rebuild state
        const again = result.outputs.filter((rows) => rowCount(rows) > 0 && definition.rebuildWrites?.includes(rows.table));
        await insertAll(again, `${group}|${topic}|${partition}|${prefix[0]!.offset}-${prefix.at(-1)!.offset}|rebuild`, alive);
        entry.dirty = false;
        entry.position = prefix.at(-1)!.offset + 1;
        entry.stateOffset = entry.position;
        rest = rest.slice(prefix.length);
        continue;
      }
      if (entry.checkpoint.pendingTo >= 0) {
        const pendingTo = entry.checkpoint.pendingTo;
        const take = rest.filter((record) => record.offset <= pendingTo);
        entry.replay.push(...take);
        rest = rest.slice(take.length);
        entry.position = take.at(-1)!.offset + 1;
        if (entry.replay.at(-1)?.offset !== pendingTo) return; // wait for the rest of the in-flight batch
        const batch = entry.replay;
        entry.replay = [];
        await processBatch(partition, entry, batch, true, alive);
        continue;
      }
      await processBatch(partition, entry, rest, false, alive);
      rest = [];
    }
  }

  async function processBatch(partition: number, entry: PartitionWork<S>, batch: readonly BusRecord[], replaying: boolean, alive?: Alive): Promise<void> {
    const started = performance.now();
    const first = batch[0]!.offset;
    const last = batch.at(-1)!.offset;
    metrics.received.inc({ component }, batch.length);
    entry.dirty = true;
    const result = await handleBatch(definition, entry.state, batch, lookupFor(alive));
    const tables = result.outputs.filter((rows) => rowCount(rows) > 0);
    if (result.deadLetters.length > 0) tables.push(deadLetterRows(component, result.deadLetters));
    const messages = result.messages ?? [];
    if (!replaying && (tables.length > 0 || messages.length > 0)) {
      // the range before the inserts: a restart replays exactly this batch with the same tokens
      entry.checkpoint = { nextOffset: first, pendingTo: last };
      await storeCheckpoint(partition, entry, alive);
    }
    await insertAll(tables, `${group}|${topic}|${partition}|${first}-${last}`, alive);
    await publish(messages, alive);
    if (!replaying) {
      const storedAt = deps.now();
      for (const record of batch) metrics.storeLatency.observe({ component }, Math.max(0, storedAt - record.timestampMs) / 1000);
    }
    entry.checkpoint = { nextOffset: last + 1, pendingTo: -1 };
    entry.position = last + 1;
    entry.stateOffset = last + 1;
    entry.restoreUntil = last + 1;
    entry.dirty = false;
    // Published messages are checkpointed at once, so a restart repeats as few of them as it can.
    if (messages.length > 0 || deps.now() - entry.storedAt >= config.checkpointIntervalMs) await storeFinished(partition, entry, alive);
    metrics.sent.inc({ component }, result.accepted);
    for (const letter of result.deadLetters) metrics.discarded.inc({ component, reason: letter.reason });
    for (const [reason, count] of Object.entries(result.skipped ?? {})) if (count > 0) metrics.skipped.inc({ component, reason }, count);
    metrics.batchDuration.observe({ component }, (performance.now() - started) / 1000);
    log.debug({ partition, first, last, accepted: result.accepted, deadLetters: result.deadLetters.length, replaying }, 'batch stored');
  }

  /** Inserts every table through the shared store queue, with retries, each under `tokenBase|table`. */
  async function insertAll(tables: readonly TableRows[], tokenBase: string, alive?: Alive): Promise<void> {
    await Promise.all(tables.map((rows) => deps.queue.add(() => withRetry(`insert ${rows.table}`, () => deps.sink.insert(rows, `${tokenBase}|${rows.table}`), alive))));
  }

  async function publish(messages: readonly { topic: string; key: string; value: Buffer }[], alive?: Alive): Promise<void> {
    if (messages.length === 0) return;
    const producer = deps.producer;
    if (!producer) throw new PrognosError('INTERNAL', `${component} emitted bus messages but the runner has no producer`);
    const byTopic = new Map<string, { key: string; value: Buffer }[]>();
    for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), { key: m.key, value: m.value }]);
    for (const [topic, list] of byTopic) await withRetry(`produce ${topic}`, () => producer.produce(topic, list), alive);
  }

  /** A background write's failure stops the processor, unless its partition was dropped meanwhile: then it is only logged. */
  function failOwned(partition: number, entry: PartitionWork<S>, err: unknown): void {
    if (work.get(partition) === entry) return fail(err);
    log.warn({ partition, err: messageOf(err) }, 'a background write of a dropped partition failed; the partition\'s next owner does not depend on it');
  }

  function fail(err: unknown): void {
    if (fatal !== undefined) return;
    if (stopping && isRetriable(err)) {
      log.warn({ err: messageOf(err) }, 'batch abandoned during shutdown; it replays on restart');
      return;
    }
    fatal = err;
    const code = err instanceof PrognosError ? err.code : 'INTERNAL';
    metrics.errors.inc({ component, code });
    log.error({ err, code }, 'processor stopped: offsets stay uncommitted; operator action needed');
    deps.onFatal(err);
  }

  return {
    name: component,
    async start() {
      await consumer.start(handler);
    },
    async stop() {
      stopping = true;
      // Background snapshots and flushes finish (or give up their retries) before the store closes.
      await Promise.all([...work.values()].map(settle));
      await consumer.stop();
      await Promise.all([...work.values()].map(settle));
      await Promise.all(orphans); // and those of partitions dropped with a lost session
    },
    healthy() {
      return fatal === undefined && consumer.healthy();
    },
  };
}

function deadLetterRows(component: string, letters: readonly DeadLetter[]): TableRows {
  return {
    table: 'dead_letters',
    columns: deadLetterColumns,
    rows: letters.map((l) => [l.tenant, l.receivedAtMs, component, l.topic, l.partition, l.offset, l.reason, l.detail, l.payload]),
  };
}
