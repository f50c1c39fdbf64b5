// Partition state of the forecast processor (per series: the open event-time hour, bounded hourly history,
// the forecaster) and its JSON snapshot form. Snapshots are exact: NaN, ±Infinity and -0 survive the round
// trip, so a restored state continues byte for byte like an uninterrupted one. No IO, no clock.
import { decodeFloat64, encodeFloat64, seriesFromParts, seriesParts } from '../../lib/runner/snapshot-json.ts';
import type { ForecasterState } from '../../models/forecast/index.ts';

/** What the processor keeps about one series. */
export interface SeriesState {
  tenant: string;
  metric: string;
  /** From the `capacity_bytes` label; null when absent or not a positive number. */
  capacity: number | null;
  /** Start (epoch ms) of the open event-time hour, and the running sum and count of its samples. */
  hourStart: number;
  sum: number;
  count: number;
  /** Means of the closed hours just before `hourStart`, oldest first; NaN marks an hour without samples. Bounded. */
  history: number[];
  /** Null until the series has enough history for a first fit. */
  forecaster: ForecasterState | null;
  /** Closed hours since the last (re)fit; the first fit starts it at a per-series offset so refits spread out. */
  sinceRefit: number;
  /** Member-set tier of the last fit (0 none, 1 one day, 2 three days, 3 three weeks); a higher tier refits early. */
  fitTier: number;
}

/** State of one bus partition: its series by series id, in first-seen order (keeps output order stable). */
export interface ForecastPartitionState {
  series: Map<string, SeriesState>;
}

/** A series as it travels in a snapshot: the history packed by encodeFloat64. */
type StoredSeries = Omit<SeriesState, 'history'> & { history: string };

/** The state as snapshot parts of about `partBytes` characters each (lib/runner/snapshot-json.ts). */
export function serializeState(state: ForecastPartitionState, partBytes: number): Iterable<string> {
  return seriesParts(state.series, partBytes, (s): StoredSeries => ({ ...s, history: encodeFloat64(s.history) }));
}

/** The state from the parts serializeState wrote, in order. */
export function deserializeState(parts: readonly string[]): ForecastPartitionState {
  return { series: seriesFromParts(parts, 'forecast', (s: StoredSeries): SeriesState => ({ ...s, history: Array.from(decodeFloat64(s.history)) })) };
}
