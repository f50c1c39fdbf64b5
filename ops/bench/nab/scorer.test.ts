// Checks the NAB scorer against hand-computed cases and against the published numenta scores, using the
// stored per-row results in ../shared/benchmarks/nab/results/numenta (skipped when the corpus is absent).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCorpus, loadProfiles, loadStoredScores, profileNames } from './corpus.ts';
import { buildSweepRows, normalizeScore, probationaryLength, scaledSigmoid, scoreAtThreshold, scoreProfile } from './scorer.ts';

const nabDir = process.env['NAB_DIR'] ?? '../shared/benchmarks/nab';
const standard = { tpWeight: 1, fnWeight: 1, fpWeight: 0.11, tnWeight: 1 };

describe('scaledSigmoid', () => {
  it.each([
    [-1, 0.9866],
    [0, 0],
    [3.5, -1],
  ])('maps position %d to %d', (pos, expected) => {
    expect(scaledSigmoid(pos)).toBeCloseTo(expected, 4);
  });
});

describe('probationaryLength', () => {
  it.each([
    [4032, 604],
    [22695, 750],
  ])('gives %d rows %d probationary rows', (rows, expected) => {
    expect(probationaryLength(rows)).toBe(expected);
  });
});

describe('scoreProfile', () => {
  const timestamps = Array.from({ length: 100 }, (_, i) => `t${String(i).padStart(3, '0')}`);
  const windows = [['t050', 't059']] as const;

  it('gives the null score 0 when nothing is detected', () => {
    const rows = buildSweepRows([{ name: 'a', timestamps, scores: new Float64Array(100), windows }]);
    expect(scoreProfile(rows, standard).normalized).toBeCloseTo(0, 6);
  });

  it('gives 100 to one detection on the first row of every window', () => {
    const scores = new Float64Array(100);
    scores[50] = 1;
    const rows = buildSweepRows([{ name: 'a', timestamps, scores, windows }]);
    const result = scoreProfile(rows, standard);
    expect(result.normalized).toBeCloseTo(100, 6);
    expect(result.threshold).toBe(1);
  });

  it('charges each false positive fpWeight before the first window', () => {
    const scores = new Float64Array(100);
    scores[50] = 1;
    scores[30] = 1;
    const rows = buildSweepRows([{ name: 'a', timestamps, scores, windows }]);
    expect(scoreProfile(rows, standard).raw).toBeCloseTo(1 - 0.11, 6);
  });
});

describe.runIf(existsSync(nabDir))('scorer on the stored numenta results', () => {
  const corpus = loadCorpus(nabDir);
  const profiles = loadProfiles(nabDir);
  const files = corpus.map((f) => ({
    name: f.name,
    timestamps: f.timestamps,
    scores: loadStoredScores(nabDir, 'numenta', f.name) ?? new Float64Array(f.timestamps.length),
    windows: f.windows,
  }));
  const rows = buildSweepRows(files);
  const published = { standard: 70.10105611943965, reward_low_FP_rate: 63.11684160219828, reward_low_FN_rate: 74.3202443095115 };

  it('finds 58 files and 116 windows', () => {
    expect(files).toHaveLength(58);
    expect(rows.windowCount).toBe(116);
  });

  it('reproduces the published raw standard score 46.6345', () => {
    expect(scoreProfile(rows, profiles.standard).raw).toBeCloseTo(46.6345, 3);
  });

  // NAB scored the board at the thresholds stored in config/thresholds.json.
  const stored = { standard: 0.5421876907348634, reward_low_FP_rate: 0.5751955032348636, reward_low_FN_rate: 0.5421876907348634 };

  it.each(profileNames.map((p) => [p]))('reproduces the published %s score at the stored threshold', (profile) => {
    const raw = scoreAtThreshold(rows, profiles[profile], stored[profile]);
    expect(normalizeScore(raw, rows, profiles[profile])).toBeCloseTo(published[profile], 2);
  });

  it.each(profileNames.map((p) => [p]))('optimises the %s threshold to at least the published score', (profile) => {
    expect(scoreProfile(rows, profiles[profile]).normalized).toBeGreaterThanOrEqual(published[profile] - 0.005);
  });
});
