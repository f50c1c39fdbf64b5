// The samples processor: decodes MetricBatch records, dead-letters what is undecodable or invalid, and
// writes samples and the series catalogue (rollups follow through materialized views). Stateless.
import type { AvroCodec } from '../../lib/avro/codec.ts';
import type { MetricBatch } from '../../lib/avro/metric-batch.ts';
import { PrognosError, messageOf } from '../../lib/errors.ts';
import type { BusRecord } from '../../lib/bus/types.ts';
import { deadLetterFor, type HandleResult, type ProcessorDefinition } from '../../lib/runner/types.ts';
import type { SamplesConfig } from './config.ts';
import { toRows, type BatchRows } from './rows.ts';

export const samplesColumns = ['tenant', 'series_id', 'ts', 'value'];
export const seriesColumns = ['tenant', 'series_id', 'metric', 'labels', 'kind', 'source', 'first_seen', 'last_seen', 'samples'];

/** The tenant named by a record key `tenant/source`. */
export function tenantOfKey(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}

function decodeFailure(record: BusRecord, reason: string, detail: string) {
  return deadLetterFor(record, tenantOfKey(record.key), reason, detail, record.value.subarray(0, 65_536).toString('base64'));
}

/** Build the samples processor definition. */
export function createSamplesProcessor(config: SamplesConfig, codec: AvroCodec<MetricBatch>): ProcessorDefinition<undefined> {
  return {
    name: 'samples',
    initState: () => undefined,
    handle(_state, records): HandleResult {
      const out: BatchRows = { samples: [], series: [], deadLetters: [] };
      for (const record of records) {
        let batch: MetricBatch;
        try {
          batch = codec.decode(record.value);
        } catch (err) {
          const reason = err instanceof PrognosError ? String(err.details['reason'] ?? 'decode_failed') : 'decode_failed';
          out.deadLetters.push(decodeFailure(record, reason, messageOf(err)));
          continue;
        }
        if (batch.tenant !== tenantOfKey(record.key)) {
          out.deadLetters.push(decodeFailure(record, 'tenant_mismatch', `record key names tenant ${tenantOfKey(record.key)} but the batch says ${batch.tenant}`));
          continue;
        }
        toRows(batch, record, config, out);
      }
      return {
        outputs: [
          { table: 'samples', columns: samplesColumns, rows: out.samples },
          { table: 'series', columns: seriesColumns, rows: out.series },
        ],
        deadLetters: out.deadLetters,
        accepted: out.samples.length,
      };
    },
  };
}
