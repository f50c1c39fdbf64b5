// Partition state of the anomaly processor and its snapshot form. Each series is one slot of numbers in a
// slab (lib/runner/slab.ts): its scalars, the open baseline minute, the event machine and the packed
// detector. The tenant, metric and labels are not kept: every sample arrives with them, and the series id
// is their hash. While a series' points are scored its slot is unpacked into one shared working state and
// packed back. Exact: NaN, ±Infinity and -0 survive, so a restored state continues like an uninterrupted
// one. No IO, no clock.
import { PrognosError } from '../../lib/errors.ts';
import { createSlab, type Slab } from '../../lib/runner/slab.ts';
import { decodeFloat64, encodeFloat64, seriesFromParts, seriesParts } from '../../lib/runner/snapshot-json.ts';
import type { DetectorName, DetectorState } from '../../models/anomaly/detector.ts';
import type { DetectorPacker } from '../../models/anomaly/packed.ts';
import type { EventsState } from '../../models/anomaly/events.ts';

/** What is scored: a gauge's value, or a counter's per-second rate. */
export type Transform = 'value' | 'rate';

/** Running aggregate of the open 1-minute baseline bucket (warm points only). */
export interface BucketState {
  /** Start of the minute, epoch ms (-1 before the first scored point). */
  start: number;
  points: number;
  sumExpected: number;
  sumLower: number;
  sumUpper: number;
  maxScore: number;
}

/** A series while its points are scored: the unpacked slot plus who it is (from the record being read). */
export interface SeriesState {
  tenant: string;
  metric: string;
  labels: Readonly<Record<string, string>>;
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
  events: EventsState;
  bucket: BucketState;
}

/** State of one bus partition: each series' slot in `slab`, in first-seen order (keeps output order stable). */
export interface AnomalyPartitionState {
  series: Map<string, number>;
  slab: Slab;
}

const detectorNames: readonly DetectorName[] = ['none', 'spike', 'dip', 'level_shift', 'trend', 'flatline', 'out_of_range'];
/** Numbers before the packed detector in a slot (laid out in createSeriesPacker). */
const headerLength = 20;

/** Packs and unpacks a whole series (header numbers, then the detector as models/anomaly/packed.ts lays it out). */
export interface SeriesPacker {
  /** Numbers per series. */
  readonly stride: number;
  pack(s: SeriesState, detector: DetectorState, data: Float64Array, at: number): void;
  /** Reads the slot into `s` (keeps its tenant, metric and labels) and `detector`. */
  unpack(data: Float64Array, at: number, s: SeriesState, detector: DetectorState): void;
}

export function createSeriesPacker(detector: DetectorPacker): SeriesPacker {
  return {
    stride: headerLength + detector.length,
    pack(s, state, p, at): void {
      const b = s.bucket;
      const open = s.events.open;
      p[at] = s.transform === 'rate' ? 1 : 0;
      p[at + 1] = s.lastTs;
      p[at + 2] = s.lastRaw;
      p[at + 3] = s.stepMs;
      p[at + 4] = s.samples;
      p[at + 5] = b.start;
      p[at + 6] = b.points;
      p[at + 7] = b.sumExpected;
      p[at + 8] = b.sumLower;
      p[at + 9] = b.sumUpper;
      p[at + 10] = b.maxScore;
      p[at + 11] = s.events.quiet;
      p[at + 12] = open === null ? 0 : 1;
      p[at + 13] = open?.start_ms ?? 0;
      p[at + 14] = open?.end_ms ?? 0;
      p[at + 15] = open?.peak_score ?? 0;
      p[at + 16] = open?.severity === 'critical' ? 1 : 0;
      p[at + 17] = open?.expected ?? 0;
      p[at + 18] = open?.observed ?? 0;
      p[at + 19] = open === null ? 0 : detectorNames.indexOf(open.detector);
      detector.pack(state, p, at + headerLength);
    },
    unpack(p, at, s, state): void {
      const b = s.bucket;
      s.transform = p[at] === 1 ? 'rate' : 'value';
      s.lastTs = p[at + 1]!;
      s.lastRaw = p[at + 2]!;
      s.stepMs = p[at + 3]!;
      s.samples = p[at + 4]!;
      b.start = p[at + 5]!;
      b.points = p[at + 6]!;
      b.sumExpected = p[at + 7]!;
      b.sumLower = p[at + 8]!;
      b.sumUpper = p[at + 9]!;
      b.maxScore = p[at + 10]!;
      s.events.quiet = p[at + 11]!;
      s.events.open = p[at + 12] === 0 ? null : {
        start_ms: p[at + 13]!, end_ms: p[at + 14]!, peak_score: p[at + 15]!, severity: p[at + 16] === 1 ? 'critical' : 'warning',
        expected: p[at + 17]!, observed: p[at + 18]!, detector: detectorNames[p[at + 19]!] ?? 'none',
      };
      detector.unpack(p, state, at + headerLength);
    },
  };
}

/** An empty partition state for series of `stride` numbers. */
export function initPartitionState(stride: number): AnomalyPartitionState {
  return { series: new Map(), slab: createSlab(stride) };
}

/** The series' numbers (a view into the slab, not a copy). */
export function seriesNumbers(state: AnomalyPartitionState, slot: number): Float64Array {
  const { data, at } = state.slab.view(slot);
  return data.subarray(at, at + state.slab.stride);
}

/** The snapshot JSON size of one series in bytes. */
export function seriesStateBytes(state: AnomalyPartitionState, seriesId: string): number {
  const slot = state.series.get(seriesId);
  if (slot === undefined) throw new RangeError(`no series ${seriesId}`);
  return Buffer.byteLength(JSON.stringify([seriesId, encodeFloat64(seriesNumbers(state, slot))]));
}

/** The state as snapshot parts of about `partBytes` characters each: per series its slot as base64 float64. */
export function serializeState(state: AnomalyPartitionState, partBytes: number): Iterable<string> {
  return seriesParts(state.series, partBytes, (slot) => encodeFloat64(seriesNumbers(state, slot)));
}

/** A series as snapshots before slots held it (tenant, metric and labels are dropped on the way in); its
 * detector packed (base64 float64) or, before packing, the object form. */
type ObjectSeries = Omit<SeriesState, 'tenant' | 'metric' | 'labels'> & { detector: string | DetectorState };

const rebuild = (what: string, found: number, wanted: number): PrognosError => new PrognosError(
  'INTERNAL',
  `anomaly snapshot holds ${what} of ${found} numbers, this version keeps ${wanted} (its window or seasonal bins changed): delete the group's rows from processor_snapshot_parts and processor_snapshots to rebuild the state from the bus`,
);

/**
 * The state from the parts serializeState wrote, in order. Older snapshots hold each series as an object
 * (its detector packed or, older still, as an object); they are packed into slots on the way in.
 */
export function deserializeState(parts: readonly string[], detector: DetectorPacker, work: DetectorState): AnomalyPartitionState {
  const packer = createSeriesPacker(detector);
  const state = initPartitionState(packer.stride);
  const series = seriesFromParts(parts, 'anomaly', (raw: string | ObjectSeries): number => {
    const slot = state.slab.alloc();
    const { data, at } = state.slab.view(slot);
    if (typeof raw === 'string') {
      const numbers = decodeFloat64(raw);
      if (numbers.length !== packer.stride) throw rebuild('series states', numbers.length, packer.stride);
      data.set(numbers, at);
      return slot;
    }
    let objectDetector: DetectorState;
    if (typeof raw.detector === 'string') {
      const numbers = decodeFloat64(raw.detector);
      if (numbers.length !== detector.length) throw rebuild('detector states', numbers.length, detector.length);
      objectDetector = detector.unpack(numbers, work);
    } else {
      objectDetector = raw.detector;
    }
    packer.pack({ tenant: '', metric: '', labels: {}, ...raw }, objectDetector, data, at);
    return slot;
  });
  state.series = series;
  return state;
}
