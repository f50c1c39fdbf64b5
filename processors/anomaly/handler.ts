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
import type { AvroCodec } from '../../lib/avro/codec.ts';
import type { MetricBatch } from '../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import type { HandleResult, ProcessorDefinition } from '../../lib/runner/types.ts';
import { defaultEventParams } from '../../models/anomaly/events.ts';
import { compileMetricPattern, forEachMatchedRecord, type MatchedSeries, type SampleRow, type Skipped } from '../samples/decode.ts';

export type { Skipped } from '../samples/decode.ts';
import type { SamplesConfig } from '../samples/config.ts';
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
 * Build the anomaly processor. `acceptance` is the samples processor's config: samples are validated by
 * the same rules and code, so this processor scores exactly the samples that are stored. Alerts go to
 * `alertsTopic`.
 */
export function createAnomalyProcessor(config: AnomalyConfig, codec: AvroCodec<MetricBatch>, acceptance: SamplesConfig, alertsTopic = defaultAlertsTopic, ids: SchemaIdTable = schemaIds): AnomalyProcessor {
  const pattern = compileMetricPattern(config.metricPattern, 'ANOMALY_METRIC_PATTERN');
  const alertCodec = createAlertEventCodec(ids);
  const policy = createScorePolicy(detectorParamsFor(config), defaultEventParams, config.eventQuietMs);

  function fold(state: AnomalyPartitionState, samples: readonly SampleRow[], matched: ReadonlyMap<string, MatchedSeries>, out: Output, skipped: Skipped): number {
    // group by series (first-seen order) and sort each by event time
    const bySeries = new Map<string, { tenant: string; points: [number, number][] }>();
    for (const [tenant, id, ts, value] of samples) {
      let group = bySeries.get(id);
      if (group === undefined) bySeries.set(id, (group = { tenant, points: [] }));
      group.points.push([ts, value]);
    }
    let accepted = 0;
    for (const [id, { tenant, points }] of bySeries) {
      const meta = matched.get(id)!;
      points.sort((a, b) => a[0] - b[0]);
      const added = addSamples(state, id, { tenant, metric: meta.metric, labels: meta.labels, kind: meta.kind }, points, policy, out);
      accepted += added;
      skipped.late += points.length - added;
    }
    return accepted;
  }

  return {
    name: 'anomaly',
    initState: () => initPartitionState(policy.series.stride),
    handle(state, records): AnomalyHandleResult {
      const out: Output = { baselines: [], events: [], alerts: [] };
      const skipped: Skipped = { undecodable: 0, invalid: 0, unmatched: 0, late: 0 };
      let accepted = 0;
      forEachMatchedRecord(codec, records, acceptance, pattern, skipped, (samples, matched) => {
        accepted += fold(state, samples, matched, out, skipped);
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
