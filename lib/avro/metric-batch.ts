// The MetricBatch wire type (snake_case, as in schemas/avro/metric-batch.v1.avsc) and its codec.
import { createAvroCodec, schemaIds, type AvroCodec, type SchemaIdTable } from './codec.ts';

export type MetricKind = 'UNKNOWN' | 'GAUGE' | 'COUNTER';

/** One series of a batch: labels once, then parallel timestamp (ms) and value arrays. */
export interface WireSeries {
  metric: string;
  labels: Record<string, string>;
  kind: MetricKind;
  timestamps: number[];
  values: number[];
}

/** A batch of samples from one tenant and source. */
export interface MetricBatch {
  tenant: string;
  source: string;
  sent_at: number;
  series: WireSeries[];
}

/** Codec that writes v1 and reads v1 and v2 bytes (built-in ids unless a registry assigned others). */
export function createMetricBatchCodec(ids: SchemaIdTable = schemaIds): AvroCodec<MetricBatch> {
  return createAvroCodec<MetricBatch>('metric-batch.v1', ['metric-batch.v1', 'metric-batch.v2'], ids);
}
