// The segmented partition log: reads through the sparse index match what was appended wherever they start,
// segments roll and survive reopening, a torn tail is cut, retention deletes only old sealed segments that
// consumers are past, and a log from before segments opens as the first segment.
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PartitionLog } from './partition-log.ts';

let dir: string;
let clock = 0;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prognos-plog-'));
  clock = 1_000;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const options = { fsync: false, segmentBytes: 300, indexEvery: 4, now: () => clock };
const open = (legacy?: string) => new PartitionLog(join(dir, 'p'), 't', 0, options, legacy);
/** Values of different lengths, so frames do not line up with anything. */
const value = (i: number) => `v${i}-${'x'.repeat(i % 23)}`;

async function fill(log: PartitionLog, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i += 3) await log.append(Array.from({ length: Math.min(3, from + n - i) }, (_, k) => ({ key: `k${i + k}`, value: Buffer.from(value(i + k)), timestampMs: i + k })));
}

const segments = () => readdirSync(join(dir, 'p')).sort();

describe('partition log', () => {
  it('reads exactly what was appended from any offset, across segment ends', async () => {
    const log = open();
    await fill(log, 200);
    expect(segments().length).toBeGreaterThan(5);
    expect(log.endOffset()).toBe(200);
    for (let offset = 0; offset < 200; offset += 7) {
      // a read may stop at a segment end: keep reading until `max` records or the log end
      const got: string[] = [];
      for (let at = offset; got.length < 11 && at < 200; ) {
        const records = log.read(at, 11 - got.length);
        expect(records[0]?.offset).toBe(at);
        got.push(...records.map((r) => `${r.offset}:${r.key}:${r.value.toString()}:${r.timestampMs}`));
        at += records.length;
      }
      const want = Array.from({ length: Math.min(11, 200 - offset) }, (_, k) => offset + k).map((i) => `${i}:k${i}:${value(i)}:${i}`);
      expect(got).toEqual(want);
    }
    expect(log.read(200, 5)).toEqual([]);
    log.close();
  });

  it('reopens with every segment, cuts a torn tail of the newest and appends after it', async () => {
    const log = open();
    await fill(log, 100);
    log.close();
    appendFileSync(join(dir, 'p', segments().at(-1)!), Buffer.from([0, 0, 0, 60, 9, 9, 9, 9, 1]));
    const reopened = open();
    expect(reopened.truncatedBytes).toBe(9);
    expect(reopened.endOffset()).toBe(100);
    await fill(reopened, 5, 100);
    const all: string[] = [];
    for (let at = 0; at < 105; ) {
      const records = reopened.read(at, 50);
      all.push(...records.map((r) => `${r.offset}:${r.value.toString()}`));
      at += records.length;
    }
    expect(all).toEqual(Array.from({ length: 105 }, (_, i) => `${i}:${value(i)}`));
    reopened.close();
  });

  it('deletes only sealed segments written before the cutoff and below what consumers need', async () => {
    const log = open();
    await fill(log, 60); // written at t=1000
    clock = 5_000;
    await fill(log, 60, 60); // written at t=5000
    const count = segments().length;
    expect(log.deleteSegmentsBefore(1_000, Infinity)).toBe(0); // nothing written before t=1000
    expect(log.deleteSegmentsBefore(2_000, 10)).toBe(0); // a consumer still needs offset 10 (first segment)
    const deleted = log.deleteSegmentsBefore(2_000, Infinity);
    expect(deleted).toBeGreaterThan(0);
    expect(segments()).toHaveLength(count - deleted);
    expect(log.startOffset()).toBeGreaterThan(0);
    expect(log.startOffset()).toBeLessThanOrEqual(60);
    // below the start, a read starts at the start (what retention kept)
    expect(log.read(0, 1)[0]?.offset).toBe(log.startOffset());
    // everything written at t=5000 is kept
    for (let at = 60; at < 120; ) {
      const records = log.read(at, 100);
      expect(records.map((r) => r.value.toString())).toEqual(records.map((r) => value(r.offset)));
      expect(records[0]?.offset).toBe(at);
      at += records.length;
    }
    // the newest segment is never deleted, however old
    const left = segments().length;
    expect(log.deleteSegmentsBefore(Number.POSITIVE_INFINITY, Infinity)).toBe(left - 1);
    expect(segments()).toHaveLength(1);
    expect(log.read(119, 1)[0]?.value.toString()).toBe(value(119));
    log.close();
    const reopened = open();
    expect(reopened.startOffset()).toBe(log.startOffset());
    expect(reopened.endOffset()).toBe(120);
    reopened.close();
  });

  it('keeps the newest record when the newest segment is empty (a crash right after a roll)', async () => {
    const log = open();
    await fill(log, 30);
    log.close();
    writeFileSync(join(dir, 'p', `${String(30).padStart(20, '0')}.log`), Buffer.alloc(0));
    const reopened = open();
    expect(reopened.endOffset()).toBe(30);
    reopened.deleteSegmentsBefore(Number.POSITIVE_INFINITY, Infinity);
    expect(reopened.read(29, 1).map((r) => r.value.toString())).toEqual([value(29)]);
    reopened.close();
  });

  it('moves on to the next segment past a corrupt sealed one instead of stalling', async () => {
    const log = open();
    await fill(log, 40);
    log.close();
    const first = join(dir, 'p', segments()[0]!);
    const reopenedBefore = open();
    const firstEnd = reopenedBefore.read(0, 1000).length; // records in the first segment
    reopenedBefore.close();
    // corrupt the CRC of the first segment's second record
    const bytes = readFileSync(first);
    const secondAt = 8 + bytes.readUInt32BE(0);
    bytes[secondAt + 4] = bytes[secondAt + 4]! ^ 0xff;
    writeFileSync(first, bytes);
    const reopened = open();
    expect(reopened.unreadableBytes).toBeGreaterThan(0);
    expect(reopened.truncatedBytes).toBe(0);
    expect(reopened.read(0, 10).map((r) => r.offset)).toEqual([0]);
    const next = reopened.read(1, 10);
    expect(next[0]?.offset).toBe(firstEnd);
    reopened.close();
  });

  it('opens a single-file log from before segments as its first segment', async () => {
    const old = open();
    await fill(old, 5);
    old.close();
    const legacy = join(dir, 'legacy.log');
    renameSync(join(dir, 'p', segments()[0]!), legacy);
    rmSync(join(dir, 'p'), { recursive: true });
    const log = open(legacy);
    expect(log.endOffset()).toBe(5);
    expect(log.read(0, 5).map((r) => r.value.toString())).toEqual([0, 1, 2, 3, 4].map(value));
    log.close();
  });

  it('runs appends one after another, each readable only once it resolves (fsync on)', async () => {
    const log = new PartitionLog(join(dir, 'p'), 't', 0, { ...options, fsync: true }, undefined);
    const message = (i: number) => ({ key: `k${i}`, value: Buffer.from(value(i)), timestampMs: i });
    // issued together, as the bus's producers do: none waits for another before it starts
    const appends = Array.from({ length: 20 }, (_, i) => log.append([message(2 * i), message(2 * i + 1)]));
    expect(log.endOffset()).toBe(0); // nothing is readable before its append has run
    const seen: number[] = [];
    for (const append of appends) {
      await append;
      seen.push(log.endOffset());
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + 2));
    const keys: string[] = []; // a read stops at a segment end (these appends rolled several)
    while (keys.length < 40) keys.push(...log.read(keys.length, 40).map((r) => r.key));
    expect(keys).toEqual(Array.from({ length: 40 }, (_, i) => `k${i}`));
    expect(segments().length).toBeGreaterThan(2);
    await log.settled();
    log.close();
    const reopened = open();
    expect(reopened.endOffset()).toBe(40);
    reopened.close();
  });

  it('leaves the log as it was after a failed append, and runs the appends after it', async () => {
    const log = open();
    await fill(log, 3);
    const failed = log.append([{ key: 'k3', value: Buffer.from('a'), timestampMs: 3 }, { key: 'x'.repeat(70_000), value: Buffer.from('b'), timestampMs: 4 }]);
    const next = log.append([{ key: 'k3', value: Buffer.from(value(3)), timestampMs: 3 }]);
    await expect(failed).rejects.toThrow();
    await next;
    expect(log.read(0, 10).map((r) => `${r.offset}:${r.key}`)).toEqual(['0:k0', '1:k1', '2:k2', '3:k3']);
    log.close();
  });
});
