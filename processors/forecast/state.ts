// Partition state of the forecast processor (per series: the open event-time hour, what it knows about its
// hourly history, the forecaster) and its JSON snapshot form. The history itself is in forecast_history,
// not here. Snapshots are exact: NaN, ±Infinity and -0 survive the round trip, so a restored state
// continues byte for byte like an uninterrupted one. No IO, no clock.
import { decodeFloat64, encodeFloat64, seriesFromParts, seriesParts } from '../../lib/runner/snapshot-json.ts';
import type { ForecasterState } from '../../models/forecast/index.ts';
import { heldForecaster, holdForecaster, type ForecasterSlabs, type HeldForecaster } from './held.ts';
import { HOUR_MS } from './rows.ts';
import { finiteCount } from './series.ts';

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
  /** Start of the series' first closed hour (since it last started over): a fit reads no further back. */
  historyStart: number;
  /**
   * Closed hours with samples in the fit window: exact after each fit or when the batch read the window,
   * counted up between (never below the true count).
   */
  finite: number;
  /** Null until the series has enough history for a first fit; packed in a slab between hour closes (snapshots hold the object form). */
  forecaster: HeldForecaster | null;
  /** Closed hours since the last (re)fit; the first fit starts it at a per-series offset so refits spread out. */
  sinceRefit: number;
  /** Member-set tier of the last fit (0 none, 1 one day, 2 three days, 3 three weeks); a higher tier refits early. */
  fitTier: number;
  /**
   * Only in series restored from a snapshot older than forecast_history: the closed hours from
   * `historyStart` on that were never written there, kept until they leave the fit window.
   */
  unstored?: number[];
}

/** State of one bus partition: its series by series id, in first-seen order (keeps output order stable). */
export interface ForecastPartitionState {
  series: Map<string, SeriesState>;
  /** Tenant and metric names, one string each for all the partition's series (not a copy per series). */
  names: Map<string, string>;
  /** The series' packed forecasters (held.ts). */
  slabs: ForecasterSlabs;
}

/** An empty partition. */
export const emptyState = (): ForecastPartitionState => ({ series: new Map(), names: new Map(), slabs: new Map() });

/** `name` as the partition's one copy of it. */
export function interned(state: ForecastPartitionState, name: string): string {
  const known = state.names.get(name);
  if (known !== undefined) return known;
  state.names.set(name, name);
  return name;
}

/** A series as it travels in a snapshot: the forecaster as an object, `unstored` packed by encodeFloat64. */
type StoredSeries = Omit<SeriesState, 'unstored' | 'forecaster'> & { forecaster: ForecasterState | null; unstored?: string };

/** The state as snapshot parts of about `partBytes` characters each (lib/runner/snapshot-json.ts). */
export function serializeState(state: ForecastPartitionState, partBytes: number): Iterable<string> {
  return seriesParts(state.series, partBytes, (s): StoredSeries => {
    const { unstored, ...rest } = s;
    const stored = { ...rest, forecaster: s.forecaster === null ? null : heldForecaster(state.slabs, s.forecaster) };
    return unstored === undefined ? stored : { ...stored, unstored: encodeFloat64(unstored) };
  });
}

/** A series as snapshots before forecast_history wrote it: the closed hours just before `hourStart`, in memory. */
type OldSeries = Omit<StoredSeries, 'historyStart' | 'finite' | 'unstored'> & { history: string };

/**
 * A series from a snapshot into `state`: its forecaster held in the partition's slabs, its names the
 * partition's; an old one's history becomes its unstored hours.
 */
function fromSnapshot(state: ForecastPartitionState, raw: StoredSeries | OldSeries): SeriesState {
  const forecaster = raw.forecaster === null ? null : holdForecaster(state.slabs, null, raw.forecaster);
  raw.tenant = interned(state, raw.tenant);
  raw.metric = interned(state, raw.metric);
  if ('history' in raw) {
    const { history, ...rest } = raw;
    const hours = Array.from(decodeFloat64(history));
    return { ...rest, forecaster, historyStart: rest.hourStart - hours.length * HOUR_MS, finite: finiteCount(hours), ...(hours.length > 0 ? { unstored: hours } : {}) };
  }
  const { unstored, ...rest } = raw;
  return unstored === undefined ? { ...rest, forecaster } : { ...rest, forecaster, unstored: Array.from(decodeFloat64(unstored)) };
}

/** The state from the parts serializeState wrote, in order (or an older snapshot's). */
export function deserializeState(parts: readonly string[]): ForecastPartitionState {
  const state = emptyState();
  state.series = seriesFromParts(parts, 'forecast', (raw: StoredSeries | OldSeries) => fromSnapshot(state, raw));
  return state;
}
