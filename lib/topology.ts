// Wires components into a running process for a set of roles (ingest, process, api). The same code runs
// embedded (one process, embedded bus, chDB) and distributed (one role per process, Kafka, ClickHouse);
// only configuration picks the adapters. Shutdown runs in reverse: stop sources, drain processors, close
// the API, then the bus and the store.
import { join } from 'node:path';
import PQueue from 'p-queue';
import type { FastifyInstance } from 'fastify';
import { buildApp, buildOpsApp } from '../query-api/app.ts';
import { createSyntheticCollector, type SyntheticCollector } from '../ingest/synthetic/collector.ts';
import { createAnomalyProcessor } from '../processors/anomaly/handler.ts';
import { createForecastProcessor } from '../processors/forecast/handler.ts';
import { createHistoryLookup } from '../processors/forecast/history-store.ts';
import { createSamplesProcessor } from '../processors/samples/handler.ts';
import { createMetricReader } from '../processors/samples/reader.ts';
import { schemaIds } from './avro/codec.ts';
import { createMetricBatchCodec } from './avro/metric-batch.ts';
import { resolveRegistryIds } from './avro/registry.ts';
import { createEmbeddedBus } from './bus/embedded.ts';
import { createKafkaBus } from './bus/kafka.ts';
import type { Bus } from './bus/types.ts';
import type { Config } from './config/load.ts';
import { PrognosError } from './errors.ts';
import type { Logger } from './observability/log.ts';
import { pipelineMetrics, type Registry } from './observability/metrics.ts';
import { createStoreCheckpoints } from './runner/checkpoints.ts';
import { createStoreSnapshots } from './runner/snapshots.ts';
import { createRunner, type Runner } from './runner/runner.ts';
import type { ProcessorDefinition } from './runner/types.ts';
import { createClickHouseStore } from './store/clickhouse.ts';
import { migrate } from './store/migrate.ts';
import type { Store } from './store/types.ts';

export type Role = 'ingest' | 'process' | 'api';

export interface RunningPipeline {
  store: Store;
  bus: Bus;
  /** Where the API listens, when the api role runs. */
  apiUrl?: string;
  /** Where /healthz, /readyz and /metrics listen in a process without the api role. */
  opsUrl?: string;
  app?: FastifyInstance;
  runners: Runner[];
  collector?: SyntheticCollector;
  stop(): Promise<void>;
}

export interface StartOptions {
  roles: readonly Role[];
  config: Config;
  log: Logger;
  registry: Registry;
  now: () => number;
  /** Called when a component fails for good; main exits non-zero so a supervisor restarts it. */
  onFatal: (err: unknown) => void;
  /** Wraps the store before use (tests inject faults here). */
  wrapStore?: (store: Store) => Store;
  /** Extra processors to run in the process role (tests; later issues add theirs here). */
  processors?: ProcessorDefinition<unknown>[];
}

/** Create the bus the configuration names. */
export function createBus(config: Config, log: Logger, now: () => number = Date.now): Bus {
  if (config.bus.brokers.length > 0) return createKafkaBus({ brokers: config.bus.brokers, clientId: config.bus.clientId, idempotent: config.bus.idempotent, sessionTimeoutMs: config.bus.sessionTimeoutMs, log: log.child({ component: 'kafka' }) });
  return createEmbeddedBus({ dir: join(config.core.dataDir, 'bus'), fsync: config.bus.fsync, retentionMs: config.bus.retentionHours * 3_600_000, segmentBytes: config.bus.segmentBytes, now, log: log.child({ component: 'embedded-bus' }) });
}

/** Start the given roles; resolves once every one is running. */
export async function startPipeline(options: StartOptions): Promise<RunningPipeline> {
  const { config, log, registry, roles, now } = options;
  const embedded = config.bus.brokers.length === 0;
  if (embedded && roles.length < 3) log.warn({ roles }, 'embedded bus with only some roles: other processes cannot see this bus; set KAFKA_BROKERS to split roles');
  const metrics = pipelineMetrics(registry);
  const opened = await createClickHouseStore(config.store, config.core.dataDir, log.child({ component: 'store' }));
  const store = options.wrapStore ? options.wrapStore(opened) : opened;
  await migrate(store, log.child({ component: 'migrate' }));
  const bus = createBus(config, log, now);
  const topic = config.bus.metricsTopic;
  await bus.ensureTopic(topic, config.bus.partitions);
  await bus.ensureTopic(config.bus.alertsTopic, config.bus.partitions);
  const ids = config.bus.schemaRegistryUrl === '' ? schemaIds : await resolveRegistryIds(config.bus.schemaRegistryUrl, { 'metric-batch.v1': topic, 'metric-batch.v2': topic, 'alert-event.v1': config.bus.alertsTopic });
  const codec = createMetricBatchCodec(ids);
  const queue = new PQueue({ concurrency: config.runner.storeConcurrency });
  const running: RunningPipeline = { store, bus, runners: [], stop: async () => undefined };

  if (roles.includes('process')) {
    // every processor of the topic reads with the samples processor's acceptance rules
    const reader = createMetricReader(codec, config.samples);
    const definitions = [
      createSamplesProcessor(reader) as ProcessorDefinition<unknown>,
      ...(config.forecast.enabled ? [createForecastProcessor(config.forecast, reader) as ProcessorDefinition<unknown>] : []),
      ...(config.anomaly.enabled ? [createAnomalyProcessor(config.anomaly, reader, config.bus.alertsTopic, ids) as ProcessorDefinition<unknown>] : []),
      ...(options.processors ?? []),
    ];
    // look-ups over the store for processors whose batches read stored rows (prepare())
    const lookups = new Map([['forecast', createHistoryLookup(store)]]);
    const checkpoints = createStoreCheckpoints(store); // one for all: saves in flight at once share an insert
    for (const definition of definitions) {
      const lookup = lookups.get(definition.name);
      const group = definition.name === 'samples' ? config.samples.group : `prognos-${definition.name}`;
      const consumer = bus.createConsumer({ group, topic, maxBatchRecords: config.runner.maxBatchRecords, maxBatchBytes: config.runner.maxBatchBytes });
      const runner = createRunner({
        definition, consumer, topic, group, sink: store, producer: bus, checkpoints, snapshots: createStoreSnapshots(store),
        config: config.runner, queue, log: log.child({ component: definition.name }), metrics, now, onFatal: options.onFatal, ...(lookup ? { lookup } : {}),
      });
      await runner.start();
      running.runners.push(runner);
    }
  }

  if (roles.includes('ingest') && config.synthetic.enabled) {
    running.collector = createSyntheticCollector({ config: config.synthetic, bus, topic, codec, now, log: log.child({ component: 'synthetic' }), metrics });
    await running.collector.start();
  }

  const checks = [
    { name: 'store', check: () => store.ping() },
    ...running.runners.map((runner) => ({ name: `processor:${runner.name}`, check: () => runner.healthy() })),
  ];
  if (roles.includes('api')) {
    const app = await buildApp({ config: config.api, store, registry, log: log.child({ component: 'api' }), checks, now });
    running.apiUrl = await app.listen({ host: config.api.host, port: config.api.port });
    running.app = app;
    if (config.api.apiKeys.length === 0 && config.api.anonymousTenant !== '') log.warn({ tenant: config.api.anonymousTenant }, 'API_KEYS is empty: the API serves one tenant without credentials (fine on 127.0.0.1, not on a network)');
  } else if (config.core.opsPort !== 0) {
    const app = await buildOpsApp({ registry, log: log.child({ component: 'ops' }), checks, now });
    running.opsUrl = await app.listen({ host: config.api.host, port: config.core.opsPort });
    running.app = app;
  }

  let stopped: Promise<void> | undefined;
  running.stop = () =>
    (stopped ??= (async () => {
      await running.collector?.stop();
      for (const runner of running.runners) await runner.stop();
      await queue.onIdle();
      await running.app?.close();
      await bus.close();
      await store.close();
    })());
  return running;
}

/** Parse role names from the CLI. */
export function parseRoles(words: readonly string[]): Role[] {
  const valid: Role[] = ['ingest', 'process', 'api'];
  for (const word of words) if (!valid.includes(word as Role)) throw new PrognosError('CONFIG_INVALID', `unknown role ${word}; roles are ${valid.join(', ')}`);
  return words as Role[];
}
