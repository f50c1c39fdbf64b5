// Checkpoint saves in the store: saves made while one is being stored share the next insert.
import { describe, expect, it } from 'vitest';
import type { Store, TableRows } from '../store/types.ts';
import { coalesced, createStoreCheckpoints } from './checkpoints.ts';

/** A write whose calls each wait for release(i), recording what each was given. */
function gatedWrite() {
  const calls: { items: readonly number[]; release: (err?: Error) => void }[] = [];
  const write = (items: readonly number[]) => new Promise<void>((resolve, reject) => calls.push({ items: [...items], release: (err) => (err ? reject(err) : resolve()) }));
  return { calls, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesced', () => {
  it('writes items given during a write together in the next one, and settles each call with its own write', async () => {
    const { calls, write } = gatedWrite();
    const save = coalesced(write);
    const settled: string[] = [];
    const track = (p: Promise<void>, name: string) => p.then(() => settled.push(`${name} ok`), (e: Error) => settled.push(`${name} ${e.message}`));
    const first = track(save(1), 'a');
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    const rest = [track(save(2), 'b'), track(save(3), 'c')];
    await tick();
    expect(calls).toHaveLength(1); // 2 and 3 wait for the write of 1
    calls[0]!.release();
    await first;
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3]]);
    expect(settled).toEqual(['a ok']);
    const late = track(save(4), 'd');
    calls[1]!.release(new Error('store down'));
    await Promise.all(rest);
    expect(settled).toEqual(['a ok', 'b store down', 'c store down']);
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3], [4]]); // a failed write does not stop the next
    calls[2]!.release();
    await late;
    expect(settled.at(-1)).toBe('d ok');
  });
});

describe('createStoreCheckpoints', () => {
  it('stores the checkpoints of several partitions saved at once as the rows of one insert', async () => {
    const inserts: TableRows[] = [];
    const store = { table: (name: string) => `db.${name}`, insert: async (rows: TableRows) => void inserts.push(rows) } as unknown as Store;
    const checkpoints = createStoreCheckpoints(store);
    await Promise.all([0, 1, 2].map((p) => checkpoints.save('g', 't', p, { nextOffset: 10 + p, pendingTo: -1, version: 5 }, 1_000)));
    expect(inserts).toHaveLength(1);
    expect(inserts[0]).toMatchObject({ table: 'consumer_checkpoints', rows: [['g', 't', 0, 10, -1, 5, 1_000], ['g', 't', 1, 11, -1, 5, 1_000], ['g', 't', 2, 12, -1, 5, 1_000]] });
  });
});
