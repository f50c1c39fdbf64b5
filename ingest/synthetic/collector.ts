// The synthetic fleet collector: produces MetricBatch records (key tenant/host) for every step from its
// cursor up to the clock, catching up in batches of up to maxPointsPerBatch points a series. The cursor is
// recovered from the last record of each partition, so a restart neither repeats nor skips a sample.
import type { AvroCodec } from '../../lib/avro/codec.ts';
import type { MetricBatch } from '../../lib/avro/metric-batch.ts';
import { partitionFor } from '../../lib/bus/partitioner.ts';
import type { Bus } from '../../lib/bus/types.ts';
import { isRetriable, messageOf } from '../../lib/errors.ts';
import type { Logger } from '../../lib/observability/log.ts';
import { retry } from '../../lib/retry.ts';
import type { PipelineMetrics } from '../../lib/observability/metrics.ts';
import type { SyntheticConfig } from './config.ts';
import { hostSeries, type SeriesSpec } from './fleet.ts';

export interface SyntheticCollectorDeps {
  config: SyntheticConfig;
  bus: Bus;
  topic: string;
  codec: AvroCodec<MetricBatch>;
  now: () => number;
  log: Logger;
  metrics: PipelineMetrics;
  /** Resolves after `ms` or when stop() is called. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface SyntheticCollector {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Next timestamp each host will emit (for tests and logs). */
  cursor(): number;
}

interface Host {
  key: string;
  source: string;
  series: SeriesSpec[];
}

/** Sleeps `ms`, or less when `signal` aborts; leaves no listener behind either way (it runs every step). */
export const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Build one MetricBatch for `host` covering ticks [from, to). Exported for tests and benchmarks. */
export function buildBatch(tenant: string, host: Host, from: number, to: number, stepMs: number): MetricBatch {
  const timestamps: number[] = [];
  for (let ts = from; ts < to; ts += stepMs) timestamps.push(ts);
  return {
    tenant,
    source: host.source,
    sent_at: to,
    series: host.series.map((spec) => ({ metric: spec.metric, labels: spec.labels, kind: spec.kind, timestamps, values: timestamps.map((ts) => spec.value(ts)) })),
  };
}

/** The smallest cursor (a loop: spreading 100,000+ arguments into Math.min overflows the stack). */
function earliest(cursors: readonly number[]): number {
  let min = Infinity;
  for (const c of cursors) if (c < min) min = c;
  return min;
}

/** Create the collector. */
export function createSyntheticCollector(deps: SyntheticCollectorDeps): SyntheticCollector {
  const { config, bus, topic, codec, log, metrics } = deps;
  const sleep = deps.sleep ?? defaultSleep;
  const hosts: Host[] = Array.from({ length: config.hosts }, (_, i) => {
    const series = hostSeries(config.seed, i, config.incidentsPerHostDay, config.stepMs);
    const source = series[0]!.labels['host']!;
    return { key: `${config.tenant}/${source}`, source, series };
  });
  const align = (ts: number) => Math.floor(ts / config.stepMs) * config.stepMs;
  let cursors: number[] = [];
  const abort = new AbortController();
  let loop: Promise<void> | undefined;

  async function recoverCursors(): Promise<number[]> {
    const start = align(deps.now() - config.backfillHours * 3_600_000);
    const partitions = await bus.partitionCount(topic);
    const lastByPartition = new Map<number, number>();
    for (const record of await bus.lastRecords(topic)) {
      if (!record.key.startsWith(`${config.tenant}/`)) continue;
      const batch = codec.decode(record.value);
      lastByPartition.set(record.partition, batch.sent_at);
    }
    // Hosts of a partition are produced together, so the last record of the partition dates them all.
    return hosts.map((host) => lastByPartition.get(partitionFor(host.key, partitions)) ?? start);
  }

  async function run(): Promise<void> {
    while (!abort.signal.aborted) {
      const now = align(deps.now());
      const from = earliest(cursors);
      if (from >= now) {
        await sleep(now + config.stepMs - deps.now(), abort.signal);
        continue;
      }
      const to = Math.min(now, from + config.maxPointsPerBatch * config.stepMs);
      const messages: { key: string; value: Buffer }[] = [];
      let samples = 0;
      for (let h = 0; h < hosts.length; h++) {
        if (cursors[h]! >= to) continue;
        const batch = buildBatch(config.tenant, hosts[h]!, cursors[h]!, to, config.stepMs);
        samples += batch.series.length * batch.series[0]!.timestamps.length;
        messages.push({ key: hosts[h]!.key, value: codec.encode(batch) });
      }
      await retry(() => bus.produce(topic, messages), {
        baseDelayMs: 100,
        maxDelayMs: 10_000,
        isRetriable,
        shouldStop: () => abort.signal.aborted,
        onRetry: (err, attempt, delayMs) => {
          metrics.retries.inc({ component: 'synthetic' });
          log.warn({ err: messageOf(err), attempt, delayMs }, 'produce failed; retrying');
        },
      });
      metrics.received.inc({ component: 'synthetic' }, samples);
      metrics.sent.inc({ component: 'synthetic' }, samples);
      cursors = cursors.map((c) => Math.max(c, to));
      // Yield so the processor shares the event loop while catching up.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  return {
    async start() {
      cursors = await recoverCursors();
      log.info({ hosts: hosts.length, series: hosts.length * hosts[0]!.series.length, from: new Date(earliest(cursors)).toISOString(), stepMs: config.stepMs }, 'synthetic fleet started');
      loop = run();
      loop.catch((err: unknown) => log.error({ err }, 'synthetic collector stopped on an error'));
    },
    async stop() {
      abort.abort();
      if (loop) await loop.catch(() => undefined);
    },
    cursor: () => earliest(cursors),
  };
}
