// Packed number arrays: right values and lengths, and packed as V8 sees them (checked through a V8
// intrinsic), including every array of a fresh and of an unpacked detector state, which the hot loop reads.
// eslint-disable-next-line no-restricted-imports -- the test, not the model, sets a V8 flag to probe elements kinds
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { defaultDetectorParams as params, initDetector, stepDetector } from '../anomaly/detector.ts';
import { createDetectorPacker } from '../anomaly/packed.ts';
import { filledArray, resizeArray } from './arrays.ts';

setFlagsFromString('--allow-natives-syntax');
// compiled after the flag is set, so the intrinsic parses
const holey = new Function('array', 'return %HasHoleyElements(array)') as (array: unknown[]) => boolean;

/** Every number array reachable from `value`, with its path. */
function numberArrays(value: unknown, path = 'state'): [string, number[]][] {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number')) return [[path, value as number[]]];
    return value.flatMap((v, i) => numberArrays(v, `${path}[${i}]`));
  }
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => numberArrays(v, `${path}.${k}`));
  return [];
}

describe('filledArray', () => {
  it('holds n copies of the value, packed', () => {
    const a = filledArray(5, 1.5);
    expect(a).toEqual([1.5, 1.5, 1.5, 1.5, 1.5]);
    expect(holey(a)).toBe(false);
    expect(holey(new Array<number>(5).fill(1.5))).toBe(true); // the probe tells the two apart
    expect(filledArray(0, 1)).toEqual([]);
  });
});

describe('resizeArray', () => {
  it('shrinks, or grows with the value, without holes', () => {
    const a = [1, 2, 3];
    resizeArray(a, 1, 0);
    expect(a).toEqual([1]);
    resizeArray(a, 4, 0.5);
    expect(a).toEqual([1, 0.5, 0.5, 0.5]);
    expect(holey(a)).toBe(false);
  });
});

describe('detector state arrays', () => {
  it('are packed in a fresh state and after unpacking into a smaller working state', () => {
    const packer = createDetectorPacker(params);
    const live = initDetector(params);
    for (let i = 0; i < 100; i++) stepDetector(live, 1_704_067_200_000 + i * 60_000, 50 + (i % 7), params);
    const work = initDetector(params); // its window is empty: unpacking grows it
    packer.unpack(packer.pack(live), work);
    expect(work.window.ring).toEqual(live.window.ring);
    for (const state of [initDetector(params), work]) {
      const arrays = numberArrays(state);
      expect(arrays.length).toBeGreaterThan(5);
      expect(arrays.filter(([, a]) => holey(a)).map(([path]) => path)).toEqual([]);
    }
  });
});
