import { describe, expect, it } from 'vitest';
import { initDetector, stepDetector, createDetectorOutput } from '../../models/anomaly/detector.ts';
import { defaultDetectorParams } from '../../models/anomaly/params.ts';
import { createDetectorPacker } from '../../models/anomaly/packed.ts';
import type { DetectorName } from '../../models/anomaly/detector.ts';
import { createSeriesPacker, deserializeState, initPartitionState, serializeState, seriesNumbers, type SeriesState } from './state.ts';

const detectorPacker = createDetectorPacker(defaultDetectorParams);
const packer = createSeriesPacker(detectorPacker);

const blank = (): SeriesState => ({
  tenant: 'acme', metric: 'm', labels: { host: 'a' }, transform: 'value', lastTs: 0, lastRaw: 0, stepMs: 0, samples: 0,
  events: { open: null, quiet: 0 }, bucket: { start: 0, points: 0, sumExpected: 0, sumLower: 0, sumUpper: 0, maxScore: 0 },
});

function warmDetector() {
  const d = initDetector(defaultDetectorParams);
  const out = createDetectorOutput();
  for (let i = 0; i < 300; i++) stepDetector(d, 1_700_000_000_000 + i * 60_000, 50 + Math.sin(i / 7) * 5, defaultDetectorParams, out);
  return d;
}

describe('anomaly series slots', () => {
  it.each<[DetectorName, 'warning' | 'critical']>([['spike', 'critical'], ['dip', 'warning'], ['level_shift', 'critical'], ['trend', 'warning'], ['flatline', 'warning'], ['out_of_range', 'critical'], ['none', 'warning']])(
    'round-trips every field of a series with an open %s event (%s) and a rate transform',
    (detector, severity) => {
      const s: SeriesState = {
        ...blank(), transform: 'rate', lastTs: 1_700_000_123_000, lastRaw: -0, stepMs: 15_000, samples: 321,
        events: { open: { start_ms: 1_700_000_000_000, end_ms: 1_700_000_060_000, peak_score: 0.93, severity, expected: 41.5, observed: NaN, detector }, quiet: 4 },
        bucket: { start: 1_700_000_100_000, points: 3, sumExpected: 120.5, sumLower: Infinity, sumUpper: 130.25, maxScore: 0.2 },
      };
      const d = warmDetector();
      const data = new Float64Array(packer.stride + 5);
      packer.pack(s, d, data, 5);
      const back = blank();
      const backDetector = initDetector(defaultDetectorParams);
      packer.unpack(data, 5, back, backDetector);
      expect(back).toEqual({ ...s, tenant: 'acme', metric: 'm', labels: { host: 'a' } });
      expect(Object.is(back.lastRaw, -0)).toBe(true);
      expect(backDetector).toEqual(d);
    },
  );

  it('round-trips a series with no open event and a value transform', () => {
    const s: SeriesState = { ...blank(), lastTs: 5, samples: 2, events: { open: null, quiet: 0 } };
    const data = new Float64Array(packer.stride);
    const d = initDetector(defaultDetectorParams);
    packer.pack(s, d, data, 0);
    const back: SeriesState = { ...blank(), transform: 'rate', events: { open: { start_ms: 1, end_ms: 1, peak_score: 1, severity: 'critical', expected: 0, observed: 0, detector: 'spike' }, quiet: 9 } };
    packer.unpack(data, 0, back, initDetector(defaultDetectorParams));
    expect(back).toEqual(s);
  });

  it('snapshots a partition of slots and restores the same numbers in the same order', () => {
    const state = initPartitionState(packer.stride);
    for (let k = 0; k < 5; k++) {
      const slot = state.slab.alloc();
      state.series.set(`id${k}`, slot);
      packer.pack({ ...blank(), samples: k, lastTs: k * 1000 }, warmDetector(), seriesNumbers(state, slot), 0);
    }
    const parts = [...serializeState(state, 3000)];
    expect(parts.length).toBeGreaterThan(1);
    const back = deserializeState(parts, detectorPacker, initDetector(defaultDetectorParams));
    expect([...back.series.keys()]).toEqual([...state.series.keys()]);
    for (const [id, slot] of state.series) expect(seriesNumbers(back, back.series.get(id)!)).toEqual(seriesNumbers(state, slot));
  });
});
