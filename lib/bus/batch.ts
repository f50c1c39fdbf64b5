// How many records of a fetch go into one batch: at most `maxRecords`, and no more than `maxBytes` of record
// values, but always at least one (a record larger than the cap travels alone). Counting bytes as well as
// records keeps batches alike whatever the records carry: a collector's backfill record holds hundreds of
// samples, a live one a handful, and per-batch costs (inserts, checkpoints) are paid per batch.
import type { BusRecord } from './types.ts';

export function batchLength(records: readonly Pick<BusRecord, 'value'>[], maxRecords: number, maxBytes = Number.POSITIVE_INFINITY): number {
  const limit = Math.min(records.length, Math.max(1, maxRecords));
  let bytes = records[0]?.value.length ?? 0;
  let n = records.length === 0 ? 0 : 1;
  while (n < limit) {
    bytes += records[n]!.value.length;
    if (bytes > maxBytes) break;
    n++;
  }
  return n;
}
