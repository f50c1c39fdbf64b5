// Validates one decoded MetricBatch and maps it to samples and series rows, splitting off every invalid
// series or sample as a dead letter with its reason. Valid samples of a batch are always kept.
import type { MetricBatch, WireSeries } from '../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { deadLetterFor, type DeadLetter } from '../../lib/runner/types.ts';
import type { RowRun } from '../../lib/store/types.ts';
import type { SamplesConfig } from './config.ts';
import { seriesId } from './series-id.ts';

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface BatchRows {
  /** Samples rows: per accepted series one run of tenant and series id, then its timestamps and values. */
  samples: RowRun[];
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

/** One series of a batch that passed the series rules, with the samples that passed the sample rules. */
export interface AcceptedSeries {
  series: WireSeries;
  id: string;
  /** The decoded arrays themselves when every sample passed (the common case), else copies of the passing ones. */
  timestamps: readonly number[];
  values: readonly number[];
}

/**
 * The acceptance rules, one function for every consumer of the topic: the series of `batch` with at least
 * one valid sample, in batch order; a dead letter is pushed for every invalid series or sample. The samples
 * processor stores what this accepts; the derived processors model exactly that.
 */
export function acceptedSeries(batch: MetricBatch, record: BusRecord, config: SamplesConfig, deadLetters: DeadLetter[]): AcceptedSeries[] {
  const letter = (reason: string, detail: string, payload: unknown): DeadLetter => deadLetterFor(record, batch.tenant, reason, detail, JSON.stringify(payload));
  const accepted: AcceptedSeries[] = [];
  for (const series of batch.series) {
    const problem = seriesProblem(series, config);
    if (problem) {
      deadLetters.push(letter(problem.reason, problem.detail, { metric: series.metric, labels: series.labels, samples: series.values.length }));
      continue;
    }
    let kept: { timestamps: number[]; values: number[] } | undefined; // copies, from the first refused sample on
    for (let i = 0; i < series.timestamps.length; i++) {
      const ts = series.timestamps[i]!;
      const value = series.values[i]!;
      const bad = sampleProblem(ts, value, record.timestampMs, config);
      if (bad) {
        deadLetters.push(letter(bad.reason, bad.detail, { metric: series.metric, labels: series.labels, ts, value: String(value) }));
        kept ??= { timestamps: series.timestamps.slice(0, i), values: series.values.slice(0, i) };
      } else if (kept !== undefined) {
        kept.timestamps.push(ts);
        kept.values.push(value);
      }
    }
    const { timestamps, values } = kept ?? series;
    if (timestamps.length > 0) accepted.push({ series, id: seriesId(batch.tenant, series.metric, series.labels), timestamps, values });
  }
  return accepted;
}

/** Append the samples and series rows of a read batch to `out`. */
export function toRows(batch: MetricBatch, accepted: readonly AcceptedSeries[], out: BatchRows): void {
  for (const { series, id, timestamps, values } of accepted) {
    let firstSeen = Infinity;
    let lastSeen = -Infinity;
    for (let i = 0; i < timestamps.length; i++) {
      const ts = timestamps[i]!;
      if (ts < firstSeen) firstSeen = ts;
      if (ts > lastSeen) lastSeen = ts;
    }
    out.samples.push({ head: [batch.tenant, id], tail: [timestamps, values] }); // the accepted arrays, not copied
    out.series.push([batch.tenant, id, series.metric, series.labels, series.kind, batch.source, firstSeen, lastSeen, timestamps.length]);
  }
}
