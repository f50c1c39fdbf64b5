// Decoding for the stateful processors that read the same topic as the samples processor: they skip
// (and count) what the samples processor dead-letters, so a refused record is dead-lettered once.
import type { AvroCodec } from '../../lib/avro/codec.ts';
import type { MetricBatch } from '../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { PrognosError, messageOf } from '../../lib/errors.ts';
import { tenantOfKey } from './handler.ts';

/** Call `visit` for every record that decodes and whose batch tenant matches its key; count the rest. */
export function forEachDecodedBatch(codec: AvroCodec<MetricBatch>, records: readonly BusRecord[], skipped: { undecodable: number }, visit: (batch: MetricBatch, record: BusRecord) => void): void {
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

/** Samples (or records) a derived processor did not use, by reason. */
export interface Skipped {
  /** Records that failed to decode or named another tenant than their key (dead-lettered by samples). */
  undecodable: number;
  /** Series and samples the samples processor dead-letters (same rules, applied by the same code). */
  invalid: number;
  /** Samples of series whose metric does not match the processor's pattern. */
  unmatched: number;
  /** Samples arriving after the processor moved past their time (see each processor's late-data policy). */
  late: number;
}

/** Compile a metric-name pattern that must match the whole name; CONFIG_INVALID names `envName`. */
export function compileMetricPattern(pattern: string, envName: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (cause) {
    throw new PrognosError('CONFIG_INVALID', `${envName} is not a valid regular expression: ${messageOf(cause)}`, { cause });
  }
}
