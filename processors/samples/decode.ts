// Decoding for the stateful processors that read the same topic as the samples processor: they skip
// (and count) what the samples processor dead-letters, so a refused record is dead-lettered once.
import type { AvroCodec } from '../../lib/avro/codec.ts';
import type { MetricBatch, MetricKind } from '../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { PrognosError, messageOf } from '../../lib/errors.ts';
import type { DeadLetter } from '../../lib/runner/types.ts';
import type { SamplesConfig } from './config.ts';
import { tenantOfKey } from './handler.ts';
import { forEachAcceptedSeries } from './rows.ts';

/** Call `visit` for every record that decodes and whose batch tenant matches its key; count the rest. */
function forEachDecodedBatch(codec: AvroCodec<MetricBatch>, records: readonly BusRecord[], skipped: { undecodable: number }, visit: (batch: MetricBatch, record: BusRecord) => void): void {
  for (const record of records) {
    let batch: MetricBatch;
    try {
      batch = codec.decode(record.value);
    } catch {
      skipped.undecodable++; // the samples processor dead-letters it; once is enough
      continue;
    }
    if (batch.tenant !== tenantOfKey(record.key)) {
      skipped.undecodable++;
      continue;
    }
    visit(batch, record);
  }
}

/** A series a derived processor works on. */
export interface MatchedSeries {
  metric: string;
  labels: Record<string, string>;
  kind: MetricKind;
}

/**
 * The accepted samples of one series entry of a record, as the samples processor stores them, in record
 * order. The arrays are the decoded ones (shared, read-only) unless some samples were refused.
 */
export interface SampleRun {
  tenant: string;
  id: string;
  timestamps: readonly number[];
  values: readonly number[];
}

/**
 * For every record that decodes: apply the samples processor's acceptance rules (`acceptance`, same code),
 * so a derived processor sees exactly the samples that are stored; keep the series whose metric matches
 * `pattern`; call `visit` once per record with their runs, in record order, and their metadata by series
 * id (the last entry's, when a record names one series twice). Counts what it leaves out in `skipped`
 * (undecodable, invalid, unmatched).
 */
export function forEachMatchedRecord(
  codec: AvroCodec<MetricBatch>,
  records: readonly BusRecord[],
  acceptance: SamplesConfig,
  pattern: RegExp,
  skipped: Skipped,
  visit: (runs: readonly SampleRun[], series: ReadonlyMap<string, MatchedSeries>) => void,
): void {
  const refused: DeadLetter[] = [];
  forEachDecodedBatch(codec, records, skipped, (batch, record) => {
    const runs: SampleRun[] = [];
    const matched = new Map<string, MatchedSeries>();
    forEachAcceptedSeries(batch, record, acceptance, refused, ({ series, id, timestamps, values }) => {
      if (!pattern.test(series.metric)) {
        skipped.unmatched += timestamps.length;
        return;
      }
      matched.set(id, { metric: series.metric, labels: series.labels, kind: series.kind });
      runs.push({ tenant: batch.tenant, id, timestamps, values });
    });
    skipped.invalid += refused.length;
    refused.length = 0;
    visit(runs, matched);
  });
}

/** Samples (or records) a derived processor did not use, by reason. */
export type Skipped = {
  /** Records that failed to decode or named another tenant than their key (dead-lettered by samples). */
  undecodable: number;
  /** Series and samples the samples processor dead-letters (same rules, applied by the same code). */
  invalid: number;
  /** Samples of series whose metric does not match the processor's pattern. */
  unmatched: number;
  /** Samples arriving after the processor moved past their time (see each processor's late-data policy). */
  late: number;
};

/** Compile a metric-name pattern that must match the whole name; CONFIG_INVALID names `envName`. */
export function compileMetricPattern(pattern: string, envName: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (cause) {
    throw new PrognosError('CONFIG_INVALID', `${envName} is not a valid regular expression: ${messageOf(cause)}`, { cause });
  }
}
