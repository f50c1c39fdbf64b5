// `npm run bench:m4`: fits the prognos forecaster on every M4 hourly series, scores it against the test
// half and prints the table next to the published M4 results. Options: --dir DIR (or env M4_DIR), --limit N,
// --validate (score on the last 48 training points instead: for tuning the global configuration blind).
import { loadM4Hourly } from './m4/data.ts';
import { benchParams, formatBench, runBench } from './m4/run.ts';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const dir = option('--dir') ?? process.env['M4_DIR'] ?? new URL('../../../shared/benchmarks/m4-hourly', import.meta.url).pathname;
const limit = Number(option('--limit') ?? Infinity);
const loaded = loadM4Hourly(dir, limit);
const validate = process.argv.includes('--validate');
const series = validate ? loaded.map((s) => ({ id: s.id, train: s.train.slice(0, -48), test: s.train.slice(-48) })) : loaded;
if (validate) console.log('VALIDATION MODE: train minus its last 48 points, scored on those 48 (test file unused)');
console.log(formatBench(runBench(series, benchParams, () => performance.now())));
