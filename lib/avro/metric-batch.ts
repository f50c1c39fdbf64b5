// The MetricBatch wire type (snake_case, as in schemas/avro/metric-batch.v1.avsc) and its codec.
import { HEADER_BYTES, createAvroCodec, framedSchemaId, schemaIds, type AvroCodec, type SchemaIdTable } from './codec.ts';
import { PrognosError } from '../errors.ts';
import { CorruptBody, readMetricBatchV1 } from './metric-batch-read.ts';
import { writeMetricBatchV1 } from './metric-batch-write.ts';

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

/**
 * Codec that writes v1 and reads v1 and v2 bytes (built-in ids unless a registry assigned others). It
 * writes through the specialised encoder (metric-batch-write.ts), avsc taking what that leaves. v1 bytes
 * go through the specialised reader first (metric-batch-read.ts), which refuses corrupt ones itself (as
 * DECODE_FAILED corrupt_body, like avsc's refusals); the few values it leaves to avsc, avsc decodes.
 */
export function createMetricBatchCodec(ids: SchemaIdTable = schemaIds): AvroCodec<MetricBatch> {
  const codec = createAvroCodec<MetricBatch>('metric-batch.v1', ['metric-batch.v1', 'metric-batch.v2'], ids);
  const v1 = ids['metric-batch.v1'];
  return {
    schemaId: codec.schemaId,
    encode: (value) => writeMetricBatchV1(value, v1) ?? codec.encode(value),
    decode(bytes) {
      if (framedSchemaId(bytes) !== v1) return codec.decode(bytes);
      try {
        return readMetricBatchV1(bytes, HEADER_BYTES) ?? codec.decode(bytes);
      } catch (cause) {
        if (!(cause instanceof CorruptBody)) throw cause;
        throw new PrognosError('DECODE_FAILED', `corrupt Avro body for schema id ${v1}: ${cause.message}`, { cause, details: { reason: 'corrupt_body', schemaId: v1 } });
      }
    },
  };
}
