// `npm run bench:pipeline`: throughput of the embedded pipeline per stage (encode, bus, decode, samples
// handler, store write) and end to end (synthetic fleet -> bus -> processors -> chDB), with p50/p99
// append-to-stored latency and peak RSS, plus chDB's own insert rate for the same rows; then steady-state
// latency at a sustained live rate, and state bytes per series at 10k, 100k and 1M active series. Flags:
// --series N (default 70000), --points N per series (default 30), --e2e-hosts N, --e2e-hours H,
// --live-hosts N (default 10000; 7 series each at 1 sample/s), --live-seconds S (default 60),
// --state-scales 10000,100000,1000000, --state-max-gib G (largest heap the state phase may build, default 8),
// --phases stages,e2e,live,state (which parts to run; default all; e2e-samples or e2e-all runs one half of
// e2e). PROCESSOR_* variables, CHDB_CONNECTIONS and BUS_PARTITIONS from the environment (e.g.
// PROCESSOR_SNAPSHOT_INTERVAL_MS) reach the e2e and live phases; nothing else does.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import PQueue from 'p-queue';
import { createMetricBatchCodec, type MetricBatch } from '../../lib/avro/metric-batch.ts';
import { createEmbeddedBus } from '../../lib/bus/embedded.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { loadConfig } from '../../lib/config/load.ts';
import { createRegistry, pipelineMetrics } from '../../lib/observability/metrics.ts';
import { createClickHouseStore } from '../../lib/store/clickhouse.ts';
import { migrate } from '../../lib/store/migrate.ts';
import { startPipeline } from '../../lib/topology.ts';
import { buildBatch } from '../../ingest/synthetic/collector.ts';
import { hostSeries } from '../../ingest/synthetic/fleet.ts';
import { createSamplesProcessor } from '../../processors/samples/handler.ts';
import { createMetricReader } from '../../processors/samples/reader.ts';
import { createAnomalyProcessor } from '../../processors/anomaly/handler.ts';
import { createForecastProcessor } from '../../processors/forecast/handler.ts';
import { memoryHistory } from '../../processors/forecast/history.ts';
import { handleBatch } from '../../lib/runner/runner.ts';
import { stateAtScale, type StateFigure } from './pipeline/state.ts';


/** Runner and store settings from the environment, for experiments such as a longer snapshot interval. */
const processorEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('PROCESSOR_') || key === 'CHDB_CONNECTIONS' || key === 'BUS_PARTITIONS'));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SERIES = arg('series', 70_000);
const POINTS = arg('points', 30);
const E2E_HOSTS = arg('e2e-hosts', 2_000);
const E2E_HOURS = arg('e2e-hours', 1);
const LIVE_HOSTS = arg('live-hosts', 10_000);
const LIVE_SECONDS = arg('live-seconds', 60);
const STATE_MAX_GIB = arg('state-max-gib', 8);
const phasesArg = process.argv.indexOf('--phases');
const PHASES = new Set((phasesArg > 0 ? (process.argv[phasesArg + 1] ?? '') : 'stages,e2e,live,state').split(','));
const scalesArg = process.argv.indexOf('--state-scales');
const STATE_SCALES = (scalesArg > 0 ? (process.argv[scalesArg + 1] ?? '') : '10000,100000,1000000').split(',').map(Number).filter((n) => n > 0);
const log = pino({ level: 'silent' });
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
const time = <T>(fn: () => T): [T, number] => {
  const t = performance.now();
  const out = fn();
  return [out, performance.now() - t];
};
const rows: string[][] = [];
const stateNotes: string[] = [];
const report = (stage: string, samples: number, ms: number, note = '') => rows.push([stage, samples.toLocaleString('en-US'), `${(ms / 1000).toFixed(2)} s`, rate(samples, ms), note]);

async function stages(dir: string): Promise<void> {
  const now = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const hosts = Math.ceil(SERIES / 7);
  const batches: MetricBatch[] = [];
  for (let h = 0; h < hosts; h++) {
    const host = { key: `bench/host-${h}`, source: `host-${h}`, series: hostSeries(1, h, 0.3, 10_000) };
    batches.push(buildBatch('bench', host, now - POINTS * 10_000, now, 10_000));
  }
  const samples = batches.reduce((n, b) => n + b.series.length * POINTS, 0);
  const codec = createMetricBatchCodec();
  time(() => batches.map((b) => codec.encode(b))); // warm-up: measure the JIT-compiled path
  const [encoded, encodeMs] = time(() => batches.map((b) => codec.encode(b)));
  const bytes = encoded.reduce((n, b) => n + b.length, 0);
  report('encode (avsc, Confluent framing)', samples, encodeMs, `${(bytes / samples).toFixed(1)} bytes/sample`);

  const bus = createEmbeddedBus({ dir: join(dir, 'bus'), fsync: true, log });
  await bus.ensureTopic('bench', 4);
  const t0 = performance.now();
  for (let i = 0; i < encoded.length; i += 500) await bus.produce('bench', encoded.slice(i, i + 500).map((value, j) => ({ key: `bench/${batches[i + j]!.source}`, value })));
  const consumer = bus.createConsumer({ group: 'bench', topic: 'bench', maxBatchRecords: 500 });
  const records: BusRecord[] = [];
  await new Promise<void>((resolve) => {
    void consumer.start({ onAssigned: async () => new Map(), onRevoked: async () => undefined, onRecords: async (_p, batch) => { records.push(...batch); if (records.length === encoded.length) resolve(); } });
  });
  await consumer.stop();
  report('embedded bus (append+fsync, read)', samples, performance.now() - t0);
  time(() => records.map((r) => codec.decode(r.value)));
  const [, decodeMs] = time(() => records.map((r) => codec.decode(r.value)));
  report('decode (avsc)', samples, decodeMs);

  const config = loadConfig({ PROGNOS_DATA_DIR: dir, CLICKHOUSE_DATABASE: 'bench' });
  const reader = createMetricReader(codec, config.samples);
  const processor = createSamplesProcessor(reader);
  const outputs = [];
  for (let i = 0; i < records.length; i += 500) processor.handle(undefined, records.slice(i, i + 500));
  const t1 = performance.now();
  for (let i = 0; i < records.length; i += 500) outputs.push(processor.handle(undefined, records.slice(i, i + 500)));
  report('samples handler (decode+validate+rows)', samples, performance.now() - t1);
  const refused = outputs.reduce((n, out) => n + out.deadLetters.length, 0);
  if (refused > 0) throw new Error(`bench input produced ${refused} dead letters; fix the bench`);
  for (const definition of [createAnomalyProcessor(config.anomaly, reader), createForecastProcessor(config.forecast, reader)]) {
    const state = definition.initState(0) as never;
    const history = memoryHistory(); // the forecast processor's refits read forecast_history
    const t = performance.now();
    for (let i = 0; i < records.length; i += 500) history.keep(await handleBatch(definition as never, state, records.slice(i, i + 500), history.lookup));
    const ms = performance.now() - t;
    const bytes = definition.snapshot ? [...definition.snapshot.serialize(state, 1 << 20)].reduce((n, part) => n + Buffer.byteLength(part), 0) : 0;
    stateNotes.push(`${definition.name}: ${Math.round(bytes / SERIES)} bytes/series after ${POINTS} points (snapshot JSON, ${SERIES} series)`);
    report(`${definition.name} processor (decode+models+rows)`, samples, ms, `${(bytes / 2 ** 20).toFixed(0)} MiB state for ${SERIES} series`);
  }

  const store = await createClickHouseStore(config.store, dir, log);
  await migrate(store, log);
  const queue = new PQueue({ concurrency: config.runner.storeConcurrency });
  const t2 = performance.now();
  await Promise.all(outputs.flatMap((out, i) => out.outputs.map((table) => queue.add(() => store.insert(table, `bench|${i}|${table.table}`)))));
  report('store write (RowBinary, samples+series+MVs)', samples, performance.now() - t2);
  const t3 = performance.now();
  await store.command(`INSERT INTO bench.samples SELECT 'bench', number % ${SERIES}, fromUnixTimestamp64Milli(toInt64(${now} - intDiv(number, ${SERIES}) * 10000)), number FROM numbers(${samples})`);
  report('chDB direct (INSERT SELECT, same rows, MVs)', samples, performance.now() - t3, 'store ceiling');
  await store.close();
  await bus.close();
}

type HistogramValues = { values: { labels: Record<string, unknown>; value: number; metricName?: string }[] };

/**
 * Records the processors have not handled yet, from the lag gauge they set after each batch (where they
 * have got to, against the log end at their last fetch). The stored checkpoints trail this by up to
 * PROCESSOR_CHECKPOINT_INTERVAL_MS, so they would time the checkpoint interval, not the work.
 */
async function behind(registry: ReturnType<typeof createRegistry>, components: readonly string[]): Promise<number> {
  const values = (await pipelineMetrics(registry).consumerLag.get()).values;
  if (!components.every((c) => values.some((v) => v.labels['component'] === c))) return Number.POSITIVE_INFINITY;
  return values.reduce((sum, v) => sum + v.value, 0);
}

/** One component's cumulative buckets (upper bound `le`, count at or below it) and its observation count. */
function bucketsOf(histogram: HistogramValues, component: string): { buckets: { le: number; count: number }[]; total: number } {
  const buckets = histogram.values.filter((v) => v.metricName?.endsWith('_bucket') && v.labels['component'] === component).map((v) => ({ le: Number(v.labels['le']), count: v.value }));
  return { buckets, total: buckets.at(-1)?.count ?? 0 };
}

/** Share of observations above `bound` seconds (a bucket bound), as a percentage. */
function over(histogram: HistogramValues, bound: number, component: string): string {
  const { buckets, total } = bucketsOf(histogram, component);
  const within = buckets.find((b) => b.le === bound)?.count ?? 0;
  return total > 0 ? `${(((total - within) / total) * 100).toFixed(2)}%` : 'n/a';
}

/** Upper bound of the q-quantile (a bucket's le) of one component's observations. */
function quantile(histogram: HistogramValues, q: number, component: string): number {
  const { buckets, total } = bucketsOf(histogram, component);
  return buckets.find((b) => b.count >= q * total)?.le ?? Number.NaN;
}

/**
 * CPU seconds so far by thread name, from /proc on Linux (undefined elsewhere): 'main' is the Node
 * thread, 'node' V8's helpers (garbage collection, compilers) and libuv's pool, the others chDB's
 * threads. Threads that ended are missed.
 */
function cpuByThread(): Map<string, number> | undefined {
  try {
    const out = new Map<string, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = Number(tid) === process.pid ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100); // utime + stime, USER_HZ 100
    }
    return out;
  } catch {
    return undefined;
  }
}

/** `after - before` per thread name, largest first, as "name 1.2 s" (threads under 0.1 s left out). */
function cpuNote(before: Map<string, number> | undefined, after: Map<string, number> | undefined): string {
  if (before === undefined || after === undefined) return '';
  const spent = [...after].map(([name, s]) => [name, s - (before.get(name) ?? 0)] as const).filter(([, s]) => s >= 0.1).sort((a, b) => b[1] - a[1]);
  const total = spent.reduce((n, [, s]) => n + s, 0);
  return `; CPU ${total.toFixed(1)} s: ${spent.map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', ')}`;
}

async function endToEnd(dir: string, all: boolean): Promise<void> {
  // Real clock: the fleet backfills E2E_HOURS at once (a burst, the worst case for latency), then goes
  // live; the run ends once the backfill is stored and every group has caught up.
  const enabled = all ? 'true' : 'false';
  const config = loadConfig({ ...processorEnv, PROGNOS_DATA_DIR: dir, CLICKHOUSE_DATABASE: all ? 'e2e_all' : 'e2e', BUS_METRICS_TOPIC: all ? 'e2e_all' : 'e2e', API_PORT: '0', SYNTHETIC_HOSTS: String(E2E_HOSTS), SYNTHETIC_BACKFILL_HOURS: String(E2E_HOURS), SYNTHETIC_MAX_POINTS_PER_BATCH: '30', FORECAST_ENABLED: enabled, ANOMALY_ENABLED: enabled, LOG_LEVEL: 'silent', OPS_PORT: '0' });
  const registry = createRegistry();
  const expected = E2E_HOSTS * 7 * Math.ceil((E2E_HOURS * 3_600_000) / config.synthetic.stepMs);
  const started = performance.now();
  const cpuBefore = cpuByThread();
  const pipeline = await startPipeline({ roles: ['ingest', 'process'], config, log, registry, now: Date.now, onFatal: (err) => { throw err; } });
  const ready = performance.now(); // store opened and migrated, consumers assigned, the fleet about to send
  for (;;) {
    const [row] = await pipeline.store.query<{ n: string }>(`SELECT sum(count) AS n FROM ${config.store.database}.samples_1m`);
    const waiting = all ? await behind(registry, ['samples', 'anomaly', 'forecast']) : 0;
    if (Number(row?.n ?? 0) >= expected && waiting === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const ms = performance.now() - started;
  const cpu = cpuNote(cpuBefore, cpuByThread());
  const latency = (await pipelineMetrics(registry).storeLatency.get()) as HistogramValues;
  const startup = ready - started;
  const afterStartup = `; start-up ${(startup / 1000).toFixed(2)} s, ${rate(expected, ms - startup)} after it`;
  report(`end to end, ${all ? 'samples + anomaly + forecast' : 'samples only'} (${E2E_HOSTS} hosts, ${E2E_HOSTS * 7} series, fsync on)`, expected, ms, `append-to-stored during the burst: p50 <= ${quantile(latency, 0.5, 'samples')} s, p99 <= ${quantile(latency, 0.99, 'samples')} s${afterStartup}${cpu}`);
  await pipeline.stop();
}

const latencyRows: string[][] = [];

/**
 * Steady state: a live fleet (no backfill) at 1 sample/s per series through all processors with the real
 * clock. After a warm-up, the latency histogram is reset and read again `LIVE_SECONDS` later, per
 * processor; the rate is what reached samples_1m in that window, and the backlog at the end shows whether
 * the pipeline kept up.
 */
async function steadyState(dir: string): Promise<void> {
  const config = loadConfig({ ...processorEnv, PROGNOS_DATA_DIR: dir, CLICKHOUSE_DATABASE: 'live', BUS_METRICS_TOPIC: 'live', API_PORT: '0', OPS_PORT: '0', LOG_LEVEL: 'silent', SYNTHETIC_HOSTS: String(LIVE_HOSTS), SYNTHETIC_STEP_MS: '1000', SYNTHETIC_BACKFILL_HOURS: '0' });
  const registry = createRegistry();
  const pipeline = await startPipeline({ roles: ['ingest', 'process'], config, log, registry, now: Date.now, onFatal: (err) => { throw err; } });
  const stored = async () => Number((await pipeline.store.query<{ n: string }>(`SELECT sum(count) AS n FROM live.samples_1m`))[0]?.n ?? 0);
  await new Promise((r) => setTimeout(r, 20_000));
  const metrics = pipelineMetrics(registry);
  metrics.storeLatency.reset();
  const before = await stored();
  const started = performance.now();
  await new Promise((r) => setTimeout(r, LIVE_SECONDS * 1000));
  const latency = (await metrics.storeLatency.get()) as HistogramValues;
  const samples = (await stored()) - before;
  const ms = performance.now() - started;
  const waiting = await behind(registry, ['samples', 'anomaly', 'forecast']);
  for (const component of ['samples', 'anomaly', 'forecast']) {
    latencyRows.push([component, `${quantile(latency, 0.5, component)} s`, `${quantile(latency, 0.99, component)} s`, over(latency, 1, component), over(latency, 2, component)]);
  }
  report(`steady state, all processors (${LIVE_HOSTS} hosts, ${LIVE_HOSTS * 7} series at 1 sample/s, fsync on)`, samples, ms, `offered ${(LIVE_HOSTS * 7).toLocaleString('en-US')}/s; backlog at the end ${waiting} records`);
  await pipeline.stop();
}

let stateFigures: StateFigure[] | undefined;

const dir = mkdtempSync(join(tmpdir(), 'prognos-bench-'));
try {
  if (PHASES.has('stages')) await stages(join(dir, 'a'));
  if (PHASES.has('e2e') || PHASES.has('e2e-samples')) await endToEnd(join(dir, 'b'), false);
  if (PHASES.has('e2e') || PHASES.has('e2e-all')) await endToEnd(join(dir, 'b'), true);
  if (PHASES.has('live')) await steadyState(join(dir, 'c'));
  if (PHASES.has('state')) {
    const config = loadConfig({ PROGNOS_DATA_DIR: join(dir, 'd') });
    stateFigures = await stateAtScale(config, createMetricBatchCodec(), STATE_SCALES, STATE_MAX_GIB * 2 ** 30);
  }
  console.log(`\nprognos pipeline benchmark (${SERIES} series x ${POINTS} points for stages; Node ${process.version})\n`);
  console.log('| stage | samples | time | samples/s | note |\n|---|---:|---:|---:|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; samples processor state: 0 bytes/series (stateless)`);
  for (const note of stateNotes) console.log(`state: ${note}`);
  console.log('\nappend-to-stored latency in steady state (upper bucket bounds)\n| processor | p50 | p99 | over 1 s | over 2 s |\n|---|---:|---:|---:|---:|');
  for (const row of latencyRows) console.log(`| ${row.join(' | ')} |`);
  const kib = (b: number) => (Number.isNaN(b) ? 'not run' : `${(b / 1024).toFixed(2)} KiB`);
  console.log('\nsteady-state state per series (V8 heap + ArrayBuffers of N series held at once: anomaly slab slots, forecast deep copies; snapshot as written)\n| processor | active series | heap per series | heap total | snapshot per series |\n|---|---:|---:|---:|---:|');
  for (const f of stateFigures ?? []) console.log(`| ${f.processor} | ${f.series.toLocaleString('en-US')} | ${kib(f.heapBytes)} | ${Number.isNaN(f.heapBytes) ? `would need ~${(f.totalBytes / 2 ** 30).toFixed(1)} GiB` : `${(f.totalBytes / 2 ** 20).toFixed(0)} MiB`} | ${kib(f.snapshotBytes)} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
