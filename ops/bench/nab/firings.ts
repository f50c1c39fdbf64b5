// Development aid: every firing (gated score >= the standard threshold) split into first-in-window,
// later-in-window and false positives, by the detector that produced it and by score band, to see which
// surprises cost false positives. Not a benchmark figure.
import {
  createDetectorOutput,
  defaultDetectorParams,
  initDetector,
  stepDetector,
  type DetectorParams,
} from '../../../models/anomaly/detector.ts';
import { loadCorpus, loadProfiles } from './corpus.ts';
import { buildSweepRows, scoreProfile, sweepFile } from './scorer.ts';
import { prepare } from './run.ts';

const dir = process.env['NAB_DIR'] ?? '../shared/benchmarks/nab';
const params = { ...defaultDetectorParams, ...(JSON.parse(process.argv[2] ?? '{}') as Partial<DetectorParams>) };
const files = prepare(loadCorpus(dir));
const out = createDetectorOutput();
const scores: Float64Array[] = [];
const dets: string[][] = [];
for (const f of files) {
  const state = initDetector(params);
  const s = new Float64Array(f.values.length);
  const d: string[] = [];
  for (let i = 0; i < s.length; i++) {
    s[i] = stepDetector(state, f.tsMs[i] ?? 0, f.values[i] ?? 0, params, out).score;
    d.push(out.detector);
  }
  scores.push(s);
  dets.push(d);
}
const threshold = scoreProfile(
  buildSweepRows(files.map((f, i) => ({ ...f, scores: scores[i] ?? new Float64Array() }))),
  loadProfiles(dir).standard,
).threshold;
const table = new Map<string, number[]>();
const add = (key: string, col: number, w = 1): void => {
  const row = table.get(key) ?? [0, 0, 0, 0];
  row[col] = (row[col] ?? 0) + w;
  table.set(key, row);
};
files.forEach((f, k) => {
  const s = scores[k] ?? new Float64Array();
  const sweep = sweepFile({ name: f.name, timestamps: f.timestamps, scores: s, windows: f.windows });
  const seen = new Set<number>();
  for (let i = 0; i < s.length; i++) {
    const id = sweep.windowId[i] ?? -1;
    if ((s[i] ?? 0) < threshold || id === -2) continue;
    const col = id < 0 ? 2 : seen.has(id) ? 1 : 0;
    if (id >= 0) seen.add(id);
    add(dets[k]?.[i] ?? '?', col);
    if (col === 2) add(dets[k]?.[i] ?? '?', 3, 0.11 * (sweep.unweighted[i] ?? 0));
    add(`cat ${f.name.split('/')[0] ?? ''}`, col);
  }
});
console.log(`threshold ${threshold.toFixed(4)}\nkey                          first later    fp  fpCost`);
for (const [key, row] of [...table.entries()].sort()) console.log(`${key.padEnd(28)}${row.slice(0, 3).map((v) => String(v).padStart(6)).join('')}${(row[3] ?? 0).toFixed(2).padStart(8)}`);
