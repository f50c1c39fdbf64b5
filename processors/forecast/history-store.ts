// Reads forecast_history for the forecast processor's refits: the look-up the runner calls with what
// prepare() asked for. One query per chunk of series (ids as UInt64, hours bounded by the chunk's ranges),
// each series' own range applied here. The rows were written by the processor's earlier batches. (The
// millisecond column is aliased hour_ms: an alias named `hour` would shadow the column in WHERE.)
import type { Lookup } from '../../lib/runner/types.ts';
import type { Store } from '../../lib/store/types.ts';
import { HISTORY_TABLE, type HistoryRequest, type HistoryRow } from './history.ts';

/** Series per query: keeps the statement small and each answer to a few million rows at most. */
const SERIES_PER_QUERY = 1000;

interface Row {
  id: string;
  hour_ms: number | string;
  mean: number;
}

/** The look-up over `store`. */
export function createHistoryLookup(store: Pick<Store, 'query' | 'table'>): Lookup {
  const sql = `SELECT toString(series_id) AS id, toUnixTimestamp64Milli(hour) AS hour_ms, mean
    FROM ${store.table(HISTORY_TABLE)}
    WHERE series_id IN {ids:Array(UInt64)} AND hour >= fromUnixTimestamp64Milli({from:Int64}) AND hour < fromUnixTimestamp64Milli({to:Int64})`;
  return async (request) => {
    const { ranges } = request as HistoryRequest;
    const rows: HistoryRow[] = [];
    for (let i = 0; i < ranges.length; i += SERIES_PER_QUERY) {
      const chunk = ranges.slice(i, i + SERIES_PER_QUERY);
      const wanted = new Map(chunk.map((r) => [r.seriesId, r]));
      const params = {
        ids: chunk.map((r) => BigInt(r.seriesId)),
        from: Math.min(...chunk.map((r) => r.from)),
        to: Math.max(...chunk.map((r) => r.to)),
      };
      for (const row of await store.query<Row>(sql, params)) {
        const hour = Number(row.hour_ms); // Int64 arrives quoted over HTTP
        const range = wanted.get(row.id);
        if (range !== undefined && hour >= range.from && hour < range.to) rows.push([row.id, hour, row.mean]);
      }
    }
    return rows;
  };
}
