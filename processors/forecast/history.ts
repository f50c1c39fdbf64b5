// The closed hourly means of forecast series, as the forecast processor writes them to forecast_history and
// reads them back to refit: what a batch asks for, the answer's shape, how an answer becomes the windows
// the batch refits on, and an in-memory history standing in for the table in tests and benches. No IO: the
// store adapter is history-store.ts.
import type { HandleResult, Lookup } from '../../lib/runner/types.ts';
import { HOUR_MS } from './rows.ts';

export const HISTORY_TABLE = 'forecast_history';
export const historyColumns = ['tenant', 'series_id', 'hour', 'mean'];

/** The stored hours [from, to) of one series (epoch ms, hour starts). */
export interface HistoryRange {
  seriesId: string;
  from: number;
  to: number;
}

/** What a batch reads: one range per series that may refit in it. */
export interface HistoryRequest {
  ranges: HistoryRange[];
}

/** A stored mean: series id, hour start (epoch ms), mean. Any order; a repeated row has the same mean. */
export type HistoryRow = readonly [seriesId: string, hour: number, mean: number];

/**
 * Per requested series, its hourly means over the range, oldest first; NaN for an hour without a row (an
 * hour without samples is not written).
 */
export function windowsFrom(request: HistoryRequest, rows: readonly HistoryRow[]): Map<string, number[]> {
  const windows = new Map<string, { from: number; values: number[] }>();
  for (const { seriesId, from, to } of request.ranges) windows.set(seriesId, { from, values: new Array<number>((to - from) / HOUR_MS).fill(NaN) });
  for (const [seriesId, hour, mean] of rows) {
    const window = windows.get(seriesId);
    if (window === undefined) continue;
    const i = (hour - window.from) / HOUR_MS;
    if (i >= 0 && i < window.values.length) window.values[i] = mean;
  }
  return new Map([...windows].map(([id, w]) => [id, w.values]));
}

/** Whether `table` is the history output. */
const isHistory = (rows: { table: string }): boolean => rows.table === HISTORY_TABLE;

/**
 * forecast_history in memory, with the look-up the runner would be given: `keep` stores a handled batch's
 * history rows (as the runner's insert would), `lookup` answers requests from what was kept.
 */
export function memoryHistory(): { lookup: Lookup; keep(result: HandleResult): void; rows(): number } {
  const bySeries = new Map<string, Map<number, number>>();
  let count = 0;
  return {
    lookup: (request) => {
      const answer: HistoryRow[] = [];
      for (const { seriesId, from, to } of (request as HistoryRequest).ranges) {
        for (const [hour, mean] of bySeries.get(seriesId) ?? []) if (hour >= from && hour < to) answer.push([seriesId, hour, mean]);
      }
      return Promise.resolve(answer);
    },
    keep(result) {
      for (const output of result.outputs.filter(isHistory)) {
        for (const [, seriesId, hour, mean] of output.rows as [string, string, number, number][]) {
          const hours = bySeries.get(seriesId) ?? new Map<number, number>();
          if (!hours.has(hour)) count++;
          hours.set(hour, mean);
          bySeries.set(seriesId, hours);
        }
      }
    },
    rows: () => count,
  };
}
