// Runs the detector over a loaded NAB corpus with one parameter set and scores all three profiles.
// No IO here: loading is corpus.ts, printing is ../nab.ts.
import {
  createDetectorOutput,
  initDetector,
  stateBytes,
  stepDetector,
  type DetectorParams,
} from '../../../models/anomaly/detector.ts';
import { profileNames, type CorpusFile, type ProfileName } from './corpus.ts';
import { buildSweepRows, scoreProfile, type CostMatrix, type ProfileResult } from './scorer.ts';

/** A corpus file with its timestamps parsed to epoch ms once, outside the timed loop. */
export interface PreparedFile extends CorpusFile {
  tsMs: Float64Array;
}

/** Parses NAB timestamps ("2014-04-01 00:00:00", UTC). */
export function prepare(files: readonly CorpusFile[]): PreparedFile[] {
  return files.map((f) => ({
    ...f,
    tsMs: Float64Array.from(f.timestamps, (t) => Date.parse(`${t.slice(0, 19).replace(' ', 'T')}Z`)),
  }));
}

/** Scores, timing and state size of one corpus run. */
export interface CorpusRun {
  scores: Float64Array[];
  points: number;
  seconds: number;
  maxStateBytes: number;
  results: Record<ProfileName, ProfileResult>;
}

/** Runs the detector over every file (fresh state per file) and scores the three profiles. */
export function runCorpus(
  files: readonly PreparedFile[],
  params: DetectorParams,
  profiles: Record<ProfileName, CostMatrix>,
): CorpusRun {
  const scores: Float64Array[] = [];
  const out = createDetectorOutput();
  let points = 0;
  let seconds = 0;
  let maxStateBytes = 0;
  for (const file of files) {
    const state = initDetector(params);
    const s = new Float64Array(file.values.length);
    const started = performance.now();
    for (let i = 0; i < s.length; i++) {
      s[i] = stepDetector(state, file.tsMs[i] ?? 0, file.values[i] ?? 0, params, out).score;
    }
    seconds += (performance.now() - started) / 1000;
    points += s.length;
    maxStateBytes = Math.max(maxStateBytes, stateBytes(state));
    scores.push(s);
  }
  const rows = buildSweepRows(
    files.map((f, i) => ({ name: f.name, timestamps: f.timestamps, scores: scores[i] ?? new Float64Array(), windows: f.windows })),
  );
  const results = {} as Record<ProfileName, ProfileResult>;
  for (const p of profileNames) results[p] = scoreProfile(rows, profiles[p]);
  return { scores, points, seconds, maxStateBytes, results };
}

/**
 * Points per second of the detector loop alone (fresh state per file, reused output object), best of
 * `repeats` full passes over the corpus so that JIT warm-up and noisy neighbours do not dominate.
 */
export function measureThroughput(files: readonly PreparedFile[], params: DetectorParams, repeats = 3): number {
  const out = createDetectorOutput();
  let best = 0;
  let sink = 0;
  for (let r = 0; r < repeats; r++) {
    let points = 0;
    const started = performance.now();
    for (const file of files) {
      const state = initDetector(params);
      for (let i = 0; i < file.values.length; i++) sink += stepDetector(state, file.tsMs[i] ?? 0, file.values[i] ?? 0, params, out).score;
      points += file.values.length;
    }
    best = Math.max(best, points / ((performance.now() - started) / 1000));
  }
  // Using the scores keeps the loop from being optimised away, and catches a NaN regression.
  if (Number.isNaN(sink)) throw new Error('detector produced a NaN score');
  return best;
}
