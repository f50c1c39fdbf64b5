// Detector state packed into one Float64Array, for holding many series at rest: about half the memory of
// the object form (which boxes every scalar and adds an object per part), and exact, since the state is
// numbers only (NaN, ±Infinity and -0 survive). The sorted window is not stored: it is the ring's values in
// order and is rebuilt on unpack. Pure; the layout depends on the window and seasonal sizes of `params`.
import { filledArray, resizeArray } from '../util/arrays.ts';
import { initDetector, type DetectorState } from './detector.ts';
import type { DetectorParams } from './params.ts';

export interface DetectorPacker {
  /** Numbers in a packed state. */
  readonly length: number;
  /** Writes `state` into `into` from index `at` (a new array when absent) and returns the array. */
  pack(state: DetectorState, into?: Float64Array, at?: number): Float64Array;
  /** Reads the packed state at `packed[at]` into `into` (reusable: its arrays are resized in place), returns it. */
  unpack(packed: Float64Array, into: DetectorState, at?: number): DetectorState;
}

const scalars = 17;
const scaleCount = 3;
const calibrationCount = 5;
const recurHours = 24;

/** A packer for states made by initDetector(params). */
export function createDetectorPacker(params: DetectorParams): DetectorPacker {
  const template = initDetector(params);
  const bins = template.season.offsets.length;
  const window = template.window.size;
  const scalesAt = scalars;
  const calibrationsAt = scalesAt + 3 * scaleCount;
  const seasonAt = calibrationsAt + 5 * calibrationCount;
  const recurAt = seasonAt + 2 * bins;
  const ringAt = recurAt + 3 * recurHours;
  const length = ringAt + window;

  function pack(s: DetectorState, into = new Float64Array(length), at = 0): Float64Array {
    const p = at === 0 ? into : into.subarray(at, at + length);
    p[0] = s.count;
    p[1] = s.lastValue;
    p[2] = s.spread;
    p[3] = s.flatShort;
    p[4] = s.flatLong;
    p[5] = s.rangeAge;
    p[6] = s.high;
    p[7] = s.low;
    p[8] = s.prevHigh;
    p[9] = s.prevLow;
    p[10] = s.refractory;
    p[11] = s.level.mean;
    p[12] = s.level.variance;
    p[13] = s.level.count;
    p[14] = s.scales.count;
    p[15] = s.window.head;
    p[16] = s.window.ring.length;
    for (let i = 0; i < scaleCount; i++) {
      p[scalesAt + i] = s.scales.level[i] ?? 0;
      p[scalesAt + scaleCount + i] = s.scales.mean[i] ?? 0;
      p[scalesAt + 2 * scaleCount + i] = s.scales.variance[i] ?? 0;
    }
    for (let k = 0; k < calibrationCount; k++) {
      const c = s.calibrations[k]!;
      const at = calibrationsAt + 5 * k;
      p[at] = c.mean;
      p[at + 1] = c.variance;
      p[at + 2] = c.count;
      p[at + 3] = c.rate;
      p[at + 4] = c.excess;
    }
    for (let i = 0; i < bins; i++) {
      p[seasonAt + i] = s.season.offsets[i] ?? 0;
      p[seasonAt + bins + i] = s.season.counts[i] ?? 0;
    }
    for (let h = 0; h < recurHours; h++) {
      p[recurAt + h] = s.recurPeak?.[h] ?? 0;
      p[recurAt + recurHours + h] = s.recurTs?.[h] ?? 0;
      p[recurAt + 2 * recurHours + h] = s.recurStreak?.[h] ?? 0;
    }
    const ring = s.window.ring;
    for (let i = 0; i < ring.length; i++) p[ringAt + i] = ring[i] ?? 0;
    return into;
  }

  function unpack(packed: Float64Array, s: DetectorState, at = 0): DetectorState {
    const p = at === 0 ? packed : packed.subarray(at, at + length);
    s.count = p[0]!;
    s.lastValue = p[1]!;
    s.spread = p[2]!;
    s.flatShort = p[3]!;
    s.flatLong = p[4]!;
    s.rangeAge = p[5]!;
    s.high = p[6]!;
    s.low = p[7]!;
    s.prevHigh = p[8]!;
    s.prevLow = p[9]!;
    s.refractory = p[10]!;
    s.level.mean = p[11]!;
    s.level.variance = p[12]!;
    s.level.count = p[13]!;
    s.scales.count = p[14]!;
    s.window.head = p[15]!;
    for (let i = 0; i < scaleCount; i++) {
      s.scales.level[i] = p[scalesAt + i]!;
      s.scales.mean[i] = p[scalesAt + scaleCount + i]!;
      s.scales.variance[i] = p[scalesAt + 2 * scaleCount + i]!;
    }
    for (let k = 0; k < calibrationCount; k++) {
      const c = s.calibrations[k]!;
      const at = calibrationsAt + 5 * k;
      c.mean = p[at]!;
      c.variance = p[at + 1]!;
      c.count = p[at + 2]!;
      c.rate = p[at + 3]!;
      c.excess = p[at + 4]!;
    }
    for (let i = 0; i < bins; i++) {
      s.season.offsets[i] = p[seasonAt + i]!;
      s.season.counts[i] = p[seasonAt + bins + i]!;
    }
    const peaks = (s.recurPeak ??= filledArray(recurHours, 0));
    const times = (s.recurTs ??= filledArray(recurHours, 0));
    const streaks = (s.recurStreak ??= filledArray(recurHours, 0));
    for (let h = 0; h < recurHours; h++) {
      peaks[h] = p[recurAt + h]!;
      times[h] = p[recurAt + recurHours + h]!;
      streaks[h] = p[recurAt + 2 * recurHours + h]!;
    }
    const n = p[16]!;
    const { ring, sorted } = s.window;
    resizeArray(ring, n, 0);
    resizeArray(sorted, n, 0);
    for (let i = 0; i < n; i++) {
      const x = p[ringAt + i]!;
      ring[i] = x;
      // insertion sort: the order stepRobust keeps (a new value goes after equal ones)
      let j = i;
      while (j > 0 && sorted[j - 1]! > x) {
        sorted[j] = sorted[j - 1]!;
        j--;
      }
      sorted[j] = x;
    }
    return s;
  }

  return { length, pack, unpack };
}
