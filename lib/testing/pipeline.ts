// Test support: start a pipeline with config from an env-like object, a controllable clock and silent
// logs, and wait on store conditions with bounded polling. Used by integration tests only.
import { pino } from 'pino';
import { loadConfig } from '../config/load.ts';
import { createRegistry } from '../observability/metrics.ts';
import { startPipeline, type Role, type RunningPipeline } from '../topology.ts';
import type { Store } from '../store/types.ts';

export interface TestPipelineOptions {
  env: Record<string, string>;
  roles?: Role[];
  now: () => number;
  wrapStore?: (store: Store) => Store;
}

/** Start a pipeline; fatal errors reject `fatal`. */
export async function startTestPipeline(options: TestPipelineOptions): Promise<RunningPipeline & { fatal: Promise<never> }> {
  const config = loadConfig({ LOG_LEVEL: 'silent', API_PORT: '0', OPS_PORT: '0', BUS_FSYNC: 'false', ...options.env });
  const log = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  let reject: (err: unknown) => void = () => undefined;
  const fatal = new Promise<never>((_resolve, fail) => (reject = fail));
  fatal.catch(() => undefined);
  const pipeline = await startPipeline({ roles: options.roles ?? ['ingest', 'process', 'api'], config, log, registry: createRegistry(), now: options.now, onFatal: reject, ...(options.wrapStore ? { wrapStore: options.wrapStore } : {}) });
  return Object.assign(pipeline, { fatal });
}

/** Poll `probe` every 100 ms until it returns true; fails after `timeoutMs`. */
export async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One number from a scalar query. */
export async function scalar(store: Store, sql: string): Promise<number> {
  const rows = await store.query<{ v: string | number }>(sql);
  return Number(rows[0]?.v ?? 0);
}

/**
 * Records still to process on `topic`, summed over every consumer group of `pipeline` and every non-empty
 * partition; Infinity while some group has not yet checkpointed a non-empty partition. 0: caught up.
 */
export async function backlog(pipeline: RunningPipeline, topic: string): Promise<number> {
  const ends = new Map((await pipeline.bus.lastRecords(topic)).map((r) => [r.partition, r.offset + 1]));
  const rows = await pipeline.store.query<{ partition: number; next_offset: string | number }>(
    `SELECT partition, next_offset FROM ${pipeline.store.table('consumer_checkpoints')} FINAL WHERE topic = {topic:String}`,
    { topic },
  );
  let behind = 0;
  let covered = 0;
  for (const row of rows) {
    const end = ends.get(Number(row.partition)) ?? 0;
    behind += Math.max(0, end - Number(row.next_offset));
    if (end > 0) covered++;
  }
  return covered < ends.size * pipeline.runners.length ? Number.POSITIVE_INFINITY : behind;
}
