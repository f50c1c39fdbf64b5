import { describe, expect, it } from 'vitest';
import { createMemorySnapshots, newestComplete, type PartRow } from './snapshots.ts';

const target = (slot: 0 | 1, offset: number) => ({ group: 'g', topic: 't', partition: 3, slot, offset, takenAt: offset * 10 });

describe('newestComplete', () => {
  // A snapshot's start time is its offset x 10 unless given.
  const manifest = (slot: number, offset: number, parts: number, takenAt = offset * 10): PartRow => ({ partition: 0, slot, part: 0, offset, parts, takenAt });
  const part = (slot: number, n: number, offset: number, takenAt = offset * 10): PartRow => ({ partition: 0, slot, part: n, offset, parts: 0, takenAt });

  it.each<[string, PartRow[], { slot: number; offset: number } | undefined]>([
    ['nothing stored', [], undefined],
    ['one complete slot', [part(0, 1, 10), part(0, 2, 10), manifest(0, 10, 2)], { slot: 0, offset: 10 }],
    ['an empty state (no parts)', [manifest(1, 4, 0)], { slot: 1, offset: 4 }],
    ['the newer of two complete slots', [part(0, 1, 10), manifest(0, 10, 1), part(1, 1, 20), manifest(1, 20, 1)], { slot: 1, offset: 20 }],
    ['parts without their manifest', [part(0, 1, 10), manifest(0, 10, 1), part(1, 1, 20)], { slot: 0, offset: 10 }],
    ['a slot whose parts were half overwritten', [part(0, 1, 30), part(0, 2, 10), manifest(0, 10, 2), part(1, 1, 20), manifest(1, 20, 1)], { slot: 1, offset: 20 }],
    ['a manifest missing a part', [part(0, 1, 10), manifest(0, 10, 2)], undefined],
    ['stale parts past the manifest count', [part(0, 1, 10), part(0, 2, 5), manifest(0, 10, 1)], { slot: 0, offset: 10 }],
    ['parts of another snapshot at the same offset', [part(0, 1, 10, 7), part(0, 2, 10), manifest(0, 10, 2)], undefined],
  ])('%s', (_name, rows, want) => {
    const got = newestComplete(rows).get(0);
    expect(got === undefined ? undefined : { slot: got.slot, offset: got.offset }).toEqual(want);
  });
});

describe('newestComplete with ceilings', () => {
  const slot = (partition: number, n: number, offset: number): PartRow[] => [{ partition, slot: n, part: 1, offset, parts: 0, takenAt: offset }, { partition, slot: n, part: 0, offset, parts: 1, takenAt: offset }];
  const rows = [...slot(0, 0, 10), ...slot(0, 1, 20), ...slot(1, 0, 30)];
  it.each<[string, Map<number, number>, { slot: number; offset: number } | undefined]>([
    ['the newest at or below the ceiling', new Map([[0, 15]]), { slot: 0, offset: 10 }],
    ['the newest when the ceiling is its offset', new Map([[0, 20]]), { slot: 1, offset: 20 }],
    ['none when both lie past it', new Map([[0, 5]]), undefined],
    ['the newest when only another partition has a ceiling', new Map([[1, 0]]), { slot: 1, offset: 20 }],
  ])('%s', (_name, ceilings, want) => {
    const got = newestComplete(rows, ceilings).get(0);
    expect(got === undefined ? undefined : { slot: got.slot, offset: got.offset }).toEqual(want);
  });
});

describe('memory snapshot store', () => {
  it('returns the parts of the newest complete slot, in order, per group and topic', async () => {
    const store = createMemorySnapshots();
    await store.savePart(target(0, 10), 1, 'a');
    await store.savePart(target(0, 10), 2, 'b');
    await store.commit(target(0, 10), 2);
    await store.savePart(target(1, 20), 1, 'c'); // never committed
    expect(await store.load('g', 't', [3])).toEqual(new Map([[3, { slot: 0, offset: 10, parts: ['a', 'b'] }]]));
    expect((await store.load('g', 'other', [3])).size).toBe(0);
    await store.commit(target(1, 20), 1);
    expect((await store.load('g', 't', [3])).get(3)).toEqual({ slot: 1, offset: 20, parts: ['c'] });
  });
});
