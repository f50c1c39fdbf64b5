// Processor state snapshots in the store, written in parts into one of two slots per partition: parts
// 1..n, then the manifest (part 0) naming n. The runner writes the slot it did not restore from, so a
// crash mid-write leaves the other slot complete. A snapshot is the state just before `offset`.
import type { Store } from '../store/types.ts';

/** A complete snapshot: its slot, the offset it reflects, and its parts in order. */
export interface Snapshot {
  slot: 0 | 1;
  offset: number;
  parts: string[];
}

/** Where one snapshot is being written. */
export interface SnapshotTarget {
  group: string;
  topic: string;
  partition: number;
  slot: 0 | 1;
  offset: number;
  /** When the snapshot was started (ms); every row of it carries this, so parts of two snapshots at the
   * same offset never pass for one. */
  takenAt: number;
}

export interface SnapshotStore {
  /**
   * The newest complete snapshot per partition (partitions without one are absent), and with `ceilings`
   * the newest whose offset is at most the partition's ceiling (a restore can use a snapshot only up to
   * its stored checkpoint; the other slot may still be older than that).
   */
  load(group: string, topic: string, partitions: readonly number[], ceilings?: ReadonlyMap<number, number>): Promise<Map<number, Snapshot>>;
  /** Writes state part `part` (1-based) of the snapshot being written to `target`. */
  savePart(target: SnapshotTarget, part: number, state: string): Promise<void>;
  /** Completes the snapshot at `target` once its `parts` parts are written (the manifest). */
  commit(target: SnapshotTarget, parts: number): Promise<void>;
}

/** One stored row without its state text: enough to tell which slots are complete. */
export interface PartRow {
  partition: number;
  slot: number;
  part: number;
  offset: number;
  parts: number;
  takenAt: number;
}

/** A complete slot: where it is, the offset it reflects, how many parts, and when it was started. */
export interface CompleteSlot {
  slot: 0 | 1;
  offset: number;
  parts: number;
  takenAt: number;
}

/** Whether a snapshot at `offset` may be restored under `ceilings` (none named for the partition: any). */
const withinCeiling = (ceilings: ReadonlyMap<number, number> | undefined, partition: number, offset: number): boolean => offset <= (ceilings?.get(partition) ?? Number.POSITIVE_INFINITY);

/**
 * Per partition, the complete slots at most the partition's ceiling (when `ceilings` names one), newest
 * first. A slot is complete when its manifest (part 0) names n parts and parts 1..n carry the manifest's
 * offset and start time; stale parts beyond n are ignored.
 */
export function completeSlots(rows: readonly PartRow[], ceilings?: ReadonlyMap<number, number>): Map<number, CompleteSlot[]> {
  const byKey = new Map<string, PartRow>();
  for (const row of rows) byKey.set(`${row.partition}/${row.slot}/${row.part}`, row);
  const out = new Map<number, CompleteSlot[]>();
  for (const manifest of byKey.values()) {
    if (manifest.part !== 0 || (manifest.slot !== 0 && manifest.slot !== 1)) continue;
    if (!withinCeiling(ceilings, manifest.partition, manifest.offset)) continue;
    let complete = true;
    for (let part = 1; part <= manifest.parts && complete; part++) {
      const row = byKey.get(`${manifest.partition}/${manifest.slot}/${part}`);
      complete = row !== undefined && row.offset === manifest.offset && row.takenAt === manifest.takenAt;
    }
    if (!complete) continue;
    const list = out.get(manifest.partition) ?? [];
    list.push({ slot: manifest.slot, offset: manifest.offset, parts: manifest.parts, takenAt: manifest.takenAt });
    out.set(manifest.partition, list);
  }
  for (const list of out.values()) list.sort((a, b) => b.offset - a.offset);
  return out;
}

/** Per partition, the newest of completeSlots. */
export function newestComplete(rows: readonly PartRow[], ceilings?: ReadonlyMap<number, number>): Map<number, CompleteSlot> {
  return new Map([...completeSlots(rows, ceilings)].map(([partition, slots]) => [partition, slots[0]!]));
}

/**
 * Snapshots in the processor_snapshot_parts table. A partition with no complete slot there falls back to
 * its row in the older one-row processor_snapshots table (restored as one part in slot 0).
 */
export function createStoreSnapshots(store: Store): SnapshotStore {
  const table = store.table('processor_snapshot_parts');
  const legacy = store.table('processor_snapshots');
  const write = (target: SnapshotTarget, part: number, parts: number, state: string) =>
    store.insert({
      table: 'processor_snapshot_parts',
      columns: ['consumer_group', 'topic', 'partition', 'slot', 'part', 'offset', 'parts', 'taken_at', 'state'],
      rows: [[target.group, target.topic, target.partition, target.slot, part, target.offset, parts, target.takenAt, state]],
    });
  return {
    async load(group, topic, partitions, ceilings) {
      const key = { group, topic, partitions: [...partitions] };
      const where = 'consumer_group = {group:String} AND topic = {topic:String}';
      const rows = await store.query<Record<keyof PartRow, string | number>>(
        `SELECT partition, slot, part, offset, parts, toUnixTimestamp64Milli(taken_at) AS takenAt FROM ${table} FINAL WHERE ${where} AND partition IN {partitions:Array(UInt32)}`,
        key,
      );
      const candidates = completeSlots(rows.map((r) => ({ partition: Number(r.partition), slot: Number(r.slot), part: Number(r.part), offset: Number(r.offset), parts: Number(r.parts), takenAt: Number(r.takenAt) })), ceilings);
      const out = new Map<number, Snapshot>();
      for (const [partition, slots] of candidates) {
        // a slot can be overwritten between the two reads (a dropped owner's snapshot still being stored):
        // read only the parts of the snapshot chosen, and take the next slot if they are no longer all there
        for (const { slot, offset, parts, takenAt } of slots) {
          const texts = await store.query<{ state: string }>(
            `SELECT state FROM ${table} FINAL WHERE ${where} AND partition = {partition:UInt32} AND slot = {slot:UInt8} AND part BETWEEN 1 AND {parts:UInt32} AND offset = {offset:UInt64} AND toUnixTimestamp64Milli(taken_at) = {takenAt:Int64} ORDER BY part`,
            { group, topic, partition, slot, parts, offset, takenAt },
          );
          if (texts.length !== parts) continue;
          out.set(partition, { slot, offset, parts: texts.map((t) => t.state) });
          break;
        }
      }
      const rest = partitions.filter((p) => !out.has(p));
      if (rest.length > 0) {
        const old = await store.query<{ partition: number; offset: string | number; state: string }>(
          `SELECT partition, offset, state FROM ${legacy} FINAL WHERE ${where} AND partition IN {partitions:Array(UInt32)}`,
          { ...key, partitions: rest },
        );
        for (const row of old) {
          const partition = Number(row.partition);
          if (withinCeiling(ceilings, partition, Number(row.offset))) out.set(partition, { slot: 0, offset: Number(row.offset), parts: [row.state] });
        }
      }
      return out;
    },
    savePart: (target, part, state) => write(target, part, 0, state),
    commit: (target, parts) => write(target, 0, parts, ''),
  };
}

/** In-memory snapshots with the same slot semantics, for unit tests; `rows` is the "table". */
export function createMemorySnapshots(): SnapshotStore & { rows: Map<string, PartRow & { group: string; topic: string; state: string }> } {
  const rows = new Map<string, PartRow & { group: string; topic: string; state: string }>();
  const put = (t: SnapshotTarget, part: number, parts: number, state: string) =>
    rows.set(`${t.group}/${t.topic}/${t.partition}/${t.slot}/${part}`, { group: t.group, topic: t.topic, partition: t.partition, slot: t.slot, part, offset: t.offset, parts, takenAt: t.takenAt, state });
  return {
    rows,
    async load(group, topic, partitions, ceilings) {
      const mine = [...rows.values()].filter((r) => r.group === group && r.topic === topic && partitions.includes(r.partition));
      const out = new Map<number, Snapshot>();
      for (const [partition, { slot, offset, parts }] of newestComplete(mine, ceilings)) {
        const texts = Array.from({ length: parts }, (_, i) => rows.get(`${group}/${topic}/${partition}/${slot}/${i + 1}`)?.state ?? '');
        out.set(partition, { slot, offset, parts: texts });
      }
      return out;
    },
    async savePart(target, part, state) {
      put(target, part, 0, state);
    },
    async commit(target, parts) {
      put(target, 0, parts, '');
    },
  };
}
