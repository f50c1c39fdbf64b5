// The store-backed snapshot table on chDB: parts round-trip in order, the slot written last but never
// committed is ignored, and a partition with only an old one-row snapshot (processor_snapshots) still
// restores from it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSection } from '../config/section.ts';
import { createClickHouseStore } from '../store/clickhouse.ts';
import { storeConfigSchema } from '../store/config.ts';
import { migrate } from '../store/migrate.ts';
import type { Store } from '../store/types.ts';
import { createStoreSnapshots } from './snapshots.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'prognos-snap-'));
let store: Store;

beforeAll(async () => {
  store = await createClickHouseStore(loadSection(storeConfigSchema, { CLICKHOUSE_DATABASE: 'snap' }).value, dataDir, pino({ level: 'silent' }));
  await migrate(store, pino({ level: 'silent' }));
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('store snapshots (chDB)', () => {
  it('restores the newest complete slot, its parts in order, and ignores a half-written one', async () => {
    const snapshots = createStoreSnapshots(store);
    const at = (slot: 0 | 1, offset: number) => ({ group: 'g', topic: 't', partition: 2, slot, offset, takenAt: 1_800_000_000_000 + offset });
    const big = 'x'.repeat(200_000);
    for (const [i, text] of ['{"a":1}', big, '{"c":3}'].entries()) await snapshots.savePart(at(0, 100), i + 1, text);
    await snapshots.commit(at(0, 100), 3);
    await snapshots.savePart(at(1, 200), 1, 'new-1');
    await snapshots.savePart(at(1, 200), 2, 'new-2');
    await snapshots.commit(at(1, 200), 2);
    // Snapshot 3 overwrites part 1 of slot 0 and dies before part 2 and the manifest.
    await snapshots.savePart(at(0, 300), 1, 'newer-1');

    expect(await snapshots.load('g', 't', [2, 5])).toEqual(new Map([[2, { slot: 1, offset: 200, parts: ['new-1', 'new-2'] }]]));
    expect((await snapshots.load('g', 'other', [2])).size).toBe(0);
    // under a checkpoint at 150 only the older slot can be used; slot 0 is half overwritten, so nothing can
    expect((await snapshots.load('g', 't', [2], new Map([[2, 150]]))).size).toBe(0);
  });

  it('restores the newest slot at or below the partition\'s ceiling', async () => {
    const snapshots = createStoreSnapshots(store);
    const at = (slot: 0 | 1, offset: number) => ({ group: 'c', topic: 't', partition: 1, slot, offset, takenAt: 1_800_000_000_000 + offset });
    await snapshots.savePart(at(0, 100), 1, 'old');
    await snapshots.commit(at(0, 100), 1);
    await snapshots.savePart(at(1, 200), 1, 'new');
    await snapshots.commit(at(1, 200), 1);
    expect((await snapshots.load('c', 't', [1], new Map([[1, 150]]))).get(1)).toEqual({ slot: 0, offset: 100, parts: ['old'] });
    expect((await snapshots.load('c', 't', [1], new Map([[1, 200]]))).get(1)).toEqual({ slot: 1, offset: 200, parts: ['new'] });
  });

  it('takes the other slot when the chosen one is overwritten between its manifest and its parts', async () => {
    const at = (slot: 0 | 1, offset: number) => ({ group: 'r', topic: 't', partition: 0, slot, offset, takenAt: 1_800_000_000_000 + offset });
    const writer = createStoreSnapshots(store);
    await writer.savePart(at(0, 100), 1, 'a1');
    await writer.commit(at(0, 100), 1);
    await writer.savePart(at(1, 200), 1, 'b1');
    await writer.savePart(at(1, 200), 2, 'b2');
    await writer.commit(at(1, 200), 2);
    let overwritten = false;
    // a dropped owner's next snapshot lands in slot 1 just as this load reads its parts
    const racing: Store = {
      ...store,
      async query<T>(sql: string, params?: Record<string, unknown>) {
        if (!overwritten && sql.includes('SELECT state')) {
          overwritten = true;
          await writer.savePart(at(1, 300), 1, 'c1');
        }
        return store.query<T>(sql, params);
      },
    };
    expect((await createStoreSnapshots(racing).load('r', 't', [0])).get(0)).toEqual({ slot: 0, offset: 100, parts: ['a1'] });
  });

  it('falls back to the one-row snapshot table for a partition with no complete slot', async () => {
    await store.insert({
      table: 'processor_snapshots',
      columns: ['consumer_group', 'topic', 'partition', 'offset', 'version', 'taken_at', 'state'],
      rows: [['old', 't', 0, 42, 42, 1, '{"v":1,"series":[]}']],
    });
    const loaded = await createStoreSnapshots(store).load('old', 't', [0]);
    expect(loaded.get(0)).toEqual({ slot: 0, offset: 42, parts: ['{"v":1,"series":[]}'] });
    expect((await createStoreSnapshots(store).load('old', 't', [0], new Map([[0, 41]]))).size).toBe(0);
  });
});
