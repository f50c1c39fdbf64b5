// The samples processor: decodes MetricBatch records, dead-letters what is undecodable or invalid, and
// writes samples and the series catalogue (rollups follow through materialized views). Stateless.
import type { BusRecord } from '../../lib/bus/types.ts';
import { deadLetterFor, type HandleResult, type ProcessorDefinition } from '../../lib/runner/types.ts';
import { rowCount, type TableRows } from '../../lib/store/types.ts';
import { tenantOfKey, type MetricReader } from './reader.ts';
import { toRows, type BatchRows } from './rows.ts';

export const samplesColumns = ['tenant', 'series_id', 'ts', 'value'];
export const seriesColumns = ['tenant', 'series_id', 'metric', 'labels', 'kind', 'source', 'first_seen', 'last_seen', 'samples'];

function decodeFailure(record: BusRecord, reason: string, detail: string) {
  return deadLetterFor(record, tenantOfKey(record.key), reason, detail, record.value.subarray(0, 65_536).toString('base64'));
}

/** Build the samples processor definition; `reader` decodes and applies the acceptance rules. */
export function createSamplesProcessor(reader: MetricReader): ProcessorDefinition<undefined> {
  return {
    name: 'samples',
    initState: () => undefined,
    handle(_state, records): HandleResult {
      const out: BatchRows = { samples: [], series: [], deadLetters: [] };
      for (const record of records) {
        const read = reader.read(record);
        if (!read.ok) {
          out.deadLetters.push(decodeFailure(record, read.reason, read.detail));
          continue;
        }
        for (const letter of read.deadLetters) out.deadLetters.push(letter); // not push(...): a record may refuse 100k+ samples
        toRows(read.batch, read.accepted, out);
      }
      const samples: TableRows = { table: 'samples', columns: samplesColumns, rows: [], runs: out.samples };
      return {
        outputs: [samples, { table: 'series', columns: seriesColumns, rows: out.series }],
        deadLetters: out.deadLetters,
        accepted: rowCount(samples),
      };
    },
  };
}
