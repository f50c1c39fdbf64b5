// Reads MetricBatch records as the samples processor accepts them: decode, tenant check, the acceptance
// rules and series ids, in one place. Every processor of the metrics topic reads through a reader built
// with the samples processor's config, so the derived ones see exactly the samples that are stored.
// (Sharing one decode between the processors of a process was tried: in a burst the groups drift apart,
// under half the reads were shared, and the retained batches cost the old-generation collector what the
// decodes saved. See BENCHMARKS.md.)
import type { AvroCodec } from '../../lib/avro/codec.ts';
import type { MetricBatch } from '../../lib/avro/metric-batch.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { PrognosError, messageOf } from '../../lib/errors.ts';
import type { DeadLetter } from '../../lib/runner/types.ts';
import type { SamplesConfig } from './config.ts';
import { acceptedSeries, type AcceptedSeries } from './rows.ts';

/** A record as read: its batch's valid series and the dead letters of its invalid series and samples. */
export interface ReadBatch {
  ok: true;
  batch: MetricBatch;
  accepted: readonly AcceptedSeries[];
  deadLetters: readonly DeadLetter[];
}

/** A record that does not decode, or whose batch names another tenant than its key. */
export interface Unreadable {
  ok: false;
  reason: string;
  detail: string;
}

export interface MetricReader {
  read(record: BusRecord): ReadBatch | Unreadable;
}

/** The tenant named by a record key `tenant/source`. */
export function tenantOfKey(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}

/** A reader with the samples processor's `acceptance` rules. */
export function createMetricReader(codec: AvroCodec<MetricBatch>, acceptance: SamplesConfig): MetricReader {
  return {
    read(record) {
      let batch: MetricBatch;
      try {
        batch = codec.decode(record.value);
      } catch (err) {
        const reason = err instanceof PrognosError ? String(err.details['reason'] ?? 'decode_failed') : 'decode_failed';
        return { ok: false, reason, detail: messageOf(err) };
      }
      if (batch.tenant !== tenantOfKey(record.key)) {
        return { ok: false, reason: 'tenant_mismatch', detail: `record key names tenant ${tenantOfKey(record.key)} but the batch says ${batch.tenant}` };
      }
      const deadLetters: DeadLetter[] = [];
      return { ok: true, batch, accepted: acceptedSeries(batch, record, acceptance, deadLetters), deadLetters };
    },
  };
}
