// Development aid: NAB standard raw score with the threshold optimised per file (an upper bound that
// shows whether the loss is in the features or in the cross-series calibration). Not a benchmark figure.
import { defaultDetectorParams, type DetectorParams } from '../../../models/anomaly/detector.ts';
import { loadCorpus, loadProfiles } from './corpus.ts';
import { prepare, runCorpus } from './run.ts';
import { buildSweepRows, scoreProfile } from './scorer.ts';

const dir = process.env['NAB_DIR'] ?? '../shared/benchmarks/nab';
const overrides = JSON.parse(process.argv[2] ?? '{}') as Partial<DetectorParams>;
const files = prepare(loadCorpus(dir));
const profiles = loadProfiles(dir);
const run = runCorpus(files, { ...defaultDetectorParams, ...overrides }, profiles);
let raw = 0;
files.forEach((f, i) => {
  const r = scoreProfile(buildSweepRows([{ ...f, scores: run.scores[i] ?? new Float64Array() }]), profiles.standard);
  raw += r.raw;
  if (process.argv[3] === 'v') console.log(`${r.raw.toFixed(2).padStart(6)} ${f.name} windows ${f.windows.length} detected ${r.tp} fp ${r.fp}`);
});
console.log(`global ${run.results.standard.normalized.toFixed(2)}; per-file thresholds raw ${raw.toFixed(2)} = ${((100 * (raw + 116)) / 232).toFixed(2)}`);
