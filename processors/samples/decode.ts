// What the stateful processors that read the metrics topic take from each record: the samples the samples
// processor stores (same reader, same rules), of the series whose metric matches their pattern. They skip
// and count what the samples processor dead-letters, so a refused record is dead-lettered once.
import type { MetricKind } from '../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { PrognosError, messageOf } from '../../lib/errors.ts';
import type { MetricReader } from './reader.ts';

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
 * For every record `reader` can read (the samples processor's reader: same acceptance rules, same code),
 * so a derived processor sees exactly the samples that are stored: keep the series whose metric matches
 * `pattern`; call `visit` once per record with their runs, in record order, and their metadata by series
 * id (the last entry's, when a record names one series twice). Counts what it leaves out in `skipped`
 * (undecodable, invalid, unmatched).
 */
export function forEachMatchedRecord(
  reader: MetricReader,
  records: readonly BusRecord[],
  pattern: RegExp,
  skipped: Skipped,
  visit: (runs: readonly SampleRun[], series: ReadonlyMap<string, MatchedSeries>) => void,
): void {
  for (const record of records) {
    const read = reader.read(record);
    if (!read.ok) {
      skipped.undecodable++;
      continue;
    }
    skipped.invalid += read.deadLetters.length;
    const runs: SampleRun[] = [];
    const matched = new Map<string, MatchedSeries>();
    for (const { series, id, timestamps, values } of read.accepted) {
      if (!pattern.test(series.metric)) {
        skipped.unmatched += timestamps.length;
        continue;
      }
      matched.set(id, { metric: series.metric, labels: series.labels, kind: series.kind });
      runs.push({ tenant: read.batch.tenant, id, timestamps, values });
    }
    visit(runs, matched);
  }
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
