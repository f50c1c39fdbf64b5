// Development aid: per-file detections, windows hit and false positives at the standard threshold of
// the default configuration, to see where the score is lost. Not part of the benchmark output.
import { defaultDetectorParams, type DetectorParams } from '../../../models/anomaly/detector.ts';
import { loadCorpus, loadProfiles, loadStoredScores } from './corpus.ts';
import { buildSweepRows, scoreProfile, sweepFile } from './scorer.ts';
import { prepare, runCorpus } from './run.ts';

const dir = process.env['NAB_DIR'] ?? '../shared/benchmarks/nab';
const overrides = JSON.parse(process.argv[2] ?? '{}') as Partial<DetectorParams>;
const files = prepare(loadCorpus(dir));
const stored = process.argv[3];
const profiles = loadProfiles(dir);
const run =
  stored === undefined
    ? runCorpus(files, { ...defaultDetectorParams, ...overrides }, profiles)
    : { scores: files.map((f) => loadStoredScores(dir, stored, f.name) ?? new Float64Array()) };
const threshold = scoreProfile(
  buildSweepRows(files.map((f, i) => ({ ...f, scores: run.scores[i] ?? new Float64Array() }))),
  profiles.standard,
).threshold;
let total = 0;
files.forEach((f, k) => {
  const scores = run.scores[k] ?? new Float64Array();
  const sweep = sweepFile({ name: f.name, timestamps: f.timestamps, scores, windows: f.windows });
  const best = new Map<number, number>();
  let fp = 0;
  let fpCost = 0;
  const fpAt: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const id = sweep.windowId[i] ?? -1;
    if (id === -2 || (scores[i] ?? 0) < threshold) continue;
    if (id < 0) {
      fp++;
      fpCost += 0.11 * (sweep.unweighted[i] ?? 0);
      fpAt.push(i);
    } else best.set(id, Math.max(best.get(id) ?? -1, sweep.unweighted[i] ?? 0));
  }
  let win = -(f.windows.length - best.size);
  for (const v of best.values()) win += v;
  total += win + fpCost;
  const hits = [...best.entries()].map(([id, v]) => `${id}:${v.toFixed(2)}`).join(' ');
  console.log(
    `${(win + fpCost).toFixed(2).padStart(6)} ${f.name.padEnd(58)} n=${f.values.length} win=${f.windows.length} hit=[${hits}] fp=${fp} (${fpCost.toFixed(2)}) at ${fpAt.slice(0, 8).join(',')}`,
  );
});
console.log(`total raw ${total.toFixed(3)} threshold ${threshold}`);
