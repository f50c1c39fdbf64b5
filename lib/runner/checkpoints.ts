// Consumer checkpoints in the store: the authoritative position of a group on a partition, written with
// the data (not only to the bus), plus the in-flight batch range so a restart replays exactly that range.
import { createSerial } from '../serial.ts';
import type { Store } from '../store/types.ts';

export interface Checkpoint {
  nextOffset: number;
  /** Last offset of the batch being written, or -1. */
  pendingTo: number;
  /** generation * GENERATION_SPAN + the owner's write count; the highest wins (see nextGeneration). */
  version: number;
}

/** Writes one owner can make before its versions would reach the next generation's: 2^32. */
export const GENERATION_SPAN = 2 ** 32;

/**
 * The first version of the generation after the one `version` belongs to. An owner starts there when it is
 * assigned a partition, so every checkpoint it writes outranks any a previous owner still has in flight,
 * however many that one writes late (a fence, like Kafka's producer epochs). Safe integers leave room for
 * 2^21 generations: about 2 million assignments of one partition.
 */
export function nextGeneration(version: number): number {
  return (Math.floor(version / GENERATION_SPAN) + 1) * GENERATION_SPAN;
}

export interface CheckpointStore {
  load(group: string, topic: string, partitions: readonly number[]): Promise<Map<number, Checkpoint>>;
  save(group: string, topic: string, partition: number, checkpoint: Checkpoint, atMs: number): Promise<void>;
}

/**
 * `write` for items in groups: items given while a write is in flight wait and go together in the next
 * one. Each call settles with the write that carried its item (a failed write rejects only its own).
 */
export function coalesced<T>(write: (items: readonly T[]) => Promise<void>): (item: T) => Promise<void> {
  const writes = createSerial();
  let open: { items: T[]; written: Promise<void> } | undefined;
  return (item) => {
    if (open !== undefined) {
      open.items.push(item);
      return open.written;
    }
    const items = [item];
    const written = writes.run(() => {
      open = undefined; // later items wait for this write
      return write(items);
    });
    open = { items, written };
    return written;
  };
}

/**
 * Checkpoints kept in the consumer_checkpoints table. Saves that arrive while one is being stored go in
 * one insert after it: a checkpoint is a row, and an insert per row made a part (about ten files) each.
 */
export function createStoreCheckpoints(store: Store): CheckpointStore {
  const table = store.table('consumer_checkpoints');
  const insert = coalesced<unknown[]>((rows) =>
    store.insert({ table: 'consumer_checkpoints', columns: ['consumer_group', 'topic', 'partition', 'next_offset', 'pending_to', 'version', 'updated_at'], rows: [...rows] }),
  );
  return {
    async load(group, topic, partitions) {
      const rows = await store.query<{ partition: number; next_offset: string | number; pending_to: string | number; version: string | number }>(
        `SELECT partition, next_offset, pending_to, version FROM ${table} FINAL WHERE consumer_group = {group:String} AND topic = {topic:String} AND partition IN {partitions:Array(UInt32)}`,
        { group, topic, partitions: [...partitions] },
      );
      return new Map(rows.map((row) => [Number(row.partition), { nextOffset: Number(row.next_offset), pendingTo: Number(row.pending_to), version: Number(row.version) }]));
    },
    save: (group, topic, partition, checkpoint, atMs) => insert([group, topic, partition, checkpoint.nextOffset, checkpoint.pendingTo, checkpoint.version, atMs]),
  };
}

/** An in-memory store of one value per (group, topic, partition), for unit tests of the runner. */
function createMemoryKeyed<T extends object>() {
  const all = new Map<string, T>();
  const key = (group: string, topic: string, partition: number) => `${group}/${topic}/${partition}`;
  return {
    all,
    async load(group: string, topic: string, partitions: readonly number[]): Promise<Map<number, T>> {
      const out = new Map<number, T>();
      for (const p of partitions) {
        const found = all.get(key(group, topic, p));
        if (found) out.set(p, { ...found });
      }
      return out;
    },
    async save(group: string, topic: string, partition: number, value: T): Promise<void> {
      all.set(key(group, topic, partition), { ...value });
    },
  };
}

/**
 * In-memory checkpoints for unit tests of the runner. Like the table (ReplacingMergeTree(version)), the
 * highest version wins whatever order writes land in; of equal versions, the last written.
 */
export function createMemoryCheckpoints(): CheckpointStore & { all: Map<string, Checkpoint> } {
  const keyed = createMemoryKeyed<Checkpoint>();
  return {
    ...keyed,
    async save(group, topic, partition, checkpoint) {
      const current = keyed.all.get(`${group}/${topic}/${partition}`);
      if (current === undefined || checkpoint.version >= current.version) await keyed.save(group, topic, partition, checkpoint);
    },
  };
}
