// Child process for the crash test: runs the embedded ingest+process roles with a fixed clock until the
// killer strikes (SIGKILL) or, with --until-caught-up, until every consumer group has processed the whole
// bus; then prints a digest of every derived table as one JSON line and exits. Usage:
//   tsx lib/testing/crash-child.ts <nowMs> [--until-caught-up]   (configuration from the environment)
import { pino } from 'pino';
import { readEnv } from '../config/env.ts';
import { loadConfig } from '../config/load.ts';
import { createRegistry } from '../observability/metrics.ts';
import { startPipeline } from '../topology.ts';
import { backlog } from './pipeline.ts';
import type { Store } from '../store/types.ts';

const nowMs = Number(process.argv[2]);
const untilCaughtUp = process.argv.includes('--until-caught-up');
const config = loadConfig(readEnv());
const log = pino({ level: config.core.logLevel });
const db = config.store.database;
/** Database of an uninterrupted run to compare float sums against (COMPARE_DATABASE). */
const compareWith = readEnv()['COMPARE_DATABASE'];

/** Order-independent digests of the tables whose content must not depend on crashes. */
export async function digest(store: Store): Promise<Record<string, string>> {
  const one = async (sql: string) => String((await store.query<{ v: string }>(sql))[0]?.v ?? '');
  const out: Record<string, string> = {
    samples_rows: await one(`SELECT toString(count()) AS v FROM ${db}.samples`),
    samples_unique: await one(`SELECT toString(uniqExact(series_id, ts)) AS v FROM ${db}.samples`),
    samples_hash: await one(`SELECT toString(sum(cityHash64(tenant, series_id, ts, value))) AS v FROM ${db}.samples`),
    rollup_1m_count: await one(`SELECT toString(sum(count)) AS v FROM ${db}.samples_1m`),
  };
  // count, min, max and last are exact; sum is compared with a relative tolerance against the reference
  // database, because float addition depends on how inserts were split into blocks.
  for (const table of ['samples_1m', 'samples_1h']) {
    const grouped = (database: string) => `(SELECT tenant, series_id, bucket, sum(count) c, sum(sum) s, min(min) mn, max(max) mx, argMaxMerge(last) l FROM ${database}.${table} GROUP BY tenant, series_id, bucket)`;
    out[table] = await one(`SELECT toString(count()) || '/' || toString(sum(cityHash64(tenant, series_id, bucket, c, mn, mx, l))) AS v FROM ${grouped(db)}`);
    if (compareWith) {
      out[`${table}_sum_mismatches`] = await one(`SELECT toString(count()) AS v FROM ${grouped(db)} AS a FULL OUTER JOIN ${grouped(compareWith)} AS b USING (tenant, series_id, bucket) WHERE abs(a.s - b.s) > 1e-9 * greatest(abs(a.s), abs(b.s), 1)`);
    }
  }
  const tables = (await store.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = '${db}'`)).map((t) => t.name);
  // ReplacingMergeTree tables (an open anomaly event is replaced by its resolved row): compare merged.
  for (const table of ['forecasts', 'capacity_plans', 'forecast_history', 'anomaly_events', 'baselines']) {
    if (tables.includes(table)) out[table] = await one(`SELECT toString(count()) || '/' || toString(sum(cityHash64(*))) AS v FROM ${db}.${table} FINAL`);
  }
  return out;
}

const pipeline = await startPipeline({ roles: ['ingest', 'process'], config, log, registry: createRegistry(), now: () => nowMs, onFatal: (err) => {
  log.error({ err }, 'fatal');
  process.exit(1);
} });
process.stdout.write('started\n');
if (untilCaughtUp) {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (pipeline.collector && pipeline.collector.cursor() < Math.floor(nowMs / config.synthetic.stepMs) * config.synthetic.stepMs) continue;
    if ((await backlog(pipeline, config.bus.metricsTopic)) === 0) break;
  }
  await pipeline.collector?.stop();
  const result = await digest(pipeline.store);
  await pipeline.stop();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
