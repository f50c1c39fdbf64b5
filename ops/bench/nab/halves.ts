// Development aid: the generalisation check. Runs one configuration over the corpus and scores the whole
// corpus and its two halves (files at even and odd indices in sorted name order) separately, each with its
// own threshold sweep per profile, exactly as the benchmark scores the whole corpus. Not a benchmark figure.
import { defaultDetectorParams, type DetectorParams } from '../../../models/anomaly/detector.ts';
import { loadCorpus, loadProfiles, profileNames } from './corpus.ts';
import { prepare, runCorpus } from './run.ts';
import { buildSweepRows, scoreProfile } from './scorer.ts';

const dir = process.env['NAB_DIR'] ?? '../shared/benchmarks/nab';
const overrides = JSON.parse(process.argv[2] ?? '{}') as Partial<DetectorParams>;
const files = prepare(loadCorpus(dir));
const profiles = loadProfiles(dir);
const run = runCorpus(files, { ...defaultDetectorParams, ...overrides }, profiles);
const parts: [string, (i: number) => boolean][] = [
  ['all', () => true],
  ['even', (i) => i % 2 === 0],
  ['odd', (i) => i % 2 === 1],
];
for (const [name, keep] of parts) {
  const rows = buildSweepRows(
    files.flatMap((f, i) => (keep(i) ? [{ ...f, scores: run.scores[i] ?? new Float64Array() }] : [])),
  );
  const scores = profileNames.map((p) => {
    const r = scoreProfile(rows, profiles[p]);
    return `${r.normalized.toFixed(2)} (thr ${r.threshold.toFixed(3)})`;
  });
  console.log(`${name.padEnd(4)} standard ${scores[0]}  low_FP ${scores[1]}  low_FN ${scores[2]}`);
}
