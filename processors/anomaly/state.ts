// Partition state of the anomaly processor (per series: detector, event machine, the open baseline minute,
// counter and ordering bookkeeping) and its JSON snapshot form. Exact: NaN, ±Infinity and -0 survive the
// round trip, so a restored state continues like an uninterrupted one. No IO, no clock.
import { snapshotReplacer, snapshotReviver } from '../../lib/runner/snapshot-json.ts';
import type { DetectorState } from '../../models/anomaly/detector.ts';
import type { EventsState } from '../../models/anomaly/events.ts';
import { PrognosError } from '../../lib/errors.ts';

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

interface SnapshotV1 {
  v: 1;
  series: [string, SeriesState][];
}

/** The JSON size of one series' state in bytes (what it costs in a snapshot). */
export function seriesStateBytes(series: SeriesState): number {
  return Buffer.byteLength(JSON.stringify(series, snapshotReplacer));
}

/** The state as snapshot text. */
export function serializeState(state: AnomalyPartitionState): string {
  const snapshot: SnapshotV1 = { v: 1, series: [...state.series] };
  return JSON.stringify(snapshot, snapshotReplacer);
}

/** The state from snapshot text written by serializeState. */
export function deserializeState(text: string): AnomalyPartitionState {
  const snapshot = JSON.parse(text, snapshotReviver) as Partial<SnapshotV1>;
  if (snapshot.v !== 1 || !Array.isArray(snapshot.series)) {
    throw new PrognosError('INTERNAL', `anomaly snapshot has unknown format version ${String(snapshot.v)}`);
  }
  return { series: new Map(snapshot.series) };
}
