// NAB scorer written from the published method (numenta/NAB nab/sweeper.py, scorer.py, optimizer.py):
// windows, scaled sigmoid, profile weights, probationary period, one corpus-wide threshold per profile,
// normalisation between the null and the perfect detector. Pure: reading files lives in corpus.ts.

/** Cost weights of one NAB profile (config/profiles.json CostMatrix). */
export interface CostMatrix {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
  tnWeight: number;
}

/** One scored file: row timestamps, detector scores, label windows as inclusive [start, end] strings. */
export interface ScoredFile {
  name: string;
  timestamps: readonly string[];
  scores: ArrayLike<number>;
  windows: readonly (readonly [string, string])[];
}

/** Per-row sweep inputs for a corpus: unweighted NAB score and window id (-1 outside windows). */
export interface SweepRows {
  score: Float64Array;
  unweighted: Float64Array;
  windowId: Int32Array;
  /** Number of windows that have at least one scorable (post-probation) row. */
  windowCount: number;
}

/** Result of the threshold sweep for one profile. */
export interface ProfileResult {
  threshold: number;
  raw: number;
  normalized: number;
  tp: number;
  fp: number;
  fn: number;
}

/** Default share of each file treated as probationary (NAB probationaryPercent). */
export const probationPercent = 0.15;

/** NAB's scaledSigmoid: +~0.987 at a window's start, 0 at its end, towards -1 well after it. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3.0) return -1.0;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1.0;
}

/** Rows at the start of a file that are not scored: min(floor(p * n), p * 5000). */
export function probationaryLength(rows: number, percent = probationPercent): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

const maxTp = scaledSigmoid(-1.0);

/** Row index range [first, last] of an inclusive window, matching timestamps on their first 19 chars. */
function windowRange(timestamps: readonly string[], win: readonly [string, string]): [number, number] {
  const start = win[0].slice(0, 19);
  const end = win[1].slice(0, 19);
  let first = -1;
  let last = -1;
  for (let i = 0; i < timestamps.length; i++) {
    const t = (timestamps[i] ?? '').slice(0, 19);
    if (first < 0 && t >= start) first = i;
    if (t <= end) last = i;
  }
  return [first, last];
}

/**
 * Per-row unweighted sweep scores of one file (NAB Sweeper.calcSweepScore, weights applied later):
 * inside a window, the scaled sigmoid of the relative position (divided by maxTP); outside, -1 before
 * the first window and the scaled sigmoid of the distance past the preceding window after it.
 * Returns window ids local to the file, or -1, and -2 for probationary rows.
 */
export function sweepFile(file: ScoredFile): { unweighted: Float64Array; windowId: Int32Array } {
  const n = file.timestamps.length;
  const unweighted = new Float64Array(n);
  const windowId = new Int32Array(n).fill(-1);
  const ranges = file.windows.map((w) => windowRange(file.timestamps, w));
  let prevRight = -1;
  let prevWidth = 0;
  let w = 0;
  const probation = probationaryLength(n);
  for (let i = 0; i < n; i++) {
    const range = ranges[w];
    if (range !== undefined && i >= range[0] && i <= range[1]) {
      const width = range[1] - range[0] + 1;
      unweighted[i] = scaledSigmoid(-(range[1] - i + 1) / width) / maxTp;
      windowId[i] = w;
      if (i === range[1]) {
        prevRight = i;
        prevWidth = width;
        w++;
      }
    } else {
      unweighted[i] = prevRight < 0 ? -1.0 : scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
    }
    if (i < probation) windowId[i] = -2;
  }
  return { unweighted, windowId };
}

/** Concatenates the scorable rows of every file, giving each window a corpus-wide id. */
export function buildSweepRows(files: readonly ScoredFile[]): SweepRows {
  const parts: { score: ArrayLike<number>; sweep: ReturnType<typeof sweepFile>; windows: number }[] = [];
  let total = 0;
  for (const file of files) {
    const sweep = sweepFile(file);
    parts.push({ score: file.scores, sweep, windows: file.windows.length });
    for (let i = 0; i < sweep.windowId.length; i++) if (sweep.windowId[i] !== -2) total++;
  }
  const score = new Float64Array(total);
  const unweighted = new Float64Array(total);
  const windowId = new Int32Array(total);
  let k = 0;
  let base = 0;
  const seen = new Set<number>();
  for (const part of parts) {
    for (let i = 0; i < part.sweep.windowId.length; i++) {
      const id = part.sweep.windowId[i] ?? -1;
      if (id === -2) continue;
      score[k] = part.score[i] ?? 0;
      unweighted[k] = part.sweep.unweighted[i] ?? 0;
      windowId[k] = id < 0 ? -1 : base + id;
      if (id >= 0) seen.add(base + id);
      k++;
    }
    base += part.windows;
  }
  return { score, unweighted, windowId, windowCount: seen.size };
}

/**
 * NAB Sweeper.calcScoreByThreshold + optimizer: sweeps every distinct score as threshold (a row is a
 * detection when score >= threshold), keeps the best raw score, and normalises it as
 * 100 * (raw - null) / (perfect - null) with null = -fnWeight * windows and perfect = tpWeight * windows.
 */
export function scoreProfile(rows: SweepRows, cost: CostMatrix): ProfileResult {
  const order = Array.from({ length: rows.score.length }, (_, i) => i);
  order.sort((a, b) => (rows.score[b] ?? 0) - (rows.score[a] ?? 0));
  const best = new Map<number, number>();
  let fpSum = 0;
  let winSum = -cost.fnWeight * rows.windowCount;
  let tp = 0;
  let fp = 0;
  let bestResult = { threshold: 1.1, raw: winSum, tp: 0, fp: 0 };
  for (let j = 0; j < order.length; j++) {
    const i = order[j] ?? 0;
    const id = rows.windowId[i] ?? -1;
    const u = rows.unweighted[i] ?? 0;
    if (id < 0) {
      fpSum += u * cost.fpWeight;
      fp++;
    } else {
      tp++;
      const value = u * cost.tpWeight;
      const prev = best.get(id);
      const current = prev === undefined ? -cost.fnWeight : prev;
      if (value > current) {
        winSum += value - current;
        best.set(id, value);
      }
    }
    const s = rows.score[i] ?? 0;
    const nextScore = j + 1 < order.length ? rows.score[order[j + 1] ?? 0] : undefined;
    if (nextScore !== s && fpSum + winSum > bestResult.raw) {
      bestResult = { threshold: s, raw: fpSum + winSum, tp, fp };
    }
  }
  const nullScore = -cost.fnWeight * rows.windowCount;
  const perfect = cost.tpWeight * rows.windowCount;
  const detected = countDetectedWindows(rows, bestResult.threshold);
  return {
    threshold: bestResult.threshold,
    raw: bestResult.raw,
    normalized: (100 * (bestResult.raw - nullScore)) / (perfect - nullScore),
    tp: detected,
    fp: bestResult.fp,
    fn: rows.windowCount - detected,
  };
}

/** Number of windows with at least one row scoring >= threshold. */
function countDetectedWindows(rows: SweepRows, threshold: number): number {
  const hit = new Set<number>();
  for (let i = 0; i < rows.score.length; i++) {
    const id = rows.windowId[i] ?? -1;
    if (id >= 0 && (rows.score[i] ?? 0) >= threshold) hit.add(id);
  }
  return hit.size;
}

/** Raw NAB score with detections = rows scoring >= threshold (NAB scoreCorpus at a fixed threshold). */
export function scoreAtThreshold(rows: SweepRows, cost: CostMatrix, threshold: number): number {
  const best = new Map<number, number>();
  let fpSum = 0;
  for (let i = 0; i < rows.score.length; i++) {
    if ((rows.score[i] ?? 0) < threshold) continue;
    const id = rows.windowId[i] ?? -1;
    const u = rows.unweighted[i] ?? 0;
    if (id < 0) fpSum += u * cost.fpWeight;
    else best.set(id, Math.max(best.get(id) ?? -Infinity, u * cost.tpWeight));
  }
  let winSum = -cost.fnWeight * (rows.windowCount - best.size);
  for (const v of best.values()) winSum += v;
  return fpSum + winSum;
}

/** Normalised NAB score of a raw score: 100 * (raw - null) / (perfect - null). */
export function normalizeScore(raw: number, rows: SweepRows, cost: CostMatrix): number {
  const nullScore = -cost.fnWeight * rows.windowCount;
  return (100 * (raw - nullScore)) / (cost.tpWeight * rows.windowCount - nullScore);
}
