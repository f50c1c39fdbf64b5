// Property and table tests of the streaming detector with defaultDetectorParams: quiet on constant and
// plain noisy data, loud on spikes, shifts and flat lines, resumable from JSON, bounded state.
import { describe, expect, it } from 'vitest';
import { createGaussian, createPrng } from '../util/prng.ts';
import {
  createDetectorOutput,
  defaultDetectorParams as params,
  initDetector,
  stateBytes,
  stepDetector,
  type DetectorOutput,
} from './detector.ts';

const t0 = 1_704_067_200_000; // 2024-01-01T00:00:00Z (models/ may not use Date)
const step = 300_000;

/** Runs the detector over values and returns a copy of every output. */
function run(values: readonly number[], start = t0): DetectorOutput[] {
  const state = initDetector(params);
  return values.map((v, i) => ({ ...stepDetector(state, start + i * step, v, params) }));
}

function noise(seed: number, n: number, mean = 100, sd = 1): number[] {
  const g = createGaussian(createPrng(seed));
  return Array.from({ length: n }, () => mean + sd * g());
}

describe('stepDetector', () => {
  it.each([[0], [1], [-5], [1e6], [1e-9]])('never scores a constant series %d above 0', (c) => {
    const outs = run(new Array<number>(2000).fill(c));
    expect(Math.max(...outs.map((o) => o.score))).toBe(0);
    expect(outs.at(-1)?.expected).toBeCloseTo(c, 9);
  });

  it.each([
    [1, 700, 1],
    [2, 900, -1],
    [3, 1500, 1],
    [4, 2500, -1],
    [5, 800, 1],
  ])('scores a 10-sigma spike high after warm-up (seed %d, at %d, sign %d)', (seed, at, sign) => {
    const values = noise(seed, at + 50);
    values[at] = 100 + sign * 10;
    const outs = run(values);
    expect(outs[at]?.score).toBeGreaterThanOrEqual(params.fireLevel);
    expect(outs[at]?.detector).not.toBe('none');
  });

  // On white noise the detector still fires on some new extremes of the remembered range (the
  // out-of-range surprise); with a long history that is about one point in 2000-5000.
  it.each([[11], [12], [13]])('fires on at most 1 in 1000 points of long Gaussian noise (seed %d)', (seed) => {
    const outs = run(noise(seed, 20_000)).slice(10_000);
    const fired = outs.filter((o) => o.score >= params.fireLevel).length;
    expect(fired).toBeLessThanOrEqual(10);
  });

  it.each([[21], [22], [23]])('keeps every score in [0, 1] on a heavy-tailed random walk (seed %d)', (seed) => {
    const u = createPrng(seed);
    let x = 0;
    const values = Array.from({ length: 3000 }, () => (x += Math.tan(Math.PI * (u() - 0.5)) * 0.1));
    for (const o of run(values)) {
      expect(o.score).toBeGreaterThanOrEqual(0);
      expect(o.score).toBeLessThanOrEqual(1);
      expect(Number.isFinite(o.expected)).toBe(true);
    }
  });

  it('flags a 6-sigma level shift within 5 points', () => {
    const values = [...noise(31, 1000), ...noise(32, 100, 106)];
    const outs = run(values);
    expect(Math.max(...outs.slice(1000, 1005).map((o) => o.score))).toBeGreaterThanOrEqual(params.fireLevel);
  });

  it('flags a slow drift of 0.05 sigma per point within 200 points', () => {
    const values = [...noise(35, 3000), ...noise(36, 200).map((v, i) => v + 0.05 * i)];
    const outs = run(values).slice(3000);
    expect(outs.some((o) => o.score >= params.fireLevel)).toBe(true);
  });

  it('lifts the trend surprise above anything seen in noise during a slow drift', () => {
    const p = { ...params, rangeWeight: 0, shiftWeight: 0 };
    const values = [...noise(37, 3000), ...noise(38, 100).map((v, i) => v + 0.05 * i)];
    const state = initDetector(p);
    const outs = values.map((v, i) => ({ ...stepDetector(state, t0 + i * step, v, p) }));
    const noisePeak = Math.max(...outs.slice(1000, 3000).map((o) => o.rawScore));
    const drift = outs.slice(3000).reduce((a, b) => (b.rawScore > a.rawScore ? b : a));
    expect(drift.rawScore).toBeGreaterThan(noisePeak);
    expect(drift.detector).toBe('trend');
  });

  it('flags a normally noisy series that flat-lines', () => {
    const values = [...noise(41, 1000), ...new Array<number>(100).fill(100)];
    const outs = run(values).slice(1000);
    const hit = outs.find((o) => o.score >= params.fireLevel);
    expect(hit?.detector).toBe('flatline');
  });

  it('is not warm and scores 0 during warm-up', () => {
    const values = noise(51, params.warmupPoints + 1);
    values[5] = 1e6;
    const outs = run(values);
    expect(outs.slice(0, params.warmupPoints).every((o) => !o.warm && o.score === 0)).toBe(true);
    expect(outs[params.warmupPoints]?.warm).toBe(true);
  });

  it('keeps about 99% of Gaussian noise inside the band', () => {
    const values = noise(61, 4000);
    const outs = run(values).slice(500);
    const inside = outs.filter((o, i) => (values[i + 500] ?? 0) >= o.lower && (values[i + 500] ?? 0) <= o.upper).length;
    expect(inside / outs.length).toBeGreaterThan(0.97);
  });

  it('learns a daily cycle so the expected value follows it', () => {
    const g = createGaussian(createPrng(71));
    const values = Array.from({ length: 288 * 8 }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 0.5 * g());
    const outs = run(values);
    const errs = outs.slice(288 * 6).map((o, i) => Math.abs(o.expected - (values[288 * 6 + i] ?? 0)));
    expect(errs.reduce((a, b) => a + b, 0) / errs.length).toBeLessThan(4);
  });
});

describe('detector state', () => {
  it('resumes from a JSON checkpoint with identical outputs', () => {
    const values = noise(81, 3000);
    values[2000] = 130;
    const whole = run(values);
    const state = initDetector(params);
    const resumed: number[] = [];
    let s = state;
    values.forEach((v, i) => {
      if (i === 1500) s = JSON.parse(JSON.stringify(s)) as typeof state;
      resumed.push(stepDetector(s, t0 + i * step, v, params).score);
    });
    expect(resumed).toEqual(whole.map((o) => o.score));
  });

  it('stays bounded in size however long the series', () => {
    const state = initDetector(params);
    const out = createDetectorOutput();
    const g = createGaussian(createPrng(91));
    const sizes: number[] = [];
    for (let i = 0; i < 60_000; i++) {
      stepDetector(state, t0 + i * step, 1000 * g(), params, out);
      if (i % 20_000 === 19_999) sizes.push(stateBytes(state));
    }
    expect(Math.max(...sizes)).toBeLessThan(8192);
    expect(sizes[2]).toBeLessThanOrEqual((sizes[0] ?? 0) + 64);
  });

  /**
   * Twelve days of noise with a spike of `dailyValue` at the same time on days 1-10 and one of `freshValue` at a new
   * hour on day 11; scored with the defaults and with `off` overriding them.
   */
  function dailySpikes(seed: number, dailyValue: number, freshValue: number, off: Partial<typeof params>) {
    const values = noise(seed, 288 * 12);
    const daily = Array.from({ length: 10 }, (_, d) => 288 * (d + 1) + 100);
    for (const at of daily) values[at] = dailyValue;
    const fresh = 288 * 11 + 200;
    values[fresh] = freshValue;
    const offParams = { ...params, ...off };
    const state = initDetector(offParams);
    const without = values.map((v, i) => ({ ...stepDetector(state, t0 + i * step, v, offParams) }));
    const fired = (outs: DetectorOutput[]): number[] => daily.filter((at) => (outs[at]?.score ?? 0) >= params.fireLevel);
    return { daily, fresh, without, withDefaults: run(values), fired };
  }

  it('damps borderline re-firings at the hour of day of an earlier day’s firing, not a spike at a new hour', () => {
    const { fresh, without, withDefaults: withMemory, fired } = dailySpikes(101, 106, 120, { recurDays: 0 });
    expect(fired(withMemory).length).toBeLessThan(fired(without).length);
    expect(withMemory[fresh]?.score).toBeGreaterThanOrEqual(params.fireLevel);
  });

  it('stops paging on a saturated spike that fires at the same hour every day, not on a spike at a new hour', () => {
    const { daily, fresh, without, withDefaults: withStreak, fired } = dailySpikes(103, 160, 160, { recurStreak: 0 });
    // Without the streak rule the saturated score clears the decayed memory every day.
    expect(fired(without).length).toBeGreaterThanOrEqual(8);
    // With it, the first recurStreak days page; from then on the hour is a daily schedule and the spike is damped.
    expect(fired(withStreak)).toEqual(daily.slice(0, params.recurStreak));
    expect(withStreak[fresh]?.score).toBeGreaterThanOrEqual(params.fireLevel);
  });

  it('resumes a checkpoint written before the recurrence memory existed', () => {
    const state = initDetector(params);
    for (let i = 0; i < 500; i++) stepDetector(state, t0 + i * step, 100 + (i % 7), params);
    const old = JSON.parse(JSON.stringify(state)) as typeof state;
    delete old.recurPeak;
    delete old.recurTs;
    delete old.recurStreak;
    const out = stepDetector(old, t0 + 500 * step, 100, params);
    expect(Number.isFinite(out.score)).toBe(true);
    expect(old.recurPeak).toHaveLength(24);
    expect(old.recurStreak).toHaveLength(24);
  });

  it('writes into and returns the caller’s output object', () => {
    const state = initDetector(params);
    const out = createDetectorOutput();
    expect(stepDetector(state, t0, 1, params, out)).toBe(out);
  });
});
