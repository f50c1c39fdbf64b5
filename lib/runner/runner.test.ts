import PQueue from 'p-queue';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { BusConsumer, BusRecord, PartitionHandler } from '../bus/types.ts';
import { PrognosError } from '../errors.ts';
import { createRegistry, pipelineMetrics } from '../observability/metrics.ts';
import { allRows, type TableRows } from '../store/types.ts';
import { createMemoryCheckpoints, nextGeneration, type Checkpoint, type CheckpointStore } from './checkpoints.ts';
import { createMemorySnapshots } from './snapshots.ts';
import { createRunner, handleBatch, joinResults, type MessageSink, type RowSink } from './runner.ts';
import type { HandleResult, ProcessorDefinition } from './types.ts';
import type { RunnerConfig } from './config.ts';

const log = pino({ level: 'silent' });
const records: BusRecord[] = Array.from({ length: 40 }, (_, i) => ({ topic: 't', partition: 0, offset: i, key: 'k', value: Buffer.from(String(i + 1)), timestampMs: 0 }));

/** A processor with state: a running sum, written per record as [offset, sum], and a record count. */
const summing: ProcessorDefinition<{ sum: number; count: number }> = {
  name: 'sum',
  initState: () => ({ sum: 0, count: 0 }),
  handle(state, batch) {
    const rows = batch.map((r) => {
      state.sum += Number(r.value.toString());
      state.count++;
      return [r.offset, state.sum];
    });
    const odd = batch.filter((r) => Number(r.value.toString()) % 2 === 1).length;
    return { outputs: [{ table: 'sums', columns: ['offset', 'sum'], rows }], deadLetters: [], accepted: rows.length, skipped: { odd, none: 0 } };
  },
  // Two parts, so a crash can fall between them.
  snapshot: {
    serialize: (s) => [JSON.stringify(s.sum), JSON.stringify(s.count)],
    deserialize: (parts) => (parts.length === 0 ? { sum: 0, count: 0 } : { sum: Number(parts[0]), count: Number(parts[1]) }),
  },
};

/** Deduplicates by token like ClickHouse's insert deduplication; can fail on the Nth insert. */
function createSink(failOn?: { n: number; error: unknown }) {
  const tokens = new Set<string>();
  const rows: unknown[][] = [];
  let calls = 0;
  const sink: RowSink = {
    async insert(table: TableRows, token?: string) {
      calls++;
      if (failOn && calls === failOn.n) throw failOn.error;
      if (token !== undefined && tokens.has(token)) return;
      if (token !== undefined) tokens.add(token);
      rows.push(...allRows(table));
    },
  };
  return { sink, rows, calls: () => calls };
}

/**
 * Delivers `records` from the assigned start in chunks; resolves `drained` at the end or on fatal. Like the
 * bus after retention, it no longer has the records below `retainedFrom`; `committed` is the highest
 * offset committed to it.
 */
function createFeed(chunk: number, retainedFrom = 0) {
  let resolveDrained: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => (resolveDrained = resolve));
  let stopped = false;
  let committed = 0;
  const consumer: BusConsumer = {
    async start(handler: PartitionHandler) {
      const starts = await handler.onAssigned([0]);
      void (async () => {
        for (let at = Math.max(starts.get(0) ?? 0, retainedFrom); at < records.length && !stopped; at += chunk) {
          await handler.onRecords(0, records.slice(at, at + chunk), records.length);
        }
        if (!stopped) await handler.onRevoked([0]);
        resolveDrained();
      })();
    },
    async commit(_partition, offset) {
      committed = Math.max(committed, offset);
    },
    async stop() {
      stopped = true;
    },
    healthy: () => true,
  };
  return { consumer, drained, committed: () => committed, stop: () => { stopped = true; resolveDrained(); } };
}

/** Like `summing`, but a batch has outputs only where it holds a multiple of 9: most batches write nothing. */
const sparse: ProcessorDefinition<{ sum: number; count: number }> = {
  ...summing,
  name: 'sparse',
  handle(state, batch) {
    const result = summing.handle(state, batch);
    return { ...result, outputs: result.outputs.map((t) => ({ ...t, rows: t.rows.filter((row) => Number(row[0]) % 9 === 8) })) };
  },
};

/** Memory checkpoints that also record every checkpoint saved, in order. */
function recordingCheckpoints() {
  const checkpoints = createMemoryCheckpoints();
  const saved: Checkpoint[] = [];
  return { saved, checkpoints: { ...checkpoints, save: async (...args: Parameters<typeof checkpoints.save>) => (saved.push(args[3]), checkpoints.save(...args)) } };
}

/**
 * Owners of partition 0 one after another over the same stores, each a stateless `sparse` runner driven by
 * hand (the checkpoint alone says where each resumes); `owner()` starts the next one.
 */
function handOver(sink: RowSink, checkpoints: CheckpointStore) {
  const { name, initState, handle } = sparse;
  const snapshots = createMemorySnapshots();
  return async () => {
    const driven = handDriven();
    await createRunner({
      definition: { name, initState, handle }, consumer: driven.consumer, topic: 't', group: 'g', sink, checkpoints, snapshots,
      config: testConfig({ checkpointIntervalMs: 1e9 }),
      queue: new PQueue({ concurrency: 2 }), log, metrics: pipelineMetrics(createRegistry()), now: () => 0, onFatal: () => undefined,
    }).start();
    return driven;
  };
}

/** Runner settings for these tests; each test overrides what it is about. */
function testConfig(overrides: Partial<RunnerConfig> = {}): RunnerConfig {
  return { maxBatchRecords: 100, maxBatchBytes: 1 << 20, storeConcurrency: 2, checkpointIntervalMs: 0, snapshotIntervalMs: 1e9, snapshotPartBytes: 1024, snapshotBufferBytes: 1 << 20, retryBaseDelayMs: 1, retryMaxDelayMs: 30_000, ...overrides };
}

/** A consumer the test drives by hand: start() assigns partition 0 and keeps the handler; bus commits are recorded. */
function handDriven() {
  const commits: number[] = [];
  let handler: PartitionHandler | undefined;
  let starts: ReadonlyMap<number, number> = new Map();
  const consumer: BusConsumer = {
    async start(h) {
      handler = h;
      starts = await h.onAssigned([0]);
    },
    async commit(_partition, offset) {
      commits.push(offset);
    },
    async stop() {},
    healthy: () => true,
  };
  return { consumer, commits, handler: () => handler!, startOffset: () => starts.get(0) ?? 0 };
}

interface RunOptions {
  metrics?: ReturnType<typeof pipelineMetrics>;
  definition?: ProcessorDefinition<{ sum: number; count: number }>;
  /** 0 (the default here) stores the finished position after every batch. */
  checkpointIntervalMs?: number;
  /** The bus has deleted the records below this offset. */
  retainedFrom?: number;
  /** 0 stores every snapshot while holding the partition; the default (1 MiB) stores them in the background. */
  snapshotBufferBytes?: number;
}

function run(sink: RowSink, stores: { checkpoints: ReturnType<typeof createMemoryCheckpoints>; snapshots: ReturnType<typeof createMemorySnapshots> }, chunk: number, snapshotIntervalMs: number, options: RunOptions = {}) {
  const feed = createFeed(chunk, options.retainedFrom);
  let clock = 0;
  const runner = createRunner({
    definition: options.definition ?? summing, consumer: feed.consumer, topic: 't', group: 'g', sink, ...stores,
    config: testConfig({ checkpointIntervalMs: options.checkpointIntervalMs ?? 0, snapshotIntervalMs, snapshotBufferBytes: options.snapshotBufferBytes ?? 1 << 20 }),
    queue: new PQueue({ concurrency: 2 }), log, metrics: options.metrics ?? pipelineMetrics(createRegistry()), now: () => (clock += 10), onFatal: () => feed.stop(),
  });
  return { runner, drained: feed.drained, committed: feed.committed };
}

async function uninterrupted(definition = summing): Promise<unknown[][]> {
  const sink = createSink();
  const { runner, drained } = run(sink.sink, { checkpoints: createMemoryCheckpoints(), snapshots: createMemorySnapshots() }, 7, 1e9, { definition });
  await runner.start();
  await drained;
  return sink.rows;
}

describe('runner', () => {
  it('writes every output once and checkpoints the end', async () => {
    const rows = await uninterrupted();
    expect(rows).toHaveLength(40);
    expect(rows.at(-1)).toEqual([39, (40 * 41) / 2]);
  });

  /**
   * Two lives over one shared "table": the first dies at write number `crashAt` (a checkpoint, snapshot
   * part or manifest, or an output insert: each kind of write is a crash point), the second finishes.
   */
  async function afterCrashAt(crashAt: number, options: RunOptions): Promise<{ rows: unknown[][]; writes: number }> {
    const checkpoints = createMemoryCheckpoints();
    const snapshots = createMemorySnapshots();
    const tokens = new Set<string>();
    const rows: unknown[][] = [];
    let calls = 0;
    const sink: RowSink = {
      async insert(table, token) {
        if (token !== undefined && tokens.has(token)) return;
        if (token !== undefined) tokens.add(token);
        rows.push(...allRows(table));
      },
    };
    // a dead process writes nothing more: every write from the crash point on fails
    const crash = () => {
      if (++calls >= crashAt) throw new PrognosError('STORE_REJECTED', 'crash');
    };
    const crashing = {
      checkpoints: { ...checkpoints, save: async (...args: Parameters<typeof checkpoints.save>) => (crash(), checkpoints.save(...args)) },
      snapshots: {
        ...snapshots,
        savePart: async (...args: Parameters<typeof snapshots.savePart>) => (crash(), snapshots.savePart(...args)),
        commit: async (...args: Parameters<typeof snapshots.commit>) => (crash(), snapshots.commit(...args)),
      },
    };
    const crashingSink: RowSink = { insert: async (t, token) => (crash(), sink.insert(t, token)) };
    const first = run(crashingSink, crashing as never, 7, 15, options);
    await first.runner.start();
    await first.drained;
    await first.runner.stop(); // lets background writes of the first life run out (they fail: it is dead)
    const writes = calls;
    if (calls < crashAt) return { rows, writes };
    expect(first.runner.healthy()).toBe(false);

    // retention deletes what every group committed past before the restart
    const second = run(sink, { checkpoints, snapshots }, 5, 15, { ...options, retainedFrom: first.committed() });
    await second.runner.start();
    await second.drained;
    return { rows, writes };
  }

  /** Crashes the first life at every one of its writes in turn, and checks the rows after each restart. */
  async function walkEveryCrashPoint(options: RunOptions, expected: unknown[][]): Promise<number> {
    const total = (await afterCrashAt(Number.POSITIVE_INFINITY, options)).writes;
    for (let n = 1; n <= total; n++) expect((await afterCrashAt(n, options)).rows, `crash at write ${n} of ${total}`).toEqual(expected);
    return total;
  }

  it('ends with the same rows as an uninterrupted run after a crash at any of its writes', async () => {
    expect(await walkEveryCrashPoint({}, await uninterrupted())).toBeGreaterThan(30);
  });

  // Finished batches stored lazily, most batches without outputs: a restart replays batches cut differently
  // from the first life's, and still writes each row once.
  it('lazy checkpoints: the same rows after a crash at any write', async () => {
    expect(await walkEveryCrashPoint({ definition: sparse, checkpointIntervalMs: 100 }, await uninterrupted(sparse))).toBeGreaterThan(15);
  });

  // Batches of 7 handed over in slices of 3, the event loop running between them: background writes can
  // start mid-batch, and must not store the half-handled state.
  it('batches handled in slices: the same rows after a crash at any write', async () => {
    expect(await walkEveryCrashPoint({ definition: { ...summing, sliceRecords: 3 } }, await uninterrupted())).toBeGreaterThan(30);
  });

  it('snapshots stored while holding the partition: the same rows after a crash at any write', async () => {
    expect(await walkEveryCrashPoint({ snapshotBufferBytes: 0 }, await uninterrupted())).toBeGreaterThan(30);
  });

  it.each([
    ['stateful', sparse],
    ['stateless', { name: sparse.name, initState: sparse.initState, handle: sparse.handle }],
  ] as const)('stores a range only for batches with outputs, and the finished position on revoke (%s)', async (_kind, definition) => {
    const { saved, checkpoints } = recordingCheckpoints();
    const sink = createSink();
    // batches of 7 over 40 records (6 batches); outputs at offsets 8, 17, 26, 35: batches 2, 3, 4 and 6
    const { runner, drained } = run(sink.sink, { checkpoints, snapshots: createMemorySnapshots() }, 7, 1e9, { definition, checkpointIntervalMs: 1e9 });
    await runner.start();
    await drained;
    expect(sink.rows.map((row) => row[0])).toEqual([8, 17, 26, 35]);
    expect(saved.map((c) => [c.nextOffset, c.pendingTo, c.version])).toEqual([[7, 13, 1], [14, 20, 2], [21, 27, 3], [35, 39, 4], [40, -1, 5]]);
  });

  it('a previous owner storing late after a handover cannot hide the new owner\'s checkpoints', async () => {
    const expected = await uninterrupted(sparse);
    const sink = createSink();
    const owner = handOver(sink.sink, createMemoryCheckpoints());
    // A handles 0-26 in batches of 9 (outputs at 8, 17 and 26), then 27-34 one record at a time (no
    // outputs: nothing stored). B is assigned from A's stored checkpoint, and only then A's revoke stores its
    // finished position, 35.
    const a = (await owner()).handler();
    for (let at = 0; at < 27; at += 9) await a.onRecords(0, records.slice(at, at + 9), records.length);
    for (let at = 27; at < 35; at++) await a.onRecords(0, records.slice(at, at + 1), records.length);
    const b = await owner();
    await a.onRevoked([0]);
    // B replays A's last range, stores its own range 27-39, inserts row 35 and dies before storing more.
    await b.handler().onRecords(0, records.slice(b.startOffset(), 40), records.length);
    // C resumes from the winning checkpoint: B's range must win over A's late write, or row 35 doubles.
    const c = await owner();
    for (let at = c.startOffset(); at < records.length; at += 3) await c.handler().onRecords(0, records.slice(at, at + 3), records.length);
    // without snapshots each owner sums from where it starts: the offsets say whether a row is lost or doubled
    expect(sink.rows.map((row) => row[0])).toEqual(expected.map((row) => row[0]));
  });

  it('a previous owner\'s late write after the new owner\'s first one loses: generations fence owners', async () => {
    const expected = await uninterrupted(sparse);
    const { saved, checkpoints } = recordingCheckpoints();
    const sink = createSink();
    const owner = handOver(sink.sink, checkpoints);
    // A stores its ranges up to 26 and handles 27-34 without outputs (its finished position 35 unstored).
    const a = (await owner()).handler();
    for (let at = 0; at < 27; at += 9) await a.onRecords(0, records.slice(at, at + 9), records.length);
    for (let at = 27; at < 35; at++) await a.onRecords(0, records.slice(at, at + 1), records.length);
    // B takes over, stores its range 27-39, inserts row 35 and dies. Only then does A's revoke land: a
    // zombie's late write, one version above what B loaded, as B's own first write was.
    const b = await owner();
    await b.handler().onRecords(0, records.slice(b.startOffset(), 40), records.length);
    await a.onRevoked([0]);
    const [late, ...before] = saved.slice().reverse();
    expect(late).toMatchObject({ nextOffset: 35, pendingTo: -1 });
    expect(before.find((c) => c.pendingTo === 39)!.version).toBeGreaterThan(late!.version);
    // C resumes from B's range, replays it with B's tokens, and row 35 is written once.
    const c = await owner();
    expect(c.startOffset()).toBe(27);
    for (let at = c.startOffset(); at < records.length; at += 3) await c.handler().onRecords(0, records.slice(at, at + 3), records.length);
    expect(sink.rows.map((row) => row[0])).toEqual(expected.map((row) => row[0]));
  });

  it('claims a generation on assignment: every version an owner writes is above every earlier owner\'s', async () => {
    const { saved, checkpoints } = recordingCheckpoints();
    const sink = createSink();
    const lives: number[][] = [];
    for (let life = 0; life < 3; life++) {
      const { runner, drained } = run(sink.sink, { checkpoints, snapshots: createMemorySnapshots() }, 7, 1e9, { definition: sparse, checkpointIntervalMs: 1e9 });
      const from = saved.length;
      await runner.start();
      await drained;
      lives.push(saved.slice(from).map((c) => c.version));
    }
    expect(lives[0]![0]).toBe(1); // nothing to claim on a fresh partition
    for (let life = 1; life < 3; life++) {
      const [claim, ...rest] = lives[life]!;
      expect(claim).toBe(nextGeneration(Math.max(...lives[life - 1]!)));
      expect(claim).toBeGreaterThan(Math.max(...lives[life - 1]!));
      expect(rest).toEqual(rest.map((_, i) => claim! + i + 1));
    }
  });

  it('restores from the previous snapshot when the process dies between the parts of the next one', async () => {
    const expected = await uninterrupted();
    const checkpoints = createMemoryCheckpoints();
    const snapshots = createMemorySnapshots();
    const sink = createSink();
    let parts = 0;
    let committedBeforeCrash: number | undefined;
    const crashing = {
      checkpoints,
      snapshots: {
        ...snapshots,
        async savePart(...args: Parameters<typeof snapshots.savePart>) {
          // Snapshots 1 and 2 fill both slots; part 1 of snapshot 3 overwrites slot 0's part 1, part 2 does
          // not land: slot 0 is now half old, half new, and slot 1 (snapshot 2) must be the one restored.
          if (++parts === 6) {
            committedBeforeCrash = (await snapshots.load('g', 't', [0])).get(0)?.offset;
            throw new PrognosError('STORE_REJECTED', 'crash');
          }
          return snapshots.savePart(...args);
        },
      },
    };
    const first = run(sink.sink, crashing, 7, 15);
    await first.runner.start();
    await first.drained;
    expect(first.runner.healthy()).toBe(false);
    expect(committedBeforeCrash).toBeGreaterThan(0);
    expect((await snapshots.load('g', 't', [0])).get(0)?.offset).toBe(committedBeforeCrash);

    const second = run(sink.sink, { checkpoints, snapshots }, 5, 1e9);
    await second.runner.start();
    await second.drained;
    expect(sink.rows).toEqual(expected);
  });

  it('restores from the older slot when the newer snapshot lies past the stored checkpoint', async () => {
    const expected = await uninterrupted();
    const checkpoints = createMemoryCheckpoints();
    const snapshots = createMemorySnapshots();
    const sumTo = (n: number) => (n * (n + 1)) / 2; // record i carries i + 1
    const store = async (slot: 0 | 1, offset: number, sum: number) => {
      const target = { group: 'g', topic: 't', partition: 0, slot, offset, takenAt: offset };
      await snapshots.savePart(target, 1, JSON.stringify(sum));
      await snapshots.savePart(target, 2, JSON.stringify(offset));
      await snapshots.commit(target, 2);
    };
    await store(0, 14, sumTo(14));
    await store(1, 35, -1); // a previous owner's, stored after the checkpoint below: never to be used
    await checkpoints.save('g', 't', 0, { nextOffset: 21, pendingTo: -1, version: 1 }, 0);
    // the bus no longer has the records below 14: only the older slot can rebuild the state
    const sink = createSink();
    const { runner, drained } = run(sink.sink, { checkpoints, snapshots }, 7, 1e9, { retainedFrom: 14 });
    await runner.start();
    await drained;
    expect(sink.rows).toEqual(expected.filter((row) => Number(row[0]) >= 21));
  });

  it('counts what the processor skipped, by reason, once per stored batch', async () => {
    const registry = createRegistry();
    const { runner, drained } = run(createSink().sink, { checkpoints: createMemoryCheckpoints(), snapshots: createMemorySnapshots() }, 7, 1e9, { metrics: pipelineMetrics(registry) });
    await runner.start();
    await drained;
    const values = (await registry.getSingleMetric('prognos_samples_skipped_total')!.get()).values;
    expect(values.map((v) => [v.labels, v.value])).toEqual([[{ component: 'sum', reason: 'odd' }, 20]]);
  });

  it('retries retriable store errors and loses nothing', async () => {
    const sink = createSink({ n: 2, error: new PrognosError('STORE_UNAVAILABLE', 'blip') });
    const { runner, drained } = run(sink.sink, { checkpoints: createMemoryCheckpoints(), snapshots: createMemorySnapshots() }, 7, 1e9);
    await runner.start();
    await drained;
    expect(sink.rows).toEqual(await uninterrupted());
    expect(runner.healthy()).toBe(true);
  });
});

describe('batches handed over in slices (sliceRecords)', () => {
  it('hands a batch to handle() in slices, letting the event loop run between them, and joins the results', async () => {
    const sizes: number[] = [];
    const events: string[] = [];
    const sliced: ProcessorDefinition<{ sum: number; count: number }> = {
      ...summing,
      sliceRecords: 3,
      handle(state, batch) {
        sizes.push(batch.length);
        events.push('slice');
        return summing.handle(state, batch);
      },
    };
    setImmediate(() => events.push('event loop'));
    const result = await handleBatch(sliced, sliced.initState(0), records.slice(0, 10));
    expect(sizes).toEqual([3, 3, 3, 1]);
    expect(events.slice(0, 2)).toEqual(['slice', 'event loop']);
    expect(result).toEqual(summing.handle(summing.initState(0), records.slice(0, 10)));
  });

  it('hands a batch no larger than a slice over whole', async () => {
    const handle = vi.fn(summing.handle);
    await handleBatch({ ...summing, sliceRecords: 10, handle }, summing.initState(0), records.slice(0, 10));
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it('joins tables by name and columns in first-seen order, and sums what was accepted and skipped', () => {
    const message = (key: string) => ({ topic: 'alerts', key, value: Buffer.from(key) });
    const letter = (reason: string) => ({ tenant: 't', receivedAtMs: 0, topic: 'm', partition: 0, offset: 1, reason, detail: '', payload: '' });
    const parts: HandleResult[] = [
      { outputs: [{ table: 'a', columns: ['x'], rows: [[1]] }, { table: 'b', columns: ['k', 'v'], rows: [], runs: [{ head: ['s'], tail: [[1, 2]] }] }], deadLetters: [letter('r1')], accepted: 2, skipped: { late: 1 } },
      { outputs: [{ table: 'b', columns: ['k', 'v'], rows: [['t', 3]], runs: [{ head: ['u'], tail: [[4]] }] }, { table: 'a', columns: ['x'], rows: [[2], [3]] }], messages: [message('m1')], deadLetters: [], accepted: 3, skipped: { late: 2, unmatched: 4 } },
      { outputs: [{ table: 'a', columns: ['x', 'y'], rows: [[4, 5]] }], messages: [message('m2')], deadLetters: [letter('r2')], accepted: 0 },
    ];
    expect(joinResults(parts)).toEqual({
      outputs: [
        { table: 'a', columns: ['x'], rows: [[1], [2], [3]] },
        { table: 'b', columns: ['k', 'v'], rows: [['t', 3]], runs: [{ head: ['s'], tail: [[1, 2]] }, { head: ['u'], tail: [[4]] }] },
        { table: 'a', columns: ['x', 'y'], rows: [[4, 5]] },
      ],
      messages: [message('m1'), message('m2')],
      deadLetters: [letter('r1'), letter('r2')],
      accepted: 5,
      skipped: { late: 3, unmatched: 4 },
    });
    expect(joinResults([{ outputs: [], deadLetters: [], accepted: 1 }])).toEqual({ outputs: [], deadLetters: [], accepted: 1 });
  });
});

describe('idle flush', () => {
  /** A runner on a hand-driven consumer, with a 5 s checkpoint interval; returns it once assigned. */
  async function driven(checkpoints: ReturnType<typeof createMemoryCheckpoints>, definition: ProcessorDefinition<{ sum: number; count: number }>, messages?: MessageSink) {
    const { consumer, commits, handler } = handDriven();
    const runner = createRunner({
      definition, consumer, topic: 't', group: 'g', sink: createSink().sink, checkpoints, snapshots: createMemorySnapshots(), ...(messages ? { producer: messages } : {}),
      config: testConfig({ checkpointIntervalMs: 5_000 }),
      queue: new PQueue({ concurrency: 2 }), log, metrics: pipelineMetrics(createRegistry()), now: () => 0, onFatal: () => undefined,
    });
    await runner.start();
    return { runner, commits, handler: handler() };
  }

  it('stops the processor when the idle flush cannot store', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const checkpoints = createMemoryCheckpoints();
      let refuse = false;
      const refusing = { ...checkpoints, save: async (...args: Parameters<typeof checkpoints.save>) => (refuse ? Promise.reject(new PrognosError('STORE_REJECTED', 'refused')) : checkpoints.save(...args)) };
      const { name, initState, handle } = sparse;
      const { runner, handler } = await driven(refusing as never, { name, initState, handle });
      await handler.onRecords(0, records.slice(0, 10), records.length);
      expect(runner.healthy()).toBe(true);
      refuse = true;
      await vi.advanceTimersByTimeAsync(5_000);
      expect(runner.healthy()).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stores the finished position at once after a batch that published messages', async () => {
    const checkpoints = createMemoryCheckpoints();
    const published: string[] = [];
    const alerting: ProcessorDefinition<{ sum: number; count: number }> = {
      name: 'alerting',
      initState: () => ({ sum: 0, count: 0 }),
      handle: (_state, batch) => ({ outputs: [], deadLetters: [], accepted: batch.length, messages: batch.filter((r) => r.offset === 12).map((r) => ({ topic: 'alerts', key: String(r.offset), value: r.value })) }),
    };
    const { handler } = await driven(checkpoints, alerting, { produce: async (_topic, list) => void published.push(...list.map((m) => m.key)) });
    await handler.onRecords(0, records.slice(0, 10), records.length); // no outputs: nothing stored
    expect(checkpoints.all.get('g/t/0')).toBeUndefined();
    await handler.onRecords(0, records.slice(10, 20), records.length);
    expect(published).toEqual(['12']);
    expect(checkpoints.all.get('g/t/0')).toMatchObject({ nextOffset: 20, pendingTo: -1 });
  });

  it('stores the finished position and commits it once the stream has been quiet for the interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const checkpoints = createMemoryCheckpoints();
      const { name, initState, handle } = sparse; // stateless: commits follow the stored position
      const { commits, handler } = await driven(checkpoints, { name, initState, handle });
      for (let at = 0; at < records.length; at += 7) await handler.onRecords(0, records.slice(at, at + 7), records.length);
      // the last batch with outputs stored its range; nothing after it yet
      expect(checkpoints.all.get('g/t/0')).toMatchObject({ nextOffset: 35, pendingTo: 39 });
      expect(commits).toEqual([]);
      await vi.advanceTimersByTimeAsync(4_999);
      expect(commits).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(checkpoints.all.get('g/t/0')).toMatchObject({ nextOffset: 40, pendingTo: -1 });
      expect(commits).toEqual([40]);
      await vi.advanceTimersByTimeAsync(60_000); // nothing new: no further writes
      expect(commits).toEqual([40]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('background snapshots', () => {
  /** Feeds two batches of 5; a snapshot falls due after the first, and its parts are not stored until `open()`. */
  async function secondBatchWhileStoring(snapshotBufferBytes: number) {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const snapshots = createMemorySnapshots();
    const slow = { ...snapshots, savePart: async (...args: Parameters<typeof snapshots.savePart>) => (await gate, snapshots.savePart(...args)) };
    const sink = createSink();
    const { consumer, handler } = handDriven();
    let clock = 0;
    await createRunner({
      definition: summing, consumer, topic: 't', group: 'g', sink: sink.sink, checkpoints: createMemoryCheckpoints(), snapshots: slow,
      config: testConfig({ snapshotIntervalMs: 15, snapshotBufferBytes }),
      queue: new PQueue({ concurrency: 2 }), log, metrics: pipelineMetrics(createRegistry()), now: () => (clock += 10), onFatal: () => undefined,
    }).start();
    const ticks = async () => {
      for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    };
    // one onRecords at a time, as a consumer calls it: the second batch comes once the first returns
    let done = 0;
    const both = (async () => {
      for (const at of [0, 5]) {
        await handler().onRecords(0, records.slice(at, at + 5), records.length);
        done++;
      }
    })();
    await ticks();
    const before = { batchesDone: done, rows: sink.rows.length, stored: snapshots.rows.size };
    open();
    await both;
    await ticks();
    return { before, restored: (await snapshots.load('g', 't', [0])).get(0) };
  }

  it('lets the partition go on while the parts of a small snapshot are stored, and records the offset it was taken at', async () => {
    const { before, restored } = await secondBatchWhileStoring(1 << 20);
    expect(before).toEqual({ batchesDone: 2, rows: 10, stored: 0 });
    expect(restored?.offset).toBe(5);
    expect(restored?.parts).toEqual(['15', '5']); // the state after the first batch, not the second
  });

  it('holds the partition until a snapshot larger than the buffer is stored', async () => {
    const { before, restored } = await secondBatchWhileStoring(0);
    expect(before).toEqual({ batchesDone: 0, rows: 5, stored: 0 });
    expect(restored?.offset).toBe(10); // the first snapshot landed, then the second batch ran and one more fell due
  });
});

describe('bus commits', () => {
  /** Runs every record through `definition` in chunks of 7 and returns the offsets committed to the bus. */
  async function commitsOf(definition: ProcessorDefinition<{ sum: number; count: number }>): Promise<number[]> {
    const commits: number[] = [];
    const consumer: BusConsumer = {
      async start(handler) {
        await handler.onAssigned([0]);
        for (let at = 0; at < records.length; at += 7) await handler.onRecords(0, records.slice(at, at + 7), records.length);
        await handler.onRevoked([0]);
      },
      async commit(_partition, offset) {
        commits.push(offset);
      },
      async stop() {},
      healthy: () => true,
    };
    await createRunner({
      definition, consumer, topic: 't', group: 'g', sink: createSink().sink, checkpoints: createMemoryCheckpoints(), snapshots: createMemorySnapshots(),
      config: testConfig(),
      queue: new PQueue({ concurrency: 2 }), log, metrics: pipelineMetrics(createRegistry()), now: () => 0, onFatal: () => undefined,
    }).start();
    return commits;
  }

  it('commits the next offset for a stateless processor', async () => {
    const { name, initState, handle } = summing;
    expect(await commitsOf({ name, initState, handle })).toEqual([7, 14, 21, 28, 35, 40]);
  });

  it('commits its newest snapshot offset for a stateful one, where a restart replays from', async () => {
    // no snapshot until the revoke at the end: the bus keeps everything from 0 until then
    expect(await commitsOf(summing)).toEqual([0, 0, 0, 0, 0, 0, 40]);
  });
});

describe('partition reassignment', () => {
  it('moves state with the partition: the new owner continues without double counting', async () => {
    const expected = await uninterrupted();
    const checkpoints = createMemoryCheckpoints();
    const snapshots = createMemorySnapshots();
    const sink = createSink();
    const handOverAt = 23; // the first owner handles 23 records, then loses the partition
    const ownerA: BusConsumer = {
      async start(handler) {
        const starts = await handler.onAssigned([0]);
        for (let at = starts.get(0) ?? 0; at < handOverAt; at += 6) await handler.onRecords(0, records.slice(at, Math.min(at + 6, handOverAt)), records.length);
        await handler.onRevoked([0]); // rebalance: snapshot before letting go
      },
      async commit() {},
      async stop() {},
      healthy: () => true,
    };
    const deps = (consumer: BusConsumer) => ({
      definition: summing, consumer, topic: 't', group: 'g', sink: sink.sink, checkpoints, snapshots,
      config: testConfig(),
      queue: new PQueue({ concurrency: 2 }), log, metrics: pipelineMetrics(createRegistry()), now: () => 0, onFatal: () => undefined,
    });
    await createRunner(deps(ownerA)).start();
    expect((await snapshots.load('g', 't', [0])).get(0)?.offset).toBe(handOverAt);

    const feedB = createFeed(4);
    await createRunner(deps(feedB.consumer)).start();
    await feedB.drained;
    expect(sink.rows).toEqual(expected);
  });
});

describe('group membership (alive)', () => {
  const deps = (consumer: BusConsumer, sink: RowSink, stores: { checkpoints: ReturnType<typeof createMemoryCheckpoints>; snapshots: ReturnType<typeof createMemorySnapshots> }, onFatal: () => void = () => undefined, registry = createRegistry()) => ({
    definition: summing, consumer, topic: 't', group: 'g', sink, ...stores,
    config: testConfig({ snapshotIntervalMs: 1e9 }), // no snapshot in flight: the checkpoints below are the batches' alone
    queue: new PQueue({ concurrency: 2 }), log, metrics: pipelineMetrics(registry), now: () => 0, onFatal,
  });

  /** A batch's membership check that counts its calls and fails with PARTITION_LOST once `lose()` ran. */
  function membership() {
    let calls = 0;
    let member = true;
    const alive = async () => {
      calls++;
      if (!member) throw new PrognosError('PARTITION_LOST', 'session ended');
    };
    return { alive, calls: () => calls, lose: () => void (member = false) };
  }

  it('checks membership before every write and keeps it during back-off', async () => {
    let failures = 3;
    const sink = createSink();
    const flaky: RowSink = {
      async insert(rows, token) {
        if (failures-- > 0) throw new PrognosError('STORE_UNAVAILABLE', 'down');
        return sink.sink.insert(rows, token);
      },
    };
    const driven = handDriven();
    const stores = { checkpoints: createMemoryCheckpoints(), snapshots: createMemorySnapshots() };
    const runner = createRunner({ ...deps(driven.consumer, flaky, stores), config: testConfig({ retryBaseDelayMs: 400, retryMaxDelayMs: 400 }) });
    await runner.start();
    const { alive, calls } = membership();
    await driven.handler().onRecords(0, records.slice(0, 5), records.length, alive);
    expect(sink.rows.map((row) => row[0])).toEqual([0, 1, 2, 3, 4]);
    expect(runner.healthy()).toBe(true);
    // before the range and the finished checkpoints, before each of 4 insert attempts, and at least once in
    // each of the three 200-400 ms back-off waits (every 250 ms)
    expect(calls()).toBeGreaterThanOrEqual(2 + 4 + 3);
  });

  it('keeps the session while a snapshot holds the partition, lets go once the partition is lost, and stop() waits for that snapshot', async () => {
    const sink = createSink();
    const snapshots = createMemorySnapshots();
    let refuse: (err: unknown) => void = () => undefined;
    const gate = new Promise<void>((_resolve, reject) => (refuse = reject));
    const stuck = { ...snapshots, savePart: async (...args: Parameters<typeof snapshots.savePart>) => (await gate, snapshots.savePart(...args)) }; // a store outage
    const driven = handDriven();
    let fatal = false;
    const runner = createRunner({ ...deps(driven.consumer, sink.sink, { checkpoints: createMemoryCheckpoints(), snapshots: stuck }, () => (fatal = true)), config: testConfig({ snapshotIntervalMs: 0, snapshotBufferBytes: 0 }) });
    await runner.start();
    const { alive, calls, lose } = membership();
    // the batch is stored, then its snapshot (larger than the 0-byte buffer) holds the partition
    const batch = driven.handler().onRecords(0, records.slice(0, 5), records.length, alive);
    const afterWrites = await vi.waitFor(() => {
      expect(sink.rows.length).toBe(5);
      return calls();
    });
    await vi.waitFor(() => expect(calls()).toBeGreaterThanOrEqual(afterWrites + 2), { timeout: 5_000 });
    lose();
    await batch; // ends although the snapshot is still waiting for the store
    expect(fatal).toBe(false);
    expect(runner.healthy()).toBe(true);
    await driven.handler().onRecords(0, records.slice(5, 10), records.length, alive); // dropped: ignored
    expect(sink.rows.length).toBe(5);
    // stop waits for the dropped partition's snapshot, whose failure does not stop the processor
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    refuse(new PrognosError('STORE_REJECTED', 'refused'));
    await stopping;
    expect(fatal).toBe(false);
    expect(runner.healthy()).toBe(true);
  });

  it('keeps the session while the partition\'s idle flush waits for the store', async () => {
    const checkpoints = createMemoryCheckpoints();
    let stuck = false;
    let unstick: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (unstick = resolve));
    let entered: () => void = () => undefined;
    const flushWaits = new Promise<void>((resolve) => (entered = resolve));
    const slow = { ...checkpoints, save: async (...args: Parameters<typeof checkpoints.save>) => (stuck && (entered(), await gate), checkpoints.save(...args)) };
    const driven = handDriven();
    const runner = createRunner({ ...deps(driven.consumer, createSink().sink, { checkpoints: slow, snapshots: createMemorySnapshots() }), config: testConfig({ checkpointIntervalMs: 20, snapshotIntervalMs: 1e9 }) });
    await runner.start();
    const { alive, calls, lose } = membership();
    await driven.handler().onRecords(0, records.slice(0, 5), records.length, alive); // leaves its finished position to the idle flush
    stuck = true;
    await flushWaits; // the idle flush (20 ms later) has started and waits for the store
    const before = calls();
    const next = driven.handler().onRecords(0, records.slice(5, 10), records.length, alive);
    await vi.waitFor(() => expect(calls()).toBeGreaterThanOrEqual(before + 2), { timeout: 5_000 });
    lose();
    await next; // ends although the flush still waits
    unstick();
    await runner.stop();
  });

  it('writes nothing once the partition is lost, drops its state without failing, and a new owner ends with the same rows', async () => {
    const expected = await uninterrupted();
    const sink = createSink();
    const stores = { checkpoints: createMemoryCheckpoints(), snapshots: createMemorySnapshots() };
    let fatal = false;
    const a = handDriven();
    const runnerA = createRunner(deps(a.consumer, sink.sink, stores, () => (fatal = true)));
    await runnerA.start();
    const { alive, lose } = membership();
    for (let at = 0; at < 14; at += 7) await a.handler().onRecords(0, records.slice(at, at + 7), records.length, alive);
    const rowsBefore = sink.rows.length;
    const checkpointBefore = { ...stores.checkpoints.all.get('g/t/0') };
    lose();
    await a.handler().onRecords(0, records.slice(14, 21), records.length, alive); // the session ended during this batch
    expect(sink.rows.length).toBe(rowsBefore);
    expect(stores.checkpoints.all.get('g/t/0')).toEqual(checkpointBefore);
    expect(fatal).toBe(false);
    expect(runnerA.healthy()).toBe(true);
    // the state is gone: records for the partition are ignored, and a revoke writes nothing
    await a.handler().onRecords(0, records.slice(21, 28), records.length, alive);
    await a.handler().onRevoked([0]);
    expect(sink.rows.length).toBe(rowsBefore);
    expect(stores.checkpoints.all.get('g/t/0')).toEqual(checkpointBefore);

    const feedB = createFeed(4);
    await createRunner(deps(feedB.consumer, sink.sink, stores)).start();
    await feedB.drained;
    expect(sink.rows).toEqual(expected);
  });

  it('onLost drops partitions between batches the same way', async () => {
    const sink = createSink();
    const stores = { checkpoints: createMemoryCheckpoints(), snapshots: createMemorySnapshots() };
    const a = handDriven();
    const registry = createRegistry();
    await createRunner(deps(a.consumer, sink.sink, stores, undefined, registry)).start();
    await a.handler().onRecords(0, records.slice(0, 7), records.length);
    const rowsBefore = sink.rows.length;
    await a.handler().onLost!([0]);
    await a.handler().onRecords(0, records.slice(7, 14), records.length);
    await a.handler().onRevoked([0]);
    expect(sink.rows.length).toBe(rowsBefore);
    const lost = (await registry.getSingleMetric('prognos_partitions_lost_total')!.get()).values;
    expect(lost.map((v) => [v.labels, v.value])).toEqual([[{ component: 'sum' }, 1]]);
  });
});

describe('shutdown during a failing batch', () => {
  it('does not snapshot state that holds an unfinished batch', async () => {
    const checkpoints = createMemoryCheckpoints();
    const snapshots = createMemorySnapshots();
    let stopRunner: () => Promise<void> = async () => undefined;
    const sink: RowSink = {
      async insert() {
        void stopRunner(); // the store fails while the process is being stopped
        throw new PrognosError('STORE_UNAVAILABLE', 'down');
      },
    };
    const consumer: BusConsumer = {
      async start(handler) {
        await handler.onAssigned([0]);
        await handler.onRecords(0, records.slice(0, 5), records.length);
        await handler.onRevoked([0]);
      },
      async commit() {},
      async stop() {},
      healthy: () => true,
    };
    const runner = createRunner({
      definition: summing, consumer, topic: 't', group: 'g', sink, checkpoints, snapshots,
      config: testConfig({ storeConcurrency: 1, snapshotIntervalMs: 1 }),
      queue: new PQueue({ concurrency: 1 }), log, metrics: pipelineMetrics(createRegistry()), now: () => 0, onFatal: () => undefined,
    });
    stopRunner = () => runner.stop();
    await runner.start();
    expect(snapshots.rows.size).toBe(0);
    expect(checkpoints.all.get('g/t/0')).toMatchObject({ nextOffset: 0, pendingTo: 4 });
  });
});

describe('batches that read stored rows (prepare)', () => {
  /** Writes [offset, rows stored before its batch] per record: what the look-up saw when the batch was prepared. */
  const lookingBack = (): ProcessorDefinition<null> => ({
    name: 'looking-back',
    initState: () => null,
    prepare: (_state, batch) => ({ context: batch[0]!.offset, request: { before: batch[0]!.offset } }),
    handle(_state, batch, loaded) {
      const seen = loaded!.answer as number;
      return { outputs: [{ table: 'seen', columns: ['offset', 'seen'], rows: batch.map((r) => [r.offset, seen]) }], deadLetters: [], accepted: batch.length };
    },
  });

  it('looks up after every earlier batch is stored, retrying a failed look-up', async () => {
    const stored = createSink();
    const sink = { ...stored, sink: { insert: async (rows: TableRows, token?: string) => { await new Promise((resolve) => setTimeout(resolve, 2)); await stored.sink.insert(rows, token); } } };
    let failures = 1;
    const lookup = async (request: unknown) => {
      if (failures-- > 0) throw new PrognosError('STORE_UNAVAILABLE', 'down');
      return sink.rows.filter((row) => (row[0] as number) < (request as { before: number }).before).length;
    };
    const feed = createFeed(7);
    const registry = createRegistry();
    const metrics = pipelineMetrics(registry);
    const runner = createRunner({
      definition: lookingBack(), consumer: feed.consumer, topic: 't', group: 'g', sink: sink.sink, lookup,
      checkpoints: createMemoryCheckpoints(), snapshots: createMemorySnapshots(), config: testConfig(),
      queue: new PQueue({ concurrency: 2 }), log, metrics, now: () => 0, onFatal: () => feed.stop(),
    });
    await runner.start();
    await feed.drained;
    expect(runner.healthy()).toBe(true);
    // batches of 7: each saw exactly the records before its first one
    expect(sink.rows).toEqual(records.map((r) => [r.offset, r.offset - (r.offset % 7)]));
    expect((await registry.getSingleMetric('prognos_retries_total')?.get())?.values[0]?.value).toBe(1);
  });

  it('refuses to build a runner for such a processor without a look-up', () => {
    const { consumer } = handDriven();
    expect(() => createRunner({
      definition: lookingBack(), consumer, topic: 't', group: 'g', sink: createSink().sink, checkpoints: createMemoryCheckpoints(), snapshots: createMemorySnapshots(),
      config: testConfig(), queue: new PQueue({ concurrency: 2 }), log, metrics: pipelineMetrics(createRegistry()), now: () => 0, onFatal: () => undefined,
    })).toThrow(/needs a look-up/);
  });

  it('a state rebuild prepares and looks up too, and writes again only the tables named in rebuildWrites', async () => {
    const requests: number[] = [];
    const definition: ProcessorDefinition<{ n: number }> = {
      name: 'rebuilding',
      initState: () => ({ n: 0 }),
      prepare: (_state, batch) => ({ context: null, request: { before: batch[0]!.offset } }),
      handle(state, batch, loaded) {
        state.n += batch.length;
        return {
          outputs: [
            { table: 'kept', columns: ['offset', 'seen'], rows: batch.map((r) => [r.offset, loaded!.answer]) },
            { table: 'other', columns: ['offset'], rows: batch.map((r) => [r.offset]) },
          ],
          deadLetters: [], accepted: batch.length,
        };
      },
      rebuildWrites: ['kept'],
      snapshot: { serialize: (s) => [JSON.stringify(s)], deserialize: (parts) => JSON.parse(parts[0]!) as { n: number } },
    };
    const sink = createSink();
    const tables: string[] = [];
    const checkpoints = createMemoryCheckpoints();
    await checkpoints.save('g', 't', 0, { nextOffset: 14, pendingTo: -1, version: 1 }, 0);
    const feed = createFeed(7);
    const runner = createRunner({
      definition, consumer: feed.consumer, topic: 't', group: 'g', lookup: async (request) => { requests.push((request as { before: number }).before); return 'answer'; },
      sink: { insert: async (rows, token) => { tables.push(`${rows.table}:${rows.rows[0]![0]}`); await sink.sink.insert(rows, token); } },
      checkpoints, snapshots: createMemorySnapshots(), config: testConfig(),
      queue: new PQueue({ concurrency: 2 }), log, metrics: pipelineMetrics(createRegistry()), now: () => 0, onFatal: () => feed.stop(),
    });
    await runner.start();
    await feed.drained;
    expect(runner.healthy()).toBe(true);
    expect(requests).toEqual([0, 7, 14, 21, 28, 35]);
    expect(tables).toEqual(['kept:0', 'kept:7', 'kept:14', 'other:14', 'kept:21', 'other:21', 'kept:28', 'other:28', 'kept:35', 'other:35']);
  });
});
