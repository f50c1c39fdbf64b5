// Partition state of the anomaly processor (per series: detector, event machine, the open baseline minute,
// counter and ordering bookkeeping) and its JSON snapshot form. Exact: NaN, ±Infinity and -0 survive the
// round trip, so a restored state continues like an uninterrupted one. No IO, no clock.
import { seriesFromParts, seriesParts, snapshotReplacer } from '../../lib/runner/snapshot-json.ts';
import type { DetectorState } from '../../models/anomaly/detector.ts';
import type { EventsState } from '../../models/anomaly/events.ts';

/** What is scored: a gauge's value, or a counter's per-second rate. */
export type Transform = 'value' | 'rate';

/** Running aggregate of the open 1-minute baseline bucket (warm points only). */
export interface BucketState {
  /** Start of the minute, epoch ms. */
  start: number;
  points: number;
  sumExpected: number;
  sumLower: number;
  sumUpper: number;
  maxScore: number;
}

/** What the processor keeps about one series. */
export interface SeriesState {
  tenant: string;
  metric: string;
  labels: Record<string, string>;
  /** Fixed at first sight from the series kind (COUNTER: rate, otherwise value). */
  transform: Transform;
  /** Event time of the last accepted sample; later samples must be newer. */
  lastTs: number;
  /** Raw value of the last accepted sample (counters derive their rate from it). */
  lastRaw: number;
  /** Last positive sample interval, ms (turns eventQuietMs into points); 0 until known. */
  stepMs: number;
  /** Samples accepted (counters: the first one is not scored). */
  samples: number;
  detector: DetectorState;
  events: EventsState;
  bucket: BucketState;
}

/** State of one bus partition: its series by series id, in first-seen order (keeps output order stable). */
export interface AnomalyPartitionState {
  series: Map<string, SeriesState>;
}

/** The JSON size of one series' state in bytes (what it costs in a snapshot). */
export function seriesStateBytes(series: SeriesState): number {
  return Buffer.byteLength(JSON.stringify(series, snapshotReplacer));
}

/** The state as snapshot parts of about `partBytes` characters each (lib/runner/snapshot-json.ts). */
export function serializeState(state: AnomalyPartitionState, partBytes: number): Iterable<string> {
  return seriesParts(state.series, partBytes);
}

/** The state from the parts serializeState wrote, in order. */
export function deserializeState(parts: readonly string[]): AnomalyPartitionState {
  return { series: seriesFromParts<SeriesState>(parts, 'anomaly') };
}
