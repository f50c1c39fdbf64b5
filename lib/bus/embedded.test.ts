import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedBus } from './embedded.ts';
import { partitionFor } from './partitioner.ts';
import type { Bus, BusRecord, PartitionHandler } from './types.ts';

const log = pino({ level: 'silent' });
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prognos-bus-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(): Bus {
  return createEmbeddedBus({ dir, fsync: false, log, now: () => 1_000 });
}

/** Consume until `count` records arrived, committing as it goes. */
async function consume(bus: Bus, count: number, starts = new Map<number, number>()): Promise<BusRecord[]> {
  const seen: BusRecord[] = [];
  const consumer = bus.createConsumer({ group: 'g', topic: 't', maxBatchRecords: 3 });
  await new Promise<void>((resolve) => {
    const handler: PartitionHandler = {
      onAssigned: async () => starts,
      onRevoked: async () => undefined,
      onRecords: async (partition, records) => {
        seen.push(...records);
        await consumer.commit(partition, records.at(-1)!.offset + 1);
        if (seen.length >= count) resolve();
      },
    };
    void consumer.start(handler);
  });
  await consumer.stop();
  return seen;
}

describe('embedded bus', () => {
  it('cuts batches by record value bytes as well as by records', async () => {
    const bus = open();
    await bus.ensureTopic('t', 1);
    await bus.produce('t', [40, 40, 40, 200, 10, 10].map((n, i) => ({ key: 'k', value: Buffer.alloc(n, i) })));
    const batches: number[][] = [];
    const consumer = bus.createConsumer({ group: 'g', topic: 't', maxBatchRecords: 10, maxBatchBytes: 100 });
    await new Promise<void>((resolve) => {
      void consumer.start({
        onAssigned: async () => new Map(),
        onRevoked: async () => undefined,
        onRecords: async (_partition, records) => {
          batches.push(records.map((r) => r.value.length));
          if (records.at(-1)!.offset === 5) resolve();
        },
      });
    });
    await consumer.stop();
    expect(batches).toEqual([[40, 40], [40], [200], [10, 10]]);
    await bus.close();
  });

  it('puts each key on the Kafka partition and keeps per-partition order', async () => {
    const bus = open();
    await bus.ensureTopic('t', 4);
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: `tenant/host-${i % 5}`, value: Buffer.from(String(i)) }));
    await bus.produce('t', messages);
    const records = await consume(bus, 20);
    expect(records).toHaveLength(20);
    for (const record of records) expect(record.partition).toBe(partitionFor(record.key, 4));
    for (let p = 0; p < 4; p++) {
      const values = records.filter((r) => r.partition === p).map((r) => Number(r.value.toString()));
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    await bus.close();
  });

  it('resumes a group from its committed offsets after reopening', async () => {
    const bus = open();
    await bus.ensureTopic('t', 1);
    await bus.produce('t', [1, 2, 3].map((i) => ({ key: 'k', value: Buffer.from(String(i)) })));
    await consume(bus, 3);
    await bus.produce('t', [4, 5].map((i) => ({ key: 'k', value: Buffer.from(String(i)) })));
    await bus.close();
    const reopened = open();
    const records = await consume(reopened, 2);
    expect(records.map((r) => r.value.toString())).toEqual(['4', '5']);
    expect(records.map((r) => r.offset)).toEqual([3, 4]);
    await reopened.close();
  });

  it('cuts a torn tail on reopen and keeps every whole record', async () => {
    const bus = open();
    await bus.ensureTopic('t', 1);
    await bus.produce('t', [{ key: 'k', value: Buffer.from('whole') }]);
    await bus.close();
    appendFileSync(join(dir, 't', '0', '00000000000000000000.log'), Buffer.from([0, 0, 0, 40, 1, 2, 3]));
    const reopened = open();
    await reopened.produce('t', [{ key: 'k', value: Buffer.from('after') }]);
    const last = await reopened.lastRecords('t');
    expect(last.map((r) => [r.offset, r.value.toString()])).toEqual([[1, 'after']]);
    await reopened.close();
  });

  it('starts where onAssigned says, ahead of the committed offset', async () => {
    const bus = open();
    await bus.ensureTopic('t', 1);
    await bus.produce('t', [1, 2, 3, 4].map((i) => ({ key: 'k', value: Buffer.from(String(i)) })));
    const records = await consume(bus, 2, new Map([[0, 2]]));
    expect(records.map((r) => r.value.toString())).toEqual(['3', '4']);
    await bus.close();
  });

  it('deletes old segments once every group has committed past them, and only then', async () => {
    let clock = 1_000_000;
    const bus = createEmbeddedBus({ dir, fsync: false, log, now: () => clock, retentionMs: 3_600_000, segmentBytes: 1024 });
    await bus.ensureTopic('t', 1);
    // 50 records in produce calls of 5 (a call appends to one segment): about 5 records per segment
    const produce50 = async (from: number) => {
      for (let i = from; i < from + 50; i += 5) await bus.produce('t', Array.from({ length: 5 }, (_, k) => ({ key: 'k', value: Buffer.from(`value-${i + k}-${'x'.repeat(150)}`) })));
    };
    await produce50(0);
    await produce50(50);
    const segmentFiles = () => readdirSync(join(dir, 't', '0')).length;
    const before = segmentFiles();
    expect(before).toBeGreaterThan(2);
    await consume(bus, 30); // group g commits 30: it still needs the rest
    clock += 2 * 3_600_000;
    await produce50(100); // retention runs: only segments wholly below offset 30 may go
    const first = (await readFrom(bus, 0))[0]!.offset;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(30);
    await consume(bus, 120, new Map([[0, 30]])); // g catches up to 150
    clock += 2 * 3_600_000;
    await produce50(150);
    expect((await readFrom(bus, 0))[0]!.offset).toBeGreaterThanOrEqual(100);
    expect(segmentFiles()).toBeLessThan(before);
    // A group starting below the log start gets every remaining record once, in order.
    const start = (await readFrom(bus, 0))[0]!.offset;
    const fresh = bus.createConsumer({ group: 'late', topic: 't', maxBatchRecords: 5 });
    const offsets: number[] = [];
    await new Promise<void>((resolve) => {
      void fresh.start({
        onAssigned: async () => new Map([[0, 0]]),
        onRevoked: async () => undefined,
        onRecords: async (_p, records) => {
          offsets.push(...records.map((r) => r.offset));
          if (offsets.at(-1) === 199) resolve();
        },
      });
    });
    await fresh.stop();
    expect(offsets).toEqual(Array.from({ length: 200 - start }, (_, i) => start + i));
    await bus.close();
  });
});

/** The first records a fresh group sees from `offset` (retention moves a too-old offset to the log start). */
async function readFrom(bus: Bus, offset: number): Promise<BusRecord[]> {
  const consumer = bus.createConsumer({ group: `probe-${offset}-${Math.random()}`, topic: 't', maxBatchRecords: 5 });
  const seen: BusRecord[] = [];
  await new Promise<void>((resolve) => {
    void consumer.start({
      onAssigned: async () => new Map([[0, offset]]),
      onRevoked: async () => undefined,
      onRecords: async (_p, records) => {
        if (seen.length === 0) seen.push(...records);
        resolve();
      },
    });
  });
  await consumer.stop();
  return seen;
}
