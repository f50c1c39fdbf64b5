// Partition state of the anomaly processor (per series: packed detector, event machine, the open baseline
// minute, counter and ordering bookkeeping) and its JSON snapshot form. Exact: NaN, ±Infinity and -0 survive
// the round trip, so a restored state continues like an uninterrupted one. No IO, no clock.
import { PrognosError } from '../../lib/errors.ts';
import { decodeFloat64, encodeFloat64, seriesFromParts, seriesParts, snapshotReplacer } from '../../lib/runner/snapshot-json.ts';
import type { DetectorState } from '../../models/anomaly/detector.ts';
import type { DetectorPacker } from '../../models/anomaly/packed.ts';
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
  /** Detector state packed by models/anomaly/packed.ts (unpacked into a scratch state while scoring). */
  detector: Float64Array;
  events: EventsState;
  bucket: BucketState;
}

/** State of one bus partition: its series by series id, in first-seen order (keeps output order stable). */
export interface AnomalyPartitionState {
  series: Map<string, SeriesState>;
}

/** A series as it travels in a snapshot: the packed detector as base64 float64. */
type StoredSeries = Omit<SeriesState, 'detector'> & { detector: string };

const store = (s: SeriesState): StoredSeries => ({ ...s, detector: encodeFloat64(s.detector) });

/** The JSON size of one series' state in bytes (what it costs in a snapshot). */
export function seriesStateBytes(series: SeriesState): number {
  return Buffer.byteLength(JSON.stringify(store(series), snapshotReplacer));
}

/** The state as snapshot parts of about `partBytes` characters each (lib/runner/snapshot-json.ts). */
export function serializeState(state: AnomalyPartitionState, partBytes: number): Iterable<string> {
  return seriesParts(state.series, partBytes, store);
}

/**
 * The state from the parts serializeState wrote, in order. Snapshots written before the detector was packed
 * hold it as an object; it is packed on the way in.
 */
export function deserializeState(parts: readonly string[], packer: DetectorPacker): AnomalyPartitionState {
  const series = seriesFromParts(parts, 'anomaly', (s: Omit<SeriesState, 'detector'> & { detector: string | DetectorState }): SeriesState => {
    const detector = typeof s.detector === 'string' ? decodeFloat64(s.detector) : packer.pack(s.detector);
    if (detector.length !== packer.length) {
      throw new PrognosError('INTERNAL', `anomaly snapshot holds detector states of ${detector.length} numbers, this version packs ${packer.length} (its window or seasonal bins changed): delete the group's rows from processor_snapshot_parts and processor_snapshots to rebuild the state from the bus`);
    }
    return { ...s, detector };
  });
  return { series };
}
