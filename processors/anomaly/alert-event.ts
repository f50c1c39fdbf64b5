// The AlertEvent wire type (snake_case, as in schemas/avro/alert-event.v1.avsc) and its codec. Building
// alerts from anomaly events lives in rows.ts; producing them is the runner's job.
import { createAvroCodec, schemaIds, type AvroCodec, type SchemaIdTable } from '../../lib/avro/codec.ts';

export type AlertAction = 'trigger' | 'resolve';
export type AlertSeverity = 'critical' | 'error' | 'warning' | 'info';

/** One state change of an alert; `dedup_key` is stable per incident. */
export interface AlertEvent {
  tenant: string;
  source: string;
  dedup_key: string;
  action: AlertAction;
  severity: AlertSeverity;
  summary: string;
  series_id: string;
  metric: string;
  labels: Record<string, string>;
  start_ms: number;
  end_ms: number | null;
  peak_score: number;
  expected: number;
  observed: number;
  detector: string;
}

/** Codec that writes and reads alert-event.v1 (Confluent framing, schema id 3). */
export function createAlertEventCodec(ids: SchemaIdTable = schemaIds): AvroCodec<AlertEvent> {
  return createAvroCodec<AlertEvent>('alert-event.v1', ['alert-event.v1'], ids);
}
