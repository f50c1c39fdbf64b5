// Development aid: coordinate search of ONE global DetectorParams over the whole NAB corpus, maximising
// the standard score. Prints the best set found; the chosen values are copied into defaultDetectorParams.
import { defaultDetectorParams, type DetectorParams } from '../../../models/anomaly/detector.ts';
import { loadCorpus, loadProfiles } from './corpus.ts';
import { prepare, runCorpus } from './run.ts';

type NumericKey = { [K in keyof DetectorParams]: DetectorParams[K] extends number ? K : never }[keyof DetectorParams];

const dir = process.env['NAB_DIR'] ?? '../shared/benchmarks/nab';
const files = prepare(loadCorpus(dir));
const profiles = loadProfiles(dir);
let best: DetectorParams = { ...defaultDetectorParams, ...(JSON.parse(process.argv[2] ?? '{}') as Partial<DetectorParams>) };
const keys = (process.argv[3] ?? '').split(',').filter((k) => k !== '') as NumericKey[];
const rounds = Number(process.argv[4] ?? '2');
const evaluate = (p: DetectorParams): number => runCorpus(files, p, profiles).results.standard.normalized;
let bestScore = evaluate(best);
console.log(`start ${bestScore.toFixed(2)}`);
const factors = [0.25, 0.5, 0.7, 1.4, 2, 4];
for (let round = 0; round < rounds; round++) {
  for (const key of keys) {
    const base = best[key];
    const candidates = base === 0 ? [0.01, 0.1, 0.5, 1, 2] : factors.map((f) => base * f);
    for (const v of candidates) {
      const trial = { ...best, [key]: key.endsWith('Points') || key === 'medianWindow' ? Math.max(1, Math.round(v)) : v };
      const score = evaluate(trial);
      if (score > bestScore + 1e-6) {
        bestScore = score;
        best = trial;
        console.log(`${key}=${trial[key]} -> ${score.toFixed(2)}`);
      }
    }
  }
}
const changed = Object.fromEntries(
  Object.entries(best).filter(([k, v]) => defaultDetectorParams[k as keyof DetectorParams] !== v),
);
console.log(`best ${bestScore.toFixed(2)} ${JSON.stringify(changed)}`);
