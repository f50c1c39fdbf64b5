// The prom-client registry (one per process, passed down; never the global default) and the standard
// component metrics every stage exposes: received, sent, discarded{reason}, errors{code}, batch duration
// and consumer lag. Labels are bounded: component, reason, code, topic, partition; never series or hosts.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry } from 'prom-client';

/** A fresh registry with process metrics (memory, event-loop lag, GC) registered. */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'prognos_' });
  return registry;
}

/** The metrics shared by all pipeline components, created once per registry. */
export interface PipelineMetrics {
  received: Counter<'component'>;
  sent: Counter<'component'>;
  discarded: Counter<'component' | 'reason'>;
  skipped: Counter<'component' | 'reason'>;
  errors: Counter<'component' | 'code'>;
  retries: Counter<'component'>;
  partitionsLost: Counter<'component'>;
  batchDuration: Histogram<'component'>;
  storeLatency: Histogram<'component'>;
  snapshotDuration: Histogram<'component'>;
  snapshotBytes: Counter<'component'>;
  consumerLag: Gauge<'component' | 'topic' | 'partition'>;
  checkpointAge: Gauge<'component' | 'topic' | 'partition'>;
  /** Register when a processor last stored a partition's checkpoint; the age gauge is computed at scrape time. */
  checkpointed(component: string, topic: string, partition: number, atMs: number): void;
  /** Stop reporting a processor's partition (revoked). */
  forgetPartition(component: string, topic: string, partition: number): void;
}

const cache = new WeakMap<Registry, PipelineMetrics>();

/** Get (creating on first use) the pipeline metrics on `registry`. */
export function pipelineMetrics(registry: Registry): PipelineMetrics {
  const existing = cache.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const lastCheckpoint = new Map<string, { component: string; topic: string; partition: string; atMs: number }>();
  const metrics: PipelineMetrics = {
    received: new Counter({ name: 'prognos_records_received_total', help: 'Records (or samples, for collectors) received by a component.', labelNames: ['component'], registers }),
    sent: new Counter({ name: 'prognos_records_sent_total', help: 'Records or rows a component handed on (produced or stored).', labelNames: ['component'], registers }),
    discarded: new Counter({ name: 'prognos_records_discarded_total', help: 'Records or samples sent to the dead-letter path, by reason.', labelNames: ['component', 'reason'], registers }),
    skipped: new Counter({ name: 'prognos_samples_skipped_total', help: 'Samples a derived processor left out without a dead letter, by reason (late, unmatched, or refused by the samples processor).', labelNames: ['component', 'reason'], registers }),
    errors: new Counter({ name: 'prognos_errors_total', help: 'Errors by catalogue code.', labelNames: ['component', 'code'], registers }),
    retries: new Counter({ name: 'prognos_retries_total', help: 'Retried operations (store or bus).', labelNames: ['component'], registers }),
    partitionsLost: new Counter({ name: 'prognos_partitions_lost_total', help: 'Partitions whose state a processor dropped unwritten because its group session ended mid-batch (restored from the store when assigned again).', labelNames: ['component'], registers }),
    batchDuration: new Histogram({ name: 'prognos_batch_duration_seconds', help: 'Wall time to process one batch, decode to commit.', labelNames: ['component'], buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    storeLatency: new Histogram({ name: 'prognos_append_to_store_seconds', help: 'From a record\'s bus append to its outputs being durable (observed per record).', labelNames: ['component'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300], registers }),
    snapshotDuration: new Histogram({ name: 'prognos_snapshot_duration_seconds', help: 'Wall time to write one state snapshot, all parts and the manifest.', labelNames: ['component'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300], registers }),
    snapshotBytes: new Counter({ name: 'prognos_snapshot_bytes_total', help: 'Characters of state snapshot written (JSON), for the cost of snapshotting.', labelNames: ['component'], registers }),
    consumerLag: new Gauge({ name: 'prognos_consumer_lag_records', help: 'Records between where a processor has got to on a partition and the log end at its last fetch.', labelNames: ['component', 'topic', 'partition'], registers }),
    checkpointAge: new Gauge({
      name: 'prognos_checkpoint_age_seconds',
      help: 'Seconds since a processor last stored the checkpoint of an owned partition (grows while a partition is stuck).',
      labelNames: ['component', 'topic', 'partition'],
      registers,
      collect() {
        const now = Date.now();
        for (const { atMs, ...labels } of lastCheckpoint.values()) this.set(labels, Math.max(0, (now - atMs) / 1000));
      },
    }),
    checkpointed(component, topic, partition, atMs) {
      lastCheckpoint.set(`${component}/${topic}/${partition}`, { component, topic, partition: String(partition), atMs });
    },
    forgetPartition(component, topic, partition) {
      lastCheckpoint.delete(`${component}/${topic}/${partition}`);
      metrics.checkpointAge.remove({ component, topic, partition: String(partition) });
      metrics.consumerLag.remove({ component, topic, partition: String(partition) });
    },
  };
  cache.set(registry, metrics);
  return metrics;
}
