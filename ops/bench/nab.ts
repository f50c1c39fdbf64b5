// `npm run bench:nab`: runs the anomaly detector with defaultDetectorParams over the NAB corpus and prints
// the NAB scores of the three profiles, throughput and state size. Corpus dir: --dir, NAB_DIR, or
// ../shared/benchmarks/nab. Does not tune anything: the configuration is the one the product ships.
import { defaultDetectorParams } from '../../models/anomaly/detector.ts';
import { loadCorpus, loadProfiles, profileNames } from './nab/corpus.ts';
import { measureThroughput, prepare, runCorpus } from './nab/run.ts';

function corpusDir(argv: readonly string[]): string {
  const flag = argv.indexOf('--dir');
  const fromFlag = flag >= 0 ? argv[flag + 1] : undefined;
  return fromFlag ?? process.env['NAB_DIR'] ?? '../shared/benchmarks/nab';
}

const published: [string, number, number, number][] = [
  ['ARTime', 74.9, 65.1, 80.4],
  ['Numenta HTM', 70.1, 63.1, 74.3],
  ['CAD OSE', 69.9, 67.0, 73.2],
  ['earthgecko Skyline', 58.2, 46.2, 63.9],
  ['KNN CAD', 58.0, 43.4, 64.8],
  ['Windowed Gaussian', 39.6, 20.9, 47.4],
];

const dir = corpusDir(process.argv.slice(2));
const files = prepare(loadCorpus(dir));
const run = runCorpus(files, defaultDetectorParams, loadProfiles(dir));
const r = run.results;
const row = (name: string, a: string, b: string, c: string): string =>
  `| ${name.padEnd(30)} | ${a.padStart(8)} | ${b.padStart(13)} | ${c.padStart(13)} |`;
console.log(`NAB corpus: ${dir} (${files.length} files, ${run.points} points, ${r.standard.tp + r.standard.fn} windows)`);
console.log(row('detector', 'Standard', 'Reward-low-FP', 'Reward-low-FN'));
console.log(row('-'.repeat(30), '-'.repeat(8), '-'.repeat(13), '-'.repeat(13)));
console.log(row('prognos', ...(profileNames.map((p) => r[p].normalized.toFixed(1)) as [string, string, string])));
for (const [name, a, b, c] of published) console.log(row(`${name} (published)`, a.toFixed(1), b.toFixed(1), c.toFixed(1)));
for (const p of profileNames) {
  const x = r[p];
  console.log(`${p}: score ${x.normalized.toFixed(2)}, raw ${x.raw.toFixed(4)}, threshold ${x.threshold.toFixed(6)}, windows detected ${x.tp}/${x.tp + x.fn}, false-positive rows ${x.fp}`);
}
const best = measureThroughput(files, defaultDetectorParams);
console.log(
  `throughput: ${Math.round(best).toLocaleString('en-US')} points/s (one core, detector loop, best of 3 passes; first scored pass ${Math.round(run.points / run.seconds).toLocaleString('en-US')})`,
);
console.log(`state: ${run.maxStateBytes} bytes per series (max JSON size over the corpus)`);
