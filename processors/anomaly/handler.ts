// The anomaly processor: scores every accepted sample of matching series with the streaming detector
// (GAUGE and UNKNOWN on their value; COUNTER on its per-second rate, a decrease read as a reset from 0,
// the first sample only primes the rate), writes per-minute baselines and anomaly
// events with hysteresis, and emits a trigger and a resolve AlertEvent per event. It writes no dead
// letters: what the samples processor refuses is skipped here.
//
// Late-data policy: a series is scored in event-time order. Within a record its samples are sorted by
// time; a sample not newer than the last accepted sample of its series (late or duplicate) is ignored and
// counted in `skipped.late`. Baselines are aggregated per event-time minute; a minute closes (and its row
// is written) when a sample of a later minute arrives, so the newest minute of a series stays open.
import type { BusRecord } from '../../lib/bus/types.ts';
import type { HandleResult, ProcessorDefinition } from '../../lib/runner/types.ts';
import { defaultEventParams } from '../../models/anomaly/events.ts';
import { compileMetricPattern, forEachMatchedRecord, type MatchedSeries, type SampleRun, type Skipped } from '../samples/decode.ts';

export type { Skipped } from '../samples/decode.ts';
import type { MetricReader } from '../samples/reader.ts';
import { schemaIds, type SchemaIdTable } from '../../lib/avro/codec.ts';
import { createAlertEventCodec } from './alert-event.ts';
import { detectorParamsFor, type AnomalyConfig } from './config.ts';
import { alertMessages, baselineColumns, eventColumns, type Output } from './rows.ts';
import { addSamples, createScorePolicy } from './series.ts';
import { deserializeState, initPartitionState, serializeState, type AnomalyPartitionState } from './state.ts';

/** Default topic of AlertEvent records (BUS_ALERTS_TOPIC). */
export const defaultAlertsTopic = 'telemetry.alerts.alert-event.v1';

/** HandleResult plus the skipped figures; `accepted` counts samples taken in (scored, or a counter's first). */
export interface AnomalyHandleResult extends HandleResult {
  skipped: Skipped;
}

/** The processor definition, with handle() typed to report the skipped figures. */
export interface AnomalyProcessor extends ProcessorDefinition<AnomalyPartitionState> {
  handle(state: AnomalyPartitionState, records: readonly BusRecord[]): AnomalyHandleResult;
}

/**
 * A record's runs as one run per series (first-seen order), each sorted by event time (stable: equal times
 * keep record order). A series with one run already in order keeps its decoded arrays.
 */
export function inTimeOrder(runs: readonly SampleRun[]): Map<string, SampleRun> {
  const bySeries = new Map<string, SampleRun[]>();
  for (const run of runs) {
    const seen = bySeries.get(run.id);
    if (seen === undefined) bySeries.set(run.id, [run]);
    else seen.push(run);
  }
  const ordered = new Map<string, SampleRun>();
  for (const [id, parts] of bySeries) {
    // joined once, however many times the record names the series
    const run = parts.length === 1 ? parts[0]! : { ...parts[0]!, timestamps: parts.flatMap((p) => p.timestamps), values: parts.flatMap((p) => p.values) };
    if (isSorted(run.timestamps)) {
      ordered.set(id, run);
      continue;
    }
    const order = run.timestamps.map((_, i) => i).sort((a, b) => run.timestamps[a]! - run.timestamps[b]!);
    ordered.set(id, { ...run, timestamps: order.map((i) => run.timestamps[i]!), values: order.map((i) => run.values[i]!) });
  }
  return ordered;
}

function isSorted(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i]! < xs[i - 1]!) return false;
  return true;
}

/**
 * Build the anomaly processor. `reader` is the samples processor's (same acceptance rules), so this
 * processor scores exactly the samples that are stored. Alerts go to `alertsTopic`.
 */
export function createAnomalyProcessor(config: AnomalyConfig, reader: MetricReader, alertsTopic = defaultAlertsTopic, ids: SchemaIdTable = schemaIds): AnomalyProcessor {
  const pattern = compileMetricPattern(config.metricPattern, 'ANOMALY_METRIC_PATTERN');
  const alertCodec = createAlertEventCodec(ids);
  const policy = createScorePolicy(detectorParamsFor(config), defaultEventParams, config.eventQuietMs);

  function fold(state: AnomalyPartitionState, runs: readonly SampleRun[], matched: ReadonlyMap<string, MatchedSeries>, out: Output, skipped: Skipped): number {
    let accepted = 0;
    for (const [id, run] of inTimeOrder(runs)) {
      const meta = matched.get(id)!;
      const added = addSamples(state, id, { tenant: run.tenant, metric: meta.metric, labels: meta.labels, kind: meta.kind }, run.timestamps, run.values, policy, out);
      accepted += added;
      skipped.late += run.timestamps.length - added;
    }
    return accepted;
  }

  return {
    name: 'anomaly',
    initState: () => initPartitionState(policy.series.stride),
    // records are scored one after another and rows are written only for closed minutes and events, so
    // slices of a batch give the rows of the whole batch; 128 records are 20-40 ms of scoring here
    sliceRecords: 128,
    handle(state, records): AnomalyHandleResult {
      const out: Output = { baselines: [], events: [], alerts: [] };
      const skipped: Skipped = { undecodable: 0, invalid: 0, unmatched: 0, late: 0 };
      let accepted = 0;
      forEachMatchedRecord(reader, records, pattern, skipped, (runs, matched) => {
        accepted += fold(state, runs, matched, out, skipped);
      });
      return {
        outputs: [
          { table: 'baselines', columns: baselineColumns, rows: out.baselines },
          { table: 'anomaly_events', columns: eventColumns, rows: out.events },
        ],
        messages: alertMessages(out.alerts, alertsTopic, (a) => alertCodec.encode(a)),
        deadLetters: [],
        accepted,
        skipped,
      };
    },
    snapshot: { serialize: serializeState, deserialize: (parts) => deserializeState(parts, policy.packer, policy.work) },
  };
}
