// Validates one decoded MetricBatch and maps it to samples and series rows, splitting off every invalid
// series or sample as a dead letter with its reason. Valid samples of a batch are always kept.
import type { MetricBatch, WireSeries } from '../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { deadLetterFor, type DeadLetter } from '../../lib/runner/types.ts';
import type { SamplesConfig } from './config.ts';
import { seriesId } from './series-id.ts';

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface BatchRows {
  samples: unknown[][];
  series: unknown[][];
  deadLetters: DeadLetter[];
}

function seriesProblem(series: WireSeries, config: SamplesConfig): { reason: string; detail: string } | undefined {
  if (!metricName.test(series.metric)) return { reason: 'invalid_metric_name', detail: `metric name ${JSON.stringify(series.metric.slice(0, 200))} breaks [a-zA-Z_:][a-zA-Z0-9_:]*` };
  const names = Object.keys(series.labels);
  if (names.length > config.maxLabels) return { reason: 'too_many_labels', detail: `${names.length} labels, limit ${config.maxLabels}` };
  for (const name of names) {
    if (!labelName.test(name)) return { reason: 'invalid_label_name', detail: `label name ${JSON.stringify(name.slice(0, 200))} is not a valid identifier` };
    const bytes = Math.max(Buffer.byteLength(name), Buffer.byteLength(series.labels[name]!));
    if (bytes > config.maxLabelBytes) return { reason: 'label_too_long', detail: `label ${name.slice(0, 200)} has ${bytes} bytes, limit ${config.maxLabelBytes}` };
  }
  if (series.timestamps.length !== series.values.length) return { reason: 'length_mismatch', detail: `${series.timestamps.length} timestamps but ${series.values.length} values` };
  return undefined;
}

function sampleProblem(ts: number, value: number, appendMs: number, config: SamplesConfig): { reason: string; detail: string } | undefined {
  if (!Number.isFinite(value)) return { reason: 'non_finite_value', detail: `value ${value} is not finite` };
  if (ts > appendMs + config.maxFutureSkewMs) return { reason: 'timestamp_in_future', detail: `timestamp ${new Date(ts).toISOString()} is more than ${config.maxFutureSkewMs} ms after append time` };
  if (ts < appendMs - config.maxPastAgeMs) return { reason: 'timestamp_too_old', detail: `timestamp ${ts} is more than ${config.maxPastAgeMs} ms before append time` };
  return undefined;
}

/** Split `batch` (decoded from `record`) into rows and dead letters. */
export function toRows(batch: MetricBatch, record: BusRecord, config: SamplesConfig, out: BatchRows): void {
  const letter = (reason: string, detail: string, payload: unknown): DeadLetter => deadLetterFor(record, batch.tenant, reason, detail, JSON.stringify(payload));
  for (const series of batch.series) {
    const problem = seriesProblem(series, config);
    if (problem) {
      out.deadLetters.push(letter(problem.reason, problem.detail, { metric: series.metric, labels: series.labels, samples: series.values.length }));
      continue;
    }
    const id = seriesId(batch.tenant, series.metric, series.labels);
    let accepted = 0;
    let firstSeen = Infinity;
    let lastSeen = -Infinity;
    for (let i = 0; i < series.timestamps.length; i++) {
      const ts = series.timestamps[i]!;
      const value = series.values[i]!;
      const bad = sampleProblem(ts, value, record.timestampMs, config);
      if (bad) {
        out.deadLetters.push(letter(bad.reason, bad.detail, { metric: series.metric, labels: series.labels, ts, value: String(value) }));
        continue;
      }
      out.samples.push([batch.tenant, id, ts, value]);
      accepted++;
      if (ts < firstSeen) firstSeen = ts;
      if (ts > lastSeen) lastSeen = ts;
    }
    if (accepted > 0) out.series.push([batch.tenant, id, series.metric, series.labels, series.kind, batch.source, firstSeen, lastSeen, accepted]);
  }
}
