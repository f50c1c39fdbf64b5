// The packed detector state: packing at any point and going on from the unpacked copy gives exactly the
// outputs of an uninterrupted run, one scratch state serves many series, and the packed form is smaller.
import { describe, expect, it } from 'vitest';
import { createGaussian, createPrng } from '../util/prng.ts';
import { createDetectorOutput, defaultDetectorParams as params, initDetector, stepDetector, type DetectorOutput } from './detector.ts';
import { createDetectorPacker } from './packed.ts';

const t0 = 1_704_067_200_000;
const step = 60_000;
const packer = createDetectorPacker(params);

/**
 * A noisy daily cycle with spikes, a daily spike at the same minute (the recurrence memory and its streak)
 * and a level shift, so every part of the state is exercised.
 */
function series(seed: number, n: number): number[] {
  const g = createGaussian(createPrng(seed));
  return Array.from({ length: n }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 1440) + g() + (i % 997 === 500 || i % 1440 === 300 ? 40 : 0) + (i > n / 2 ? 15 : 0));
}

const sameOutput = (a: DetectorOutput, b: DetectorOutput) =>
  Object.is(a.expected, b.expected) && Object.is(a.lower, b.lower) && Object.is(a.upper, b.upper) && Object.is(a.score, b.score) && Object.is(a.rawScore, b.rawScore) && a.detector === b.detector && a.warm === b.warm;

describe('packed detector state', () => {
  it.each([[1, 0], [2, 1], [3, 5], [4, 30], [5, 31], [6, 32], [7, 700], [8, 5000]])('series %i packed after %i points continues exactly like an uninterrupted run', (seed, cut) => {
    const values = series(seed, 1440 * 6);
    const live = initDetector(params);
    const packed = packer.pack(initDetector(params));
    // One scratch state shared with another series, as the processor shares it across all of its series.
    const scratch = initDetector(params);
    const other = packer.pack(initDetector(params));
    const a = createDetectorOutput();
    const b = createDetectorOutput();
    for (let i = 0; i < values.length; i++) {
      const ts = t0 + i * step;
      stepDetector(live, ts, values[i]!, params, a);
      if (i < cut) {
        packer.unpack(packed, scratch);
        stepDetector(scratch, ts, values[i]!, params, b);
        packer.pack(scratch, packed);
      } else {
        // after the cut: unpack per point, interleaved with another series using the same scratch
        packer.unpack(other, scratch);
        stepDetector(scratch, ts, 7 + (i % 13), params);
        packer.pack(scratch, other);
        packer.unpack(packed, scratch);
        stepDetector(scratch, ts, values[i]!, params, b);
        packer.pack(scratch, packed);
      }
      if (!sameOutput(a, b)) throw new Error(`outputs differ at point ${i}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
    expect([...packer.pack(live)]).toEqual([...packed]);
  });

  it('round-trips the numbers plain JSON loses', () => {
    const state = initDetector(params);
    state.high = Number.POSITIVE_INFINITY;
    state.low = Number.NEGATIVE_INFINITY;
    state.lastValue = -0;
    state.spread = Number.NaN;
    const back = packer.unpack(packer.pack(state), initDetector(params));
    expect(back.high).toBe(Number.POSITIVE_INFINITY);
    expect(back.low).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(back.lastValue, -0)).toBe(true);
    expect(back.spread).toBeNaN();
  });

  it('rebuilds the sorted window from the ring', () => {
    const state = initDetector(params);
    for (const [i, v] of series(9, 100).entries()) stepDetector(state, t0 + i * step, v, params);
    const back = packer.unpack(packer.pack(state), initDetector(params));
    expect(back.window.ring).toEqual(state.window.ring);
    expect(back.window.sorted).toEqual(state.window.sorted);
    expect(back.window.head).toBe(state.window.head);
  });

  it('packs a series into under 1.7 KiB', () => {
    expect(packer.length * 8).toBeLessThan(1740);
  });
});
